"""The sourcing backtest's metrics and its year-limited store, on the fixture world."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from talentgraph.sourcing import index as idx
from talentgraph.sourcing import rank

PATH = Path(__file__).parents[2] / "benchmarks" / "sourcing.py"
spec = importlib.util.spec_from_file_location("sourcing_bench", PATH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_precision_and_ndcg() -> None:
    rel = {"a": 1, "b": 3}
    assert bench.precision(["a", "x", "b"], rel) == pytest.approx(2 / 20)
    assert bench.ndcg(["b", "a"], rel) == pytest.approx(1.0)
    swapped = (1 / math.log2(2) + 7 / math.log2(3)) / (7 / math.log2(2) + 1 / math.log2(3))
    assert bench.ndcg(["a", "b"], rel) == pytest.approx(swapped)
    assert bench.ndcg(["x"], {}) == 0.0


def test_backtest_store_holds_only_the_past(store_path: Path) -> None:
    con = bench.backtest_store(store_path, 2022)
    assert con.execute("SELECT max(year) FROM papers").fetchone()[0] == 2022
    assert con.execute("SELECT count(*) FROM mentions WHERE year > 2022").fetchone()[0] == 0
    # careers tables are built from every year: left out so they cannot leak the future
    assert not idx.has_table(con, "spells")
    idx.build_index(con, max_year=2022)
    truth = bench.truth(con, "human feedback", 2021, ["corl"])
    # p2 (2022) and p7 (2023) carry the keyword; Gus, whose only paper is p7, is not in the
    # index (nothing up to 2022), so nobody could rank him and he is left out of the truth
    assert truth == {"P~Alice_Adams1": 1, "P~Bob_Brown1": 1, "P~Carol_Chen1": 1}
    by_count, by_cites = bench.baselines(con, "human feedback")
    assert set(by_count) == set(by_cites)
    ours = [p.person_id for p in rank.search(con, "human feedback").people]
    assert ours[0] == "P~Alice_Adams1"
