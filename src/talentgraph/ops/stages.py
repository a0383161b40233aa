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
