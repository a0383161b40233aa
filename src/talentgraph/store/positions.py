"""Writing a unit of positions into the store: one transaction, idempotent (like ingest.py).

Delete what an earlier version of the unit stored (positions, quarantine rows, the unit row),
insert the new rows, write the unit row last, commit. A unit whose bytes are unchanged is
skipped. A crash before the commit leaves the store as it was before the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from talentgraph.sources.model import RECORD
from talentgraph.sources.positions.model import PositionUnit
from talentgraph.store.ingest import PROBLEM_COLUMNS

POSITION_COLUMNS = (
    ("position_id", pa.string()), ("unit", pa.string()), ("source", pa.string()),
    ("record_index", pa.int32()), ("person_name", pa.string()), ("name_key", pa.string()),
    ("orcid", pa.string()), ("openreview_id", pa.string()), ("dblp", pa.string()),
    ("google_scholar", pa.string()), ("openalex_id", pa.string()), ("org_raw", pa.string()),
    ("org_domain", pa.string()), ("org_ror", pa.string()), ("title", pa.string()),
    ("employment_type", pa.string()), ("start_date", pa.date32()),
    ("start_precision", pa.string()), ("end_date", pa.date32()), ("end_precision", pa.string()),
    ("seen_date", pa.date32()), ("url", pa.string()))


@dataclass(slots=True)
class PositionsResult:
    unit: str
    outcome: str  # ingested | replaced | unchanged
    positions: int
    records_dropped: int
    problems: int


def _stored_sha(con: duckdb.DuckDBPyConnection, unit: str) -> str | None:
    row = con.execute("SELECT sha256 FROM position_units WHERE unit = ?", [unit]).fetchone()
    return row[0] if row else None


def write_positions(con: duckdb.DuckDBPyConnection, unit: PositionUnit,
                    force: bool = False) -> PositionsResult:
    """Store one unit atomically, replacing what an earlier version of it stored."""
    dropped = sum(1 for p in unit.problems if p.level == RECORD)
    previous = _stored_sha(con, unit.unit)
    if previous == unit.sha256 and not force:
        return PositionsResult(unit.unit, "unchanged", len(unit.rows), dropped,
                               len(unit.problems))
    now = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        for table, col in (("positions", "unit"), ("quarantine", "source_file"),
                           ("position_units", "unit")):
            con.execute(f"DELETE FROM {table} WHERE {col} = ?", [unit.unit])
        if unit.rows:
            schema = pa.schema([*POSITION_COLUMNS, ("ingested_at", pa.timestamp("us", "UTC"))])
            _tg_batch = pa.Table.from_pylist(  # noqa: F841 (read by the SQL below)
                [{**r, "ingested_at": now} for r in unit.rows], schema=schema)
            con.execute("INSERT INTO positions BY NAME SELECT * FROM _tg_batch")
        if unit.problems:
            _tg_batch = pa.table({  # noqa: F841
                **{c: [getattr(p, c) for p in unit.problems] for c in PROBLEM_COLUMNS},
                "ingested_at": [now] * len(unit.problems)})
            con.execute("INSERT INTO quarantine BY NAME SELECT * FROM _tg_batch")
        con.execute("INSERT INTO position_units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [unit.unit, unit.source, unit.path, unit.sha256, unit.size_bytes,
                     unit.records_read, len(unit.rows), len(unit.problems), unit.status, now])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return PositionsResult(unit.unit, "replaced" if previous else "ingested", len(unit.rows),
                           dropped, len(unit.problems))


def totals(results: list[PositionsResult]) -> dict[str, int]:
    out = {"units": len(results), "ingested": 0, "replaced": 0, "unchanged": 0, "positions": 0,
           "records_dropped": 0, "problems": 0}
    for r in results:
        out[r.outcome] += 1
        out["positions"] += r.positions
        out["records_dropped"] += r.records_dropped
        out["problems"] += r.problems
    return out
