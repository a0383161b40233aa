from datetime import date
from decimal import Decimal as D

import pytest

from talentgraph.errors import CompensationError
from talentgraph.ops.comp import vesting
from talentgraph.ops.comp.bands import MarketBand, Range
from talentgraph.ops.comp.money import CurrencyError, FxTable
from talentgraph.ops.comp.offers import (
    EquityGrant,
    Package,
    PrivateValuation,
    Refresher,
    compare,
    smallest_beating,
    split_evenly,
    yearly_totals,
)

OURS = Package("USD", D(200_000), sign_on=(D(50_000), D(25_000)), bonus_pct=D(15),
               equity=EquityGrant(D(400_000)), label="ours")


def test_yearly_totals_by_hand():
    t = yearly_totals(OURS, 4)
    assert [y.total for y in t.years] == [D(380_000), D(355_000), D(330_000), D(330_000)]
    assert [y.bonus for y in t.years] == [D(30_000)] * 4
    assert [y.cumulative for y in t.years][-1] == t.total == D(1_395_000)


def test_refreshers_granted_each_year_from_start_year():
    p = Package("USD", D(0), equity=(), refreshers=(Refresher(D(80_000), start_year=2),))
    # grants at the start of years 2, 3, 4, each with a 1-year cliff then 20k a year
    assert [y.equity for y in yearly_totals(p, 4).years] == [0, D(20_000), D(40_000), D(60_000)]


def test_front_loaded_grant_and_shorter_horizon():
    p = Package("EUR", D(100_000), equity=EquityGrant(D(100_000), vesting.front_loaded()))
    t = yearly_totals(p, 2)
    assert [y.equity for y in t.years] == [D(40_000), D(30_000)]
    assert t.total == D(270_000)


def test_private_equity_is_discounted_and_waits_for_liquidity():
    val = PrivateValuation(discount=D("0.5"), liquidity_probability=D("0.6"),
                           years_to_liquidity=D(3), wait_rate=D("0.10"))
    p = Package("USD", D(0), equity=EquityGrant(D(480_000)), private=True, valuation=val)
    years = yearly_totals(p, 4).years
    assert [y.equity_paper for y in years] == [D(120_000)] * 4
    # 120k x 0.5 x 0.6 = 36k, waiting 2 and 1 years at 10% in years 1 and 2
    assert [y.equity for y in years] == [D("29752.07"), D("32727.27"), D(36_000), D(36_000)]


def test_package_validation():
    with pytest.raises(CompensationError, match="not both"):
        Package("USD", D(1), bonus_pct=D(10), bonus_amount=D(5))
    with pytest.raises(CompensationError, match="negative"):
        Package("USD", D(-1))
    with pytest.raises(CurrencyError, match="unknown currency"):
        Package("XYZ", D(1))
    with pytest.raises(CompensationError, match="needs a valuation"):
        Package("USD", D(1), private=True)
    with pytest.raises(CompensationError, match="between 0 and 1"):
        PrivateValuation(discount=D("1.5"))


def test_compare_per_year_and_total():
    theirs = Package("USD", D(250_000), bonus_amount=D(20_000), label="rival")
    c = compare(OURS, theirs, 4)
    assert [y.diff for y in c.years] == [D(110_000), D(85_000), D(60_000), D(60_000)]
    assert c.total_diff == D(315_000)
    assert c.years[-1].cumulative_diff == D(315_000)
    assert c.beats("0.10") and not c.beats("0.30")


def test_compare_refuses_mixed_currencies_without_fx():
    theirs = Package("CHF", D(250_000))
    with pytest.raises(CurrencyError, match="without an FX table"):
        compare(OURS, theirs)
    fx = FxTable("USD", {"CHF": "1.25"})  # 1 CHF buys 1.25 USD
    c = compare(OURS, theirs, 1, fx=fx)
    assert c.theirs.years[0].total == D("312500.00")
    with pytest.raises(CurrencyError, match="no rate for GBP"):
        compare(OURS, Package("GBP", D(1)), fx=fx)


# A rival start-up's package: $400k base and $7.2M of private stock over 4 years ($8.8M on
# paper), against our public-company band of about $0.75M-1.5M a year.
RIVAL = Package("USD", D(400_000), equity=EquityGrant(D(7_200_000)), private=True,
                valuation=PrivateValuation(D("0.5"), D("0.6"), D(3), D("0.10")), label="rival")
BAND = MarketBand("Us", "L6", "USD", base=Range(D(300_000), D(450_000)),
                  bonus=Range(D(45_000), D(90_000)),
                  equity_per_year=Range(D(400_000), D(900_000)), source="test",
                  as_of=date(2025, 1, 1), sign_on=Range(D(0), D(200_000)))


