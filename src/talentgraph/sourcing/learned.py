"""The learned ranking: who will be doing work on a topic next year, by a LightGBM lambdarank model
trained on past years of this corpus (benchmarks/sourcing.py trains it on stores cut at earlier
years and tests it on later ones; the model ships in `models/ranker.json`).

For a query:
  1. every paper matching it by BM25 (DuckDB FTS, or the in-memory index's identical scores) and
     its authors: `Hits`;
  2. candidates: the people with the highest Balog et al. (2006) "Model 2" score, the sum of their
     papers' BM25 scores with papers of the last three years weighted 3 (CANDIDATES of them);
  3. per candidate, the FEATURES below; the model scores them, and each score is split into
     per-feature contributions that say, in words, what raised or lowered it.

No protected attribute is a feature (tests/sourcing/test_sourcing_protected.py).

Why the trees are evaluated here rather than by lightgbm: importing lightgbm (with scipy) costs
~0.8 s, more than the CLI's whole budget for a search; the model is a few hundred small trees, and
a numpy walk of them gives lightgbm's predictions exactly (a test compares both). The
contributions are path attributions (Saabas): along each tree's decision path, the change of the
node's expected value is credited to the feature split on; with the tree's root value they add up
to the score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from talentgraph.errors import StoreError
from talentgraph.sourcing import fts
from talentgraph.sourcing import index as idx

if TYPE_CHECKING:
    import numpy as np
# numpy is imported by each function that uses it, not here: without a model, `search` hands
# the query to the hand-tuned ranking, which needs no numpy, and `talentgraph source` then
# starts ~70 ms (of CPU) sooner (issue #18)

MODEL_PATH = Path(__file__).parent / "models" / "ranker.json"
CANDIDATES = 300       # people re-ranked per query (the Model-2 peer's best)
RECENT_WEIGHT = 3.0    # Model 2's weight of papers from the last RECENT_YEARS years
RECENT_YEARS = 3
ON_TOPIC = 0.3         # a paper is on the topic when its BM25 is >= 30% of the query's best
STAGE_CODE = {"student": 0.0, "phd": 1.0, "researcher": 2.0, "senior": 3.0, "professor": 4.0,
              "unknown": -1.0}

# (feature, what it means for a sourcer)
FEATURES: tuple[tuple[str, str], ...] = (
    ("topic_all", "relevance-weighted papers on the topic, all years"),
    ("topic_last_year", "topic papers in the latest year"),
    ("topic_3y", "topic papers in the last 3 years"),
    ("topic_trend", "trend: topic papers in the last 2 years minus the 2 before"),
    ("topic_share", "share of their output on the topic"),
    ("lead_share", "share of their topic work as first author"),
    ("senior_share", "share of their topic work as last (senior) author"),
    ("topic_orals", "orals and spotlights on the topic"),
    ("orals_all", "orals and spotlights overall"),
    ("coauthors_on_topic", "coauthors of their recent topic papers"),
    ("career_stage", "career stage"),
    ("years_since_last", "years since their last paper"),
    ("identity_confidence", "confidence that the records are one person"),
    ("recent_output", "papers in the last 5 years"),
    ("best_match", "relevance of their best-matching paper"),
)
NAMES = tuple(f for f, _ in FEATURES)
WORDS = dict(FEATURES)


@dataclass
class Hits:
    """The author rows of every paper matching a query (one row per paper x author)."""
    doc: np.ndarray        # FTS document id
    bm25: np.ndarray
    year: np.ndarray
    highlight: np.ndarray  # oral or spotlight
    person: np.ndarray     # person_key
    position: np.ndarray
    n_authors: np.ndarray


def hits_sql(con: duckdb.DuckDBPyConnection, query: str, since: int | None = None) -> Hits:
    """`Hits` by DuckDB's FTS macro (the CLI's path; the in-memory index has `hits` too)."""
    import numpy as np
    a = con.execute(f"""
        SELECT h.docid, h.score, f.year, f.decision IN ('oral', 'spotlight') AS hl,
               a.person_key, a.position, a.n_authors
        FROM ({fts.bm25_sql(con, query, idx.has_table(con, "sourcing_postings"))}) h
        JOIN sourcing_doc_features f USING (docid)
        JOIN sourcing_author_keys a ON a.doc_key = f.doc_key
        WHERE ($since IS NULL OR f.year >= $since)""",
                    {"q": query, "since": since}).fetchnumpy()
    return Hits(np.asarray(a["docid"], np.int64), np.asarray(a["score"], np.float64),
                np.asarray(a["year"], np.int64),
                np.asarray(np.ma.asarray(a["hl"]).filled(False), bool),
                np.asarray(a["person_key"], np.int64), np.asarray(a["position"], np.int64),
                np.asarray(a["n_authors"], np.int64))


def distinct(keys: np.ndarray) -> np.ndarray:
    """np.unique of non-negative integer keys (person keys, document ids), by counting: a few
    times quicker than sorting the ~250,000 author rows of a broad query."""
    import numpy as np
    return np.flatnonzero(np.bincount(keys)) if len(keys) else keys


def peer_scores(h: Hits, ref_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Balog et al. 2006 Model 2 with a recency weight: (person keys, scores)."""
    import numpy as np
    w = np.where(h.year > ref_year - RECENT_YEARS, RECENT_WEIGHT, 1.0)
    keys = distinct(h.person)
    # bincount adds each person's rows in row order, as over np.unique's inverse
    return keys, np.bincount(h.person, h.bm25 * w)[keys] if len(keys) else np.zeros(0)


