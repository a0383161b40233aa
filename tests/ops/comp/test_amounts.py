"""One rule for amounts: a CSV row, a web form field, the JSON API's model and the command line's
package options accept and refuse the same values (they used to disagree about 1e12)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from talentgraph.errors import CompensationError, OpsInputError
from talentgraph.ops.comp.csvrows import Row
from talentgraph.ops.compstore import package_from_options
from talentgraph.web import api, forms

SAMPLES = {
    "0": Decimal(0), "185000": Decimal(185000), "185,000.50": Decimal("185000.50"),
    "$ 90 000": Decimal(90000), "999999999999.99": Decimal("999999999999.99"),
    "1000000000000": None, "1e12": None, "2e12": None, "-5": None, "abc": None, "1.005": None,
    "nan": None, "inf": None,
}


def _csv(raw: str) -> Decimal | None:
    row = Row("bands.csv", 2, {"base": raw})
    value = row.money("base")
    assert (value is None) == bool(row.errors)
    return value


def _form(raw: str) -> Decimal | None:
    try:
        return forms.amount("base", raw)
    except OpsInputError:
        return None


def _api(raw: str) -> Decimal | None:
    try:
        return api.PackageIn(base=raw).base
    except ValidationError:
        return None


def _cli(raw: str) -> Decimal | None:
    try:
        return package_from_options("USD", raw).base
    except CompensationError:
        return None


@pytest.mark.parametrize("raw", list(SAMPLES))
def test_every_interface_reads_an_amount_the_same_way(raw: str) -> None:
    got = {name: read(raw) for name, read in
           (("csv", _csv), ("form", _form), ("api", _api), ("cli", _cli))}
    assert got == dict.fromkeys(got, SAMPLES[raw]), got


def test_refusals_say_why_and_where() -> None:
    row = Row("bands.csv", 7, {"base_max": "1e12"})
    row.money("base_max")
    assert str(row.errors[0]) == ("bands.csv, row 7, column base_max: '1e12': must be "
                                  "below 1,000,000,000,000")
    with pytest.raises(OpsInputError, match="rival base: must be below 1,000,000,000,000"):
        forms.package_fields("rival", {"rival_base": "1000000000000"}, private=True)
    with pytest.raises(OpsInputError, match="our bonus pct: must be at most 500"):
        forms.package_fields("our", {"our_base": "100000", "our_bonus_pct": "900"})
    with pytest.raises(CompensationError,
                       match="equity: must be below 1,000,000,000,000, not '1e13'"):
        package_from_options("USD", "100000", equity="1e13")
