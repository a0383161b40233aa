"""Backtest of the graph part of flight risk on the corpus: who changes organisation next year?

For each year Y (default 2019..2023), from records up to Y only, predict whether a researcher
seen with an organisation in Y-2..Y publishes in Y+1 without that organisation. The models are
fitted by logistic regression and scored by ROC AUC on the same people in the same run:

- tenure only: years at the current organisation;
- graph model: tenure plus the share and log2(1 + number) of close coauthors (shared a paper
  in Y-2..Y) who changed organisation in Y-1..Y, coauthors who left the person's own
  organisation, how many distinct organisations so far, years since first paper, years since
  the last paper with an affiliation (recency), and papers in Y-2..Y.
An ablation (graph model without the coauthor features) shows what the coauthors add, and
"collaborators factor" scores the graph factor of talentgraph.ops.retention.risk alone
(the share of close coauthors who moved).

Each test year is scored by a model fitted on the other years (features never look past their
own Y, so only the coefficients are shared). "all" is the within-year AUC over every year: the
share of (mover, stayer) pairs of the same year ranked right, so that years with different
mover rates and venue mixes are not compared with each other. Every fit has one baseline per
year, so weights describe differences within a year.
Identity: `mention_person` when the store has it, else OpenReview ids
(`--ids openreview`, the default) or every author id in its own namespace (`--ids all`:
OpenReview, IEEE, ACL, DBLP, ORCID; an author under two ids counts as two people).
Organisation: `mention_orgs` when present (rolled up to `orgs.top_parent_id`), else the
registrable affiliation domain, else the corpus' normalised institution name mapped to the
domain it most often comes with.

    .venv/bin/python benchmarks/flight_risk.py --db /tmp/tg_full.duckdb [--ids all] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
from publicsuffixlist import PublicSuffixList

GRAPH_FEATURES = ("tenure", "co_moved_share", "co_moved_log2", "co_left_org", "log_coauthors",
                  "n_orgs",
                  "career_age", "recency", "log_papers")
BASE_FEATURES = ("tenure",)
NO_COAUTHOR_FEATURES = ("tenure", "n_orgs", "career_age", "recency", "log_papers")
# the graph factor of talentgraph.ops.retention.risk on its own: the share of close coauthors
# who moved (its fallback, log2(1 + number who moved), fitted alone, scored below 0.5 in every
# year of the 2019-2024 run with all ids: no signal on its own)
RISK_FACTOR_FEATURES = ("co_moved_share",)
ID_COLUMNS = {"openreview": ("openreview_id",),
              "all": ("openreview_id", "ieee_id", "acl_id", "dblp", "orcid")}


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 's' "
                            "AND table_name = ?", [name]).fetchone()[0])


def build_observations(con: duckdb.DuckDBPyConnection, ids: str) -> dict[str, str]:
    """obs(pid, paper_id, year, org) and authorship(pid, paper_id, year) in memory."""
    if has_table(con, "mention_person"):
        ident_sql = """SELECT mp.paper_id, mp.position, m.year, mp.person_id AS pid
                       FROM s.mention_person mp JOIN s.mentions m USING (paper_id, position)
                       WHERE mp.person_id IS NOT NULL"""
        identity = "mention_person"
    else:
        parts = [f"SELECT paper_id, position, year, '{c}:' || {c} AS pid FROM s.mentions "
                 f"WHERE {c} IS NOT NULL AND trim({c}) <> ''" for c in ID_COLUMNS[ids]]
        # one id per mention: the first column in ID_COLUMNS order that is present
        ident_sql = ("SELECT * FROM (" + " UNION ALL ".join(
            p.replace("SELECT ", f"SELECT {i} AS pri, ", 1) for i, p in enumerate(parts))
            + ") QUALIFY row_number() OVER (PARTITION BY paper_id, position ORDER BY pri) = 1")
        identity = f"ids:{ids}"
    con.execute(f"CREATE OR REPLACE TABLE ident AS SELECT paper_id, position, year, pid "
                f"FROM ({ident_sql}) WHERE year IS NOT NULL")
    if has_table(con, "mention_orgs"):
        # a move between units of one company (a lab to its parent) is not a move
        parent = ("LEFT JOIN s.orgs g ON g.org_id = mo.org_id" if has_table(con, "orgs")
                  else "LEFT JOIN (SELECT NULL AS org_id, NULL AS top_parent_id) g ON false")
        con.execute(f"""CREATE OR REPLACE TABLE mention_org AS
                        SELECT DISTINCT mo.paper_id, mo.position,
                               coalesce(g.top_parent_id, mo.org_id) AS org
                        FROM s.mention_orgs mo {parent} WHERE mo.org_id IS NOT NULL""")
        orgs = "mention_orgs (top parent)" if has_table(con, "orgs") else "mention_orgs"
    else:
        psl = PublicSuffixList()
        domains = [r[0] for r in con.execute(
            "SELECT DISTINCT lower(trim(affiliation_domain)) FROM s.mentions "
            "WHERE affiliation_domain IS NOT NULL").fetchall()]
        rows = [(d, psl.privatesuffix(d) or d) for d in domains if d]
        con.execute("CREATE OR REPLACE TABLE regdom (domain VARCHAR, reg VARCHAR)")
        if rows:
            con.executemany("INSERT INTO regdom VALUES (?, ?)", rows)
        con.execute("""
            CREATE OR REPLACE TABLE m_aff AS
            SELECT m.paper_id, m.position, r.reg,
                   nullif(lower(trim(regexp_replace(m.aff_norm, '\\s+', ' ', 'g'))), '') AS name
            FROM s.mentions m LEFT JOIN regdom r ON r.domain = lower(trim(m.affiliation_domain))
            WHERE m.affiliation_domain IS NOT NULL OR m.aff_norm IS NOT NULL;
            -- an institution name stands for the domain it is most often seen with
            CREATE OR REPLACE TABLE name2dom AS
            SELECT name, first(reg ORDER BY n DESC, reg) AS reg FROM (
                SELECT name, reg, count(*) AS n FROM m_aff
                WHERE name IS NOT NULL AND reg IS NOT NULL GROUP BY ALL)
            GROUP BY name HAVING max(n) >= 2 AND max(n) * 2 >= sum(n);
            CREATE OR REPLACE TABLE mention_org AS
            SELECT a.paper_id, a.position, coalesce(a.reg, d.reg, 'name:' || a.name) AS org
            FROM m_aff a LEFT JOIN name2dom d USING (name)
            WHERE coalesce(a.reg, d.reg, a.name) IS NOT NULL;
        """)
        orgs = "affiliation domain / aff_norm"
    con.execute("""
        CREATE OR REPLACE TABLE obs AS
        SELECT DISTINCT i.pid, i.paper_id, i.year, o.org
        FROM ident i JOIN mention_org o USING (paper_id, position);
        -- per person and year: every organisation, and the main one (most papers)
        CREATE OR REPLACE TABLE py_orgs AS
        SELECT pid, year, list(DISTINCT org) AS orgs,
               first(org ORDER BY n DESC, org) AS main_org  -- ties: by name
        FROM (SELECT pid, year, org, count(*) AS n FROM obs GROUP BY ALL) GROUP BY pid, year;
        -- a move: the main organisation of the previous observed year is absent this year
        CREATE OR REPLACE TABLE moves AS
        SELECT pid, year, prev_org AS from_org, main_org AS to_org FROM (
            SELECT pid, year, orgs, main_org,
                   lag(main_org) OVER (PARTITION BY pid ORDER BY year) AS prev_org
            FROM py_orgs)
        WHERE prev_org IS NOT NULL AND NOT list_contains(orgs, prev_org);
    """)
    return {"identity": identity, "organisation": orgs}


def init_examples(con: duckdb.DuckDBPyConnection) -> None:
    """The (empty) table of labelled examples that `year_rows` fills."""
    con.execute("""CREATE OR REPLACE TABLE examples (year INTEGER, pid VARCHAR, moved BOOLEAN,
                   tenure INTEGER, co_moved_share DOUBLE, co_moved_log2 DOUBLE,
                   co_left_org INTEGER,
                   log_coauthors DOUBLE, n_orgs INTEGER, career_age INTEGER, recency INTEGER,
                   log_papers DOUBLE)""")


def year_rows(con: duckdb.DuckDBPyConnection, y: int) -> None:
    """Append the examples of year `y` (features from records <= y, label from y + 1)."""
    con.execute("""
        INSERT INTO examples
        WITH last AS (  -- the latest year with an organisation in y-2..y, and its main one
            SELECT pid, max(year) AS t, arg_max(main_org, year) AS cur_org
            FROM py_orgs WHERE year BETWEEN $y - 2 AND $y GROUP BY pid),
        nxt AS (SELECT pid, orgs FROM py_orgs WHERE year = $y + 1),
        pop AS (SELECT l.pid, l.t, l.cur_org, NOT list_contains(n.orgs, l.cur_org) AS moved
                FROM last l JOIN nxt n USING (pid)),
        hist AS (SELECT p.pid, h.year, list_contains(h.orgs, p.cur_org) AS at_cur
                 FROM pop p JOIN py_orgs h ON h.pid = p.pid AND h.year <= p.t),
        brk AS (SELECT pid, max(year) FILTER (WHERE NOT at_cur) AS broke FROM hist GROUP BY pid),
        ten AS (SELECT h.pid, min(h.year) AS since FROM hist h JOIN brk b USING (pid)
                WHERE h.at_cur AND h.year > coalesce(b.broke, -1) GROUP BY h.pid),
        career AS (SELECT o.pid, count(DISTINCT o.org) AS n_orgs FROM obs o JOIN pop p USING (pid)
                   WHERE o.year <= $y GROUP BY o.pid),
        firsts AS (SELECT i.pid, min(i.year) AS first_year,
                          count(DISTINCT i.paper_id) FILTER (WHERE i.year >= $y - 2) AS papers
                   FROM ident i JOIN pop p USING (pid) WHERE i.year <= $y GROUP BY i.pid),
        co AS (  -- close coauthors: shared a paper in y-2..y
            SELECT DISTINCT a.pid, b.pid AS co
            FROM ident a JOIN pop p ON p.pid = a.pid
            JOIN ident b ON b.paper_id = a.paper_id AND b.pid <> a.pid
            WHERE a.year BETWEEN $y - 2 AND $y),
        co_moves AS (
            SELECT c.pid, c.co, bool_or(m.pid IS NOT NULL) AS moved,
                   bool_or(m.from_org = p.cur_org) AS left_org
            FROM co c JOIN pop p USING (pid)
            LEFT JOIN moves m ON m.pid = c.co AND m.year BETWEEN $y - 1 AND $y
            GROUP BY c.pid, c.co),
        co_feat AS (SELECT pid, count(*) AS n_co, count(*) FILTER (WHERE moved) AS n_moved,
                           count(*) FILTER (WHERE left_org) AS n_left
                    FROM co_moves GROUP BY pid)
        SELECT $y AS year, p.pid, p.moved,
               $y - t.since + 1 AS tenure,
               coalesce(cf.n_moved, 0) / greatest(coalesce(cf.n_co, 0), 1) AS co_moved_share,
               log2(1 + coalesce(cf.n_moved, 0)) AS co_moved_log2,
               coalesce(cf.n_left, 0) AS co_left_org,
               ln(1 + coalesce(cf.n_co, 0)) AS log_coauthors,
               c.n_orgs, $y - f.first_year AS career_age, $y - p.t AS recency,
               ln(1 + f.papers) AS log_papers
        FROM pop p JOIN ten t USING (pid) JOIN career c USING (pid) JOIN firsts f USING (pid)
        LEFT JOIN co_feat cf USING (pid)
    """, {"y": y})


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney probability that a mover outscores a stayer (ties half).

    Ten lines of rank arithmetic; scikit-learn is not installed and not worth a dependency here.
    """
    pos, neg = int(labels.sum()), int(len(labels) - labels.sum())
    if not pos or not neg:
        return float("nan")
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    before = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank_of = (before + (counts + 1) / 2)[inverse]  # average rank within ties, 1-based
    return float((rank_of[labels == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iters: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method (IRLS) with a small ridge; returns weights."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    reg = l2 * np.eye(xb.shape[1])
    reg[0, 0] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + reg @ w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def year_effects(years: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """One-hot columns for every year but the first: a baseline mover rate per year."""
    levels = sorted(set(years.tolist()))[1:]
    return np.column_stack([years == v for v in levels]).astype(float) if levels else \
        np.zeros((len(years), 0)), levels


def out_of_year_scores(data: dict[str, np.ndarray], features: tuple[str, ...],
                       years: list[int]) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Scores for each year from a model fitted on the other years; and the weights used.

    The fit has a baseline per training year (mover rates differ by year and venue mix), so
    the feature weights say how people differ within a year; the held-out year is scored with
    the average baseline.
    """
    x = np.column_stack([data[f] for f in features]).astype(float)
    y = data["moved"].astype(float)
    scores = np.full(len(y), np.nan)
    weights: dict[int, np.ndarray] = {}
    for yr in years:
        test = data["year"] == yr
        train = ~test
        if not test.any() or y[train].sum() == 0:
            continue
        mu, sd = x[train].mean(0), x[train].std(0)
        sd[sd == 0] = 1.0
        fe, _ = year_effects(data["year"][train])
        w = fit_logistic(np.hstack([(x[train] - mu) / sd, fe]), y[train])
        k = 1 + len(features)
        base = w[0] + (w[k:].sum() / (len(w) - k + 1) if len(w) > k else 0.0)
        scores[test] = base + ((x[test] - mu) / sd) @ w[1:k]
        weights[yr] = w[:k]
    return scores, weights


def within_year_auc(scores: np.ndarray, labels: np.ndarray, years: np.ndarray) -> float:
    """AUC over (mover, stayer) pairs of the same year: per-year AUCs weighted by pair count."""
    num = den = 0.0
    for yr in np.unique(years):
        m = years == yr
        pos = int(labels[m].sum())
        pairs = pos * (int(m.sum()) - pos)
        if pairs:
            num += auc(scores[m], labels[m]) * pairs
            den += pairs
    return num / den if den else float("nan")


def bootstrap(scores: dict[str, np.ndarray], labels: np.ndarray, years: np.ndarray,
              rounds: int, seed: int = 7) -> dict[str, tuple[float, float]]:
    """95% intervals of each within-year AUC and of the paired differences, resampling people."""
    if rounds <= 0 or len(labels) == 0:
        return {}
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in (*scores, "graph - tenure_only",
                                                     "graph - graph_without_coauthors")}
    for _ in range(rounds):
        idx = rng.integers(0, len(labels), len(labels))
        a = {k: within_year_auc(v[idx], labels[idx], years[idx]) for k, v in scores.items()}
        for k, v in a.items():
            draws[k].append(v)
        draws["graph - tenure_only"].append(a["graph"] - a["tenure_only"])
        draws["graph - graph_without_coauthors"].append(a["graph"]
                                                        - a["graph_without_coauthors"])
    return {k: (round(float(np.nanpercentile(v, 2.5)), 3), round(float(np.nanpercentile(v, 97.5)),
                                                                3)) for k, v in draws.items()}


def run(db: Path, years: list[int], ids: str, boot: int = 200) -> dict:
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    quoted = str(db).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS s (READ_ONLY)")
    sources = build_observations(con, ids)
    init_examples(con)
    for y in years:
        year_rows(con, y)
    cols = ("year", "moved", *GRAPH_FEATURES)
    table = con.execute(f"SELECT {', '.join(cols)} FROM examples").fetchnumpy()
    data = {c: np.asarray(table[c]) for c in cols}
    data["moved"] = data["moved"].astype(int)
    n_obs = con.execute("SELECT count(*), count(DISTINCT pid) FROM obs").fetchone()
    models = {"tenure_only": BASE_FEATURES, "graph": GRAPH_FEATURES,
              "graph_without_coauthors": NO_COAUTHOR_FEATURES,
              "collaborators_factor_only": RISK_FACTOR_FEATURES}
    scored = {name: out_of_year_scores(data, feats, years) for name, feats in models.items()}
    per_year = []
    for yr in years:
        m = data["year"] == yr
        row = {"year": yr, "people": int(m.sum()), "movers": int(data["moved"][m].sum())}
        for name in models:
            s = scored[name][0][m]
            ok = ~np.isnan(s)
            row[name] = auc(s[ok], data["moved"][m][ok]) if ok.any() else float("nan")
        per_year.append(row)
    ok = ~np.isnan(scored["graph"][0])
    pooled = {name: within_year_auc(scored[name][0][ok], data["moved"][ok], data["year"][ok])
              for name in models}
    intervals = bootstrap({name: scored[name][0][ok] for name in models}, data["moved"][ok],
                          data["year"][ok], boot)
    # the graph model refitted on every year, to show its weights (standardised features)
    x = np.column_stack([data[f] for f in GRAPH_FEATURES]).astype(float)
    sd = x.std(0)
    sd[sd == 0] = 1.0
    fe, _ = year_effects(data["year"])
    w_all = fit_logistic(np.hstack([(x - x.mean(0)) / sd, fe]), data["moved"].astype(float))
    per_sd = w_all[1:1 + len(GRAPH_FEATURES)]
    return {"db": str(db), **sources, "observations": n_obs[0], "people_with_org": n_obs[1],
            "years": per_year, "pooled": pooled, "pooled_ci95": intervals,
            "examples": int(ok.sum()),
            "movers": int(data["moved"][ok].sum()),
            "graph_weights_per_sd": dict(zip(GRAPH_FEATURES, per_sd.round(3).tolist(),
                                             strict=True)),
            "graph_weights_per_unit": dict(zip(GRAPH_FEATURES, (per_sd / sd).round(3).tolist(),
                                               strict=True)),
            "seconds": round(time.perf_counter() - t0, 1)}


def parse_years(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-", 1)
        return list(range(int(a), int(b) + 1))
    return [int(v) for v in text.split(",")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/tg_full.duckdb"),
                    help="the analytical store (read only)")
    ap.add_argument("--years", default="2019-2023", help="Y values, e.g. 2019-2023 or 2021,2023")
    ap.add_argument("--ids", choices=sorted(ID_COLUMNS), default="openreview",
                    help="author ids used as person ids when the store has no mention_person")
    ap.add_argument("--bootstrap", type=int, default=200,
                    help="resamples for the 95%% intervals of the overall AUCs (0: none)")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args()
    if not args.db.exists():
        print(f"error: no store at {args.db} (pass --db PATH)", file=sys.stderr)
        return 2
    try:
        years = parse_years(args.years)
    except ValueError:
        print(f"error: --years {args.years!r}: write e.g. 2019-2023 or 2021,2023", file=sys.stderr)
        return 2
    try:
        result = run(args.db, years, args.ids, args.bootstrap)
    except duckdb.Error as exc:
        print(f"error: cannot read the store {args.db}: {exc}\n(if another process is writing "
              "it, copy the file and pass the copy)", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"store {result['db']}: identity {result['identity']}, organisation "
          f"{result['organisation']}; {result['observations']:,} (person, paper, org) rows, "
          f"{result['people_with_org']:,} people")
    names = list(result["pooled"])
    heads = {"tenure_only": "tenure-only", "graph": "graph",
             "graph_without_coauthors": "graph w/o coauthors",
             "collaborators_factor_only": "collaborators factor"}
    print(f"{'Y':>5} {'people':>7} {'movers':>7} "
          + " ".join(f"{heads.get(n, n):>{max(8, len(heads.get(n, n)))}}" for n in names))
    for r in [*result["years"], {"year": "all", "people": result["examples"],
                                 "movers": result["movers"], **result["pooled"]}]:
        cells = " ".join(f"{r[n]:>{max(8, len(heads.get(n, n)))}.3f}" for n in names)
        note = "   (within-year pairs of all years)" if r["year"] == "all" else (
            "   (no people seen in both years)" if not r["people"] else "")
        print(f"{r['year']:>5} {r['people']:>7} {r['movers']:>7} {cells}{note}")
    for name, (lo, hi) in result["pooled_ci95"].items():
        print(f"  95% interval, {name}: {lo:.3f} .. {hi:.3f}")
    print("graph model weights per standard deviation:", result["graph_weights_per_sd"])
    print("graph model weights per unit:", result["graph_weights_per_unit"])
    print(f"{result['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
