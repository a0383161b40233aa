"""Vesting schedules and what a grant vests when.

A schedule is a list of per-year fractions (summing to 1) vested in equal parts every
`period_months` inside each year, with an optional cliff: everything that would vest before
`cliff_months` vests at the cliff instead. That one model covers the usual shapes:

- `standard()`: 4 years, 1-year cliff, then monthly (25% at month 12, then 1/48 a month);
  `standard(period_months=3)` vests quarterly after the cliff;
- `front_loaded((0.4, 0.3, 0.2, 0.1))`: any yearly fractions, here with a 1-year cliff;
- `monthly()`: 1/48 a month from the first month, no cliff;
- `custom(fractions)`: per-year fractions vesting at each anniversary.

Fractions are kept exact (`fractions.Fraction`); money is `Decimal`, rounded to cents on the
cumulative amount so that the parts of a grant always add up to the grant.

Month offsets count from the grant date: an event at month 12 is the first anniversary. In an
offer, year k covers months (12(k-1), 12k], so a cliff exactly at 12 months vests in year 1.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from talentgraph.errors import CompensationError
from talentgraph.ops.comp.money import ZERO, cents, to_decimal


class VestingError(CompensationError):
    """A vesting schedule is malformed (fractions, cliff or period)."""


KINDS = ("cliff_monthly", "cliff_quarterly", "front_loaded", "monthly", "custom")
# Tolerance for fractions given as rounded decimals (e.g. three times 0.3333333333).
_SUM_TOLERANCE = Fraction(1, 10**6)


def _as_fraction(value: object, index: int) -> Fraction:
    try:
        if isinstance(value, Fraction):
            frac = value
        elif isinstance(value, float):
            frac = Fraction(repr(value))
        else:
            frac = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise VestingError(f"vesting fraction #{index + 1} ({value!r}) is not a number") from None
    if frac < 0:
        raise VestingError(f"vesting fraction #{index + 1} is negative ({value}); every year "
                           "must vest 0 or more")
    if frac > 100:  # more than 100% in one year: a typo (and too large to print as a float)
        raise VestingError(f"vesting fraction #{index + 1} ({value}) is more than 100%")
    return frac


def validate_fractions(values: Iterable[object]) -> tuple[Fraction, ...]:
    """Exact yearly fractions: none negative, at least one year, summing to 1.

    Sums within one millionth of 1 (rounded decimals) are rescaled to exactly 1.
    """
    fracs = tuple(_as_fraction(v, i) for i, v in enumerate(values))
    if not fracs:
        raise VestingError("a vesting schedule needs at least one yearly fraction")
    total = sum(fracs, Fraction(0))
    if abs(total - 1) > _SUM_TOLERANCE:
        raise VestingError(f"yearly vesting fractions sum to {float(total):.6g}, they must sum "
                           f"to 1 (100%): got {', '.join(str(float(f)) for f in fracs)}")
    if total != 1:
        fracs = tuple(f / total for f in fracs)
    return fracs


@dataclass(frozen=True)
class VestingSchedule:
    """Per-year fractions vested every `period_months`, with everything before the cliff at it."""

    yearly_fractions: tuple[Fraction, ...]
    period_months: int = 1
    cliff_months: int = 0
    kind: str = "custom"

    def __post_init__(self) -> None:
        object.__setattr__(self, "yearly_fractions", validate_fractions(self.yearly_fractions))
        if self.period_months not in (1, 2, 3, 4, 6, 12):
            raise VestingError(f"vesting period must divide a year (1, 2, 3, 4, 6 or 12 months), "
                               f"got {self.period_months}")
        if not 0 <= self.cliff_months <= self.months:
            raise VestingError(f"cliff of {self.cliff_months} months must be between 0 and the "
                               f"schedule's length ({self.months} months)")
        if self.kind not in KINDS:
            raise VestingError(f"unknown vesting kind {self.kind!r}; use one of {', '.join(KINDS)}")

    @property
    def years(self) -> int:
        return len(self.yearly_fractions)

    @property
    def months(self) -> int:
        return 12 * self.years

    def events(self) -> list[tuple[int, Fraction]]:
        """(month offset from grant, fraction vesting then), in order, zero events dropped."""
        per_year = 12 // self.period_months
        raw: list[tuple[int, Fraction]] = []
        for y, frac in enumerate(self.yearly_fractions):
            for p in range(1, per_year + 1):
                raw.append((12 * y + p * self.period_months, frac / per_year))
        at_cliff = sum((f for m, f in raw if m < self.cliff_months), Fraction(0))
        out = [(self.cliff_months, at_cliff)] if at_cliff else []
        out += [(m, f) for m, f in raw if m >= self.cliff_months]
        merged: list[tuple[int, Fraction]] = []
        for m, f in out:  # the cliff month may also be a regular event month
            if merged and merged[-1][0] == m:
                merged[-1] = (m, merged[-1][1] + f)
            elif f:
                merged.append((m, f))
        return merged

    def describe(self) -> str:
        pct = "/".join(f"{float(f) * 100:g}" for f in self.yearly_fractions)
        every = {1: "monthly", 3: "quarterly", 12: "yearly"}.get(
            self.period_months, f"every {self.period_months} months")
        cliff = f", {self.cliff_months}-month cliff" if self.cliff_months else ""
        return f"{self.years} years ({pct}%) vesting {every}{cliff}"


def standard(years: int = 4, cliff_months: int = 12, period_months: int = 1) -> VestingSchedule:
    """Even vesting over `years` with a cliff (default 4 years, 1-year cliff, then monthly)."""
    if years < 1:
        raise VestingError(f"a schedule needs at least one year, got {years}")
    kind = "cliff_quarterly" if period_months == 3 else "cliff_monthly"
    return VestingSchedule(tuple(Fraction(1, years) for _ in range(years)), period_months,
                           cliff_months, kind)


def front_loaded(fractions: Sequence[object] = ("0.4", "0.3", "0.2", "0.1"),
                 cliff_months: int = 12, period_months: int = 1) -> VestingSchedule:
    """Given yearly fractions (default 40/30/20/10), 1-year cliff, then monthly."""
    return VestingSchedule(tuple(fractions), period_months, cliff_months, "front_loaded")  # type: ignore[arg-type]


def monthly(years: int = 4) -> VestingSchedule:
    """Even monthly vesting from the first month, no cliff."""
    if years < 1:
        raise VestingError(f"a schedule needs at least one year, got {years}")
    return VestingSchedule(tuple(Fraction(1, years) for _ in range(years)), 1, 0, "monthly")


def custom(fractions: Sequence[object], period_months: int = 12,
           cliff_months: int = 0) -> VestingSchedule:
    """Any per-year fractions, by default vesting once at each anniversary."""
    return VestingSchedule(tuple(fractions), period_months, cliff_months, "custom")  # type: ignore[arg-type]


def from_spec(kind: str, fractions: Sequence[object] | None = None, years: int | None = None,
              cliff_months: int | None = None, period_months: int | None = None) -> VestingSchedule:
    """Build a schedule from the loose fields of a CSV row or a form (kind + optional details).

    Fractions may be given as fractions (sum 1) or percentages (sum 100: any value above 1).
    """
    kind = (kind or "cliff_monthly").strip().lower().replace("-", "_")
    aliases = {"standard": "cliff_monthly", "4y1c": "cliff_monthly", "quarterly": "cliff_quarterly"}
    kind = aliases.get(kind, kind)
    if fractions is not None:
        fracs = [_as_fraction(v, i) for i, v in enumerate(fractions)]
        if any(f > 1 for f in fracs):  # percentages such as 40/30/20/10
            fracs = [f / 100 for f in fracs]
        fractions = fracs
    if kind in ("cliff_monthly", "cliff_quarterly"):
        if fractions:
            raise VestingError(f"kind {kind} vests evenly; use kind front_loaded or custom to "
                               "give yearly fractions")
        return standard(years or 4, 12 if cliff_months is None else cliff_months,
                        period_months or (3 if kind == "cliff_quarterly" else 1))
    if kind == "monthly":
        if fractions or cliff_months:
            raise VestingError("kind monthly vests evenly with no cliff; use custom instead")
        return monthly(years or 4)
    if kind == "front_loaded":
        return front_loaded(fractions or ("0.4", "0.3", "0.2", "0.1"),
                            12 if cliff_months is None else cliff_months, period_months or 1)
    if kind == "custom":
        if not fractions:
            raise VestingError("kind custom needs yearly fractions, e.g. 25/25/25/25")
        return custom(fractions, period_months or 12, cliff_months or 0)
    raise VestingError(f"unknown vesting kind {kind!r}; use one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class VestEvent:
    month: int      # months after the grant date
    on: date | None  # the calendar date, when the grant date is known
    amount: Decimal


def add_months(d: date, months: int) -> date:
    """The same day `months` later (clamped to the month's last day: Jan 31 + 1 = Feb 28/29)."""
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (negative when end is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def vest_events(schedule: VestingSchedule, value: Decimal | int | str,
                grant_date: date | None = None) -> list[VestEvent]:
    """The grant's vesting events with amounts in cents that add up exactly to `value`."""
    total = to_decimal(value, "grant value")
    if total < 0:
        raise VestingError(f"grant value must not be negative, got {total}")
    out: list[VestEvent] = []
    cum = Fraction(0)
    prev = ZERO
    for month, frac in schedule.events():
        cum += frac
        now = cents(total * Decimal(cum.numerator) / Decimal(cum.denominator))
        on = add_months(grant_date, month) if grant_date else None
        out.append(VestEvent(month, on, now - prev))
        prev = now
    return out


def yearly_vesting(schedule: VestingSchedule, value: Decimal | int | str, years: int,
                   start_month: int = 0) -> list[Decimal]:
    """What vests in each offer year 1..`years` for a grant made `start_month` months into year 1.

    `start_month` may be negative for a grant made before the period starts (an employee's
    existing grant); events at or before month 0 have already vested and are left out.
    """
    out = [ZERO] * years
    for ev in vest_events(schedule, value):
        m = start_month + ev.month
        if m <= 0:
            continue
        k = (m - 1) // 12  # months 1..12 -> year 1 (index 0)
        if k < years:
            out[k] += ev.amount
    return out


def yearly_vesting_by_date(schedule: VestingSchedule, value: Decimal | int | str,
                           grant_date: date, start: date, years: int) -> list[Decimal]:
    """What vests in each year 1..`years` counted from `start`, for a grant made on `grant_date`.

    Year k covers the dates after start + 12(k-1) months up to and including start + 12k
    months, so a cliff falling on the first anniversary of `start` counts in year 1.
    """
    bounds = [add_months(start, 12 * k) for k in range(years + 1)]
    out = [ZERO] * years
    for ev in vest_events(schedule, value, grant_date):
        for k in range(years):
            if ev.on is not None and bounds[k] < ev.on <= bounds[k + 1]:
                out[k] += ev.amount
                break
    return out


def vested_at(schedule: VestingSchedule, value: Decimal | int | str, grant_date: date,
              at: date) -> Decimal:
    """The part of the grant vested on or before `at` (leaving before the cliff vests nothing)."""
    return sum((ev.amount for ev in vest_events(schedule, value, grant_date)
                if ev.on is not None and ev.on <= at), ZERO)


def unvested_at(schedule: VestingSchedule, value: Decimal | int | str, grant_date: date,
                at: date) -> Decimal:
    """The part still to vest after `at` (all of it when `at` is before the grant)."""
    return to_decimal(value, "grant value") - vested_at(schedule, value, grant_date, at)


def vesting_between(schedule: VestingSchedule, value: Decimal | int | str, grant_date: date,
                    after: date, until: date) -> Decimal:
    """The part vesting in (after, until]."""
    return sum((ev.amount for ev in vest_events(schedule, value, grant_date)
                if ev.on is not None and after < ev.on <= until), ZERO)


def milestones(schedule: VestingSchedule, grant_date: date) -> dict[str, date]:
    """The dates that change the cost of leaving: the cliff (if any) and the final vest."""
    events = schedule.events()
    out: dict[str, date] = {}
    if schedule.cliff_months:
        out["cliff"] = add_months(grant_date, schedule.cliff_months)
    out["final_vest"] = add_months(grant_date, events[-1][0])
    return out
