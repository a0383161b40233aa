from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from talentgraph.ops.comp import vesting as v


def test_standard_cliff_vests_a_quarter_at_month_12_then_monthly():
    events = v.standard().events()
    assert events[0] == (12, Fraction(1, 4))
    assert events[1] == (13, Fraction(1, 48))
    assert events[-1] == (48, Fraction(1, 48))
    assert len(events) == 37  # cliff + 36 monthly


def test_cliff_exactly_at_12_months_counts_in_year_one():
    assert v.yearly_vesting(v.standard(), 48_000, 4) == [Decimal(12_000)] * 4


def test_leaving_before_cliff_vests_nothing():
    grant = date(2024, 1, 15)
    assert v.vested_at(v.standard(), 48_000, grant, date(2025, 1, 14)) == 0
    assert v.vested_at(v.standard(), 48_000, grant, date(2025, 1, 15)) == Decimal(12_000)
    assert v.unvested_at(v.standard(), 48_000, grant, date(2025, 1, 14)) == Decimal(48_000)
    assert v.unvested_at(v.standard(), 48_000, grant, date(2028, 1, 15)) == 0


def test_quarterly_after_cliff():
    events = v.standard(period_months=3).events()
    assert events[:3] == [(12, Fraction(1, 4)), (15, Fraction(1, 16)), (18, Fraction(1, 16))]


def test_front_loaded_years():
    assert v.yearly_vesting(v.front_loaded(), 100_000, 4) == [
        Decimal(40_000), Decimal(30_000), Decimal(20_000), Decimal(10_000)]


def test_monthly_from_start_has_no_cliff():
    s = v.monthly()
    assert s.events()[0] == (1, Fraction(1, 48))
    assert v.vested_at(s, 4800, date(2024, 1, 31), date(2024, 2, 29)) == Decimal(100)


def test_amounts_add_up_to_the_grant_to_the_cent():
    events = v.vest_events(v.standard(), Decimal("1000.00"))
    assert sum(e.amount for e in events) == Decimal("1000.00")
    assert {e.amount for e in events[1:]} <= {Decimal("20.83"), Decimal("20.84")}


def test_grant_made_later_or_earlier_shifts_years():
    # refresher granted at the start of year 2 reaches its cliff at the end of year 2
    assert v.yearly_vesting(v.standard(), 48_000, 4, start_month=12) == [
        0, Decimal(12_000), Decimal(12_000), Decimal(12_000)]
    # an existing grant made 18 months ago: the past is left out
    assert v.yearly_vesting(v.standard(), 48_000, 4, start_month=-18) == [
        Decimal(12_000), Decimal(12_000), Decimal(6_000), 0]


def test_validation_messages():
    with pytest.raises(v.VestingError, match="sum to 0.9"):
        v.custom(["0.4", "0.3", "0.2"])
    with pytest.raises(v.VestingError, match="negative"):
        v.custom(["1.2", "-0.2"])
    with pytest.raises(v.VestingError, match="at least one"):
        v.custom([])
    with pytest.raises(v.VestingError, match="divide a year"):
        v.standard(period_months=5)
    with pytest.raises(v.VestingError, match="cliff"):
        v.standard(years=1, cliff_months=13)
    with pytest.raises(v.VestingError, match="not a number"):
        v.custom(["a", "1"])


def test_rounded_thirds_are_accepted_and_made_exact():
    s = v.custom([0.3333333333, 0.3333333333, 0.3333333334])
    assert sum(s.yearly_fractions) == 1


def test_from_spec_accepts_percentages_and_aliases():
    s = v.from_spec("front-loaded", ["40", "30", "20", "10"])
    assert s.yearly_fractions == (Fraction(2, 5), Fraction(3, 10), Fraction(1, 5), Fraction(1, 10))
    assert v.from_spec("standard").kind == "cliff_monthly"
    assert v.from_spec("quarterly").period_months == 3
    with pytest.raises(v.VestingError, match="unknown vesting kind"):
        v.from_spec("weekly")
    with pytest.raises(v.VestingError, match="needs yearly fractions"):
        v.from_spec("custom")


def test_add_months_clamps_to_month_end():
    assert v.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert v.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_milestones():
    m = v.milestones(v.standard(), date(2020, 3, 1))
    assert m == {"cliff": date(2021, 3, 1), "final_vest": date(2024, 3, 1)}


def test_yearly_vesting_by_date_counts_from_the_start_date():
    start = date(2024, 4, 1)
    # granted on the start date: the cliff on 2025-04-01 is the last day of year 1
    assert v.yearly_vesting_by_date(v.standard(), 48_000, start, start, 2) == [
        Decimal(12_000), Decimal(12_000)]
    # a grant made six months before the start: its cliff (2024-10-01, 12k) and six monthly
    # vests fall in year 1, and the final vest (2027-10-01) in year 4
    early = v.yearly_vesting_by_date(v.standard(), 48_000, date(2023, 10, 1), start, 4)
    assert early == [Decimal(18_000), Decimal(12_000), Decimal(12_000), Decimal(6_000)]
