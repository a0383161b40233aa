"""The build on Spark (local mode) against the DuckDB build of the same files: the same papers,
mentions and quarantine rows (bad input included), the same persons and moves; its output
folder serves the read commands and is switched in only when the build finished."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus_helpers import PAPERLISTS, write_corpus_file
from talentgraph import pipeline
from talentgraph.store import db
from talentgraph.store.compare import build_meaning
from web.world import write_world

pytestmark = pytest.mark.spark

GOOD = {"id": "g1", "title": "A Good Paper", "status": "Poster", "author": "Ana Bell;Cy Dunn",
        "authorids": "~Ana_Bell1;~Cy_Dunn1", "aff": "Nowhere University;Example Lab",
        "aff_domain": "nowhere.edu;example.com", "position": "PhD student;Researcher"}

# compared column by column (the time of the build and the file's full path differ)
COLUMNS = {
    "papers": "* EXCLUDE (ingested_at)",
    "mentions": "* EXCLUDE (ingested_at)",
    "quarantine": "* EXCLUDE (ingested_at)",
    "sources": "* EXCLUDE (ingested_at, path)",
}


def write_bad_files(folder: Path) -> None:
    """Bad records, a truncated gzip, a broken JSON line and a file that is not an array."""
    write_corpus_file(folder, "iclr2018.json.gz", [
        GOOD,
        {"id": "t0", "author": "No Title"},
        {"id": "t1", "title": ["not", "text"], "author": "Al Bo"},
        {"id": "t2", "title": "x" * 3000, "author": "Al Bo"},
        {"id": "a0", "title": "No authors"},
        {"id": "a1", "title": "Authors as a list", "author": ["Al Bo"]},
        {"id": "p0", "title": "Mismatched", "author": "Al Bo;Cy Do;Ed Fu",
         "position": "PhD student;Professor"},
        {"id": "c0", "title": "Control\x07 characters\x00 here", "author": "Al\x1b Bo"},
        {"id": "k0", "title": "Keywords of the wrong type", "author": "Al Bo",
         "keywords": {"a": 1}, "gs_citation": "many", "rating_avg": [4.5, 3]},
        {"id": "g1", "title": "A Good Paper", "author": "Ana Bell"},  # same id, same title
        # names ending in Unicode spaces (a no-break space, as in the real corpus; an
        # ideographic space), which DuckDB's trim removes and Spark's did not
        {"id": "s0", "title": "Trailing spaces", "author": "Andrea Romanoni\u00a0;Cy Dunn\u3000"},
        42,
    ])
    path = write_corpus_file(folder, "icml2018.json.gz",
                             [dict(GOOD, id=f"r{i}", title=f"Paper number {i}")
                              for i in range(40)])
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) * 2 // 3])
    lines = [json.dumps(dict(GOOD, id=f"r{i}")) for i in range(3)]
    lines[1] = '{"id": "broken", "title": "Oops" "author": "x"}'
    (folder / "icml" / "icml2017.json").write_text("[\n" + ",\n".join(lines) + "\n]\n")
    (folder / "icml" / "icml2016.json").write_text('{"title": "not an array"}')


@pytest.fixture(scope="module")
def builds(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One corpus built on both engines: {"corpus", "out" (Spark), "duck" (DuckDB store)}."""
    from talentgraph.engines import spark_build

    root = tmp_path_factory.mktemp("spark")
    corpus = root / "paperlists"
    shutil.copytree(PAPERLISTS, corpus)
    write_world(corpus)
    write_bad_files(corpus)
    pipeline.build(root / "duck.duckdb", [corpus])
    report = spark_build.build(root / "out", [corpus], spark=spark)
    assert {report.engines[s] for s in ("ingest", "people", "careers")} == {"spark"}
    return {"corpus": corpus, "out": root / "out", "duck": root / "duck.duckdb", "root": root}


def _rows(path: Path) -> dict[str, list[tuple]]:
    con = db.connect(path, read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT {c} FROM {t}").fetchall(), key=repr)
                for t, c in COLUMNS.items()}
    finally:
        con.close()


def test_spark_ingests_the_same_rows_and_quarantines_the_same_bad_input(builds) -> None:
    want, got = _rows(builds["duck"]), _rows(builds["out"])
    for table in COLUMNS:
        assert got[table] == want[table], table
    q = {(f, i, fld) for f, _, i, _, fld, *_ in got["quarantine"]}
    assert ("iclr2018.json.gz", 2, "title") in q and ("iclr2018.json.gz", 8, "keywords") in q
    assert ("icml2018.json.gz", None, None) in q  # the damaged gzip stream
    assert any(f == "icml2017.json" and fld is None for f, _, fld in q)  # the broken line
    assert len(got["quarantine"]) > 15 and len(got["papers"]) > 60
    names = {m[0] for m in db.connect(builds["out"], read_only=True).execute(
        "SELECT raw_name FROM mentions WHERE paper_id LIKE '%/s0'").fetchall()}
    assert names == {"Andrea Romanoni", "Cy Dunn"}


def test_spark_build_gives_the_same_persons_and_moves(builds) -> None:
    a = build_meaning(builds["out"], builds["root"].joinpath("a"))
    b = build_meaning(builds["duck"], builds["root"].joinpath("b"))
    assert a.partition == b.partition
    assert a.moves == b.moves and len(a.moves) > 3


def test_read_commands_take_the_output_folder_as_db(builds) -> None:
    from talentgraph.cli.main import app

    out = str(builds["out"])
    stats = CliRunner().invoke(app, ["stats", "--db", out, "--json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["totals"]["papers"] > 60
    flows = CliRunner().invoke(app, ["flows", "--from", "2019", "--to", "2024", "--db", out,
                                     "--json"])
    assert flows.exit_code == 0, flows.output
    tables = {p.name for p in (builds["out"] / "current" / "tables").iterdir()}
    assert {"papers", "mentions", "quarantine", "persons", "moves", "person_profiles"} <= tables


def test_a_failed_build_leaves_the_previous_output(builds, spark, monkeypatch) -> None:
    from talentgraph.engines import spark_build, spark_ingest

    current = (builds["out"] / "current").resolve()

    def killed(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(spark_ingest, "ingest", killed)
    with pytest.raises(KeyboardInterrupt):
        spark_build.build(builds["out"], [builds["corpus"]], spark=spark)
    assert (builds["out"] / "current").resolve() == current
    assert not list((builds["out"] / "builds").glob("*.partial"))
    assert db.connect(builds["out"], read_only=True).execute(
        "SELECT count(*) FROM papers").fetchone()[0] > 60
