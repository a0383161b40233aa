"""Opening the store: read-only opens accept a store that lacks only writer-side migrations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from talentgraph.errors import StoreError
from talentgraph.store import db


def test_a_store_missing_only_writer_migrations_stays_readable(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    db.connect(path).close()
    latest = db.migrations()[-1][0]
    assert db.readers_need() <= latest
    con = duckdb.connect(str(path))
    # As if built before the migrations marked `-- readers: optional` (e.g. papers.updated_date).
    con.execute("DELETE FROM schema_migrations WHERE version > ?", [db.readers_need()])
    con.close()
    db.connect(path, read_only=True).close()
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM schema_migrations WHERE version >= ?", [db.readers_need()])
    con.close()
    with pytest.raises(StoreError, match="run `talentgraph build`"):
        db.connect(path, read_only=True)


def test_paper_updated_date_is_a_writer_only_migration() -> None:
    names = {v: (name, sql) for v, name, sql in db.migrations()}
    name, sql = names[3]
    assert name == "paper_updated_date" and sql.startswith("-- readers: optional")
    assert db.readers_need() == 2


def test_a_store_held_by_another_process_says_who_to_stop(tmp_path: Path) -> None:
    """A running server holds the store open read-only: a writer is told what to do."""
    path = tmp_path / "s.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
         "read_only=True); print('open', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="open in another process.*talentgraph serve"):
            db.connect(path)
    finally:
        holder.kill()
        holder.wait()


def test_pandas_unused_keeps_duckdb_from_importing_it() -> None:
    """A parameterised query makes DuckDB import pandas when it is installed (~0.45 s); within
    `pandas_unused` it does not, and afterwards pandas imports as usual. In a fresh interpreter,
    so that no other test has imported pandas already."""
    pytest.importorskip("pandas")
    code = """
import sys
import duckdb
from talentgraph.store import db
con = duckdb.connect()
with db.pandas_unused():
    assert con.execute("SELECT $a + 1", {"a": 1}).fetchone() == (2,)
    inside = "pandas" in sys.modules and sys.modules["pandas"] is not None
import pandas
con.execute("SELECT $a", {"a": 1}).fetchone()
print(inside, sys.modules["pandas"] is pandas)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
