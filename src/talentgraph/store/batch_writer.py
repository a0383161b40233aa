"""Writing one large unit in batches, still in one transaction (same contract as `write_unit`).

`write_unit` needs every row of a unit in memory. An OpenAlex snapshot part (up to 2 GB of gzip)
holds far more rows than fit, so its connector hands rows over in batches: the unit's old rows are
deleted, each batch is inserted, the `sources` row is written last, and only then is the
transaction committed. A crash before the commit leaves the store as it was before the unit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from talentgraph.sources.model import RECORD, ParsedUnit, Problem
from talentgraph.store.ingest import PROBLEM_COLUMNS, UnitResult, stored_sha

TABLES = ("mentions", "papers", "quarantine", "sources")


def _arrow(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table({k: [r[k] for r in rows] for k in rows[0]})


class BatchedUnitWriter:
    """A context manager: `add` batches, then `finish`; leaving without `finish` rolls back."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source_file: str) -> None:
        self.con = con
        self.source_file = source_file
        self.previous: str | None = None
        self.papers = self.mentions = self.problems = self.dropped = 0
        self.now = datetime.now(UTC)
        self._open = False

    def __enter__(self) -> BatchedUnitWriter:
        self.previous = stored_sha(self.con, self.source_file)
        self.con.execute("BEGIN TRANSACTION")
        self._open = True
        for table in TABLES:
            self.con.execute(f"DELETE FROM {table} WHERE source_file = ?", [self.source_file])
        return self

    def add(self, papers: list[dict[str, Any]], mentions: list[dict[str, Any]],
            problems: list[Problem]) -> None:
        """Insert one batch of rows (the caller may reuse or drop the lists afterwards)."""
        # Read through DuckDB's replacement scan of the local `_tg_batch`: a `register()`ed table
        # stays referenced until the transaction ends, so every batch would be kept in memory.
        for table, rows in (("papers", papers), ("mentions", mentions)):
            if rows:
                _tg_batch = _arrow(rows)  # noqa: F841 (read by the SQL below)
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _tg_batch")
        if problems:
            _tg_batch = pa.table({  # noqa: F841
                **{c: [getattr(p, c) for p in problems] for c in PROBLEM_COLUMNS},
                "ingested_at": [self.now] * len(problems),
            })
            self.con.execute("INSERT INTO quarantine BY NAME SELECT * FROM _tg_batch")
        self.papers += len(papers)
        self.mentions += len(mentions)
        self.problems += len(problems)
        self.dropped += sum(1 for p in problems if p.level == RECORD)

    def finish(self, unit: ParsedUnit) -> UnitResult:
        """Write the `sources` row from the unit's header fields and commit."""
        self.con.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [unit.source_file, unit.kind, unit.path, unit.venue, unit.year, unit.family,
             unit.sha256, unit.size_bytes, unit.records_read, self.papers, self.mentions,
             self.problems, unit.status, self.now],
        )
        self.con.execute("COMMIT")
        self._open = False
        return UnitResult(unit.source_file, "replaced" if self.previous else "ingested",
                          self.papers, self.mentions, self.dropped, self.problems)

    def __exit__(self, *exc: object) -> None:
        if self._open:
            self._open = False
            self.con.execute("ROLLBACK")
