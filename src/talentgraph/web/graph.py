"""The analytical store as the web app reads it: one read-only DuckDB database per process and a
cursor per request (DuckDB cursors are separate connections, safe to use from several threads).

The store does not change while it is served (a rebuild writes a new file: restart the server),
so what the core computes from it for a page is kept in a small LRU cache. Its suppression list
(people erased on request, `store.suppress`) can change: every cursor checks it (a stat of the
file), and a change empties the cache and hides the people from the in-memory search at once.
Audit entries are written on every request all the same; only graph computations are reused.

Two things make the busiest pages cheap (a few ms to a few tens of ms of CPU instead of
~0.1-0.2 s):
- the sourcing search runs on the in-memory index (`sourcing.memindex`), loaded once per
  process (at start-up, in the background; ~3 s and ~160 MB on the whole corpus);
- a profile is one row of the `profiles` stage's table, used when it is fresh (checked once).
Without them (an older store) the pages compute as before.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from talentgraph.careers import profiles
from talentgraph.errors import StoreError
from talentgraph.sourcing import rank
from talentgraph.sourcing.memindex import MemoryIndex
from talentgraph.store import suppress

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_ENTRIES = 512


class GraphStore:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = self.misses = 0
        self._load_lock = threading.Lock()
        self._engine: MemoryIndex | None = None
        self._profiles: bool | None = None
        self._engine_tried = False
        self._suppressed: tuple[tuple[int, int] | None, tuple[str, ...]] = (None, ())
        self._layout: suppress.Layout | None = None

    def search_engine(self) -> MemoryIndex | None:
        """The in-memory search index (loaded on first use); None where it cannot be loaded
        (no index, an older store): searches then run in DuckDB."""
        if self._engine_tried:
            return self._engine
        with self._load_lock:
            if not self._engine_tried:
                cur = self.cursor()
                try:
                    self._engine = MemoryIndex.load(cur)
                except (StoreError, duckdb.Error) as exc:
                    log.warning("searches run in DuckDB: no in-memory index (%s)", exc)
                finally:
                    cur.close()
                    self._engine_tried = True
        return self._engine

    def profiles_ready(self) -> bool:
        """Whether profiles can be read from the `profiles` stage's table (checked once)."""
        if self._profiles is None:
            cur = self.cursor()
            try:
                self._profiles = profiles.is_fresh(cur)
            finally:
                cur.close()
            if not self._profiles:
                log.warning("person pages are computed per view: the store has no fresh "
                            "`person_profiles` (run `talentgraph build`)")
        return self._profiles

    def warm(self) -> None:
        """Load what the pages need before the first request asks (called at start-up)."""
        try:
            self.profiles_ready()
            self.search_engine()
        except (StoreError, duckdb.Error) as exc:
            log.warning("could not prepare the analytical store: %s", exc)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor that does not see erased people (the suppression list as it is now)."""
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
            cur = self._con.cursor()
            erased = self._erased_locked()
        if erased:
            suppress.apply(cur, self.path, erased, self._layout)
        return cur

    def _erased_locked(self) -> tuple[str, ...]:
        """The erased person ids, recomputed when the suppression list changed (under _lock)."""
        stamp = suppress.stamp(self.path)
        if stamp == self._suppressed[0]:
            return self._suppressed[1]
        assert self._con is not None
        raw = self._con.cursor()
        try:
            ids = tuple(suppress.erased_ids(raw, suppress.load(self.path)))
            if ids and self._layout is None:
                self._layout = suppress.layout(raw)
            keys = [r[0] for r in raw.execute(
                "SELECT person_key FROM sourcing_person_static WHERE person_id IN "
                "(SELECT unnest($i))", {"i": list(ids)}).fetchall()] if ids and \
                "sourcing_person_static" in self._layout.tables else []
        finally:
            raw.close()
        if ids != self._suppressed[1]:
            self._cache.clear()  # pages computed before the erasure may show the person
            if self._engine is not None:
                self._engine.hide(keys)
        self._suppressed = (stamp, ids)
        return ids

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
