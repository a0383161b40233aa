"""Which mentions a rebuild must resolve again: the name regions holding a new or changed
mention (issue #17).

Every step of the resolution after the per-mention features is local to a region of names:
blocking pairs nodes only within a family name + initial (`bk`), an exact given + family name
(`first_last`, which two parses of one string can share across two `bk`s) or its swap
(`last_first`), and a strong-id component ties its mentions whatever their names. A region is a
connected component of the names linked by those keys and by the components. Nothing else
crosses regions once the model's parameters are fixed (the attachment order compares two nodes
only; bucket sizes, group caps and rounds are per name), so with the same m/u, a region whose
mentions all have the same features as in the last build gets the same persons again.

A mention's digest covers all it brings to the resolution: its name parts, year, paper, the
ambiguity bucket of its name (model.AMBIGUITY: the scoring reads only the bucket), its
OpenReview id, its trusted strong ids and component, and its coauthor, organisation and topic
keys. A rebuild re-resolves the regions holding a mention that is new, changed, or whose last
person lost a mention (one gone or changed); the others keep the persons of the last build.
The people stage does this only while it keeps the last m/u (kept_model.py): new parameters
change every score.

A changed or gone mention also re-resolves the regions of the name it had (its block's sizes
changed there).

State: people_mention_digest(mkey, bk, first_last, last_first, digest), written by every run of
the stage.
"""

from __future__ import annotations

import duckdb

from talentgraph.resolve.people.model import AMBIGUITY

TABLE = "people_mention_digest"


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                            "AND NOT temporary", [name]).fetchone()[0])


def write_digests(con: duckdb.DuckDBPyConnection) -> None:
    """pp_digest(mkey, bk, first_last, last_first, digest) of every mention to resolve
    (pp_mentions, pp_comp and pp_idedges built)."""
    bucket = "len(list_filter([" + ", ".join(f"{a:g}" for a in AMBIGUITY) + \
        "], h -> m.name_amb > h))"
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_digest AS
    SELECT m.mkey, m.bk, m.first_last, m.last_first, md5(CAST(struct_pack(
               paper := m.paper_id, year := m.year, given := m.given, middle := m.middle,
               family := m.family, ini := m.given_is_initial, full := m.full_name,
               fl := m.first_last, lf := m.last_first, bk := m.bk, amb := {bucket},
               orid := m.openreview_id, co := list_sort(m.coauthor_keys),
               orgs := list_sort(m.org_keys), terms := list_sort(m.terms), comp := c.comp,
               ids := e.ids) AS VARCHAR)) AS digest
    FROM pp_mentions m LEFT JOIN pp_comp c USING (mkey)
    LEFT JOIN (SELECT mkey, list_sort(list(kind || ':' || val)) AS ids FROM pp_idedges
               GROUP BY mkey) e USING (mkey)
    WHERE m.family <> ''
    """)


def _regions(con: duckdb.DuckDBPyConnection) -> None:
    """pp_region(token, region): the region of each name key ('b:' + bk, 'f:' + first_last or
    last_first), by union-find over the names and the components."""
    import pyarrow as pa

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    bks: set[str] = set()
    for bk, fl, lf in con.execute("SELECT DISTINCT bk, first_last, last_first FROM pp_mentions "
                                  "WHERE family <> ''").fetchall():
        bks.add(bk)
        union("b:" + bk, "f:" + fl)
        union("b:" + bk, "f:" + lf)
    for comp_bks, in con.execute("""
            SELECT list(DISTINCT m.bk) FROM pp_comp c JOIN pp_mentions m USING (mkey)
            WHERE m.family <> '' GROUP BY c.comp HAVING count(DISTINCT m.bk) > 1""").fetchall():
        for other in comp_bks[1:]:
            union("b:" + comp_bks[0], "b:" + other)
    tokens = sorted(set(parent) | {"b:" + k for k in bks})
    table = pa.table({"token": tokens, "region": [find(k) for k in tokens]})
    con.register("pp_region_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE pp_region AS SELECT * FROM pp_region_arrow")
    con.unregister("pp_region_arrow")


def plan(con: duckdb.DuckDBPyConnection) -> int | None:
    """pp_affected(mkey): the mentions of the regions to resolve again; None (all of them)
    when the store holds no digests of a last build."""
    if not (_has(con, TABLE) and _has(con, "mention_person")):
        return None
    _regions(con)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_affected AS
    WITH changed AS (
        SELECT d.mkey FROM pp_digest d LEFT JOIN {TABLE} o USING (mkey)
        WHERE o.digest IS DISTINCT FROM d.digest
        UNION SELECT o.mkey FROM {TABLE} o ANTI JOIN pp_digest d USING (mkey)
    ), lost AS (   -- persons of the last build that lost or changed a mention
        SELECT DISTINCT mp.person_id FROM mention_person mp
        JOIN changed c ON c.mkey = mp.paper_id || '#' || mp.position
    ), seeds AS (
        SELECT mkey FROM changed
        UNION SELECT mp.paper_id || '#' || mp.position FROM mention_person mp
        JOIN lost USING (person_id)
    ), regions AS (
        SELECT r.region FROM seeds JOIN pp_digest d USING (mkey)
        JOIN pp_region r ON r.token = 'b:' || d.bk
        -- where a changed or gone mention was: its block sizes changed there
        UNION SELECT r.region FROM changed JOIN {TABLE} o USING (mkey)
        JOIN pp_region r ON r.token IN ('b:' || o.bk, 'f:' || o.first_last,
                                        'f:' || o.last_first)
    )
    SELECT d.mkey FROM pp_digest d JOIN pp_region r ON r.token = 'b:' || d.bk
    WHERE r.region IN (SELECT region FROM regions)
    """)
    return con.execute("SELECT count(*) FROM pp_affected").fetchone()[0]


def keep_the_rest(con: duckdb.DuckDBPyConnection) -> None:
    """Add to pp_final the mentions outside pp_affected, in the persons of the last build."""
    con.execute("""
    INSERT INTO pp_final
    SELECT d.mkey, 'kept:' || mp.person_id, mp.method, mp.confidence, mp.evidence
    FROM pp_digest d JOIN mention_person mp ON d.mkey = mp.paper_id || '#' || mp.position
    WHERE d.mkey NOT IN (SELECT mkey FROM pp_affected)
    """)


def save(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM pp_digest ORDER BY mkey")
