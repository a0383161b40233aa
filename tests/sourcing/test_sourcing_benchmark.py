"""The sourcing backtest's metrics, topics, truth and cut store, on the fixture world."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import duckdb
import pytest
from sourcing_world import write_corpus

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


def test_bootstrap_interval_holds_the_mean_and_narrows_with_agreement() -> None:
    mean, lo, hi = bench.bootstrap([0.1, 0.2, 0.3, 0.4])
    assert mean == pytest.approx(0.25) and lo < mean < hi
    assert bench.bootstrap([0.2] * 10)[1:] == (pytest.approx(0.2), pytest.approx(0.2))
    ratio = bench.bootstrap_ratio([0.2, 0.4], [0.1, 0.2])
    assert ratio[0] == pytest.approx(2.0) and ratio[1] == pytest.approx(2.0)


def test_hyphen_and_space_variants_are_one_topic(store_path: Path) -> None:
    assert bench.norm_keyword("Few-Shot  learning") == bench.norm_keyword("few shot_learning")
    full = duckdb.connect(str(store_path), read_only=True)
    try:
        # 'human feedback' is a keyword of p2 (2022) and p7 (2023)
        assert "human feedback" in bench.choose_topics(full, 2022, 2023, 10, min_papers=2)
        t = bench.truth(full, ["human feedback"], 2023, 2023)["human feedback"]
        assert t == {"P~Gus_Green1": 1, "P~Carol_Chen1": 1}
        # every paper of the world has keywords; 2023 holds p3, p6 and p7
        assert bench.keyword_coverage(full, 2023, 2023) == (3, 3, {"corl": 3})
    finally:
        full.close()


def test_a_cut_store_holds_only_the_past_and_maps_people(store_path: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "cut-2022.duckdb"
    bench.derive_cut(store_path, 2022, out)
    cut = bench.Cut(2022, store_path, str(out))
    try:
        assert cut.ref == 2022
        assert cut.con.execute("SELECT max(year) FROM papers").fetchone()[0] == 2022
        # Gus's only paper is of 2023: he is not in the cut store, so not in its truth
        t = bench.truth(duckdb.connect(str(store_path), read_only=True), ["human feedback"],
                        2023, 2023)["human feedback"]
        rel = bench.graded(t, cut.pmap)
        assert set(rel) == {cut.keys["P~Carol_Chen1"]}
        peer = bench.peer(cut.con, "human feedback", 2022)
        assert peer[0] == cut.keys["P~Alice_Adams1"]
        by_count, by_cites = bench.count_and_citations(cut.hits("human feedback"))
        assert set(by_count) == set(by_cites)
        # the ceiling: Carol (in the cut store, a 'human feedback' paper of 2021) is reachable;
        # Gus (new in 2023) is not; of the three keyword authors up to 2022 only Carol returns
        prior = bench.truth(cut.con, ["human feedback"], 0, 2022)["human feedback"]
        r = bench.reach(cut, "human feedback", t, prior)
        assert (r["future"], r["in_cut"], r["kw_before"], r["candidates"]) == (2, 1, 1, 1)
        assert r["ceiling_in_cut"] == pytest.approx(1 / 20)
        assert r["kw_authors_return"] == pytest.approx(1 / 3)
        # Alice publishes in 2023, Bob does not
        active, kw_active = bench.future_active(duckdb.connect(str(store_path), read_only=True),
                                                2023, 2023)
        top = [cut.keys["P~Alice_Adams1"], cut.keys["P~Bob_Brown1"]]
        assert bench.active_share(cut, top, active) == pytest.approx(1 / 20)
        assert bench.active_share(cut, top, kw_active) == pytest.approx(1 / 20)
        # the oracle ranks the keyword authors who publish in 2023 (Alice, Carol): Carol counts
        recent = bench.truth(cut.con, ["human feedback"], 2020, 2022)["human feedback"]
        assert bench.keyword_oracle(cut, t, prior, recent, kw_active) == pytest.approx(1 / 20)
        assert bench.keyword_oracle(cut, t, prior, recent, set()) == 0.0
    finally:
        cut.con.close()


def test_a_cut_is_built_from_the_files_of_its_years_only(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "README.md").write_text("not a corpus file")
    into = tmp_path / "cut"
    assert bench.link_cut_files(corpus, 2022, into) == 2
    assert sorted(p.name for p in (into / "corl").iterdir()) == ["corl2021.json.gz",
                                                                 "corl2022.json.gz"]
    assert (into / "corl" / "corl2022.json.gz").read_bytes() == (
        corpus / "corl" / "corl2022.json.gz").read_bytes()
