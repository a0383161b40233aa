"""Pipeline stages of a candidate and which moves between them make sense."""

from __future__ import annotations

from talentgraph.errors import OpsInputError

STAGES = ("sourced", "contacted", "replied", "screening", "interviewing", "offer", "accepted",
          "declined", "withdrawn", "hired")
ACTIVE = ("sourced", "contacted", "replied", "screening", "interviewing", "offer", "accepted")
OFFER_STAGES = ("offer", "accepted")
CLOSED = ("declined", "withdrawn", "hired")
INTERVIEWED = ("interviewing", "offer", "accepted", "hired")


def check_stage(stage: str) -> str:
    stage = stage.strip().lower()
    if stage not in STAGES:
        raise OpsInputError(f"stage {stage!r}: use one of {', '.join(STAGES)}")
    return stage


def check_move(current: str, new: str) -> None:
    """Refuse moves that lose meaning: out of 'hired', or to the stage it is already in."""
    if new == current:
        raise OpsInputError(f"the candidate is already at stage {current!r}")
    if current == "hired":
        raise OpsInputError("the candidate is hired; a hire is not moved back into the pipeline")
    if new == "hired" and current not in ("offer", "accepted"):
        raise OpsInputError(f"from {current!r} to 'hired': a hire goes through an offer first")


def board_column(stage: str, offer_status: str | None) -> str:
    """The pipeline column a candidate belongs in: their stage, unless their latest offer says
    otherwise. An approved offer with no recorded answer is 'offer', whatever stage was set by
    hand ('accepted' or 'hired' before the candidate said yes)."""
    if offer_status in ("approved", "pending_approval") and stage in ("accepted", "hired"):
        return "offer"
    return stage


def check_move_against_offer(new: str, offer_id: int | None, offer_status: str | None) -> None:
    """A candidate with an offer on record is accepted or hired only once that offer is
    accepted (`offer outcome N accepted` moves them): the stage cannot run ahead of the offer."""
    if new not in ("accepted", "hired") or offer_id is None or offer_status == "accepted":
        return
    why = {"pending_approval": "still waits for an executive's approval",
           "approved": "is approved and waits for the candidate's answer: record it on the "
                       "offer (accepted, declined or withdrawn) and the stage follows",
           }.get(offer_status or "", f"was {offer_status}: build a new offer first")
    raise OpsInputError(f"cannot move to {new!r}: offer #{offer_id} {why}")
