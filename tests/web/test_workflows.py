"""What the pages and the API show, end to end on the built world: search with reasons, a
profile with moves and evidence, flows, a cohort, the pipeline board, an offer against a rival's,
a letter."""

from __future__ import annotations

RIVAL = {"company": "OpenAI", "base": 250000, "equity": 2000000, "vesting": "cliff_monthly",
         "private_discount_pct": 40, "liquidity_probability": 0.8, "years_to_liquidity": 3}


def test_search_ranks_with_reasons(client_for) -> None:
    c = client_for("recruiter")
    r = c.get("/api/search", params={"q": "reinforcement learning from human feedback"}).json()
    names = [p["name"] for p in r["people"]]
    assert names[0] in ("Ada Quill", "Eve Fong", "Gus Hale")  # the RLHF team
    assert "Dan Eberhardt" not in names[:3]  # he writes on diffusion only
    top = r["people"][0]
    # the learned ranking (sourcing/learned.py) when its model ships: each score split into its
    # features' effects; else the hand-tuned components
    html = c.get("/search", params={"q": "reinforcement learning from human feedback"}).text
    if r["ranker"] == "learned":
        assert {c["name"] for c in top["components"]} & {"topic_all", "topic_3y"}
        assert all(c["evidence"].startswith(("raises the score", "lowers the score"))
                   for c in top["components"])
        assert "what moved the score" in html
    else:
        assert {c["name"] for c in top["components"]} >= {"expertise", "impact", "mobility"}
        assert "expertise" in html
    assert top["top_papers"] and "human feedback" in top["top_papers"][0]["title"].lower()
    assert "Why this rank" in html and names[0] in html and top["career_stage"] in html
    # filters narrow the list, by the careers timeline
    at = c.get("/api/search", params={"q": "human feedback", "at": "Anthropic"}).json()
    assert [p["name"] for p in at["people"]] == ["Gus Hale"]
    # htmx asks for the results fragment only
    frag = c.get("/search", params={"q": "diffusion"}, headers={"HX-Request": "true"}).text
    assert "<html" not in frag and "Dan Eberhardt" in frag


def test_profile_shows_timeline_moves_evidence_papers_coauthors(client_for, world) -> None:
    c = client_for("viewer")
    bo = world["people"]["Bo Chen"]
    d = c.get(f"/api/people/{bo}").json()
    assert d["person"]["canonical_name"] == "Bo Chen"
    assert [m["to_org"] for m in d["moves"]] == ["OpenAI"]
    assert d["move_evidence"] and {e["side"] for e in d["move_evidence"]} >= {"from", "to"}
    assert {x["name"] for x in d["coauthors"]} >= {"Eve Fong", "Dan Eberhardt"}
    assert len(d["papers"]) == 24
    assert d["charts"]["timeline"]["mark"]["type"] == "bar"
    html = c.get(f"/people/{bo}").text
    assert "Affiliation timeline" in html and "OpenAI" in html and 'data-chart="timeline"' in html
    assert c.get("/people/nobody-here").status_code == 404
    found = c.get("/api/people", params={"q": "Chen"}).json()
    assert found[0]["person_id"] == bo


def test_flows_rolled_up_or_not(client_for) -> None:
    c = client_for("viewer")
    up = c.get("/api/flows", params={"year_from": 2019, "year_to": 2024,
                                     "org": "Google DeepMind"}).json()
    pairs = {(f["from_org"], f["to_org"]) for f in up["top_flows"]}
    assert ("Alphabet", "OpenAI") in pairs and ("Alphabet", "Anthropic") in pairs
    apart = c.get("/api/flows", params={"year_from": 2019, "year_to": 2024,
                                        "rollup": "false"}).json()
    assert ("DeepMind", "OpenAI") in {(f["from_org"], f["to_org"]) for f in apart["top_flows"]}
    html = c.get("/flows?year_from=2019&year_to=2024").text
    assert 'data-chart="pairs"' in html and 'data-chart="net"' in html
    assert ">Bo Chen</a>" in html  # people by name, linked to their profiles
    bad = c.get("/api/flows", params={"year_from": 2024, "year_to": 2019})
    assert bad.status_code == 422 and "after" in bad.json()["detail"]


def test_cohort_of_a_paper_says_who_left(client_for) -> None:
    c = client_for("viewer")
    d = c.get("/api/cohort", params={"paper": "Diffusion models: study 1 of 2020"}).json()
    by = {m["name"]: m for m in d["members"]}
    assert by["Bo Chen"]["status"] == "left" and by["Bo Chen"]["to"] == "OpenAI"
    assert d["summary"]["sentence"].startswith("At least 1 of 3 have left")
    html = c.get("/cohort", params={"paper": "Diffusion models: study 1 of 2020"}).text
    assert "At least 1 of 3" in html and "left" in html


