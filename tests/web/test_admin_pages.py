"""Admin in the web app (issue #15 item 9): the Users page gives a new account the least
privileged role, disables users and changes roles (audited); requisitions, bands and roster have
pages that call the same core services and permission checks as the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from talentgraph.ops.db import OpsStore
from talentgraph.ops.models import AuditEntry, Requisition, User
from talentgraph.ops.permissions import MATRIX, Role
from talentgraph.web import WebConfig, create_app

from .conftest import LOCAL, csrf_of, login
from .seed import seed

BANDS = ("company,level,currency,source,as_of,base_min,base_max,bonus_min,bonus_max,"
         "equity_per_year_min,equity_per_year_max,sign_on_min,sign_on_max\n"
         "Anthropic,L5,USD,survey,2026-02-01,210000,290000,0,0,150000,400000,0,50000\n")
ROSTER = ("name,email,team,level,start_date,base,bonus,currency,person_id\n"
          "Nia Newhire,nia@ourlab.example,genai,L4,2026-01-05,170000,10000,USD,\n")


@pytest.fixture(scope="module")
def own(world: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """An app on the built world with an operational store of its own: these tests add
    requisitions, users and employees that the shared store's tests do not expect."""
    root = tmp_path_factory.mktemp("admin")
    ops = OpsStore(f"sqlite:///{root / 'ops.sqlite'}", create=True)
    seed(ops, root, world["people"])
    app = create_app(WebConfig(db_path=world["db"], ops_url=str(ops.engine.url),
                               secret_key="admin-test-key"), ops)
    yield {"app": app, "ops": ops}
    ops.dispose()


@pytest.fixture
def as_role(own: dict) -> Iterator[Callable[[str], TestClient]]:
    made: list[TestClient] = []

    def make(role: str, pw: str | None = None) -> TestClient:
        c = TestClient(own["app"], base_url="http://127.0.0.1", client=LOCAL)
        made.append(c)
        return login(c, role, pw)

    yield make
    for c in made:
        c.close()


def _form(c: TestClient, url: str, data: dict, **kw) -> object:  # noqa: ANN003
    return c.post(url, data={**data, "csrf_token": c.headers["X-CSRF-Token"]},
                  follow_redirects=False, **kw)


def test_a_new_user_defaults_to_the_least_privileged_role(as_role) -> None:  # noqa: ANN001
    html = as_role("admin").get("/admin/users").text
    add = html.split("<h2>Add a user</h2>", 1)[1]
    (default,) = re.findall(r"<option selected>(\w+)</option>", add)
    # least privileged, checked against the matrix: every other role may do all it may do
    allowed = {r: {op for op, roles in MATRIX.items() if r in roles} for r in Role}
    assert all(allowed[Role(default)] <= allowed[r] for r in Role), default
    assert default == "viewer"


def test_admin_disables_a_user_and_changes_a_role_audited(as_role, own) -> None:  # noqa: ANN001
    admin = as_role("admin")
    r = _form(admin, "/admin/users", {"username": "temp", "password": "temp-pass-1234",
                                      "role": "viewer", "display_name": "Tem Porary"})
    assert r.status_code == 303, r.text
    temp = as_role("temp", "temp-pass-1234")
    assert temp.get("/api/me").status_code == 200

    r = _form(admin, "/admin/users/temp/role", {"role": "recruiter"})
    assert r.status_code == 303, r.text
    assert temp.get("/api/me").json()["role"] == "recruiter"  # at the next request
    r = _form(admin, "/admin/users/temp/active", {"active": "0"})
    assert r.status_code == 303
    assert temp.get("/api/me").status_code == 401
    page = admin.get("/admin/users").text
    row = page.split('data-user="temp"', 1)[1].split("</tr>", 1)[0]
    assert "<td>recruiter</td><td>no</td>" in row and "Enable" in row
    with own["ops"].session() as s:
        uid = s.scalar(select(User.id).where(User.username == "temp"))
        acts = {(a.action, a.details.get("new")) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "user",
                                     AuditEntry.object_id == str(uid)))}
    assert ("user.role", "recruiter") in acts and ("user.disable", None) in acts
    # the last admin is not disabled; others may not administer users at all
    r = _form(admin, "/admin/users/admin/active", {"active": "0"})
    assert r.status_code == 422 and "last active admin" in r.text
    ex = as_role("executive")
    assert _form(ex, "/admin/users/temp/role", {"role": "admin"}).status_code == 403
    assert ex.post("/api/users/temp/active", json={"active": True}).status_code == 403
    assert admin.post("/api/users/temp/active", json={"active": True}).json()["active"]


def test_requisitions_page_opens_and_sets_status(as_role, own) -> None:  # noqa: ANN001
    lead = as_role("recruiting_lead")
    r = _form(lead, "/requisitions", {"title": "Research engineer, evals", "team": "genai",
                                      "level": "L4", "headcount": "2",
                                      "open_date": "2026-02-01", "plan_id": ""})
    assert r.status_code == 303, r.text
    with own["ops"].session() as s:
        rid = s.scalar(select(Requisition.id).where(
            Requisition.title == "Research engineer, evals"))
    assert _form(lead, f"/requisitions/{rid}/status", {"status": "on_hold"}).status_code == 303
    page = as_role("viewer").get("/requisitions").text  # everyone may see requisitions
    assert "Research engineer, evals" in page and "on_hold" in page
    assert 'action="/requisitions"' not in page  # but not open one
    assert _form(as_role("viewer"), "/requisitions", {"title": "x", "team": "t", "level": "L",
                                                      "headcount": "1"}).status_code == 403
    bad = _form(lead, "/requisitions", {"title": "Bad", "team": "t", "level": "L5",
                                        "headcount": "1", "open_date": "31/01/2026"})
    assert bad.status_code == 422 and "open date: a date such as" in bad.text
    api = lead.get("/api/requisitions").json()
    assert any(r["id"] == rid and r["status"] == "on_hold" for r in api["rows"])


def test_bands_and_roster_pages_import_csv_with_the_core(as_role) -> None:  # noqa: ANN001
    cp = as_role("comp_partner")
    page = cp.get("/bands").text
    assert "Google DeepMind" in page and "Import bands" in page
    r = cp.post("/bands", data={"csrf_token": csrf_of(page)},
                files={"bands": ("bands-feb.csv", BANDS.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    assert "bands-feb.csv: 1 new, 0 updated, 0 unchanged" in r.text and "Anthropic" in r.text
    bad = cp.post("/bands", data={"csrf_token": csrf_of(page)}, files={
        "bands": ("broken.csv", BANDS.replace("210000", "-5").encode(), "text/csv")})
    assert bad.status_code == 422 and "nothing imported" in bad.text
    assert "broken.csv, row 2" in bad.text and "tg_import_" not in bad.text

    page = cp.get("/roster").text
    assert "Eve Fong" in page
    r = cp.post("/roster", data={"csrf_token": csrf_of(page)},
                files={"roster": ("roster.csv", ROSTER.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    assert "Nia Newhire" in r.text and "1 new" in r.text
    assert any(e["name"] == "Nia Newhire" for e in cp.get("/api/roster").json())
    # pay data: compensation partners and executives only, as in the CLI
    for role in ("recruiter", "viewer", "admin"):
        c = as_role(role)
        assert c.get("/bands").status_code == 403 and c.get("/roster").status_code == 403
        assert c.get("/api/bands").status_code == 403
        assert "/roster" not in c.get("/").text
