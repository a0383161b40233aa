"""ROR as the backbone of organisation resolution (resolve/orgs/ror.py), on fixture ROR records:
one institution written two ways is one organisation, namesakes are told apart, withdrawn
records resolve to their successor, hosts come from ROR parents, ids and ror_id in the store."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from corpus_helpers import write_corpus_file
from talentgraph import pipeline
from talentgraph.resolve.orgs import OrgResolver
from talentgraph.resolve.orgs.ror import RorIndex
from talentgraph.sources import ror as ror_source
from talentgraph.store import db

FIXTURE = Path(__file__).parents[2] / "fixtures" / "ror" / "ror-records.jsonl"

# The cases of issue #13: one institution under two ids before ROR.
TWO_WAYS = [
    ("Universidade Federal do Rio Grande do Sul", "Federal University of Rio Grande do Sul",
     "0tgfix001"),
    ("Ruhr-Universität Bochum", "Ruhr University Bochum", "0tgfix002"),
    ("Ruhr-Universität, Bochum, Germany", "Ruhr University Bochum", "0tgfix002"),
    ("Texas A&M University", "Texas AM University", "0tgfix003"),
    ("Alpen-Adria-Universität, Klagenfurt", "University of Klagenfurt", "0tgfix004"),
    ("Leibniz Universität Hannover", "Leibniz University Hannover", "0tgfix005"),
    ("Ulm University", "University of Ulm", "0tgfix006"),
    ("University of Lübeck", "University of Luebeck", "0tgfix007"),
    ("SUNY Binghamton", "Binghamton University", "0tgfix008"),
    ("Université du Québec à Montréal", "University of Quebec at Montreal", "0tgfix010"),
    ("UQAM, Montreal, QC, Canada", "Université du Québec à Montréal", "0tgfix010"),
    ("University of Nevada", "University of Nevada, Reno", "0tgfix011"),
    ("University Lille", "University of Lille", "0tgfix013"),
]


def _ror_file(folder: Path) -> Path:
    path = folder / "ror-records.jsonl.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    return path


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> OrgResolver:
    folder = tmp_path_factory.mktemp("ror")
    con = db.connect(folder / "s.duckdb")
    ror_source.ingest(con, _ror_file(folder))
    index = RorIndex.from_store(con)
    con.close()
    assert index is not None
    return OrgResolver(ror=index)


def _ror_id(resolver: OrgResolver, org_id: str) -> str | None:
    assert resolver.ror is not None
    return resolver.ror.ror_of.get(org_id)


@pytest.mark.parametrize(("a", "b", "ror_id"), TWO_WAYS)
def test_one_institution_written_two_ways_is_one_organisation(
        resolver: OrgResolver, a: str, b: str, ror_id: str) -> None:
    ma, mb = resolver.resolve(a), resolver.resolve(b)
    assert ma and mb and ma[0].org_id == mb[0].org_id
    assert _ror_id(resolver, ma[0].org_id) == ror_id


def test_without_ror_the_two_ways_were_two_ids() -> None:
    plain = OrgResolver()

    def first(s: str) -> str:
        return plain.resolve(s)[0].org_id

    split = [a for a, b, _ in TWO_WAYS if first(a) != first(b)]
    # All but Nevada, where the long tail read both as "University of Nevada" (no campus).
    assert split == [a for a, _, _ in TWO_WAYS if a != "University of Nevada"]


def test_org_ids_are_english_slugs_and_stable(resolver: OrgResolver) -> None:
    assert resolver.resolve("Universidade Federal do Rio Grande do Sul")[0].org_id == \
        "federal-university-of-rio-grande-do-sul"
    assert resolver.resolve("Ruhr University Bochum")[0].org_id == "ruhr-university-bochum"
    # A curated organisation ROR knows keeps its curated id and gets the ROR id.
    assert resolver.curated_ror["google"] == "0tgfix018"
    assert resolver.resolve("Texas AM University")[0].org_id == "texas-a-and-m-university"
    assert resolver.curated_ror["texas-a-and-m-university"] == "0tgfix003"
    # Namesakes get their country in the id.
    assert resolver.ror is not None
    assert {resolver.ror.org_id["0tgfix015"], resolver.ror.org_id["0tgfix016"]} == {
        "university-of-georgia-us", "university-of-georgia-ge"}


def test_withdrawn_records_resolve_to_their_successor(resolver: OrgResolver) -> None:
    m = resolver.resolve("Lille University of Science and Technology, Villeneuve d'Ascq")
    assert m[0].org_id == "university-of-lille"


def test_namesakes_are_told_apart_by_country_and_city(resolver: OrgResolver) -> None:
    us = resolver.resolve("Dept. of Computer Science, University of Georgia",
                          aff_country="United States")
    ge = resolver.resolve("University of Georgia", aff_country="Georgia")
    city = resolver.resolve("University of Georgia, Athens, GA")
    assert [m.org_id for m in us][:1] == ["university-of-georgia-us"]
    assert [m.org_id for m in ge][:1] == ["university-of-georgia-ge"]
    assert [m.org_id for m in city][:1] == ["university-of-georgia-us"]
    # Nothing tells them apart: not guessed, the long-tail name stays.
    assert resolver.resolve("University of Georgia")[0].org_id == "university-of-georgia"


def test_acronyms_need_the_country_and_domains_give_the_organisation(
        resolver: OrgResolver) -> None:
    assert resolver.resolve("UFRGS, Porto Alegre, Brazil")[0].org_id == \
        "federal-university-of-rio-grande-do-sul"
    assert not any(m.org_id == "federal-university-of-rio-grande-do-sul"
                   for m in resolver.resolve("UFRGS"))
    by_mail = resolver.resolve(None, email_domain="inf.ufrgs.br")
    assert [(m.org_id, m.method) for m in by_mail] == [
        ("federal-university-of-rio-grande-do-sul", "ror_domain")]


def test_curated_names_stay_on_top(resolver: OrgResolver) -> None:
    # "Google Research" is a curated sub-lab, whatever ROR calls it.
    assert resolver.resolve("Google Research, Mountain View")[0].org_id == "google-research"
    assert resolver.resolve("Google")[0].org_id == "google"


# ------------------------------------------------------------------ the build stage


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    corpus = tmp_path_factory.mktemp("corpus")
    affs = [a for a, _, _ in TWO_WAYS] + [b for _, b, _ in TWO_WAYS] + [
        "Institute of Quantum Optics, Ulm, Germany", "Google"]
    write_corpus_file(corpus, "icml2020.json.gz", [{
        "id": f"r{i}", "title": f"Paper r{i}", "track": "main", "status": "Poster",
        "author": f"Au Thor{i}", "aff": aff} for i, aff in enumerate(affs)])
    folder = tmp_path_factory.mktemp("store")
    report = pipeline.build(folder / "s.duckdb", [corpus], stages=["orgs"],
                            ror=_ror_file(folder))
    assert report.stages["ror"]["organisations"] == 19
    con = duckdb.connect(str(folder / "s.duckdb"), read_only=True)
    yield con
    con.close()


def test_stage_no_ror_id_is_split_across_org_ids(built: duckdb.DuckDBPyConnection) -> None:
    assert built.execute("SELECT count(*) FROM (SELECT ror_id FROM orgs WHERE ror_id IS NOT "
                         "NULL GROUP BY 1 HAVING count(*) > 1)").fetchone()[0] == 0
    got = dict(built.execute("SELECT ror_id, count(DISTINCT mo.org_id) FROM mention_orgs mo "
                             "JOIN orgs USING (org_id) WHERE ror_id IS NOT NULL GROUP BY 1"
                             ).fetchall())
    assert {r for _, _, r in TWO_WAYS} <= set(got) and set(got.values()) == {1}


def test_stage_orgs_carry_ror_id_name_kind_and_hosts(built: duckdb.DuckDBPyConnection) -> None:
    row = built.execute("SELECT name, kind, country, ror_id, curated FROM orgs "
                        "WHERE org_id = 'federal-university-of-rio-grande-do-sul'").fetchone()
    assert row == ("Federal University of Rio Grande do Sul", "university", "BR", "0tgfix001",
                   False)
    assert built.execute("SELECT ror_id FROM orgs WHERE org_id = 'google'").fetchone() == (
        "0tgfix018",)
    # A facility ROR puts under a university is hosted by it; a university under a university
    # system is not (Binghamton under SUNY).
    assert built.execute("SELECT parent_id, top_parent_id, kind FROM orgs "
                         "WHERE org_id = 'institute-of-quantum-optics'").fetchone() == (
        "ulm-university", "ulm-university", "institute")
    assert built.execute("SELECT parent_id FROM orgs WHERE org_id = 'binghamton-university'"
                         ).fetchone() == (None,)
    aliases = {r[0] for r in built.execute(
        "SELECT alias FROM org_aliases WHERE org_id = 'university-of-klagenfurt' "
        "AND source = 'ror'").fetchall()}
    assert {"Alpen-Adria-Universität Klagenfurt", "Universität Klagenfurt", "AAU"} <= aliases


def test_cli_org_and_orgs_show_the_ror_id(built: duckdb.DuckDBPyConnection) -> None:
    from typer.testing import CliRunner

    from talentgraph.cli import app

    path = built.execute("SELECT path FROM duckdb_databases() WHERE NOT internal"
                         ).fetchone()[0]
    out = CliRunner().invoke(app, ["org", "ruhr-university-bochum", "--db", path])
    assert out.exit_code == 0, out.output
    assert "ROR https://ror.org/0tgfix002" in out.output
    listed = CliRunner().invoke(app, ["orgs", "Bochum", "--db", path, "--json"])
    assert '"ror_id": "0tgfix002"' in listed.output


def test_org_ids_do_not_depend_on_the_order_of_the_dump(tmp_path: Path,
                                                        resolver: OrgResolver) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    con = db.connect(tmp_path / "s.duckdb")
    ror_source.ingest(con, shuffled)
    index = RorIndex.from_store(con)
    con.close()
    assert index is not None and resolver.ror is not None
    again = OrgResolver(ror=index)
    assert index.org_id == resolver.ror.org_id
    assert again.curated_ror == resolver.curated_ror


def test_cli_build_reads_ror_from_the_option_or_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from talentgraph.cli import app

    corpus = tmp_path / "corpus"
    write_corpus_file(corpus, "icml2020.json.gz", [{
        "id": "r1", "title": "Paper r1", "track": "main", "status": "Poster",
        "author": "Au Thor", "aff": "Ruhr-Universität Bochum"}])
    dump = _ror_file(tmp_path)
    out = CliRunner().invoke(app, ["build", "--paperlists", str(corpus), "--db",
                                   str(tmp_path / "a.duckdb"), "--ror", str(dump)])
    assert out.exit_code == 0, out.output
    assert "ROR: 19 organisations" in " ".join(out.output.split())
    monkeypatch.setenv("TALENTGRAPH_ROR", str(dump))
    out = CliRunner().invoke(app, ["build", "--paperlists", str(corpus), "--db",
                                   str(tmp_path / "b.duckdb"), "--json"])
    assert out.exit_code == 0, out.output
    con = duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True)
    assert con.execute("SELECT org_id, ror_id FROM orgs WHERE n_mentions > 0").fetchall() == [
        ("ruhr-university-bochum", "0tgfix002")]
    con.close()
    # Without ROR (`--ror none`) the build still works, without ROR ids.
    out = CliRunner().invoke(app, ["build", "--paperlists", str(corpus), "--db",
                                   str(tmp_path / "c.duckdb"), "--ror", "none"])
    assert out.exit_code == 0, out.output
    con = duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True)
    assert con.execute("SELECT org_id, ror_id FROM orgs WHERE n_mentions > 0").fetchall() == [
        ("ruhr-universitat-bochum", None)]
    con.close()


def test_ror_ids_a_source_gave_name_the_organisation(resolver: OrgResolver) -> None:
    # OpenAlex gives the ROR ids of the institutions it matched (mentions.aff_ror).
    got = resolver.resolve("Dept. of Physics, Ruhr Uni", ror_ids="https://ror.org/0tgfix002")
    assert [(m.org_id, m.method) for m in got] == [("ruhr-university-bochum", "ror_id")]
    # A withdrawn id is its successor; a curated sub-lab named in the text stays on top.
    got = resolver.resolve("Lab X", ror_ids="https://ror.org/0tgfix014")
    assert [m.org_id for m in got] == ["university-of-lille"]
    got = resolver.resolve("Google Research", ror_ids="https://ror.org/0tgfix018")
    assert [m.org_id for m in got] == ["google-research"]
    # An unknown or malformed id changes nothing.
    assert resolver.resolve("Ruhr University Bochum", ror_ids="https://ror.org/0zzzzzz99 + x"
                            )[0].org_id == "ruhr-university-bochum"


def test_a_ror_name_beside_a_curated_umbrella_is_read_by_ror(resolver: OrgResolver) -> None:
    # CNRS co-signs French units: the host university was a long-tail name ("university-lille"
    # beside "university-of-lille": one ROR record under two ids in the store).
    got = resolver.resolve("CRIStAL, University Lille, CNRS, Centrale Lille, UMR 9189")
    assert got[0].org_id == "university-of-lille"
    assert resolver.resolve(None, aff_norm="Université de Lille")[0].org_id == \
        "university-of-lille"
