"""/counter-offers lists the open counter-offers and the people holding a rival offer without
an employee picked first; /retention names the rival offer among the reasons (issue #15.4)."""

from __future__ import annotations

import re


def test_open_counters_and_rival_holders_without_picking_an_employee(client_for) -> None:
    ex = client_for("executive")
    rival = ex.post("/api/counter-offers/rivals", json={
        "email": "ada@ourlab.example",
        "competing": {"company": "Overview Labs", "base": 330000, "equity": 900000}})
    assert rival.status_code == 201, rival.text
    counter = ex.post("/api/counter-offers", json={"competing_offer_id": rival.json()["id"]})
    assert counter.status_code == 201, counter.text
    cid = counter.json()["id"]

    cp = client_for("comp_partner")
    html = cp.get("/counter-offers").text  # no ?email=
    open_part = html.split('id="open-counters"', 1)[1].split("</section>", 1)[0]
    assert f'href="/counter-offers/{cid}"' in open_part and "Ada Quill" in open_part
    assert "Overview Labs" in open_part
    holders = html.split('id="rival-holders"', 1)[1].split("</section>", 1)[0]
    assert "Ada Quill" in holders and "awaiting decision" in holders
    api = cp.get("/api/counter-offers").json()
    assert cid in [o["id"] for o in api["open"]]

    risk = cp.get("/api/retention").json()
    ada = next(r for r in risk if r["name"] == "Ada Quill")
    assert ada["reasons"][0]["factor"] == "rival_offer"
    assert "Overview Labs" in ada["reasons"][0]["detail"]
    assert risk[0]["name"] == "Ada Quill"
    page = re.sub(r"<[^>]+>", " ", cp.get("/retention").text)
    assert re.search(r"holds a competing offer: [^\n]*Overview Labs \(", page)
    assert "a counter-offer against Overview Labs awaits our decision" in page
