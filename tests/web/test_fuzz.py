"""The API fuzzed with schemathesis (in-process ASGI): no input gives a 500, for a logged-in
executive (who may do nearly everything) with a valid CSRF token. Bounded examples per operation
so the suite stays fast."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from .conftest import LOCAL, csrf_of


@pytest.fixture(scope="session")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


@pytest.fixture(scope="session")
def auth_headers(app) -> dict[str, str]:
    from fastapi.testclient import TestClient

    from .seed import password

    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        token = csrf_of(c.get("/login").text)
        c.post("/login", data={"username": "executive", "password": password("executive"),
                               "csrf_token": token})
        me = c.get("/api/me").json()
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    return {"Cookie": cookie, "X-CSRF-Token": me["csrf_token"]}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, auth_headers) -> None:
    response = case.call(headers=auth_headers)
    assert response.status_code < 500, (case.method, case.formatted_path, case.query,
                                        case.body, response.text[:1000])
    # logged in: never asked to log in again
    assert response.status_code != 401, response.text[:300]
