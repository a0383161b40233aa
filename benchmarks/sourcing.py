"""Sourcing backtest and search latency.

Backtest: index only the records up to year Y; for topics taken from the corpus' keyword fields,
rank people with `talentgraph source`'s ranking and with two simple baselines over the same
matching papers (number of matching papers; citations of the matching papers). Truth: the person
publishes, in Y+1 or Y+2, a paper at the venues whose records carry keywords, with the topic among
its keywords (graded by how many). Only people already in the index (a paper up to Y) count as
truth: nobody can rank the others. Prints precision@20 and NDCG@20 (gain 2^min(n,3)-1) per
method, macro-averaged over topics.

The careers tables are left out of the backtest store: they are built from every year, so their
spells would leak where people went after Y. Identity (persons) is taken as resolved.

The ranking is run twice, by the SQL path (`talentgraph source`) and by the in-memory index the
web app uses (`sourcing.memindex`): both rows are printed, with how many of the topics got the
very same top 20.

Latency: `search` over the whole store (all years), 50 queries after one warm-up; p50 and p95,
for the SQL path and the in-memory index (and the index's load time).

    .venv/bin/python benchmarks/sourcing.py --db PATH [--year 2021] [--topics 25] [--queries 50]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import duckdb

from talentgraph.sourcing import index as idx
from talentgraph.sourcing import model, rank
from talentgraph.sourcing.memindex import MemoryIndex

K = 20
GENERIC = {"deep learning", "machine learning", "neural networks", "neural network", "benchmark",
           "dataset", "theory", "classification", "optimization", "generalization", "robustness",
           "artificial intelligence", "learning", "evaluation"}
TABLES = ("papers", "mentions", "mention_person", "persons", "orgs", "org_aliases",
          "mention_orgs", "sources")
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


def backtest_store(src: Path, year: int) -> duckdb.DuckDBPyConnection:
    """An in-memory store holding only the records up to `year` (and the resolved identities)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src'").fetchall()}
    for needed in ("papers", "mentions", "mention_person"):
        if needed not in present:
            sys.exit(f"{src} has no `{needed}` table: build the store with the people stage first")
    con.execute(f"CREATE TABLE papers AS SELECT * FROM src.papers WHERE year <= {year}")
    for t in ("mentions", "mention_person", "mention_orgs"):
        if t in present:
            con.execute(f"CREATE TABLE {t} AS SELECT x.* FROM src.{t} x "
                        "SEMI JOIN papers p ON p.paper_id = x.paper_id")
    for t in ("persons", "orgs", "org_aliases", "sources"):
        if t in present:
            con.execute(f"CREATE TABLE {t} AS SELECT * FROM src.{t}")
    return con


def choose_topics(con: duckdb.DuckDBPyConnection, year: int, n: int) -> list[dict]:
    """Keywords frequent both up to Y and in Y+1..Y+2 (at the venues that carry keywords)."""
    rows = con.execute(f"""
        WITH kw AS (SELECT DISTINCT paper_id, year, venue, lower(trim(k)) AS kw
                    FROM (SELECT paper_id, year, venue, unnest(keywords) AS k FROM src.papers
                          WHERE year <= {year} + 2))
        SELECT kw, count(*) FILTER (WHERE year <= {year}) AS before,
               count(*) FILTER (WHERE year > {year}) AS after,
               list(DISTINCT venue ORDER BY venue) FILTER (WHERE year > {year}) AS venues
        FROM kw WHERE length(kw) > 3
        GROUP BY kw HAVING before >= 40 AND after >= 40
        ORDER BY least(before, after) DESC, kw""").fetchall()
    topics = [{"topic": r[0], "before": r[1], "after": r[2], "venues": r[3]}
              for r in rows if r[0] not in GENERIC]
    return topics[:n]


def truth(con: duckdb.DuckDBPyConnection, topic: str, year: int, venues: list[str]
          ) -> dict[str, int]:
    rows = con.execute(f"""
        SELECT mp.person_id, count(DISTINCT p.paper_id)
        FROM src.papers p JOIN src.mention_person mp USING (paper_id)
        WHERE p.year IN ({year} + 1, {year} + 2) AND list_contains($venues, p.venue)
          AND list_contains(list_transform(p.keywords, x -> lower(trim(x))), $topic)
          AND mp.person_id IN (SELECT person_id FROM sourcing_people)
        GROUP BY 1""", {"venues": venues, "topic": topic}).fetchall()
    return dict(rows)


