"""Person ids that survive a rebuild with more data.

A fresh id is a hash of the cluster's most stable anchor: its strongest id (OpenReview before
ORCID, DBLP, Scholar, ACL, e-mail, IEEE) or, for a cluster without ids, its smallest mention key.
On top of that, person_keys (never dropped by a rebuild) remembers which keys (mention keys and
strong ids) belonged to which person id; a rebuilt cluster takes over the id most of its keys
had, so a person keeps their id when new mentions join, when an earlier mention changes the
anchor, or when two old persons merge (the larger keeps its id). When a person splits, the part
with most of the old keys keeps the id and the rest get fresh ones.
"""

from __future__ import annotations

import duckdb

_KIND_ORDER = "CASE kind WHEN 'or' THEN 1 WHEN 'orcid' THEN 2 WHEN 'dblp' THEN 3 WHEN 'gs' " \
              "THEN 4 WHEN 'acl' THEN 5 WHEN 'email' THEN 6 WHEN 'ieee' THEN 7 ELSE 9 END"


def assign_ids(con: duckdb.DuckDBPyConnection, clusters: str) -> dict[str, int]:
    """pp_person_of(cluster, person_id) for `clusters`(mkey, cluster); updates person_keys."""
    con.execute("CREATE TABLE IF NOT EXISTS person_keys (key VARCHAR, person_id VARCHAR)")
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_keys AS
    SELECT c.cluster, 'm:' || c.mkey AS key, 9 AS strength FROM {clusters} c
    UNION ALL
    SELECT c.cluster, e.kind || ':' || e.val, {_KIND_ORDER} FROM {clusters} c
      JOIN pp_idedges e USING (mkey)
    """)
    con.execute("""
    CREATE OR REPLACE TEMP TABLE pp_fresh AS
    SELECT cluster, 'p' || substr(md5(arg_min(key, (strength, key))), 1, 12) AS fresh
      FROM (SELECT DISTINCT cluster, key, strength FROM pp_keys) GROUP BY cluster
    """)
    con.execute("""
    CREATE OR REPLACE TEMP TABLE pp_person_of AS
    WITH votes AS (
        SELECT k.cluster, pk.person_id, count(DISTINCT k.key) AS n
          FROM pp_keys k JOIN person_keys pk USING (key) GROUP BY k.cluster, pk.person_id
    ), best_old AS (   -- each cluster's best old id, each old id to its best cluster
        SELECT * FROM votes
        QUALIFY row_number() OVER (PARTITION BY cluster ORDER BY n DESC, person_id) = 1
    ), kept AS (
        SELECT * FROM best_old
        QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY n DESC, cluster) = 1
    )
    SELECT f.cluster,
           CASE WHEN k.person_id IS NOT NULL THEN k.person_id
                WHEN f.fresh IN (SELECT person_id FROM kept) THEN
                     'p' || substr(md5(f.fresh || f.cluster), 1, 12)
                ELSE f.fresh END AS person_id,
           k.person_id IS NOT NULL AS kept_old
      FROM pp_fresh f LEFT JOIN kept k USING (cluster)
    """)
    kept = con.execute("SELECT count(*) FILTER (WHERE kept_old) FROM pp_person_of").fetchone()[0]
    con.execute("DELETE FROM person_keys")
    con.execute("""
    INSERT INTO person_keys SELECT DISTINCT k.key, p.person_id
      FROM pp_keys k JOIN pp_person_of p USING (cluster)
    """)
    return {"persons": con.execute("SELECT count(*) FROM pp_person_of").fetchone()[0],
            "ids_kept_from_previous_build": kept}
