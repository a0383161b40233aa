"""The `index` stage: DuckDB FTS from the PyPI package, per-paper impact, per-person evidence."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sourcing_world import make_store

from talentgraph import pipeline
from talentgraph.errors import StoreError
from talentgraph.sourcing import fts, rank
from talentgraph.sourcing.index import build_index, erase_from_index, role_class
from talentgraph.store import db


def test_fts_extension_loads_from_the_installed_package() -> None:
    path = fts.extension_path()
    assert path.name == "fts.duckdb_extension" and path.is_file()
    assert "duckdb_extension_fts" in path.parts
    con = duckdb.connect()
    fts.load(con)
    fts.load(con)  # twice is harmless
    assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone()[0] \
        is False
    assert con.execute("SELECT stem('learning', 'porter')").fetchone()[0] == "learn"


def test_index_covers_every_paper_and_matches_by_stem(con: duckdb.DuckDBPyConnection) -> None:
    fts.load(con)
    assert con.execute("SELECT count(*) FROM sourcing_docs").fetchone()[0] == 7
    hits = dict(con.execute("""
        SELECT paper_id, score FROM (SELECT paper_id,
            fts_main_sourcing_docs.match_bm25(paper_id, 'graph network') AS score
            FROM sourcing_docs) WHERE score IS NOT NULL""").fetchall())
    # "network" matches "networks" (Porter stemmer); both graph papers, nothing else
    assert set(hits) == {"corl2021/p4", "corl2022/p5"}
    kw = con.execute("""SELECT paper_id FROM (SELECT paper_id,
            fts_main_sourcing_docs.match_bm25(paper_id, 'RLHF') AS s FROM sourcing_docs)
            WHERE s IS NOT NULL""").fetchall()
    assert kw == [("corl2023/p3",)]  # found through its keywords (and abstract)


@pytest.mark.parametrize("query", ["graph network", "RLHF", "reinforcement learning from human "
                                   "feedback", "human feedback diffusion learning", "the of and",
                                   "Zebra-crossing, photosynthesis!", "learning learning"])
def test_bm25_from_the_postings_equals_the_fts_macro(con: duckdb.DuckDBPyConnection,
                                                     query: str) -> None:
    """The search's BM25 (the query's postings) gives `match_bm25`'s scores, up to the order in
    which the macro adds its terms' scores (which varies with DuckDB's threads)."""
    fts.load(con)
    macro = dict(con.execute("""
        SELECT docid, score FROM (SELECT docid, fts_main_sourcing_docs.match_bm25(name, $q)
                                  AS score FROM fts_main_sourcing_docs.docs)
        WHERE score IS NOT NULL""", {"q": query}).fetchall())
    for have_postings in (True, False):
        ours = dict(con.execute(fts.bm25_sql(con, query, have_postings),
                                {"q": query}).fetchall())
        assert ours.keys() == macro.keys(), have_postings
        for docid, score in macro.items():
            assert ours[docid] == pytest.approx(score, rel=1e-12, abs=0), (have_postings, docid)


def _stemmed(con: duckdb.DuckDBPyConnection, query: str) -> list[int]:
    """The query's terms as the FTS extension stems them (what `sourcing_words` stands for)."""
    fts.load(con)
    return [r[0] for r in con.execute("""
        SELECT DISTINCT termid FROM fts_main_sourcing_docs.dict
        WHERE term IN (SELECT stem(unnest(fts_main_sourcing_docs.tokenize($q)), 'porter'))
        ORDER BY 1""", {"q": query}).fetchall()]


@pytest.mark.parametrize("query", ["graph networks", "Graph Networks!", "the of and",
                                   "reinforcement learning from human feedback",
                                   "graph network", "zebra photosynthesis"])
def test_a_querys_terms_from_the_word_table_are_the_stemmers(store_path: Path,
                                                             query: str) -> None:
    """Words of the corpus are looked up in `sourcing_words` without the FTS extension; a query
    with a word the corpus lacks ("network" stems to a term of "networks"; "zebra") is stemmed
    by the extension. Both give the terms the extension gives."""
    con = duckdb.connect(str(store_path), read_only=True)  # a fresh one: nothing loaded yet
    try:
        sql = fts.terms_sql(con, query)
        ours = [r[0] for r in con.execute(f"SELECT termid FROM ({sql}) ORDER BY 1",
                                          {"q": query}).fetchall()]
        known = query not in ("graph network", "zebra photosynthesis")
        loaded = con.execute("SELECT loaded FROM duckdb_extensions() "
                             "WHERE extension_name = 'fts'").fetchone()[0]
        assert loaded is not known, "the extension loads only for a word the corpus lacks"
        assert ours == _stemmed(con, query)
    finally:
        con.close()


def test_the_word_table_holds_every_indexed_word_with_its_stems_term(
        con: duckdb.DuckDBPyConnection) -> None:
    fts.load(con)
    words = dict(con.execute("SELECT word, termid FROM sourcing_words").fetchall())
    assert {"graph", "networks", "learning", "the"} <= words.keys()
    term = dict(con.execute("SELECT term, termid FROM fts_main_sourcing_docs.dict").fetchall())
    for word, termid in words.items():
        stem = con.execute("SELECT stem(?, 'porter')", [word]).fetchone()[0]
        assert termid == term.get(stem), word
    assert words["the"] is None  # a stopword: not in the index


