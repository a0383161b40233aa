"""Organisation resolution: curated parents and renames, the long tail, domains, the build stage."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from corpus_helpers import openreview_record, write_corpus_file
from talentgraph import pipeline
from talentgraph.errors import NotFoundError, OrgDataError
from talentgraph.resolve.orgs import OrgResolver, catalog, registrable_domain
from talentgraph.resolve.orgs.query import list_orgs, org_detail
from talentgraph.resolve.orgs.text import key


@pytest.fixture(scope="module")
def resolver() -> OrgResolver:
    return OrgResolver(person_names=frozenset({key("Jane Q. Public")}))


def first(resolver: OrgResolver, raw: str | None, **kw: str) -> str | None:
    found = resolver.resolve(raw, **kw)
    return found[0].org_id if found else None


# ------------------------------------------------------------------ curated table


def test_curated_parents_and_top_parents() -> None:
    cat = catalog.default()
    assert cat.orgs["meta-fair"].parent_id == "meta"
    assert cat.orgs["deepmind"].parent_id == "alphabet"
    assert cat.ancestors("google-brain") == ["google", "alphabet"]
    assert cat.top_parent("google-research") == "alphabet"
    assert cat.top_parent("microsoft-research-asia") == "microsoft"
    assert cat.orgs["deepmind"].successor_id == "google-deepmind"
    assert cat.orgs["google-brain"].successor_from == date(2023, 4, 20)


def test_curated_tables_are_consistent_and_errors_name_the_line(tmp_path: Path) -> None:
    shutil.copytree(catalog.data_dir(), tmp_path / "data")
    assert len(catalog.load(tmp_path / "data").orgs) > 250
    orgs = tmp_path / "data" / "orgs.csv"
    orgs.write_text(orgs.read_text() + "broken-lab,Broken Lab,industry_lab,US,no-such-parent,,\n")
    with pytest.raises(OrgDataError, match="no-such-parent"):
        catalog.load(tmp_path / "data")
    orgs.write_text("org_id,name,kind,country,parent_id,successor_id,successor_from\n"
                    "x,X,spaceship,US,,,\n")
    with pytest.raises(OrgDataError, match="orgs.csv line 2: kind 'spaceship'"):
        catalog.load(tmp_path / "data")


# ------------------------------------------------------------------ parents and renames


def test_facebook_names_and_domains_resolve_to_meta(resolver: OrgResolver) -> None:
    fair = resolver.resolve("Facebook AI Research")[0]
    assert fair.org_id == "meta-fair" and fair.valid_to == date(2021, 10, 28)
    assert first(resolver, "FAIR @ Meta") == "meta-fair"
    assert first(resolver, "Meta AI") == "meta-fair"
    assert first(resolver, "Facebook") == "meta"
    assert first(resolver, None, domain="fb.com") == "meta"
    assert first(resolver, None, email_domain="meta.com") == "meta"
    # A name and an agreeing domain: the name decides, the domain adds confidence.
    agreed = resolver.resolve("Facebook AI Research", domain="fb.com")[0]
    assert agreed.org_id == "meta-fair" and agreed.method == "curated+domain"
    assert agreed.confidence > fair.confidence


def test_deepmind_and_google_deepmind(resolver: OrgResolver) -> None:
    assert first(resolver, "DeepMind, London, United Kingdom") == "deepmind"
    gdm = resolver.resolve("Google DeepMind")[0]
    assert gdm.org_id == "google-deepmind" and gdm.valid_from == date(2023, 4, 20)
    assert first(resolver, "Google Brain, Google, Inc.") == "google-brain"  # child over parent
    assert first(resolver, "Google Research, Zurich, ZH, Switzerland") == "google-research"


# ------------------------------------------------------------------ the long tail


@pytest.mark.parametrize("raw, expected", [
    ("School of Computing, University of Utah", "university-of-utah"),
    ("Department of Computer Science, Univ. of Michigan, Ann Arbor, MI, USA",
     "university-of-michigan"),
    ("Robotics Institute, Carnegie Mellon University, Pittsburgh, PA, USA",
     "carnegie-mellon-university"),
    ("Department of Computer Science and Engineering, University of South Carolina, "
     "Columbia, SC, USA", "university-of-south-carolina"),  # Columbia is the city here
    ("Institute of Automation, Chinese Academy of Sciences, Beijing, China", "casia"),
    ("Huzhou Institute of Zhejiang University, Huzhou, China", "zhejiang-university"),
    ("Dipartimento di Ingegneria, Università di Siena, Italy", "university-of-siena"),
    ("Institute of Control Theory, Technische Universität Dortmund, Germany",
     "technical-university-of-dortmund"),
    ("Willow Garage, Inc., Menlo Park, CA", "willow-garage"),
    ("Huawei Cloud", "huawei"),
])
def test_departments_campuses_and_languages(resolver: OrgResolver, raw: str,
                                            expected: str) -> None:
    assert first(resolver, raw) == expected


def test_long_tail_kind_and_country(resolver: OrgResolver) -> None:
    m = resolver.resolve("Department of Mechanical Engineering, Osmania University, "
                         "Hyderabad, India")[0]
    assert (m.org_id, m.kind, m.country, m.curated) == ("osmania-university", "university",
                                                        "IN", False)
    lab = resolver.resolve("Dataminr Inc.", aff_country="United States")[0]
    assert (lab.org_id, lab.kind, lab.country) == ("dataminr", "company", "US")


@pytest.mark.parametrize("raw, expected", [
    ("\u00b4Ecole Normale Sup \u00b4erieure", "ecole-normale-superieure"),
    ("Department ofComputer Science, University ofWaterloo", "university-of-waterloo"),
    ("Fudan University, Shanghai, China3", "fudan-university"),
    ("Sensetime Research1", "sensetime"),
    ("Learning and Adaptive Systems Group, ETH Z\u00a8urich", "eth-zurich"),
    ("Department of EECS, Massachussetts Institute of Technology", "massachusetts-institute-"
     "of-technology"),
])
def test_pdf_artefacts_and_typos(resolver: OrgResolver, raw: str, expected: str) -> None:
    assert first(resolver, raw) == expected


def test_homonyms_are_told_apart_by_country(resolver: OrgResolver) -> None:
    assert first(resolver, "School of Computer Science, Northeastern University, Shenyang, "
                           "China") == "northeastern-university-china"
    assert first(resolver, "Northeastern University", aff_country="China") == \
        "northeastern-university-china"
    assert first(resolver, "Northeastern University", domain="stumail.neu.edu.cn") == \
        "northeastern-university-china"
    assert first(resolver, "Khoury College, Northeastern University, Boston, MA, USA") == \
        "northeastern-university"
    assert first(resolver, "Northeastern University") == "northeastern-university"


def test_fuzzy_matching_keeps_different_universities_apart(resolver: OrgResolver) -> None:
    # One letter or word away from a curated name, but a different university.
    assert first(resolver, "Nanjing University of Aeronautics and Astronautics") == \
        "nanjing-university-of-aeronautics-and-astronautics"
    assert first(resolver, "Università di Trento") == "university-of-trento"
    assert first(resolver, "University of Texas at Dallas") == "university-of-texas-at-dallas"
    assert first(resolver, "Toyo University") == "toyo-university"  # not Tokyo
    assert first(resolver, "Peng Cheng Laborotory") == "peng-cheng-lab"  # a typo


def test_debris_keeps_only_curated_names(resolver: OrgResolver) -> None:
    debris = ("A Method for Things Yue Liao1 Si Liu2 1School of Computer Science, Beihang "
              "University 2SenseTime Research liao@example.com " + "words " * 40)
    assert [m.org_id for m in resolver.resolve(debris)] == ["beihang-university"]


def test_dual_affiliations_are_ranked(resolver: OrgResolver) -> None:
    found = resolver.resolve("Peking University+SenseTime Research")
    assert [m.org_id for m in found] == ["peking-university", "sensetime"]
    found = resolver.resolve("University of Amsterdam + CIFAR + Qualcomm AI Research")
    assert [m.org_id for m in found][0] == "university-of-amsterdam"
    assert "qualcomm-ai-research" in [m.org_id for m in found]
    both = resolver.resolve("Stanford University and Google DeepMind")
    assert [m.org_id for m in both] == ["stanford-university", "google-deepmind"]
    # The corpus' normalised names are aligned part by part.
    aligned = resolver.resolve("Dept. A, Foo Institute + Lab B, Bar College",
                               aff_norm="Foo Institute + Bar College",
                               aff_country="Japan + Canada")
    assert [(m.org_id, m.country) for m in aligned] == [("foo-institute", "JP"),
                                                       ("bar-college", "CA")]


def test_domains(resolver: OrgResolver) -> None:
    assert registrable_domain("cs.cmu.edu") == "cmu.edu"
    assert registrable_domain("mails.tsinghua.edu.cn") == "tsinghua.edu.cn"
    assert registrable_domain("cs.ox.ac.uk") == "ox.ac.uk"
    assert registrable_domain("not a domain") is None
    assert first(resolver, None, domain="andrew.cmu.edu") == "carnegie-mellon-university"
    assert first(resolver, None, email_domain="nlpr.ia.ac.cn") == "casia"
    for generic in ("gmail.com", "qq.com", "163.com", "outlook.com", "mails.gmail.com"):
        assert resolver.resolve(None, domain=generic) == []
    # A domain of a unit refines its parent's name; a parent's domain only confirms a unit.
    refined = resolver.resolve("Chinese Academy of Sciences", domain="nlpr.ia.ac.cn")[0]
    assert (refined.org_id, refined.method) == ("casia", "curated+domain_refined")
    assert first(resolver, "Google", domain="deepmind.com") == "google"  # DeepMind: Alphabet's
    assert first(resolver, "Google Research", domain="google.com") == "google-research"
    # A generic mail domain never overrides or confirms a name.
    m = resolver.resolve("Stanford University", email_domain="gmail.com")[0]
    assert m.method == "curated"


@pytest.mark.parametrize("raw", ["", "   ", "USA", "Tokyo 113-8654, Japan", "12345",
                                 "Department of Mechanical Engineering",
                                 "School of Computing1", "Jane Q. Public",
                                 "Towards robust detection " * 30, "+ + +", ";;;",
                                 "Independent Researcher", "Computer Science", "Individual",
                                 "Independent Consultant", "Independent Researcher London"])
def test_empty_garbage_and_person_names_give_nothing(resolver: OrgResolver, raw: str) -> None:
    assert resolver.resolve(raw) == []


def test_a_no_organisation_head_with_an_organisation_word_is_a_name(
        resolver: OrgResolver) -> None:
    assert first(resolver, "Independent University, Bangladesh") == "independent-university"


# ------------------------------------------------------------------ the build stage


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    corpus = tmp_path_factory.mktemp("corpus")
    write_corpus_file(corpus, "nips2021.json.gz", [
        openreview_record("a1", ["Ann Lee", "Bo Chen"], ["DeepMind", "Google DeepMind"],
                    ["deepmind.com", "google.com"]),
        openreview_record("a2", ["Cy Diaz", "Di Wu", "Ed Fox"],
                    ["University of Utah", "University of Utah", "University of Utah"],
                    ["cs.utah.edu", "utah.edu", "utah.edu"]),
        openreview_record("a3", ["Fa Gu", "Gil Ho"], ["Facebook AI Research", "Stanford"],
                    ["fb.com", "gmail.com"]),
    ])
    write_corpus_file(corpus, "iclr2024.json.gz", [
        openreview_record("b1", ["Ann Lee", "Hu Ii"], ["DeepMind", "Google Brain"],
                    ["deepmind.com", "google.com"]),
    ])
    # Author ids that are e-mails: only the domain tells the organisation.
    write_corpus_file(corpus, "iclr2018.json.gz", [{
        "id": "c1", "title": "Paper c1", "track": "main", "status": "Poster",
        "author": "Jo Kim;Ki Lo", "authorids": "jo@cs.utah.edu;ki@gmail.com"}])
    # A proceedings record with a dual affiliation and the corpus' normalised names.
    write_corpus_file(corpus, "icml2019.json.gz", [{
        "id": "d1", "title": "Paper d1", "track": "main", "status": "Oral",
        "author": "Lu Ma; Mo Ng",
        "aff": "School of Computing, University of Utah + Google Research; "
               "Dept. of CS, Foo Polytechnic, Kyoto, Japan",
        "aff_domain": "utah.edu;foo.ac.jp", "email": "utah.edu;foo.ac.jp",
        "aff_unique_index": "0+1;2",
        "aff_unique_norm": "University of Utah;Google Research;Foo Polytechnic",
        "aff_country_unique_index": "0+0;1", "aff_country_unique": "United States;Japan"}])
    # "Google DeepMind" in a 2015 proceedings PDF: DeepMind's style at the time.
    write_corpus_file(corpus, "nips2015.json.gz", [{
        "title": "Paper f1", "id": "f1", "track": "main", "status": "Poster",
        "author": "Ann Lee; Sy Tu", "aff": "Google DeepMind, London, UK; Google DeepMind",
        "aff_domain": "google.com;google.com", "email": "google.com;google.com"}])
    # Fewer affiliations than authors: kept on the paper, not attributed.
    write_corpus_file(corpus, "cvpr2024.json.gz", [{
        "id": "e1", "title": "Paper e1", "track": "main", "status": "Poster",
        "author": "Ny Oh, Pa Qi, Ra Su", "aff": "Microsoft Research Asia; Zhejiang University"}])
    write_corpus_file(corpus, "cvpr2020.json.gz", [{
        "id": "e2", "title": "Paper e2", "track": "main", "status": "Poster",
        "author": "Ny Oh, Pa Qi, Ra Su", "aff": "Google DeepMind; University of Oxford"}])
    db_path = tmp_path_factory.mktemp("store") / "store.duckdb"
    report = pipeline.build(db_path, [corpus], stages=["orgs"])
    assert report.stages["orgs"]["mention_orgs"] > 0
    con = duckdb.connect(str(db_path), read_only=True)
    yield con
    con.close()


def _mention_orgs(con: duckdb.DuckDBPyConnection, record: str) -> list[tuple]:
    return con.execute(
        "SELECT m.position, mo.org_id, mo.rank, mo.method, mo.named_org_id, mo.anachronistic "
        "FROM mention_orgs mo JOIN mentions m USING (paper_id, position) "
        "WHERE m.record_id = ? ORDER BY m.position, mo.rank", [record]).fetchall()


def test_stage_builds_the_contract_tables(built: duckdb.DuckDBPyConnection) -> None:
    cols = {t: {r[0] for r in built.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
        [t]).fetchall()} for t in ("orgs", "org_aliases", "mention_orgs", "paper_orgs")}
    assert {"org_id", "name", "kind", "country", "parent_id", "top_parent_id"} <= cols["orgs"]
    assert {"alias", "org_id", "valid_from", "valid_to", "source"} <= cols["org_aliases"]
    assert {"paper_id", "position", "org_id", "rank", "method", "confidence"} <= \
        cols["mention_orgs"]
    assert {"paper_id", "org_id", "method"} <= cols["paper_orgs"]
    row = built.execute("SELECT parent_id, top_parent_id FROM orgs WHERE org_id = 'deepmind'"
                        ).fetchone()
    assert row == ("alphabet", "alphabet")


def test_stage_dates_renames_and_mergers(built: duckdb.DuckDBPyConnection) -> None:
    a1 = _mention_orgs(built, "a1")
    assert a1[0][1] == "deepmind"                                   # 2021: still DeepMind
    assert a1[1][1] == "google-deepmind" and a1[1][5] is True       # anachronistic profile name
    b1 = _mention_orgs(built, "b1")
    # 2024: DeepMind and Google Brain are Google DeepMind; what the record said is kept.
    assert [(r[1], r[4]) for r in b1] == [("google-deepmind", "deepmind"),
                                         ("google-deepmind", "google-brain")]
    assert all(r[3].endswith("+successor") for r in b1)
    f1 = _mention_orgs(built, "f1")
    assert [(r[1], r[3], r[5]) for r in f1] == [("deepmind", "curated+domain+dated_name", False),
                                               ("deepmind", "curated+domain+dated_name", False)]
    a3 = _mention_orgs(built, "a3")
    assert [r[1] for r in a3] == ["meta-fair", "stanford-university"]


def test_stage_dual_affiliations_domains_and_paper_sets(built: duckdb.DuckDBPyConnection) -> None:
    d1 = _mention_orgs(built, "d1")
    assert [(r[0], r[1], r[2]) for r in d1] == [(0, "university-of-utah", 1),
                                               (0, "google-research", 2),
                                               (1, "foo-polytechnic", 1)]
    foo = built.execute("SELECT kind, country, curated FROM orgs WHERE org_id = "
                        "'foo-polytechnic'").fetchone()
    assert foo == ("university", "JP", False)
    # utah.edu was learned from the named mentions; the e-mail-only author gets Utah from it,
    # the gmail.com author gets nothing.
    c1 = _mention_orgs(built, "c1")
    assert [(r[0], r[1], r[3]) for r in c1] == [(0, "university-of-utah", "learned_domain")]
    learned = built.execute("SELECT org_id, source FROM org_domains WHERE domain = 'utah.edu'"
                            ).fetchone()
    assert learned == ("university-of-utah", "learned")
    assert sorted(r[0] for r in built.execute(
        "SELECT org_id FROM paper_orgs JOIN papers USING (paper_id) WHERE record_id = 'e1'"
    ).fetchall()) == ["microsoft-research-asia", "zhejiang-university"]
    # A 2020 paper's "Google DeepMind" is DeepMind.
    assert sorted(built.execute(
        "SELECT org_id, method FROM paper_orgs JOIN papers USING (paper_id) "
        "WHERE record_id = 'e2'").fetchall()) == [("deepmind", "curated+dated_name"),
                                                   ("university-of-oxford", "curated")]


def test_org_queries(built: duckdb.DuckDBPyConnection) -> None:
    utah = list_orgs(built, "utah")
    assert utah[0]["org_id"] == "university-of-utah" and utah[0]["n_mentions"] >= 5
    detail = org_detail(built, "Facebook AI Research")  # a name works as well as an id
    assert detail["org"]["org_id"] == "meta-fair"
    assert [p["org_id"] for p in detail["parents"]] == ["meta"]
    assert any(a["alias"] == "Facebook AI Research" and a["valid_to"] == date(2021, 10, 28)
               for a in detail["aliases"])
    google = org_detail(built, "google")
    assert {"google-brain", "google-research", "google-deepmind"} <= \
        {c["org_id"] for c in google["children"]}
    assert org_detail(built, "deepmind")["successor"]["org_id"] == "google-deepmind"
    with pytest.raises(NotFoundError):
        org_detail(built, "no such organisation anywhere")


def test_stage_on_an_empty_store_and_rebuilds(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    db_path = tmp_path / "s.duckdb"
    first_run = pipeline.build(db_path, [tmp_path / "corpus"], stages=["orgs"]).stages["orgs"]
    assert first_run["mention_orgs"] == 0 and first_run["orgs"] == first_run["curated_orgs"]
    again = pipeline.build(db_path, [tmp_path / "corpus"], stages=["orgs"]).stages["orgs"]
    assert again == first_run


def test_cli_orgs_and_org(built: duckdb.DuckDBPyConnection) -> None:
    from typer.testing import CliRunner

    from talentgraph.cli import app

    db_file = built.execute("SELECT path FROM duckdb_databases() WHERE NOT internal "
                            "AND path IS NOT NULL").fetchone()[0]
    runner = CliRunner()
    res = runner.invoke(app, ["orgs", "utah", "--db", db_file, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)[0]["org_id"] == "university-of-utah"
    res = runner.invoke(app, ["org", "meta-fair", "--db", db_file, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["parents"][0]["org_id"] == "meta"
    assert {"alias", "valid_from", "valid_to"} <= set(data["aliases"][0])
    res = runner.invoke(app, ["org", "google", "--db", db_file])
    assert res.exit_code == 0 and "google-brain" in res.output
