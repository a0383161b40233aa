"""A recorded competing offer and an open counter-offer weigh in flight risk and are named among
its reasons (issue #15 item 4); the counter-offer overview needs no employee picked first."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from talentgraph.ops import counter_service, imports, offer_service
from talentgraph.ops.compstore import package_from_options
from talentgraph.ops.db import OpsStore
from talentgraph.ops.permissions import Actor
from talentgraph.ops.retention.risk import RivalOffer, flight_risk
from talentgraph.ops.risk_service import flight_risks, flight_risks_from_store

FIX = Path(__file__).parent / "fixtures"
ROSTER = """name,email,team,level,start_date,base,bonus,currency,person_id
Grace Hopper,grace@ourlab.example,genai,L6,2021-03-01,240000,36000,USD,p:grace
Alan Turing,alan@ourlab.example,genai,L5,2023-09-15,200000,20000,USD,
Kay Long,kay@ourlab.example,genai,L5,2012-01-10,300000,60000,USD,
Lin Steady,lin@ourlab.example,genai,L5,2011-05-02,310000,60000,USD,
"""
GRANTS = """employee_email,grant_date,value,currency,kind,fractions
grace@ourlab.example,2021-03-01,400000,USD,cliff_monthly,
alan@ourlab.example,2023-09-15,300000,USD,front_loaded,40/30/20/10
kay@ourlab.example,{recent},900000,USD,cliff_monthly,
lin@ourlab.example,{recent},900000,USD,cliff_monthly,
"""


def _staff(store: OpsStore, cp: Actor, tmp_path: Path) -> None:
    recent = (date.today() - timedelta(days=200)).isoformat()
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "grants.csv").write_text(GRANTS.format(recent=recent), encoding="utf-8")
    with store.session() as s:
        imports.import_roster(s, cp, tmp_path / "roster.csv", tmp_path / "grants.csv")
        imports.import_bands(s, cp, FIX / "bands.csv")


def test_a_rival_offer_and_an_open_counter_raise_the_risk_and_are_named(
        store: OpsStore, users: dict[str, Actor], tmp_path: Path) -> None:
    cp = users["comp_partner"]
    _staff(store, cp, tmp_path)
    with store.session() as s:
        before = flight_risks(s, cp)
    assert len(before) == 4
    holder = before[-1]  # the least likely to leave, until they bring a competing offer
    rival = package_from_options("USD", 380000, bonus=50000, equity=1200000)
    with store.session() as s:
        rid = offer_service.add_competing_offer(s, cp, "Rival AI", rival,
                                                employee_email=holder["email"]).id
        counter_service.counter_options(s, cp, rid)
        after = flight_risks(s, cp)
    assert after[0]["email"] == holder["email"], [(r["name"], r["score"]) for r in after]
    assert after[0]["score"] > holder["score"]
    reasons = {r["factor"]: r["detail"] for r in after[0]["reasons"]}
    assert "Rival AI" in reasons["rival_offer"] and "holds a competing offer" in \
        reasons["rival_offer"]
    assert "awaits our decision" in reasons["open_counter"]
    # nobody else's score moved
    others = {r["email"]: r["score"] for r in before if r["email"] != holder["email"]}
    assert {r["email"]: r["score"] for r in after[1:]} == others


def test_a_decided_counter_is_no_longer_open_and_old_offers_lapse() -> None:
    from talentgraph.ops.comp.roster import Employee

    emp = Employee("Sam", "sam@x.org", "t", "L5", date(2020, 1, 1), 200000, 0, "USD")
    today = date(2026, 6, 1)
    none = flight_risk(emp, [], today)
    held = flight_risk(emp, [], today, rivals=[RivalOffer("R", 900000, "USD", 4,
                                                          date(2026, 5, 1), False)])
    stale = flight_risk(emp, [], today, rivals=[RivalOffer("R", 900000, "USD", 4,
                                                           date(2025, 1, 1), True)])
    assert held.score > none.score and stale.score == none.score
    assert {r.factor for r in held.reasons} - {r.factor for r in none.reasons} == {"rival_offer"}


def test_overview_lists_open_counters_and_rival_holders(store: OpsStore,
                                                        users: dict[str, Actor],
                                                        tmp_path: Path) -> None:
    cp, ex = users["comp_partner"], users["executive"]
    _staff(store, cp, tmp_path)
    rival = package_from_options("USD", 300000, equity=800000)
    with store.session() as s:
        a = offer_service.add_competing_offer(s, cp, "Alpha", rival,
                                              employee_email="alan@ourlab.example").id
        b = offer_service.add_competing_offer(s, cp, "Beta", rival,
                                              employee_email="kay@ourlab.example").id
        open_one = counter_service.counter_options(s, cp, a).id
        decided = counter_service.counter_options(s, cp, b).id
        counter_service.decide_counter(s, ex, decided, None, "let them go")
        view = counter_service.overview(s, cp)
    assert [(o["id"], o["name"], o["company"]) for o in view["open"]] == [
        (open_one, "Alan Turing", "Alpha")]
    holders = {h["name"]: h for h in view["holders"]}
    assert set(holders) == {"Alan Turing", "Kay Long"}
    assert holders["Alan Turing"]["counter_state"] == "awaiting decision"
    assert holders["Kay Long"]["counter_state"] == "no_counter"


def test_graph_else_without_it_is_one_core_rule(store: OpsStore, users: dict[str, Actor],
                                                tmp_path: Path) -> None:
    _staff(store, users["comp_partner"], tmp_path)
    bad = tmp_path / "not-a-store.duckdb"
    bad.write_text("not duckdb", encoding="utf-8")
    with store.session() as s:
        rows, warning = flight_risks_from_store(s, users["executive"], bad)
        assert len(rows) == 4 and not any(r["graph_evidence"] for r in rows)
        assert warning and "no graph evidence" in warning and str(bad) in warning
        rows, warning = flight_risks_from_store(s, users["executive"], tmp_path / "none.duckdb")
        assert len(rows) == 4 and "no analytical store" in warning
