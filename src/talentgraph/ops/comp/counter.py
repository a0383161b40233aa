"""Counter-offer options for an employee holding a competing offer, within a policy.

`counter_options(current, competitor, policy, years)` returns one option per lever the policy
allows (retention grant, retention bonus, base raise, bonus raise), each the smallest change that
beats the competitor's N-year total by `margin`, capped at the policy's maximum uplift over the
employee's current N-year total (then flagged as not beating). The cap is on the N-year total,
so mixing levers cannot beat a competitor that no single lever beats under the cap: one option
per lever is the whole choice. When the policy forbids counter-offers the result says so and
holds no options.

`current_package(employee, grants, as_of)` turns a roster row and its grants into a `Package`
whose equity is what is still to vest after `as_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from talentgraph.errors import CompensationError
from talentgraph.ops.comp.money import ZERO, FxTable, cents, conversion_rate, round_up, to_decimal
from talentgraph.ops.comp.offers import (
    DEFAULT_YEARS,
    EquityGrant,
    Package,
    Totals,
    horizon_share,
    yearly_totals,
)
from talentgraph.ops.comp.roster import Employee, Grant
from talentgraph.ops.comp.vesting import VestingSchedule, months_between, standard
from talentgraph.wording import count, money

COUNTER_LEVERS = ("equity", "sign_on", "base", "bonus")
_NAMES = {"equity": "retention grant", "sign_on": "retention bonus", "base": "base raise",
          "bonus": "bonus raise"}


@dataclass(frozen=True)
class CounterPolicy:
    allowed: bool = True
    max_uplift_pct: Decimal = Decimal(15)   # over the current N-year total, in percent
    levers: tuple[str, ...] = ("equity", "sign_on", "base")
    step: Decimal = Decimal(1000)
    grant_schedule: VestingSchedule = field(default_factory=standard)

    def __post_init__(self) -> None:
        pct = to_decimal(self.max_uplift_pct, "maximum uplift")
        if pct < 0:
            raise CompensationError(f"maximum uplift must be 0% or more, got {pct}")
        object.__setattr__(self, "max_uplift_pct", pct)
        bad = [lv for lv in self.levers if lv not in COUNTER_LEVERS]
        if bad:
            raise CompensationError(f"unknown counter-offer levers {bad}; use some of "
                                    f"{', '.join(COUNTER_LEVERS)}")


@dataclass(frozen=True)
class CounterOption:
    lever: str
    name: str
    amount: Decimal        # grant value, one-off bonus, or yearly raise
    package: Package
    totals: Totals
    uplift: Decimal        # N-year total over the current package
    uplift_pct: Decimal
    beats: bool            # N-year total >= competitor x (1 + margin)
    capped: bool           # held back by the policy's maximum uplift

    def as_dict(self) -> dict[str, Any]:
        return {"lever": self.lever, "name": self.name, "amount": self.amount,
                "uplift": self.uplift, "uplift_pct": self.uplift_pct, "beats": self.beats,
                "capped": self.capped, "totals": self.totals.as_dict()}


@dataclass(frozen=True)
class CounterResult:
    allowed: bool
    reason: str
    current: Totals | None = None
    competitor: Totals | None = None
    target_total: Decimal = ZERO
    needed: Decimal = ZERO          # N-year increase needed to beat the competitor
    max_uplift: Decimal = ZERO      # N-year increase the policy allows
    options: tuple[CounterOption, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "reason": self.reason, "needed": self.needed,
                "max_uplift": self.max_uplift, "target_total": self.target_total,
                "current": self.current.as_dict() if self.current else None,
                "competitor": self.competitor.as_dict() if self.competitor else None,
                "options": [o.as_dict() for o in self.options]}


def _gain(lever: str, current: Package, years: int, schedule: VestingSchedule) -> Decimal:
    if lever == "equity":
        share = horizon_share(schedule, years)
        return Decimal(share.numerator) / Decimal(share.denominator)
    if lever == "sign_on":
        return Decimal(1)
    if lever == "base" and current.bonus_pct is not None:
        return years * (1 + current.bonus_pct / 100)  # a percentage bonus follows the base
    return Decimal(years)


def _apply(current: Package, lever: str, amount: Decimal, schedule: VestingSchedule) -> Package:
    label = f"{current.label or 'current'} + {_NAMES[lever]}"
    if lever == "equity":
        return replace(current, equity=(*current.equity, EquityGrant(amount, schedule)),
                       label=label)
    if lever == "sign_on":
        first = current.sign_on[0] if current.sign_on else ZERO
        return replace(current, sign_on=(first + amount, *current.sign_on[1:]), label=label)
    if lever == "base":
        return replace(current, base=current.base + amount, label=label)
    if current.bonus_amount is None and current.bonus_pct is not None:
        # a raise of a percentage bonus: express the new target as an amount
        return replace(current, bonus_pct=None, bonus_amount=current.bonus + amount, label=label)
    return replace(current, bonus_amount=current.bonus + amount, label=label)


def counter_options(current: Package, competitor: Package, policy: CounterPolicy,
                    years: int = DEFAULT_YEARS, margin: Decimal | str = "0",
                    fx: FxTable | None = None) -> CounterResult:
    """The counter-offer options the policy allows, each with its yearly totals and verdict."""
    if not policy.allowed:
        return CounterResult(False, "counter-offers are not allowed by policy")
    margin_d = to_decimal(margin, "margin")
    cur = yearly_totals(current, years)
    comp = yearly_totals(competitor, years, current.currency, fx)
    target = comp.total * (1 + margin_d)
    needed = max(ZERO, target - cur.total)
    cap = cents(cur.total * policy.max_uplift_pct / 100)
    if not policy.levers:
        return CounterResult(False, "the policy allows no counter-offer levers", cur, comp,
                             cents(target), cents(needed), cap)
    options: list[CounterOption] = []
    for lever in policy.levers:
        gain = _gain(lever, current, years, policy.grant_schedule)
        if gain <= 0:
            continue
        amount = round_up(needed / gain, policy.step)
        capped = amount * gain > cap
        if capped:
            amount = (cap / gain / policy.step).to_integral_value(ROUND_FLOOR) * policy.step
        package = _apply(current, lever, amount, policy.grant_schedule)
        totals = yearly_totals(package, years)
        uplift = totals.total - cur.total
        pct = cents(uplift / cur.total * 100) if cur.total else ZERO
        options.append(CounterOption(lever, _NAMES[lever], amount, package, totals, uplift, pct,
                                     totals.total >= target, capped))
    if needed == 0:
        reason = "the current package already beats the competing offer"
    elif any(o.beats for o in options):
        reason = "options within policy beat the competing offer"
    else:
        reason = (f"no option within the policy's {policy.max_uplift_pct}% maximum uplift beats "
                  f"the competing offer (it needs {money(cents(needed), current.currency)} "
                  f"over {count(years, 'year')}, the policy allows "
                  f"{money(cap, current.currency)})")
    return CounterResult(True, reason, cur, comp, cents(target), cents(needed), cap,
                         tuple(options))


def current_package(employee: Employee, grants: Iterable[Grant], as_of: date,
                    fx: FxTable | None = None) -> Package:
    """The employee's pay from `as_of` on: base, bonus and their grants' unvested remainder."""
    equity = []
    for g in grants:
        if g.employee_email != employee.email:
            continue
        rate = conversion_rate(g.currency, employee.currency, fx)
        equity.append(EquityGrant(g.value * rate, g.schedule,
                                  -months_between(g.grant_date, as_of)))
    return Package(employee.currency, employee.base, bonus_amount=employee.bonus,
                   equity=tuple(equity), label=employee.name)