def test_paper_impact_and_people_evidence(con: duckdb.DuckDBPyConnection) -> None:
    papers = dict(con.execute("SELECT paper_id, decision FROM sourcing_papers").fetchall())
    assert papers["corl2021/p1"] == "oral" and papers["corl2023/p3"] == "spotlight"
    impact = dict(con.execute("SELECT paper_id, impact FROM sourcing_papers").fetchall())
    assert impact["corl2021/p1"] > impact["corl2021/p4"]  # oral, more cited, better reviewed
    p = {r[0]: r[1:] for r in con.execute(
        "SELECT person_id, n_papers, n_first, n_last, n_orals, coauthors, role_class, stage, "
        "where_source, current_orgs FROM sourcing_people").fetchall()}
    assert p["P~Alice_Adams1"] == (3, 3, 0, 1, 3, "researcher", "mid", "careers", ["Lab A"])
    assert p["P~Bob_Brown1"][2] == 2  # last author twice
    assert p["P~Carol_Chen1"][5:7] == ("phd", "early")
    # no careers spell for Erin: whereabouts from the latest attributed affiliation, flagged
    assert p["P~Erin_Evans1"][7:] == ("latest_affiliation", ["Uni D"])


@pytest.mark.parametrize("role,cls", [
    ("Assistant Professor", "professor"), ("PhD student", "phd"),
    ("Senior Research Scientist", "senior"), ("Principal Researcher", "senior"),
    ("Research Scientist", "researcher"), ("Postdoc", "researcher"),
    ("MS student", "student"), ("Undergrad student", "student"), ("Researcher+PhD student", "phd"),
    ("", None), (None, None), ("Barista", "other"),
])
def test_role_classes(role: str | None, cls: str | None) -> None:
    assert role_class(role) == cls


def test_max_year_indexes_only_older_records(tmp_path: Path) -> None:
    path = make_store(tmp_path)
    con = duckdb.connect(str(path))
    build_index(con, max_year=2022)
    assert con.execute("SELECT max(year), count(*) FROM sourcing_docs").fetchone() == (2022, 4)
    assert con.execute("SELECT value FROM sourcing_meta WHERE key = 'ref_year'").fetchone()[0] \
        == "2022"
    names = {p.name for p in rank.search(con, "human feedback").people}
    assert "Gus Green" not in names  # his only paper is from 2023


def test_erase_removes_a_person_and_survives_a_rebuild(tmp_path: Path) -> None:
    path = make_store(tmp_path)
    con = duckdb.connect(str(path))
    removed = erase_from_index(con, "P~Alice_Adams1")
    assert removed["sourcing_people"] == 1 and removed["sourcing_authorship"] == 3
    assert "P~Alice_Adams1" not in {p.person_id for p in rank.search(con, "human feedback").people}
    build_index(con)
    assert "P~Alice_Adams1" not in {p.person_id for p in rank.search(con, "human feedback").people}
    # her papers stay searchable: they are public records of several authors
    assert "Bob Brown" in {p.name for p in rank.search(con, "human feedback").people}


def test_index_without_people_builds_papers_only_and_search_says_why(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "s.duckdb")
    from sourcing_world import write_corpus

    from talentgraph.sources import paperlists

    paperlists.ingest(con, [write_corpus(tmp_path / "c")])
    result = build_index(con)
    assert result["people"] == 0 and result["documents"] == 7
    with pytest.raises(StoreError, match="people stage"):
        rank.search(con, "human feedback")


def test_search_without_index_gives_a_way_out(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "empty.duckdb")
    with pytest.raises(StoreError, match="talentgraph build"):
        rank.search(con, "anything")


def test_index_stage_is_registered_last() -> None:
    names = [spec.name for spec in pipeline.stage_specs()]
    assert names[-1] == "index"


def test_erasure_hook_is_a_default_hook_and_erases(store_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from talentgraph.ops import erasure as ops_erasure
    from talentgraph.sourcing import erasure

    assert [(h.target, h.run) for h in ops_erasure.default_hooks()] == [
        ("analytical_store", erasure.erase_hook)]
    monkeypatch.setenv("TALENTGRAPH_DB", str(store_path))
    request = ops_erasure.ErasureRequest(1, "P~Bob_Brown1", "Bob Brown", None)
    done = erasure.erase_hook(request)
    assert done.pop("suppressed") >= 1  # on the store's suppression list
    assert done == {"sourcing_author_keys": 2, "sourcing_authorship": 2,
                    "sourcing_people": 1, "sourcing_person_static": 1}
    assert erasure.erase_hook(ops_erasure.ErasureRequest(2, None, None, None)) == {}
    con = duckdb.connect(str(store_path), read_only=True)
    assert "P~Bob_Brown1" not in {p.person_id for p in rank.search(con, "human feedback").people}
