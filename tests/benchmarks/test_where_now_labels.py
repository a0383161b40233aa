"""where_now_labels' score on a tiny hand-made store and labels (no corpus data)."""

import importlib.util
from pathlib import Path

import duckdb
import pytest

PATH = Path(__file__).parents[2] / "benchmarks" / "where_now_labels.py"
spec = importlib.util.spec_from_file_location("where_now_labels_bench", PATH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("CREATE TABLE orgs (org_id VARCHAR, parent_id VARCHAR, top_parent_id VARCHAR, "
              "successor_id VARCHAR)")
    c.execute("INSERT INTO orgs VALUES ('alpha', NULL, NULL, NULL), "
              "('alpha-lab', 'alpha', 'alpha', NULL), ('beta', NULL, NULL, NULL)")
    c.execute("CREATE TABLE person_now (person_id VARCHAR, org_id VARCHAR, basis VARCHAR, "
              "evidence VARCHAR)")
    c.execute("INSERT INTO person_now VALUES ('p1', 'alpha', 'spell', ''), "
              "('p2', 'alpha-lab', 'spell', ''), ('p3', 'beta', 'spell', 'old spell')")
    c.execute("CREATE TABLE mention_person (paper_id VARCHAR, position INTEGER, "
              "person_id VARCHAR)")
    # p9 is the store's id of the person drawn as p2-old (found by the anchor mention).
    c.execute("INSERT INTO mention_person VALUES ('x/1', 0, 'p1'), ('x/2', 0, 'p9'), "
              "('x/3', 0, 'p3'), ('x/4', 0, 'p4'), ('x/5', 0, 'p5')")
    c.execute("INSERT INTO person_now VALUES ('p9', 'alpha-lab', 'spell', '')")
    return c


def case(cid, pid, paper, label):
    return {"case_id": cid, "person_id": pid, "anchor_paper_id": paper,
            "anchor_position": "0", "label": label, "note": ""}


def test_score_counts_family_wrong_unknown_and_leaves_unsure_out(con):
    labels = [case("a", "p1", "x/1", "alpha"),         # right: same org
              case("b", "p2-old", "x/2", "alpha"),     # right: child lab, via anchor mention
              case("c", "p3", "x/3", "alpha"),         # wrong: beta is another org
              case("d", "p4", "x/4", "beta"),          # unknown: no now
              case("e", "p5", "x/5", "unsure")]        # left out
    r = bench.score(con, labels)
    assert (r["n"], r["right"], r["wrong"], r["unknown"]) == (4, 2, 1, 1)
    assert r["unsure_left_out"] == 1
    assert [w["case_id"] for w in r["wrong_cases"]] == ["c"]
    assert r["unknown_cases"] == ["d"]
    assert r["share_right_95"] == bench.wilson(2, 4)


def test_wilson_interval():
    assert bench.wilson(16, 28) == (0.391, 0.735)
    assert bench.wilson(0, 0) == (0.0, 1.0)
