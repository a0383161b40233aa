"""Offer packages: year-by-year value, comparison with a rival's, the smallest one that beats it.

- `Package`: base, sign-on (split over years), bonus (target % of base or an amount), equity
  grants with any vesting schedule, yearly refreshers; private-company equity valued with a
  user-set discount and liquidity assumption (`PrivateValuation`).
- `yearly_totals(package, years)`: per-year base, bonus, sign-on, equity and cumulative total.
- `compare(ours, theirs, years, fx=...)`: per-year and total differences (refuses to mix
  currencies without an `FxTable`).
- `smallest_beating(theirs, band, margin, years)`: the smallest package inside our band whose
  N-year total beats theirs by `margin`, or one flagged `needs_exception` with how far over band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any

from talentgraph.errors import CompensationError
from talentgraph.ops.comp.bands import MarketBand
from talentgraph.ops.comp.money import (
    ZERO,
    FxTable,
    cents,
    conversion_rate,
    currency_code,
    round_up,
    to_decimal,
)
from talentgraph.ops.comp.vesting import VestingSchedule, standard, yearly_vesting
from talentgraph.wording import count, money

DEFAULT_YEARS = 4


def _non_negative(value: Any, what: str) -> Decimal:
    amount = to_decimal(value, what)
    if amount < 0:
        raise CompensationError(f"{what} must not be negative, got {amount}")
    return amount


def _share(value: Any, what: str) -> Decimal:
    share = to_decimal(value, what)
    if not 0 <= share <= 1:
        raise CompensationError(f"{what} must be between 0 and 1, got {share}")
    return share


@dataclass(frozen=True)
class PrivateValuation:
    """How much private-company paper is worth to the candidate, per vesting year.

    value = paper x (1 - discount) x liquidity_probability / (1 + wait_rate)^wait, where wait is
    the years between the vesting year's end and the expected liquidity event (0 once liquid).
    `discount` is the user's haircut (0.5 counts half the paper value); the probability is the
    chance there is ever a liquidity event at that valuation; `wait_rate` prices the waiting.
    """

    discount: Decimal
    liquidity_probability: Decimal = Decimal(1)
    years_to_liquidity: Decimal = ZERO
    wait_rate: Decimal = Decimal("0.10")

    def __post_init__(self) -> None:
        object.__setattr__(self, "discount", _share(self.discount, "private equity discount"))
        object.__setattr__(self, "liquidity_probability",
                           _share(self.liquidity_probability, "liquidity probability"))
        object.__setattr__(self, "years_to_liquidity",
                           _non_negative(self.years_to_liquidity, "years to liquidity"))
        object.__setattr__(self, "wait_rate", _non_negative(self.wait_rate, "wait rate"))

    def factor(self, year: int) -> Decimal:
        """The share of paper value counted for equity vesting in offer year `year`."""
        wait = max(ZERO, self.years_to_liquidity - year)
        return ((1 - self.discount) * self.liquidity_probability
                / (1 + self.wait_rate) ** wait)


@dataclass(frozen=True)
class EquityGrant:
    """A grant of paper value `value` made `start_month` months after the package starts.

    A negative `start_month` is a grant made before (an employee's existing grant).
    """

    value: Decimal
    schedule: VestingSchedule = field(default_factory=standard)
    start_month: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _non_negative(self.value, "equity grant value"))


@dataclass(frozen=True)
class Refresher:
    """A grant of `value` at the start of every year from `start_year` on."""

    value: Decimal
    schedule: VestingSchedule = field(default_factory=standard)
    start_year: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _non_negative(self.value, "refresher value"))
        if self.start_year < 1:
            raise CompensationError(f"refresher start year must be 1 or later, got "
                                    f"{self.start_year}")

    def grants(self, years: int) -> list[EquityGrant]:
        return [EquityGrant(self.value, self.schedule, 12 * (y - 1))
                for y in range(self.start_year, years + 1)]


@dataclass(frozen=True)
class Package:
    """One pay package in one currency; amounts are yearly unless said otherwise."""

    currency: str
    base: Decimal
    sign_on: tuple[Decimal, ...] = ()        # paid in year 1, 2, ... (a split sign-on)
    bonus_pct: Decimal | None = None         # target bonus in percent of base (15 = 15%)
    bonus_amount: Decimal | None = None      # or a fixed yearly target amount
    equity: tuple[EquityGrant, ...] = ()     # one grant, or several for a current employee
    refreshers: tuple[Refresher, ...] = ()
    private: bool = False
    valuation: PrivateValuation | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", currency_code(self.currency))
        object.__setattr__(self, "base", _non_negative(self.base, "base salary"))
        sign_on = self.sign_on
        if not isinstance(sign_on, (tuple, list)):
            sign_on = (sign_on,)
        object.__setattr__(self, "sign_on",
                           tuple(_non_negative(s, "sign-on bonus") for s in sign_on))
        if self.bonus_pct is not None and self.bonus_amount is not None:
            raise CompensationError("give the bonus as a percent of base or as an amount, not both")
        if self.bonus_pct is not None:
            pct = _non_negative(self.bonus_pct, "bonus percent")
            if pct > 1000:
                raise CompensationError(f"bonus percent {pct} is not plausible (15 means 15%)")
            object.__setattr__(self, "bonus_pct", pct)
        if self.bonus_amount is not None:
            object.__setattr__(self, "bonus_amount",
                               _non_negative(self.bonus_amount, "bonus amount"))
        equity = self.equity
        if isinstance(equity, EquityGrant):
            equity = (equity,)
        object.__setattr__(self, "equity", tuple(equity))
        object.__setattr__(self, "refreshers", tuple(self.refreshers))
        if self.private and self.valuation is None:
            raise CompensationError("private-company equity needs a valuation: pass "
                                    "valuation=PrivateValuation(discount=..., ...)")
        if not self.private and self.valuation is not None:
            raise CompensationError("a valuation is only for private-company equity: set "
                                    "private=True or drop the valuation")

    @property
    def bonus(self) -> Decimal:
        """The yearly target bonus amount."""
        if self.bonus_amount is not None:
            return self.bonus_amount
        if self.bonus_pct is not None:
            return self.base * self.bonus_pct / 100
        return ZERO


@dataclass(frozen=True)
class YearTotal:
    year: int
    base: Decimal
    bonus: Decimal
    sign_on: Decimal
    equity: Decimal        # as counted (private equity after discount and liquidity)
    equity_paper: Decimal  # paper value vesting this year
    total: Decimal
    cumulative: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    label: str
    years: tuple[YearTotal, ...]

    @property
    def total(self) -> Decimal:
        return self.years[-1].cumulative if self.years else ZERO

    def as_dict(self) -> dict[str, Any]:
        return {"currency": self.currency, "label": self.label, "total": self.total,
                "years": [vars(y) for y in self.years]}


def yearly_totals(package: Package, years: int = DEFAULT_YEARS, currency: str | None = None,
                  fx: FxTable | None = None) -> Totals:
    """Year-by-year pay of `package` for years 1..`years`, optionally converted into `currency`."""
    if years < 1:
        raise CompensationError(f"years must be 1 or more, got {years}")
    ccy = currency_code(currency) if currency else package.currency
    rate = conversion_rate(package.currency, ccy, fx)
    paper = [ZERO] * years
    grants = list(package.equity)
    for refresher in package.refreshers:
        grants += refresher.grants(years)
    for grant in grants:
        for i, amount in enumerate(yearly_vesting(grant.schedule, grant.value, years,
                                                  grant.start_month)):
            paper[i] += amount
    rows: list[YearTotal] = []
    cumulative = ZERO
    for i in range(years):
        year = i + 1
        counted = paper[i] * package.valuation.factor(year) if package.valuation else paper[i]
        base = cents(package.base * rate)
        bonus = cents(package.bonus * rate)
        sign_on = cents((package.sign_on[i] if i < len(package.sign_on) else ZERO) * rate)
        equity = cents(counted * rate)
        total = base + bonus + sign_on + equity
        cumulative += total
        rows.append(YearTotal(year, base, bonus, sign_on, equity, cents(paper[i] * rate), total,
                              cumulative))
    return Totals(ccy, package.label, tuple(rows))


@dataclass(frozen=True)
class YearDiff:
    year: int
    ours: Decimal
    theirs: Decimal
    diff: Decimal             # ours - theirs
    cumulative_diff: Decimal


@dataclass(frozen=True)
class Comparison:
    currency: str
    ours: Totals
    theirs: Totals
    years: tuple[YearDiff, ...]

    @property
    def total_diff(self) -> Decimal:
        return self.ours.total - self.theirs.total

    @property
    def ratio(self) -> Decimal | None:
        """Our N-year total over theirs (None when theirs is zero)."""
        return self.ours.total / self.theirs.total if self.theirs.total else None

    def beats(self, margin: Decimal | str | int = 0) -> bool:
        """Whether our N-year total is at least (1 + margin) times theirs."""
        return self.ours.total >= self.theirs.total * (1 + to_decimal(margin, "margin"))

    def as_dict(self) -> dict[str, Any]:
        return {"currency": self.currency, "total_diff": self.total_diff, "ratio": self.ratio,
                "ours": self.ours.as_dict(), "theirs": self.theirs.as_dict(),
                "years": [vars(y) for y in self.years]}


def compare(ours: Package, theirs: Package, years: int = DEFAULT_YEARS,
            fx: FxTable | None = None, currency: str | None = None) -> Comparison:
    """Per-year and total differences, in `currency` (default: ours), converting with `fx`."""
    ccy = currency_code(currency) if currency else ours.currency
    a = yearly_totals(ours, years, ccy, fx)
    b = yearly_totals(theirs, years, ccy, fx)
    diffs = tuple(YearDiff(x.year, x.total, y.total, x.total - y.total,
                           x.cumulative - y.cumulative) for x, y in zip(a.years, b.years,
                                                                        strict=True))
    return Comparison(ccy, a, b, diffs)


# Levers in the order smallest_beating raises them, each only up to the band's maximum:
# 1. equity: it is deferred and only paid if the person stays (retention built in), it answers a
#    stock-heavy rival in the same currency of value, and it does not raise our fixed cost;
# 2. sign_on: one-off cash (repayable if they leave early) that bridges year 1 - e.g. the
#    cliff, or equity forfeited at the current employer - without a lasting cost;
# 3. base: recurring and permanent; it compounds into raises, percentage bonuses and future
#    offers, and widens gaps with peers at the same level, so it comes after one-off levers;
# 4. bonus: the target bonus is set per level by the bonus plan; changing it for one person
#    breaks the plan, so it moves last.
LEVERS = ("equity", "sign_on", "base", "bonus")


@dataclass(frozen=True)
class BeatResult:
    package: Package
    totals: Totals
    theirs: Totals
    target_total: Decimal            # theirs x (1 + margin) over the horizon
    needs_exception: bool
    shortfall: Decimal               # N-year amount the band cannot reach (0 when within band)
    over_band: dict[str, Decimal]    # lever -> amount above the band's maximum
    over_band_pct: Decimal           # that amount as a percent of the lever's band maximum
    levers_used: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def beats(self) -> bool:
        return self.totals.total >= self.target_total

    def as_dict(self) -> dict[str, Any]:
        return {"needs_exception": self.needs_exception, "target_total": self.target_total,
                "shortfall": self.shortfall, "over_band": self.over_band,
                "over_band_pct": self.over_band_pct, "levers_used": list(self.levers_used),
                "notes": list(self.notes), "ours": self.totals.as_dict(),
                "theirs": self.theirs.as_dict()}


def horizon_share(schedule: VestingSchedule, years: int, start_month: int = 0) -> Fraction:
    """The fraction of a grant that vests within the first `years` years."""
    return sum((f for m, f in schedule.events() if 0 < start_month + m <= 12 * years),
               Fraction(0))


def _lever_gain(lever: str, years: int, schedule: VestingSchedule,
                sign_on_years: int) -> Decimal:
    """How much one unit of the lever adds to the N-year total."""
    if lever == "equity":
        share = horizon_share(schedule, years)
        return Decimal(share.numerator) / Decimal(share.denominator)
    if lever == "sign_on":
        return Decimal(min(sign_on_years, years)) / Decimal(sign_on_years)
    return Decimal(years)  # base and bonus are paid every year


def split_evenly(amount: Decimal, parts: int) -> tuple[Decimal, ...]:
    """`amount` in `parts` cent amounts that add up exactly (the first takes the odd cents)."""
    each = (amount / parts).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return (amount - each * (parts - 1), *([each] * (parts - 1)))


def _build(band: MarketBand, amounts: dict[str, Decimal], schedule: VestingSchedule,
           sign_on_years: int, label: str) -> Package:
    return Package(band.currency, amounts["base"], split_evenly(amounts["sign_on"], sign_on_years),
                   bonus_amount=amounts["bonus"], equity=(EquityGrant(amounts["equity"],
                                                                      schedule),),
                   label=label)


def smallest_beating(theirs: Package, band: MarketBand, margin: Decimal | str = "0.10",
                     years: int = DEFAULT_YEARS, schedule: VestingSchedule | None = None,
                     fx: FxTable | None = None, step: Decimal | str = "1000",
                     sign_on_years: int = 1, levers: Sequence[str] = LEVERS,
                     label: str = "our offer") -> BeatResult:
    """The smallest package in `band` whose `years`-year total is >= theirs x (1 + margin).

    Starts at the band minimum (no sign-on beyond the band's minimum) and raises the levers in
    `LEVERS` order, each up to its band maximum, in multiples of `step`. When the band is not
    enough, the result is flagged `needs_exception` and the missing amount is put on the first
    lever above its band maximum (`over_band`, `over_band_pct`), so an approver sees the gap.
    """
    schedule = schedule or standard()
    margin_d = to_decimal(margin, "margin")
    step_d = to_decimal(step, "step")
    if step_d <= 0 or margin_d < 0:
        raise CompensationError("step must be positive and margin 0 or more")
    unknown = [lever for lever in levers if lever not in LEVERS]
    if unknown or not levers:
        raise CompensationError(f"unknown levers {unknown}; use some of {', '.join(LEVERS)}")
    if sign_on_years < 1:
        raise CompensationError("sign_on_years must be 1 or more")
    their = yearly_totals(theirs, years, band.currency, fx)
    target = their.total * (1 + margin_d)
    eq_units = Decimal(schedule.years)  # band equity is per year: a grant is that x its years
    lows = {"equity": band.equity_per_year.low * eq_units, "sign_on": band.sign_on.low,
            "base": band.base.low, "bonus": band.bonus.low}
    highs = {"equity": band.equity_per_year.high * eq_units, "sign_on": band.sign_on.high,
             "base": band.base.high, "bonus": band.bonus.high}
    amounts = dict(lows)
    gains = {lv: _lever_gain(lv, years, schedule, sign_on_years) for lv in LEVERS}
    used: list[str] = []
    notes: list[str] = []

    def current() -> Totals:
        return yearly_totals(_build(band, amounts, schedule, sign_on_years, label), years)

    ours = current()
    for lever in levers:
        need = target - ours.total
        if need <= 0:
            break
        room = highs[lever] - amounts[lever]
        if room <= 0 or gains[lever] <= 0:
            continue
        take = min(room, round_up(need / gains[lever], step_d))
        amounts[lever] += take
        used.append(lever)
        ours = current()
        # cent rounding in vesting can leave us a few cents short: one more step fixes that
        while ours.total < target and amounts[lever] < highs[lever]:
            amounts[lever] = min(highs[lever], amounts[lever] + step_d)
            ours = current()
    over: dict[str, Decimal] = {}
    over_pct = ZERO
    shortfall = max(ZERO, target - ours.total)
    if shortfall > 0:
        lever = next(lv for lv in levers if gains[lv] > 0)
        extra = round_up(shortfall / gains[lever], step_d)
        amounts[lever] += extra
        over[lever] = extra
        if highs[lever] > 0:
            over_pct = cents(extra / highs[lever] * 100)
        if lever not in used:
            used.append(lever)
        ours = current()
        notes.append(f"the band's maximum falls short by "
                     f"{money(cents(shortfall), band.currency)} over {count(years, 'year')}; "
                     f"{lever} must go {money(extra, band.currency)} above the band "
                     f"({over_pct}% over its maximum): needs an exception")
    went_past_equity = bool(over) or any(lv in used for lv in ("base", "bonus"))
    if lows["sign_on"] == highs["sign_on"] == 0 and "sign_on" in levers and went_past_equity:
        notes.append("the band gives no sign-on range, so no sign-on was used")
    package = _build(band, amounts, schedule, sign_on_years, label)
    return BeatResult(package, ours, their, cents(target), bool(over), cents(shortfall), over,
                      over_pct, tuple(used), tuple(notes))


def with_amounts(package: Package, **changes: Any) -> Package:
    """A copy of `package` with some fields changed (validated again)."""
    return replace(package, **changes)
