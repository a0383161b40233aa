"""The analytical store as the web app reads it: one read-only DuckDB database per process and a
cursor per request (DuckDB cursors are separate connections, safe to use from several threads)."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from talentgraph.errors import StoreError


class GraphStore:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        if self.path is None or not Path(self.path).exists():
            raise StoreError(f"no analytical store at {self.path}: build one with "
                             "`talentgraph build --db PATH` and serve it with `--db PATH`")
        with self._lock:
            if self._con is None:
                try:
                    self._con = duckdb.connect(str(self.path), read_only=True)
                except duckdb.Error as exc:
                    raise StoreError(f"cannot open the analytical store {self.path}: {exc}") \
                        from exc
            return self._con.cursor()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
