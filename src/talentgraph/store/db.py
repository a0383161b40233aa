"""Opening the DuckDB store and bringing its schema up to date (numbered SQL migrations)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from talentgraph.errors import StoreError

_MIGRATION = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("talentgraph.store").joinpath("sql").iterdir():
        m = _MIGRATION.match(entry.name)
        if m:
            found.append((int(m[1]), m[2], entry.read_text(encoding="utf-8")))
    return sorted(found)


_READERS_OPTIONAL = "-- readers: optional"


def readers_need() -> int:
    """The schema version a read-only open needs: the last migration not marked, in its first
    line, `-- readers: optional` (one that only the writers use, such as a column the ingest
    compares), so stores built before such a migration stay readable until the next build."""
    return max((v for v, _, sql in migrations() if not sql.startswith(_READERS_OPTIONAL)),
               default=0)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations, each in its own transaction. Returns the resulting version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    current = schema_version(con)
    known = migrations()
    if known and current > known[-1][0]:
        raise StoreError(
            f"the store is at schema version {current}, newer than this talentgraph knows "
            f"({known[-1][0]}); upgrade talentgraph or rebuild the store"
        )
    for version, name, sql in known:
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [version, name, datetime.now(UTC)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = version
    return current


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store; a writable open also migrates it. Raises StoreError with a way out."""
    path = Path(path)
    if path.is_dir():
        from talentgraph.engines.output import serving_store

        # the output folder of `talentgraph build --engine spark`: its current serving store
        path = serving_store(path) or path
    if read_only and not path.exists():
        raise StoreError(f"no store at {path}: run `talentgraph build` first (or pass --db)")
    if path.is_dir():
        raise _not_a_store(path, "a folder")
    # checked before DuckDB opens it: DuckDB reads an existing x.csv as an in-memory database
    # over that file (and then fails read-only with an unrelated message)
    if path.exists() and not _is_duckdb_file(path):
        raise _not_a_store(path, "not a DuckDB database file")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            # DuckDB lets one process write a file, or any number read it, never both.
            raise StoreError(
                f"the store at {path} is open in another process (a running `talentgraph "
                "serve`, or a build): stop it and retry. Changes to the store (build, ingest, "
                f"an erasure's search-index update) need it to themselves. ({exc})") from exc
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc
    have = schema_version(con) if read_only else 0
    if read_only and have == 0:
        con.close()
        raise _not_a_store(path, "a DuckDB database that talentgraph never built")
    if read_only:
        known = readers_need()
        if have < known:
            con.close()
            raise StoreError(f"the store at {path} is at schema version {have}, this talentgraph "
                             f"needs {known}: run `talentgraph build` to bring it up to date")
        from talentgraph.store import suppress

        suppress.apply(con, path)  # erased people: out of every read
    else:
        migrate(con)
    return con


@contextmanager
def pandas_unused() -> Iterator[None]:
    """Within: DuckDB does not import pandas (for a command that never hands it a DataFrame).

    DuckDB's Python client imports pandas, when it is installed, on every query with parameters
    until the import succeeds (to test whether a parameter is a pandas value): ~0.45 s of CPU,
    most of what a one-shot `talentgraph source` costs. While pandas is marked absent, DuckDB
    skips that test. Nothing changes when pandas is already imported; afterwards pandas can be
    imported again.
    """
    if "pandas" in sys.modules:
        yield
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # `import pandas` fails fast
    try:
        yield
    finally:
        if sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]


# A DuckDB database file carries these bytes after its 8-byte header checksum.
_DUCKDB_MAGIC = b"DUCK"


def _is_duckdb_file(path: Path) -> bool:
    """Whether `path` is a DuckDB database file (an empty file is a new store)."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError as exc:
        raise StoreError(f"cannot read the store at {path}: {exc}") from exc
    return not head or head[8:12] == _DUCKDB_MAGIC


def _not_a_store(path: Path, why: str) -> StoreError:
    return StoreError(f"{path} is no talentgraph store ({why}): pass --db the DuckDB file "
                      "that `talentgraph build` wrote (talentgraph.duckdb by default)")
