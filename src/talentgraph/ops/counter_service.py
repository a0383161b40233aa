"""Counter-offers for employees with a competing offer: options under policy, the decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentgraph.errors import NotFoundError, OpsInputError
from talentgraph.ops import audit, comp
from talentgraph.ops.compstore import (
    check_years,
    employee_from_row,
    grant_from_row,
    jsonable,
    package_from_json,
)
from talentgraph.ops.models import Approval, CompetingOffer, CounterOffer, Employee, utcnow
from talentgraph.ops.permissions import Actor, Op, require
from talentgraph.ops.settings import get_setting


def policy_from_settings(s: Session) -> comp.CounterPolicy:
    p = get_setting(s, "counter_offer")
    return comp.CounterPolicy(allowed=bool(p["allowed"]),
                              max_uplift_pct=Decimal(str(p["max_uplift_pct"])))


def counter_options(s: Session, actor: Actor, competing_id: int, as_of: date | None = None,
                    years: int = 4, margin_pct: float = 0) -> CounterOffer:
    """Compute and store the options the policy allows against an employee's competing offer."""
    require(actor, Op.COUNTER_OPTIONS)
    rival = s.get(CompetingOffer, competing_id)
    if rival is None or rival.employee_id is None:
        raise NotFoundError(f"no competing offer #{competing_id} held by one of our employees")
    emp = s.get(Employee, rival.employee_id)
    assert emp is not None
    as_of = as_of or date.today()
    current = comp.current_package(employee_from_row(emp),
                                   [grant_from_row(g, emp.email) for g in emp.grants], as_of)
    policy = policy_from_settings(s)
    result = comp.counter_options(current, package_from_json(rival.package), policy,
                                  check_years(years), Decimal(str(margin_pct)) / 100)
    row = CounterOffer(employee_id=emp.id, competing_offer_id=rival.id,
                       policy=get_setting(s, "counter_offer"),
                       options=jsonable([o.as_dict() for o in result.options]),
                       note=result.reason, created_by=actor.user_id, created_at=utcnow())
    if not result.allowed:
        row.decision = "not_allowed"
        row.decided_at = utcnow()
    s.add(row)
    s.flush()
    audit.record(s, actor, "counter.options", "counter_offer", row.id, employee_id=emp.id,
                 allowed=result.allowed, options=len(result.options))
    return row


def counter_dict(c: CounterOffer) -> dict[str, Any]:
    return {"id": c.id, "employee_id": c.employee_id, "competing_offer_id": c.competing_offer_id,
            "policy": c.policy, "reason": c.note, "options": c.options, "decision": c.decision,
            "chosen": c.chosen, "decided_by": c.decided_by, "decided_at": c.decided_at}


def get_counter(s: Session, actor: Actor, counter_id: int) -> dict[str, Any]:
    require(actor, Op.COUNTER_OPTIONS)
    row = s.get(CounterOffer, counter_id)
    if row is None:
        raise NotFoundError(f"no counter-offer #{counter_id}")
    audit.record(s, actor, "counter.read", "counter_offer", row.id)
    return counter_dict(row)


def decide_counter(s: Session, actor: Actor, counter_id: int, option: int | None,
                   note: str | None = None) -> CounterOffer:
    """Record the decision: option number (1-based) to make, or None to make no counter-offer."""
    require(actor, Op.COUNTER_DECIDE)
    row = s.get(CounterOffer, counter_id)
    if row is None:
        raise NotFoundError(f"no counter-offer #{counter_id}")
    if row.decision is not None:
        raise OpsInputError(f"counter-offer #{row.id} is already decided ({row.decision})")
    if option is not None:
        if not row.policy.get("allowed", True):
            raise OpsInputError("counter-offers are not allowed by policy")
        if not 1 <= option <= len(row.options):
            raise OpsInputError(f"option {option}: choose 1 to {len(row.options)}, or decline")
        row.chosen = row.options[option - 1]
        row.decision = "counter"
    else:
        row.decision = "no_counter"
    row.decided_by, row.decided_at = actor.user_id, utcnow()
    row.note = "\n".join(filter(None, [row.note, note]))
    s.add(Approval(object_type="counter_offer", object_id=row.id, kind="counter_offer",
                   decision=row.decision, approver_id=actor.user_id,
                   approver_role=actor.role.value, note=note, at=utcnow()))
    s.flush()
    audit.record(s, actor, "counter.decide", "counter_offer", row.id, decision=row.decision,
                 option=option)
    return row


def employee_competing_offers(s: Session, actor: Actor, email: str) -> list[dict[str, Any]]:
    require(actor, Op.COUNTER_OPTIONS)
    emp = s.scalar(select(Employee).where(Employee.email == email.strip().lower()))
    if emp is None:
        raise NotFoundError(f"no employee with e-mail {email}")
    rows = [{"id": r.id, "company": r.company, "created_at": r.created_at,
             "total": sum(y["total"] for y in r.yearly_totals), "yearly_totals": r.yearly_totals}
            for r in s.scalars(select(CompetingOffer).where(CompetingOffer.employee_id == emp.id)
                               .order_by(CompetingOffer.id))]
    audit.record(s, actor, "competing_offer.read", "employee", emp.id, count=len(rows))
    return rows


def overview(s: Session, actor: Actor) -> dict[str, Any]:
    """What needs attention, without picking an employee first: the counter-offers awaiting a
    decision, and everyone holding a competing offer (with the state of its counter-offer)."""
    require(actor, Op.COUNTER_OPTIONS)
    employees = {e.id: e for e in s.scalars(select(Employee))}
    rivals = list(s.scalars(select(CompetingOffer).where(CompetingOffer.employee_id.is_not(None))
                            .order_by(CompetingOffer.created_at.desc(), CompetingOffer.id.desc())))
    by_rival: dict[int, list[CounterOffer]] = {}
    for c in s.scalars(select(CounterOffer).order_by(CounterOffer.id)):
        by_rival.setdefault(c.competing_offer_id, []).append(c)

    def who(emp_id: int) -> dict[str, Any]:
        e = employees.get(emp_id)
        return {"employee_id": emp_id, "name": e.name if e else None,
                "email": e.email if e else None, "team": e.team if e else None,
                "level": e.level if e else None}

    rival_by_id = {r.id: r for r in rivals}
    open_rows = [{"id": c.id, **who(c.employee_id), "competing_offer_id": c.competing_offer_id,
                  "company": rival_by_id[c.competing_offer_id].company
                  if c.competing_offer_id in rival_by_id else None,
                  "options": len(c.options or []), "created_at": c.created_at}
                 for cs in by_rival.values() for c in cs if c.decision is None]
    open_rows.sort(key=lambda r: r["id"])
    holders = []
    for r in rivals:
        counters = by_rival.get(r.id, [])
        latest = counters[-1] if counters else None
        holders.append({**who(r.employee_id), "competing_offer_id": r.id, "company": r.company,
                        "total": sum(y["total"] for y in r.yearly_totals or []),
                        "currency": r.package.get("currency"), "created_at": r.created_at,
                        "counter_id": latest.id if latest else None,
                        "counter_state": (latest.decision or "awaiting decision") if latest
                        else "no counter-offer yet"})
    audit.record(s, actor, "counter.read", "counter_offer", None, open=len(open_rows),
                 holders=len(holders))
    return {"open": open_rows, "holders": holders}
