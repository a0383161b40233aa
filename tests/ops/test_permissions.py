"""Every role against every operation: the expected allow/deny table below is compared with what
the service layer actually does, on SQLite and on PostgreSQL.

Each operation runs in a transaction that is rolled back, so all of them see the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from talentgraph.errors import OpsConfigError, PermissionDenied
from talentgraph.ops import (
    audit,
    candidates,
    counter_service,
    erasure,
    imports,
    offer_service,
    outreach,
    plans,
    settings,
    users,
)
from talentgraph.ops.compstore import package_from_options
from talentgraph.ops.db import OpsStore
from talentgraph.ops.permissions import Actor, Role
from talentgraph.ops.risk_service import flight_risks

FIX = Path(__file__).parent / "fixtures"
ROLES = ["executive", "recruiting_lead", "recruiter", "contract_recruiter", "hiring_manager",
         "comp_partner", "viewer", "admin"]
E, RL, R, CR, HM, CP, V, A = ROLES
ALL = set(ROLES)
RECRUITING = {E, RL, R, CR}
PAY = {E, CP}

# operation -> roles allowed. "mine" = the candidate assigned to the contract recruiter,
# "other" = a candidate assigned to somebody else.
EXPECTED: dict[str, set[str]] = {
    "user.create": {A},
    "user.list": {A, E, RL},
    "requisition.create": {E, RL, HM},
    "requisition.list": ALL,
    "requisition.progress": ALL,
    "candidate.create": RECRUITING,
    "candidate.list": RECRUITING | {HM, CP},
    "candidate.view.mine": RECRUITING | {HM, CP},
    "candidate.view.other": {E, RL, R, HM, CP},
    "candidate.stage.mine": RECRUITING | {HM},
    "candidate.stage.other": {E, RL, R, HM},
    "candidate.note.mine": RECRUITING | {HM},
    "candidate.update.other": {E, RL, R, HM},
    "candidate.assign": {E, RL},
    "outreach.draft.mine": RECRUITING,
    "outreach.draft.other": {E, RL, R},
    "outreach.signers": RECRUITING,
    "outreach.view.mine": RECRUITING,
    "outreach.export.mine": RECRUITING,
    "outreach.send.mine": RECRUITING,
    "outreach.reply.mine": RECRUITING,
    "roster.import": PAY,
    "grants.import": PAY,
    "employee.list": PAY,
    "bands.import": PAY,
    "bands.list": PAY,
    "competing_offer.add": PAY,
    "offer.build": PAY,
    "offer.view": PAY,
    "offer.list": PAY,
    "offer.compare": PAY,
    "offer.approve": {E},
    "offer.outcome": PAY,
    "counter.options": PAY,
    "counter.rivals": PAY,
    "counter.decide": PAY,
    "policy.set": {E},
    "policy.view": PAY | {A},
    "risk.list": PAY,
    "audit.list": {A, E},
    "candidate.erase": {A, RL},
    "outreach.edit.mine": RECRUITING,
}


@pytest.fixture
def world(store: OpsStore, users: dict[str, Actor]) -> dict[str, Any]:
    """Candidates (one assigned to the contract recruiter, one to a recruiter), a letter, a
    roster, bands, a rival's offer, our offer and counter-offer options."""
    ex, cp, lead = users[E], users[CP], users[RL]
    with store.session() as s:
        settings.set_setting(s, ex, "organisation", {"name": "Our Lab"})
        req = plans.create_requisition(s, lead, "RS", "genai", "L5", 5, date(2026, 1, 1))
        mine = candidates.create_candidate(s, users[CR], "Mina Mine", "mina@example.org",
                                           requisition_id=req.id)
        other = candidates.create_candidate(s, lead, "Otto Other", "otto@example.org",
                                            assign_to="recruiter2")
        candidates.move_stage(s, lead, mine.id, "interviewing")
        letter = outreach.draft_letter(s, users[CR], mine.id, "executive")
        imports.import_roster(s, cp, FIX / "roster.csv", FIX / "grants.csv")
        imports.import_bands(s, cp, FIX / "bands.csv")
        rival = package_from_options("USD", 200000, equity=600000)
        rid = offer_service.add_competing_offer(s, cp, "Rival AI", rival, candidate_id=mine.id).id
        emp_rival = offer_service.add_competing_offer(s, cp, "Rival AI", rival,
                                                      employee_email="alan@ourlab.example").id
        offer = offer_service.build_offer(s, cp, mine.id, "L5", beat_competing_id=rid)
        approved = offer_service.build_offer(s, cp, mine.id, "L5", beat_competing_id=rid)
        offer_service.approve_offer(s, ex, approved.id)
        counter = counter_service.counter_options(s, cp, emp_rival, as_of=date(2026, 1, 1))
    return {"req": req.id, "mine": mine.id, "other": other.id, "letter": letter.id,
            "rival": rid, "emp_rival": emp_rival, "offer": offer.id, "counter": counter.id,
            "approved": approved.id}


