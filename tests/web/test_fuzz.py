"""The API fuzzed with schemathesis (in-process ASGI): no input gives a 500, for a logged-in
executive (who may do nearly everything) with a valid CSRF token. Bounded examples per operation
so the suite stays fast."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


FIELD = st.one_of(st.text(max_size=12), st.integers(-10**15, 10**15).map(str),
                  st.decimals(allow_nan=True, allow_infinity=True).map(str),
                  st.sampled_from(["", " ", "1e400", "NaN", "-0", "1,000", "0.5", "100"]))
VESTING = st.sampled_from(["cliff_monthly", "monthly", "front_loaded", "custom", "bogus", ""])


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(data=st.fixed_dictionaries({
    "level": st.sampled_from(["L5", "", "L9"]), "currency": st.sampled_from(["USD", "EUR", "x"]),
    "years": FIELD, "beat": st.sampled_from(["", "1"]), "rival_company": st.text(max_size=8),
    **{f"{side}_{k}": FIELD for side in ("our", "rival")
       for k in ("base", "bonus_pct", "sign_on", "equity", "refresher")},
    **{f"rival_{k}": FIELD for k in ("private_discount_pct", "liquidity_probability",
                                     "years_to_liquidity")},
    "our_vesting": VESTING, "rival_vesting": VESTING, "dossier": st.sampled_from(["", "d"]),
}))
def test_offer_form_never_fails_with_a_server_error(data, comp_client, world) -> None:
    form = {**data, "candidate_id": str(world["ids"]["carla"]),
            "csrf_token": comp_client.headers["X-CSRF-Token"]}
    r = comp_client.post("/offers", data=form, follow_redirects=False)
    assert r.status_code in (303, 422, 400), (r.status_code, data, r.text[:500])


@pytest.fixture(scope="module")
def comp_client(app):
    from fastapi.testclient import TestClient

    from .conftest import login

    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as c:
        yield login(c, "comp_partner")
