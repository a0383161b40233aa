"""Flight risk of our own staff: a transparent logistic score with the reasons that drove it.

score = sigmoid(intercept + sum of contributions), every contribution in log-odds, one per factor:

- collaborators_left: close collaborators who left in the past year (from the graph). With the
  number of close collaborators known: `collaborators_share * left / close`; else
  `collaborators_count * log2(1 + left)`. People follow the people they work with.
- tenure: years since the start date, by band: before the 1-year cliff people rarely leave (the
  cliff holds them), risk peaks in years 2-4, and falls after long tenure.
- time_since_grant: months since the last equity grant beyond a year:
  `since_grant * (months - 12) / 12`, capped at 3 years; no refresher means no new reason to stay.
- unvested_drop: the share of unvested equity gone over the past 12 months (vested and not
  replaced by new grants): `unvested_drop * (before - now) / before`. It grows as a grant wears
  off and reaches 1 after the final vest, the moment leaving costs nothing; refreshers keep it low.
- pay_vs_band: how far the yearly total (base + bonus + equity vesting in the next 12 months)
  sits below the market midpoint for the level: `pay_gap * gap`, gap clipped to [-0.5, 0.5]
  (paid above the market lowers the score).

- rival_offer: a competing offer recorded for the employee in the past 12 months. A written
  offer in hand is direct evidence, the others are indirect: it adds `rival_offer`, and at
  least what lifts the score to `rival_floor` (someone holding an offer is taken to be more
  likely to leave than to stay, however settled the rest of the record looks). Several offers
  count once: one is enough to go. The company and total are named.
- open_counter: a counter-offer computed against that offer and not decided yet: the person is
  waiting for our answer, `open_counter` more.

The weights are priors set by hand from the usual retention findings, not fitted on our staff
(there is no labelled history to fit on), except the collaborators share: its 0.9 is the
within-year weight per unit of "share of close coauthors who moved" that
benchmarks/flight_risk.py fits on the corpus (2019-2024, all author ids, next-year
organisation change). The same backtest found the plain count of coauthors who moved carries
almost no signal once the share is known, hence the small weight of the count fallback.
The inputs hold no protected attributes (no gender, age or nationality) and the score reads
none: keep it that way.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from talentgraph.errors import OpsInputError
from talentgraph.ops.comp.bands import MarketBand
from talentgraph.ops.comp.money import ZERO, CurrencyError, FxTable, conversion_rate
from talentgraph.ops.comp.roster import Employee, Grant
from talentgraph.ops.comp.vesting import (
    add_months,
    milestones,
    months_between,
    unvested_at,
    vesting_between,
)
from talentgraph.wording import count, money


@dataclass(frozen=True)
class RiskWeights:
    intercept: float = -2.2        # about 10% a year with no evidence either way
    collaborators_share: float = 0.9   # at all close collaborators gone (fitted, see above)
    collaborators_count: float = 0.3   # per doubling, when the number of close ones is unknown
    tenure: tuple[tuple[float, float], ...] = (  # (tenure below N years, log-odds)
        (1.0, -0.5), (2.0, 0.2), (4.0, 0.4), (6.0, 0.1), (math.inf, -0.3))
    since_grant: float = 0.35      # per year without a grant beyond the first
    unvested_drop: float = 1.2     # at a full drop (final vest, no refresher)
    pay_gap: float = 2.5           # per unit of relative gap below the market midpoint
    # a recorded competing offer (hand-set priors): +2 log-odds, and the score at least 60%
    rival_offer: float = 2.0
    rival_floor: float = 0.6
    open_counter: float = 0.5      # a counter-offer waiting for our decision


DEFAULT_WEIGHTS = RiskWeights()


@dataclass(frozen=True)
class RiskReason:
    factor: str
    contribution: float   # log-odds added to the intercept (positive raises the risk)
    value: float          # the factor's measured value
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return vars(self)


@dataclass(frozen=True)
class FlightRisk:
    email: str
    score: float                       # in [0, 1]
    baseline: float                    # the score with no evidence (the intercept alone)
    reasons: tuple[RiskReason, ...]    # largest effect first (by absolute contribution)

    def as_dict(self) -> dict[str, Any]:
        return {"email": self.email, "score": self.score, "baseline": self.baseline,
                "reasons": [r.as_dict() for r in self.reasons]}


@dataclass(frozen=True)
class RivalOffer:
    """A competing offer one of our employees holds, as recorded (`offer rival --employee`)."""

    company: str
    total: Decimal         # their N-year total as counted (private equity discounted)
    currency: str
    years: int
    recorded: date
    open_counter: bool = False   # a counter-offer against it awaits our decision


RIVAL_WINDOW_MONTHS = 12  # an offer older than this has been answered one way or the other


def _rivals(rivals: Sequence[RivalOffer], as_of: date, w: RiskWeights,
            logit_without: float) -> list[RiskReason]:
    since = add_months(as_of, -RIVAL_WINDOW_MONTHS)
    recent = sorted((r for r in rivals if since < r.recorded <= as_of),
                    key=lambda r: r.recorded, reverse=True)
    if not recent:
        return []
    offers = "; ".join(f"{r.company} ({r.total:,.0f} {r.currency} over {r.years} years, "
                       f"recorded {r.recorded})" for r in recent)
    floor = math.log(w.rival_floor / (1 - w.rival_floor))
    lift = max(w.rival_offer, floor - logit_without)
    reasons = [RiskReason("rival_offer", lift, len(recent),
                          f"holds a competing offer: {offers}")]
    open_ones = [r for r in recent if r.open_counter]
    if open_ones:
        reasons.append(RiskReason(
            "open_counter", w.open_counter, len(open_ones),
            "a counter-offer against " + ", ".join(r.company for r in open_ones)
            + " awaits our decision"))
    return reasons


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _collaborators(left: int, close: int | None, w: RiskWeights) -> RiskReason:
    if left < 0:
        raise OpsInputError(f"collaborators_left must be 0 or more, got {left}")
    if close:
        share = min(1.0, left / close)
        return RiskReason("collaborators_left", w.collaborators_share * share, left,
                          f"{left} of {close} close collaborators left in the past year "
                          f"({share:.0%})")
    return RiskReason("collaborators_left", w.collaborators_count * math.log2(1 + left), left,
                      f"{left} close collaborators left in the past year")


def _tenure(emp: Employee, as_of: date, w: RiskWeights) -> RiskReason:
    years = max(0.0, (as_of - emp.start_date).days / 365.25)
    contribution = next(c for limit, c in w.tenure if years < limit)
    detail = f"{years:.1f} years since starting on {emp.start_date}"
    if years < 1:
        detail += " (before the first-year cliff)"
    return RiskReason("tenure", contribution, round(years, 2), detail)


def _since_grant(emp: Employee, grants: Sequence[Grant], as_of: date,
                 w: RiskWeights) -> RiskReason:
    past = [g.grant_date for g in grants if g.grant_date <= as_of]
    last = max(past, default=None)
    months = months_between(last or emp.start_date, as_of)
    years_over = min(3.0, max(0.0, (months - 12) / 12))
    detail = (f"{months} months since the last equity grant on {last}" if last
              else f"no equity grant in {months} months since joining")
    return RiskReason("time_since_grant", w.since_grant * years_over, months, detail)


def _unvested(grants: Sequence[Grant], at: date, ccy: str, fx: FxTable | None) -> Decimal:
    return sum((unvested_at(g.schedule, g.value, g.grant_date, at)
                * conversion_rate(g.currency, ccy, fx) for g in grants if g.grant_date <= at),
               ZERO)


def _unvested_drop(emp: Employee, grants: Sequence[Grant], as_of: date, fx: FxTable | None,
                   w: RiskWeights) -> RiskReason:
    year_ago = add_months(as_of, -12)
    currencies = {g.currency for g in grants}
    # the drop is a ratio: grants all in one currency need no FX, even if pay is in another
    ccy = currencies.pop() if len(currencies) == 1 and fx is None else emp.currency
    try:
        before = _unvested(grants, year_ago, ccy, fx)
        now = _unvested(grants, as_of, ccy, fx)
    except CurrencyError as exc:
        return RiskReason("unvested_drop", 0.0, 0.0, f"not measured: {exc}")
    drop = float((before - now) / before) if before > 0 else 0.0
    drop = max(0.0, drop)
    events = sorted((d, name) for g in grants for name, d in
                    milestones(g.schedule, g.grant_date).items() if year_ago < d <= as_of)
    detail = (f"unvested equity went from {before:,.0f} to {now:,.0f} {ccy} over the "
              f"past 12 months ({drop:.0%} drop)")
    if events:
        detail += "; " + ", ".join(f"{name.replace('_', ' ')} on {d}" for d, name in events)
    return RiskReason("unvested_drop", w.unvested_drop * drop, round(drop, 4), detail)


def _pay_vs_band(emp: Employee, grants: Sequence[Grant], as_of: date,
                 bands: Sequence[MarketBand], fx: FxTable | None,
                 w: RiskWeights) -> RiskReason | None:
    mids = []
    for b in bands:
        if b.level.lower() != emp.level.lower():
            continue
        if b.currency != emp.currency and fx is None:
            continue  # no way to compare; the other bands still count
        mids.append(b.total_mid * conversion_rate(b.currency, emp.currency, fx))
    if not mids:
        return None
    market = Decimal(statistics.median(mids))
    equity = ZERO
    left_out = sorted({g.currency for g in grants if g.currency != emp.currency and fx is None})
    for g in grants:
        if g.currency in left_out:
            continue
        equity += (vesting_between(g.schedule, g.value, g.grant_date, as_of,
                                   add_months(as_of, 12))
                   * conversion_rate(g.currency, emp.currency, fx))
    ours = emp.base + emp.bonus + equity
    gap = float((market - ours) / market) if market > 0 else 0.0
    clipped = max(-0.5, min(0.5, gap))
    where = "below" if gap > 0 else "above"
    return RiskReason("pay_vs_band", w.pay_gap * clipped, round(gap, 4),
                      f"yearly pay {money(ours, emp.currency)} is {abs(gap):.0%} {where} the "
                      f"market midpoint {money(market, emp.currency)} for {emp.level} "
                      f"({count(len(mids), 'band')})"
                      + (f"; equity in {', '.join(left_out)} left out (no FX table)"
                         if left_out else ""))


def flight_risk(employee: Employee, grants: Sequence[Grant], as_of: date, *,
                collaborators_left: int = 0, close_collaborators: int | None = None,
                bands: Sequence[MarketBand] = (), fx: FxTable | None = None,
                rivals: Sequence[RivalOffer] = (),
                weights: RiskWeights = DEFAULT_WEIGHTS) -> FlightRisk:
    """The employee's flight-risk score on `as_of` with each factor's contribution.

    `grants` may hold other people's grants (only the employee's are used); `bands` are market
    bands of any company (those of the employee's level are used; other currencies need `fx`);
    `rivals`: the competing offers the employee holds (those recorded in the past 12 months count).
    """
    mine = [g for g in grants if g.employee_email == employee.email]
    reasons = [
        _collaborators(collaborators_left, close_collaborators, weights),
        _tenure(employee, as_of, weights),
        _since_grant(employee, mine, as_of, weights),
        _unvested_drop(employee, mine, as_of, fx, weights),
    ]
    pay = _pay_vs_band(employee, mine, as_of, bands, fx, weights)
    if pay is not None:
        reasons.append(pay)
    reasons.sort(key=lambda r: (-abs(r.contribution), r.factor))
    logit = weights.intercept + sum(r.contribution for r in reasons)
    offer_reasons = _rivals(rivals, as_of, weights, logit)
    if offer_reasons:  # the direct evidence first
        reasons = offer_reasons + reasons
        logit += sum(r.contribution for r in offer_reasons)
    return FlightRisk(employee.email, _sigmoid(logit), _sigmoid(weights.intercept),
                      tuple(reasons))