def operations(w: dict[str, Any]) -> dict[str, Callable[[Session, Actor], object]]:
    pkg = package_from_options("USD", 210000, bonus=20000, equity=300000)
    return {
        "user.create": lambda s, a: users.create_user(s, a, "newbie", "long enough pw", "viewer"),
        "user.list": lambda s, a: users.list_users(s, a),
        "requisition.create": lambda s, a: plans.create_requisition(
            s, a, "MLE", "genai", "L4", 2, date(2026, 2, 1)),
        "requisition.list": lambda s, a: plans.list_requisitions(s, a),
        "requisition.progress": lambda s, a: plans.progress(s, a),
        "candidate.create": lambda s, a: candidates.create_candidate(s, a, "New Person"),
        "candidate.list": lambda s, a: candidates.list_candidates(s, a),
        "candidate.view.mine": lambda s, a: candidates.get_candidate(s, a, w["mine"]),
        "candidate.view.other": lambda s, a: candidates.get_candidate(s, a, w["other"]),
        "candidate.stage.mine": lambda s, a: candidates.move_stage(s, a, w["mine"], "screening"),
        "candidate.stage.other": lambda s, a: candidates.move_stage(s, a, w["other"], "screening"),
        "candidate.note.mine": lambda s, a: candidates.add_note(s, a, w["mine"], "a note"),
        "candidate.update.other": lambda s, a: candidates.update_candidate(
            s, a, w["other"], email="otto@new.example"),
        "candidate.assign": lambda s, a: candidates.assign(s, a, w["other"], "recruiter"),
        "outreach.draft.mine": lambda s, a: outreach.draft_letter(s, a, w["mine"], "executive"),
        "outreach.draft.other": lambda s, a: outreach.draft_letter(s, a, w["other"], "executive"),
        "outreach.signers": lambda s, a: outreach.list_signers(s, a),
        "outreach.view.mine": lambda s, a: outreach.get_letter(s, a, w["letter"]),
        "outreach.export.mine": lambda s, a: outreach.export_eml(s, a, w["letter"]),
        # Permission passes first; then the missing SMTP configuration stops the send.
        "outreach.send.mine": lambda s, a: outreach.send_letter(s, a, w["letter"], None),
        "outreach.reply.mine": lambda s, a: outreach.record_reply(s, a, w["letter"], "later"),
        "roster.import": lambda s, a: imports.import_roster(s, a, FIX / "roster.csv"),
        "grants.import": lambda s, a: imports.import_grants(s, a, FIX / "grants.csv"),
        "employee.list": lambda s, a: imports.list_employees(s, a),
        "bands.import": lambda s, a: imports.import_bands(s, a, FIX / "bands.csv"),
        "bands.list": lambda s, a: imports.list_bands(s, a),
        "competing_offer.add": lambda s, a: offer_service.add_competing_offer(
            s, a, "Other Co", pkg, candidate_id=w["mine"]),
        "offer.build": lambda s, a: offer_service.build_offer(s, a, w["mine"], "L5", package=pkg),
        "offer.view": lambda s, a: offer_service.get_offer(s, a, w["offer"]),
        "offer.list": lambda s, a: offer_service.list_offers(s, a),
        "offer.compare": lambda s, a: offer_service.compare_offer(s, a, w["offer"], w["rival"]),
        "offer.approve": lambda s, a: offer_service.approve_offer(s, a, w["offer"]),
        "offer.outcome": lambda s, a: offer_service.record_outcome(s, a, w["approved"],
                                                                   "accepted"),
        "counter.options": lambda s, a: counter_service.counter_options(s, a, w["emp_rival"]),
        "counter.rivals": lambda s, a: counter_service.employee_competing_offers(
            s, a, "alan@ourlab.example"),
        "counter.decide": lambda s, a: counter_service.decide_counter(s, a, w["counter"], 1),
        "policy.set": lambda s, a: settings.set_setting(s, a, "counter_offer",
                                                        {"max_uplift_pct": 10}),
        "policy.view": lambda s, a: settings.view_settings(s, a),
        "risk.list": lambda s, a: flight_risks(s, a, date(2026, 1, 1)),
        "audit.list": lambda s, a: audit.list_entries(s, a),
        "candidate.erase": lambda s, a: erasure.erase_candidate(s, a, w["other"]),
        "outreach.edit.mine": lambda s, a: outreach.edit_letter(s, a, w["letter"], body="Hi"),
    }


def _outcome(store: OpsStore, op: Callable[[Session, Actor], object], actor: Actor) -> str:
    with store.engine.connect() as conn:
        trans = conn.begin()
        s = Session(bind=conn)
        try:
            op(s, actor)
            s.flush()
            return "allow"
        except PermissionDenied:
            return "deny"
        except OpsConfigError:
            return "allow"  # got past the permission check (SMTP not configured)
        finally:
            s.close()
            trans.rollback()


def test_the_table_covers_every_role_and_operation() -> None:
    assert set(ROLES) == {r.value for r in Role}
    assert set(EXPECTED) == set(operations({k: 0 for k in (
        "req", "mine", "other", "letter", "rival", "emp_rival", "offer", "counter",
        "approved")}))


@pytest.mark.parametrize("role", ROLES)
def test_role_against_every_operation(store: OpsStore, users: dict[str, Actor],
                                      world: dict[str, Any], role: str) -> None:
    actor = users[role]
    actual = {name: _outcome(store, op, actor) for name, op in operations(world).items()}
    expected = {name: "allow" if role in roles else "deny" for name, roles in EXPECTED.items()}
    wrong = {name: f"expected {expected[name]}, got {actual[name]}"
             for name in EXPECTED if actual[name] != expected[name]}
    assert wrong == {}
