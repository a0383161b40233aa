"""The web app on an operational store in PostgreSQL (the teams' setup): log in, act, audit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services import pg_ops_store
from talentgraph.ops import users
from talentgraph.ops.db import OpsStore
from talentgraph.web import WebConfig, create_app

from .conftest import LOCAL, login

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store() -> Iterator[OpsStore]:
    with pg_ops_store() as store:
        yield store


def test_web_on_postgresql(pg_store: OpsStore, world: dict) -> None:
    with pg_store.session() as s:
        a = users.create_first_admin(s, "admin", "pass-admin-1234")
        users.create_user(s, users.actor_for(a), "recruiter", "pass-recruiter-1234", "recruiter")
    app = create_app(WebConfig(db_path=world["db"], secret_key="p" * 20), pg_store)
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        login(c, "recruiter")
        r = c.post("/api/candidates", json={"name": "Pg Person",
                                            "person_id": world["people"]["Ada Quill"]})
        assert r.status_code == 201
        assert c.get(f"/candidates/{r.json()['id']}").status_code == 200
        assert c.get("/api/audit").status_code == 403
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        login(c, "admin")
        actions = {e["action"] for e in c.get("/api/audit").json()}
        assert {"candidate.create", "access.denied", "user.login"} <= actions
