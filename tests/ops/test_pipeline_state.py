"""A card's column follows the candidate's real state: a stage set by hand cannot run ahead of
their offer, and a stage that did (older data) shows in the offer's column (issue #15 item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentgraph.errors import OpsInputError
from talentgraph.ops import candidates, imports, offer_service
from talentgraph.ops.compstore import package_from_options
from talentgraph.ops.db import OpsStore
from talentgraph.ops.models import Candidate
from talentgraph.ops.permissions import Actor

FIX = Path(__file__).parent / "fixtures"


def _approved_offer(store: OpsStore, users: dict[str, Actor]) -> tuple[int, int]:
    rec, cp, ex = users["recruiter"], users["comp_partner"], users["executive"]
    with store.session() as s:
        imports.import_bands(s, cp, FIX / "bands.csv")
        c = candidates.create_candidate(s, rec, "Olga Pending", "olga@example.org")
        candidates.move_stage(s, rec, c.id, "interviewing")
        o = offer_service.build_offer(s, cp, c.id, "L5", package=package_from_options(
            "USD", 200000, bonus=20000, equity=400000))
        offer_service.approve_offer(s, ex, o.id)
        return c.id, o.id


def test_no_hire_by_hand_while_the_offer_awaits_an_answer(store: OpsStore,
                                                          users: dict[str, Actor]) -> None:
    rec, cp = users["recruiter"], users["comp_partner"]
    cid, oid = _approved_offer(store, users)
    for stage in ("hired", "accepted"):
        with pytest.raises(OpsInputError, match=f"offer #{oid} is approved and waits for the "
                           "candidate's answer"), store.session() as s:
            candidates.move_stage(s, rec, cid, stage)
    with store.session() as s:
        offer_service.record_outcome(s, cp, oid, "accepted")
        assert candidates.move_stage(s, rec, cid, "hired").stage == "hired"
    # without any offer on record (made outside the system) a hire by hand is still possible
    with store.session() as s:
        x = candidates.create_candidate(s, rec, "Outside Offer")
        for st in ("interviewing", "offer", "hired"):
            candidates.move_stage(s, rec, x.id, st)


def test_the_board_puts_a_hire_without_an_answer_under_offer(store: OpsStore,
                                                             users: dict[str, Actor]) -> None:
    cid, oid = _approved_offer(store, users)
    with store.session() as s:  # a stage set before the rule existed
        s.get(Candidate, cid).stage = "hired"
    with store.session() as s:
        board = candidates.pipeline_board(s, users["recruiter"])
    assert [r["id"] for r in board["board"]["hired"]] == []
    (card,) = board["board"]["offer"]
    assert card["id"] == cid and card["offer_status"] == "approved"
    assert card["mismatch"] == (f"recorded as hired, but offer #{oid} is approved with no "
                                "answer from the candidate")
