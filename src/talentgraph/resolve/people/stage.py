"""The `people` build stage: author mentions -> persons (tables persons, mention_person).

Order of work: parse names; gather per-mention evidence; tie mentions sharing a trusted strong
id (components); learn the model's m/u from OpenReview-labelled fragments; then `ROUNDS` rounds
of score (Splink) -> attach (best higher-ranked partner, see cluster.py) -> pool; finally stable
ids. Every heavy step is a SQL statement over whole tables.
"""

from __future__ import annotations

import time
from typing import Any

import duckdb

from talentgraph.resolve.people import (
    cluster,
    features,
    kept_model,
    model,
    nodes,
    regions,
    stable_ids,
    strong_ids,
)

# Probability above which a node attaches to its best partner. Chosen on a validation split
# (iclr2021, aistats2025, corl2022 held out; not the venue-years of benchmarks/disambiguation.py):
# B-cubed F1 overall / hard blocks was 0.9826 / 0.9617 at 0.7 and 0.9711 / 0.9462 at 0.9 (an
# earlier model), 0.9931 / 0.9671 at 0.6 and 0.9932 / 0.9681 at 0.5 (this model); 0.6 keeps
# precision higher for the same F1, and a false merge invents a departure.
THRESHOLD = 0.6
ROUNDS = 2


def _noop(stage: str, done: int, total: int, detail: str = "") -> None:
    return None


def resolve(con: duckdb.DuckDBPyConnection, progress: Any = _noop, threshold: float = THRESHOLD,
            rounds: int = ROUNDS, source: str = "mentions", keep_model: bool = False
            ) -> dict[str, Any]:
    """Resolve every mention in `source` into pp_final(mkey, cluster, method, confidence).
    `keep_model`: keep the m/u of the last build while their labelled input is unchanged
    (kept_model.py)."""
    steps = 4 + 2 * rounds
    stats: dict[str, Any] = {}
    t0 = time.perf_counter()
    progress("people", 0, steps, "names")
    stats["distinct_names"] = features.build_names(con, source)
    stats["mentions"] = features.build_mentions(con, source)
    progress("people", 1, steps, "strong ids")
    stats["id_links"] = strong_ids.build_id_edges(con)
    stats["id_components"] = strong_ids.build_components(con)
    con.execute("""
    CREATE OR REPLACE TEMP TABLE pp_assign AS
    SELECT m.mkey, coalesce(c.comp, m.mkey) AS node FROM pp_mentions m
      LEFT JOIN pp_comp c USING (mkey) WHERE m.family <> ''
    """)
    progress("people", 2, steps, "learning m/u")
    con.execute("""
    CREATE OR REPLACE TEMP TABLE pp_frag_assign AS
    SELECT mkey, openreview_id || '@' || source_file AS node FROM pp_mentions
     WHERE openreview_id IS NOT NULL AND family <> ''
    """)
    nodes.build_nodes(con, "pp_frag_assign", out="pp_frag")
    con.execute("CREATE OR REPLACE TEMP TABLE pp_frag_l AS "
                "SELECT *, or_ids[1] AS label FROM pp_frag")
    if keep_model:
        params, how = kept_model.learn_or_keep(con, "pp_frag_l")
    else:
        params, how = model.learn(con, "pp_frag_l"), "learned"
    stats["model"] = {"source": params.source, "labelled_pairs": params.pairs,
                      "labelled_matches": params.matches, "prior": round(params.prior, 4),
                      "m_u": how}
    todo = None
    if keep_model:
        regions.write_digests(con)
        # only with the m/u of the last build: new parameters change every score
        todo = regions.plan(con) if how != "learned" else None
    if todo is not None:
        con.execute("CREATE OR REPLACE TEMP TABLE pp_assign AS SELECT * FROM pp_assign "
                    "WHERE mkey IN (SELECT mkey FROM pp_affected)")
    stats["mentions_resolved"] = con.execute("SELECT count(*) FROM pp_assign").fetchone()[0]
    stats["weights"] = model.weights(params)
    stats["rounds"] = []
    for r in range(rounds):
        progress("people", 3 + 2 * r, steps, f"round {r + 1}: scoring")
        n_nodes = nodes.build_nodes(con, "pp_assign", out="pp_nodes")
        n_pairs = model.score_pairs(con, "pp_nodes", params, "pp_scores")
        progress("people", 4 + 2 * r, steps, f"round {r + 1}: clustering")
        info = cluster.attach(con, "pp_nodes", "pp_scores", threshold, "pp_roots")
        con.execute("""
        CREATE OR REPLACE TEMP TABLE pp_edge_p AS
        SELECT a.mkey, r.root AS node, r.p, r.evidence, a.node AS old_node
          FROM pp_assign a JOIN pp_roots r ON r.node = a.node
        """)
        if r == 0:
            con.execute("CREATE OR REPLACE TEMP TABLE pp_conf AS SELECT mkey, "
                        "CAST(NULL AS DOUBLE) AS p, CAST(NULL AS VARCHAR) AS evidence "
                        "FROM pp_assign")
        # a mention's confidence is the probability of the attachment that brought it in
        con.execute("""
        CREATE OR REPLACE TEMP TABLE pp_conf AS
        SELECT c.mkey,
               CASE WHEN c.p IS NOT NULL THEN c.p WHEN e.node <> e.old_node THEN e.p END AS p,
               CASE WHEN c.p IS NOT NULL THEN c.evidence
                    WHEN e.node <> e.old_node THEN e.evidence END AS evidence
          FROM pp_conf c JOIN pp_edge_p e USING (mkey)
        """)
        con.execute("CREATE OR REPLACE TEMP TABLE pp_assign AS "
                    "SELECT mkey, node FROM pp_edge_p")
        stats["rounds"].append({"nodes": n_nodes, "pairs_scored": n_pairs, **info})
        if not info["attached"]:
            break
    con.execute("""
    CREATE OR REPLACE TEMP TABLE pp_final AS
    SELECT a.mkey, a.node AS cluster,
           CASE WHEN c.p IS NOT NULL THEN 'model'
                WHEN i.mkey IS NOT NULL THEN 'strong_id' ELSE 'unlinked' END AS method,
           CASE WHEN c.p IS NOT NULL THEN c.p WHEN i.mkey IS NOT NULL THEN 1.0 END AS confidence,
           CASE WHEN c.p IS NOT NULL THEN c.evidence
                WHEN i.mkey IS NOT NULL THEN 'shares a strong id (' || i.kinds || ')' END
             AS evidence
      FROM pp_assign a JOIN pp_conf c USING (mkey)
      LEFT JOIN (SELECT mkey, string_agg(DISTINCT kind, ', ' ORDER BY kind) AS kinds
                   FROM pp_idedges GROUP BY mkey) i USING (mkey)
    """)
    if todo is not None:
        regions.keep_the_rest(con)
    stats["persons_with_two_openreview_ids"] = cluster.conflicting_roots(
        con, "(SELECT mkey, cluster AS node FROM pp_final)")
    stats["seconds"] = round(time.perf_counter() - t0, 1)
    return stats


