from datetime import date
from decimal import Decimal as D

import pytest

from talentgraph.errors import CompensationError
from talentgraph.ops.comp import vesting
from talentgraph.ops.comp.counter import (
    CounterPolicy,
    counter_options,
    current_package,
)
from talentgraph.ops.comp.money import CurrencyError
from talentgraph.ops.comp.offers import Package, yearly_totals
from talentgraph.ops.comp.roster import Employee, Grant
from talentgraph.ops.comp.vesting import months_between

# 200k base + 20k bonus = 220k a year, 880k over 4 years
CURRENT = Package("USD", D(200_000), bonus_amount=D(20_000), label="Ada")
RIVAL = Package("USD", D(240_000), bonus_amount=D(20_000))  # 1,040,000 over 4 years


def test_policy_off_gives_no_options():
    r = counter_options(CURRENT, RIVAL, CounterPolicy(allowed=False))
    assert not r.allowed and r.options == ()
    assert r.reason == "counter-offers are not allowed by policy"


def test_options_per_lever_within_max_uplift():
    policy = CounterPolicy(max_uplift_pct=D(20), levers=("equity", "sign_on", "base"))
    r = counter_options(CURRENT, RIVAL, policy, years=4)
    assert r.allowed and r.needed == D(160_000) and r.max_uplift == D(176_000)
    by = {o.lever: o for o in r.options}
    assert by["equity"].amount == D(160_000) and by["equity"].beats
    assert by["sign_on"].amount == D(160_000)
    assert by["sign_on"].totals.years[0].sign_on == D(160_000)
    assert by["base"].amount == D(40_000) and by["base"].package.base == D(240_000)
    assert all(o.beats and not o.capped for o in r.options)
    assert by["base"].uplift_pct == D("18.18")
    assert "beat" in r.reason


def test_max_uplift_caps_options_which_then_do_not_beat():
    r = counter_options(CURRENT, RIVAL, CounterPolicy(max_uplift_pct=D(10), levers=("base",)))
    (base,) = r.options
    assert base.capped and not base.beats
    assert base.amount == D(22_000)  # 10% of 880k = 88k over 4 years, in $1000 steps
    assert base.uplift == D(88_000)
    assert "no option within the policy's 10% maximum uplift" in r.reason


def test_percentage_bonus_follows_a_base_raise():
    cur = Package("USD", D(200_000), bonus_pct=D(10))
    r = counter_options(cur, RIVAL, CounterPolicy(max_uplift_pct=D(50), levers=("base",)))
    # needs 160k over 4 years; each 1 of base is 1.1 a year -> 36,363.6 -> 37k
    assert r.options[0].amount == D(37_000) and r.options[0].beats


def test_already_beating_and_margin():
    r = counter_options(RIVAL, CURRENT, CounterPolicy())
    assert r.needed == 0 and "already beats" in r.reason
    r2 = counter_options(RIVAL, RIVAL, CounterPolicy(levers=("sign_on",)), margin="0.05")
    assert r2.options[0].amount == D(52_000) and r2.options[0].beats


def test_policy_validation_and_currency():
    with pytest.raises(CompensationError, match="unknown counter-offer levers"):
        CounterPolicy(levers=("cash",))
    with pytest.raises(CurrencyError):
        counter_options(CURRENT, Package("EUR", D(1)), CounterPolicy())


def test_current_package_counts_only_unvested_equity():
    ada = Employee("Ada", "ada@example.com", "R", "L6", date(2021, 3, 1), D(200_000),
                   D(20_000), "USD")
    grants = [Grant("ada@example.com", date(2021, 3, 1), D(480_000), "USD", vesting.standard()),
              Grant("bo@example.com", date(2021, 3, 1), D(1), "USD", vesting.standard())]
    pkg = current_package(ada, grants, date(2023, 3, 1))
    assert len(pkg.equity) == 1 and pkg.equity[0].start_month == -24
    # 24 of 48 months vested; the rest, 120k a year, vests in the next two years
    assert [y.equity for y in yearly_totals(pkg, 3).years] == [D(120_000), D(120_000), 0]


def test_months_between():
    assert months_between(date(2021, 3, 15), date(2021, 4, 14)) == 0
    assert months_between(date(2021, 3, 15), date(2021, 4, 15)) == 1
    assert months_between(date(2021, 4, 15), date(2021, 3, 15)) == -1
