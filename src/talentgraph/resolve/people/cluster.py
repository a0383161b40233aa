"""Turning scored pairs into persons without chaining distinct people together.

Why not connected components at a threshold (Splink's cluster_pairwise_predictions_at_threshold):
one 'Yang Liu' who shares a coauthor with a second, who shares an institute with a third, would
fold 22 people into one. Instead every node may attach to ONE other node only: its best-scoring
compatible partner among the nodes that rank above it (stronger anchor first: OpenReview profile,
then ORCID/DBLP/Scholar, ACL, e-mail, IEEE, none; then more mentions). Each node has at most one
outgoing edge and edges only go up the ranking, so the result is a forest: every tree has exactly
one root, and two roots (two different OpenReview profiles, say) can never end up in one person
however much weak evidence lies between them. Two refinements came from the benchmark's errors:
anchors are preferred as parents (an id-less centre collected two Arindam Banerjees), and a full
name never attaches below a bare initial ('J. Wang' chained Jingdong, Jingbo and Jianfeng Wang).
Pairs whose nodes carry different values of a cannot-link id (OpenReview, ORCID, DBLP, Scholar)
or share a paper are never edges.
Rounds repeat this on the clusters of the previous round (their pooled evidence re-scored), so a
mention that shares nothing with a career's anchor can still join through the mentions that did.
All steps are SQL (window functions and a pointer-jumping loop), as on Spark.
"""

from __future__ import annotations

import duckdb

from talentgraph.resolve.people.model import LEVELS
from talentgraph.resolve.people.strong_ids import CANNOT_LINK_KINDS

_KIND_COL = {"or": "or_ids", "orcid": "orcids", "dblp": "dblps", "gs": "gss"}


def _conflict_sql(a: str, b: str) -> str:
    parts = []
    for kind in CANNOT_LINK_KINDS:
        c = _KIND_COL[kind]
        parts.append(f"(len({a}.{c}) > 0 AND len({b}.{c}) > 0 "
                     f"AND NOT list_has_any({a}.{c}, {b}.{c}))")
    return "(" + " OR ".join(parts) + ")"


def _evidence_sql() -> str:
    """'name +4.0; coauthors +3.9; orgs -1.6; ...': the log2 Bayes factor each comparison gave."""
    parts = [f"'{c} ' || CASE WHEN mw_{c} >= 0 THEN '+' ELSE '' END || round(mw_{c}, 1)"
             for c in LEVELS]
    return " || '; ' || ".join(parts)


def attach(con: duckdb.DuckDBPyConnection, nodes: str, scores: str, threshold: float,
           out: str) -> dict[str, int]:
    """out(node, root, p, evidence): every node's tree root after one round of attachment, with
    the probability and evidence of the node's own attachment edge (NULL for roots)."""
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_prio AS
    SELECT unique_id, row_number() OVER (ORDER BY anchor_rank, n_mentions DESC, unique_id) AS prio
      FROM {nodes}
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_best AS
    WITH e AS (
        SELECT unique_id_l AS a, unique_id_r AS b, match_probability AS p, {_evidence_sql()}
               AS evidence FROM {scores} WHERE match_probability >= {threshold}
        UNION ALL
        SELECT unique_id_r, unique_id_l, match_probability, {_evidence_sql()} FROM {scores}
         WHERE match_probability >= {threshold}
    )
    SELECT e.a AS node, e.b AS parent, e.p, e.evidence
      FROM e JOIN pp_prio pa ON pa.unique_id = e.a JOIN pp_prio pb ON pb.unique_id = e.b
      JOIN {nodes} na ON na.unique_id = e.a JOIN {nodes} nb ON nb.unique_id = e.b
     WHERE pb.prio < pa.prio
       AND NOT {_conflict_sql('na', 'nb')}
       AND NOT list_has_any(na.papers, nb.papers)
       -- a full name never hangs under a bare initial: 'J. Wang' fits Jingdong, Jingbo and
       -- Jianfeng Wang alike and would chain them; the initial attaches to a full name instead
       AND NOT ((nb.given_is_initial OR nb.given = '')
                AND NOT (na.given_is_initial OR na.given = ''))
    -- an anchor (a node with a strong id) is preferred to an id-less node: an id-less parent
    -- could itself be any of several namesakes, an anchor is one person
    QUALIFY row_number() OVER (PARTITION BY e.a
            ORDER BY (nb.anchor_rank < 9) DESC, e.p DESC, pb.prio) = 1
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_ptr AS
    SELECT n.unique_id AS node, coalesce(b.parent, n.unique_id) AS root, b.p, b.evidence
      FROM {nodes} n LEFT JOIN pp_best b ON b.node = n.unique_id
    """)
    jumps = 0
    while True:  # pointer jumping: depth halves every pass
        changed = con.execute("""
            SELECT count(*) FROM pp_ptr a JOIN pp_ptr b ON b.node = a.root
             WHERE b.root <> a.root""").fetchone()[0]
        if not changed:
            break
        con.execute("""
        CREATE OR REPLACE TEMP TABLE pp_ptr AS
        SELECT a.node, b.root, a.p, a.evidence FROM pp_ptr a JOIN pp_ptr b ON b.node = a.root
        """)
        jumps += 1
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT * FROM pp_ptr")
    attached = con.execute("SELECT count(*) FROM pp_best").fetchone()[0]
    return {"attached": attached, "pointer_jumps": jumps}


def conflicting_roots(con: duckdb.DuckDBPyConnection, assign: str) -> int:
    """Persons that ended up with two different OpenReview ids (should be 0; reported)."""
    return con.execute(f"""
        SELECT count(*) FROM (
          SELECT a.node FROM {assign} a JOIN pp_mentions m USING (mkey)
           WHERE m.openreview_id IS NOT NULL
           GROUP BY a.node HAVING count(DISTINCT m.openreview_id) > 1)""").fetchone()[0]