def test_smallest_beating_within_band_uses_equity_first():
    r = smallest_beating(RIVAL, BAND, margin="0.10", years=4)
    assert not r.needs_exception and r.beats
    assert r.levers_used == ("equity",)
    # rival counted: 1.6M base + 1.8M x (0.3/1.21 + 0.3/1.1 + 0.3 + 0.3) = 3,617,190.08
    assert r.theirs.total == D("3617190.08")
    assert r.target_total == D("3978909.09")
    # band minimum gives 2.98M over 4 years; the missing 998,909.09 goes on equity, to the $1000
    grant = r.package.equity[0].value
    assert grant == D(1_600_000 + 999_000)
    assert r.totals.total == D(3_979_000)
    assert r.package.base == D(300_000) and r.package.sign_on == (D(0),)
    # one step less equity would not beat the target: it is the smallest in $1000 steps
    smaller = Package("USD", D(300_000), bonus_amount=D(45_000),
                      equity=EquityGrant(grant - 1000))
    assert not compare(smaller, RIVAL, 4).beats("0.10")


def test_smallest_beating_moves_to_sign_on_then_base_when_equity_is_maxed():
    band = MarketBand("Us", "L6", "USD", Range(D(300_000), D(450_000)),
                      Range(D(45_000), D(90_000)), Range(D(400_000), D(500_000)),
                      sign_on=Range(D(0), D(100_000)))
    r = smallest_beating(RIVAL, band, years=4)
    assert r.levers_used == ("equity", "sign_on", "base")
    assert r.package.equity[0].value == D(2_000_000)
    assert r.package.sign_on == (D(100_000),)
    # 2.98M + 400k equity + 100k sign-on = 3.48M; 498,909.09 more / 4 years -> +125k base
    assert r.package.base == D(425_000)
    assert r.totals.total >= r.target_total and not r.needs_exception


def test_paper_value_rival_needs_exception_with_gap():
    at_paper = Package("USD", D(400_000), equity=EquityGrant(D(7_200_000)), private=True,
                       valuation=PrivateValuation(D(0), D(1), D(0)))
    r = smallest_beating(at_paper, BAND, margin="0.10", years=4)
    assert r.theirs.total == D(8_800_000)
    assert r.needs_exception and r.beats
    # band maximum: 1.8M base + 360k bonus + 3.6M equity + 200k sign-on = 5.96M; target 9.68M
    assert r.shortfall == D(3_720_000)
    assert r.over_band == {"equity": D(3_720_000)}
    assert r.over_band_pct == D("103.33")
    assert "needs an exception" in r.notes[0]


def test_smallest_beating_converts_rival_currency_only_with_fx():
    rival_chf = Package("CHF", D(300_000))
    with pytest.raises(CurrencyError):
        smallest_beating(rival_chf, BAND)
    r = smallest_beating(rival_chf, BAND, margin="0", years=1,
                         fx=FxTable("USD", {"CHF": "1.10"}))
    assert r.theirs.currency == "USD" and r.theirs.total == D(330_000)
    # band minimum in year 1: 300k + 45k + 400k (cliff of a 1.6M grant) = 745k beats 330k
    assert r.levers_used == () and r.totals.total == D(745_000)


def test_smallest_beating_rejects_bad_arguments():
    with pytest.raises(CompensationError, match="unknown levers"):
        smallest_beating(RIVAL, BAND, levers=("stock",))
    with pytest.raises(CompensationError, match="step must be positive"):
        smallest_beating(RIVAL, BAND, step="0")


def test_split_sign_on_adds_up_to_the_cent():
    assert split_evenly(D(100_000), 3) == (D("33333.34"), D("33333.33"), D("33333.33"))
    band = MarketBand("Us", "L6", "USD", Range(D(1), D(1)), Range(D(0), D(0)),
                      Range(D(0), D(0)), sign_on=Range(D(0), D(300_000)))
    r = smallest_beating(Package("USD", D(0), sign_on=(D(100_000),)), band, margin="0",
                         years=3, sign_on_years=3, step="1")
    assert sum(r.package.sign_on) == D(99_997) and len(r.package.sign_on) == 3
    assert r.beats and not r.needs_exception


def test_note_about_missing_sign_on_range_only_when_it_mattered():
    band = MarketBand("Us", "L6", "USD", Range(D(100_000), D(300_000)), Range(D(0), D(0)),
                      Range(D(0), D(10_000)))
    easy = smallest_beating(Package("USD", D(120_000)), band, years=1)
    assert easy.levers_used == ("equity", "base") and easy.notes == (
        "the band gives no sign-on range, so no sign-on was used",)
    none_needed = smallest_beating(Package("USD", D(50_000)), band, years=1)
    assert none_needed.levers_used == () and none_needed.notes == ()
    # target 132k: equity at its band maximum (40k grant, 10k vested in year 1), then +22k base
    assert easy.package.equity[0].value == D(40_000) and easy.package.base == D(122_000)
