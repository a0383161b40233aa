"""Candidates (linked to graph persons), their pipeline stages with history, and assignments."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from unidecode import unidecode

from talentgraph.errors import DuplicateError, NotFoundError, OpsInputError
from talentgraph.ops import audit
from talentgraph.ops.models import (
    Candidate,
    CandidateNote,
    Offer,
    Requisition,
    StageChange,
    User,
    utcnow,
)
from talentgraph.ops.permissions import Actor, Op, Role, denied, require
from talentgraph.ops.stages import (
    STAGES,
    board_column,
    check_move,
    check_move_against_offer,
    check_stage,
)

ASSIGNABLE = {Role.RECRUITER, Role.CONTRACT_RECRUITER, Role.RECRUITING_LEAD, Role.EXECUTIVE}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing do not make a different person."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", unidecode(name).lower()).split())


def normalise_email(email: str | None) -> str | None:
    return email.strip().lower() if email and email.strip() else None


def require_candidate_access(s: Session, actor: Actor, candidate_id: int, op: Op) -> Candidate:
    """The candidate, if the actor's role allows `op` on it (contract recruiters: assigned only)."""
    require(actor, op)
    cand = s.get(Candidate, candidate_id)
    if cand is None or cand.erased_at is not None:
        raise NotFoundError(f"no candidate #{candidate_id} (it may have been erased)")
    if actor.role is Role.CONTRACT_RECRUITER and cand.assigned_to != actor.user_id:
        raise denied(actor, op, f"candidate #{candidate_id} is not assigned to you; contract "
                     "recruiters see only their assigned candidates", "candidate", candidate_id)
    return cand


