"""Fingerprints of what a build stage read, so that a rebuild skips a stage whose inputs did not
change.

A stage's fingerprint is a hash of
- the rules it runs: the bytes of its source files and data files (`code`, paths under the
  talentgraph package), so a changed threshold or curated table re-runs it;
- each table it reads: the fingerprint recorded by the stage that wrote the table in this store
  (stages are deterministic, so equal inputs give equal outputs), else the table's content
  (row count and the sum of the rows' hashes: a multiset hash that does not depend on row order,
  ~0.5 s for the largest ingested table), or `absent` (missing or empty).

`stage_fingerprints` keeps, per stage, the fingerprint it was last built from and the row counts
of the tables it wrote: a stage is skipped when its fingerprint is unchanged AND its tables are
still there with those row counts (something else may have written them since, e.g. an index
built with `max_year`, an erasure). The record is removed before a stage runs and written after
it finished, so an interrupted stage runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

TABLE = "stage_fingerprints"
# Bumped when the way fingerprints are computed changes (every stage then runs once).
VERSION = "1"
_PACKAGE = Path(__file__).resolve().parent.parent  # src/talentgraph
_CODE_SUFFIXES = (".py", ".csv", ".json", ".sql", ".txt", ".tsv")


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        stage VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, outputs VARCHAR NOT NULL,
        summary VARCHAR NOT NULL, built_at TIMESTAMPTZ NOT NULL)""")


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary "
        "AND database_name = current_database() AND schema_name = current_schema()",
        [table]).fetchone()[0] > 0


@cache
def code_fingerprint(paths: tuple[str, ...]) -> str:
    """sha256 of the files under `paths` (relative to the talentgraph package), in path order."""
    h = hashlib.sha256()
    for rel in paths:
        root = _PACKAGE / rel
        files = sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES
                       and "__pycache__" not in p.parts) if root.is_dir() else [root]
        for f in files:
            h.update(str(f.relative_to(_PACKAGE)).encode())
            h.update(f.read_bytes() if f.exists() else b"<missing>")
    return h.hexdigest()


def files_fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over the names and bytes of input files, in name order (`missing` for one that
    is not there)."""
    h = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        h.update(str(path).encode())
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def content_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Row count and sum of row hashes of `table` (independent of the rows' order)."""
    if not _exists(con, table):
        return "absent"
    n, total = con.execute(
        f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{table}" t').fetchone()
    # an empty table reads as a missing one to every stage (e.g. sourcing_erased, which the
    # index stage creates empty on its first run)
    return "absent" if n == 0 else f"{n}:{total}"


def recorded(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dict[str, int]]]:
    """stage -> (fingerprint, output row counts) as recorded by the last build of each stage."""
    ensure_table(con)
    return {s: (fp, json.loads(out)) for s, fp, out in con.execute(
        f"SELECT stage, fingerprint, outputs FROM {TABLE}").fetchall()}


def stage_fingerprint(con: duckdb.DuckDBPyConnection, reads: Iterable[str],
                      code: tuple[str, ...], written_by: dict[str, str],
                      fingerprints: dict[str, str], extra: str = "",
                      contents: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """(fingerprint, per-input parts) of a stage reading `reads`. `written_by` maps a table to the
    stage that writes it, `fingerprints` holds the fingerprint of each stage as built now;
    `contents` caches content fingerprints within a build (the caller drops a table's entry
    when it writes the table)."""
    contents = {} if contents is None else contents
    parts: dict[str, str] = {"@version": VERSION, "@code": code_fingerprint(code)}
    if extra:
        parts["@extra"] = extra
    for table in sorted(set(reads)):
        stage = written_by.get(table)
        if stage is not None and stage in fingerprints:
            parts[table] = f"stage {stage} {fingerprints[stage]}"
        else:
            if table not in contents:
                contents[table] = content_fingerprint(con, table)
            parts[table] = contents[table]
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return digest, parts


def output_counts(con: duckdb.DuckDBPyConnection, writes: Iterable[str]) -> dict[str, int]:
    """Row counts of the tables a stage wrote (-1 for a missing one)."""
    return {t: (con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                if _exists(con, t) else -1) for t in writes}


def is_current(con: duckdb.DuckDBPyConnection, stage: str, fingerprint: str,
               writes: Iterable[str]) -> bool:
    """Whether `stage` was last built from `fingerprint` and its tables are as it left them."""
    found = recorded(con).get(stage)
    if found is None or found[0] != fingerprint:
        return False
    counts = output_counts(con, writes)
    return all(n >= 0 for n in counts.values()) and counts == found[1]


def forget(con: duckdb.DuckDBPyConnection, stage: str) -> None:
    """Drop the record of `stage` (before it runs: an interrupted stage must run again)."""
    ensure_table(con)
    con.execute(f"DELETE FROM {TABLE} WHERE stage = ?", [stage])


def remember(con: duckdb.DuckDBPyConnection, stage: str, fingerprint: str,
             writes: Iterable[str], summary: dict[str, Any]) -> None:
    """Record that `stage` is built from `fingerprint`, with its figures (`summary`)."""
    ensure_table(con)
    con.execute(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
                [stage, fingerprint, json.dumps(output_counts(con, writes), sort_keys=True),
                 json.dumps(summary, default=str), datetime.now(UTC)])


def last_summary(con: duckdb.DuckDBPyConnection, stage: str) -> dict[str, Any]:
    """The figures `stage` reported when it last ran in this store."""
    row = con.execute(f"SELECT summary FROM {TABLE} WHERE stage = ?", [stage]).fetchone()
    return json.loads(row[0]) if row else {}


STATE_CODE_TABLE = "stage_state_code"


def state_is_for_code(con: duckdb.DuckDBPyConnection, stage: str, code: tuple[str, ...]) -> bool:
    """Whether the state tables of `stage` (what it remembers to redo only what changed) were
    written by the code it runs now: state of other rules must not be reused."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_CODE_TABLE} "
                "(stage VARCHAR PRIMARY KEY, code VARCHAR NOT NULL)")
    row = con.execute(f"SELECT code FROM {STATE_CODE_TABLE} WHERE stage = ?",
                      [stage]).fetchone()
    return row is not None and row[0] == code_fingerprint(code)


def remember_state_code(con: duckdb.DuckDBPyConnection, stage: str,
                        code: tuple[str, ...]) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_CODE_TABLE} "
                "(stage VARCHAR PRIMARY KEY, code VARCHAR NOT NULL)")
    con.execute(f"INSERT OR REPLACE INTO {STATE_CODE_TABLE} VALUES (?, ?)",
                [stage, code_fingerprint(code)])


def forget_all(con: duckdb.DuckDBPyConnection) -> None:
    ensure_table(con)
    con.execute(f"DELETE FROM {TABLE}")


def describe(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The recorded stages (for `stats`-like output and tests)."""
    ensure_table(con)
    cur = con.execute(f"SELECT stage, fingerprint, outputs, summary, built_at FROM {TABLE} "
                      "ORDER BY stage")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
