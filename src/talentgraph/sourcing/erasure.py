"""Erasure requests reach the search index: a hook for `talentgraph.ops.erasure`.

Importing this module registers `erase_hook` in `ops.erasure.erase_person_hook` (once); whoever
runs erasures imports it (it is not imported by the sourcing package itself, so searching does
not load the operational store's libraries).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from talentgraph import config
from talentgraph.errors import StoreError
from talentgraph.sourcing.index import erase_from_index
from talentgraph.store import db


def erase_hook(request: Any, db_path: Path | None = None) -> dict[str, int]:
    """Remove the request's graph person from the search index of the analytical store.

    The store is the request's `graph_db` (the user's `--db`), else `db_path`, else the default
    ($TALENTGRAPH_DB, else the data directory's). A default store that does not exist holds
    nobody; a store the user named that does not exist is an error, so that the erasure stops
    rather than leave the person in the index the user meant.
    """
    person_id = getattr(request, "person_id", None)
    named = getattr(request, "graph_db", None) or db_path
    path = Path(named) if named is not None else config.default_db_path()
    if not person_id:
        return {}
    if not path.exists():
        if named is not None:
            raise StoreError(f"no analytical store at {path}: cannot remove the person from its "
                             "search index (check --db)")
        return {}
    con = db.connect(path)
    try:
        return erase_from_index(con, person_id)
    finally:
        con.close()


def register() -> None:
    """Add `erase_hook` to the operational store's erasure hooks (idempotent)."""
    from talentgraph.ops import erasure

    if erase_hook not in erasure.erase_person_hook:
        erasure.erase_person_hook.append(erase_hook)


register()
