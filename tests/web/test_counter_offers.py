"""The counter-offer page and API: an employee's competing offer, the options the policy allows,
the decision; pay data for compensation partners and executives only."""

from __future__ import annotations

import re

from .conftest import csrf_of

RIVAL = {"company": "OpenAI", "base": 260000, "equity": 1200000, "vesting": "cliff_monthly"}


def test_comp_partner_records_a_rival_offer_and_decides_in_the_page(client_for) -> None:
    c = client_for("comp_partner")
    page = c.get("/counter-offers")
    assert page.status_code == 200 and "eve@ourlab.example" in page.text
    page = c.get("/counter-offers", params={"email": "eve@ourlab.example"})
    assert "Record a competing offer" in page.text
    token = csrf_of(page.text)
    r = c.post("/counter-offers/rivals", data={
        "csrf_token": token, "email": "eve@ourlab.example", "rival_company": "OpenAI",
        "currency": "USD", "years": "4", "rival_base": "260000", "rival_equity": "1200000",
        "rival_vesting": "cliff_monthly"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"])
    rival_id = re.search(r'name="competing_offer_id" value="(\d+)"', page.text).group(1)
    r = c.post("/counter-offers", data={"csrf_token": token, "competing_offer_id": rival_id,
                                        "years": "4", "margin_pct": "0"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    detail = c.get(r.headers["location"])
    assert detail.status_code == 200 and "Uplift" in detail.text and "Decide" in detail.text
    r = c.post(r.headers["location"] + "/decision", data={
        "csrf_token": token, "option": "none", "note": "she stays anyway"},
        follow_redirects=False)
    assert r.status_code == 303
    assert "no counter" in c.get(r.headers["location"]).text
    # no form without the token
    assert c.post("/counter-offers", data={"competing_offer_id": rival_id},
                  headers={"X-CSRF-Token": "wrong"}).status_code == 403


def test_counter_offer_api(client_for) -> None:
    c = client_for("executive")
    rival = c.post("/api/counter-offers/rivals", json={
        "email": "ada@ourlab.example", "competing": RIVAL})
    assert rival.status_code == 201, rival.text
    listed = c.get("/api/counter-offers/rivals", params={"email": "ada@ourlab.example"}).json()
    assert rival.json()["id"] in [x["id"] for x in listed]
    built = c.post("/api/counter-offers", json={"competing_offer_id": rival.json()["id"]})
    assert built.status_code == 201, built.text
    d = built.json()
    assert d["options"] and d["decision"] is None
    decided = c.post(f"/api/counter-offers/{d['id']}/decision", json={"option": 1})
    assert decided.status_code == 200 and decided.json()["decision"] == "counter"
    assert c.get(f"/api/counter-offers/{d['id']}").json()["chosen"]["name"]
    again = c.post(f"/api/counter-offers/{d['id']}/decision", json={"option": None})
    assert again.status_code == 422  # already decided


def test_no_pay_data_for_recruiters(client_for) -> None:
    for role in ("recruiter", "contract_recruiter", "hiring_manager"):
        c = client_for(role)
        assert c.get("/counter-offers").status_code == 403
        assert "/counter-offers" not in c.get("/").text  # not in the navigation
        r = c.get("/api/counter-offers/rivals", params={"email": "eve@ourlab.example"})
        assert r.status_code == 403
        assert c.post("/api/counter-offers", json={"competing_offer_id": 1}).status_code == 403