def candidate_dict(c: Candidate, with_history: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {"id": c.id, "name": c.name, "email": c.email, "person_id": c.person_id,
                         "requisition_id": c.requisition_id, "stage": c.stage,
                         "assigned_to": c.assigned_to, "created_at": c.created_at}
    if with_history:
        d["history"] = [{"from": h.from_stage, "to": h.to_stage, "at": h.at,
                         "by_user_id": h.by_user_id, "note": h.note} for h in c.history]
    return d


def _find_duplicate(s: Session, person_id: str | None, name_norm: str,
                    email_norm: str | None) -> str | None:
    if person_id:
        other = s.scalar(select(Candidate.id).where(Candidate.person_id == person_id))
        if other is not None:
            return f"candidate #{other} is already linked to graph person {person_id}"
    if email_norm:
        other = s.scalar(select(Candidate.id).where(Candidate.name_norm == name_norm,
                                                    Candidate.email_norm == email_norm))
        if other is not None:
            return f"candidate #{other} has the same name and e-mail"
    return None


def create_candidate(s: Session, actor: Actor, name: str, email: str | None = None,
                     person_id: str | None = None, requisition_id: int | None = None,
                     source_note: str | None = None, assign_to: str | None = None) -> Candidate:
    """A new candidate at stage 'sourced'. A contract recruiter's candidates are theirs."""
    require(actor, Op.CANDIDATE_CREATE)
    name = (name or "").strip()
    if not name:
        raise OpsInputError("candidate name: required")
    email_norm = normalise_email(email)
    if email_norm and not _EMAIL.match(email_norm):
        raise OpsInputError(f"candidate e-mail {email!r}: not an e-mail address")
    person_id = (person_id or "").strip() or None
    dup = _find_duplicate(s, person_id, normalise_name(name), email_norm)
    if dup:
        raise DuplicateError(f"duplicate person: {dup}; update that candidate instead")
    if requisition_id is not None and s.get(Requisition, requisition_id) is None:
        raise NotFoundError(f"no requisition #{requisition_id}")
    assignee = actor.user_id if actor.role is Role.CONTRACT_RECRUITER else None
    if assign_to:
        if actor.role is Role.CONTRACT_RECRUITER:
            raise denied(actor, Op.CANDIDATE_ASSIGN,
                         "contract recruiters cannot assign candidates to others")
        assignee = _assignee(s, assign_to).id
    cand = Candidate(name=name, email=email_norm, name_norm=normalise_name(name),
                     email_norm=email_norm, person_id=person_id, source_note=source_note,
                     requisition_id=requisition_id, stage="sourced", assigned_to=assignee,
                     created_by=actor.user_id)
    try:
        with s.begin_nested():  # a savepoint: a concurrent insert of the same person loses here
            s.add(cand)
            s.flush()
    except IntegrityError:
        raise DuplicateError("duplicate person: a candidate with the same graph person or name "
                             "and e-mail was added at the same time") from None
    s.add(StageChange(candidate_id=cand.id, from_stage=None, to_stage="sourced",
                      by_user_id=actor.user_id, at=utcnow()))
    audit.record(s, actor, "candidate.create", "candidate", cand.id,
                 requisition_id=requisition_id, linked_to_graph=person_id is not None,
                 assigned_to=assignee)
    return cand


def update_candidate(s: Session, actor: Actor, candidate_id: int, *, name: str | None = None,
                     email: str | None = None, person_id: str | None = None,
                     requisition_id: int | None = None) -> Candidate:
    """Change the given fields (the same duplicate checks as on create)."""
    cand = require_candidate_access(s, actor, candidate_id, Op.CANDIDATE_STAGE)
    new_name = (name or cand.name or "").strip()
    if not new_name:
        raise OpsInputError("candidate name: required")
    email_norm = normalise_email(email) if email is not None else cand.email_norm
    if email_norm and not _EMAIL.match(email_norm):
        raise OpsInputError(f"candidate e-mail {email!r}: not an e-mail address")
    pid = ((person_id or "").strip() or None) if person_id is not None else cand.person_id
    if pid and pid != cand.person_id:
        other = s.scalar(select(Candidate.id).where(Candidate.person_id == pid))
        if other is not None:
            raise DuplicateError(f"duplicate person: candidate #{other} is already linked to "
                                 f"graph person {pid}")
    name_norm = normalise_name(new_name)
    if email_norm:
        other = s.scalar(select(Candidate.id).where(Candidate.name_norm == name_norm,
                                                    Candidate.email_norm == email_norm,
                                                    Candidate.id != cand.id))
        if other is not None:
            raise DuplicateError(f"duplicate person: candidate #{other} has the same name and "
                                 "e-mail")
    if requisition_id is not None and s.get(Requisition, requisition_id) is None:
        raise NotFoundError(f"no requisition #{requisition_id}")
    changed = [f for f, old, new in (("name", cand.name, new_name),
                                     ("email", cand.email_norm, email_norm),
                                     ("person_id", cand.person_id, pid),
                                     ("requisition_id", cand.requisition_id,
                                      requisition_id if requisition_id is not None
                                      else cand.requisition_id)) if old != new]
    cand.name, cand.name_norm, cand.email, cand.email_norm = new_name, name_norm, email_norm, \
        email_norm
    cand.person_id = pid
    if requisition_id is not None:
        cand.requisition_id = requisition_id
    s.flush()
    audit.record(s, actor, "candidate.update", "candidate", cand.id, fields=changed)
    return cand


def _assignee(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFoundError(f"no active user named {username!r}")
    if Role(user.role) not in ASSIGNABLE:
        raise OpsInputError(f"{username} is a {user.role}; candidates are assigned to "
                            + ", ".join(sorted(r.value for r in ASSIGNABLE)))
    return user


def list_candidates(s: Session, actor: Actor, requisition_id: int | None = None,
                    stage: str | None = None) -> list[dict[str, Any]]:
    require(actor, Op.CANDIDATE_VIEW)
    q = select(Candidate).where(Candidate.erased_at.is_(None)).order_by(Candidate.id)
    if actor.role is Role.CONTRACT_RECRUITER:
        q = q.where(Candidate.assigned_to == actor.user_id)
    if requisition_id is not None:
        q = q.where(Candidate.requisition_id == requisition_id)
    if stage:
        q = q.where(Candidate.stage == check_stage(stage))
    rows = [candidate_dict(c) for c in s.scalars(q)]
    audit.record(s, actor, "candidate.read", "candidate", None,
                 ids=[r["id"] for r in rows][:500], count=len(rows))
    return rows


def get_candidate(s: Session, actor: Actor, candidate_id: int) -> dict[str, Any]:
    cand = require_candidate_access(s, actor, candidate_id, Op.CANDIDATE_VIEW)
    audit.record(s, actor, "candidate.read", "candidate", cand.id)
    return candidate_dict(cand, with_history=True)


def latest_offers(s: Session, candidate_ids: list[int]) -> dict[int, Offer]:
    """Each candidate's most recent offer (internal: callers check access)."""
    out: dict[int, Offer] = {}
    if candidate_ids:
        for o in s.scalars(select(Offer).where(Offer.candidate_id.in_(candidate_ids))
                           .order_by(Offer.id)):
            out[o.candidate_id] = o
    return out


def pipeline_board(s: Session, actor: Actor, requisition_id: int | None = None
                   ) -> dict[str, Any]:
    """The board: each candidate in the column of their real state (their stage, unless their
    latest offer says otherwise), with that offer's status and any mismatch explained."""
    rows = list_candidates(s, actor, requisition_id=requisition_id)
    offers = latest_offers(s, [r["id"] for r in rows])
    board: dict[str, list[dict[str, Any]]] = {st: [] for st in STAGES}
    for r in rows:
        o = offers.get(r["id"])
        r["offer_id"], r["offer_status"] = (o.id, o.status) if o else (None, None)
        r["column"] = board_column(r["stage"], r["offer_status"])
        r["mismatch"] = None if r["column"] == r["stage"] else (
            f"recorded as {r['stage']}, but offer #{o.id} is {o.status.replace('_', ' ')} "
            "with no answer from the candidate")
        board[r["column"]].append(r)
    return {"stages": list(STAGES), "board": board, "count": len(rows)}


def move_stage(s: Session, actor: Actor, candidate_id: int, stage: str,
               note: str | None = None) -> Candidate:
    """A move by hand; a stage that would run ahead of the candidate's offer is refused."""
    cand = require_candidate_access(s, actor, candidate_id, Op.CANDIDATE_STAGE)
    new = check_stage(stage)
    latest = latest_offers(s, [cand.id]).get(cand.id)
    check_move_against_offer(new, latest.id if latest else None,
                             latest.status if latest else None)
    return set_stage(s, actor, cand, new, note)


def set_stage(s: Session, actor: Actor, cand: Candidate, stage: str,
              note: str | None = None) -> Candidate:
    """Record a stage move (callers have checked access)."""
    check_move(cand.stage, stage)
    old, cand.stage = cand.stage, stage
    s.add(StageChange(candidate_id=cand.id, from_stage=old, to_stage=stage,
                      by_user_id=actor.user_id, note=note, at=utcnow()))
    s.flush()
    audit.record(s, actor, "candidate.stage", "candidate", cand.id, old=old, new=stage)
    return cand


def assign(s: Session, actor: Actor, candidate_id: int, username: str) -> Candidate:
    cand = require_candidate_access(s, actor, candidate_id, Op.CANDIDATE_ASSIGN)
    user = _assignee(s, username)
    old, cand.assigned_to = cand.assigned_to, user.id
    audit.record(s, actor, "candidate.assign", "candidate", cand.id, old=old, new=user.id)
    return cand


def add_note(s: Session, actor: Actor, candidate_id: int, body: str) -> CandidateNote:
    cand = require_candidate_access(s, actor, candidate_id, Op.CANDIDATE_STAGE)
    if not body.strip():
        raise OpsInputError("note: empty")
    note = CandidateNote(candidate_id=cand.id, body=body, by_user_id=actor.user_id, at=utcnow())
    s.add(note)
    s.flush()
    audit.record(s, actor, "candidate.note", "candidate", cand.id, note_id=note.id)
    return note
