"""Positions connectors (AI Watch, roster CSV, ORCID JSON and XML, OpenReview, OpenAlex authors),
the positions unit writer, and the API clients against a local HTTP server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from local_http import LocalServer
from talentgraph.cli import app
from talentgraph.sources.model import FIELD, FILE, RECORD
from talentgraph.sources.positions import aiwatch, openalex_authors, openreview, orcid, roster
from talentgraph.sources.positions.apiunit import json_client
from talentgraph.sources.positions.model import parse_date
from talentgraph.store import db
from talentgraph.store.positions import write_positions

FIX = Path(__file__).parent.parent / "fixtures" / "positions"
ORCID_ID = "0000-0002-1825-0097"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(tmp_path / "store.duckdb")
    yield c
    c.close()


def _problems(unit) -> set[tuple[str, int | None, str | None]]:
    return {(p.level, p.record_index, p.field) for p in unit.problems}


# ------------------------------------------------------------------------------ dates

def test_dates_keep_their_precision():
    assert parse_date("2019") == (date(2019, 1, 1), "year")
    assert parse_date("2019-04") == (date(2019, 4, 1), "month")
    assert parse_date("2019-04-29") == (date(2019, 4, 29), "day")
    # the coarser of what is written and what is stated
    assert parse_date("2019-01-01", "year") == (date(2019, 1, 1), "year")
    assert parse_date("2019-01-01", "multi-year") == (date(2019, 1, 1), "year")
    for bad, prec in (("2019-13-01", None), ("20X9", None), ("2019-02-30", None),
                      ("2019", "fortnight"), ("1066", None)):
        with pytest.raises(ValueError):
            parse_date(bad, prec)


# ------------------------------------------------------------------------------ AI Watch

def test_aiwatch_rows_problems_and_seen_date():
    unit = aiwatch.read(FIX / "aiwatch.csv")
    assert unit.unit == "aiwatch:aiwatch.csv" and unit.records_read == 7
    by_name = {r["person_name"]: r for r in unit.rows}
    assert set(by_name) == {"Ada Example", "Bo Intern", "Cy Advisor", "Eve Dates"}
    ada = [r for r in unit.rows if r["person_name"] == "Ada Example"]
    assert ada[0]["start_date"] == date(2019, 3, 1) and ada[0]["start_precision"] == "month"
    assert ada[0]["end_date"] == date(2022, 6, 1)
    # open position: last seen at the latest Wayback capture among its urls
    assert ada[1]["end_date"] is None and ada[1]["seen_date"] == date(2025, 3, 1)
    assert ada[1]["url"].startswith("https://web.archive.org/web/20230105")
    assert by_name["Cy Advisor"]["employment_type"] == "advisor"
    assert by_name["Ada Example"]["name_key"] == "ada example"
    # rows without a person or an organisation are dropped, named by row and field
    assert (RECORD, 5, "person") in _problems(unit)
    assert (RECORD, 6, "organization") in _problems(unit)
    # a bad date or precision drops the field, keeps the row
    eve = by_name["Eve Dates"]
    assert eve["start_date"] is None and eve["end_date"] is None
    assert {(FIELD, 7, "start_date"), (FIELD, 7, "end_date")} <= _problems(unit)
    assert len({r["position_id"] for r in unit.rows}) == len(unit.rows)


def test_damaged_csv_files_are_named_not_crashed(tmp_path: Path):
    bad = tmp_path / "positions.csv"
    bad.write_bytes(b"person,organization,title\nAl \xff Bad,OpenAI,Engineer\n")
    unit = aiwatch.read(bad)
    assert unit.status == "partial" and unit.rows[0]["org_raw"] == "OpenAI"
    assert unit.problems[0].level == FILE and "UTF-8" in unit.problems[0].reason
    headless = tmp_path / "other.csv"
    headless.write_text("name,company\nA,B\n")
    unit = aiwatch.read(headless)
    assert unit.rows == [] and unit.problems[0].level == FILE
    assert "person" in unit.problems[0].reason


# ------------------------------------------------------------------------------ roster CSV

def test_roster_headers_ids_and_dates():
    unit = roster.read(FIX / "roster.csv")
    rows = {r["person_name"]: r for r in unit.rows}
    b = rows["Baptiste Rozière"]
    assert b["name_key"] == "baptiste roziere" and b["org_raw"] == "OurLab"
    assert (b["start_date"], b["start_precision"]) == (date(2021, 3, 1), "month")
    assert (b["end_date"], b["end_precision"]) == (date(2023, 8, 15), "day")
    assert rows["Zed Orcid"]["orcid"] == ORCID_ID and rows["Zed Orcid"]["end_date"] is None
    assert rows["Bad Orcid"]["orcid"] is None
    assert (FIELD, 3, "orcid") in _problems(unit)


def test_roster_default_org(tmp_path: Path):
    f = tmp_path / "hr.csv"
    f.write_text("name,title,start,end\nAl One,Engineer,2020-01,\n")
    assert roster.read(f).rows == []  # no organisation column, none given
    unit = roster.read(f, org="OurLab")
    assert unit.rows[0]["org_raw"] == "OurLab" and not unit.problems


# ------------------------------------------------------------------------------ ORCID

def test_orcid_api_json():
    doc = json.loads((FIX / "orcid_employments.json").read_text())
    person = json.loads((FIX / "orcid_person.json").read_text())
    unit = orcid.parse_employments(ORCID_ID, doc, person)
    assert unit.unit == f"orcid:{ORCID_ID}" and unit.records_read == 4
    rows = {r["org_raw"]: r for r in unit.rows}
    stan = rows["Stanford University"]
    assert stan["person_name"] == "Zed Orcid" and stan["orcid"] == ORCID_ID
    assert stan["title"] == "Associate Professor" and stan["org_ror"] == "https://ror.org/00f54p054"
    assert (stan["start_date"], stan["start_precision"]) == (date(2018, 9, 1), "month")
    assert stan["end_date"] is None and stan["url"] == f"https://orcid.org/{ORCID_ID}"
    oai = rows["OpenAI"]
    assert (oai["start_date"], oai["start_precision"]) == (date(2015, 1, 1), "year")
    assert (oai["end_date"], oai["end_precision"]) == (date(2018, 8, 31), "day")
    assert oai["url"] == "https://openai.example/people/zed"
    assert (FIELD, 3, "start-date") in _problems(unit)
    assert (RECORD, 4, "organization") in _problems(unit)


def test_orcid_xml_reads_like_the_api(tmp_path: Path):
    unit = orcid.read_xml(FIX / "orcid_record.xml")
    api = orcid.parse_employments(ORCID_ID, json.loads(
        (FIX / "orcid_employments.json").read_text()), json.loads(
        (FIX / "orcid_person.json").read_text()))
    keys = ("orcid", "person_name", "org_raw", "org_ror", "title", "start_date",
            "start_precision", "end_date", "end_precision")
    assert [tuple(r[k] for k in keys) for r in unit.rows] == \
        [tuple(r[k] for k in keys) for r in api.rows[:2]]
    broken = tmp_path / "broken.xml"
    broken.write_text("<record><unclosed>")
    bad = orcid.read_xml(broken)
    assert bad.rows == [] and bad.status == "partial" and bad.problems[0].level == FILE
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    assert orcid.read_xml(bomb).problems[0].level == FILE  # entities refused (defusedxml)



def test_an_unreadable_positions_file_is_a_source_error_naming_it(tmp_path: Path):
    from talentgraph.errors import SourceError

    missing = tmp_path / "gone"
    with pytest.raises(SourceError, match=f"cannot read the ORCID file {missing}"):
        orcid.read_xml(missing)
    with pytest.raises(SourceError, match=f"cannot read the positions file {missing}"):
        aiwatch.read(missing)
    unit = orcid.read_xml(FIX / "orcid_record.xml")
    data = (FIX / "orcid_record.xml").read_bytes()
    assert (unit.unit, unit.source, unit.size_bytes) == ("orcid:orcid_record.xml", "orcid",
                                                         len(data))

# ------------------------------------------------------------------------------ OpenReview

def test_openreview_history():
    doc = json.loads((FIX / "openreview_profiles.json").read_text())
    unit = openreview.parse_profiles(doc, "id=~Ada_Example1")
    rows = {r["org_raw"]: r for r in unit.rows}
    assert set(rows) == {"Anthropic", "Mila", "Google DeepMind"}
    a = rows["Anthropic"]
    assert a["openreview_id"] == "~Ada_Example1" and a["person_name"] == "Ada Example"
    assert a["google_scholar"] == "AbC-123" and a["dblp"] == "https://dblp.org/pid/12/3456"
    assert a["org_domain"] == "anthropic.com" and a["end_date"] is None
    assert (a["start_date"], a["start_precision"]) == (date(2022, 1, 1), "year")
    assert a["url"] == "https://openreview.net/profile?id=~Ada_Example1"
    assert rows["Mila"]["end_date"] == date(2019, 1, 1)
    assert rows["Google DeepMind"]["end_date"] is None  # "year?" is not a date
    assert (FIELD, 3, "history.end") in _problems(unit)
    assert (RECORD, 4, "history") in _problems(unit)
    assert (RECORD, 5, "content") in _problems(unit)
    # API v2 wraps content values
    v2 = {"profiles": [{"id": "~X_Y1", "content": {"history": {"value": [
        {"position": "Professor", "institution": {"name": "Mila"}, "start": 2020}]}}}]}
    r = openreview.parse_profiles(v2, "id=~X_Y1").rows[0]
    assert r["person_name"] == "X Y" and r["title"] == "Professor"


# ------------------------------------------------------------------------------ OpenAlex

def test_openalex_author_affiliations():
    doc = json.loads((FIX / "openalex_authors.json").read_text())
    unit = openalex_authors.parse_authors(doc["results"], "filter=x", "http://h/authors")
    rows = {r["org_raw"]: r for r in unit.rows}
    s = rows["Stanford University"]
    assert (s["start_date"], s["end_date"], s["start_precision"]) == \
        (date(2019, 1, 1), date(2023, 1, 1), "year")
    assert s["openalex_id"] == "A5023888391" and s["orcid"] == ORCID_ID
    assert s["org_ror"] == "https://ror.org/00f54p054" and s["title"] is None
    assert rows["OpenAI"]["start_date"] == date(2015, 1, 1)  # "2016" (a string) ignored
    assert (FIELD, 2, "affiliations.years") in _problems(unit)
    assert (RECORD, 3, "affiliations.institution") in _problems(unit)


# ------------------------------------------------------------------------------ the writer

def _count(con: duckdb.DuckDBPyConnection, table: str, unit: str) -> int:
    col = "source_file" if table == "quarantine" else "unit"
    return con.execute(f"SELECT count(*) FROM {table} WHERE {col} = ?", [unit]).fetchone()[0]


def test_units_are_idempotent_and_replaced_when_changed(con, tmp_path: Path):
    f = tmp_path / "positions.csv"
    shutil.copy(FIX / "aiwatch.csv", f)
    first = write_positions(con, aiwatch.read(f))
    assert (first.outcome, first.positions, first.records_dropped) == ("ingested", 5, 2)
    u = "aiwatch:positions.csv"
    snapshot = con.execute("SELECT * FROM positions ORDER BY position_id").fetchall()
    again = write_positions(con, aiwatch.read(f))
    assert again.outcome == "unchanged"
    assert con.execute("SELECT * FROM positions ORDER BY position_id").fetchall() == snapshot
    assert _count(con, "quarantine", u) == 4 and _count(con, "position_units", u) == 1
    # a changed file replaces its rows and its quarantine entries
    f.write_text("person,organization,title,start_date\nNew Person,OpenAI,Engineer,2024-01\n")
    third = write_positions(con, aiwatch.read(f))
    assert third.outcome == "replaced"
    assert _count(con, "positions", u) == 1 and _count(con, "quarantine", u) == 0
    assert con.execute("SELECT positions FROM position_units WHERE unit = ?",
                       [u]).fetchone()[0] == 1


def test_a_failing_unit_leaves_the_store_as_it_was(con, monkeypatch):
    write_positions(con, aiwatch.read(FIX / "aiwatch.csv"))
    before = con.execute("SELECT count(*) FROM positions").fetchone()[0]
    unit = aiwatch.read(FIX / "aiwatch.csv")
    unit.sha256 = "changed"
    unit.rows[1]["start_date"] = "not a date"  # arrow refuses it mid-unit
    with pytest.raises(Exception):  # noqa: B017 (any failure must roll back)
        write_positions(con, unit)
    assert con.execute("SELECT count(*) FROM positions").fetchone()[0] == before
    assert con.execute("SELECT sha256 FROM position_units").fetchone()[0] != "changed"


# ------------------------------------------------------------------------------ HTTP

class FakeAPIs(LocalServer):
    """ORCID, OpenReview and OpenAlex on one local server, answering from the fixtures."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], str]] = []
        super().__init__(self.respond)

    def respond(self, path: str, q: dict[str, str], headers: Mapping[str, str]
                ) -> tuple[int, dict[str, str], bytes]:
        self.requests.append((path, q, headers.get("Accept", "")))
        body = self.answer(path, q)
        status = 404 if body is None else 200
        data = json.dumps(body if body is not None else {"error": "not found"}).encode()
        return status, {"Content-Type": "application/json"}, data

    def answer(self, path: str, q: dict[str, str]) -> Any:
        if path == f"/v3.0/{ORCID_ID}/employments":
            return json.loads((FIX / "orcid_employments.json").read_text())
        if path == f"/v3.0/{ORCID_ID}/person":
            return json.loads((FIX / "orcid_person.json").read_text())
        if path == "/profiles" and q.get("id") == "~Ada_Example1":
            return json.loads((FIX / "openreview_profiles.json").read_text())
        authors = json.loads((FIX / "openalex_authors.json").read_text())
        if path == "/authors/A5023888391":
            return authors["results"][0]
        if path == "/authors" and q.get("filter"):
            return authors
        return None


