from datetime import date
from decimal import Decimal as D
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from talentgraph.ops.comp.bands import band_for, parse_bands_csv, parse_bands_text
from talentgraph.ops.comp.roster import (
    parse_grants_csv,
    parse_grants_text,
    parse_roster_csv,
    parse_roster_text,
)

TODAY = date(2026, 1, 1)
ROSTER = """\ufeffName, Email ,Team,Level,Start Date,Base,Bonus,Currency,person_id

Ada Example, Ada@Example.com ,Research,L6,2021-03-01,"250,000",25000,usd,p-1
Bo Sample,bo@example.com,Applied,L5,2023-06-15,180000,18000,EUR,
"""


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_roster_parses_with_bom_blank_lines_whitespace_and_case():
    r = parse_roster_text(ROSTER, "roster.csv")
    assert r.ok, r.errors
    ada, bo = r.rows
    assert ada.email == "ada@example.com" and ada.base == D(250_000) and ada.currency == "USD"
    assert ada.person_id == "p-1" and bo.person_id is None
    assert bo.start_date == date(2023, 6, 15)


def test_roster_errors_name_row_and_column():
    text = ROSTER + ("Cy,cy@example.com,R,L4,2024-13-01,100,10,USD\n"
                     "Di,di@example.com,R,L4,2024-01-01,-5,10,USD\n"
                     "Ed,ed@example.com,R,L4,2024-01-01,100,10,XXX\n"
                     "Ada Again,ada@example.com,R,L4,2024-01-01,100,10,USD\n"
                     "Fe,not-an-email,R,L4,2024-01-01,100,10,USD\n"
                     "Gi,gi@example.com,R,L4\n")
    r = parse_roster_text(text, "roster.csv")
    assert len(r.rows) == 2
    got = errors(r)
    assert got[0] == (5, "start_date", "'2024-13-01' is not a date (write YYYY-MM-DD)")
    assert got[1] == (6, "base", "negative pay (-5)")
    assert got[2][:2] == (7, "currency") and "unknown currency 'XXX'" in got[2][2]
    assert got[3] == (8, "email", "duplicate person: ada@example.com is already on row 3")
    assert got[4][:2] == (9, "email")
    assert got[5:] == [(10, c, "missing value") for c in ("start_date", "base", "bonus",
                                                          "currency")]
    too_long = parse_roster_text(ROSTER + "H,h@x.io,R,L4,2024-01-01,1,1,USD,p,extra\n", "r.csv")
    assert errors(too_long) == [(5, None, "row has 10 values but the header has 9 columns")]
    assert str(r.errors[1]) == "roster.csv, row 6, column base: negative pay (-5)"


def test_missing_columns_and_empty_file_are_file_level_errors(tmp_path):
    r = parse_roster_text("name,email\nA,a@b.co\n", "r.csv")
    assert not r.rows and "missing columns" in r.errors[0].message
    assert errors(parse_roster_text("", "r.csv")) == [
        (0, None, "the file has no header row (it is empty)")]
    missing = parse_roster_csv(tmp_path / "nope.csv")
    assert missing.errors[0].row == 0 and "cannot read" in missing.errors[0].message
    (tmp_path / "latin.csv").write_bytes("name\n\xe9".encode("latin-1"))
    assert "not UTF-8" in parse_roster_csv(tmp_path / "latin.csv").errors[0].message


BANDS = """company,level,currency,base_min,base_max,bonus,equity_per_year_min,\
equity_per_year_max,source,as_of
Us,L6,USD,300000,450000,45000,400000,900000,comp survey,2025-06-01
Rival,L6,USD,350000,500000,0,1000000,2000000,levels,2025-09-01
"""


def test_bands_parse_ranges_and_single_values(tmp_path):
    path = tmp_path / "bands.csv"
    path.write_text(BANDS, encoding="utf-8")
    r = parse_bands_csv(path, today=TODAY)
    assert r.ok, r.errors
    us = band_for(r.rows, "us", "l6")
    assert us is not None and us.base.low == D(300_000) and us.base.high == D(450_000)
    assert us.bonus.low == us.bonus.high == D(45_000) and us.sign_on.high == 0
    assert us.as_of == date(2025, 6, 1)


def test_band_errors_future_date_inverted_range_duplicate():
    text = BANDS + ("Us,L7,USD,500000,400000,0,1,2,s,2025-01-01\n"
                    "Us,L8,USD,1,2,0,1,2,s,2027-01-01\n"
                    "Us,L6,USD,300000,450000,45000,400000,900000,Comp Survey,2025-06-01\n")
    r = parse_bands_text(text, "bands.csv", today=TODAY)
    assert errors(r) == [
        (4, "base_max", "maximum 400000 is below the minimum 500000"),
        (5, "as_of", "2027-01-01 is in the future (today is 2026-01-01)"),
        (6, None, "duplicate band: same company, level, currency, source and date as row 2"),
    ]


