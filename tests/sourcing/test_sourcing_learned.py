"""The learned ranking: our tree walk equals lightgbm's, contributions explain every score, both
search paths agree, and without a model the hand-tuned ranking answers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from talentgraph.sourcing import learned
from talentgraph.sourcing.memindex import MemoryIndex
from talentgraph.sourcing.rank import Filters

RLHF = "reinforcement learning from human feedback"


def _trained(seed: int = 0) -> tuple[learned.Model, object, np.ndarray]:
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, len(learned.NAMES)))
    x[:, learned.NAMES.index("topic_3y")] = rng.integers(0, 5, 600)
    y = np.clip((x[:, 2] + x[:, 0] > 1).astype(int) + (x[:, 2] > 3), 0, 3)
    booster = lgb.train({"objective": "lambdarank", "num_leaves": 7, "min_data_in_leaf": 5,
                         "use_missing": False, "verbose": -1, "num_threads": 1},
                        lgb.Dataset(x, y, group=[30] * 20, feature_name=list(learned.NAMES)),
                        num_boost_round=30)
    raw = learned.model_from_lightgbm(booster.dump_model(), {})
    path = Path(__file__).parent / "__never_written__"
    assert not path.exists()
    trees = [{k: np.asarray(v, dtype=float if k in ("threshold", "value", "leaf_value", "leaf")
                            else np.int64) for k, v in t.items()} for t in raw["trees"]]
    return learned.Model(tuple(raw["features"]), trees, {}), booster, x


def test_the_tree_walk_gives_lightgbms_scores_and_contributions_add_up() -> None:
    m, ranker, x = _trained()
    ours, parts = m.predict(x, contrib=True)
    assert np.allclose(ours, ranker.predict(x), atol=1e-9)
    assert np.allclose(parts.sum(axis=1), ours, atol=1e-9)
    # the top-3 feature: it moved the scores most
    assert np.abs(parts[:, 2]).mean() > np.abs(parts[:, 5]).mean()


def _walk_tree_by_tree(m: learned.Model, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The walk `Model.predict` replaced (rows set aside as they reach a leaf): its sums are the
    reference, bit for bit."""
    n = len(x)
    score, parts = np.zeros(n), np.zeros((n, len(m.features) + 1))
    for t in m.trees:
        if "leaf" in t:
            score += t["leaf"][0]
            parts[:, -1] += t["leaf"][0]
            continue
        node, value = np.zeros(n, dtype=np.int64), np.full(n, t["value"][0])
        parts[:, -1] += t["value"][0]
        active = np.ones(n, dtype=bool)
        while active.any():
            idx = np.flatnonzero(active)
            nd = node[idx]
            f = t["feature"][nd]
            child = np.where(x[idx, f] <= t["threshold"][nd], t["left"][nd], t["right"][nd])
            leaf = child < 0
            child_value = np.where(leaf, t["leaf_value"][np.where(leaf, ~child, 0)],
                                   t["value"][np.where(leaf, 0, child)])
            np.add.at(parts, (idx, f), child_value - value[idx])
            value[idx] = child_value
            node[idx] = np.where(leaf, 0, child)
            active[idx[leaf]] = False
        score += value
    return score, parts


def test_the_level_walk_sums_as_the_tree_by_tree_walk_did() -> None:
    m, _, x = _trained(seed=3)
    # values on the thresholds themselves, and rows that stop at different depths
    thresholds = np.concatenate([t["threshold"] for t in m.trees if "threshold" in t])
    x[:50, 0] = thresholds[:50] if len(thresholds) >= 50 else x[:50, 0]
    ours, parts = m.predict(x, contrib=True)
    ref, ref_parts = _walk_tree_by_tree(m, x)
    assert np.array_equal(ours, ref) and np.array_equal(parts, ref_parts)
    assert np.array_equal(m.predict(x)[0], ref)


