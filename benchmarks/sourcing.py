"""Sourcing backtest (who goes on to publish on a topic), the learned ranking's training, and
search latency.

Backtest (issue #18). For each cut year Y, a store built by `talentgraph build` from the
paperlists files of years <= Y only (`--cut-store`, default `/work/store/sourcing-cut-Y.duckdb`;
`--build-cuts` builds the missing ones, one after the other, from a folder of links to those files,
without the positions file, whose dated positions reach past Y; ~3.5-7 min and ~4.4 GB each, under
`flock /work/store/heavy.lock` unless told otherwise). Topics: the
keywords of the papers of years Y+1..Y+2 in the whole store (lower case, hyphens/underscores/
slashes as spaces, so "few-shot learning" and "few shot learning" are one topic), the most
frequent first, generic ones left out. Truth: the people who publish a paper with that keyword in
Y+1..Y+2 (graded by how many: 1, 2, 3+), mapped to the cut store's people through their mentions
(the same paper and author position; a person of the whole store may be several in the cut store
or the other way round). Only people in the cut store count: nobody can rank the others.

Methods, each the top 20 of the cut store:
  peer          Balog et al. 2006 Model 2: the sum of the BM25 scores (DuckDB FTS over title,
                abstract, tldr and keywords) of a person's papers for the query, papers of the
                last 3 years (Y-2..Y) weighted x3
  paper_count   number of the query's 1,000 best-matching papers they wrote
  citations     citations of those papers
  talentgraph   the hand-tuned ranking (`rank.search`, model.py)
  learned       the LightGBM lambdarank model (learned.py) trained on the EARLIER cuts only: for
                a cut X < Y, its topics and truth from years X+1..min(X+2, Y), so no training
                label comes from a year the test scores (Y+1, Y+2)
  learned+exp   the same model on the query expanded by terms learned from the corpus
                (pseudo-relevance feedback, memindex.expansion_terms), weight EXPAND
Metrics: precision@20 and NDCG@20 (gain 2^grade - 1), mean over topics, with 95% bootstrap
intervals over topics (2,000 resamples); learned/peer is a paired bootstrap of the ratio of means.

`--train-out PATH` trains the shipped model on every cut (truth up to the last year the whole
store has) and writes it (src/talentgraph/sourcing/models/ranker.json).

Latency: `search` over the whole store, 50 queries after a warm-up; p50 and p95.

    python benchmarks/sourcing.py --full /work/store/talentgraph.duckdb \
        --cuts 2020 2021 2022 2023 --test 2021 2022 2023 --topics 60
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from talentgraph.sourcing import fts, learned, model, rank
from talentgraph.sourcing.memindex import MemoryIndex

K = 20
HORIZON = 2
EXPAND = 0.5  # weight of the learned expansion terms (learned+exp)
EXPAND_TRAIN = False  # learned+exp: retrain on expanded queries (doubles the training time)
ROUNDS = 300
GENERIC = {"deep learning", "machine learning", "neural networks", "neural network", "benchmark",
           "dataset", "datasets", "theory", "classification", "optimization", "generalization",
           "robustness", "artificial intelligence", "learning", "evaluation", "benchmarks",
           "deep neural networks", "representation learning", "interpretability", "efficiency",
           "transformer", "transformers", "neural", "ai", "ml", "dnn", "analysis"}
EXTRA_QUERIES = [
    "reinforcement learning from human feedback", "protein structure prediction",
    "neural radiance fields", "federated learning privacy", "large language model alignment",
    "speech recognition", "autonomous driving motion planning", "graph transformers",
    "retrieval augmented generation", "mixture of experts", "bayesian optimization",
    "causal discovery", "object detection transformers", "legged robot locomotion",
    "machine translation low resource", "knowledge graph embedding", "time series forecasting",
    "point cloud segmentation", "differential privacy stochastic gradient descent",
    "in-context learning",
]
CUT_STORE = "/work/store/sourcing-cut-{year}.duckdb"
KW_SQL = "trim(regexp_replace(regexp_replace(lower(k), '[-_/]', ' ', 'g'), '\\s+', ' ', 'g'))"


def norm_keyword(k: str) -> str:
    """A keyword as one topic: lower case, hyphens/underscores/slashes as spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[-_/]", " ", k.lower())).strip()


