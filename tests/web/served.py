"""A world as the web tests serve it: a corpus built into a store by the real pipeline, an
operational store seeded beside it, and the app over both (conftest's world and readux_world's
namesakes world are both made here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from talentgraph import pipeline
from talentgraph.ops.db import OpsStore
from talentgraph.web import WebConfig, create_app

from .seed import seed


def build(root: Path, corpus: Path, positions: Path | None = None) -> dict[str, Any]:
    """Build `corpus` (and `positions`) into root/world.duckdb and seed root/ops.sqlite.

    `people` maps a name to its person id, the lowest id where namesakes share a name."""
    db_path = root / "world.duckdb"
    pipeline.build(db_path, [corpus], positions=positions)
    con = duckdb.connect(str(db_path), read_only=True)
    people: dict[str, str] = {}
    for pid, name in con.execute("SELECT person_id, canonical_name FROM persons "
                                 "ORDER BY person_id").fetchall():
        people.setdefault(name, pid)
    con.close()
    ops_url = f"sqlite:///{root / 'ops.sqlite'}"
    ops = OpsStore(ops_url, create=True)
    ids = seed(ops, root, people)
    return {"db": db_path, "ops_url": ops_url, "ops": ops, "people": people, "ids": ids,
            "root": root}


def app_for(world: dict[str, Any]) -> Any:
    return create_app(WebConfig(db_path=world["db"], ops_url=world["ops_url"],
                                secret_key="test-secret-key"), world["ops"])
