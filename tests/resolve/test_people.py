"""People resolution on a tiny hand-made corpus: strong ids, common names, name variants,
big papers, stable ids across rebuilds, the mentions export and `talentgraph person`."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from corpus_helpers import write_corpus_file
from talentgraph import pipeline
from talentgraph.cli import app


def _or(rid: str, title: str, authors: list[tuple[str, str, str]], kw: str = "") -> dict:
    """An OpenReview record (family B); authors are (name, profile id or e-mail, affiliation)."""
    return {"id": rid, "title": title, "track": "main", "status": "Poster", "keywords": kw,
            "author": ";".join(a[0] for a in authors),
            "authorids": ";".join(a[1] for a in authors),
            "aff": ";".join(a[2] for a in authors),
            "aff_domain": ";".join({"Tsinghua University": "tsinghua.edu.cn",
                                    "MIT": "mit.edu", "Adobe": "adobe.com"}.get(a[2], "")
                                   for a in authors),
            "position": ";".join("Researcher" for _ in authors)}


def _proc(rid: str, title: str, authors: list[tuple[str, str]]) -> dict:
    """A proceedings record (family C): names and per-author affiliations, no person ids."""
    return {"id": rid, "title": title, "track": "main", "status": "Poster",
            "author": "; ".join(a[0] for a in authors),
            "aff": "; ".join(a[1] for a in authors), "author_num": len(authors)}


WANG1 = ("Wei Wang", "~Wei_Wang1", "Tsinghua University")
WANG2 = ("Wei Wang", "~Wei_Wang2", "MIT")
WANG3 = ("Wei Wang", "~Wei_Wang3", "Adobe")
LIN = ("Hui Lin", "~Hui_Lin1", "Tsinghua University")
ROSS = ("Tanya Rossiter", "~Tanya_Rossiter1", "MIT")
ZHU = ("Jun-Yan Zhu", "~Jun-Yan_Zhu1", "Adobe")
ELLA = ("Ella Mbeki", "~Ella_Mbeki1", "Adobe")


def _base_corpus(folder: Path) -> None:
    write_corpus_file(folder, "nips2021.json.gz", [
        _or("n1", "Spectral graph sparsifiers for federated optimisation", [WANG1, LIN],
            "graph sparsification;federated"),
        _or("n2", "Quantum annealing schedules for protein docking", [WANG2, ROSS],
            "quantum annealing;docking"),
        _or("n3", "Sketch-guided image synthesis with diffusion", [ZHU, ELLA, WANG3],
            "image synthesis;sketch"),
    ])
    write_corpus_file(folder, "icml2023.json.gz", [
        _or("m1", "Communication-efficient sparsifiers for federated graphs", [WANG1, LIN],
            "graph sparsification"),
        _or("m2", "Annealing-based docking of flexible proteins", [WANG2, ROSS],
            "quantum annealing"),
        _or("m3", "Mononym authors", [("Madonna", "madonna@example.org", "")]),
    ])
    # proceedings without ids: names, affiliations, coauthors
    write_corpus_file(folder, "icml2019.json.gz", [
        _proc("p1", "Federated sparsifiers revisited",
              [("Wei Wang", "Tsinghua University"), ("Hui Lin", "Tsinghua University")]),
        _proc("p2", "Protein docking by quantum annealing",
              [("Wei Wang", "MIT"), ("Tanya Rossiter", "MIT")]),
        _proc("p3", "Interactive sketch-based image synthesis",
              [("J.-Y. Zhu", "Adobe Research"), ("Ella Mbeki", "Adobe Research")]),
        # same family name and initial as ~Wei_Wang1, same lab, coauthor and topic: a student
        _proc("p5", "Federated graph sparsifiers at scale",
              [("Wen Wang", "Tsinghua University"), ("Hui Lin", "Tsinghua University")]),
        _proc("p4", "A very large collaboration",
              [(f"{g} {f}", "CERN") for g in ("Ann", "Bo", "Cy", "Di", "Ed", "Fa", "Gil",
                                             "Hu", "Ida", "Jo", "Ki", "Lu", "Mo", "Ny", "Olu",
                                             "Pa", "Qi", "Ra", "Su", "Tor")
               for f in ("Lee", "Chen", "Diaz", "Wu", "Fox", "Gu", "Ho", "Kim", "Ma", "Ng")]),
    ])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("people_corpus")
    _base_corpus(folder)
    return folder


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("people_store") / "store.duckdb"
    report = pipeline.build(db, [corpus], stages=["orgs", "people"])
    assert report.stages["people"]["persons"] > 0
    return db


def _person_of(con: duckdb.DuckDBPyConnection, record_id: str, position: int) -> str:
    return con.execute("""
        SELECT mp.person_id FROM mention_person mp JOIN mentions m USING (paper_id, position)
         WHERE m.record_id = ? AND m.position = ?""", [record_id, position]).fetchone()[0]


def test_every_mention_gets_exactly_one_person(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    n_mentions = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
    rows = con.execute("SELECT count(*), count(DISTINCT (paper_id, position)), "
                       "count(person_id) FROM mention_person").fetchone()
    assert rows == (n_mentions, n_mentions, n_mentions)
    cols = {r[0] for r in con.execute("DESCRIBE persons").fetchall()}
    assert cols >= {"person_id", "canonical_name", "name_variants", "openreview_ids", "orcids",
                    "dblp_ids", "n_mentions", "first_year", "last_year"}
    con.close()


def test_three_wei_wangs_stay_three_people(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    ids = con.execute("""SELECT person_id, openreview_ids FROM persons
                          WHERE canonical_name = 'Wei Wang' AND len(openreview_ids) > 0
                          ORDER BY openreview_ids""").fetchall()
    assert [r[1] for r in ids] == [["~Wei_Wang1"], ["~Wei_Wang2"], ["~Wei_Wang3"]]
    assert con.execute("SELECT max(len(openreview_ids)) FROM persons").fetchone()[0] == 1
    con.close()


def test_mentions_without_ids_join_the_right_namesake(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    # p1 Wei Wang shares Tsinghua and coauthor Hui Lin with ~Wei_Wang1, p2 MIT + Rossiter
    assert _person_of(con, "p1", 0) == _person_of(con, "n1", 0)
    assert _person_of(con, "p2", 0) == _person_of(con, "n2", 0)
    assert _person_of(con, "p1", 0) != _person_of(con, "p2", 0)
    # ids link across venue-years for sure
    assert _person_of(con, "n1", 0) == _person_of(con, "m1", 0)
    method, confidence, evidence = con.execute("""
        SELECT mp.method, mp.confidence, mp.evidence FROM mention_person mp JOIN mentions m
         USING (paper_id, position) WHERE m.record_id = 'p1' AND m.position = 0""").fetchone()
    assert method == "model" and 0.6 <= confidence <= 1.0
    # the evidence names every comparison with its weight; shared coauthor and org count for it
    parts = dict(p.split(" ") for p in evidence.split("; "))
    assert set(parts) == {"name", "coauthors", "orgs", "topic", "years"}
    assert float(parts["coauthors"]) > 0 and float(parts["orgs"]) > 0
    assert con.execute("""SELECT DISTINCT evidence FROM mention_person mp JOIN mentions m
        USING (paper_id, position) WHERE m.record_id = 'm1' AND m.position = 0""").fetchall() \
        == [("shares a strong id (or)",)]
    con.close()


def test_shared_evidence_never_merges_different_given_names(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    assert _person_of(con, "p5", 0) != _person_of(con, "n1", 0)
    con.close()


def test_initials_join_the_full_name_with_shared_evidence(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    assert _person_of(con, "p3", 0) == _person_of(con, "n3", 0)
    variants = con.execute("SELECT name_variants FROM persons WHERE list_contains("
                           "openreview_ids, '~Jun-Yan_Zhu1')").fetchone()[0]
    assert set(variants) == {"J.-Y. Zhu", "Jun-Yan Zhu"}
    con.close()


def test_two_hundred_authors_are_two_hundred_people(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    n, distinct = con.execute("""SELECT count(*), count(DISTINCT mp.person_id)
        FROM mention_person mp JOIN mentions m USING (paper_id, position)
        WHERE m.record_id = 'p4'""").fetchone()
    assert n == distinct == 200
    con.close()


def test_single_word_name_is_a_person(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    assert con.execute("SELECT n_mentions FROM persons WHERE canonical_name = 'Madonna'"
                       ).fetchone() == (1,)
    con.close()


def test_person_ids_survive_a_rebuild_with_more_data(corpus: Path, built: Path,
                                                      tmp_path: Path) -> None:
    before = duckdb.connect(str(built), read_only=True)
    old = dict(before.execute("""SELECT m.paper_id || '#' || m.position, mp.person_id
        FROM mention_person mp JOIN mentions m USING (paper_id, position)""").fetchall())
    before.close()
    db = tmp_path / "store.duckdb"
    shutil.copyfile(built, db)
    bigger = tmp_path / "corpus"
    shutil.copytree(corpus, bigger)
    write_corpus_file(bigger, "iclr2021.json.gz", [
        # an earlier paper of ~Wei_Wang2 (changes the earliest mention of that person)
        _or("e1", "Docking proteins with annealers", [WANG2, ROSS], "quantum annealing"),
        # a newcomer
        _or("e2", "Something new", [("Zora Quist", "~Zora_Quist1", "MIT")]),
    ])
    pipeline.build(db, [bigger], stages=["orgs", "people"])
    after = duckdb.connect(str(db), read_only=True)
    new = dict(after.execute("""SELECT m.paper_id || '#' || m.position, mp.person_id
        FROM mention_person mp JOIN mentions m USING (paper_id, position)""").fetchall())
    assert all(new[k] == v for k, v in old.items())
    assert new["iclr2021/e1#0"] == old["nips2021/n2#0"]
    assert new["iclr2021/e2#0"] not in set(old.values())
    after.close()


def test_export_mentions_contract(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "mentions.csv"
    result = CliRunner().invoke(app, ["export", "mentions", "--db", str(built), "--out",
                                      str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["source_file", "record_id", "position", "raw_name",
                                     "person_id", "org_id", "year"]
        rows = list(reader)
    con = duckdb.connect(str(built), read_only=True)
    assert len(rows) == con.execute("SELECT count(*) FROM mentions").fetchone()[0]
    con.close()
    assert all(r["person_id"] for r in rows)
    first = next(r for r in rows if r["record_id"] == "n1" and r["position"] == "0")
    assert first["source_file"] == "nips2021.json.gz" and first["year"] == "2021"
    assert first["raw_name"] == "Wei Wang" and first["org_id"]


def test_person_command_lists_namesakes_with_mentions_and_orgs(built: Path) -> None:
    result = CliRunner().invoke(app, ["person", "Wei Wang", "--db", str(built), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert len(found) >= 3
    by_or = {tuple(p["openreview_ids"]): p for p in found}
    mit = by_or[("~Wei_Wang2",)]
    assert {m["title"] for m in mit["mentions"]} >= {"Quantum annealing schedules for protein "
                                                     "docking", "Protein docking by quantum "
                                                     "annealing"}
    assert mit["organisations"]
    by_id = CliRunner().invoke(app, ["person", mit["person_id"], "--db", str(built), "--json"])
    assert json.loads(by_id.stdout)[0]["person_id"] == mit["person_id"]


def test_person_command_unknown_name_is_a_clear_error(built: Path) -> None:
    result = CliRunner().invoke(app, ["person", "Nobody Atall", "--db", str(built)])
    assert result.exit_code != 0
    assert "no person matches" in str(result.exception) + result.output
