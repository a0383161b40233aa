"""Erasure on request: a candidate's personal data goes, anonymous counts stay.

In the operational store the candidate row is kept as an anonymous tombstone (stage and
requisition, so pipeline counts still add up) and everything personal is deleted or nulled:
name, e-mail, graph person id, source note, notes, letters and replies, stage-change notes,
competing offers, and the offers' dossier, note and comparison. The audit log never held
personal values, so it stays as it is.

The other stores are reached by hooks, listed explicitly in `default_hooks` (no registration by
import): each is called with the ErasureRequest inside the same transaction, so a failing hook
leaves the candidate un-erased and the request can be retried. Every target in
`REQUIRED_TARGETS` must have a hook: an erasure without one fails rather than pass silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from talentgraph.errors import NotFoundError, TalentgraphError
from talentgraph.ops import audit
from talentgraph.ops.models import (
    Approval,
    Candidate,
    CandidateNote,
    CompetingOffer,
    ErasureRecord,
    Offer,
    OutreachLetter,
    OutreachReply,
    StageChange,
    utcnow,
)
from talentgraph.ops.permissions import Actor, Op, require


@dataclass(frozen=True)
class ErasureRequest:
    candidate_id: int
    person_id: str | None
    name: str | None
    email: str | None
    # The analytical store the user works with (`--db`); None: hooks use the default
    # ($TALENTGRAPH_DB, else the data directory's store).
    graph_db: Path | None = None


class ErasureHookError(TalentgraphError):
    """An erasure hook failed or is missing; nothing was erased."""


@dataclass(frozen=True)
class ErasureHook:
    target: str  # what it erases from, e.g. "analytical_store"
    run: Callable[[ErasureRequest], Any]


# where a person's personal data lives besides this store: each needs a hook
REQUIRED_TARGETS = ("analytical_store",)


def default_hooks() -> list[ErasureHook]:
    """The hooks of every erasure: the analytical store (suppression list + search index)."""
    from talentgraph.sourcing.erasure import erase_hook

    return [ErasureHook("analytical_store", erase_hook)]


def erase_candidate(s: Session, actor: Actor, candidate_id: int,
                    graph_db: Path | str | None = None,
                    hooks: Sequence[ErasureHook] | None = None) -> dict[str, Any]:
    """Erase one candidate's personal data everywhere; returns what was removed (counts).

    `graph_db` names the analytical store the hooks clean (default: the default store path).
    `hooks`: default_hooks() unless given; each of REQUIRED_TARGETS must have one.
    """
    require(actor, Op.ERASE)
    hooks = default_hooks() if hooks is None else list(hooks)
    missing = [t for t in REQUIRED_TARGETS if t not in {h.target for h in hooks}]
    if missing:
        raise ErasureHookError(f"erasure of candidate #{candidate_id} refused: no erasure hook "
                               f"for {', '.join(missing)}; nothing was erased")
    cand = s.get(Candidate, candidate_id)
    if cand is None or cand.erased_at is not None:
        raise NotFoundError(f"no candidate #{candidate_id} to erase (or already erased)")
    request = ErasureRequest(cand.id, cand.person_id, cand.name, cand.email,
                             Path(graph_db) if graph_db is not None else None)
    letter_ids = list(s.scalars(select(OutreachLetter.id)
                                .where(OutreachLetter.candidate_id == cand.id)))
    offer_ids = list(s.scalars(select(Offer.id).where(Offer.candidate_id == cand.id)))
    removed = {
        "replies": s.execute(delete(OutreachReply)
                             .where(OutreachReply.letter_id.in_(letter_ids))).rowcount,
        "letters": s.execute(delete(OutreachLetter)
                             .where(OutreachLetter.candidate_id == cand.id)).rowcount,
        "notes": s.execute(delete(CandidateNote)
                           .where(CandidateNote.candidate_id == cand.id)).rowcount,
        "stage_notes": s.execute(update(StageChange)
                                 .where(StageChange.candidate_id == cand.id,
                                        StageChange.note.is_not(None))
                                 .values(note=None)).rowcount,
    }
    s.execute(update(Offer).where(Offer.candidate_id == cand.id)
              .values(dossier=None, note=None, comparison=None, competing_offer_id=None))
    s.execute(update(Approval).where(Approval.object_type == "offer",
                                     Approval.object_id.in_(offer_ids)).values(note=None))
    removed["competing_offers"] = s.execute(
        delete(CompetingOffer).where(CompetingOffer.candidate_id == cand.id)).rowcount
    removed["offers_anonymised"] = len(offer_ids)
    kept = {"stage": cand.stage, "requisition_id": cand.requisition_id}
    cand.name = cand.email = cand.name_norm = cand.email_norm = None
    cand.person_id = cand.source_note = None
    cand.erased_at = utcnow()
    s.flush()
    done: dict[str, Any] = {}
    for hook in hooks:
        try:
            done[hook.target] = hook.run(request)
        except Exception as exc:  # any failure must abort the whole erasure
            raise ErasureHookError(f"erasure of candidate #{candidate_id} stopped: the "
                                   f"{hook.target} hook failed ({exc}); nothing was erased, "
                                   "retry when fixed") from exc
    s.add(ErasureRecord(candidate_id=cand.id, by_user_id=actor.user_id, counts=removed,
                        at=utcnow()))
    audit.record(s, actor, "candidate.erase", "candidate", cand.id, removed=removed, kept=kept,
                 hooks=[h.target for h in hooks])
    return {"candidate_id": cand.id, "removed": removed, "kept": kept,
            "hooks": {t: _counts(v) for t, v in done.items()}}


def _counts(result: Any) -> Any:
    # what a hook reports goes to the caller only (it may name tables, never the person)
    return result if isinstance(result, dict) else None
