"""The where-now benchmark end to end on a tiny careers store (no corpus data)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

PATH = Path(__file__).parents[2] / "benchmarks" / "where_now.py"  # tests/careers/../../
spec = importlib.util.spec_from_file_location("where_now_bench", PATH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def _positions_csv(tmp_path: Path, rows: str) -> Path:
    """An AI Watch positions.csv with these rows."""
    csv = tmp_path / "positions.csv"
    csv.write_text("person,organization,title,start_date,start_date_precision,end_date,"
                   "end_date_precision,employment_type,urls,notes\n" + rows)
    return csv


def _run(db_path: Path, csv: Path, work: Path, holdout: str) -> dict:
    """The benchmark's saved output for the store at `db_path` (copied to `work`)."""
    save = work.with_suffix(".json")
    assert bench.main(["--db", str(db_path), "--positions", str(csv), "--work", str(work),
                       "--holdout", holdout, "--save", str(save)]) == 0
    return json.loads(save.read_text())


def test_where_now_counts_right_wrong_unknown(store, tmp_path: Path):
    store.org("openai", "OpenAI", "industry_lab").org("anthropic", "Anthropic", "industry_lab")
    store.org("stanford-university", "Stanford University")
    store.names.update({"ann": "Ann Alpha", "bob": "Bob Beta", "cat": "Cat Gamma"})
    for y in (2018, 2019, 2020):
        store.paper(y, [("ann", ["openai"], None), ("bob", ["stanford-university"], None)])
    store.paper(2021, [("cat", ["stanford-university"], None)])
    store.paper(2022, [("cat", ["stanford-university"], None)])
    store.build()
    store.con.close()
    csv = _positions_csv(tmp_path,
                         "Ann Alpha,OpenAI,Engineer,2017-01-01,month,2021-01-01,month,,,\n"
                         "Ann Alpha,Anthropic,Engineer,2021-02-01,month,,,,,\n"
                         "Bob Beta,Anthropic,Researcher,2021-03-01,month,,,,,\n"
                         "Cat Gamma,Anthropic,Researcher,2020-03-01,month,,,,,\n")
    # every person held out: their current positions are the truth, never ingested
    out = _run(store.path, csv, tmp_path / "w.duckdb", "1.0")
    assert out["truth_people"] == 3 and out["held_out"] == 3
    held = out["with_positions"]["held_out"]
    # Ann's earlier OpenAI position is ingested; papers say OpenAI or Stanford: all wrong
    assert (held["right"], held["wrong"], held["unknown"]) == (0, 3, 0)
    # nobody held out: the open positions are ingested and newer than the papers,
    # except Cat's (2020) whose papers at Stanford go on to 2022
    out = _run(store.path, csv, tmp_path / "w2.duckdb", "0")
    rest = out["with_positions"]["rest"]
    assert (rest["n"], rest["right"], rest["wrong"]) == (3, 2, 1)
    assert out["without_positions"]["rest"]["right"] == 0


def test_a_store_built_with_positions_is_measured_papers_only(store, tmp_path: Path):
    """`talentgraph build` ingests the positions by default; the benchmark's "without
    positions" must not read them (the truth is among them): it drops them first, and measures
    what it measures on a papers-only store."""
    from talentgraph.careers.positions import positions_stage
    from talentgraph.careers.stage import careers_stage
    from talentgraph.sources.positions.ingest import ingest_aiwatch
    from talentgraph.store import db

    store.org("openai", "OpenAI", "industry_lab").org("anthropic", "Anthropic", "industry_lab")
    store.names.update({"ann": "Ann Alpha"})
    for y in (2018, 2019, 2020):
        store.paper(y, [("ann", ["openai"], None)])
    store.build()
    store.con.close()
    csv = _positions_csv(tmp_path, "Ann Alpha,Anthropic,Engineer,2021-02-01,month,,,,,\n")
    with_positions = tmp_path / "with.duckdb"
    with_positions.write_bytes(store.path.read_bytes())
    con = db.connect(with_positions)
    ingest_aiwatch(con, [csv])
    positions_stage(con)
    careers_stage(con)
    assert con.execute("SELECT org_id FROM person_now").fetchall() == [("anthropic",)]
    con.close()
    runs = {name: _run(path, csv, tmp_path / f"w-{name}.duckdb", "1.0")
            for name, path in (("papers", store.path), ("positions", with_positions))}
    assert (runs["papers"]["positions_dropped_first"],
            runs["positions"]["positions_dropped_first"]) == (0, 1)
    without = runs["positions"]["without_positions"]["held_out"]
    assert (without["n"], without["right"], without["wrong"]) == (1, 0, 1)  # OpenAI, papers
    assert runs["positions"]["without_positions"] == runs["papers"]["without_positions"]