GRANTS = """employee_email,grant_date,value,shares,price,currency,kind,fractions
ada@example.com,2021-03-01,400000,,,,,
ada@example.com,2023-03-01,,1000,150.5,USD,front_loaded,40/30/20/10
bo@example.com,2023-01-01,100000,,,,,
zed@example.com,2023-07-01,100000,,,,,
bo@example.com,2023-07-01,100000,,,,custom,50/40
bo@example.com,2023-07-01,100,2,3,,,
"""


def test_grants_checked_against_roster(tmp_path):
    roster = parse_roster_text(ROSTER).rows
    path = tmp_path / "grants.csv"
    path.write_text(GRANTS, encoding="utf-8")
    r = parse_grants_csv(path, roster)
    first, second = r.rows
    assert first.currency == "USD" and first.schedule.kind == "cliff_monthly"
    assert second.value == D("150500.00") and second.schedule.yearly_fractions[0] == Fraction(2, 5)
    got = errors(r)
    assert got[0] == (4, "grant_date",
                      "grant date 2023-01-01 is before bo@example.com's start date 2023-06-15")
    assert got[1] == (5, "employee_email", "zed@example.com is not on the roster")
    assert got[2][:2] == (6, "fractions") and "sum to 0.9" in got[2][2]
    assert got[3][:2] == (7, "value") and "does not match shares x price" in got[3][2]
    assert all(e.file == "grants.csv" for e in r.errors)


def test_grants_without_roster_need_currency_and_flag_duplicates():
    text = ("employee_email,grant_date,value,currency\n"
            "a@b.co,2024-01-01,10,\n"
            "a@b.co,2024-01-01,10,CHF\n"
            "a@b.co,2024-01-01,10,chf\n")
    r = parse_grants_text(text, "g.csv")
    assert errors(r) == [(2, "currency", "missing value"),
                         (4, None, "duplicate grant: same as row 3")]


# Mangled rows: whatever a cell holds, parsing returns rows or per-row errors, never raises.
CELL = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", " ", "-1", "1e999", "NaN", "2024-02-30", "USD", "1,000", '"', "\x00", "\r\n", "x@y.z"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=11), max_size=6))
def test_mangled_csv_never_raises(rows):
    lines = ["name,email,team,level,start_date,base,bonus,currency,person_id"]
    lines += [",".join(r) for r in rows]
    text = "\n".join(lines)
    for parse in (lambda t: parse_roster_text(t, "r.csv"),
                  lambda t: parse_grants_text(t.replace("name,email", "employee_email,grant_date"
                                                        ", value", 1), "g.csv"),
                  lambda t: parse_bands_text(t, "b.csv", TODAY)):
        result = parse(text)
        for e in result.errors:
            assert e.file in ("r.csv", "g.csv", "b.csv") and e.row >= 0 and e.message
    roster = parse_roster_text(text, "r.csv")
    data_lines = [r for r in rows if any(c.strip() for c in r)]
    assert len(roster.rows) <= len(data_lines)


GRANT_HEADER = ("employee_email,grant_date,value,shares,price,currency,kind,fractions,years,"
                "cliff_months,period_months")
GRANT_CELL = st.one_of(CELL, st.sampled_from(
    ["custom", "front_loaded", "monthly", "cliff_quarterly", "1/0", "inf", "nan", "40/30/20/10",
     "0.5;0.5", "-1", "999999999", "12", "5", "a@b.co", "2024-01-01"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(GRANT_CELL, min_size=11, max_size=11), min_size=1, max_size=4))
def test_mangled_grant_rows_give_a_grant_or_a_row_error(rows):
    roster = parse_roster_text(ROSTER).rows
    text = GRANT_HEADER + "\n" + "\n".join(",".join(c.replace(",", ";").replace("\n", " ")
                                                    .replace("\r", " ").replace('"', "'")
                                                    for c in r) for r in rows)
    for result in (parse_grants_text(text, "g.csv"), parse_grants_text(text, "g.csv", roster)):
        bad_rows = {e.row for e in result.errors}
        data = [r for r in rows if any(c.strip() for c in r)]
        # every non-blank row is either parsed or has at least one error of its own
        assert len(result.rows) + len(bad_rows) == len(data)
        for g in result.rows:
            assert g.value >= 0 and sum(g.schedule.yearly_fractions) == 1
