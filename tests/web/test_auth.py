"""Logging in and out, sessions, cookies, CSRF, first-admin setup."""

from __future__ import annotations

from fastapi.testclient import TestClient

from talentgraph.ops.db import OpsStore
from talentgraph.web import WebConfig, create_app

from .conftest import LOCAL, csrf_of, login


def test_pages_redirect_to_login_and_api_answers_401(anon: TestClient) -> None:
    r = anon.get("/pipeline?requisition_id=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/pipeline%3Frequisition_id%3D1"
    for url in ("/api/me", "/api/search?q=x", "/api/offers", "/api/people/x"):
        r = anon.get(url)
        assert r.status_code == 401, url
        assert "log" in r.json()["detail"]


def test_wrong_password_is_refused_with_one_message(anon: TestClient) -> None:
    token = csrf_of(anon.get("/login").text)
    r = anon.post("/login", data={"username": "executive", "password": "nope-nope",
                                  "csrf_token": token})
    assert r.status_code == 401
    assert "wrong username or password" in r.text
    r = anon.post("/login", data={"username": "nobody", "password": "nope-nope",
                                  "csrf_token": token})
    assert r.status_code == 401 and "wrong username or password" in r.text
    assert anon.get("/api/me").status_code == 401


def test_login_without_csrf_token_is_refused(anon: TestClient) -> None:
    anon.get("/login")
    r = anon.post("/login", data={"username": "executive", "password": "pass-executive-1234"})
    assert r.status_code == 403
    assert "CSRF" in r.text


def test_session_cookie_flags_and_rotation(anon: TestClient) -> None:
    r = anon.get("/login")
    before = csrf_of(r.text)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    login(anon, "viewer")
    after = anon.get("/api/me").json()["csrf_token"]
    assert after != before  # a fresh token (and session) at login


def test_secure_flag_when_configured(world: dict) -> None:
    app = create_app(WebConfig(db_path=world["db"], ops_url=world["ops_url"],
                               secret_key="k" * 20, secure_cookies=True), world["ops"])
    with TestClient(app, base_url="https://127.0.0.1", client=LOCAL) as c:
        assert "secure" in c.get("/login").headers["set-cookie"].lower()


def test_state_changes_need_the_csrf_token(client_for, world: dict) -> None:
    c = client_for("recruiter")
    token = c.headers.pop("X-CSRF-Token")
    body = {"name": "Csrf Person"}
    assert c.post("/api/candidates", json=body).status_code == 403
    assert c.post("/api/candidates", json=body, headers={"X-CSRF-Token": "forged"}
                  ).status_code == 403
    r = c.post("/pipeline/candidates", data={"name": "Csrf Person"}, follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/api/candidates", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    assert r.json()["name"] == "Csrf Person"


def test_logout_ends_the_session(client_for) -> None:
    c = client_for("viewer")
    assert c.get("/api/me").status_code == 200
    r = c.post("/logout", data={"csrf_token": c.headers["X-CSRF-Token"]},
               follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/api/me").status_code == 401


def test_open_redirect_after_login_is_ignored(anon: TestClient) -> None:
    token = csrf_of(anon.get("/login").text)
    r = anon.post("/login", data={"username": "viewer", "password": "pass-viewer-1234",
                                  "csrf_token": token, "next": "//evil.example/x"},
                  follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_first_admin_setup_on_an_empty_store(tmp_path, world: dict) -> None:
    ops = OpsStore(f"sqlite:///{tmp_path / 'empty.sqlite'}", create=True)
    app = create_app(WebConfig(db_path=world["db"], secret_key="s" * 20), ops)
    with TestClient(app, base_url="http://127.0.0.1", client=("10.1.2.3", 4000)) as c:
        token = csrf_of(c.get("/setup").text)
        r = c.post("/setup", data={"username": "root", "password": "long-enough-pw",
                                   "csrf_token": token})
        assert r.status_code == 403 and "from the server itself" in r.text
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        r = c.get("/login", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/setup"
        token = csrf_of(c.get("/setup").text)
        r = c.post("/setup", data={"username": "root", "password": "short", "csrf_token": token})
        assert r.status_code == 422 and "at least 8" in r.text
        r = c.post("/setup", data={"username": "root", "password": "long-enough-pw",
                                   "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        me = c.get("/api/me").json()
        assert me["username"] == "root" and me["role"] == "admin"
        # once a user exists, setup is closed
        assert c.get("/setup", follow_redirects=False).headers["location"] == "/login"
        r = c.post("/setup", data={"username": "again", "password": "long-enough-pw",
                                   "csrf_token": me["csrf_token"]})
        assert r.status_code == 422 and "already has users" in r.text
    ops.dispose()


def test_a_store_of_another_version_gives_503_not_500(tmp_path, world: dict) -> None:
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE persons (person_id VARCHAR)")  # columns the code needs are missing
    con.close()
    app = create_app(WebConfig(db_path=path, secret_key="s" * 20), world["ops"])
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        login(c, "viewer")
        r = c.get("/api/people/p1")
        assert r.status_code == 503 and "rebuild" in r.json()["detail"]
        r = c.get("/people/p1")
        assert r.status_code == 503 and "Not available" in r.text
    app2 = create_app(WebConfig(db_path=tmp_path / "missing.duckdb", secret_key="s" * 20),
                      world["ops"])
    with TestClient(app2, base_url="http://127.0.0.1", client=LOCAL) as c:
        login(c, "viewer")
        assert c.get("/api/search?q=x").status_code == 503
        assert c.get("/").status_code == 200  # the dashboard says what is missing instead


def _saved_cookie(c: TestClient) -> str:
    return c.cookies.get("tg_session")


def _with_cookie(app, cookie: str) -> TestClient:
    other = TestClient(app, base_url="http://127.0.0.1", client=LOCAL)
    other.cookies.set("tg_session", cookie)
    return other


def test_a_cookie_saved_before_logout_no_longer_works(app, client_for) -> None:
    c = client_for("hiring_manager")
    saved = _saved_cookie(c)
    with _with_cookie(app, saved) as thief:
        assert thief.get("/api/me").status_code == 200
        r = c.post("/logout", data={"csrf_token": c.headers["X-CSRF-Token"]},
                   follow_redirects=False)
        assert r.status_code == 303
        thief.cookies.set("tg_session", saved)
        assert thief.get("/api/me").status_code == 401


def test_password_change_and_disabling_end_sessions(app, client_for, world: dict) -> None:
    from talentgraph.ops import users

    ops = world["ops"]
    with ops.session() as s:
        admin = users.actor_for(users.get_user(s, "admin"))
        users.create_user(s, admin, "temp_viewer", "temp-viewer-pw", "viewer")
    c = TestClient(app, base_url="http://127.0.0.1", client=LOCAL)
    login(c, "temp_viewer", "temp-viewer-pw")
    saved = _saved_cookie(c)
    with ops.session() as s:
        users.set_password(s, admin, "temp_viewer", "temp-viewer-pw2")
    assert c.get("/api/me").status_code == 401
    c.headers.pop("X-CSRF-Token")
    login(c, "temp_viewer", "temp-viewer-pw2")
    assert c.get("/api/me").status_code == 200
    with ops.session() as s:
        users.set_active(s, admin, "temp_viewer", False)
        users.set_active(s, admin, "temp_viewer", True)  # back again: old sessions stay ended
    assert c.get("/api/me").status_code == 401
    with _with_cookie(app, saved) as old:
        assert old.get("/api/me").status_code == 401
    c.close()


def test_a_refusal_is_audited_once(client_for, world: dict) -> None:
    from sqlalchemy import func, select

    from talentgraph.ops.models import AuditEntry

    def last_id() -> int:
        with world["ops"].session() as s:
            return s.scalar(select(func.max(AuditEntry.id)))

    c = client_for("viewer")
    before = last_id()
    assert c.get("/api/retention").status_code == 403
    with world["ops"].session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.id > before)).all()
    assert [(r.action, r.object_id) for r in rows] == [("access.denied", "/api/retention")]
    assert rows[0].details["operation"]  # what the service layer refused is in that one row


def test_database_errors_are_user_errors_not_500s(client_for, monkeypatch) -> None:
    """A clash in the ops store (what a concurrent change produces) used to be a 500 in the web
    app; the store's session now turns it into the same error the CLI shows."""
    from sqlalchemy import text

    from talentgraph.ops.models import User
    from talentgraph.web import views

    c = client_for("viewer")

    def clash(ctx, *_):  # noqa: ANN001, ANN202
        ctx.s.add(User(username="viewer", display_name="twin", role="viewer",
                       password_hash="x", active=True))
        return {}

    monkeypatch.setattr(views, "dashboard", clash)
    r = c.get("/api/dashboard")
    assert r.status_code == 422 and "conflicts" in r.json()["detail"], r.text

    def broken(ctx, *_):  # noqa: ANN001, ANN202
        ctx.s.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(views, "dashboard", broken)
    r = c.get("/api/dashboard")
    assert r.status_code == 503 and "cannot be reached or used" in r.json()["detail"], r.text
