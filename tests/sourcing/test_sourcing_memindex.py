"""The in-memory search gives the SQL search's answer: the same people, places, scores (up to
floating-point summation order), reasons and papers, with and without filters."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pytest

from talentgraph.errors import OpsInputError
from talentgraph.sourcing import model
from talentgraph.sourcing.memindex import MemoryIndex
from talentgraph.sourcing.rank import Filters, search

RLHF = "reinforcement learning from human feedback"
CASES = [
    (RLHF, Filters()), ("human feedback", Filters()), ("diffusion", Filters()),
    (RLHF, Filters(at=["Lab A"])), (RLHF, Filters(not_at=["Lab A"])),
    (RLHF, Filters(at=["uni"])), (RLHF, Filters(country="GB")),
    (RLHF, Filters(country="United Kingdom", role="phd")), (RLHF, Filters(role="professor")),
    (RLHF, Filters(since=2023)), ("learning", Filters(since=2022, not_at=["Lab A", "uni"])),
    ("zebra crossing photosynthesis", Filters()), ("the of and", Filters()),
]


def same(a: Any, b: Any, path: str = "") -> None:
    """Equal, floats to 1e-9 relative (sums in another order differ in the last bits)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), path
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b and type(a) is type(b), (path, a, b)


@pytest.fixture
def engine(con: duckdb.DuckDBPyConnection) -> MemoryIndex:
    return MemoryIndex.load(con)


@pytest.mark.parametrize("query,filters", CASES)
def test_memory_search_equals_sql_search(con: duckdb.DuckDBPyConnection, engine: MemoryIndex,
                                         query: str, filters: Filters) -> None:
    for limit, top in ((20, 3), (2, 1)):
        sql = search(con, query, filters, limit=limit, top_papers=top).to_dict()
        mem = search(con, query, filters, limit=limit, top_papers=top, engine=engine).to_dict()
        same(sql, mem)
    # twice: the cached terms and filter masks give the same answer
    same(search(con, query, filters).to_dict(),
         search(con, query, filters, engine=engine).to_dict())


def test_best_k_papers_cut_and_ties_as_in_sql(con: duckdb.DuckDBPyConnection,
                                              engine: MemoryIndex,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for k in (1, 2, 3, 5):
        monkeypatch.setattr(model, "TOP_K_PAPERS", k)
        monkeypatch.setattr(model, "TOP_K_FILTERED", k + 1)
        for query, filters in CASES[:6]:
            same(search(con, query, filters).to_dict(),
                 search(con, query, filters, engine=engine).to_dict())


def test_reasons_are_there(con: duckdb.DuckDBPyConnection, engine: MemoryIndex) -> None:
    top = search(con, RLHF, engine=engine).people[0]
    assert [c.name for c in top.components] == list(model.WEIGHTS)
    assert all(c.evidence for c in top.components)
    assert math.isclose(sum(c.points for c in top.components), top.score)
    assert top.top_papers and top.top_papers[0]["title"]


def test_bad_input_is_refused_the_same_way(con: duckdb.DuckDBPyConnection,
                                           engine: MemoryIndex) -> None:
    with pytest.raises(OpsInputError, match="--role"):
        search(con, "rl", Filters(role="intern"), engine=engine)
    with pytest.raises(OpsInputError, match="empty organisation"):
        search(con, "rl", Filters(at=[" "]), engine=engine)


def test_rank_of_still_uses_sql(con: duckdb.DuckDBPyConnection, engine: MemoryIndex) -> None:
    one = search(con, RLHF, rank_of="P~Carol_Chen1", engine=engine)
    assert [p.person_id for p in one.people] == ["P~Carol_Chen1"]


def test_a_store_without_the_postings_table_loads_the_same(store_path) -> None:
    with duckdb.connect(str(store_path)) as rw:
        stored = rw.execute("SELECT count(*) FROM sourcing_postings").fetchone()[0]
        assert stored > 0
        rw.execute("DROP TABLE sourcing_postings")  # as built before the table existed
    with duckdb.connect(str(store_path), read_only=True) as con:
        engine = MemoryIndex.load(con)
        assert int(engine.t_ptr[-1]) == stored
        same(search(con, RLHF).to_dict(), search(con, RLHF, engine=engine).to_dict())


def test_result_dicts_equal_dataclasses_asdict(con: duckdb.DuckDBPyConnection,
                                               engine: MemoryIndex) -> None:
    from dataclasses import asdict

    for query, filters in CASES:
        result = search(con, query, filters, engine=engine)
        assert result.to_dict() == asdict(result)
        for p in result.people:
            assert p.to_dict() == asdict(p)


def test_query_expansion_learns_related_terms_from_the_corpus(
        con: duckdb.DuckDBPyConnection) -> None:
    engine = MemoryIndex.load(con)
    terms = engine.expansion_terms(con, "human feedback", min_docs=2)
    words = {r[0] for r in con.execute(
        "SELECT term FROM fts_main_sourcing_docs.dict WHERE list_contains($t, termid)",
        {"t": terms.tolist()}).fetchall()}
    # the papers on human feedback speak of preferences; the query's own terms are not added
    assert "prefer" in words and not {"human", "feedback"} & words
    plain = engine.hits(con, "human feedback")
    wide = engine.hits(con, "human feedback", expand=0.5)
    assert set(plain.doc) <= set(wide.doc)
    base = dict(zip(plain.doc.tolist(), plain.bm25.tolist(), strict=True))
    assert all(s >= base[d] - 1e-12 for d, s in zip(wide.doc.tolist(), wide.bm25.tolist(),
                                                     strict=True) if d in base)
