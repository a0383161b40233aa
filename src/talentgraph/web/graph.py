"""The analytical store as the web app reads it: one read-only DuckDB database per process and a
cursor per request (DuckDB cursors are separate connections, safe to use from several threads).

The store does not change while it is served (a rebuild writes a new file: restart the server),
so what the core computes from it for a page is kept in a small LRU cache. Audit entries are
written on every request all the same; only graph computations are reused.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from talentgraph.errors import StoreError
from talentgraph.sourcing import rank

T = TypeVar("T")
CACHE_ENTRIES = 512


class GraphStore:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = self.misses = 0

    def cursor(self) -> duckdb.DuckDBPyConnection:
        if self.path is None or not Path(self.path).exists():
            raise StoreError(f"no analytical store at {self.path}: build one with "
                             "`talentgraph build --db PATH` and serve it with `--db PATH`")
        with self._lock:
            if self._con is None:
                try:
                    con = duckdb.connect(str(self.path), read_only=True)
                    # One DuckDB thread per query: requests run side by side already, and a
                    # search is cheaper on one thread (the sourcing core's setting).
                    self._con = rank.for_searching(con)
                except duckdb.Error as exc:
                    raise StoreError(f"cannot open the analytical store {self.path}: {exc}") \
                        from exc
            return self._con.cursor()

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per key (results are shared: callers must not change them)."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                self.hits += 1
                return self._cache[key]
            self.misses += 1
        value = compute()  # outside the lock: other requests go on meanwhile
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return value

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
