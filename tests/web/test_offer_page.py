"""What the approver sees on an offer (issue #15 item 2) and how a rival's private equity is
valued (one rule in the core for CLI, web and API: issue #16)."""

from __future__ import annotations

import re

from talentgraph.ops import offer_service
from talentgraph.ops.compstore import package_from_json, package_to_json


def _candidate(c, name: str) -> int:  # noqa: ANN001
    r = c.post("/api/candidates", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_offer_page_shows_name_bonus_rival_on_paper_and_discounted_and_dossier(client_for
                                                                              ) -> None:
    ex = client_for("executive")
    cid = _candidate(ex, "Paula Approver-Sees")
    form = {"candidate_id": str(cid), "level": "L5", "currency": "USD", "years": "4",
            "beat": "1", "rival_company": "OpenAI", "rival_base": "250000",
            "rival_equity": "2000000", "rival_vesting": "cliff_monthly",
            "rival_private_discount_pct": "40", "rival_liquidity_probability": "80",
            "rival_years_to_liquidity": "3",
            "dossier": "First author of three orals on reward modelling; see the dossier.",
            "csrf_token": ex.headers["X-CSRF-Token"]}
    r = ex.post("/offers", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    oid = int(r.headers["location"].rsplit("/", 1)[1])
    o = ex.get(f"/api/offers/{oid}").json()
    # the smallest package beating theirs carries a bonus amount, not a percent
    assert o["package"]["bonus_amount"] and o["package"]["bonus_pct"] is None
    assert o["bonus"]["amount"] == float(o["package"]["bonus_amount"]) > 0
    rival = o["rival"]
    assert rival["company"] == "OpenAI" and rival["private"]
    assert rival["total_paper"] > rival["total_counted"]
    assert rival["equity_paper"] == 2000000 and rival["equity_counted"] < 2000000
    assert rival["assumptions"]["discount_pct"] == 40
    assert rival["assumptions"]["liquidity_probability_pct"] == 80
    assert rival["assumptions"]["years_to_liquidity"] == 3
    assert rival["beats_counted"] and not rival["beats_paper"]

    html = ex.get(f"/offers/{oid}").text
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Paula Approver-Sees" in text and f"candidate #{cid}" not in text
    assert "bonus 0%" not in text
    assert f"bonus {o['bonus']['amount']:,.0f} USD" in " ".join(text.split())
    assert "2,000,000 USD on paper" in text and "On paper" in text and "Discounted" in text
    assert "discount 40%, liquidity probability 80%, 3 years to liquidity" in text
    assert "does not beat the paper total" in text
    assert "Dossier justifying the offer without interviews" in text
    assert "three orals on reward modelling" in text
    listing = ex.get("/offers").text
    assert "Paula Approver-Sees" in listing and f">#{cid}<" not in listing


def test_a_private_rival_is_valued_by_the_policy_in_the_api_and_the_form(client_for,
                                                                        world) -> None:
    ex = client_for("executive")
    cid = _candidate(ex, "Quentin Same-Value")
    competing = {"company": "Startup", "base": 200000, "equity": 1000000, "private": True}
    r = ex.post("/api/offers", json={"candidate_id": cid, "level": "L5", "competing": competing,
                                     "dossier": "strong record"})
    assert r.status_code == 201, r.text
    api_rival = r.json()["rival"]
    # no discount given: the offer policy's (50%, 4 years to liquidity) applies, as in the CLI
    assert api_rival["assumptions"]["discount_pct"] == 50
    assert api_rival["assumptions"]["years_to_liquidity"] == 4
    form = {"candidate_id": str(cid), "level": "L5", "currency": "USD", "years": "4",
            "beat": "1", "rival_company": "Startup", "rival_base": "200000",
            "rival_equity": "1000000", "rival_private": "1", "dossier": "strong record",
            "csrf_token": ex.headers["X-CSRF-Token"]}
    r = ex.post("/offers", data=form, follow_redirects=False)
    oid = int(r.headers["location"].rsplit("/", 1)[1])
    form_rival = ex.get(f"/api/offers/{oid}").json()["rival"]
    assert form_rival["total_counted"] == api_rival["total_counted"]
    assert form_rival["total_counted"] < form_rival["total_paper"]
    # and the core function the CLI calls gives the same package
    with world["ops"].session() as s:
        core = offer_service.rival_package(s, "USD", 200000, private=True, equity=1000000,
                                           label="Startup")
        stored = offer_service._competing(s, form_rival["id"]).package
    assert package_from_json(stored).valuation == core.valuation
    assert package_to_json(core)["valuation"] == stored["valuation"]
