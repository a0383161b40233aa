import dataclasses
import inspect
import math
from datetime import date
from decimal import Decimal as D

import pytest

from talentgraph.errors import OpsInputError
from talentgraph.ops.comp import vesting
from talentgraph.ops.comp.bands import MarketBand, Range
from talentgraph.ops.comp.money import FxTable
from talentgraph.ops.comp.roster import Employee, Grant
from talentgraph.ops.retention.risk import RiskWeights, flight_risk

ADA = Employee("Ada", "ada@example.com", "Research", "L6", date(2021, 3, 1), D(200_000),
               D(20_000), "USD")
FIRST_GRANT = Grant(ADA.email, date(2021, 3, 1), D(480_000), "USD", vesting.standard())
# market midpoint for L6: 250k base + 30k bonus + 150k equity = 430k a year
BAND = MarketBand("Rival", "L6", "USD", Range(D(200_000), D(300_000)), Range(D(30_000),
                  D(30_000)), Range(D(100_000), D(200_000)), "test", date(2025, 1, 1))


# Unit weights: every contribution equals the factor's measured value, so the tests below check
# what each factor measures (and its caps) without restating the hand-set coefficients.
UNIT = RiskWeights(intercept=0.0, collaborators_share=1.0, collaborators_count=1.0,
                   since_grant=1.0, unvested_drop=1.0, pay_gap=1.0)
AS_OF = date(2025, 3, 15)  # two weeks after the final vest of FIRST_GRANT


def _by(risk) -> dict:
    return {x.factor: x for x in risk.reasons}


def test_each_factor_measures_what_it_says() -> None:
    by = _by(flight_risk(ADA, [FIRST_GRANT], AS_OF, collaborators_left=3,
                         close_collaborators=8, bands=[BAND], weights=UNIT))
    assert by["collaborators_left"].contribution == pytest.approx(3 / 8)   # share gone
    assert by["unvested_drop"].contribution == pytest.approx(1.0)  # 120k unvested -> 0
    assert by["time_since_grant"].contribution == pytest.approx(3.0)  # 48 months: 3 years over
    gap = (430_000 - 220_000) / 430_000  # pay 200k + 20k, nothing left to vest
    assert by["pay_vs_band"].contribution == pytest.approx(gap, abs=1e-4)
    # count fallback when the number of close collaborators is unknown: log2(1 + left)
    count_only = flight_risk(ADA, [FIRST_GRANT], AS_OF, collaborators_left=3, weights=UNIT)
    assert _by(count_only)["collaborators_left"].contribution == pytest.approx(2.0)


def test_grant_age_and_pay_gap_are_capped() -> None:
    later = flight_risk(ADA, [FIRST_GRANT], date(2027, 3, 1), bands=[BAND], weights=UNIT)
    assert _by(later)["time_since_grant"].value == 72  # months
    assert _by(later)["time_since_grant"].contribution == pytest.approx(3.0)  # not 5
    poor = dataclasses.replace(ADA, base=D(50_000), bonus=D(0))
    by = _by(flight_risk(poor, [FIRST_GRANT], date(2027, 3, 1), bands=[BAND], weights=UNIT))
    assert by["pay_vs_band"].value > 0.8 and by["pay_vs_band"].contribution == 0.5


def test_the_score_is_the_baseline_moved_by_the_reasons() -> None:
    r = flight_risk(ADA, [FIRST_GRANT], AS_OF, collaborators_left=3, close_collaborators=8,
                    bands=[BAND])
    logit = math.log(r.baseline / (1 - r.baseline)) + sum(x.contribution for x in r.reasons)
    assert r.score == pytest.approx(1 / (1 + math.exp(-logit)))
    # largest effect first
    sizes = [abs(x.contribution) for x in r.reasons]
    assert sizes == sorted(sizes, reverse=True)


def test_after_final_vest_with_collaborators_gone_risk_is_high_and_explained() -> None:
    r = flight_risk(ADA, [FIRST_GRANT], AS_OF, collaborators_left=3, close_collaborators=8,
                    bands=[BAND])
    by = _by(r)
    assert r.score > 2 * r.baseline
    for factor in ("collaborators_left", "unvested_drop", "time_since_grant", "pay_vs_band"):
        assert by[factor].contribution > 0, factor
    assert "final vest on 2025-03-01" in by["unvested_drop"].detail
    assert "below the market midpoint" in by["pay_vs_band"].detail
    assert by["collaborators_left"].detail == \
        "3 of 8 close collaborators left in the past year (38%)"
    # each piece of evidence taken away lowers the score
    calmer = [
        flight_risk(ADA, [FIRST_GRANT], AS_OF, collaborators_left=0, close_collaborators=8,
                    bands=[BAND]),
        flight_risk(ADA, [FIRST_GRANT, Grant(ADA.email, date(2024, 3, 1), D(480_000), "USD",
                                             vesting.standard())], AS_OF,
                    collaborators_left=3, close_collaborators=8, bands=[BAND]),  # refresher
        flight_risk(dataclasses.replace(ADA, base=D(400_000)), [FIRST_GRANT], AS_OF,
                    collaborators_left=3, close_collaborators=8, bands=[BAND]),  # paid more
        flight_risk(ADA, [FIRST_GRANT], date(2024, 3, 15), collaborators_left=3,
                    close_collaborators=8, bands=[BAND]),  # a year before the final vest
    ]
    for other in calmer:
        assert other.score < r.score


