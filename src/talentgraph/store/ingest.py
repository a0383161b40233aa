"""Writing parsed source units into the store: one unit per transaction, idempotent.

There is one writer, `UnitWriter`, and it holds every step of storing a unit: delete what an
earlier version of the unit stored, insert papers, mentions and quarantined problems (in as many
batches as the connector hands over), write the `sources` row last, commit. `write_unit` is the
whole-unit form (every row in memory); the OpenAlex connector streams snapshot parts and API
queries through `UnitWriter` batch by batch, because a 2 GB snapshot part does not fit in memory.
A crash before the commit leaves the store as it was before the unit.

A paper_id is stored once: when a unit brings a paper another unit already holds (an OpenAlex
work in two snapshot parts, or in a part and an API page), the version with the newer
`updated_date` stays, and on a tie or where neither has a date, the unit written last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from talentgraph.sources.model import RECORD, ParsedUnit, Problem

PROBLEM_COLUMNS = ("source_file", "level", "record_index", "record_id", "field", "reason",
                   "excerpt")
TABLES = ("mentions", "papers", "quarantine", "sources")


@dataclass(slots=True)
class UnitResult:
    source_file: str
    outcome: str  # ingested | replaced | unchanged
    papers: int
    mentions: int
    records_dropped: int
    problems: int
    kept_elsewhere: int = 0  # papers not stored: another unit holds a newer version of them
    taken_over: int = 0  # papers stored here whose older version another unit held until now


def stored_sha(con: duckdb.DuckDBPyConnection, source_file: str) -> str | None:
    row = con.execute("SELECT sha256 FROM sources WHERE source_file = ?", [source_file]).fetchone()
    return row[0] if row else None


def _arrow(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table({k: [r[k] for r in rows] for k in rows[0]})


class UnitWriter:
    """Stores one unit in one transaction: `add` rows (once or in batches), then `finish`.

    Used as a context manager; leaving it without `finish` (an exception, or a caller that finds
    the unit unchanged) rolls the transaction back, so the store keeps the unit's earlier rows.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, source_file: str) -> None:
        self.con = con
        self.source_file = source_file
        self.previous: str | None = None  # sha256 of the stored version, None if new
        self.papers = self.mentions = self.problems = self.dropped = 0
        self.kept_elsewhere = 0  # papers left out: another unit holds a newer version
        self.taken_over = 0  # papers whose older version another unit held, now removed there
        self.now = datetime.now(UTC)
        self._open = False

    def __enter__(self) -> UnitWriter:
        self.previous = stored_sha(self.con, self.source_file)
        self.con.execute("BEGIN TRANSACTION")
        self._open = True
        for table in TABLES:
            self.con.execute(f"DELETE FROM {table} WHERE source_file = ?", [self.source_file])
        return self

    def _reconcile(self, papers: list[dict[str, Any]], mentions: list[dict[str, Any]]
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Keep each paper_id once across units: the newer `updated_date` wins, a tie the writer.

        Papers of the batch that another unit holds in a newer version are left out (with their
        mentions); papers that another unit holds in an older or undated version replace it
        there: its rows go and its `sources` counts shrink, so they still add up to the store.
        """
        _tg_ids = pa.table({"paper_id": [p["paper_id"] for p in papers]})  # noqa: F841
        stored = self.con.execute(
            "SELECT paper_id, source_file, updated_date FROM papers "
            "WHERE source_file <> ? AND paper_id IN (SELECT paper_id FROM _tg_ids)",
            [self.source_file]).fetchall()
        if not stored:  # the common case: no paper of the batch is stored by another unit
            return papers, mentions
        ours = {p["paper_id"]: p.get("updated_date") for p in papers}
        older: set[str] = set()
        replace: dict[str, list[str]] = {}
        for paper_id, source_file, theirs in stored:
            mine = ours[paper_id]
            if theirs is not None and (mine is None or theirs > mine):
                older.add(paper_id)
            else:
                replace.setdefault(source_file, []).append(paper_id)
        for source_file, ids in replace.items():
            ids = [i for i in ids if i not in older]
            if not ids:
                continue
            # A semi-join on a scanned table: `list_contains(?, paper_id)` would compare every
            # row with every id (seconds for a few thousand ids).
            _tg_gone = pa.table({"paper_id": ids})  # noqa: F841 (read by the SQL below)
            counts = []
            for table in ("mentions", "papers"):
                counts.append(self.con.execute(
                    f"DELETE FROM {table} WHERE source_file = ? "
                    "AND paper_id IN (SELECT paper_id FROM _tg_gone)", [source_file]
                ).fetchone()[0])
            self.con.execute("UPDATE sources SET mentions = mentions - ?, papers = papers - ? "
                             "WHERE source_file = ?", [*counts, source_file])
            self.taken_over += counts[1]
        if older:
            self.kept_elsewhere += len(older)
            papers = [p for p in papers if p["paper_id"] not in older]
            mentions = [m for m in mentions if m["paper_id"] not in older]
        return papers, mentions

    def add(self, papers: list[dict[str, Any]], mentions: list[dict[str, Any]],
            problems: list[Problem]) -> None:
        """Insert one batch of rows (the caller may reuse or drop the lists afterwards)."""
        if papers:
            papers, mentions = self._reconcile(papers, mentions)
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
                          self.papers, self.mentions, self.dropped, self.problems,
                          self.kept_elsewhere, self.taken_over)

    def unchanged(self) -> UnitResult:
        """Give up the transaction (the store keeps the stored version) and say so."""
        self.__exit__()
        return UnitResult(self.source_file, "unchanged", self.papers, self.mentions,
                          self.dropped, self.problems)

    def __exit__(self, *exc: object) -> None:
        if self._open:
            self._open = False
            self.con.execute("ROLLBACK")


def write_unit(con: duckdb.DuckDBPyConnection, unit: ParsedUnit, force: bool = False) -> UnitResult:
    """Store one parsed unit atomically, replacing what an earlier version of it stored.

    A unit whose bytes are unchanged since the last ingest is skipped, so re-running an ingest
    changes nothing. Either every row of the unit is written or none is: a crash mid-unit leaves
    the store as it was before the unit.
    """
    if stored_sha(con, unit.source_file) == unit.sha256 and not force:
        return UnitResult(unit.source_file, "unchanged", len(unit.papers), len(unit.mentions),
                          sum(1 for p in unit.problems if p.level == RECORD), len(unit.problems))
    with UnitWriter(con, unit.source_file) as writer:
        writer.add(unit.papers, unit.mentions, unit.problems)
        return writer.finish(unit)
