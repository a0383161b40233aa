"""Erasure requests reach the search index: a hook for `talentgraph.ops.erasure`.

Importing this module registers `erase_hook` in `ops.erasure.erase_person_hook` (once); whoever
runs erasures imports it (it is not imported by the sourcing package itself, so searching does
not load the operational store's libraries).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from talentgraph import config
from talentgraph.sourcing.index import erase_from_index
from talentgraph.store import db


def erase_hook(request: Any, db_path: Path | None = None) -> dict[str, int]:
    """Remove the request's graph person from the search index of the analytical store."""
    person_id = getattr(request, "person_id", None)
    path = Path(db_path) if db_path is not None else config.default_db_path()
    if not person_id or not path.exists():
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
