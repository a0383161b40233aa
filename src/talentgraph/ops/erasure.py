"""Erasure on request: a candidate's personal data goes, anonymous counts stay.

In the operational store the candidate row is kept as an anonymous tombstone (stage and
requisition, so pipeline counts still add up) and everything personal is deleted or nulled:
name, e-mail, graph person id, source note, notes, letters and replies, stage-change notes,
competing offers, and the offers' dossier, note and comparison. The audit log never held
personal values, so it stays as it is.

Other parts of talentgraph (the analytical store's search index, exports) register a callable
in `erase_person_hook`; each is called with the ErasureRequest inside the same transaction, so
a failing hook leaves the candidate un-erased and the request can be retried.
"""

from __future__ import annotations

from collections.abc import Callable
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


erase_person_hook: list[Callable[[ErasureRequest], None]] = []


class ErasureHookError(TalentgraphError):
    """A registered erasure hook failed; nothing was erased."""


def erase_candidate(s: Session, actor: Actor, candidate_id: int,
                    graph_db: Path | str | None = None) -> dict[str, Any]:
    """Erase one candidate's personal data everywhere; returns what was removed (counts).

    `graph_db` names the analytical store whose search index the hooks clean (default: the
    default store path).
    """
    require(actor, Op.ERASE)
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
    for hook in erase_person_hook:
        try:
            hook(request)
        except Exception as exc:  # any failure must abort the whole erasure
            name = getattr(hook, "__qualname__", repr(hook))
            raise ErasureHookError(f"erasure of candidate #{candidate_id} stopped: hook {name} "
                                   f"failed ({exc}); nothing was erased, retry when fixed") from exc
    s.add(ErasureRecord(candidate_id=cand.id, by_user_id=actor.user_id, counts=removed,
                        at=utcnow()))
    audit.record(s, actor, "candidate.erase", "candidate", cand.id, removed=removed, kept=kept,
                 hooks=len(erase_person_hook))
    return {"candidate_id": cand.id, "removed": removed, "kept": kept}