def test_api_connectors_over_http(con):
    with FakeAPIs() as api, json_client(api.url, per_second=100) as client:
        u1 = orcid.fetch(client, f"https://orcid.org/{ORCID_ID}")
        u2 = openreview.fetch(client, "~Ada_Example1")
        u3 = openalex_authors.fetch_author(client, "A5023888391")
        u4 = openalex_authors.fetch_filter(client, "last_known_institutions.id:I1")
        assert all(a == "application/json" for _p, _q, a in api.requests)
    assert len(u1.rows) == 3 and u1.rows[0]["person_name"] == "Zed Orcid"
    assert len(u2.rows) == 3 and len(u3.rows) == 2 and len(u4.rows) == 2
    assert u3.unit == "openalex:authors?id=A5023888391"
    for u in (u1, u2, u3, u4):
        assert write_positions(con, u).outcome == "ingested"
    # the same answers again: nothing changes
    with FakeAPIs() as api, json_client(api.url, per_second=100) as client:
        assert write_positions(con, orcid.fetch(client, ORCID_ID)).outcome == "unchanged"


def test_cli_ingest_positions(tmp_path: Path):
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    with FakeAPIs() as api:
        res = runner.invoke(app, ["ingest", "positions", "--aiwatch", str(FIX / "aiwatch.csv"),
                                  "--csv", str(FIX / "roster.csv"), "--orcid", ORCID_ID,
                                  "--orcid-url", api.url, "--openreview", "~Ada_Example1",
                                  "--openreview-url", api.url, "--orcid-xml",
                                  str(FIX / "orcid_record.xml"), "--db", str(store), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["units"] == 5 and out["ingested"] == 5 and out["positions"] == 5 + 3 + 3 + 3 + 2
    res = runner.invoke(app, ["ingest", "positions", "--aiwatch", str(FIX / "aiwatch.csv"),
                              "--db", str(store), "--json"])
    assert json.loads(res.output)["unchanged"] == 1
    res = runner.invoke(app, ["ingest", "positions", "--db", str(store)])
    assert res.exit_code != 0
    res = runner.invoke(app, ["ingest", "positions", "--aiwatch", str(tmp_path / "nope.csv"),
                              "--db", str(store)])
    assert res.exit_code != 0 and "Traceback" not in res.output