# ---------------------------------------------------------------------------------------------
# metrics

def precision(ranked: list[Any], rel: dict[Any, int]) -> float:
    return sum(1 for p in ranked[:K] if p in rel) / K


def ndcg(ranked: list[Any], rel: dict[Any, int]) -> float:
    def gain(n: int) -> float:
        return 2 ** min(n, 3) - 1

    dcg = sum(gain(rel.get(p, 0)) / math.log2(i + 2) for i, p in enumerate(ranked[:K]))
    ideal = sorted((gain(n) for n in rel.values()), reverse=True)[:K]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def bootstrap(xs: list[float], n: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean and 95% percentile interval of the mean over topics."""
    a = np.asarray(xs, dtype=float)
    rng = np.random.default_rng(seed)
    means = a[rng.integers(0, len(a), (n, len(a)))].mean(axis=1)
    return float(a.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def bootstrap_ratio(xs: list[float], ys: list[float], n: int = 2000,
                    seed: int = 0) -> tuple[float, float, float]:
    """mean(xs)/mean(ys) with a paired 95% interval (topics resampled together)."""
    a, b = np.asarray(xs, float), np.asarray(ys, float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), (n, len(a)))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = a[idx].mean(axis=1) / b[idx].mean(axis=1)
    r = r[np.isfinite(r)]
    point = a.mean() / b.mean() if b.mean() else float("nan")
    return float(point), float(np.percentile(r, 2.5)), float(np.percentile(r, 97.5))


# ---------------------------------------------------------------------------------------------
# topics and truth, from the whole store

def choose_topics(full: duckdb.DuckDBPyConnection, first: int, last: int, n: int,
                  min_papers: int = 15) -> list[str]:
    """The most frequent keywords of years first..last (as topics), generic ones left out."""
    rows = full.execute(f"""
        SELECT kw, count(DISTINCT paper_id) AS n FROM (
            SELECT paper_id, {KW_SQL} AS kw FROM (
                SELECT paper_id, unnest(keywords) AS k FROM papers
                WHERE year BETWEEN {first} AND {last}))
        WHERE length(kw) > 3 GROUP BY kw HAVING n >= {min_papers}
        ORDER BY n DESC, kw""").fetchall()
    return [r[0] for r in rows if r[0] not in GENERIC][:n]


def truth(full: duckdb.DuckDBPyConnection, topics: list[str], first: int,
          last: int) -> dict[str, dict[str, int]]:
    """Per topic: whole-store person id -> papers of first..last with the topic as a keyword."""
    rows = full.execute(f"""
        WITH kw AS (
            SELECT DISTINCT paper_id, {KW_SQL} AS kw FROM (
                SELECT paper_id, unnest(keywords) AS k FROM papers
                WHERE year BETWEEN {first} AND {last}))
        SELECT kw, mp.person_id, count(DISTINCT kw.paper_id)
        FROM kw JOIN mention_person mp USING (paper_id)
        WHERE list_contains($topics, kw) GROUP BY 1, 2""", {"topics": topics}).fetchall()
    out: dict[str, dict[str, int]] = {t: {} for t in topics}
    for t, pid, n in rows:
        out[t][pid] = n
    return out


def person_map(cut: duckdb.DuckDBPyConnection, full_path: Path) -> dict[str, list[int]]:
    """Whole-store person id -> the cut store's person keys holding their mentions."""
    cut.execute(f"ATTACH IF NOT EXISTS '{full_path}' AS whole (READ_ONLY)")
    rows = cut.execute("""
        SELECT DISTINCT f.person_id, p.person_key
        FROM mention_person c JOIN whole.mention_person f USING (paper_id, position)
        JOIN sourcing_people p ON p.person_id = c.person_id""").fetchall()
    out: dict[str, list[int]] = {}
    for pid, key in rows:
        out.setdefault(pid, []).append(int(key))
    return out


def graded(t: dict[str, int], pmap: dict[str, list[int]]) -> dict[int, int]:
    rel: dict[int, int] = {}
    for pid, n in t.items():
        for key in pmap.get(pid, ()):
            rel[key] = max(rel.get(key, 0), min(n, 3))
    return rel


# ---------------------------------------------------------------------------------------------
# the methods

def peer(cut: duckdb.DuckDBPyConnection, topic: str, year: int) -> list[int]:
    """Balog et al. 2006 Model 2 over DuckDB FTS, papers of the last 3 years weighted x3."""
    fts.load(cut)  # match_bm25 is the extension's macro
    rows = cut.execute("""
        SELECT a.person_key, sum(h.score * CASE WHEN f.year > $y - 3 THEN 3 ELSE 1 END) AS s
        FROM (SELECT docid, fts_main_sourcing_docs.match_bm25(name, $q) AS score
              FROM fts_main_sourcing_docs.docs) h
        JOIN sourcing_doc_features f USING (docid)
        JOIN sourcing_author_keys a ON a.doc_key = f.doc_key
        WHERE h.score IS NOT NULL GROUP BY 1 ORDER BY s DESC, 1 LIMIT $k""",
                       {"q": topic, "y": year, "k": K}).fetchall()
    return [int(r[0]) for r in rows]


def count_and_citations(h: learned.Hits) -> tuple[list[int], list[int]]:
    """Top K by number of the 1,000 best-matching papers, and by their citations."""
    docs, first = np.unique(h.doc, return_index=True)
    best = docs[np.argsort(-h.bm25[first], kind="stable")[:model.TOP_K_PAPERS]]
    rows = np.isin(h.doc, best)
    keys, inv = np.unique(h.person[rows], return_inverse=True)
    n = np.bincount(inv, None, len(keys))
    cit = np.bincount(inv, h.citations[rows] if hasattr(h, "citations") else None, len(keys))
    by_count = keys[np.lexsort((keys, -n))][:K]
    by_cites = keys[np.lexsort((keys, -n, -cit))][:K]
    return [int(k) for k in by_count], [int(k) for k in by_cites]


# ---------------------------------------------------------------------------------------------
# what any ranking of the cut store could reach

def future_active(full: duckdb.DuckDBPyConnection, first: int,
                  last: int) -> tuple[set[str], set[str]]:
    """Whole-store people with any paper of first..last, and with one that has keywords (only
    those can be in a topic's truth, which is read from keywords)."""
    rows = full.execute(f"""
        SELECT mp.person_id, bool_or(len(p.keywords) > 0)
        FROM papers p JOIN mention_person mp USING (paper_id)
        WHERE p.year BETWEEN {first} AND {last} GROUP BY 1""").fetchall()
    return {r[0] for r in rows}, {r[0] for r in rows if r[1]}


def keyword_coverage(full: duckdb.DuckDBPyConnection, first: int,
                     last: int) -> tuple[int, int, dict[str, int]]:
    """Papers of first..last with keywords, all papers, and the venues of the former: the truth
    sees only the people who publish at those venues."""
    rows = full.execute(f"""
        SELECT venue, count(*) FILTER (WHERE len(keywords) > 0), count(*) FROM papers
        WHERE year BETWEEN {first} AND {last} GROUP BY 1 ORDER BY 2 DESC, 1""").fetchall()
    return (sum(r[1] for r in rows), sum(r[2] for r in rows),
            {r[0]: int(r[1]) for r in rows if r[1]})


def reach(cut: Cut, topic: str, tr: dict[str, int], prior: dict[str, int]) -> dict[str, float]:
    """One topic's ceiling. Its future authors (whole store), those in the cut store (as its
    people), those of them with a paper up to the cut carrying the topic as a keyword (`prior`:
    cut-store person id -> such papers), and those among the learned ranking's candidates (the
    peer's best learned.CANDIDATES); with the best P@20 a ranking of each set could reach,
    min(20, n) / 20, and the share of the keyword authors up to the cut who are in the truth."""
    rel = graded(tr, cut.pmap)
    before = {cut.keys[pid] for pid in prior if pid in cut.keys}
    n = {"in_cut": len(rel), "kw_before": len(rel.keys() & before),
         "candidates": len(rel.keys() & {int(k) for k in cut.candidates(topic).keys})}
    out = {"future": float(len(tr)), **{k: float(v) for k, v in n.items()}}
    out.update({f"ceiling_{k}": min(K, v) / K for k, v in n.items()})
    out["kw_authors_return"] = n["kw_before"] / len(before) if before else 0.0
    return out


def keyword_oracle(cut: Cut, tr: dict[str, int], prior: dict[str, int], recent: dict[str, int],
                   kw_active: set[str]) -> float:
    """P@20 of a reference that sees the future: the topic's keyword authors up to the cut who
    will publish a paper with keywords after it, most keyword papers of the last 3 years first
    (then of all time). It knows who stays active and labels papers as the truth does; what it
    misses is who changes topic or keyword."""
    rel = graded(tr, cut.pmap)
    score: dict[int, tuple[int, int]] = {}
    for pid, n in prior.items():
        k = cut.keys.get(pid)
        if k is not None and cut.inverse.get(k, set()) & kw_active:
            old = score.get(k, (0, 0))
            score[k] = (old[0] + recent.get(pid, 0), old[1] + n)
    ranked = sorted(score, key=lambda k: (-score[k][0], -score[k][1], k))
    return precision(ranked, rel)


def active_share(cut: Cut, ranked: list[int], active: set[str]) -> float:
    """Share of a top 20 (cut-store people) who are, as whole-store people, in `active`."""
    return sum(1 for k in ranked[:K] if cut.inverse.get(k, set()) & active) / K


def derive_cut(full_path: Path, year: int, out: Path) -> None:
    """A cut store derived from the whole store: its papers up to `year` and their mentions,
    with the whole store's resolved identities and organisations (no careers tables: they are
    built from every year). The fallback when no store was built from the files <= year."""
    from talentgraph.sourcing import index as idx

    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute(f"ATTACH '{full_path}' AS src (READ_ONLY)")
    con.execute(f"CREATE TABLE papers AS SELECT * FROM src.papers WHERE year <= {year}")
    for t in ("mentions", "mention_person", "mention_orgs"):
        con.execute(f"CREATE TABLE {t} AS SELECT x.* FROM src.{t} x "
                    "SEMI JOIN papers p ON p.paper_id = x.paper_id")
    for t in ("persons", "orgs", "org_aliases", "sources"):
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM src.{t}")
    con.execute("DETACH src")
    idx.build_index(con, max_year=year)
    con.close()
    tmp.rename(out)


def link_cut_files(corpus: Path, year: int, into: Path) -> int:
    """Links in `into` (as <venue>/<file>) to the corpus files of years <= `year`, by the
    connector's own file-name rule; how many."""
    from talentgraph.sources import paperlists

    n = 0
    for f in paperlists.discover([corpus]):
        _, y = paperlists.venue_year(f)
        if y is not None and y <= year:
            link = into / f.parent.name / f.name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(f.resolve())
            n += 1
    return n


def build_cut(year: int, out: Path, corpus: Path) -> None:
    """`talentgraph build` of the paperlists files of years <= `year` into `out`: a folder of
    links to them (the connector's own file-name rule gives the year), no positions file (its
    dated positions reach past the cut). Into a temporary name, so a failed build leaves no
    store that looks done."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".building.duckdb")
    tmp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f"cut-{year}-files-") as d:
        n = link_cut_files(corpus, year, Path(d))
        t = time.perf_counter()
        print(f"building {out} from {n} files of years <= {year}", flush=True)
        subprocess.run([sys.executable, "-m", "talentgraph.cli", "build", "--paperlists", d,
                        "--positions", "none", "--db", str(tmp)], check=True)
    tmp.rename(out)
    print(f"built {out} in {time.perf_counter() - t:.0f} s", flush=True)


class Cut:
    """One cut store, opened read-only, with its in-memory index and person map."""

    def __init__(self, year: int, full_path: Path, pattern: str, derive: bool = False) -> None:
        self.year = year
        path = Path(pattern.format(year=year))
        if not path.is_file() and derive:
            derived = path.with_name(path.stem + "-derived.duckdb")
            if not derived.is_file():
                t = time.perf_counter()
                derive_cut(full_path, year, derived)
                print(f"derived {derived} in {time.perf_counter() - t:.0f} s", flush=True)
            path = derived
        if not path.is_file():
            sys.exit(f"no cut store {path}: build it from the files of years <= {year} "
                     "(see the docstring), or pass --derive")
        self.con = duckdb.connect(str(path), read_only=True)
        self.ref = int(rank.open_index(self.con).get("ref_year") or 0)
        t = time.perf_counter()
        self.mem = MemoryIndex.load(self.con)
        self.keys = dict(self.con.execute(
            "SELECT person_id, person_key FROM sourcing_people").fetchall())
        self.pmap = person_map(self.con, full_path)
        self.inverse: dict[int, set[str]] = {}  # cut-store person key -> whole-store people
        for pid, keys in self.pmap.items():
            for k in keys:
                self.inverse.setdefault(k, set()).add(pid)
        self._cands: dict[tuple[str, float], learned.Candidates] = {}
        cit = self.con.execute("SELECT coalesce(citations, 0) FROM sourcing_doc_features "
                               "ORDER BY docid").fetchnumpy()
        self.doc_citations = np.asarray(list(cit.values())[0], dtype=np.int64)
        print(f"cut {year}: {path} (papers up to {self.ref}), {len(self.keys):,} people; "
              f"loaded in {time.perf_counter() - t:.1f} s", flush=True)

    def candidates(self, topic: str, expand: float = 0.0) -> learned.Candidates:
        """The learned ranking's candidates and features (cached: training sets reuse them)."""
        key = (topic, expand)
        if key not in self._cands:
            self._cands[key] = learned.candidates(self.con, self.hits(topic, expand), self.ref)
        return self._cands[key]

    def hits(self, topic: str, expand: float = 0.0) -> learned.Hits:
        h = self.mem.hits(self.con, topic, expand=expand)
        h.citations = self.doc_citations[h.doc]  # type: ignore[attr-defined]
        return h


def training_set(cuts: dict[int, Cut], full: duckdb.DuckDBPyConnection, before: int,
                 n_topics: int, expand: float = 0.0) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Features, labels and query groups from the cuts X < before, truth from X+1..before."""
    xs, ys, groups = [], [], []
    for year, cut in sorted(cuts.items()):
        if year >= before:
            continue
        last = min(year + HORIZON, before)
        topics = choose_topics(full, year + 1, last, n_topics)
        tr = truth(full, topics, year + 1, last)
        for topic in topics:
            rel = graded(tr[topic], cut.pmap)
            c = cut.candidates(topic, expand)
            if not len(c.keys) or not any(int(k) in rel for k in c.keys):
                continue
            xs.append(c.x)
            ys.append(np.array([rel.get(int(k), 0) for k in c.keys]))
            groups.append(len(c.keys))
    if not xs:
        return np.zeros((0, len(learned.NAMES))), np.zeros(0), []
    return np.vstack(xs), np.concatenate(ys), groups


def train(x: np.ndarray, y: np.ndarray, groups: list[int], seed: int = 0) -> learned.Model:
    import lightgbm as lgb

    params = {"objective": "lambdarank", "learning_rate": 0.05, "num_leaves": 15,
              "min_data_in_leaf": 30, "bagging_fraction": 0.8, "bagging_freq": 1,
              "feature_fraction": 0.8, "lambdarank_truncation_level": K, "use_missing": False,
              "zero_as_missing": False, "deterministic": True, "force_row_wise": True,
              "seed": seed, "verbose": -1, "num_threads": 1}
    booster = lgb.train(params, lgb.Dataset(x, y, group=groups,
                                            feature_name=list(learned.NAMES)),
                        num_boost_round=ROUNDS)
    dump = booster.dump_model()
    raw = learned.model_from_lightgbm(dump, {"queries": len(groups), "rows": int(len(y)),
                                             "lightgbm": lgb.__version__})
    m = _as_model(raw)
    # the numpy walk of the trees must give lightgbm's own scores
    ours, parts = m.predict(x[:2000], contrib=True)
    theirs = booster.predict(x[:2000])
    if not np.allclose(ours, theirs, atol=1e-9):
        raise SystemExit("the numpy tree walk disagrees with lightgbm's predictions")
    if not np.allclose(parts.sum(axis=1), ours, atol=1e-9):
        raise SystemExit("the contributions do not add up to the scores")
    m.info["raw"] = raw
    return m


def _as_model(raw: dict[str, Any]) -> learned.Model:
    trees = [{k: np.asarray(v, dtype=np.float64 if k in ("threshold", "value", "leaf_value",
                                                           "leaf") else np.int64)
              for k, v in t.items()} for t in raw["trees"]]
    return learned.Model(tuple(raw["features"]), trees, dict(raw["info"]))


def ranked_learned(cut: Cut, m: learned.Model, topic: str, expand: float = 0.0) -> list[int]:
    c = cut.candidates(topic, expand)
    if not len(c.keys):
        return []
    score, _ = m.predict(c.x)
    return [int(k) for k in c.keys[np.lexsort((c.keys, -score))][:K]]


def run_backtest(full_path: Path, cut_years: list[int], test_years: list[int], n_topics: int,
                 train_topics: int, pattern: str, verbose: bool,
                 train_out: Path | None, derive: bool = False) -> dict[str, Any]:
    full = duckdb.connect(str(full_path), read_only=True)
    last_year = full.execute("SELECT max(year) FROM papers WHERE len(keywords) > 0").fetchone()[0]
    cuts = {y: Cut(y, full_path, pattern, derive)
            for y in sorted(set(cut_years) | set(test_years))}
    methods = ("peer", "paper_count", "citations", "talentgraph", "learned", "learned+exp")
    report: dict[str, Any] = {}
    for year in test_years:
        cut = cuts[year]
        x, y, groups = training_set(cuts, full, year, train_topics)
        m = train(x, y, groups) if groups else None
        me = m  # the same model, on the expanded query (EXPAND_TRAIN: trained on it too)
        if EXPAND_TRAIN:
            xe, ye, ge = training_set(cuts, full, year, train_topics, EXPAND)
            me = train(xe, ye, ge) if ge else None
        topics = choose_topics(full, year + 1, year + HORIZON, n_topics)
        tr = truth(full, topics, year + 1, year + HORIZON)
        scores: dict[str, dict[str, list[float]]] = {k: {"p": [], "n": []} for k in methods}
        used, reaches = [], []
        prior = truth(cut.con, topics, 0, cut.ref)
        recent = truth(cut.con, topics, cut.ref - 2, cut.ref)
        active, kw_active = future_active(full, year + 1, year + HORIZON)
        for topic in topics:
            rel = graded(tr[topic], cut.pmap)
            if not rel:
                continue
            used.append(topic)
            h = cut.hits(topic)
            by_count, by_cites = count_and_citations(h)
            hand = [cut.keys[p.person_id] for p in
                    rank.search(cut.con, topic, limit=K, engine=cut.mem).people]
            out = {"peer": peer(cut.con, topic, cut.ref), "paper_count": by_count,
                   "citations": by_cites, "talentgraph": hand,
                   "learned": ranked_learned(cut, m, topic) if m else [],
                   "learned+exp": ranked_learned(cut, me, topic, EXPAND) if me else []}
            for name, ranked in out.items():
                scores[name]["p"].append(precision(ranked, rel))
                scores[name]["n"].append(ndcg(ranked, rel))
            r = reach(cut, topic, tr[topic], prior[topic])
            r["keyword_oracle"] = keyword_oracle(cut, tr[topic], prior[topic], recent[topic],
                                                 kw_active)
            for name in ("peer", "learned"):
                r[f"{name}_active"] = active_share(cut, out[name], active)
                r[f"{name}_kw_active"] = active_share(cut, out[name], kw_active)
            reaches.append(r)
            if verbose:
                print(f"  {topic[:34]:<34} truth {len(rel):>5} " + " ".join(
                    f"{k[:5]} {scores[k]['p'][-1]:.2f}" for k in methods), flush=True)
        print(f"\nCut {year} (store of records <= {year}; truth: keywords of {year + 1}-"
              f"{year + HORIZON}): {len(used)} topics; learned model trained on "
              f"{len(groups)} queries of cuts {[c for c in cuts if c < year]}")
        print(f"{'method':<12} {'P@20 [95% CI]':>24} {'NDCG@20 [95% CI]':>24}")
        rep = {"topics": len(used), "train_queries": len(groups)}
        for k in methods:
            p, n = bootstrap(scores[k]["p"]), bootstrap(scores[k]["n"])
            rep[k] = {"p": p, "ndcg": n}
            print(f"{k:<12} {p[0]:>7.3f} [{p[1]:.3f}, {p[2]:.3f}]  "
                  f"{n[0]:>7.3f} [{n[1]:.3f}, {n[2]:.3f}]")
        ratio = bootstrap_ratio(scores["learned"]["p"], scores["peer"]["p"])
        ratio_tg = bootstrap_ratio(scores["talentgraph"]["p"], scores["peer"]["p"])
        rep["learned_over_peer"] = ratio
        rep["talentgraph_over_peer"] = ratio_tg
        print(f"learned / peer P@20: {ratio[0]:.2f} [{ratio[1]:.2f}, {ratio[2]:.2f}]; "
              f"talentgraph / peer: {ratio_tg[0]:.2f} [{ratio_tg[1]:.2f}, {ratio_tg[2]:.2f}]",
              flush=True)
        mean = {k: float(np.mean([r[k] for r in reaches])) for k in reaches[0]} if reaches else {}
        rep["reach"] = mean
        with_kw, papers, venues = keyword_coverage(full, year + 1, year + HORIZON)
        rep["keyword_coverage"] = {"papers": papers, "with_keywords": with_kw, "venues": venues}
        print(f"truth read from {with_kw:,} of the {papers:,} papers of {year + 1}-"
              f"{year + HORIZON} (those with keywords): "
              + ", ".join(f"{v} {n:,}" for v, n in venues.items()), flush=True)
        if mean:
            print(f"reach (means over topics): {mean['future']:.0f} future authors, "
                  f"{mean['in_cut']:.0f} in the cut store, {mean['kw_before']:.0f} of them with "
                  f"the keyword <= {year}, {mean['candidates']:.0f} among the "
                  f"{learned.CANDIDATES} candidates; P@20 ceiling: any ranking "
                  f"{mean['ceiling_in_cut']:.3f}, of keyword authors "
                  f"{mean['ceiling_kw_before']:.3f}, of the candidates "
                  f"{mean['ceiling_candidates']:.3f}; keyword authors <= {year} in the truth "
                  f"{mean['kw_authors_return']:.3f}; top 20 publishing in {year + 1}-"
                  f"{year + HORIZON} (any paper / one with keywords): peer "
                  f"{mean['peer_active']:.2f}/{mean['peer_kw_active']:.2f}, learned "
                  f"{mean['learned_active']:.2f}/{mean['learned_kw_active']:.2f}; P@20 of the "
                  f"keyword oracle (sees who publishes after {year}) "
                  f"{mean['keyword_oracle']:.3f}", flush=True)
        report[str(year)] = rep
    if train_out is not None:
        x, y, groups = training_set(cuts, full, last_year, train_topics)
        m = train(x, y, groups)
        train_out.parent.mkdir(parents=True, exist_ok=True)
        raw = m.info.pop("raw")
        raw["info"]["cuts"] = sorted(cuts)
        raw["info"]["truth_up_to"] = last_year
        train_out.write_text(json.dumps(raw, separators=(",", ":")))
        print(f"\nshipped model: {train_out} ({train_out.stat().st_size / 1e3:.0f} kB), "
              f"{len(groups)} queries of cuts {sorted(cuts)}, truth up to {last_year}")
    for c in cuts.values():
        c.con.close()
    full.close()
    return report


# ---------------------------------------------------------------------------------------------
# latency

def run_latency(src: Path, n: int) -> dict[str, float]:
    con = rank.for_searching(duckdb.connect(str(src), read_only=True))  # as the CLI opens it
    topics = [r[0] for r in con.execute("""
        SELECT lower(k) FROM (SELECT unnest(keywords) AS k FROM papers)
        GROUP BY 1 HAVING count(*) >= 60 ORDER BY count(*) DESC, 1 LIMIT 60""").fetchall()]
    queries = (EXTRA_QUERIES + [t for t in topics if t not in GENERIC])[:n]
    out = {}
    t = time.perf_counter()
    engine = MemoryIndex.load(con)
    load_s = time.perf_counter() - t
    for label, kw in (("SQL path, hand-tuned", {}),
                      ("SQL path, learned", {"learned": True}),
                      ("in-memory, hand-tuned", {"engine": engine}),
                      ("in-memory, learned", {"engine": engine, "learned": True})):
        use_learned = kw.pop("learned", False)

        def one(q: str, kw: dict[str, Any] = kw, use_learned: bool = use_learned) -> None:
            if use_learned:
                learned.search(con, q, limit=20, **kw)
            else:
                rank.search(con, q, limit=20, **kw)

        one("warm up the index")
        load_before = os.getloadavg()[0]
        times, cpu = [], []
        for q in queries:
            c, t = _cpu(), time.perf_counter()
            one(q)
            times.append(time.perf_counter() - t)
            cpu.append(_cpu() - c)
        times.sort()
        cpu.sort()
        out[label] = {"p50_ms": 1000 * _pct(times, 0.5), "p95_ms": 1000 * _pct(times, 0.95),
                      "cpu_p50_ms": 1000 * _pct(cpu, 0.5)}
        print(f"{label:<24} wall p50 {out[label]['p50_ms']:.0f} ms, p95 "
              f"{out[label]['p95_ms']:.0f} ms; CPU p50 {out[label]['cpu_p50_ms']:.0f} ms; "
              f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores", flush=True)
    print(f"(in-memory index loaded in {load_s:.1f} s)")
    con.close()
    return out


def _pct(xs: list[float], q: float) -> float:
    return xs[min(len(xs) - 1, math.ceil(q * len(xs)) - 1)]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", type=Path, required=True, help="The whole built store (read only).")
    ap.add_argument("--cuts", type=int, nargs="+", default=[2020, 2021, 2022, 2023])
    ap.add_argument("--test", type=int, nargs="+", default=[2021, 2022, 2023])
    ap.add_argument("--cut-store", default=CUT_STORE, help="Path pattern of the cut stores.")
    ap.add_argument("--topics", type=int, default=60)
    ap.add_argument("--train-topics", type=int, default=150)
    ap.add_argument("--train-out", type=Path, help="Train on every cut and write the model.")
    ap.add_argument("--derive", action="store_true",
                    help="Derive missing cut stores from the whole store (its identities).")
    ap.add_argument("--build-cuts", action="store_true",
                    help="Build the missing cut stores with `talentgraph build`, then stop.")
    ap.add_argument("--paperlists", type=Path, default=Path("/work/shared/data/paperlists"),
                    help="The corpus the cut stores are built from (--build-cuts).")
    ap.add_argument("--derive-only", action="store_true",
                    help="Only derive the missing cut stores, then stop.")
    ap.add_argument("--latency-db", type=Path,
                    help="The store to time searches on (default: --full).")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--quiet", action="store_true", help="No per-topic lines.")
    ap.add_argument("--skip-backtest", action="store_true")
    ap.add_argument("--skip-latency", action="store_true")
    args = ap.parse_args()
    if args.build_cuts:
        for y in sorted(set(args.cuts) | set(args.test)):
            path = Path(args.cut_store.format(year=y))
            if not path.is_file():
                build_cut(y, path, args.paperlists)
        return
    if args.derive_only:
        for y in sorted(set(args.cuts) | set(args.test)):
            Cut(y, args.full, args.cut_store, derive=True).con.close()
        return
    if not args.skip_backtest:
        report = run_backtest(args.full, args.cuts, args.test, args.topics, args.train_topics,
                              args.cut_store, not args.quiet, args.train_out, args.derive)
        print(json.dumps(report))
    if not args.skip_latency:
        run_latency(args.latency_db or args.full, args.queries)


if __name__ == "__main__":
    main()
