"""Between the pure compensation types (talentgraph.ops.comp) and the store's rows and JSON.

Package JSON keeps amounts as strings so that a stored offer is read back exactly; yearly
totals are stored with numbers for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from talentgraph.errors import CompensationError, OpsInputError
from talentgraph.ops import comp
from talentgraph.ops.comp.inputs import parse_amount
from talentgraph.ops.comp.vesting import VestingSchedule
from talentgraph.ops.models import Employee as EmployeeRow
from talentgraph.ops.models import EquityGrant as GrantRow
from talentgraph.ops.models import MarketBand as BandRow


def jsonable(value: Any) -> Any:
    """Decimals to numbers, dates to ISO text, tuples to lists, recursively."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def schedule_to_json(s: VestingSchedule) -> dict[str, Any]:
    return {"kind": s.kind, "yearly_fractions": [str(f) for f in s.yearly_fractions],
            "period_months": s.period_months, "cliff_months": s.cliff_months}


def schedule_from_json(d: dict[str, Any]) -> VestingSchedule:
    return VestingSchedule(tuple(Fraction(f) for f in d["yearly_fractions"]),
                           int(d["period_months"]), int(d["cliff_months"]), d["kind"])


def _s(x: Decimal | None) -> str | None:
    return None if x is None else str(x)


def package_to_json(p: comp.Package) -> dict[str, Any]:
    return {
        "currency": p.currency, "base": str(p.base), "sign_on": [str(x) for x in p.sign_on],
        "bonus_pct": _s(p.bonus_pct), "bonus_amount": _s(p.bonus_amount),
        "equity": [{"value": str(g.value), "schedule": schedule_to_json(g.schedule),
                    "start_month": g.start_month} for g in p.equity],
        "refreshers": [{"value": str(r.value), "schedule": schedule_to_json(r.schedule),
                        "start_year": r.start_year} for r in p.refreshers],
        "private": p.private,
        "valuation": None if p.valuation is None else {
            "discount": str(p.valuation.discount),
            "liquidity_probability": str(p.valuation.liquidity_probability),
            "years_to_liquidity": str(p.valuation.years_to_liquidity),
            "wait_rate": str(p.valuation.wait_rate)},
        "label": p.label,
    }


def package_from_json(d: dict[str, Any]) -> comp.Package:
    val = d.get("valuation")
    return comp.Package(
        currency=d["currency"], base=Decimal(d["base"]),
        sign_on=tuple(Decimal(x) for x in d.get("sign_on", [])),
        bonus_pct=None if d.get("bonus_pct") is None else Decimal(d["bonus_pct"]),
        bonus_amount=None if d.get("bonus_amount") is None else Decimal(d["bonus_amount"]),
        equity=tuple(comp.EquityGrant(Decimal(g["value"]), schedule_from_json(g["schedule"]),
                                      int(g.get("start_month", 0))) for g in d.get("equity", [])),
        refreshers=tuple(comp.Refresher(Decimal(r["value"]), schedule_from_json(r["schedule"]),
                                        int(r.get("start_year", 2)))
                         for r in d.get("refreshers", [])),
        private=bool(d.get("private")),
        valuation=None if not val else comp.PrivateValuation(
            Decimal(val["discount"]), Decimal(val["liquidity_probability"]),
            Decimal(val["years_to_liquidity"]), Decimal(val["wait_rate"])),
        label=d.get("label", ""))


def package_from_options(currency: str, base: str | float | Decimal, *,
                         sign_on: Iterable[str | float | Decimal] = (),
                         bonus_pct: str | float | Decimal | None = None,
                         bonus: str | float | Decimal | None = None,
                         equity: str | float | Decimal | None = None,
                         vesting: str = "cliff_monthly",
                         fractions: list[str] | None = None,
                         refresher: str | float | Decimal | None = None,
                         private_discount_pct: float | None = None,
                         liquidity_probability: float | None = None,
                         years_to_liquidity: float | None = None,
                         label: str = "") -> comp.Package:
    """A Package from the loose options of a command line or form (amounts as text or numbers),
    each amount checked by the one rule of `comp.inputs` (CompensationError names the field)."""
    def amount(field: str, value: Any) -> Decimal:
        parsed, wrong = parse_amount(value)
        if wrong is not None or parsed is None:
            raise CompensationError(f"{label or 'package'}: {field}: {wrong or 'is required'}, "
                                    f"not {value!r}")
        return parsed

    def dec(x: Any) -> Decimal:
        return Decimal(str(x))

    base_v = amount("base", base)
    sign_on_v = tuple(amount("sign-on", x) for x in sign_on)
    bonus_v = None if bonus is None else amount("bonus", bonus)
    equity_v = amount("equity", equity) if equity else None
    refresher_v = amount("refresher", refresher) if refresher else None
    schedule = comp.from_spec(vesting, fractions)
    private = private_discount_pct is not None
    valuation = None
    if private:
        valuation = comp.PrivateValuation(
            dec(private_discount_pct) / 100,
            dec(1 if liquidity_probability is None else liquidity_probability),
            dec(years_to_liquidity or 0))
    return comp.Package(
        currency=currency, base=base_v, sign_on=sign_on_v,
        bonus_pct=None if bonus_pct is None else dec(bonus_pct),
        bonus_amount=bonus_v,
        equity=(comp.EquityGrant(equity_v, schedule),) if equity_v else (),
        refreshers=(comp.Refresher(refresher_v, schedule),) if refresher_v else (),
        private=private, valuation=valuation, label=label)


def band_from_row(b: BandRow) -> comp.MarketBand:
    return comp.MarketBand(b.company, b.level, b.currency, comp.Range(b.base_min, b.base_max),
                           comp.Range(b.bonus_min, b.bonus_max),
                           comp.Range(b.equity_min, b.equity_max), b.source, b.as_of,
                           comp.Range(b.sign_on_min, b.sign_on_max))


def employee_from_row(e: EmployeeRow) -> comp.Employee:
    return comp.Employee(e.name, e.email, e.team, e.level, e.start_date, e.base, e.bonus,
                         e.currency, e.person_id)


def grant_from_row(g: GrantRow, email: str) -> comp.Grant:
    return comp.Grant(email, g.grant_date, g.value, g.currency, schedule_from_json(g.schedule),
                      g.shares, g.price)


def check_years(years: int) -> int:
    if not 1 <= years <= 10:
        raise OpsInputError(f"years: compare over 1 to 10 years, not {years}")
    return years
