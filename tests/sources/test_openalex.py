"""OpenAlex connector: Work -> rows, snapshot JSONL files, the API client over a local server."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from local_http import LocalServer
from talentgraph.cli import app
from talentgraph.errors import SourceError
from talentgraph.sources import openalex
from talentgraph.sources.model import FIELD, FILE, RECORD, ParsedUnit
from talentgraph.sources.openalex_api import OpenAlexClient, RateLimiter, retry_after_seconds
from talentgraph.store import db
from talentgraph.store.ingest import write_unit

FIXTURES = Path(__file__).parent.parent / "fixtures" / "openalex"
GOOD = FIXTURES / "works_good.jsonl"
BAD = FIXTURES / "works_bad.jsonl"
PART = FIXTURES / "works" / "updated_date=2024-01-01" / "part_000.gz"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(tmp_path / "store.duckdb")
    yield c
    c.close()


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("sources", "papers", "mentions", "quarantine"))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, bool]:
    """Column name -> nullable, for a store table."""
    rows = con.execute("SELECT column_name, is_nullable FROM information_schema.columns "
                       "WHERE table_name = ?", [table]).fetchall()
    return {name: nullable == "YES" for name, nullable in rows}


# ----------------------------------------------------------------------------------------------
# Work -> rows


def test_good_works_become_papers_and_mentions() -> None:
    unit = openalex.parse_jsonl(GOOD)
    assert unit.problems and all(p.field == "title" and "control" in p.reason
                                 for p in unit.problems)  # only W1003's control character
    assert unit.source_file == "openalex/works_good.jsonl"
    assert unit.kind == "openalex" and unit.status == "ok" and unit.records_read == 3
    papers = {p["paper_id"]: p for p in unit.papers}
    assert set(papers) == {"openalex/W1001", "openalex/W1002", "openalex/W1003"}

    w1 = papers["openalex/W1001"]
    assert w1["record_id"] == w1["openalex_id"] == "W1001"
    assert w1["title"] == "Graph Learning for Everyone"
    assert w1["abstract"] == "We study graphs and more graphs"
    assert w1["venue"] == "Example Conference on ML"
    assert (w1["year"], w1["citations"], w1["n_authors"]) == (2023, 12, 3)
    assert w1["doi"] == "10.1234/example.1001"
    assert w1["keywords"] == ["Graph learning", "Graph Neural Networks", "Computer science"]
    assert w1["primary_area"] == "Graph Neural Networks"
    assert w1["status"] == "article" and w1["pdf"] == "https://example.org/papers/1001.pdf"
    assert w1["aff_set"] == [] and w1["id_set"] == []

    w2 = papers["openalex/W1002"]  # older shape: display_name as title, singular raw string
    assert w2["title"] == "Robust Vision Models" and w2["venue"] is None
    assert w2["keywords"] == ["Computer vision"] and w2["abstract"] is None
    assert papers["openalex/W1003"]["title"] == "Attention & Memory in Transformers"

    m = {(r["paper_id"], r["position"]): r for r in unit.mentions}
    rossi = m["openalex/W1001", 0]
    assert rossi["raw_name"] == "M. Rossi"  # raw_author_name wins over display_name
    assert rossi["raw_affiliation"] == "Dept. of CS, Example University, Rome"
    assert rossi["aff_norm"] == "Example University" and rossi["aff_country"] == "IT"
    assert rossi["orcid"] == "0000-0001-2345-6789" and rossi["openalex_id"] == "A2001"
    assert rossi["aff_ror"] == "https://ror.org/0example31" and rossi["aff_aligned"] is True
    assert rossi["year"] == 2023 and rossi["record_id"] == "W1001"
    sato = m["openalex/W1001", 1]
    assert sato["raw_affiliation"] == "Example Labs, Palo Alto + Example University"
    assert sato["aff_norm"] == "Example Labs + Example University"
    assert sato["aff_country"] == "US + IT" and sato["orcid"] is None
    pereira = m["openalex/W1001", 2]
    assert pereira["raw_name"] == "Ana Pereira"  # no raw_author_name: display_name
    assert pereira["raw_affiliation"] is None and pereira["aff_aligned"] is False
    old = m["openalex/W1002", 0]
    assert (old["raw_name"], old["raw_affiliation"], old["openalex_id"]) == \
        ("K. Sato", "Example Labs", "A2002")
    li = m["openalex/W1003", 0]
    assert li["aff_country"] == "CN" and li["aff_norm"] is None  # countries without institution


def test_rows_fit_the_store_schema(con: duckdb.DuckDBPyConnection) -> None:
    unit = openalex.parse_jsonl(GOOD)
    for table, rows in (("papers", unit.papers), ("mentions", unit.mentions)):
        columns = table_columns(con, table)
        for row in rows:
            assert set(row) <= set(columns), set(row) - set(columns)
            missing = [c for c, nullable in columns.items() if not nullable and row.get(c) is None]
            assert not missing, (table, missing)


def test_rebuild_abstract_orders_words_and_reports_bad_positions() -> None:
    assert openalex.rebuild_abstract({"b": [1], "a": [0, 2]}) == ("a b a", None)
    text, trouble = openalex.rebuild_abstract({"x": [0], "y": [10], "z": ["3", -1]})
    assert text == "x y"  # a gap in positions is not padded; bad positions are dropped
    assert trouble and "2 word positions" in trouble
    text, trouble = openalex.rebuild_abstract({"w": list(range(30_000))})
    assert text == "" and "limit" in trouble


def test_short_ids() -> None:
    assert openalex.short_id("https://openalex.org/W123") == "W123"
    assert openalex.short_id("w7") == "W7"
    assert openalex.short_id("https://openalex.org/A5") is None
    assert openalex.short_id(123) is None


def test_bad_works_become_problems_naming_line_record_and_field() -> None:
    unit = openalex.parse_jsonl(BAD)
    assert unit.records_read == 10
    assert sorted(p["record_id"] for p in unit.papers) == ["W3001", "W3007"]
    dropped = {(p.record_index, p.record_id, p.field) for p in unit.problems if p.level == RECORD}
    assert dropped == {
        (1, "W3002", "title"),          # no title
        (2, "W3003", "authorships"),    # empty author list
        (3, "W3004", "authorships"),    # a string, not a list
        (4, "W3005", "title"),          # a number
        (5, None, "id"),                # no id
        (6, None, None),                # not an object
        (7, None, None),                # invalid JSON
        (8, "W3001", "id"),             # duplicate
    }
    for p in unit.problems:
        assert p.source_file == "openalex/works_bad.jsonl"
        assert f"line {p.record_index + 1}" in p.message()
    assert any("expected text, found int" in p.reason for p in unit.problems)
    # Wrong types in W3007 cost fields, not the record.
    fields = {p.field for p in unit.problems if p.record_id == "W3007"}
    assert {"publication_year", "cited_by_count", "abstract_inverted_index", "authorships[0]",
            "authorships[1].author.orcid", "authorships[1].author.id"} <= fields
    w3007 = next(p for p in unit.papers if p["record_id"] == "W3007")
    assert w3007["year"] is None and w3007["citations"] is None and w3007["abstract"] is None
    (kept,) = [m for m in unit.mentions if m["record_id"] == "W3007"]
    assert (kept["position"], kept["raw_name"], kept["orcid"], kept["openalex_id"]) == \
        (1, "Ok Name", None, None)


def test_bad_records_go_to_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    write_unit(con, openalex.parse_jsonl(BAD))
    rows = con.execute("SELECT level, record_id, field, reason FROM quarantine "
                       "WHERE source_file = 'openalex/works_bad.jsonl'").fetchall()
    assert sum(1 for r in rows if r[0] == RECORD) == 8
    assert ("record", "W3002", "title", "line 2: work has no title") in rows
    assert con.execute("SELECT count(*) FROM papers").fetchone()[0] == 2


# ----------------------------------------------------------------------------------------------
# Snapshot files


def test_snapshot_part_ingest_is_idempotent(con: duckdb.DuckDBPyConnection) -> None:
    first = openalex.ingest_jsonl(con, [FIXTURES / "works"])
    assert (first["units"], first["ingested"], first["papers"], first["mentions"]) == (1, 1, 3, 5)
    before = counts(con)
    assert before == (1, 3, 5, 1)
    (name,) = con.execute("SELECT source_file FROM sources").fetchone()
    assert name == "openalex/updated_date=2024-01-01/part_000.gz"
    second = openalex.ingest_jsonl(con, [PART])
    assert (second["unchanged"], second["papers"], second["mentions"]) == (1, 3, 5)
    assert counts(con) == before


def test_same_part_name_in_two_partitions_are_two_units(tmp_path: Path,
                                                        con: duckdb.DuckDBPyConnection) -> None:
    other = tmp_path / "updated_date=2024-02-01" / "part_000.gz"
    other.parent.mkdir()
    other.write_bytes(gzip.compress(b"\n".join(GOOD.read_bytes().splitlines()[:1]) + b"\n"))
    openalex.ingest_jsonl(con, [PART, other])
    assert counts(con)[0] == 2


def test_changed_file_replaces_its_rows(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    f = tmp_path / "part_001.gz"
    f.write_bytes(PART.read_bytes())
    openalex.ingest_jsonl(con, [f])
    lines = gzip.decompress(f.read_bytes()).splitlines()
    f.write_bytes(gzip.compress(b"\n".join(lines[:2]) + b"\n"))
    result = openalex.ingest_jsonl(con, [f])
    assert result["replaced"] == 1
    assert counts(con)[:3] == (1, 2, 4)


def test_truncated_gzip_keeps_complete_lines(tmp_path: Path,
                                             con: duckdb.DuckDBPyConnection) -> None:
    works = [{"id": f"https://openalex.org/W{i}", "title": f"Paper {i} " + "x" * 200,
              "authorships": [{"author": {"display_name": f"Author {i}"}}]} for i in range(200)]
    data = gzip.compress(b"".join(orjson.dumps(w) + b"\n" for w in works))
    f = tmp_path / "part_002.gz"
    f.write_bytes(data[: len(data) * 6 // 10])
    unit = openalex.parse_jsonl(f)
    assert unit.status == "partial"
    assert any(p.level == FILE and "truncated gzip" in p.reason for p in unit.problems)
    assert 0 < len(unit.papers) < 200
    assert [p["record_id"] for p in unit.papers] == [f"W{i}" for i in range(len(unit.papers))]
    write_unit(con, unit)
    assert con.execute("SELECT status FROM sources").fetchone()[0] == "partial"


def test_damaged_gzip_keeps_what_precedes_the_damage(tmp_path: Path) -> None:
    # Hex digests as titles: hard to compress, so the damage sits well inside the stream.
    lines = b"".join(orjson.dumps({"id": f"https://openalex.org/W{i}",
                                   "title": hashlib.sha256(str(i).encode()).hexdigest(),
                                   "authorships": [{"raw_author_name": f"N {i}"}]}) + b"\n"
                     for i in range(3000))
    data = bytearray(gzip.compress(lines, compresslevel=1))
    middle = len(data) // 2
    data[middle:middle + 64] = b"\xff" * 64
    f = tmp_path / "part_003.gz"
    f.write_bytes(bytes(data))
    unit = openalex.parse_jsonl(f)
    assert unit.status == "partial" and unit.sha256 and unit.size_bytes == len(data)
    assert any(p.level == FILE and "damaged gzip" in p.reason for p in unit.problems)
    assert 0 < len(unit.papers) < 3000


def test_concatenated_gzip_members_and_plain_jsonl(tmp_path: Path) -> None:
    raw = GOOD.read_bytes().splitlines(keepends=True)
    f = tmp_path / "part_004.gz"
    f.write_bytes(gzip.compress(raw[0]) + gzip.compress(b"".join(raw[1:])))
    assert len(openalex.parse_jsonl(f).papers) == 3
    plain = tmp_path / "part_005.gz"  # named .gz but plain text
    plain.write_bytes(GOOD.read_bytes())
    unit = openalex.parse_jsonl(plain)
    assert len(unit.papers) == 3 and any("not gzip" in p.reason for p in unit.problems)


def test_unreadable_and_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such OpenAlex file"):
        openalex.discover_jsonl([tmp_path / "nope.gz"])
    folder = tmp_path / "dir.gz"
    folder.mkdir()
    unit = openalex.parse_jsonl(folder)
    assert unit.status == "unreadable" and "cannot read" in unit.problems[0].reason


def test_batched_ingest_writes_the_same_rows_as_one_unit(tmp_path: Path) -> None:
    whole = db.connect(tmp_path / "whole.duckdb")
    batched = db.connect(tmp_path / "batched.duckdb")
    try:
        for path in (GOOD, BAD):
            write_unit(whole, openalex.parse_jsonl(path))
        totals = openalex.ingest_jsonl(batched, [GOOD, BAD], batch_works=1)
        assert (totals["papers"], totals["mentions"], totals["records_dropped"]) == (5, 7, 8)
        rows = "SELECT * EXCLUDE (ingested_at) FROM {} ORDER BY ALL"
        for table in ("papers", "mentions", "quarantine"):
            assert whole.execute(rows.format(table)).fetchall() == \
                batched.execute(rows.format(table)).fetchall(), table
        sources = ("SELECT source_file, records_read, papers, mentions, problems, status, sha256 "
                   "FROM sources ORDER BY 1")
        assert whole.execute(sources).fetchall() == batched.execute(sources).fetchall()
    finally:
        whole.close()
        batched.close()


_KILL_MID_FILE = """
import os, signal, sys
from talentgraph.sources import openalex
from talentgraph.store import db, ingest