def baselines(con: duckdb.DuckDBPyConnection, topic: str) -> tuple[list[str], list[str]]:
    """Top K by number of matching papers, and by citations of the matching papers."""
    rows = con.execute(f"""
        WITH {rank._hits_sql()}
        SELECT st.person_id, count(*) AS n, coalesce(sum(h.citations), 0) AS cites
        FROM h JOIN sourcing_author_keys a USING (doc_key)
        JOIN sourcing_person_static st USING (person_key) GROUP BY 1""",
                       {"q": topic, "k": model.TOP_K_PAPERS, "since": None}).fetchall()
    by_count = [r[0] for r in sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))[:K]]
    by_cites = [r[0] for r in sorted(rows, key=lambda r: (-r[2], -r[1], r[0]))[:K]]
    return by_count, by_cites


def precision(ranked: list[str], rel: dict[str, int]) -> float:
    return sum(1 for p in ranked[:K] if p in rel) / K


def ndcg(ranked: list[str], rel: dict[str, int]) -> float:
    def gain(n: int) -> float:
        return 2 ** min(n, 3) - 1

    dcg = sum(gain(rel.get(p, 0)) / math.log2(i + 2) for i, p in enumerate(ranked[:K]))
    ideal = sorted((gain(n) for n in rel.values()), reverse=True)[:K]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def ablation(con: duckdb.DuckDBPyConnection, topics: list[dict],
             truths: dict[str, dict[str, int]]) -> None:
    """The ranking with one component's weight set to 0 at a time: what each one adds."""
    print(f"\nAblation (one component off; full model first)\n{'without':<14} {'P@20':>7} "
          f"{'NDCG@20':>8}")
    full = dict(model.WEIGHTS)
    try:
        for off in [None, *full]:
            model.WEIGHTS = {k: (0.0 if k == off else w) for k, w in full.items()}
            p, n = [], []
            for tp in topics:
                ranked = [x.person_id for x in rank.search(con, tp["topic"], limit=K).people]
                p.append(precision(ranked, truths[tp["topic"]]))
                n.append(ndcg(ranked, truths[tp["topic"]]))
            print(f"{off or '(nothing)':<14} {statistics.mean(p):>7.3f} {statistics.mean(n):>8.3f}")
    finally:
        model.WEIGHTS = full


def run_backtest(src: Path, year: int, n_topics: int, verbose: bool,
                 with_ablation: bool = False) -> dict[str, dict]:
    con = backtest_store(src, year)
    t = time.perf_counter()
    built = idx.build_index(con, max_year=year)
    print(f"backtest store: records up to {year}, {built['documents']:,} papers, "
          f"{built['people']:,} people; index built in {time.perf_counter() - t:.1f} s")
    engine = MemoryIndex.load(con)
    topics = choose_topics(con, year, n_topics)
    if len(topics) < 20:
        print(f"warning: only {len(topics)} topics qualify")
    scores: dict[str, dict[str, list[float]]] = {
        m: {"p": [], "ndcg": []} for m in ("talentgraph", "in_memory", "by_count",
                                            "by_citations")}
    truths = {}
    identical = 0
    for tp in topics:
        rel = truths[tp["topic"]] = truth(con, tp["topic"], year, tp["venues"])
        ours = [p.person_id for p in rank.search(con, tp["topic"], limit=K).people]
        mem = [p.person_id for p in rank.search(con, tp["topic"], limit=K,
                                                engine=engine).people]
        identical += ours == mem
        by_count, by_cites = baselines(con, tp["topic"])
        line = []
        for name, ranked in (("talentgraph", ours), ("in_memory", mem), ("by_count", by_count),
                             ("by_citations", by_cites)):
            scores[name]["p"].append(precision(ranked, rel))
            scores[name]["ndcg"].append(ndcg(ranked, rel))
            line.append(f"{name} P {scores[name]['p'][-1]:.2f} N {scores[name]['ndcg'][-1]:.2f}")
        if verbose:
            print(f"  {tp['topic'][:38]:<38} truth {len(rel):>4}  " + " | ".join(line))
    if with_ablation:
        ablation(con, topics, truths)
    con.close()
    summary = {m: {"precision@20": statistics.mean(v["p"]), "ndcg@20": statistics.mean(v["ndcg"])}
               for m, v in scores.items()}
    print(f"\nBacktest Y={year}: {len(topics)} topics (keywords), truth = publishes on the topic "
          f"in {year + 1}-{year + 2} at the keyword venues")
    print(f"{'method':<14} {'P@20':>7} {'NDCG@20':>8}")
    for m, v in summary.items():
        print(f"{m:<14} {v['precision@20']:>7.3f} {v['ndcg@20']:>8.3f}")
    print(f"in_memory = talentgraph's ranking by the web app's in-memory index: the same top "
          f"{K} for {identical} of {len(topics)} topics")
    return summary


