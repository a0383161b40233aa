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
from talentgraph.ops.retention.risk import flight_risk

ADA = Employee("Ada", "ada@example.com", "Research", "L6", date(2021, 3, 1), D(200_000),
               D(20_000), "USD")
FIRST_GRANT = Grant(ADA.email, date(2021, 3, 1), D(480_000), "USD", vesting.standard())
# market midpoint for L6: 250k base + 30k bonus + 150k equity = 430k a year
BAND = MarketBand("Rival", "L6", "USD", Range(D(200_000), D(300_000)), Range(D(30_000),
                  D(30_000)), Range(D(100_000), D(200_000)), "test", date(2025, 1, 1))


def test_after_final_vest_with_collaborators_gone_risk_is_high_and_explained():
    r = flight_risk(ADA, [FIRST_GRANT], date(2025, 3, 15), collaborators_left=3,
                    close_collaborators=8, bands=[BAND])
    by = {x.factor: x for x in r.reasons}
    assert by["collaborators_left"].contribution == pytest.approx(0.9 * 3 / 8)
    assert by["unvested_drop"].contribution == pytest.approx(1.2)        # 120k -> 0
    assert "final vest on 2025-03-01" in by["unvested_drop"].detail
    assert by["time_since_grant"].contribution == pytest.approx(1.05)    # capped at 3 years
    assert by["tenure"].contribution == pytest.approx(0.1)               # 4.0 years
    gap = (430_000 - 220_000) / 430_000
    assert by["pay_vs_band"].value == pytest.approx(gap, abs=1e-4)
    assert "below the market midpoint" in by["pay_vs_band"].detail
    logit = -2.2 + 0.3375 + 1.2 + 1.05 + 0.1 + 2.5 * gap
    assert r.score == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-4)
    assert [x.factor for x in r.reasons] == ["pay_vs_band", "unvested_drop",
                                              "time_since_grant", "collaborators_left", "tenure"]
    detail = by["collaborators_left"].detail
    assert detail == "3 of 8 close collaborators left in the past year (38%)"
    # without the number of close collaborators, the count is used (smaller weight)
    count_only = flight_risk(ADA, [FIRST_GRANT], date(2025, 3, 15), collaborators_left=3)
    by2 = {x.factor: x for x in count_only.reasons}
    assert by2["collaborators_left"].contribution == pytest.approx(0.3 * 2)  # 0.3 x log2(4)


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
