"""Candidates: duplicates refused, stages with history, contract recruiters see only their own."""

from __future__ import annotations

from datetime import date

import pytest

from talentgraph.errors import DuplicateError, OpsInputError, PermissionDenied
from talentgraph.ops import candidates, plans
from talentgraph.ops.db import OpsStore
from talentgraph.ops.permissions import Actor


def test_duplicate_people_are_refused(store: OpsStore, users: dict[str, Actor]) -> None:
    rec = users["recruiter"]
    with store.session() as s:
        candidates.create_candidate(s, rec, "José  Núñez", "Jose@Example.org", person_id="p:1")
    with pytest.raises(DuplicateError, match="graph person p:1"), store.session() as s:
        candidates.create_candidate(s, rec, "Someone Else", person_id="p:1")
    with pytest.raises(DuplicateError, match="same name and e-mail"), store.session() as s:
        candidates.create_candidate(s, rec, "jose nunez", "jose@example.org ")
    with store.session() as s:  # same name, other e-mail: a different person
        other = candidates.create_candidate(s, rec, "Jose Nunez", "jnunez@other.org")
    with pytest.raises(DuplicateError, match="same name and e-mail"), store.session() as s:
        candidates.update_candidate(s, rec, other.id, email="JOSE@example.org")
    with pytest.raises(DuplicateError, match="graph person p:1"), store.session() as s:
        candidates.update_candidate(s, rec, other.id, person_id="p:1")
    with store.session() as s:
        c = candidates.update_candidate(s, rec, other.id, person_id="p:2", email="j@n.org")
        assert (c.person_id, c.email, c.name) == ("p:2", "j@n.org", "Jose Nunez")


def test_bad_input(store: OpsStore, users: dict[str, Actor]) -> None:
    with pytest.raises(OpsInputError, match="e-mail"), store.session() as s:
        candidates.create_candidate(s, users["recruiter"], "A B", "not-an-email")
    with pytest.raises(OpsInputError, match="close date"), store.session() as s:
        plans.create_requisition(s, users["recruiting_lead"], "RS", "genai", "L5", 3,
                                 date(2026, 5, 1), date(2026, 1, 1))
    with pytest.raises(OpsInputError, match="headcount"), store.session() as s:
        plans.create_requisition(s, users["recruiting_lead"], "RS", "genai", "L5", 0,
                                 date(2026, 5, 1))


def test_stage_history_and_progress(store: OpsStore, users: dict[str, Actor]) -> None:
    lead, rec = users["recruiting_lead"], users["recruiter"]
    with store.session() as s:
        req = plans.create_requisition(s, lead, "Research scientist", "genai", "L5", 2,
                                       date(2026, 1, 1))
        a = candidates.create_candidate(s, rec, "Ann Alpha", requisition_id=req.id)
        b = candidates.create_candidate(s, rec, "Ben Beta", requisition_id=req.id)
        for st in ("contacted", "replied", "interviewing", "offer", "hired"):
            candidates.move_stage(s, rec, a.id, st, note=f"to {st}")
        candidates.move_stage(s, rec, b.id, "declined")
    with pytest.raises(OpsInputError, match="hired"), store.session() as s:
        candidates.move_stage(s, rec, a.id, "interviewing")
    with pytest.raises(OpsInputError, match="through an offer"), store.session() as s:
        candidates.move_stage(s, rec, b.id, "hired")
    with store.session() as s:
        got = candidates.get_candidate(s, rec, a.id)
        assert [h["to"] for h in got["history"]] == ["sourced", "contacted", "replied",
                                                     "interviewing", "offer", "hired"]
        (prog,) = plans.progress(s, users["viewer"], req.id)
    assert prog["hired"] == 1 and prog["remaining"] == 1 and prog["in_pipeline"] == 0
    assert prog["by_stage"] == {"hired": 1, "declined": 1}


def test_contract_recruiter_sees_only_assigned(store: OpsStore, users: dict[str, Actor]) -> None:
    cr, cr2 = users["contract_recruiter"], users["contract_recruiter2"]
    lead = users["recruiting_lead"]
    with store.session() as s:
        mine = candidates.create_candidate(s, cr, "Mine Person")
        theirs = candidates.create_candidate(s, cr2, "Their Person")
        unassigned = candidates.create_candidate(s, lead, "Nobody's Person")
    with store.session() as s:
        assert [c["id"] for c in candidates.list_candidates(s, cr)] == [mine.id]
        assert {c["id"] for c in candidates.list_candidates(s, lead)} == {
            mine.id, theirs.id, unassigned.id}
    for cid in (theirs.id, unassigned.id):
        with pytest.raises(PermissionDenied, match="not assigned"), store.session() as s:
            candidates.get_candidate(s, cr, cid)
    with store.session() as s:
        candidates.assign(s, lead, unassigned.id, "contract_recruiter")
        assert candidates.get_candidate(s, cr, unassigned.id)["assigned_to"] == cr.user_id
    with pytest.raises(OpsInputError, match="assigned to"), store.session() as s:
        candidates.assign(s, lead, mine.id, "comp_partner")


def test_plan_progress(store: OpsStore, users: dict[str, Actor]) -> None:
    lead, rec = users["recruiting_lead"], users["recruiter"]
    with store.session() as s:
        plan = plans.create_plan(s, lead, "GenAI 2026", "genai", 100, date(2026, 1, 1),
                                 date(2026, 12, 31))
        r1 = plans.create_requisition(s, lead, "RS", "genai", "L5", 60, date(2026, 1, 1),
                                      plan_id=plan.id)
        plans.create_requisition(s, lead, "MLE", "genai", "L4", 40, date(2026, 1, 1),
                                 plan_id=plan.id)
        c = candidates.create_candidate(s, rec, "Hana Hired", requisition_id=r1.id)
        for st in ("interviewing", "offer", "hired"):
            candidates.move_stage(s, rec, c.id, st)
        candidates.create_candidate(s, rec, "Pia Pipeline", requisition_id=r1.id)
        (got,) = plans.plan_progress(s, users["viewer"])
    assert (got["target"], got["requisitions"], got["requisition_headcount"]) == (100, 2, 100)
    assert (got["hired"], got["in_pipeline"], got["remaining"]) == (1, 1, 99)


def test_race_on_the_same_person_is_a_duplicate_error(store: OpsStore, users: dict[str, Actor],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A concurrent insert passes the pre-check; the unique index catches it."""
    from talentgraph.ops.models import Candidate

    with store.session() as s:
        s.add(Candidate(name="Raced Person", name_norm="raced person", person_id="p:race",
                        stage="sourced"))
    monkeypatch.setattr(candidates, "_find_duplicate", lambda *a: None)
    with pytest.raises(DuplicateError, match="at the same time"), store.session() as s:
        candidates.create_candidate(s, users["recruiter"], "Other Name", person_id="p:race")
