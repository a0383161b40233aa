"""Jinja2 templates for the pages, with helpers every page uses (role checks, CSRF, charts)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from talentgraph import wording
from talentgraph.ops.permissions import Op, Role, allowed
from talentgraph.web.context import csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

# Navigation: (path, label, op that must be allowed or None)
NAV = [
    ("/", "Dashboard", None), ("/flows", "Talent flows", None), ("/cohort", "Cohort", None),
    ("/search", "Sourcing", None), ("/people", "People", None),
    ("/pipeline", "Pipeline", Op.CANDIDATE_VIEW), ("/offers", "Offers", Op.OFFER_VIEW),
    ("/counter-offers", "Counter-offers", Op.COUNTER_OPTIONS),
    ("/retention", "Retention", Op.RISK_VIEW), ("/outreach", "Outreach", Op.OUTREACH_WRITE),
    ("/requisitions", "Requisitions", Op.PLAN_VIEW), ("/bands", "Bands", Op.BANDS_VIEW),
    ("/roster", "Roster", Op.EMPLOYEE_VIEW),
    ("/audit", "Audit log", Op.AUDIT_VIEW), ("/admin/users", "Users", Op.USER_ADMIN),
]


def _default(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, set | frozenset | tuple):
        return list(v)
    return str(v)


def chart(spec: dict[str, Any] | None, name: str) -> Markup:
    """A chart placeholder with its Vega-Lite spec as inert JSON (static/app.js embeds it)."""
    if not spec:
        return Markup('<p class="muted">Nothing to chart.</p>')
    data = json.dumps(spec, default=_default).replace("</", "<\\/")
    return Markup(f'<div class="chart" id="chart-{name}" data-chart="{name}"></div>'
                  f'<script type="application/json" id="spec-{name}">{data}</script>')


def num(v: Any, digits: int = 0) -> str:
    if v is None:
        return ""
    try:
        return f"{float(v):,.{digits}f}"  # amounts are stored as text to stay exact
    except (TypeError, ValueError):
        return str(v)


templates.env.globals["chart"] = chart
templates.env.filters["num"] = num
templates.env.filters["pct"] = lambda v: "" if v is None else f"{100 * float(v):.0f}%"
# words and numbers as the CLI and the documents write them (talentgraph.wording)
templates.env.filters["plural"] = wording.plural
templates.env.filters["count"] = wording.count
templates.env.filters["money"] = wording.money
templates.env.filters["ordinal"] = wording.ordinal
templates.env.filters["percentile"] = wording.percentile


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    role = actor.role if actor is not None else None

    def can(op: str) -> bool:
        return role is not None and allowed(Role(role), Op(op))

    nav = [(p, label) for p, label, op in NAV if role is not None and (op is None or can(op))]
    return templates.TemplateResponse(request, name, {
        "actor": actor, "can": can, "nav": nav, "csrf": csrf_token(request),
        "path": request.url.path, **context}, status_code=status_code)