def test_new_hire_before_cliff_paid_above_market_is_below_baseline():
    new = dataclasses.replace(ADA, start_date=date(2024, 9, 1), base=D(300_000))
    grant = Grant(ADA.email, date(2024, 9, 1), D(800_000), "USD", vesting.standard())
    r = flight_risk(new, [grant], date(2025, 3, 1), bands=[BAND])
    by = {x.factor: x for x in r.reasons}
    assert by["tenure"].contribution < 0 and "before the first-year cliff" in by["tenure"].detail
    # 300k + 20k + 300k vesting in the next 12 months (cliff 200k + 6 months) vs 430k
    assert by["pay_vs_band"].value == pytest.approx((430_000 - 620_000) / 430_000, abs=1e-4)
    assert "above the market midpoint" in by["pay_vs_band"].detail
    assert by["unvested_drop"].contribution == 0 and by["time_since_grant"].contribution == 0
    assert r.score < r.baseline
    assert [x.factor for x in r.reasons][:2] == ["pay_vs_band", "tenure"]


def test_refresher_keeps_unvested_drop_and_grant_age_low():
    refresher = Grant(ADA.email, date(2024, 3, 1), D(480_000), "USD", vesting.standard())
    r = flight_risk(ADA, [FIRST_GRANT, refresher], date(2025, 3, 15))
    by = {x.factor: x for x in r.reasons}
    # unvested 600k a year ago (120k + the new 480k), 360k now
    assert by["unvested_drop"].value == pytest.approx(0.4)
    assert by["time_since_grant"].value == 12 and by["time_since_grant"].contribution == 0
    assert "pay_vs_band" not in by  # no band given: the factor is left out, not guessed


def test_other_peoples_grants_and_other_currency_bands():
    other = Grant("bo@example.com", date(2025, 1, 1), D(10**7), "USD", vesting.standard())
    eur_band = dataclasses.replace(BAND, currency="EUR")
    plain = flight_risk(ADA, [FIRST_GRANT], date(2025, 3, 15))
    assert flight_risk(ADA, [FIRST_GRANT, other], date(2025, 3, 15)) == plain
    # a EUR band without FX is skipped; with FX it counts
    assert flight_risk(ADA, [FIRST_GRANT], date(2025, 3, 15), bands=[eur_band]) == plain
    fx = FxTable("USD", {"EUR": "1.10"})
    with_fx = flight_risk(ADA, [FIRST_GRANT], date(2025, 3, 15), bands=[eur_band], fx=fx)
    assert any(x.factor == "pay_vs_band" for x in with_fx.reasons)


def test_more_collaborators_leaving_never_lowers_the_score():
    scores = [flight_risk(ADA, [FIRST_GRANT], date(2024, 1, 1), collaborators_left=n).score
              for n in range(6)]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    with pytest.raises(OpsInputError):
        flight_risk(ADA, [], date(2024, 1, 1), collaborators_left=-1)


def test_no_protected_attributes_in_inputs():
    protected = {"gender", "sex", "age", "birth", "birthdate", "nationality", "ethnicity",
                 "race", "religion", "citizenship", "country"}
    fields = {f.name for f in dataclasses.fields(Employee)}
    params = set(inspect.signature(flight_risk).parameters)
    assert not (fields | params) & protected


def test_grants_in_another_currency_do_not_block_the_score():
    chf = dataclasses.replace(ADA, currency="CHF")
    usd_grant = FIRST_GRANT  # USD stock for a CHF salary
    band = dataclasses.replace(BAND, currency="CHF")
    r = flight_risk(chf, [usd_grant], date(2025, 3, 15), bands=[band])
    by = {x.factor: x for x in r.reasons}
    assert by["unvested_drop"].value == pytest.approx(1.0)  # a ratio: one currency is enough
    assert "USD" in by["unvested_drop"].detail
    assert "equity in USD left out (no FX table)" in by["pay_vs_band"].detail
    eur = Grant(ADA.email, date(2022, 3, 1), D(100_000), "EUR", vesting.standard())
    mixed = flight_risk(chf, [usd_grant, eur], date(2025, 3, 15))
    drop = {x.factor: x for x in mixed.reasons}["unvested_drop"]
    assert drop.contribution == 0 and drop.detail.startswith("not measured: cannot mix")
    fx = FxTable("CHF", {"USD": "0.9", "EUR": "0.95"})
    priced = flight_risk(chf, [usd_grant, eur], date(2025, 3, 15), fx=fx)
    assert {x.factor: x for x in priced.reasons}["unvested_drop"].contribution > 0
