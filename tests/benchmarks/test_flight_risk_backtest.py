"""The flight-risk backtest's SQL and AUC on a tiny hand-made store (no corpus data)."""

import importlib.util
from pathlib import Path

import duckdb
import numpy as np
import pytest

PATH = Path(__file__).parents[2] / "benchmarks" / "flight_risk.py"
spec = importlib.util.spec_from_file_location("flight_risk_bench", PATH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

# (paper, year, [(openreview id, affiliation domain)])
PAPERS = [
    ("p1", 2021, [("~A", "cs.x.edu"), ("~B", "x.edu")]),
    ("p2", 2021, [("~C", "y.com"), ("~D", "y.com")]),
    ("p3", 2022, [("~A", "x.edu"), ("~B", "z.org")]),      # B leaves x.edu
    ("p4", 2022, [("~C", "y.com"), ("~D", "y.com")]),
    ("p5", 2023, [("~A", "w.com")]),                       # A follows, a year later
    ("p6", 2023, [("~C", "y.com")]),
    ("p7", 2023, [("~D", "research.y.com")]),
]


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""CREATE TABLE mentions (paper_id VARCHAR, position INTEGER, year INTEGER,
                   openreview_id VARCHAR, ieee_id VARCHAR, acl_id VARCHAR, dblp VARCHAR,
                   orcid VARCHAR, affiliation_domain VARCHAR, aff_norm VARCHAR)""")
    for pid, year, authors in PAPERS:
        for pos, (orid, dom) in enumerate(authors):
            con.execute("INSERT INTO mentions VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, "
                        "NULL)", [pid, pos, year, orid, dom])
    con.close()
    return path


def examples(store, year):
    con = duckdb.connect()
    con.execute(f"ATTACH '{store}' AS s (READ_ONLY)")
    bench.build_observations(con, "openreview")
    bench.init_examples(con)
    bench.year_rows(con, year)
    cols = ("pid", "moved", "tenure", "co_moved_share", "co_left_org", "n_orgs", "recency")
    return {r[0]: dict(zip(cols, r, strict=True)) for r in con.execute(
        f"SELECT {', '.join(cols)} FROM examples").fetchall()}


def test_features_and_labels_use_only_the_past(store):
    ex = examples(store, 2022)
    assert set(ex) == {"openreview_id:~A", "openreview_id:~C", "openreview_id:~D"}
    a = ex["openreview_id:~A"]
    assert a["moved"] and a["tenure"] == 2  # cs.x.edu and x.edu are one registrable domain
    assert a["co_moved_share"] == 1 and a["co_left_org"] == 1  # B left A's organisation
    c = ex["openreview_id:~C"]
    assert not c["moved"] and c["co_moved_share"] == 0
    assert not ex["openreview_id:~D"]["moved"]  # research.y.com is still y.com
    ex21 = examples(store, 2021)
    assert ex21["openreview_id:~B"]["moved"] and not ex21["openreview_id:~A"]["moved"]
    assert ex21["openreview_id:~A"]["co_moved_share"] == 0  # B's move is in 2022: the future


def test_run_reports_both_models(store):
    result = bench.run(store, [2021, 2022], "openreview")
    assert [r["people"] for r in result["years"]] == [4, 3]
    assert result["movers"] == 2
    assert set(result["pooled"]) == {"tenure_only", "graph", "graph_without_coauthors",
                                     "collaborators_factor_only"}


def follow_world(n_pairs: int = 24, first: int = 2015, last: int = 2024) -> list:
    """Pairs of coauthors at one organisation. In every other pair the leader moves (in one of
    2018..2022) and the follower moves the year after; the other pairs never move. Tenure says
    nothing within a year (everyone started in `first`): only the coauthors' moves predict."""
    papers = []
    for k in range(n_pairs):
        lead, fol, old, new = f"~L{k}", f"~F{k}", f"o{k}.edu", f"n{k}.com"
        move = 2018 + (k // 2) % 5 if k % 2 == 0 else None
        for y in range(first, last + 1):
            if move is None or y < move:
                papers.append((f"p{k}-{y}", y, [(lead, old), (fol, old)]))
            elif y == move:
                papers.append((f"a{k}-{y}", y, [(lead, new)]))
                papers.append((f"b{k}-{y}", y, [(fol, old)]))
            elif y == move + 1:
                papers.append((f"p{k}-{y}", y, [(lead, new), (fol, new)]))
    return papers


def test_coauthor_moves_predict_a_move_that_tenure_cannot(tmp_path):
    path = tmp_path / "follow.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""CREATE TABLE mentions (paper_id VARCHAR, position INTEGER, year INTEGER,
                   openreview_id VARCHAR, ieee_id VARCHAR, acl_id VARCHAR, dblp VARCHAR,
                   orcid VARCHAR, affiliation_domain VARCHAR, aff_norm VARCHAR)""")
    con.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, NULL)",
                    [(pid, pos, year, orid, dom) for pid, year, authors in follow_world()
                     for pos, (orid, dom) in enumerate(authors)])
    con.close()
    result = bench.run(path, list(range(2017, 2023)), "openreview", boot=0)
    assert result["movers"] == 24  # 12 leaders and 12 followers
    pooled = result["pooled"]
    # movers are half followers (a coauthor just moved: ranked above every stayer) and half
    # leaders (no signal: tied with the stayers), so the best possible AUC is 0.5 + 0.5 / 2
    assert pooled["collaborators_factor_only"] > 0.7 and pooled["graph"] > 0.7
    assert pooled["tenure_only"] < 0.6 and pooled["graph_without_coauthors"] < 0.6
    assert pooled["graph"] - pooled["graph_without_coauthors"] > 0.15


def test_auc_is_the_mann_whitney_probability_with_ties_half():
    labels = np.array([0, 0, 1, 1])
    assert bench.auc(np.array([0.1, 0.4, 0.35, 0.8]), labels) == 0.75
    assert bench.auc(np.array([1.0, 1.0, 1.0, 1.0]), labels) == 0.5
    assert bench.auc(np.array([0.0, 0.1, 0.2, 0.3]), labels) == 1.0
    assert np.isnan(bench.auc(np.array([0.1, 0.2]), np.array([1, 1])))


def test_auc_matches_counting_every_pair():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, 60).astype(float)  # many ties
    labels = rng.integers(0, 2, 60)
    pos, neg = scores[labels == 1], scores[labels == 0]
    pairs = [(p > n) + 0.5 * (p == n) for p in pos for n in neg]
    assert bench.auc(scores, labels) == pytest.approx(sum(pairs) / len(pairs))