def run_latency(src: Path, n: int) -> dict[str, float]:
    con = rank.for_searching(duckdb.connect(str(src), read_only=True))  # as the CLI opens it
    topics = [r[0] for r in con.execute("""
        SELECT lower(k) FROM (SELECT unnest(keywords) AS k FROM papers)
        GROUP BY 1 HAVING count(*) >= 60 ORDER BY count(*) DESC, 1 LIMIT 60""").fetchall()]
    queries = (EXTRA_QUERIES + [t for t in topics if t not in GENERIC])[:n]
    t = time.perf_counter()
    rank.search(con, "warm up the index", limit=20)
    cold = time.perf_counter() - t
    load_before = os.getloadavg()[0]
    times, cpu = [], []
    for q in queries:
        c, t = _cpu(), time.perf_counter()
        rank.search(con, q, limit=20)
        times.append(time.perf_counter() - t)
        cpu.append(_cpu() - c)
    t = time.perf_counter()
    engine = MemoryIndex.load(con)
    load_s = time.perf_counter() - t
    rank.search(con, "warm up the index", limit=20, engine=engine)
    mem_times, mem_cpu = [], []
    for q in queries:
        c, t = _cpu(), time.perf_counter()
        rank.search(con, q, limit=20, engine=engine)
        mem_times.append(time.perf_counter() - t)
        mem_cpu.append(_cpu() - c)
    con.close()
    times.sort()
    cpu.sort()
    mem_times.sort()
    mem_cpu.sort()

    def pct(xs: list[float], q: float) -> float:
        return xs[min(len(xs) - 1, math.ceil(q * len(xs)) - 1)]

    print(f"In-memory index (the web app's): loaded in {load_s:.1f} s; wall p50 "
          f"{1000 * pct(mem_times, 0.5):.1f} ms, p95 {1000 * pct(mem_times, 0.95):.1f} ms; CPU "
          f"p50 {1000 * pct(mem_cpu, 0.5):.1f} ms, p95 {1000 * pct(mem_cpu, 0.95):.1f} ms")

    out = {"p50_ms": 1000 * pct(times, 0.5), "p95_ms": 1000 * pct(times, 0.95),
           "max_ms": 1000 * times[-1], "cpu_p50_ms": 1000 * pct(cpu, 0.5),
           "cpu_p95_ms": 1000 * pct(cpu, 0.95)}
    # The machine is shared: the load average says how much of the wall time was waiting for a
    # core; CPU time (both DuckDB threads) is what a search costs on its own.
    print(f"\nLatency over the whole store ({src}): {len(times)} queries, first query "
          f"{1000 * cold:.0f} ms; wall p50 {out['p50_ms']:.0f} ms, p95 {out['p95_ms']:.0f} ms, "
          f"max {out['max_ms']:.0f} ms; CPU time p50 {out['cpu_p50_ms']:.0f} ms, "
          f"p95 {out['cpu_p95_ms']:.0f} ms; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores")
    return out


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="A built store (read only).")
    ap.add_argument("--year", type=int, default=2021)
    ap.add_argument("--topics", type=int, default=25)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--quiet", action="store_true", help="No per-topic lines.")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--ablation", action="store_true", help="Also rank with each component off.")
    args = ap.parse_args()
    run_backtest(args.db, args.year, args.topics, not args.quiet, args.ablation)
    if not args.skip_latency:
        run_latency(args.db, args.queries)


if __name__ == "__main__":
    main()
