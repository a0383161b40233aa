"""The per-process cache of graph computations: reused, bounded, and never skipping the audit."""

from __future__ import annotations

import pytest

from talentgraph.web import graph


def test_cache_computes_once_per_key_and_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(graph, "CACHE_ENTRIES", 3)
    store = graph.GraphStore(None)
    calls: list[int] = []
    for k in [1, 1, 2, 1, 3, 4, 1, 2]:
        store.cached(("k", k), lambda k=k: calls.append(k) or k * 10)
    # 1 stays cached (used recently); 2 was evicted by 3 and 4, so computed again
    assert calls == [1, 2, 3, 4, 2]
    assert store.cached(("k", 1), lambda: -1) == 10
    assert len(store._cache) == 3


def test_errors_are_not_cached() -> None:
    store = graph.GraphStore(None)
    n = {"calls": 0}

    def boom() -> int:
        n["calls"] += 1
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            store.cached("x", boom)
    assert n["calls"] == 2


def test_cached_profile_reads_are_still_audited(client_for, world, audit_mark: int) -> None:
    v = client_for("hiring_manager")
    pid = world["people"]["Hana Ito"]
    for _ in range(3):
        assert v.get(f"/api/people/{pid}").status_code == 200
    rows = client_for("admin").get("/api/audit", params={"username": "hiring_manager",
                                                         "action": "graph.person.read"}).json()
    assert len([r for r in rows if r["object_id"] == pid and r["id"] > audit_mark]) == 3


def test_an_older_store_computes_profiles_and_searches_in_duckdb(world, tmp_path,
                                                                 client_for) -> None:
    """Without a fresh profiles table or a loadable search index, pages compute as before."""
    import shutil

    import duckdb

    from talentgraph.web import WebConfig, create_app

    old = tmp_path / "old.duckdb"
    shutil.copy(world["db"], old)
    with duckdb.connect(str(old)) as con:
        con.execute("DROP TABLE person_profiles_meta")
        # a paper without a year: the in-memory index refuses the store, the SQL path ranks
        con.execute("UPDATE sourcing_doc_features SET year = NULL WHERE docid = 0")
    store = graph.GraphStore(old)
    assert store.profiles_ready() is False
    assert store.search_engine() is None
    store.close()
    fresh = graph.GraphStore(world["db"])
    assert fresh.profiles_ready() and fresh.search_engine() is not None
    fresh.close()
    app = create_app(WebConfig(db_path=old, ops_url=world["ops_url"],
                               secret_key="test-secret-key"), world["ops"])
    from fastapi.testclient import TestClient

    from .conftest import LOCAL, login

    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        login(c, "recruiter")
        pid = world["people"]["Ada Quill"]
        page = c.get(f"/api/people/{pid}").json()
        assert page["timeline"] and page["person"]["canonical_name"] == "Ada Quill"
        r = c.get("/api/search", params={"q": "diffusion models"})
        assert r.status_code == 200 and r.json()["people"]
