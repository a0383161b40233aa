"""Importing the employee roster, equity grants and market bands from CSV.

The comp parsers validate every row first; when any row is bad nothing is written and the
error lists every problem by file, row and column. Good files are upserted by natural key in
the caller's transaction (all or nothing), so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentgraph.errors import OpsInputError
from talentgraph.ops import audit, comp
from talentgraph.ops.compstore import (
    band_from_row,
    employee_from_row,
    grant_from_row,
    schedule_to_json,
)
from talentgraph.ops.models import Employee, EquityGrant, MarketBand, utcnow
from talentgraph.ops.permissions import Actor, Op, require

SHOW_ERRORS = 20


class ImportRowErrors(OpsInputError):
    """One or more rows are bad; nothing was imported. `.errors` lists them all."""

    def __init__(self, errors: list[comp.RowError]) -> None:
        self.errors = errors
        shown = "\n  ".join(str(e) for e in errors[:SHOW_ERRORS])
        more = f"\n  ... and {len(errors) - SHOW_ERRORS} more" if len(errors) > SHOW_ERRORS else ""
        super().__init__(f"{len(errors)} problem(s), nothing imported:\n  {shown}{more}")


@dataclass
class ImportReport:
    file: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, **self.details}


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set changed attributes; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def _count(report: ImportReport, created: bool, changed: bool) -> None:
    if created:
        report.inserted += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


def import_roster(s: Session, actor: Actor, roster_csv: Path,
                  grants_csv: Path | None = None) -> list[ImportReport]:
    """Upsert employees by e-mail (and their grants, when a grants file is given)."""
    require(actor, Op.EMPLOYEE_IMPORT)
    parsed = comp.parse_roster_csv(roster_csv)
    errors = list(parsed.errors)
    grants = None
    if grants_csv is not None:
        in_file = {e.email for e in parsed.rows}
        known = [employee_from_row(e) for e in s.scalars(select(Employee))
                 if e.email not in in_file]
        grants = comp.parse_grants_csv(grants_csv, roster=[*parsed.rows, *known])
        errors += grants.errors
    if errors:
        raise ImportRowErrors(errors)
    report = ImportReport(Path(roster_csv).name)
    existing = {e.email: e for e in s.scalars(select(Employee))}
    for emp in parsed.rows:
        row = existing.get(emp.email)
        values = {"name": emp.name, "team": emp.team, "level": emp.level,
                  "start_date": emp.start_date, "base": emp.base, "bonus": emp.bonus,
                  "currency": emp.currency, "person_id": emp.person_id}
        if row is None:
            row = Employee(email=emp.email, updated_at=utcnow(), **values)
            s.add(row)
            existing[emp.email] = row
            _count(report, True, False)
        else:
            changed = _assign(row, values)
            if changed:
                row.updated_at = utcnow()
            _count(report, False, changed)
    s.flush()
    reports = [report]
    audit.record(s, actor, "roster.import", "employee", None, **report.as_dict())
    if grants is not None and grants_csv is not None:
        reports.append(_upsert_grants(s, actor, grants.rows, Path(grants_csv).name))
    return reports


def import_grants(s: Session, actor: Actor, grants_csv: Path) -> ImportReport:
    """Upsert grants for employees already in the store."""
    require(actor, Op.EMPLOYEE_IMPORT)
    roster = [employee_from_row(e) for e in s.scalars(select(Employee))]
    parsed = comp.parse_grants_csv(grants_csv, roster=roster)
    if parsed.errors:
        raise ImportRowErrors(parsed.errors)
    return _upsert_grants(s, actor, parsed.rows, Path(grants_csv).name)


def _upsert_grants(s: Session, actor: Actor, rows: list[comp.Grant], name: str) -> ImportReport:
    employees = {e.email: e for e in s.scalars(select(Employee))}
    seen: dict[tuple[str, Any, str], int] = {}
    errors = []
    for i, g in enumerate(rows):
        key = (g.employee_email, g.grant_date, g.schedule.kind)
        if key in seen:
            errors.append(comp.RowError(name, 0, None, f"grants #{seen[key] + 1} and #{i + 1} "
                                        f"are both {g.schedule.kind} grants to "
                                        f"{g.employee_email} on {g.grant_date}; give one row per "
                                        "grant date and kind"))
        seen[key] = i
    if errors:
        raise ImportRowErrors(errors)
    report = ImportReport(name)
    # one read of the existing grants, not one query per row
    existing = {(r.employee_id, r.grant_date, r.schedule_kind): r
                for r in s.scalars(select(EquityGrant))}
    for g in rows:
        emp = employees[g.employee_email]
        row = existing.get((emp.id, g.grant_date, g.schedule.kind))
        values = {"value": g.value, "currency": g.currency, "shares": g.shares,
                  "price": g.price, "schedule": schedule_to_json(g.schedule)}
        if row is None:
            s.add(EquityGrant(employee_id=emp.id, grant_date=g.grant_date,
                              schedule_kind=g.schedule.kind, **values))
            _count(report, True, False)
        else:
            _count(report, False, _assign(row, values))
    s.flush()
    audit.record(s, actor, "grants.import", "equity_grant", None, **report.as_dict())
    return report


def import_bands(s: Session, actor: Actor, bands_csv: Path) -> ImportReport:
    """Upsert market bands by (company, level, currency, source, as_of)."""
    require(actor, Op.BANDS_IMPORT)
    parsed = comp.parse_bands_csv(bands_csv)
    if parsed.errors:
        raise ImportRowErrors(parsed.errors)
    report = ImportReport(Path(bands_csv).name)
    # one read of the existing bands, not one query per row
    existing = {(r.company, r.level, r.currency, r.source, r.as_of): r
                for r in s.scalars(select(MarketBand))}
    for b in parsed.rows:
        key = (b.company, b.level, b.currency, b.source, b.as_of)
        row = existing.get(key)
        values = {"base_min": b.base.low, "base_max": b.base.high, "bonus_min": b.bonus.low,
                  "bonus_max": b.bonus.high, "equity_min": b.equity_per_year.low,
                  "equity_max": b.equity_per_year.high, "sign_on_min": b.sign_on.low,
                  "sign_on_max": b.sign_on.high}
        if row is None:
            row = MarketBand(company=b.company, level=b.level, currency=b.currency,
                             source=b.source, as_of=b.as_of, **values)
            s.add(row)
            existing[key] = row
            _count(report, True, False)
        else:
            _count(report, False, _assign(row, values))
    s.flush()
    audit.record(s, actor, "bands.import", "market_band", None, **report.as_dict())
    return report


def list_employees(s: Session, actor: Actor, team: str | None = None) -> list[dict[str, Any]]:
    """The roster with pay and grants (compensation partners and executives only; audited)."""
    require(actor, Op.EMPLOYEE_VIEW)
    q = select(Employee).order_by(Employee.email)
    if team:
        q = q.where(Employee.team == team)
    out = []
    for e in s.scalars(q):
        out.append({"id": e.id, "name": e.name, "email": e.email, "team": e.team,
                    "level": e.level, "start_date": e.start_date, "base": e.base,
                    "bonus": e.bonus, "currency": e.currency, "person_id": e.person_id,
                    "grants": [{"grant_date": g.grant_date, "value": g.value,
                                "currency": g.currency, "kind": g.schedule_kind,
                                "schedule": grant_from_row(g, e.email).schedule.describe()}
                               for g in e.grants]})
    audit.record(s, actor, "employee.read", "employee", None, count=len(out), team=team)
    return out


def list_bands(s: Session, actor: Actor, level: str | None = None) -> list[dict[str, Any]]:
    require(actor, Op.BANDS_VIEW)
    q = select(MarketBand).order_by(MarketBand.level, MarketBand.company, MarketBand.as_of)
    if level:
        q = q.where(MarketBand.level == level)
    rows = []
    for b in s.scalars(q):
        band = band_from_row(b)
        rows.append({"id": b.id, "company": b.company, "level": b.level, "currency": b.currency,
                     "base": f"{b.base_min}-{b.base_max}", "bonus": f"{b.bonus_min}-{b.bonus_max}",
                     "equity_per_year": f"{b.equity_min}-{b.equity_max}",
                     "total_mid": band.total_mid, "source": b.source, "as_of": b.as_of})
    audit.record(s, actor, "bands.read", "market_band", None, count=len(rows))
    return rows
