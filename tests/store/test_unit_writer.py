"""The one unit writer: whole units and batched units go through the same steps, all-or-nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from talentgraph.sources.model import FIELD, RECORD, ParsedUnit, Problem
from talentgraph.store.ingest import UnitWriter, write_unit

WHEN = datetime(2025, 1, 1, tzinfo=UTC)


def paper(unit: str, rid: str, title: str | None = "A title") -> dict:
    return {"paper_id": f"t/{rid}", "source_file": unit, "record_id": rid, "record_index": 0,
            "title": title, "ingested_at": WHEN}


def mention(unit: str, rid: str, position: int = 0) -> dict:
    return {"paper_id": f"t/{rid}", "position": position, "raw_name": f"Author {position}",
            "aff_aligned": False, "source_file": unit, "record_id": rid, "ingested_at": WHEN}


def unit(name: str, rids: list[str], sha: str = "s1") -> ParsedUnit:
    u = ParsedUnit(name, f"/data/{name}", "test", None, None, sha, 10, records_read=len(rids) + 1)
    u.papers = [paper(name, r) for r in rids]
    u.mentions = [mention(name, r, k) for r in rids for k in range(2)]
    u.problems = [Problem(RECORD, name, len(rids), None, "title", "record has no title"),
                  Problem(FIELD, name, 0, rids[0] if rids else None, "year", "not a year")]
    return u


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * EXCLUDE (ingested_at) FROM {t} ORDER BY ALL").fetchall()
            for t in ("sources", "papers", "mentions", "quarantine")}


def test_write_unit_stores_every_row_and_the_sources_row(store: duckdb.DuckDBPyConnection) -> None:
    result = write_unit(store, unit("u1", ["a", "b"]))
    assert (result.outcome, result.papers, result.mentions, result.records_dropped,
            result.problems) == ("ingested", 2, 4, 1, 2)
    assert store.execute("SELECT papers, mentions, problems, records_read, sha256 FROM sources"
                         ).fetchall() == [(2, 4, 2, 3, "s1")]
    assert store.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 2


def test_unchanged_unit_is_skipped_and_force_rewrites(store: duckdb.DuckDBPyConnection) -> None:
    write_unit(store, unit("u1", ["a", "b"]))
    before = snapshot(store)
    assert write_unit(store, unit("u1", ["a", "b"])).outcome == "unchanged"
    assert snapshot(store) == before
    assert write_unit(store, unit("u1", ["a", "b"]), force=True).outcome == "replaced"
    assert snapshot(store) == before


def test_changed_unit_replaces_only_its_own_rows(store: duckdb.DuckDBPyConnection) -> None:
    write_unit(store, unit("u1", ["a", "b"]))
    write_unit(store, unit("u2", ["c"]))
    assert write_unit(store, unit("u1", ["a"], sha="s2")).outcome == "replaced"
    assert store.execute("SELECT paper_id FROM papers ORDER BY 1").fetchall() == [
        ("t/a",), ("t/c",)]
    assert store.execute("SELECT source_file, papers FROM sources ORDER BY 1").fetchall() == [
        ("u1", 1), ("u2", 1)]


def test_batches_give_the_same_rows_as_one_unit(tmp_path) -> None:  # noqa: ANN001
    from talentgraph.store import db

    whole, batched = db.connect(tmp_path / "w.duckdb"), db.connect(tmp_path / "b.duckdb")
    try:
        u = unit("u1", ["a", "b", "c"])
        write_unit(whole, u)
        with UnitWriter(batched, "u1") as writer:
            for i in range(3):
                writer.add(u.papers[i:i + 1], u.mentions[2 * i:2 * i + 2], u.problems[i:i + 1])
            result = writer.finish(u)
        assert (result.papers, result.mentions, result.problems) == (3, 6, 2)
        assert snapshot(whole) == snapshot(batched)
    finally:
        whole.close()
        batched.close()


def test_a_failing_batch_leaves_the_earlier_version(store: duckdb.DuckDBPyConnection) -> None:
    write_unit(store, unit("u1", ["a"]))
    before = snapshot(store)
    new = unit("u1", ["x", "y"], sha="s2")
    with pytest.raises(duckdb.ConstraintException), UnitWriter(store, "u1") as writer:
        writer.add(new.papers, new.mentions, [])
        writer.add([paper("u1", "z", title=None)], [], [])  # title is NOT NULL
    assert snapshot(store) == before
    with pytest.raises(duckdb.ConstraintException):
        write_unit(store, ParsedUnit("u1", "/d", "test", None, None, "s3", 1,
                                     papers=[paper("u1", "z", title=None)]))
    assert snapshot(store) == before


def test_leaving_without_finish_or_as_unchanged_rolls_back(
        store: duckdb.DuckDBPyConnection) -> None:
    write_unit(store, unit("u1", ["a"]))
    before = snapshot(store)
    new = unit("u1", ["x"], sha="s2")
    with UnitWriter(store, "u1") as writer:
        writer.add(new.papers, new.mentions, new.problems)
    assert snapshot(store) == before
    with UnitWriter(store, "u1") as writer:
        assert writer.previous == "s1"
        writer.add(new.papers, new.mentions, new.problems)
        result = writer.unchanged()
    assert (result.outcome, result.papers) == ("unchanged", 1)
    assert snapshot(store) == before
