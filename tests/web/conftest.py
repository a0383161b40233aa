"""Fixtures: a store built by the real pipeline from a tiny hand-written world, an operational
store seeded with a user of every role, the app, and logged-in test clients."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from . import served
from .seed import password
from .world import write_world

LOCAL = ("127.0.0.1", 50000)  # the client address the audit log records
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("web")
    # one dated position (AI Watch format), so person pages show positions and "now"
    positions = root / "positions.csv"
    positions.write_text(
        "person,organization,title,start_date,start_date_precision,end_date,"
        "end_date_precision,employment_type,urls,notes\n"
        "Gus Hale,Anthropic,Researcher,2021-03-01,month,,,full-time,"
        "https://web.archive.org/web/20250301000000/https://anthropic.example/team,\n",
        encoding="utf-8")
    return served.build(root, write_world(root / "corpus"), positions)


@pytest.fixture(scope="session")
def app(world: dict):
    return served.app_for(world)


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client: TestClient, username: str, pw: str | None = None) -> TestClient:
    r = client.get("/login")
    r = client.post("/login", data={"username": username, "password": pw or password(username),
                                     "csrf_token": csrf_of(r.text), "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf_token"]
    return client


@pytest.fixture
def client_for(app) -> Callable[[str], TestClient]:
    """A fresh client logged in as the user of `role` (users are named after their role)."""
    made: list[TestClient] = []

    def make(role: str) -> TestClient:
        c = TestClient(app, base_url="http://127.0.0.1", client=LOCAL)
        made.append(c)
        return login(c, role)

    yield make
    for c in made:
        c.close()


@pytest.fixture
def audit_mark(world: dict) -> int:
    """The newest audit row id before the test: the log belongs to the whole session, so a test
    that checks what *it* caused reads only the rows after this mark (rows from other tests,
    or from an earlier run of itself, would otherwise satisfy or spoil its assertions)."""
    from sqlalchemy import func, select

    from talentgraph.ops.models import AuditEntry

    with world["ops"].session() as s:
        return s.scalar(select(func.max(AuditEntry.id))) or 0


@pytest.fixture
def anon(app) -> TestClient:
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        yield c