real_add = ingest.UnitWriter.add
calls = []

def add(self, *rows):
    real_add(self, *rows)
    calls.append(1)
    if len(calls) == 2:  # two batches of the new version are in the open transaction
        os.kill(os.getpid(), signal.SIGKILL)

ingest.UnitWriter.add = add
con = db.connect(sys.argv[1])
openalex.ingest_jsonl(con, [sys.argv[2]], batch_works=1)
"""


@pytest.mark.slow
def test_process_killed_mid_file_leaves_the_store_as_before(tmp_path: Path) -> None:
    import subprocess
    import sys

    store = tmp_path / "kill.duckdb"
    part = tmp_path / "updated_date=2024-03-01" / "part_000.gz"
    part.parent.mkdir()
    part.write_bytes(gzip.compress(GOOD.read_bytes().splitlines(keepends=True)[0]))
    con = db.connect(store)
    openalex.ingest_jsonl(con, [part])
    before = counts(con)
    con.close()
    assert before == (1, 1, 3, 0)
    part.write_bytes(gzip.compress(GOOD.read_bytes() + BAD.read_bytes()))  # a new version
    run = subprocess.run([sys.executable, "-c", _KILL_MID_FILE, str(store), str(part)],
                         capture_output=True, timeout=120)
    assert run.returncode == -9, run.stderr.decode()
    con = db.connect(store)
    try:
        assert counts(con) == before
        assert con.execute("SELECT record_id FROM papers").fetchall() == [("W1001",)]
    finally:
        con.close()


def test_unreadable_file_is_recorded_not_raised(tmp_path: Path,
                                               con: duckdb.DuckDBPyConnection) -> None:
    folder = tmp_path / "part_009.gz"
    folder.mkdir()
    result = openalex.ingest_file(con, folder)
    assert result.papers == 0
    status, problems = con.execute("SELECT status, problems FROM sources").fetchone()
    assert (status, problems) == ("unreadable", 1)
    (reason,) = con.execute("SELECT reason FROM quarantine").fetchone()
    assert reason.startswith("cannot read the file")


def test_paperlists_rows_still_insert(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    from talentgraph.sources import paperlists

    f = tmp_path / "iclr2023.json"
    f.write_text(json.dumps([{"id": "abc", "title": "A Paper", "author": "Ann Lee;Bo Chen",
                              "aff": "MIT;Stanford", "authorids": "~Ann_Lee1;~Bo_Chen1",
                              "status": "Poster"}]), encoding="utf-8")
    assert paperlists.ingest(con, [tmp_path])["papers"] == 1  # its rows lack the new columns
    openalex.ingest_jsonl(con, [GOOD])
    rows = con.execute("SELECT source_file, count(*), count(openalex_id), count(aff_ror) "
                       "FROM mentions GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("iclr2023.json", 2, 0, 0), ("openalex/works_good.jsonl", 5, 5, 3)]
    assert con.execute("SELECT openalex_id FROM papers WHERE source_file = 'iclr2023.json'"
                       ).fetchall() == [(None,)]


# ----------------------------------------------------------------------------------------------
# The API over a local test server


def work(i: int) -> dict[str, Any]:
    return {"id": f"https://openalex.org/W{i}", "title": f"Work {i}", "publication_year": 2022,
            "cited_by_count": i,
            "authorships": [{"author_position": "first",
                             "author": {"id": f"https://openalex.org/A{i}",
                                        "display_name": f"Author {i}"},
                             "institutions": [{"id": "https://openalex.org/I1",
                                               "display_name": "Example University",
                                               "country_code": "DE"}]}]}


class FakeOpenAlex(LocalServer):
    """Serves /works pages keyed by cursor; can fail requests first; records every request."""

    def __init__(self, pages: dict[str, tuple[list[Any], str | None]]) -> None:
        self.pages = pages
        self.failures: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.delays: dict[str, list[float]] = {}
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__(self.respond)

    def respond(self, path: str, query: dict[str, str], _headers: Mapping[str, str]
                ) -> tuple[int, dict[str, str], bytes]:
        cursor = query.get("cursor", "")
        with self.lock:
            self.requests.append({"t": time.monotonic(), "path": path, **query})
            failure = self.failures.get(cursor, [])
            status, headers, body = failure.pop(0) if failure else (200, {}, None)
            delay = self.delays.get(cursor, [])
            pause = delay.pop(0) if delay else 0.0
        if pause:
            time.sleep(pause)
        if body is None:
            results, nxt = self.pages[cursor]
            body = orjson.dumps({"meta": {"count": sum(len(r) for r, _ in self.pages.values()),
                                          "db_response_time_ms": time.time_ns() % 997,
                                          "per_page": 200, "next_cursor": nxt},
                                 "results": results})
        return status, {**headers, "Content-Type": "application/json"}, body

    def cursors(self) -> list[str]:
        return [r.get("cursor", "") for r in self.requests]


def three_pages() -> dict[str, tuple[list[Any], str | None]]:
    return {"*": ([work(1), work(2)], "c2"), "c2": ([work(3), work(4)], "c3"),
            "c3": ([work(5)], None)}


def client_for(server: FakeOpenAlex, **kw: Any) -> OpenAlexClient:
    kw = {"per_second": 100.0, "backoff": 0.05, "max_backoff": 0.2, **kw}
    return OpenAlexClient(server.url, mailto="team@example.org", **kw)


def test_api_pages_by_cursor_and_retries_429_and_503(con: duckdb.DuckDBPyConnection) -> None:
    with FakeOpenAlex(three_pages()) as server:
        server.failures = {"c2": [(429, {"Retry-After": "1"}, b"{}")],
                           "c3": [(503, {}, b"busy"), (502, {}, b"")]}
        with client_for(server) as client:
            totals = openalex.ingest_query(con, client, "authorships.institutions.lineage:I1")
    assert (totals["ingested"], totals["papers"], totals["mentions"]) == (1, 5, 5)
    assert server.cursors() == ["*", "c2", "c2", "c3", "c3", "c3"]
    assert totals["requests"] == len(server.requests) == 6
    for r in server.requests:
        assert r["path"] == "/works" and r["mailto"] == "team@example.org"
        assert r["per-page"] == "200" and r["filter"] == "authorships.institutions.lineage:I1"
    gap = server.requests[2]["t"] - server.requests[1]["t"]
    assert gap >= 0.9  # Retry-After: 1 was honoured (backoff alone would be 0.05 s)
    (name, path) = con.execute("SELECT source_file, path FROM sources").fetchone()
    assert name == "openalex-api/works?filter=authorships.institutions.lineage:I1"
    assert "mailto" not in path and "cursor" not in path
    assert con.execute("SELECT count(DISTINCT paper_id), max(citations) FROM papers"
                       ).fetchone() == (5, 5)


def test_api_rate_limit_spaces_requests() -> None:
    pages = {"*": ([work(0)], "c1"), **{f"c{i}": ([work(i)], f"c{i + 1}") for i in range(1, 5)},
             "c5": ([], None)}
    with FakeOpenAlex(pages) as server, client_for(server, per_second=5.0) as client:
        got = [w["id"] for page in client.pages("works", filter="x") for w in page.results]
    assert len(got) == 5 and len(server.requests) == 6
    times = [r["t"] for r in server.requests]
    # 5 per second: 6 starts span >= 1 s at the client. The server sees each request a little
    # after it was sent, which can only shorten the span by the first request's delay: 0.3 s slack.
    assert times[-1] - times[0] >= 5 * 0.2 - 0.3


def test_rate_limiter_with_a_fake_clock() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.wait()
    assert slept == pytest.approx([0.25] * 4)
    now[0] += 10
    limiter.wait()
    assert len(slept) == 4  # after a pause no wait is needed


def test_api_rerun_of_unchanged_query_is_a_noop(con: duckdb.DuckDBPyConnection) -> None:
    with FakeOpenAlex(three_pages()) as server, client_for(server) as client:
        first = openalex.ingest_query(con, client, "x", batch_works=1)
        before = counts(con)
        second = openalex.ingest_query(con, client, "x", batch_works=1)  # meta differs only
        assert (first["ingested"], second["unchanged"]) == (1, 1)
        assert counts(con) == before == (1, 5, 5, 0)
        server.pages["c3"] = ([{**work(5), "cited_by_count": 99}], None)
        third = openalex.ingest_query(con, client, "x")
    assert third["replaced"] == 1 and counts(con) == before
    assert con.execute("SELECT citations FROM papers WHERE record_id = 'W5'").fetchone() == (99,)


def test_api_max_results_stops_paging(con: duckdb.DuckDBPyConnection) -> None:
    with FakeOpenAlex(three_pages()) as server, client_for(server) as client:
        totals = openalex.ingest_query(con, client, "x", max_results=3)
    assert totals["papers"] == 3 and server.cursors() == ["*", "c2"]
    assert server.requests[0]["per-page"] == "3"


def test_api_bad_work_is_quarantined_with_its_page(con: duckdb.DuckDBPyConnection) -> None:
    pages = three_pages()
    pages["c2"] = ([work(3), {"id": "https://openalex.org/W9", "title": "No authors"}], "c3")
    with FakeOpenAlex(pages) as server, client_for(server) as client:
        openalex.ingest_query(con, client, "x")
    rows = con.execute("SELECT level, record_index, record_id, field, reason FROM quarantine"
                       ).fetchall()
    assert rows == [("record", 3, "W9", "authorships", "page 2: work has no authorships")]


def test_api_gives_up_after_retries_and_leaves_the_store(con: duckdb.DuckDBPyConnection) -> None:
    with FakeOpenAlex(three_pages()) as server, client_for(server, max_retries=2) as client:
        openalex.ingest_query(con, client, "x")
        before = counts(con)
        server.pages["*"] = ([work(1), work(6)], "c2")  # a changed first page, then failures
        server.failures = {"c2": [(503, {}, b"")] * 10}
        server.requests.clear()
        with pytest.raises(SourceError, match=r"failed after 3 attempts, last: HTTP 503"):
            openalex.ingest_query(con, client, "x", batch_works=1)  # page 1 already written
    assert server.cursors() == ["*", "c2", "c2", "c2"]
    assert counts(con) == before == (1, 5, 5, 0)
    assert con.execute("SELECT count(*) FROM papers WHERE record_id = 'W6'").fetchone() == (0,)


def test_api_client_error_is_not_retried() -> None:
    with FakeOpenAlex(three_pages()) as server:
        server.failures = {"*": [(400, {}, b'{"error": "Invalid query parameters error.", '
                                            b'"message": "bogus is not a valid field"}')]}
        with client_for(server) as client, \
                pytest.raises(SourceError, match="HTTP 400: .*bogus is not a valid field"):
            list(client.pages("works", filter="bogus:1"))
    assert len(server.requests) == 1


def test_api_long_retry_after_stops_at_once() -> None:
    with FakeOpenAlex(three_pages()) as server:
        server.failures = {"*": [(429, {"Retry-After": "86400"}, b"")]}
        with client_for(server) as client, pytest.raises(SourceError, match="try again later"):
            list(client.pages("works", filter="x"))
    assert len(server.requests) == 1


def test_api_timeout_and_bad_json_are_retried() -> None:
    with FakeOpenAlex(three_pages()) as server:
        server.delays = {"*": [1.5]}
        server.failures = {"c2": [(200, {}, b'{"meta": {"next_cursor": "c3"}, "resu')]}
        http = httpx.Client(timeout=0.4)
        try:
            client = client_for(server, http=http)
            got = [w["id"] for page in client.pages("works", filter="x") for w in page.results]
        finally:
            http.close()
    assert len(got) == 5
    assert server.cursors() == ["*", "*", "c2", "c2", "c3"]


def test_api_query_needs_a_filter() -> None:
    with pytest.raises(SourceError, match="needs a --filter"):
        openalex.fetch_query(OpenAlexClient("http://127.0.0.1:9"), None)


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0


# ----------------------------------------------------------------------------------------------
# CLI


def test_cli_ingest_jsonl_twice(tmp_path: Path) -> None:
    store = tmp_path / "cli.duckdb"
    runner = CliRunner()
    args = ["ingest", "openalex", "--jsonl", str(FIXTURES / "works"), "--jsonl", str(BAD),
            "--db", str(store), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert (data["units"], data["ingested"], data["papers"], data["records_dropped"]) == \
        (2, 2, 5, 8)
    second = runner.invoke(app, args)
    assert json.loads(second.stdout)["unchanged"] == 2
    assert json.loads(second.stdout)["records_dropped"] == 8


def test_cli_ingest_api_query(tmp_path: Path) -> None:
    store = tmp_path / "cli.duckdb"
    with FakeOpenAlex(three_pages()) as server:
        result = CliRunner().invoke(app, [
            "ingest", "openalex", "--filter", "authorships.institutions.lineage:I1",
            "--max-results", "4", "--base-url", server.url, "--mailto", "me@example.org",
            "--db", str(store)])
    assert result.exit_code == 0, result.output
    assert "4 works, 4 author mentions" in result.stdout
    assert {r["mailto"] for r in server.requests} == {"me@example.org"}


def test_cli_needs_exactly_one_input(tmp_path: Path) -> None:
    runner = CliRunner()
    neither = runner.invoke(app, ["ingest", "openalex", "--db", str(tmp_path / "x.duckdb")])
    both = runner.invoke(app, ["ingest", "openalex", "--jsonl", str(GOOD), "--filter", "x",
                               "--db", str(tmp_path / "x.duckdb")])
    assert neither.exit_code == both.exit_code == 2
    assert "either --jsonl" in neither.output


def test_cli_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "openalex", "--jsonl", str(tmp_path / "x.gz"),
                                      "--db", str(tmp_path / "x.duckdb")])
    assert isinstance(result.exception, SourceError)
    assert "x.gz" in str(result.exception)


# ----------------------------------------------------------------------------------------------
# Mangled works never raise


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path inside a JSON value."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=30) | st.just("\x00\x1b&amp;<i>x</i>") | st.just("y" * 3000),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=6)
_GOOD_WORKS = [orjson.loads(line) for line in GOOD.read_bytes().splitlines()]


@settings(max_examples=300, deadline=None)
@given(which=st.integers(0, len(_GOOD_WORKS) - 1), picks=st.lists(st.integers(0, 10_000),
                                                                  min_size=1, max_size=4),
       junk=st.lists(_JUNK, min_size=4, max_size=4))
def test_mangled_works_give_rows_or_problems_never_exceptions(which: int, picks: list[int],
                                                               junk: list[Any]) -> None:
    work = _GOOD_WORKS[which]
    for pick, new in zip(picks, junk, strict=False):
        paths = _paths(work)
        work = _replace(work, paths[pick % len(paths)], new)
    unit = ParsedUnit("openalex/mangled.jsonl", "mangled.jsonl", "openalex", None, None, "", 0)
    openalex.WorkParser(unit, datetime.now(UTC)).parse(0, work, "line 1")
    assert len(unit.papers) + sum(p.level == RECORD for p in unit.problems) == 1
    for p in unit.papers:
        assert isinstance(p["title"], str) and p["title"] and len(p["title"]) <= 2000
        assert p["year"] is None or isinstance(p["year"], int)
        assert all(isinstance(k, str) for k in p["keywords"])
    for m in unit.mentions:
        assert isinstance(m["raw_name"], str) and m["raw_name"]
        assert m["orcid"] is None or len(m["orcid"]) == 19
    for problem in unit.problems:
        assert problem.message().startswith("openalex/mangled.jsonl, record #0")


_PART_BYTES = gzip.compress(b"".join(
    orjson.dumps({"id": f"https://openalex.org/W{i}", "title": f"Paper {i}",
                  "authorships": [{"raw_author_name": f"Author {i}"}]}) + b"\n"
    for i in range(300)), compresslevel=9)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(0, len(_PART_BYTES)), flip=st.none() | st.integers(0, len(_PART_BYTES) - 1))
def test_cut_or_flipped_gzip_keeps_a_prefix_never_raises(tmp_path_factory: pytest.TempPathFactory,
                                                         cut: int, flip: int | None) -> None:
    data = bytearray(_PART_BYTES[:cut])
    if flip is not None and flip < len(data):
        data[flip] ^= 0xFF
    f = tmp_path_factory.mktemp("cut") / "part_000.gz"
    f.write_bytes(bytes(data))
    unit = openalex.parse_jsonl(f)
    ids = [p["record_id"] for p in unit.papers]
    if flip is None:
        assert ids == [f"W{i}" for i in range(len(ids))]  # a prefix, in order
    assert len(ids) <= 300 and len(set(ids)) == len(ids)
    assert unit.size_bytes == len(data)
    if len(ids) < 300:
        assert unit.status == "partial" or not data


# ----------------------------------------------------------------------------------------------
# A work in two units is stored once: the newer updated_date, on a tie the unit written last


def dated(i: int, updated: str | None, title: str, authors: int = 1) -> dict[str, Any]:
    w = {**work(i), "title": title,
         "authorships": [{"author": {"display_name": f"Author {i}-{k}"}}
                         for k in range(authors)]}
    if updated is not None:
        w["updated_date"] = updated
    return w


def write_part(root: Path, day: str, works: list[dict[str, Any]], part: str = "000") -> Path:
    path = root / f"updated_date={day}" / f"part_{part}.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"".join(orjson.dumps(w) + b"\n" for w in works)))
    return path


def stored(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute("SELECT paper_id, source_file, title FROM papers ORDER BY 1").fetchall()


def consistent(con: duckdb.DuckDBPyConnection) -> None:
    """Each paper once, no orphan mentions, and the sources rows add up to the tables."""
    assert con.execute("SELECT count(*) - count(DISTINCT paper_id) FROM papers").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM mentions ANTI JOIN papers USING (paper_id, "
                       "source_file)").fetchone() == (0,)
    assert con.execute("SELECT sum(papers), sum(mentions) FROM sources").fetchone() == \
        con.execute("SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM mentions)"
                    ).fetchone()


def test_updated_date_is_parsed_with_the_partition_as_fallback(tmp_path: Path) -> None:
    part = write_part(tmp_path, "2024-03-01", [
        dated(1, "2024-02-05T05:00:03.798420", "A"), dated(2, "2024-02-05T06:00:00Z", "B"),
        dated(3, None, "C"), dated(4, "yesterday", "D")])
    unit = openalex.parse_jsonl(part)
    got = {p["record_id"]: p["updated_date"] for p in unit.papers}
    assert got == {"W1": datetime(2024, 2, 5, 5, 0, 3, 798420), "W2": datetime(2024, 2, 5, 6),
                   "W3": datetime(2024, 3, 1), "W4": datetime(2024, 3, 1)}
    (bad,) = unit.problems
    assert (bad.record_id, bad.field, bad.level) == ("W4", "updated_date", FIELD)
    assert openalex.parse_jsonl(GOOD).papers[0]["updated_date"] is None  # no date, no folder


@pytest.mark.parametrize("newer_first", [False, True])
def test_a_work_in_two_snapshot_parts_keeps_the_newer(tmp_path: Path, newer_first: bool,
                                                      con: duckdb.DuckDBPyConnection) -> None:
    old = write_part(tmp_path, "2024-01-01", [dated(1, "2024-01-01T00:00:00", "Old title", 3),
                                              dated(2, "2024-01-01T00:00:00", "Only old")])
    new = write_part(tmp_path, "2024-03-01", [dated(1, "2024-03-01T00:00:00", "New title", 2)])
    results = [openalex.ingest_jsonl(con, [p]) for p in ([new, old] if newer_first else
                                                        [old, new])]
    assert stored(con) == [
        ("openalex/W1", "openalex/updated_date=2024-03-01/part_000.gz", "New title"),
        ("openalex/W2", "openalex/updated_date=2024-01-01/part_000.gz", "Only old")]
    assert con.execute("SELECT count(*) FROM mentions WHERE paper_id = 'openalex/W1'"
                       ).fetchone() == (2,)
    consistent(con)
    if newer_first:
        assert (results[1]["papers"], results[1]["kept_elsewhere"]) == (1, 1)
    else:
        assert (results[1]["papers"], results[1]["taken_over"]) == (1, 1)
        assert con.execute("SELECT papers, mentions FROM sources WHERE source_file LIKE "
                           "'%2024-01-01%'").fetchone() == (1, 1)
    before = (stored(con), counts(con))
    again = openalex.ingest_jsonl(con, [tmp_path])  # both parts unchanged: nothing moves
    assert again["unchanged"] == 2 and (stored(con), counts(con)) == before


def test_without_dates_the_unit_written_last_wins(tmp_path: Path,
                                                  con: duckdb.DuckDBPyConnection) -> None:
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_bytes(orjson.dumps(dated(1, None, "From a")) + b"\n")
    b.write_bytes(orjson.dumps(dated(1, None, "From b")) + b"\n")
    openalex.ingest_jsonl(con, [a])
    openalex.ingest_jsonl(con, [b])
    assert stored(con) == [("openalex/W1", "openalex/b.jsonl", "From b")]
    a.write_bytes(orjson.dumps(dated(1, None, "From a, changed")) + b"\n")
    openalex.ingest_jsonl(con, [a])
    assert stored(con) == [("openalex/W1", "openalex/a.jsonl", "From a, changed")]
    consistent(con)


def test_a_work_in_a_snapshot_part_and_an_api_page(tmp_path: Path,
                                                   con: duckdb.DuckDBPyConnection) -> None:
    part = write_part(tmp_path, "2024-01-01", [dated(1, "2024-01-01T00:00:00", "Snapshot"),
                                               dated(9, "2024-01-01T00:00:00", "Other")])
    openalex.ingest_jsonl(con, [part])
    pages = {"*": ([dated(1, "2024-06-01T00:00:00", "From the API", 2), work(2)], None)}
    with FakeOpenAlex(pages) as server, client_for(server) as client:
        totals = openalex.ingest_query(con, client, "x", batch_works=1)
        assert totals["taken_over"] == 1
        assert stored(con) == [
            ("openalex/W1", "openalex-api/works?filter=x", "From the API"),
            ("openalex/W2", "openalex-api/works?filter=x", "Work 2"),
            ("openalex/W9", "openalex/updated_date=2024-01-01/part_000.gz", "Other")]
        consistent(con)
    # The part, re-written (another work added), still holds the older W1: the API's stays.
    write_part(tmp_path, "2024-01-01", [dated(1, "2024-01-01T00:00:00", "Snapshot"),
                                        dated(9, "2024-01-01T00:00:00", "Other"),
                                        dated(10, "2024-01-01T00:00:00", "Added")])
    again = openalex.ingest_jsonl(con, [part])
    assert (again["replaced"], again["kept_elsewhere"], again["papers"]) == (1, 1, 2)
    assert [r[2] for r in stored(con)] == ["From the API", "Added", "Work 2", "Other"]
    consistent(con)


def test_cli_summary_counts_works_kept_elsewhere(tmp_path: Path) -> None:
    """A part holding an older version of a stored work says so in its summary line."""
    new = write_part(tmp_path / "new", "2024-03-01",
                     [dated(1, "2024-03-01T00:00:00", "New title")])
    old = write_part(tmp_path / "old", "2024-01-01",
                     [dated(1, "2024-01-01T00:00:00", "Old title"), dated(2, None, "Other")])
    runner = CliRunner()
    db = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["ingest", "openalex", "--jsonl", str(new), "--db", db]
                         ).exit_code == 0
    result = runner.invoke(app, ["ingest", "openalex", "--jsonl", str(old), "--db", db])
    assert result.exit_code == 0, result.output
    assert "1 works kept elsewhere" in " ".join(result.output.split())
