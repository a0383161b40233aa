"""Hiring plans and requisitions, and progress against them (counts only, nothing personal)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talentgraph.errors import DuplicateError, NotFoundError, OpsInputError
from talentgraph.ops import audit
from talentgraph.ops.models import Candidate, HiringPlan, Offer, Requisition
from talentgraph.ops.permissions import Actor, Op, require
from talentgraph.ops.stages import ACTIVE, OFFER_STAGES

REQ_STATUSES = ("open", "on_hold", "filled", "closed")


def _check_dates(start: date | None, end: date | None, what: str) -> None:
    if start and end and end < start:
        raise OpsInputError(f"{what}: the close date {end} is before the open date {start}")


def _check_headcount(n: int, what: str) -> None:
    if n <= 0:
        raise OpsInputError(f"{what}: headcount target must be a positive number, not {n}")


def create_plan(s: Session, actor: Actor, name: str, team: str, headcount_target: int,
                start_date: date | None = None, end_date: date | None = None) -> HiringPlan:
    require(actor, Op.PLAN_EDIT)
    _check_headcount(headcount_target, f"plan {name!r}")
    _check_dates(start_date, end_date, f"plan {name!r}")
    if s.scalar(select(HiringPlan.id).where(HiringPlan.name == name)) is not None:
        raise DuplicateError(f"a hiring plan named {name!r} already exists")
    plan = HiringPlan(name=name, team=team, headcount_target=headcount_target,
                      start_date=start_date, end_date=end_date)
    s.add(plan)
    s.flush()
    audit.record(s, actor, "plan.create", "hiring_plan", plan.id, headcount=headcount_target)
    return plan


def create_requisition(s: Session, actor: Actor, title: str, team: str, level: str,
                       headcount_target: int, open_date: date, close_date: date | None = None,
                       plan_id: int | None = None) -> Requisition:
    require(actor, Op.PLAN_EDIT)
    what = f"requisition {title!r}"
    _check_headcount(headcount_target, what)
    _check_dates(open_date, close_date, what)
    if plan_id is not None and s.get(HiringPlan, plan_id) is None:
        raise NotFoundError(f"{what}: no hiring plan #{plan_id}")
    req = Requisition(title=title, team=team, level=level, headcount_target=headcount_target,
                      open_date=open_date, close_date=close_date, plan_id=plan_id,
                      created_by=actor.user_id, status="open")
    s.add(req)
    s.flush()
    audit.record(s, actor, "requisition.create", "requisition", req.id,
                 headcount=headcount_target, plan_id=plan_id)
    return req


def set_requisition_status(s: Session, actor: Actor, req_id: int, status: str) -> Requisition:
    require(actor, Op.PLAN_EDIT)
    if status not in REQ_STATUSES:
        raise OpsInputError(f"status {status!r}: use one of {', '.join(REQ_STATUSES)}")
    req = get_requisition(s, req_id)
    old, req.status = req.status, status
    if status == "closed" and req.close_date is None:
        req.close_date = date.today()
    audit.record(s, actor, "requisition.status", "requisition", req.id, old=old, new=status)
    return req


def get_requisition(s: Session, req_id: int) -> Requisition:
    req = s.get(Requisition, req_id)
    if req is None:
        raise NotFoundError(f"no requisition #{req_id} (see `talentgraph ops req list`)")
    return req


def req_dict(r: Requisition) -> dict[str, Any]:
    return {"id": r.id, "title": r.title, "team": r.team, "level": r.level,
            "headcount_target": r.headcount_target, "open_date": r.open_date,
            "close_date": r.close_date, "status": r.status, "plan_id": r.plan_id}


def list_requisitions(s: Session, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
    require(actor, Op.PLAN_VIEW)
    q = select(Requisition).order_by(Requisition.id)
    if status:
        q = q.where(Requisition.status == status)
    return [req_dict(r) for r in s.scalars(q)]


def list_plans(s: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, Op.PLAN_VIEW)
    return [{"id": p.id, "name": p.name, "team": p.team, "headcount_target": p.headcount_target,
             "start_date": p.start_date, "end_date": p.end_date, "status": p.status}
            for p in s.scalars(select(HiringPlan).order_by(HiringPlan.id))]


def progress(s: Session, actor: Actor, req_id: int | None = None) -> list[dict[str, Any]]:
    """Per requisition: target, hired, in offer, in pipeline, remaining, and counts by stage.

    Erased candidates still count (their rows are kept without personal data).
    """
    require(actor, Op.PLAN_VIEW)
    reqs = [get_requisition(s, req_id)] if req_id is not None else list(
        s.scalars(select(Requisition).order_by(Requisition.id)))
    counts: dict[int, dict[str, int]] = {}
    for rid, stage, n in s.execute(
            select(Candidate.requisition_id, Candidate.stage, func.count())
            .where(Candidate.requisition_id.is_not(None))
            .group_by(Candidate.requisition_id, Candidate.stage)):
        counts.setdefault(rid, {})[stage] = n
    offers: dict[int, int] = dict(s.execute(
        select(Offer.requisition_id, func.count()).where(Offer.requisition_id.is_not(None))
        .group_by(Offer.requisition_id)).all())
    out = []
    for r in reqs:
        by_stage = counts.get(r.id, {})
        hired = by_stage.get("hired", 0)
        out.append({
            "id": r.id, "title": r.title, "team": r.team, "level": r.level, "status": r.status,
            "target": r.headcount_target, "hired": hired,
            "in_offer": sum(by_stage.get(st, 0) for st in OFFER_STAGES),
            "in_pipeline": sum(by_stage.get(st, 0) for st in ACTIVE),
            "offers_made": offers.get(r.id, 0),
            "remaining": max(r.headcount_target - hired, 0),
            "by_stage": by_stage,
        })
    return out


def plan_progress(s: Session, actor: Actor, plan_id: int | None = None) -> list[dict[str, Any]]:
    """Per hiring plan: its target against the sum over its requisitions."""
    require(actor, Op.PLAN_VIEW)
    q = select(HiringPlan).order_by(HiringPlan.id)
    if plan_id is not None:
        q = q.where(HiringPlan.id == plan_id)
    reqs = progress(s, actor)
    plan_of = dict(s.execute(select(Requisition.id, Requisition.plan_id)).all())
    out = []
    for p in s.scalars(q):
        mine = [r for r in reqs if plan_of.get(r["id"]) == p.id]
        hired = sum(r["hired"] for r in mine)
        out.append({"id": p.id, "name": p.name, "team": p.team, "target": p.headcount_target,
                    "requisitions": len(mine),
                    "requisition_headcount": sum(r["target"] for r in mine), "hired": hired,
                    "in_offer": sum(r["in_offer"] for r in mine),
                    "in_pipeline": sum(r["in_pipeline"] for r in mine),
                    "remaining": max(p.headcount_target - hired, 0)})
    if plan_id is not None and not out:
        raise NotFoundError(f"no hiring plan #{plan_id} (see `talentgraph ops plan list`)")
    return out