def test_dashboard_shows_plan_funnel_and_our_moves(client_for) -> None:
    d = client_for("hiring_manager").get("/api/dashboard").json()
    # the seed's requisition of 10 (other tests, the API fuzz among them, may open more)
    seeded = next(r for r in d["requisitions"] if r["title"] == "Research Scientist, RLHF")
    assert seeded["target"] == 10 and sum(d["funnel"].values()) >= 2  # Bo and Carla
    assert d["totals"]["target"] == sum(r["target"] for r in d["requisitions"])
    assert d["moves"]["org"]["name"] in ("Google DeepMind", "Alphabet")
    html = client_for("hiring_manager").get("/").text
    assert "Hiring plan progress" in html and "Research Scientist, RLHF" in html


def test_pipeline_board_and_stage_move_with_htmx(client_for) -> None:
    c = client_for("recruiting_lead")
    cand = c.post("/api/candidates", json={"name": "Board Mover"}).json()
    r = c.post(f"/pipeline/{cand['id']}/stage", data={"stage": "contacted"},
               headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and "Board Mover" in r.text
    d = c.get(f"/api/candidates/{cand['id']}").json()
    assert d["stage"] == "contacted" and [h["to"] for h in d["history"]] == ["sourced",
                                                                             "contacted"]
    bad = c.post(f"/api/candidates/{cand['id']}/stage", json={"stage": "hired"})
    assert bad.status_code == 422 and "offer first" in bad.json()["detail"]


def test_offer_against_a_rival_year_by_year_then_approved(client_for, world) -> None:
    cp = client_for("comp_partner")
    carla = world["ids"]["carla"]  # interviewed: no exception needed
    r = cp.post("/api/offers", json={"candidate_id": carla, "level": "L5",
                                     "ours": {"base": 240000, "bonus_pct": 15,
                                              "equity": 600000, "sign_on": 50000},
                                     "competing": RIVAL})
    assert r.status_code == 201, r.text
    o = r.json()
    cmp = o["comparison"]
    assert cmp["company"] == "OpenAI" and len(cmp["years"]) == 4
    # ours, by hand: base 240k + 15% bonus (36k) + 600k equity over 4 years + 50k sign-on
    assert [y["total"] for y in o["yearly_totals"]] == [476000, 426000, 426000, 426000]
    assert o["total"] == 1754000
    # theirs: 250k base + 2M paper equity over 4 years, worth 60% (private discount 40%) x 80%
    # (liquidity probability) = 240k a year once liquid (year 3); less while they wait for it
    theirs = [y["theirs"] for y in cmp["years"]]
    assert theirs[2:] == [490000, 490000] and theirs[0] < theirs[1] < theirs[2]
    assert [y["ours"] for y in cmp["years"]] == [476000, 426000, 426000, 426000]
    assert all(y["diff"] == round(y["ours"] - y["theirs"], 2) for y in cmp["years"])
    assert cmp["total_diff"] == round(1754000 - sum(theirs), 2) < 0
    assert cmp["beats_by_margin"] is False  # ours is below theirs over four years
    assert o["chart"]["encoding"]["xOffset"]["field"] == "package"
    assert not o["without_interviews"] and o["status"] == "pending_approval"
    html = cp.get(f"/offers/{o['id']}").text
    assert "Year-by-year" in html and "OpenAI" in html and "Approve" not in html
    ex = client_for("executive")
    assert "Approve" in ex.get(f"/offers/{o['id']}").text
    r = ex.post(f"/offers/{o['id']}/decision", data={"decision": "approved",
                                                     "csrf_token": ex.headers["X-CSRF-Token"]})
    assert r.status_code == 200 and "approved" in r.text
    assert cp.post(f"/api/offers/{o['id']}/decision",
                   json={"decision": "approved"}).status_code == 403


def test_offer_without_interviews_needs_the_dossier(client_for, world) -> None:
    ex = client_for("executive")
    bo = world["ids"]["bo"]
    body = {"candidate_id": bo, "level": "L5", "competing": RIVAL}
    r = ex.post("/api/offers", json=body)
    assert r.status_code == 422 and "dossier" in r.json()["detail"]
    # the form builds the smallest in-band package that beats theirs
    form = {"candidate_id": str(bo), "level": "L5", "currency": "USD", "years": "4",
            "beat": "1", "rival_company": "OpenAI", "rival_base": "250000",
            "rival_equity": "2000000", "rival_vesting": "cliff_monthly",
            "rival_private_discount_pct": "40", "rival_liquidity_probability": "80",
            "rival_years_to_liquidity": "3",
            "dossier": "/people/x/dossier", "csrf_token": ex.headers["X-CSRF-Token"]}
    r = ex.post("/offers", data=form)
    assert r.status_code == 200, r.text
    assert "without interviews" in r.text and "Year-by-year" in r.text
    (built,) = [o for o in ex.get("/api/offers").json() if o["candidate_id"] == bo]
    cmp = built["comparison"]
    # beats theirs by the policy margin (5%), and only just: the smallest such package
    target = cmp["theirs"]["total"] * 1.05
    assert target <= cmp["ours"]["total"] < target * 1.005
    # inside our band (seed.py: Google DeepMind L5), each part of every year
    for y in built["yearly_totals"]:
        assert 180000 <= y["base"] <= 260000 and 15000 <= y["bonus"] <= 40000
        assert 50000 <= y["equity"] <= 200000 and 0 <= y["sign_on"] <= 80000
    bad = ex.post("/offers", data={**form, "rival_base": "lots"})
    assert bad.status_code == 422 and "rival base: a number" in bad.text


def test_outreach_letter_from_the_candidates_work(client_for, world) -> None:
    rec = client_for("recruiter")
    carla = world["ids"]["carla"]
    page = rec.get(f"/outreach?candidate_id={carla}").text
    assert 'name="signer"' in page
    r = rec.post("/api/outreach/letters", json={"candidate_id": carla, "signer": "executive"})
    assert r.status_code == 201, r.text
    letter = r.json()
    assert "Graph neural networks" in letter["subject"] + letter["body"]
    eml = rec.get(f"/outreach/letters/{letter['id']}/eml")
    assert eml.headers["content-type"].startswith("message/rfc822")
    assert b"Subject:" in eml.content
    r = rec.post("/api/outreach/letters", json={"candidate_id": carla, "signer": "recruiter"})
    assert r.status_code == 422 and "signed by an executive" in r.json()["detail"]


def test_retention_lists_reasons_for_pay_roles(client_for) -> None:
    rows = client_for("comp_partner").get("/api/retention").json()
    assert {r["name"] for r in rows} == {"Eve Fong", "Ada Quill"}
    assert all(r["reasons"] for r in rows)
    # pay against the market midpoint of L5, by hand from seed.py: the median of Google
    # DeepMind's 220k + 27.5k + 125k = 372.5k and OpenAI's 250k + 350k = 600k is 486,250; both
    # grants have fully vested, so yearly pay is base + bonus
    market = (372500 + 600000) / 2
    pay = {"Eve Fong": 210000 + 30000, "Ada Quill": 190000 + 20000}
    for r in rows:
        (gap,) = [x for x in r["reasons"] if x["factor"] == "pay_vs_band"]
        assert gap["value"] == round((market - pay[r["name"]]) / market, 4)
        assert f"{pay[r['name']]:,.2f} USD" in gap["detail"] and "486,250.00 USD" in gap["detail"]
    html = client_for("executive").get("/retention").text
    assert "Eve Fong" in html


def test_every_graph_read_and_change_is_audited_with_the_ip(client_for, world,
                                                           audit_mark: int) -> None:
    v = client_for("viewer")
    eve = world["people"]["Eve Fong"]
    v.get(f"/people/{eve}")
    rows = client_for("admin").get("/api/audit", params={"username": "viewer"}).json()
    mine = [r for r in rows if r["id"] > audit_mark]  # this test's rows, not the session's
    assert {(r["action"], r["object_id"]) for r in mine} >= {("graph.person.read", eve)}
    assert "user.login" in {r["action"] for r in mine}
    assert mine and {r["source"] for r in mine} == {"127.0.0.1"}
    assert "Audit log" in client_for("executive").get("/audit").text


def test_openapi_schema_lists_the_api(anon) -> None:
    schema = anon.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/search", "/api/people/{person_id}", "/api/offers", "/api/flows",
            "/api/cohort", "/api/retention", "/api/audit"} <= paths
    assert not any(p.startswith("/login") for p in paths)


