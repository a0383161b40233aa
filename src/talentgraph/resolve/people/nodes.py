"""Nodes: groups of mentions already known to be one person, with their pooled evidence.

A node is a strong-id component or a lone mention at the start, and a cluster after each round
of resolution. Pooling the evidence of all its mentions (coauthors, organisations, topic terms,
years) is what lets a new mention be compared with a whole career instead of one paper.
"""

from __future__ import annotations

import duckdb

from talentgraph.resolve.people.strong_ids import ANCHOR_RANK_SQL

EXACT_BLOCK_CAP = 20  # nodes per exact-name bucket (see fl_keys below); 60 scored 1.3x more
# pairs for the same benchmark accuracy (B-cubed 0.9916 vs 0.9917)
# A family+initial block joined on a shared organisation or coauthor key compares every pair of
# the group; groups larger than this ('wang|y' at one big university) are left to the exact-name
# buckets, which keeps the pair count linear (their pairs are mostly different given names).
EVIDENCE_GROUP_CAP = 100
TOP_PER_NAME = 10  # strongest nodes of a name that are compared with every node of that name


def _nonempty(expr: str) -> str:
    return f"CASE WHEN len({expr}) = 0 THEN NULL ELSE {expr} END"


def build_nodes(con: duckdb.DuckDBPyConnection, assign: str, out: str = "pp_nodes") -> int:
    """Aggregate pp_mentions by `assign`(mkey, node) into `out`, the input of the Splink model."""
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE {out}_names AS
    SELECT a.node, m.full_name, m.given, m.middle, m.family, m.given_is_initial, m.first_last,
           m.last_first, m.bk, m.name_amb, count(*) AS c
      FROM {assign} a JOIN pp_mentions m USING (mkey) WHERE m.family <> ''
     GROUP BY a.node, m.full_name, m.given, m.middle, m.family, m.given_is_initial,
              m.first_last, m.last_first, m.bk, m.name_amb
    QUALIFY row_number() OVER (PARTITION BY a.node
            ORDER BY m.given_is_initial, c DESC, length(m.full_name) DESC, m.full_name) = 1
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE {out} AS
    WITH agg AS (
        SELECT a.node, count(*) AS n_mentions, min(m.year) AS min_year, max(m.year) AS max_year,
               list_distinct(flatten(list(coalesce(m.coauthor_keys, [])))) AS coauthor_keys,
               list_distinct(flatten(list(coalesce(m.org_keys, [])))) AS org_keys,
               list_distinct(flatten(list(coalesce(m.terms, [])))) AS terms,
               list(DISTINCT m.paper_id) AS papers,
               list(DISTINCT m.openreview_id) FILTER (m.openreview_id IS NOT NULL) AS or_ids,
               list(DISTINCT e.val) FILTER (e.kind = 'orcid') AS orcids,
               list(DISTINCT e.val) FILTER (e.kind = 'dblp') AS dblps,
               list(DISTINCT e.val) FILTER (e.kind = 'gs') AS gss,
               bool_or(e.kind = 'acl') AS has_acl, bool_or(e.kind = 'email') AS has_email,
               bool_or(e.kind = 'ieee') AS has_ieee
          FROM {assign} a JOIN pp_mentions m USING (mkey)
          LEFT JOIN pp_idedges e ON e.mkey = m.mkey AND e.kind IN ('orcid','dblp','gs','acl',
                                                                    'email','ieee')
         GROUP BY a.node
    ), base AS (
        SELECT n.node AS unique_id, n.full_name, n.given, n.middle, n.family, n.given_is_initial,
               n.first_last, n.last_first, n.bk, n.name_amb, g.n_mentions, g.min_year, g.max_year,
               {_nonempty('g.coauthor_keys')} AS coauthor_keys,
               {_nonempty('g.org_keys')} AS org_keys,
               {_nonempty('g.terms')} AS terms,
               g.papers,
               coalesce(g.or_ids, []) AS or_ids, coalesce(g.orcids, []) AS orcids,
               coalesce(g.dblps, []) AS dblps, coalesce(g.gss, []) AS gss,
               coalesce(g.has_acl, false) AS has_acl, coalesce(g.has_email, false) AS has_email,
               coalesce(g.has_ieee, false) AS has_ieee
          FROM {out}_names n JOIN agg g USING (node)
    ), ranked AS (
        SELECT b.*, {ANCHOR_RANK_SQL} AS anchor_rank,
               count(*) OVER (PARTITION BY first_last) AS fl_count,
               row_number() OVER (PARTITION BY first_last
                   ORDER BY {ANCHOR_RANK_SQL}, n_mentions DESC, unique_id) AS fl_rank
          FROM base b
    ), counts AS (SELECT first_last, count(*) AS n FROM base GROUP BY ALL
    ), evid AS (  -- (family+initial, org or coauthor key) groups and their sizes
        SELECT unique_id, bk, 'o' AS t, unnest(org_keys) AS k FROM base
        UNION ALL SELECT unique_id, bk, 'c', unnest(coauthor_keys) FROM base
    ), evid_n AS (SELECT bk, t, k, count(*) AS n FROM evid GROUP BY ALL
    ), blk AS (   -- blocking keys: only groups small enough to compare all their pairs
        SELECT e.unique_id,
               list(e.bk || '|' || e.t || '|' || e.k) FILTER (n.n <= {EVIDENCE_GROUP_CAP})
                 AS evidence_keys
          FROM evid e JOIN evid_n n USING (bk, t, k) GROUP BY e.unique_id
    )
    SELECT r.*, CASE WHEN len(blk.evidence_keys) > 0 THEN blk.evidence_keys END
                  AS evidence_keys,
           -- exact-name blocking keys: a block of n nodes is cut into ceil(n / CAP) random
           -- buckets; its TOP strongest nodes (anchors, prolific clusters) are in every bucket,
           -- so each node meets the careers of its name while pairs stay ~ n * (CAP + TOP)
           CASE WHEN r.given = '' THEN NULL
                WHEN r.fl_rank <= {TOP_PER_NAME} THEN list_transform(
                     range(CAST(ceil(r.fl_count / {EXACT_BLOCK_CAP}) AS BIGINT)),
                     b -> r.first_last || '#' || b)
                ELSE [r.first_last || '#' || (hash(r.unique_id) %
                      CAST(ceil(r.fl_count / {EXACT_BLOCK_CAP}) AS BIGINT))]
           END AS fl_keys,
           CASE WHEN r.given <> '' AND r.given <> r.family
                 AND coalesce(c.n, 0) BETWEEN 1 AND {EXACT_BLOCK_CAP}
                 AND r.fl_count <= {EXACT_BLOCK_CAP} THEN r.last_first END AS lf_block
      FROM ranked r LEFT JOIN counts c ON c.first_last = r.last_first
      LEFT JOIN blk ON blk.unique_id = r.unique_id
    """)
    con.execute(f"DROP TABLE IF EXISTS {out}_names")
    return con.execute(f"SELECT count(*) FROM {out}").fetchone()[0]
