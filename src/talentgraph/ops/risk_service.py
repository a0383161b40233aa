"""Flight risk of our staff, from the comp helper's transparent score plus graph evidence and
the competing offers (and open counter-offers) recorded for them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentgraph.errors import StoreError
from talentgraph.ops import audit
from talentgraph.ops.compstore import band_from_row, employee_from_row, grant_from_row, jsonable
from talentgraph.ops.models import CompetingOffer, CounterOffer, Employee, MarketBand
from talentgraph.ops.permissions import Actor, Op, require
from talentgraph.ops.retention.risk import RivalOffer, flight_risk
from talentgraph.ops.settings import get_setting


@runtime_checkable
class DeparturesView(Protocol):
    def collaborators_left(self, person_id: str, as_of: date) -> tuple[int, int | None]:
        """(close collaborators who left our organisation in the past year, close collaborators)."""
        ...


def rival_offers(s: Session) -> dict[int, list[RivalOffer]]:
    """The competing offers each employee holds (by employee id), each marked when a
    counter-offer against it awaits a decision."""
    open_for = {c for (c,) in s.execute(select(CounterOffer.competing_offer_id)
                                        .where(CounterOffer.decision.is_(None)))}
    out: dict[int, list[RivalOffer]] = defaultdict(list)
    for r in s.scalars(select(CompetingOffer).where(CompetingOffer.employee_id.is_not(None))):
        total = sum((Decimal(str(y["total"])) for y in r.yearly_totals or []), Decimal(0))
        out[r.employee_id].append(RivalOffer(
            r.company, total, str(r.package.get("currency", "")), len(r.yearly_totals or []),
            r.created_at.date(), r.id in open_for))
    return out


def flight_risks(s: Session, actor: Actor, as_of: date | None = None,
                 graph: object | None = None, team: str | None = None) -> list[dict[str, Any]]:
    """Every employee's score with its reasons, highest first (pay-aware: audited)."""
    require(actor, Op.RISK_VIEW)
    as_of = as_of or date.today()
    bands = [band_from_row(b) for b in s.scalars(select(MarketBand))]
    rivals = rival_offers(s)
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
                           as_of, collaborators_left=left, close_collaborators=close, bands=bands,
                           rivals=rivals.get(e.id, ()))
        out.append({"employee_id": e.id, "name": e.name, "email": e.email, "team": e.team,
                    "level": e.level, "score": round(risk.score, 4),
                    "baseline": round(risk.baseline, 4), "graph_evidence": graph_used,
                    "reasons": jsonable([r.as_dict() for r in risk.reasons])})
    out.sort(key=lambda r: -r["score"])
    audit.record(s, actor, "risk.read", "employee", None, count=len(out), as_of=as_of.isoformat())
    return out


def flight_risks_from_store(s: Session, actor: Actor, db_path: Path | None,
                            as_of: date | None = None, team: str | None = None
                            ) -> tuple[list[dict[str, Any]], str | None]:
    """Flight risks with graph evidence from the analytical store at `db_path` when it can be
    read, else without it: (rows, a warning saying why the graph was left out, or None).

    The one "graph, else without it" rule for the CLI, the web pages and the API.
    """
    from talentgraph.ops.graphview import DuckDBGraphView

    require(actor, Op.RISK_VIEW)
    if db_path is None or not Path(db_path).exists():
        where = f"no analytical store at {db_path}" if db_path else "no analytical store given"
        return flight_risks(s, actor, as_of, None, team), \
            f"no graph evidence ({where}): scores leave out collaborators who left"
    org_ids = [str(i) for i in get_setting(s, "organisation").get("org_ids") or []]
    try:
        return flight_risks(s, actor, as_of, DuckDBGraphView(db_path, our_org_ids=org_ids),
                            team), None
    except StoreError as exc:
        return flight_risks(s, actor, as_of, None, team), f"no graph evidence ({exc})"
