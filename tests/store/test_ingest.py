"""Ingest safety: bad input is quarantined with its place named, re-runs change nothing, and a
file is all-or-nothing even when the process is killed mid-file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_helpers import PAPERLISTS, ingest, rows, write_corpus_file
from talentgraph.store import db

GOOD = {"id": "g1", "title": "A Good Paper", "status": "Poster", "author": "Ana Bell;Cy Dunn",
        "authorids": "~Ana_Bell1;~Cy_Dunn1", "aff": "Nowhere University;Example Lab",
        "aff_domain": "nowhere.edu;example.com", "position": "PhD student;Researcher"}


def counts(con) -> tuple[int, int, int]:
    return con.execute("SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM mentions), "
                       "(SELECT count(*) FROM quarantine)").fetchone()


def test_rerunning_the_same_ingest_changes_nothing(store, corpus):
    first = ingest(store, corpus)
    before = counts(store)
    second = ingest(store, corpus)
    assert second["unchanged"] == first["files"] and second["ingested"] == 0
    assert counts(store) == before
    dupes = store.execute("SELECT count(*) FROM (SELECT paper_id, position FROM mentions "
                          "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
    assert dupes == 0


def test_a_changed_file_replaces_its_rows_and_keeps_the_others(store, tmp_path):
    folder = tmp_path / "c"
    write_corpus_file(folder, "iclr2020.json.gz", [GOOD])
    write_corpus_file(folder, "iclr2021.json.gz", [dict(GOOD, id="h1")])
    ingest(store, folder)
    write_corpus_file(folder, "iclr2020.json.gz", [GOOD, dict(GOOD, id="g2", title="Second")])
    result = ingest(store, folder)
    assert result["replaced"] == 1 and result["unchanged"] == 1
    assert sorted(r[0] for r in store.execute("SELECT paper_id FROM papers").fetchall()) == [
        "iclr2020/g1", "iclr2020/g2", "iclr2021/h1"]
    assert counts(store)[1] == 6


def test_bad_records_are_quarantined_and_the_rest_is_ingested(store, tmp_path):
    huge = "x" * (10 * 1024 * 1024)
    records = [
        GOOD,
        {"id": "t0", "author": "No Title"},
        {"id": "t1", "title": ["not", "text"], "author": "Al Bo"},
        {"id": "t2", "title": huge, "author": "Al Bo"},
        {"id": "a0", "title": "No authors"},
        {"id": "a1", "title": "Authors as a list", "author": ["Al Bo"]},
        {"id": "p0", "title": "Mismatched", "author": "Al Bo;Cy Do;Ed Fu",
         "position": "PhD student;Professor"},
        {"id": "c0", "title": "Control\x07 characters\x00 here", "author": "Al\x1b Bo"},
        {"id": "k0", "title": "Keywords of the wrong type", "author": "Al Bo",
         "keywords": {"a": 1}},
        42,
    ]
    write_corpus_file(tmp_path / "c", "iclr2020.json.gz", records)
    result = ingest(store, tmp_path / "c")
    assert result["records_dropped"] == 6
    kept = {r[0] for r in store.execute("SELECT record_id FROM papers").fetchall()}
    assert kept == {"g1", "p0", "c0", "k0"}
    q = {(r["record_index"], r["field"]): r["reason"] for r in rows(
        store, "SELECT * FROM quarantine WHERE source_file = 'iclr2020.json.gz'")}
    assert q[(1, "title")] == "record has no title"
    assert q[(2, "title")] == "expected text, found a list"
    assert q[(3, "title")] == "title is 10,485,760 characters (limit 2,000)"
    assert q[(4, "author")] == "record has no authors"
    assert q[(5, "author")] == "expected `;`-separated text, found a list"
    assert q[(6, "position")] == "2 values for 3 authors; not attributed to authors"
    assert q[(7, "title")] == "control characters removed"
    assert q[(7, "author")] == "control characters removed from the author list"
    assert q[(8, "keywords")] == "expected text, found an object; field dropped"
    assert q[(9, None)] == "expected a JSON object, found a number"
    title = store.execute("SELECT title FROM papers WHERE record_id = 'c0'").fetchone()[0]
    assert title == "Control characters here"
    assert store.execute("SELECT raw_name FROM mentions WHERE record_id = 'c0'").fetchone() == (
        "Al Bo",)


def test_truncated_gzip_keeps_the_complete_records(store, tmp_path):
    folder = tmp_path / "c"
    path = write_corpus_file(folder, "iclr2020.json.gz",
                             [dict(GOOD, id=f"r{i}", title=f"Paper number {i}") for i in range(50)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    write_corpus_file(folder, "iclr2021.json.gz", [GOOD])
    result = ingest(store, folder)
    assert result["files"] == 2
    salvaged = store.execute(
        "SELECT papers, status FROM sources WHERE source_file = 'iclr2020.json.gz'").fetchone()
    assert 0 < salvaged[0] < 50 and salvaged[1] == "partial"
    reasons = [r[0] for r in store.execute(
        "SELECT reason FROM quarantine WHERE source_file = 'iclr2020.json.gz' AND level = 'file'"
    ).fetchall()]
    assert any(r.startswith("damaged gzip stream") for r in reasons)
    assert store.execute("SELECT papers FROM sources WHERE source_file = 'iclr2021.json.gz'"
                         ).fetchone()[0] == 1


def test_invalid_json_line_is_lost_alone(store, tmp_path):
    folder = tmp_path / "c"
    folder.joinpath("iclr").mkdir(parents=True)
    lines = [json.dumps(dict(GOOD, id=f"r{i}")) for i in range(3)]
    lines[1] = '{"id": "broken", "title": "Oops" "author": "x"}'
    folder.joinpath("iclr", "iclr2020.json").write_text("[\n" + ",\n".join(lines) + "\n]\n")
    ingest(store, folder)
    assert sorted(r[0] for r in store.execute("SELECT record_id FROM papers").fetchall()) == [
        "r0", "r2"]
    lost = rows(store, "SELECT * FROM quarantine WHERE level = 'record'")
    assert len(lost) == 1 and lost[0]["reason"].startswith("line 3 is not a complete JSON record")


def test_a_file_that_is_not_an_array_is_reported(store, tmp_path):
    folder = tmp_path / "c"
    folder.joinpath("iclr").mkdir(parents=True)
    folder.joinpath("iclr", "iclr2020.json").write_text('{"title": "not an array"}')
    result = ingest(store, folder)
    assert result["papers"] == 0
    reasons = [r[0] for r in store.execute("SELECT reason FROM quarantine").fetchall()]
    assert any("expected a JSON array of records" in r or "not valid JSON" in r for r in reasons)


def _tables(con) -> dict[str, list[tuple]]:
    out = {}
    for table, drop in (("papers", "ingested_at"), ("mentions", "ingested_at"),
                        ("quarantine", "ingested_at"), ("sources", "ingested_at, path")):
        out[table] = sorted(con.execute(f"SELECT * EXCLUDE ({drop}) FROM {table}").fetchall(),
                            key=repr)
    return out


def test_batches_written_two_at_a_time_store_what_one_at_a_time_does(corpus, tmp_path,
                                                                     monkeypatch):
    """Each file its own batch, so the fixture corpus (one file per record family) and two
    damaged files go through the two-connection path; the store is the same row for row."""
    from talentgraph.sources import paperlists

    good = write_corpus_file(corpus, "aaai2020.json.gz", [GOOD, dict(GOOD, id="g2")])
    write_corpus_file(corpus, "aaai2021.json.gz", [GOOD]).write_bytes(good.read_bytes()[:-12])
    bad = corpus / "ijcai" / "ijcai2020.json"
    bad.parent.mkdir()
    bad.write_text('[\n{"id": "a", "title": "T", "author": "A B"},\n{"id": "b", "title": \n]\n')
    monkeypatch.setattr(paperlists, "BATCH_BYTES", 1)
    stores = {}
    for workers in (1, 2):
        monkeypatch.setattr(paperlists, "INGEST_WORKERS", workers)
        con = db.connect(tmp_path / f"w{workers}.duckdb")
        totals = ingest(con, corpus)
        stores[workers] = (totals, _tables(con))
        con.close()
    assert stores[2][0]["ingested"] == stores[2][0]["files"] == 9
    assert {r[0] for r in stores[2][1]["sources"] if r[-1] == "partial"} == {
        "aaai2021.json.gz", "ijcai2020.json"}
    assert stores[1] == stores[2]


@pytest.mark.slow
def test_killing_the_process_mid_file_leaves_the_store_as_before(tmp_path):
    db_path = tmp_path / "store.duckdb"
    folder = tmp_path / "c"
    write_corpus_file(folder, "iclr2020.json.gz", [GOOD])
    con = db.connect(db_path)
    ingest(con, folder)
    before = counts(con)
    con.close()
    write_corpus_file(folder, "iclr2021.json.gz",
                      [dict(GOOD, id=f"n{i}", title=f"New {i}") for i in range(500)])
    marker = tmp_path / "holding"
    env = dict(os.environ, TALENTGRAPH_TEST_HOLD_COMMIT=str(marker))
    proc = subprocess.Popen(
        [sys.executable, "-m", "talentgraph.cli", "build", "--paperlists", str(folder),
         "--db", str(db_path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the build ended before reaching the commit"
            assert time.monotonic() < deadline, "the build never reached the commit"
            time.sleep(0.05)
        # Every row of the new file is inserted, not committed: kill the process now.
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    con = db.connect(db_path)
    assert counts(con) == before
    assert [r[0] for r in con.execute("SELECT source_file FROM sources").fetchall()] == [
        "iclr2020.json.gz"]
    # ...and the next run picks the file up whole.
    assert ingest(con, folder)["ingested"] == 1
    assert counts(con)[0] == before[0] + 500
    con.close()


# Property-based: mangle real-format records; the ingest never fails and accounts for each one.

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_value = st.one_of(st.none(), _text, st.integers(), st.floats(allow_nan=True),
                   st.booleans(), st.lists(_text, max_size=3),
                   st.dictionaries(_text, _text, max_size=2))
_FIELDS = ["id", "title", "author", "authors", "authorids", "aff", "aff_domain", "position",
           "status", "keywords", "gs_citation", "rating_avg", "abstract", "email",
           "aff_unique_index", "aff_unique_norm"]


@st.composite
def mangled_record(draw):
    base = json.loads(json.dumps(GOOD))
    base["id"] = draw(st.one_of(_text, st.integers()))
    for key in draw(st.lists(st.sampled_from(_FIELDS), max_size=5, unique=True)):
        action = draw(st.sampled_from(["drop", "replace", "stretch"]))
        if action == "drop":
            base.pop(key, None)
        elif action == "replace":
            base[key] = draw(_value)
        else:
            base[key] = ";".join(draw(st.lists(_text, min_size=0, max_size=6)))
    return base


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=st.lists(st.one_of(mangled_record(), _value), min_size=1, max_size=8))
def test_mangled_records_never_break_the_ingest(tmp_path_factory, records):
    folder = tmp_path_factory.mktemp("c")
    write_corpus_file(folder, "iclr2020.json.gz", records)
    con = db.connect(folder / "s.duckdb")
    try:
        result = ingest(con, folder)
        read = con.execute("SELECT records_read FROM sources").fetchone()[0]
        assert read == len(records)
        # Every record is either stored or quarantined as a record, never both, never neither.
        assert result["papers"] + result["records_dropped"] == len(records)
        stored = con.execute("SELECT count(DISTINCT record_index) FROM papers").fetchone()[0]
        assert stored == result["papers"]
        orphans = con.execute("SELECT count(*) FROM mentions m ANTI JOIN papers p "
                              "USING (paper_id)").fetchone()[0]
        assert orphans == 0
    finally:
        con.close()


def test_fixture_corpus_is_small(tmp_path):
    """The fixture corpus is ours and tiny: no real corpus file was copied into the repository."""
    sizes = [p.stat().st_size for p in PAPERLISTS.rglob("*") if p.is_file()]
    assert sizes and max(sizes) < 20_000
    assert not list(PAPERLISTS.rglob("*.json.gz"))
