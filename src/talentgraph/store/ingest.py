"""Writing parsed source units into the store: one unit per transaction, idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from talentgraph.sources.model import RECORD, ParsedUnit

PROBLEM_COLUMNS = ("source_file", "level", "record_index", "record_id", "field", "reason",
                   "excerpt")


@dataclass(slots=True)
class UnitResult:
    source_file: str
    outcome: str  # ingested | replaced | unchanged
    papers: int
    mentions: int
    records_dropped: int
    problems: int


def stored_sha(con: duckdb.DuckDBPyConnection, source_file: str) -> str | None:
    row = con.execute("SELECT sha256 FROM sources WHERE source_file = ?", [source_file]).fetchone()
    return row[0] if row else None


def _arrow(rows: list[dict]) -> pa.Table:
    if not rows:
        return pa.table({})
    return pa.table({k: [r[k] for r in rows] for k in rows[0]})


def write_unit(con: duckdb.DuckDBPyConnection, unit: ParsedUnit, force: bool = False) -> UnitResult:
    """Store one parsed unit atomically, replacing what an earlier version of it stored.

    A unit whose bytes are unchanged since the last ingest is skipped, so re-running an ingest
    changes nothing. Either every row of the unit is written or none is: a crash mid-unit leaves
    the store as it was before the unit.
    """
    dropped = sum(1 for p in unit.problems if p.level == RECORD)
    previous = stored_sha(con, unit.source_file)
    if previous == unit.sha256 and not force:
        return UnitResult(unit.source_file, "unchanged", len(unit.papers), len(unit.mentions),
                          dropped, len(unit.problems))
    now = datetime.now(UTC)
    papers = _arrow(unit.papers)
    mentions = _arrow(unit.mentions)
    problems = pa.table({
        **{c: [getattr(p, c) for p in unit.problems] for c in PROBLEM_COLUMNS},
        "ingested_at": [now] * len(unit.problems),
    }) if unit.problems else None
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("mentions", "papers", "quarantine", "sources"):
            con.execute(f"DELETE FROM {table} WHERE source_file = ?", [unit.source_file])
        if unit.papers:
            con.register("_tg_papers", papers)
            con.execute("INSERT INTO papers BY NAME SELECT * FROM _tg_papers")
            con.unregister("_tg_papers")
        if unit.mentions:
            con.register("_tg_mentions", mentions)
            con.execute("INSERT INTO mentions BY NAME SELECT * FROM _tg_mentions")
            con.unregister("_tg_mentions")
        if problems is not None:
            con.register("_tg_problems", problems)
            con.execute("INSERT INTO quarantine BY NAME SELECT * FROM _tg_problems")
            con.unregister("_tg_problems")
        con.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [unit.source_file, unit.kind, unit.path, unit.venue, unit.year, unit.family,
             unit.sha256, unit.size_bytes, unit.records_read, len(unit.papers),
             len(unit.mentions), len(unit.problems), unit.status, now],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return UnitResult(unit.source_file, "replaced" if previous else "ingested",
                      len(unit.papers), len(unit.mentions), dropped, len(unit.problems))