def run(con: duckdb.DuckDBPyConnection, progress: Any = _noop, keep_model: bool = True
        ) -> dict[str, Any]:
    """The derived stage: resolve, give stable ids, write persons and mention_person."""
    stats = resolve(con, progress, keep_model=keep_model)
    stats.update(stable_ids.assign_ids(con, "pp_final"))
    write_tables(con)
    if keep_model:  # what the next build compares with, once the tables are written
        con.execute("BEGIN TRANSACTION")
        kept_model.save(con)
        regions.save(con)
        con.execute("COMMIT")
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() "
                               "WHERE temporary AND table_name LIKE 'pp\\_%' ESCAPE '\\'"
                               ).fetchall():
        con.execute(f"DROP TABLE IF EXISTS {name}")  # free the memory for later stages
    progress("people", 1, 1, "done")
    summary = {k: stats[k] for k in ("mentions", "persons", "ids_kept_from_previous_build",
                                     "persons_with_two_openreview_ids", "seconds")}
    summary["m_u"] = stats["model"]["m_u"]
    summary["mentions_resolved"] = stats["mentions_resolved"]
    return summary


def write_tables(con: duckdb.DuckDBPyConnection) -> None:
    """persons and mention_person from pp_final + pp_person_of."""
    con.execute("""
    CREATE OR REPLACE TABLE mention_person AS
    SELECT m.paper_id, m.position, p.person_id, f.method, f.confidence, f.evidence
      FROM pp_final f JOIN pp_mentions m USING (mkey) JOIN pp_person_of p USING (cluster)
    """)
    con.execute("""
    CREATE OR REPLACE TABLE persons AS
    WITH mm AS (
        SELECT mp.person_id, m.* FROM mention_person mp
          JOIN pp_mentions m ON m.paper_id = mp.paper_id AND m.position = mp.position
    ), names AS (
        SELECT person_id, raw_name, count(*) AS c, bool_or(given_is_initial) AS ini
          FROM mm GROUP BY ALL
    ), canon AS (
        SELECT person_id, raw_name AS canonical_name FROM names
        QUALIFY row_number() OVER (PARTITION BY person_id
                ORDER BY ini, c DESC, length(raw_name) DESC, raw_name) = 1
    ), ids AS (
        SELECT mp.person_id,
               list(DISTINCT e.val ORDER BY e.val) FILTER (e.kind = 'or') AS openreview_ids,
               list(DISTINCT e.val ORDER BY e.val) FILTER (e.kind = 'orcid') AS orcids,
               list(DISTINCT e.val ORDER BY e.val) FILTER (e.kind = 'dblp') AS dblp_ids,
               list(DISTINCT e.val ORDER BY e.val) FILTER (e.kind = 'gs') AS google_scholar_ids,
               list(DISTINCT e.val ORDER BY e.val) FILTER (e.kind = 'acl') AS acl_ids,
               list(DISTINCT e.val ORDER BY e.val) FILTER (e.kind = 'ieee') AS ieee_ids
          FROM mention_person mp
          JOIN pp_idedges e ON e.mkey = mp.paper_id || '#' || mp.position
         GROUP BY ALL
    )
    SELECT mm.person_id, any_value(c.canonical_name) AS canonical_name,
           list(DISTINCT mm.raw_name ORDER BY mm.raw_name) AS name_variants,
           coalesce(any_value(i.openreview_ids), []) AS openreview_ids,
           coalesce(any_value(i.orcids), []) AS orcids,
           coalesce(any_value(i.dblp_ids), []) AS dblp_ids,
           coalesce(any_value(i.google_scholar_ids), []) AS google_scholar_ids,
           coalesce(any_value(i.acl_ids), []) AS acl_ids,
           coalesce(any_value(i.ieee_ids), []) AS ieee_ids,
           count(*) AS n_mentions, min(mm.year) AS first_year, max(mm.year) AS last_year
      FROM mm JOIN canon c USING (person_id) LEFT JOIN ids i USING (person_id)
     GROUP BY mm.person_id
    """)
