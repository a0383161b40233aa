"""Nodes: groups of mentions already known to be one person, with their pooled evidence.

A node is a strong-id component or a lone mention at the start, and a cluster after each round
of resolution. Pooling the evidence of all its mentions (coauthors, organisations, topic terms,
years) is what lets a new mention be compared with a whole career instead of one paper.
"""

from __future__ import annotations

import duckdb

from talentgraph.resolve.people.strong_ids import ANCHOR_RANK_SQL

EXACT_BLOCK_CAP = 60  # exact-name blocks larger than this need shared coauthor/org to pair up


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
    ), counts AS (SELECT first_last, count(*) AS n FROM base GROUP BY ALL
    ), sized AS (
        SELECT b.*, c1.n AS fl_count, coalesce(c2.n, 0) AS lf_count FROM base b
          JOIN counts c1 ON c1.first_last = b.first_last
          LEFT JOIN counts c2 ON c2.first_last = b.last_first
    )
    SELECT *, {ANCHOR_RANK_SQL} AS anchor_rank,
           -- exact-name blocks beyond the cap pair up only through shared coauthors/orgs, which
           -- keeps the number of compared pairs near-linear in the corpus size
           CASE WHEN fl_count <= {EXACT_BLOCK_CAP} AND given <> '' THEN first_last END AS fl_block,
           CASE WHEN given <> '' AND given <> family AND lf_count BETWEEN 1 AND {EXACT_BLOCK_CAP}
                AND fl_count <= {EXACT_BLOCK_CAP} THEN last_first END AS lf_block
      FROM sized
    """)
    con.execute(f"DROP TABLE IF EXISTS {out}_names")
    return con.execute(f"SELECT count(*) FROM {out}").fetchone()[0]
