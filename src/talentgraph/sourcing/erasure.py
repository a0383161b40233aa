"""Erasure requests reach the analytical store: the hook `ops.erasure.default_hooks` runs.

The person goes on the store's suppression list (`store.suppress`: every read path leaves them out,
a running server as soon as it next reads the store, and every rebuild takes them out again), and
out of the search index's tables when no other process holds the store open. Not imported by the
sourcing package itself, so searching does not load the operational store's libraries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from talentgraph import config
from talentgraph.errors import StoreError
from talentgraph.sourcing.index import erase_from_index
from talentgraph.store import db, suppress


def erase_hook(request: Any, db_path: Path | None = None) -> dict[str, Any]:
    """Suppress the request's graph person in the analytical store and its search index.

    The store is the request's `graph_db` (the user's `--db`), else `db_path`, else the default
    ($TALENTGRAPH_DB, else the data directory's). A default store that does not exist holds
    nobody; a store the user named that does not exist is an error, so that the erasure stops
    rather than leave the person in the store the user meant.
    """
    person_id = getattr(request, "person_id", None)
    named = getattr(request, "graph_db", None) or db_path
    path = Path(named) if named is not None else config.default_db_path()
    if not person_id:
        return {}
    if not path.exists():
        if named is not None:
            raise StoreError(f"no analytical store at {path}: cannot remove the person from it "
                             "(check --db)")
        return {}
    try:
        con = db.connect(path)
    except (StoreError, duckdb.Error):
        # a running server (or a build) holds the store (in this process: another
        # configuration): the list suffices until the next build
        con = None
    if con is None:
        lines = _identifiers_read_only(path, person_id)
        suppress.add(path, lines)
        return {"suppressed": len(lines), "search_index": "at the next build"}
    try:
        lines = suppress.identifiers(con, person_id)
        suppress.add(path, lines)
        return {"suppressed": len(lines), **erase_from_index(con, person_id)}
    finally:
        con.close()


def _identifiers_read_only(path: Path, person_id: str) -> list[str]:
    """The person's digests, read while another process holds the store (readers may share it
    with a server; under a build only the person id is known)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return suppress.identifiers(None, person_id)
    try:
        return suppress.identifiers(con, person_id)
    finally:
        con.close()
