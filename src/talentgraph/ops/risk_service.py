"""Flight risk of our staff, from the comp helper's transparent score plus graph evidence."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentgraph.ops import audit
from talentgraph.ops.compstore import band_from_row, employee_from_row, grant_from_row, jsonable
from talentgraph.ops.models import Employee, MarketBand
from talentgraph.ops.permissions import Actor, Op, require
from talentgraph.ops.retention.risk import flight_risk


@runtime_checkable
class DeparturesView(Protocol):
    def collaborators_left(self, person_id: str, as_of: date) -> tuple[int, int | None]:
        """(close collaborators who left our organisation in the past year, close collaborators)."""
        ...


def flight_risks(s: Session, actor: Actor, as_of: date | None = None,
                 graph: object | None = None, team: str | None = None) -> list[dict[str, Any]]:
    """Every employee's score with its reasons, highest first (pay-aware: audited)."""
    require(actor, Op.RISK_VIEW)
    as_of = as_of or date.today()
    bands = [band_from_row(b) for b in s.scalars(select(MarketBand))]
    q = select(Employee).order_by(Employee.email)
    if team:
        q = q.where(Employee.team == team)
    out = []
    for e in s.scalars(q):
        left, close = 0, None
        graph_used = False
        if e.person_id and isinstance(graph, DeparturesView):
            left, close = graph.collaborators_left(e.person_id, as_of)
            graph_used = True
        risk = flight_risk(employee_from_row(e), [grant_from_row(g, e.email) for g in e.grants],
                           as_of, collaborators_left=left, close_collaborators=close, bands=bands)
        out.append({"employee_id": e.id, "name": e.name, "email": e.email, "team": e.team,
                    "level": e.level, "score": round(risk.score, 4),
                    "baseline": round(risk.baseline, 4), "graph_evidence": graph_used,
                    "reasons": jsonable([r.as_dict() for r in risk.reasons])})
    out.sort(key=lambda r: -r["score"])
    audit.record(s, actor, "risk.read", "employee", None, count=len(out), as_of=as_of.isoformat())
    return out
