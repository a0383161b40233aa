"""One-letter misspellings of long-tail organisations are merged, other organisations are not
(resolve/orgs/typos.py; issue #15 item 8: "Physical Intelliigence" beside Physical Intelligence)."""

from __future__ import annotations

import pytest

from talentgraph.resolve.orgs.typos import TailOrg, typo_merges


def merged(a: str, na: int, b: str, nb: int, ca: str | None = None,
           cb: str | None = None) -> dict[str, str]:
    return typo_merges({"a": TailOrg(a, na, ca), "b": TailOrg(b, nb, cb)})


@pytest.mark.parametrize("typo,right", [
    ("Physical Intelliigence", "Physical Intelligence"),      # letter doubled
    ("Southest University", "Southeast University"),          # letter dropped
    ("East China Normal Univeristy", "East China Normal University"),  # letters swapped
    ("Hikvison Research Institute", "Hikvision Research Institute"),
    ("University of Luxemburg", "University of Luxembourg"),
])
def test_a_rare_one_letter_slip_merges_into_the_common_name(typo: str, right: str) -> None:
    assert merged(typo, 2, right, 40) == {"a": "b"}


@pytest.mark.parametrize("one,other", [
    ("Jianghan University", "Jiangnan University"),    # two universities: one letter replaced
    ("Kanazawa Institute of Technology", "Kanagawa Institute of Technology"),
    ("Georgia Technical University", "Georgian Technical University"),  # edit at the end
    ("Shanxi University of Finance", "Shaanxi University of Finance"),  # near the start
    ("Korea Aerospace University", "Korean Aerospace University"),
    ("Stanford Research Lab", "Stamford Research Lab"),
    ("Hunan University", "Henan University"),                            # short names
])
def test_names_of_other_organisations_stay_apart(one: str, other: str) -> None:
    assert merged(one, 2, other, 40) == {}
    assert merged(other, 2, one, 40) == {}


def test_two_common_spellings_or_two_countries_stay_apart() -> None:
    assert merged("Physical Intelliigence", 20, "Physical Intelligence", 40) == {}
    assert merged("Physical Intelliigence", 2, "Physical Intelligence", 40, "US", "DE") == {}
    assert merged("Physical Intelliigence", 2, "Physical Intelligence", 40, None, "US") == {
        "a": "b"}


def test_chains_end_at_the_most_common_name() -> None:
    out = typo_merges({"x": TailOrg("Southest University", 1),
                       "y": TailOrg("Southeast Univerity", 4),
                       "z": TailOrg("Southeast University", 100)})
    assert out == {"x": "z", "y": "z"}