@dataclass
class Candidates:
    keys: np.ndarray                 # person_key, in peer order
    peer: np.ndarray                 # their Model-2 score
    x: np.ndarray                    # features (len(keys) x len(NAMES))
    people: dict[int, dict[str, Any]] = field(default_factory=dict)


def candidates(con: duckdb.DuckDBPyConnection, h: Hits, ref_year: int,
               allowed: np.ndarray | None = None, n: int = CANDIDATES) -> Candidates:
    """The best `n` people by the peer score (among `allowed` person keys when given), with
    their features."""
    import numpy as np
    keys, peer = peer_scores(h, ref_year)
    if allowed is not None:
        ok = np.isin(keys, allowed)
        keys, peer = keys[ok], peer[ok]
    order = np.lexsort((keys, -peer))[:n]
    keys, peer = keys[order], peer[order]
    people = _people(con, keys)
    return Candidates(keys, peer, features(h, keys, people, ref_year), people)


def _people(con: duckdb.DuckDBPyConnection, keys: np.ndarray) -> dict[int, dict[str, Any]]:
    if not len(keys):
        return {}
    in_list = ", ".join(str(int(k)) for k in keys)
    cur = con.execute(f"""
        SELECT person_key, n_papers, n_recent, n_orals + n_spotlights AS orals_all, last_year,
               identity_confidence, career_stage
        FROM sourcing_people WHERE person_key IN ({in_list})""")
    cols = [d[0] for d in cur.description]
    return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def features(h: Hits, keys: np.ndarray, people: dict[int, dict[str, Any]],
             ref_year: int) -> np.ndarray:
    """The FEATURES of the people `keys` (rows in that order) for the query of `h`."""
    import numpy as np
    x = np.zeros((len(keys), len(NAMES)))
    if not len(keys) or not len(h.doc):
        return x
    col = {f: i for i, f in enumerate(NAMES)}
    rel = h.bm25 / h.bm25.max()
    sorter = np.argsort(keys)
    pos = np.clip(np.searchsorted(keys[sorter], h.person), 0, len(keys) - 1)
    mine = keys[sorter][pos] == h.person
    row = np.where(mine, sorter[pos], -1)
    sel = row >= 0
    r, rr = row[sel], rel[sel]
    yr, n_auth, position = h.year[sel], h.n_authors[sel], h.position[sel]
    m = len(keys)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(r, weights, m)

    x[:, col["topic_all"]] = total(rr)
    x[:, col["topic_last_year"]] = total(rr * (yr == ref_year))
    x[:, col["topic_3y"]] = total(rr * (yr > ref_year - 3))
    x[:, col["topic_trend"]] = (total(rr * (yr > ref_year - 2))
                                - total(rr * ((yr <= ref_year - 2) & (yr > ref_year - 4))))
    first = (position == 0)
    last = (position == n_auth - 1) & (n_auth > 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        all_ = x[:, col["topic_all"]]
        x[:, col["lead_share"]] = np.where(all_ > 0, total(rr * first) / all_, 0.0)
        x[:, col["senior_share"]] = np.where(all_ > 0, total(rr * last) / all_, 0.0)
    on = rr >= ON_TOPIC
    x[:, col["topic_orals"]] = total((on & h.highlight[sel]).astype(float))
    best = np.zeros(m)
    np.maximum.at(best, r, rr)
    x[:, col["best_match"]] = best
    # coauthors of their recent on-topic papers: distinct other authors of those papers
    recent_on = sel & (rel >= ON_TOPIC) & (h.year > ref_year - 3) & (h.n_authors <= 30)
    docs = np.unique(h.doc[recent_on])
    in_docs = np.isin(h.doc, docs)
    d_rows = np.flatnonzero(in_docs)
    pairs_doc, pairs_person = h.doc[d_rows], h.person[d_rows]
    co: dict[int, set[int]] = {}
    order = np.argsort(pairs_doc, kind="stable")
    pairs_doc, pairs_person = pairs_doc[order], pairs_person[order]
    bounds = np.flatnonzero(np.diff(pairs_doc)) + 1
    for group in np.split(pairs_person, bounds):
        authors = set(group.tolist())
        for p in authors:
            if p in people:
                co.setdefault(p, set()).update(authors)
    for i, k in enumerate(keys):
        k = int(k)
        p = people.get(k, {})
        x[i, col["coauthors_on_topic"]] = max(len(co.get(k, ())) - 1, 0)
        n_papers = p.get("n_papers") or 0
        x[i, col["topic_share"]] = x[i, col["topic_all"]] / n_papers if n_papers else 0.0
        x[i, col["orals_all"]] = p.get("orals_all") or 0
        x[i, col["career_stage"]] = STAGE_CODE.get(p.get("career_stage") or "unknown", -1.0)
        last_year = p.get("last_year")
        x[i, col["years_since_last"]] = ref_year - last_year if last_year else 10.0
        x[i, col["identity_confidence"]] = p.get("identity_confidence") or 0.0
        x[i, col["recent_output"]] = p.get("n_recent") or 0
    return x


# ---------------------------------------------------------------------------------------------
# the model: lightgbm's trees, as flat arrays

@dataclass
class Model:
    """Trees as arrays (node i: feature, threshold, left, right, value; leaves are ~index)."""
    features: tuple[str, ...]
    trees: list[dict[str, np.ndarray]]
    info: dict[str, Any]
    _walk: list[tuple[np.ndarray, ...] | None] | None = field(default=None, repr=False,
                                                               compare=False)

    def predict(self, x: np.ndarray, contrib: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Scores, and per-feature contributions (rows x features; their sum plus the bias in
        `info['bias']`... added to column -1) when `contrib`.

        Each tree is walked for all rows at once, one level per step, its depth many steps: a
        leaf leads to itself (its test always true, its own value), so no row needs to be set
        aside when it reaches one (half the numpy calls of a walk that does). The sums are
        taken in the same order as ever (tree by tree, level by level), the figures are the
        same bit for bit; a step from a leaf to itself adds +0.0, which changes no sum."""
        import numpy as np
        n = len(x)
        score = np.zeros(n)
        parts = np.zeros((n, len(self.features) + 1)) if contrib else np.zeros((0, 0))
        rows = np.arange(n)
        for t, walk in zip(self.trees, self._walks(), strict=True):
            if walk is None:  # a tree of one leaf
                score += t["leaf"][0]
                if contrib:
                    parts[:, -1] += t["leaf"][0]
                continue
            feature, threshold, left, right, value, depth = walk
            node = np.zeros(n, dtype=np.int64)
            if contrib:
                parts[:, -1] += value[0]
            for _ in range(int(depth[0])):
                f = feature[node]
                child = np.where(x[rows, f] <= threshold[node], left[node], right[node])
                if contrib:  # one node per row and step: no row twice in the index
                    parts[rows, f] += value[child] - value[node]
                node = child
            score += value[node]
        return score, parts

    def _walks(self) -> list[tuple[np.ndarray, ...] | None]:
        """Per tree (None for a one-leaf tree): its nodes then its leaves in one numbering,
        each leaf its own child, and the tree's depth."""
        import numpy as np
        if self._walk is None:
            walks: list[tuple[np.ndarray, ...] | None] = []
            for t in self.trees:
                if "leaf" in t:
                    walks.append(None)
                    continue
                n_int, n_leaf = len(t["feature"]), len(t["leaf_value"])
                leaves = n_int + np.arange(n_leaf)

                def numbered(child: np.ndarray, n_int: int = n_int) -> np.ndarray:
                    return np.where(child < 0, n_int + ~child, child)

                left = np.concatenate([numbered(t["left"]), leaves])
                right = np.concatenate([numbered(t["right"]), leaves])
                depth, todo = 0, [(0, 0)]
                while todo:
                    nd, d = todo.pop()
                    depth = max(depth, d)
                    if nd < n_int:
                        todo += [(int(left[nd]), d + 1), (int(right[nd]), d + 1)]
                walks.append((np.concatenate([t["feature"], np.zeros(n_leaf, np.int64)]),
                              np.concatenate([t["threshold"], np.full(n_leaf, np.inf)]),
                              left, right, np.concatenate([t["value"], t["leaf_value"]]),
                              np.array([depth])))
            self._walk = walks
        return self._walk


def model_from_lightgbm(dump: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """The JSON we ship, from `Booster.dump_model()` (numerical `<=` splits only)."""
    names = dump["feature_names"]
    trees = []
    for t in dump["tree_info"]:
        root = t["tree_structure"]
        if "leaf_value" in root:
            trees.append({"leaf": [root["leaf_value"]]})
            continue
        trees.append(_flatten(root))
    return {"features": names, "trees": trees, "info": info}


def _flatten(root: dict[str, Any]) -> dict[str, list[Any]]:
    """One tree of `dump_model()` as arrays: node i splits on feature[i] at threshold[i]; a
    child < 0 is the leaf ~child."""
    t: dict[str, list[Any]] = {k: [] for k in ("feature", "threshold", "left", "right", "value",
                                               "leaf_value")}

    def walk(nd: dict[str, Any]) -> int:
        if "leaf_value" in nd:
            t["leaf_value"].append(nd["leaf_value"])
            return ~(len(t["leaf_value"]) - 1)
        if nd["decision_type"] != "<=":
            raise StoreError(f"unsupported split {nd['decision_type']!r} in the model")
        i = len(t["feature"])
        t["feature"].append(nd["split_feature"])
        t["threshold"].append(nd["threshold"])
        t["value"].append(nd["internal_value"])
        t["left"].append(0)
        t["right"].append(0)
        t["left"][i] = walk(nd["left_child"])
        t["right"][i] = walk(nd["right_child"])
        return i

    walk(root)
    return t


def load_model(path: Path | None = None) -> Model | None:
    """The shipped model, or None when it is absent (search then uses the hand-tuned ranking)."""
    return _load(str(path or MODEL_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> Model | None:
    p = Path(path)
    if not p.is_file():
        return None
    import numpy as np
    try:
        raw = json.loads(p.read_text())
        trees = [{k: np.asarray(v, dtype=np.float64 if k in ("threshold", "value", "leaf_value",
                                                                "leaf") else np.int64)
                  for k, v in t.items()} for t in raw["trees"]]
        model = Model(tuple(raw["features"]), trees, raw.get("info", {}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the ranking model {p} is unreadable: {exc}; retrain it with "
                         "benchmarks/sourcing.py --train") from exc
    if model.features != NAMES:
        raise StoreError(f"the ranking model {p} was trained on other features "
                         f"({', '.join(model.features)}): retrain it")
    return model


def explain(x_row: np.ndarray, contrib_row: np.ndarray, top: int = 5) -> list[dict[str, Any]]:
    """The largest contributions of one person's score, in words."""
    import numpy as np
    order = np.argsort(-np.abs(contrib_row[:-1]))[:top]
    out = []
    for i in order:
        c = float(contrib_row[i])
        if abs(c) < 1e-6:
            continue
        name = NAMES[i]
        out.append({"feature": name, "value": float(x_row[i]), "points": c,
                    "evidence": f"{'raises' if c > 0 else 'lowers'} the score: {WORDS[name]} "
                                f"= {_show(name, float(x_row[i]))}"})
    return out


def _show(name: str, v: float) -> str:
    if name == "career_stage":
        return next((s for s, c in STAGE_CODE.items() if c == v), "unknown")
    if name.endswith("_share") or name in ("identity_confidence", "best_match"):
        return f"{100 * v:.0f}%"
    if name in ("topic_orals", "orals_all", "coauthors_on_topic", "recent_output",
                "years_since_last"):
        return f"{v:.0f}"
    return f"{v:.2f}"


# ---------------------------------------------------------------------------------------------
# the search

def search(con: duckdb.DuckDBPyConnection, query: str, filters: Any = None, limit: int = 20,
           top_papers: int = 3, engine: Any = None, model: Model | None = None,
           model_path: Path | None = None) -> Any:
    """People ranked for `query` by the learned model, each score split into its features'
    contributions (the `components` of every person, in words). Without a model: the
    hand-tuned ranking (`rank.search`)."""
    from talentgraph.sourcing import rank, results

    model = model or load_model(model_path)
    if model is None:
        return rank.search(con, query, filters, limit=limit, top_papers=top_papers,
                           engine=engine)
    import numpy as np
    filters = filters or results.Filters()
    results.validate(query, filters, limit)
    meta = results.open_index(con)
    ref_year = int(meta.get("ref_year") or 0)
    careers = meta.get("have_spells") == "True"
    if engine is not None:
        at, not_at = engine.resolve_orgs(con, filters.at), engine.resolve_orgs(con, filters.not_at)
        h = engine.hits(con, query, filters.since)
    else:
        at = results.resolve_orgs(con, filters.at)
        not_at = results.resolve_orgs(con, filters.not_at)
        h = hits_sql(con, query, filters.since)
    allowed = None
    params: dict[str, Any] = {}
    where = results.filter_conditions(filters, at, not_at, params)
    if where and engine is not None:
        # the in-memory index keeps the filters' person masks (the same conditions)
        mask = engine.filter_mask(con, filters, at, not_at)
        allowed = np.flatnonzero(mask).astype(np.int64)
    elif where:
        allowed = con.execute(f"SELECT person_key FROM sourcing_people p WHERE "
                              f"{' AND '.join(where)}", params).fetchnumpy()["person_key"]
        allowed = np.asarray(allowed, dtype=np.int64)
    people = distinct(h.person)
    n_candidates = len(people) if allowed is None else int(np.isin(people, allowed).sum())
    c = candidates(con, h, ref_year, allowed, n=max(CANDIDATES, limit))
    matched = len(distinct(h.doc))
    if not len(c.keys):
        return results.SearchResult(query, filters, at + not_at, 0, matched, ref_year, careers,
                                    [], "learned")
    score, parts = model.predict(c.x, contrib=True)
    order = np.lexsort((c.keys, -score))[:limit]
    shown = [int(c.keys[i]) for i in order]
    wide = (engine.details(shown) if engine is not None else results.details(con, shown))
    papers = _top_papers(con, h, shown, top_papers)
    people = []
    for place, i in enumerate(order, start=1):
        key = int(c.keys[i])
        r = wide[key]
        comps = [results.Component(e["feature"], e["value"], 0.0, e["points"], e["evidence"])
                 for e in explain(c.x[i], parts[i], top=len(NAMES))]
        n_match = int((h.person == key).sum())
        people.append(results.Ranked(
            place, r["person_id"], r["name"] or r["person_id"], float(score[i]), comps,
            papers.get(key, []), results.where_now(r), r["role"], r["role_class"], r["stage"],
            n_match, r["career_stage"] or "unknown", r["stage_evidence"] or ""))
    return results.SearchResult(query, filters, at + not_at, n_candidates, matched, ref_year,
                                careers, people, "learned")


def explain_person(con: duckdb.DuckDBPyConnection, query: str, person_id: str,
                   model: Model | None = None) -> dict[str, Any] | None:
    """One person's learned score for `query`, its place among the CANDIDATES best people by
    the peer score (None when they are not among them), and its contributions in words. None
    without a model or when none of their papers match."""
    import numpy as np

    from talentgraph.sourcing import results

    model = model or load_model()
    if model is None:
        return None
    ref_year = int(results.open_index(con).get("ref_year") or 0)
    row = con.execute("SELECT person_key FROM sourcing_people WHERE person_id = ?",
                      [person_id]).fetchone()
    h = hits_sql(con, query)
    if row is None or not (h.person == row[0]).any():
        return None
    me = candidates(con, h, ref_year, np.array([row[0]], dtype=np.int64))
    score, parts = model.predict(me.x, contrib=True)
    field = candidates(con, h, ref_year)
    others, _ = model.predict(field.x)
    among = bool((field.keys == row[0]).any())
    place = int((others > score[0]).sum()) + 1 if among else None
    return {"score": float(score[0]), "place": place, "of": len(field.keys),
            "contributions": explain(me.x[0], parts[0], top=len(NAMES)),
            "summary": (f"learned ranking: #{place} of the {len(field.keys)} people with the "
                        "most topic work" if among else
                        f"learned ranking: not among the {len(field.keys)} people with the most "
                        "topic work")}


def _top_papers(con: duckdb.DuckDBPyConnection, h: Hits, keys: list[int],
                n: int) -> dict[int, list[dict[str, Any]]]:
    """Each shown person's best-matching papers (by BM25, newest first on ties)."""
    import numpy as np
    rel = h.bm25 / h.bm25.max() if len(h.bm25) else h.bm25
    best: dict[int, list[int]] = {}
    for k in keys:
        rows = np.flatnonzero(h.person == k)
        rows = rows[np.lexsort((-h.year[rows], -h.bm25[rows]))][:n]
        best[k] = [int(r) for r in rows]
    docs = sorted({int(h.doc[r]) for rs in best.values() for r in rs})
    if not docs:
        return {}
    text = {row[0]: row for row in con.execute(
        f"SELECT docid, paper_id, title, venue, status, decision, citations, link "
        f"FROM sourcing_doc_features WHERE docid IN ({', '.join(map(str, docs))})").fetchall()}
    out: dict[int, list[dict[str, Any]]] = {}
    for k, rs in best.items():
        out[k] = []
        for r in rs:
            t = text[int(h.doc[r])]
            out[k].append({"paper_id": t[1], "title": t[2], "venue": t[3], "year": int(h.year[r]),
                           "position": int(h.position[r]), "n_authors": int(h.n_authors[r]),
                           "status": t[4], "decision": t[5], "citations": t[6],
                           "bm25": round(float(h.bm25[r]), 3),
                           "relevance": round(float(rel[r]), 3), "weight": round(float(rel[r]), 4),
                           "link": t[7]})
    return out
