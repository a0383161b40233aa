"""Every page and API read, tried by every role: allowed where the ops permission matrix allows
it, 403 (and an audit entry) where it does not. Pay data never reaches a contract recruiter."""

from __future__ import annotations

import pytest

from talentgraph.ops.permissions import Op, Role, allowed

from .seed import ROLES

# (url template, the op that gates it or None for every logged-in user)
PAGES = [
    ("/", None), ("/flows", None), ("/cohort?org=OpenAI&year_from=2019&year_to=2021", None),
    ("/people?q=Eve+Fong", None), ("/people/{eve}", None), ("/search?q=diffusion+models", None),
    ("/people/{eve}/dossier", None), ("/people/{eve}/dossier/document", None),
    ("/pipeline", Op.CANDIDATE_VIEW), ("/candidates/{carla}", Op.CANDIDATE_VIEW),
    ("/offers", Op.OFFER_VIEW), ("/offers/new", Op.OFFER_BUILD), ("/retention", Op.RISK_VIEW),
    ("/outreach", Op.OUTREACH_WRITE), ("/audit", Op.AUDIT_VIEW), ("/admin/users", Op.USER_ADMIN),
]
API = [
    ("/api/me", None), ("/api/dashboard", None), ("/api/flows?year_from=2019&year_to=2024", None),
    ("/api/cohort?org=OpenAI&year_from=2019&year_to=2021", None), ("/api/people?q=Eve+Fong", None),
    ("/api/people/{eve}", None), ("/api/people/{eve}/dossier", None),
    ("/api/search?q=diffusion+models", None), ("/api/candidates", Op.CANDIDATE_VIEW),
    ("/api/candidates/{carla}", Op.CANDIDATE_VIEW), ("/api/offers", Op.OFFER_VIEW),
    ("/api/retention", Op.RISK_VIEW), ("/api/outreach/letters?candidate_id={carla}",
                                        Op.OUTREACH_VIEW),
    ("/api/audit", Op.AUDIT_VIEW), ("/api/users", Op.USER_LIST),
]


def _expected(role: str, url: str, op: Op | None) -> int:
    if op is None or allowed(Role(role), op):
        # a contract recruiter sees only assigned candidates: Carla is not theirs
        if role == "contract_recruiter" and "{carla}" in url:
            return 403
        return 200
    return 403


def _url(template: str, world: dict) -> str:
    return template.format(eve=world["people"]["Eve Fong"], carla=world["ids"]["carla"])


@pytest.mark.parametrize("role", ROLES)
def test_every_page_per_role(role: str, client_for, world: dict) -> None:
    c = client_for(role)
    for template, op in PAGES:
        r = c.get(_url(template, world))
        assert r.status_code == _expected(role, template, op), (role, template, r.text[:500])
        if r.status_code == 403:
            assert "Not allowed" in r.text and "may not" in r.text or "not assigned" in r.text


@pytest.mark.parametrize("role", ROLES)
def test_every_api_read_per_role(role: str, client_for, world: dict) -> None:
    c = client_for(role)
    for template, op in API:
        r = c.get(_url(template, world))
        assert r.status_code == _expected(role, template, op), (role, template, r.text[:500])


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


def test_refusals_are_in_the_audit_log(client_for) -> None:
    client_for("contract_recruiter").get("/api/retention")
    rows = client_for("admin").get("/api/audit?action=access.denied").json()
    assert any(r["username"] == "contract_recruiter" and r["object_id"] == "/api/retention"
               and r["source"] == "127.0.0.1" for r in rows)