def test_blank_form_fields_mean_not_given(client_for) -> None:
    c = client_for("executive")
    for url in ("/search?q=diffusion&at=&not_at=&role=&since=&country=&limit=20",
                "/cohort?paper=&org=OpenAI&year_from=&year_to=", "/pipeline?requisition_id=",
                "/flows?year_from=&year_to=&org=&rollup=true&min_confidence=0",
                "/offers/new?candidate_id=", "/outreach?candidate_id="):
        r = c.get(url)
        assert r.status_code in (200, 422), url
        assert "Traceback" not in r.text
    assert c.get("/search?q=diffusion&since=").status_code == 200
    r = c.get("/search?q=diffusion&since=last+year")
    assert r.status_code == 422 and "since year: a whole number" in r.text


def test_cohort_of_a_group_of_names(client_for) -> None:
    c = client_for("viewer")
    d = c.get("/api/cohort", params={"names": ["Bo Chen", "Gus Hale", "Eve Fong"],
                                     "org": "DeepMind", "year_from": 2020}).json()
    status = {m["name"]: m["status"] for m in d["members"]}
    assert status == {"Bo Chen": "left", "Gus Hale": "left", "Eve Fong": "stayed"}
    html = c.get("/cohort", params={"names": "Bo Chen\nGus Hale\nEve Fong", "org": "DeepMind",
                                    "year_from": "2020"}).text
    assert "A group of 3" in html and "At least 2 of 3" in html