def test_learned_search_explains_each_score(con: duckdb.DuckDBPyConnection) -> None:
    m, _, _ = _trained()
    result = learned.search(con, RLHF, model=m)
    assert result.ranker == "learned" and result.people
    bias = {round(p.score - sum(c.points for c in p.components), 9) for p in result.people}
    assert len(bias) == 1  # the same base value for all: the rest is the contributions
    for p in result.people:
        assert all(c.evidence.startswith(("raises", "lowers")) for c in p.components)
        assert p.top_papers and p.career_stage
    scores = [p.score for p in result.people]
    assert scores == sorted(scores, reverse=True)


def test_both_search_paths_give_the_same_learned_ranking(con: duckdb.DuckDBPyConnection) -> None:
    m, _, _ = _trained()
    engine = MemoryIndex.load(con)
    for q, f in ((RLHF, None), ("graph neural networks", None), (RLHF, Filters(role="phd"))):
        a = learned.search(con, q, f, model=m).to_dict()
        b = learned.search(con, q, f, model=m, engine=engine).to_dict()
        assert [p["person_id"] for p in a["people"]] == [p["person_id"] for p in b["people"]]
        assert [p["score"] for p in a["people"]] == pytest.approx(
            [p["score"] for p in b["people"]])


def test_the_role_filter_applies_to_the_learned_ranking(con: duckdb.DuckDBPyConnection) -> None:
    m, _, _ = _trained()
    people = learned.search(con, RLHF, Filters(role="phd"), model=m).people
    assert {p.name for p in people} == {"Carol Chen", "Gus Green", "Finn Fox"}


def test_features_of_the_fixture(con: duckdb.DuckDBPyConnection) -> None:
    h = learned.hits_sql(con, "human feedback")
    c = learned.candidates(con, h, 2023)
    col = learned.NAMES.index
    by_key = {int(k): c.x[i] for i, k in enumerate(c.keys)}
    key = dict(con.execute("SELECT person_id, person_key FROM sourcing_people").fetchall())
    alice, bob = by_key[key["P~Alice_Adams1"]], by_key[key["P~Bob_Brown1"]]
    assert alice[col("topic_all")] > bob[col("topic_all")]
    assert alice[col("lead_share")] == pytest.approx(1.0)   # first author of all three
    assert bob[col("senior_share")] == pytest.approx(1.0)   # last author of both
    assert bob[col("topic_last_year")] == 0.0               # Bob's papers are 2021-2022
    assert alice[col("career_stage")] == learned.STAGE_CODE["researcher"]


def test_without_a_model_the_hand_tuned_ranking_answers(con: duckdb.DuckDBPyConnection,
                                                        tmp_path: Path) -> None:
    assert learned.load_model(tmp_path / "absent.json") is None
    result = learned.search(con, RLHF, model=None, model_path=tmp_path / "absent.json")
    assert result.ranker == "hand" and result.people


def test_an_unreadable_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ranker.json"
    bad.write_text("{not json")
    from talentgraph.errors import StoreError
    with pytest.raises(StoreError, match="unreadable"):
        learned.load_model(bad)


def test_contributions_are_said_in_words_largest_first() -> None:
    x = np.zeros(len(learned.NAMES))
    x[learned.NAMES.index("career_stage")] = learned.STAGE_CODE["phd"]
    x[learned.NAMES.index("topic_share")] = 0.25
    x[learned.NAMES.index("recent_output")] = 7
    parts = np.zeros(len(learned.NAMES) + 1)
    parts[learned.NAMES.index("career_stage")] = -0.2
    parts[learned.NAMES.index("topic_share")] = 0.5
    parts[learned.NAMES.index("recent_output")] = 0.1
    words = learned.explain(x, parts)
    assert [w["feature"] for w in words] == ["topic_share", "career_stage", "recent_output"]
    assert words[0]["evidence"] == "raises the score: share of their output on the topic = 25%"
    assert words[1]["evidence"] == "lowers the score: career stage = phd"
    assert words[2]["evidence"].endswith("papers in the last 5 years = 7")
