"""Every page and API read, tried by every role: allowed where the ops permission matrix allows
it, 403 (and an audit entry) where it does not. Pay data never reaches a contract recruiter."""

from __future__ import annotations

import pytest

from .seed import ROLES

# Who may open what, written out by hand from the product's role descriptions (as
# tests/ops/test_permissions.py does for the services), not read from the permission matrix: a
# wrong matrix must make these tests fail.
E, RL, R, CR, HM, CP, V, A = ("executive", "recruiting_lead", "recruiter", "contract_recruiter",
                              "hiring_manager", "comp_partner", "viewer", "admin")
ALL = {E, RL, R, CR, HM, CP, V, A}
CANDIDATES = {E, RL, R, CR, HM, CP}   # personal data of candidates
RECRUITING = {E, RL, R, CR}           # outreach
PAY = {E, CP}                         # offers, retention (pay against band)
AUDIT = {A, E}

# (url template, the roles that get 200; everyone else gets 403)
PAGES = [
    ("/", ALL), ("/flows", ALL), ("/cohort?org=OpenAI&year_from=2019&year_to=2021", ALL),
    ("/people?q=Eve+Fong", ALL), ("/people/{eve}", ALL), ("/search?q=diffusion+models", ALL),
    ("/people/{eve}/dossier", ALL), ("/people/{eve}/dossier/document", ALL),
    ("/pipeline", CANDIDATES), ("/candidates/{carla}", CANDIDATES - {CR}),  # not assigned
    ("/offers", PAY), ("/offers/new", PAY), ("/retention", PAY),
    ("/outreach", RECRUITING), ("/audit", AUDIT), ("/admin/users", {A}),
]
API = [
    ("/api/me", ALL), ("/api/dashboard", ALL), ("/api/flows?year_from=2019&year_to=2024", ALL),
    ("/api/cohort?org=OpenAI&year_from=2019&year_to=2021", ALL), ("/api/people?q=Eve+Fong", ALL),
    ("/api/people/{eve}", ALL), ("/api/people/{eve}/dossier", ALL),
    ("/api/search?q=diffusion+models", ALL), ("/api/candidates", CANDIDATES),
    ("/api/candidates/{carla}", CANDIDATES - {CR}), ("/api/offers", PAY),
    ("/api/retention", PAY), ("/api/outreach/letters?candidate_id={carla}", RECRUITING - {CR}),
    ("/api/audit", AUDIT), ("/api/users", {A, E, RL}),
]


def test_the_table_names_every_role() -> None:
    assert set(ROLES) == ALL


def _expected(role: str, allowed_roles: set[str]) -> int:
    return 200 if role in allowed_roles else 403


def _url(template: str, world: dict) -> str:
    return template.format(eve=world["people"]["Eve Fong"], carla=world["ids"]["carla"])


@pytest.mark.parametrize("role", ROLES)
def test_every_page_per_role(role: str, client_for, world: dict) -> None:
    c = client_for(role)
    for template, roles in PAGES:
        r = c.get(_url(template, world))
        assert r.status_code == _expected(role, roles), (role, template, r.text[:500])
        if r.status_code == 403:
            assert "Not allowed" in r.text and "may not" in r.text or "not assigned" in r.text


@pytest.mark.parametrize("role", ROLES)
def test_every_api_read_per_role(role: str, client_for, world: dict) -> None:
    c = client_for(role)
    for template, roles in API:
        r = c.get(_url(template, world))
        assert r.status_code == _expected(role, roles), (role, template, r.text[:500])


def test_navigation_shows_only_what_the_role_may_open(client_for) -> None:
    html = client_for("contract_recruiter").get("/").text
    assert 'href="/pipeline"' in html and 'href="/outreach"' in html
    for hidden in ('href="/offers"', 'href="/retention"', 'href="/audit"'):
        assert hidden not in html
    html = client_for("comp_partner").get("/").text
    assert 'href="/offers"' in html and 'href="/retention"' in html


def test_contract_recruiter_never_gets_pay_data(client_for, world: dict) -> None:
    c = client_for("contract_recruiter")
    bo = world["ids"]["bo"]
    # page and API: the offer builder, offers, retention (pay against band), the roster
    assert c.get(f"/offers/new?candidate_id={bo}").status_code == 403
    assert c.get("/api/offers").status_code == 403
    assert c.get("/api/retention").status_code == 403
    r = c.post("/api/offers", json={"candidate_id": bo, "level": "L5",
                                    "ours": {"base": 200000}, "dossier": "x"})
    assert r.status_code == 403 and "may not offer.build" in r.json()["detail"]
    r = c.post("/offers", data={"candidate_id": str(bo), "level": "L5", "our_base": "200000",
                                "csrf_token": c.headers["X-CSRF-Token"]})
    assert r.status_code == 403
    # their own candidate: visible, but without offers (pay) attached
    d = c.get(f"/api/candidates/{bo}").json()
    assert d["name"] == "Bo Chen" and d["offers"] is None
    page = c.get(f"/candidates/{bo}").text
    assert "Build an offer" not in page
    # only their assigned candidates in the pipeline
    names = [x["name"] for xs in c.get("/api/candidates").json()["board"].values() for x in xs]
    assert "Bo Chen" in names and "Carla Diaz" not in names


def test_refusals_are_in_the_audit_log(client_for, audit_mark: int) -> None:
    client_for("contract_recruiter").get("/api/retention")
    rows = client_for("admin").get("/api/audit?action=access.denied").json()
    mine = [r for r in rows if r["id"] > audit_mark]
    assert [(r["username"], r["object_id"], r["source"]) for r in mine] == [
        ("contract_recruiter", "/api/retention", "127.0.0.1")]
