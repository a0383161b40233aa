"""Words and numbers (issue #15, item 10): one formatting module for the CLI, the pages and the
documents, and the places that printed "71th", "(1 bands)", "1226055.59 USD" or "-5 citations"."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from corpus_helpers import ingest, openreview_record, write_corpus_file
from talentgraph import wording
from talentgraph.ops.comp import vesting
from talentgraph.ops.comp.bands import MarketBand, Range
from talentgraph.ops.comp.roster import Employee, Grant
from talentgraph.ops.retention.risk import flight_risk
from talentgraph.sourcing import dossier


@pytest.mark.parametrize("n,text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                    (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"),
                                    (71, "71st"), (100, "100th"), (101, "101st"),
                                    (111, "111th"), (112, "112th"), (0, "0th")])
def test_ordinals(n: int, text: str) -> None:
    assert wording.ordinal(n) == text


def test_percentiles_read_as_ordinals() -> None:
    assert wording.percentile(0.71) == "71st"
    assert wording.percentile(0.123) == "12th"
    assert wording.percentile(None) == "n/a"


def test_counts_agree_with_their_number() -> None:
    assert wording.count(1, "band") == "1 band"
    assert wording.count(2, "band") == "2 bands"
    assert wording.count(0, "band") == "0 bands"
    assert wording.count(12500, "paper") == "12,500 papers"
    assert wording.count(1, "person", "people") == "1 person"
    assert wording.count(5, "person", "people") == "5 people"
    assert wording.count(None, "citation") == "no citations"


def test_money_is_grouped_with_the_currency_decimals() -> None:
    assert wording.money(D("1226055.59"), "USD") == "1,226,055.59 USD"
    assert wording.money(1226055.59, "usd") == "1,226,055.59 USD"
    assert wording.money(D("1226055.59"), "JPY") == "1,226,056 JPY"  # yen have no decimals
    assert wording.money(D("250000"), "EUR") == "250,000.00 EUR"
    assert wording.money(None, "USD") == ""


def test_flight_risk_reason_counts_one_band_and_formats_pay() -> None:
    ada = Employee("Ada", "ada@example.com", "Research", "L6", date(2021, 3, 1), D(200_000),
                   D(20_000), "USD")
    grant = Grant(ada.email, date(2021, 3, 1), D(480_000), "USD", vesting.standard())
    band = MarketBand("Rival", "L6", "USD", Range(D(200_000), D(300_000)),
                      Range(D(30_000), D(30_000)), Range(D(100_000), D(200_000)), "test",
                      date(2025, 1, 1))
    r = flight_risk(ada, [grant], date(2025, 3, 15), bands=[band])
    detail = {x.factor: x.detail for x in r.reasons}["pay_vs_band"]
    assert "(1 band)" in detail and "bands)" not in detail
    assert "430,000.00 USD" in detail  # the market midpoint, grouped, with cents


def test_dossier_percentiles_and_counts() -> None:
    env = dossier._env()
    assert [env.filters["pct"](v) for v in (0.71, 0.02, 0.13)] == ["71st", "2nd", "13th"]
    assert env.filters["count"](1, "paper") == "1 paper"


def test_corpus_citation_sentinel_is_unknown_not_negative(store, tmp_path) -> None:
    folder = tmp_path / "corpus"
    rec = openreview_record("r1", ["Ada Quill"], ["Example Lab"], ["example.com"])
    write_corpus_file(folder, "icml2025.json", [
        {**rec, "id": "r1", "title": "Paper one", "gs_citation": -1},
        {**rec, "id": "r2", "title": "Paper two", "gs_citation": 12},
        {**rec, "id": "r3", "title": "Paper three", "gs_citation": 0}], gz=False)
    ingest(store, folder)
    got = dict(store.execute("SELECT record_id, citations FROM papers").fetchall())
    assert got == {"r1": None, "r2": 12, "r3": 0}


def test_openalex_negative_count_is_dropped_and_reported(tmp_path) -> None:
    from talentgraph.sources import openalex

    work = {"id": "https://openalex.org/W7", "title": "Work 7", "publication_year": 2022,
            "cited_by_count": -3,
            "authorships": [{"author_position": "first",
                             "author": {"id": "https://openalex.org/A7",
                                        "display_name": "Author 7"},
                             "institutions": []}]}
    path = tmp_path / "works.jsonl"
    path.write_text(json.dumps(work) + "\n", encoding="utf-8")
    unit = openalex.parse_jsonl(path)
    assert unit.papers[0]["citations"] is None
    assert [(p.field, p.reason) for p in unit.problems] == [
        ("cited_by_count", "line 1: a count below zero; field dropped")]
