"""Strong identifiers: the mentions they tie together for sure, as connected components in SQL.

An id links only mentions of ONE person, so a value is dropped (left to the model) when the data
shows it is not personal: any id that appears with two different OpenReview profiles, and plain
ACL Anthology slugs of common names (the Anthology only disambiguates people it knows about, so
'w/wei-wang' can lump several Wei Wangs; suffixed slugs like 'y/yang-liu-icsi' are kept).
An e-mail is also dropped for a mention when the record misplaced it: it names another author of
the same paper and nothing of this author's name (an ICLR 2019 record lists Levine's and Bengio's
e-mails in swapped places, which made one person of the two).
"""

from __future__ import annotations

import duckdb

# Kinds whose values are unique per person AND of which a person has one: two clusters with
# different values of such a kind are never merged (cannot-link). E-mails, IEEE numbers and ACL
# slugs are not in it: people change e-mail, and IEEE/ACL split some people over several ids.
CANNOT_LINK_KINDS = ("or", "orcid", "dblp", "gs")
# Anchor rank of a component: lower is stronger; decides who attaches to whom (see cluster.py).
ANCHOR_RANK_SQL = """CASE WHEN len(or_ids) > 0 THEN 1
     WHEN len(orcids) + len(dblps) + len(gss) > 0 THEN 2
     WHEN has_acl THEN 3 WHEN has_email THEN 4 WHEN has_ieee THEN 5 ELSE 9 END"""
COMMON_NAME_MENTIONS = 20  # a plain ACL slug of a name this frequent is not trusted


def build_id_edges(con: duckdb.DuckDBPyConnection) -> int:
    """pp_idedges(mkey, kind, val): the trusted strong ids of every mention."""
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_idedges AS
    WITH e AS (
        SELECT mkey, 'or' AS kind, openreview_id AS val FROM pp_mentions
         WHERE openreview_id IS NOT NULL
        UNION ALL SELECT mkey, 'orcid', orcid FROM pp_mentions WHERE orcid IS NOT NULL
        UNION ALL SELECT mkey, 'dblp', dblp FROM pp_mentions WHERE dblp IS NOT NULL
        UNION ALL SELECT mkey, 'gs', google_scholar FROM pp_mentions
                   WHERE google_scholar IS NOT NULL
        UNION ALL SELECT mkey, 'email', email FROM pp_mentions
                   WHERE email IS NOT NULL AND contains(email, '@')
        UNION ALL SELECT mkey, 'ieee', ieee_id FROM pp_mentions WHERE ieee_id IS NOT NULL
        UNION ALL SELECT mkey, 'acl', acl_id FROM pp_mentions WHERE acl_id IS NOT NULL
    ),
    or_per_val AS (  -- an id seen with two OpenReview profiles is not one person's
        SELECT e.kind, e.val, count(DISTINCT m.openreview_id) AS n_or
          FROM e JOIN pp_mentions m USING (mkey) GROUP BY ALL
    ),
    name_freq AS (SELECT first_last, count(*) AS n FROM pp_mentions GROUP BY ALL),
    acl_parts AS (
        SELECT DISTINCT string_split(trim(acl_id, '/'), '-') AS parts FROM pp_mentions
         WHERE acl_id IS NOT NULL
    ),
    acl_prefixes AS (  -- 'y/yang-liu' is a prefix of 'y/yang-liu-icsi': a disambiguated name
        SELECT DISTINCT array_to_string(parts[1:i], '-') AS p
          FROM acl_parts, range(1, len(parts)) t(i)
    ),
    acl_plain AS (  -- slug that is just the name, e.g. 'w/wei-wang' for 'Wei Wang'
        SELECT DISTINCT acl_id AS val FROM pp_mentions m JOIN name_freq f USING (first_last)
         WHERE acl_id IS NOT NULL
           AND regexp_replace(split_part(trim(acl_id, '/'), '/', -1), '[^a-z0-9]+', '', 'g')
               = regexp_replace(lower(strip_accents(raw_name)), '[^a-z0-9]+', '', 'g')
           AND (f.n >= {COMMON_NAME_MENTIONS}
                OR trim(acl_id, '/') IN (SELECT p FROM acl_prefixes))
    ),
    email_local AS (
        SELECT mkey, split_part(mkey, '#', 1) AS paper, first_last,
               regexp_replace(split_part(email, '@', 1), '[^a-z]', '', 'g') AS local
          FROM pp_mentions WHERE email IS NOT NULL AND contains(email, '@')
    ),
    email_misplaced AS (  -- names a coauthor (surname of 4+ letters), not this author
        SELECT DISTINCT a.mkey FROM email_local a
          JOIN (SELECT mkey, split_part(mkey, '#', 1) AS paper,
                       split_part(first_last, ' ', -1) AS family FROM pp_mentions) b
            ON b.paper = a.paper AND b.mkey <> a.mkey
         WHERE length(b.family) >= 4 AND contains(a.local, b.family)
           AND NOT coalesce(list_bool_or(list_transform(string_split(a.first_last, ' '),
                                                        t -> length(t) >= 3
                                                             AND contains(a.local, t))), false)
    )
    SELECT e.* FROM e JOIN or_per_val p USING (kind, val)
     WHERE (e.kind = 'or' OR p.n_or <= 1)
       AND NOT (e.kind = 'acl' AND e.val IN (SELECT val FROM acl_plain))
       AND NOT (e.kind = 'email' AND e.mkey IN (SELECT mkey FROM email_misplaced))
    """)
    return con.execute("SELECT count(*) FROM pp_idedges").fetchone()[0]


def build_components(con: duckdb.DuckDBPyConnection, max_rounds: int = 50) -> int:
    """pp_comp(mkey, comp): mentions sharing a trusted id, transitively; comp = smallest mkey.

    Min-label propagation over the mention-id graph: each round is two GROUP BYs, and the number
    of rounds is the longest id chain (a handful), so this runs the same way on Spark.
    """
    con.execute("""
    CREATE OR REPLACE TEMP TABLE pp_comp AS
    SELECT DISTINCT mkey, mkey AS comp FROM pp_idedges
    """)
    for _ in range(max_rounds):
        con.execute("""
        CREATE OR REPLACE TEMP TABLE pp_idcomp AS
        SELECT e.kind, e.val, min(c.comp) AS comp
          FROM pp_idedges e JOIN pp_comp c USING (mkey) GROUP BY ALL
        """)
        con.execute("""
        CREATE OR REPLACE TEMP TABLE pp_comp_next AS
        SELECT e.mkey, min(i.comp) AS comp
          FROM pp_idedges e JOIN pp_idcomp i USING (kind, val) GROUP BY ALL
        """)
        changed = con.execute("""
        SELECT count(*) FROM pp_comp_next n JOIN pp_comp c USING (mkey) WHERE n.comp < c.comp
        """).fetchone()[0]
        con.execute("CREATE OR REPLACE TEMP TABLE pp_comp AS SELECT * FROM pp_comp_next")
        if not changed:
            break
    con.execute("DROP TABLE IF EXISTS pp_comp_next")
    con.execute("DROP TABLE IF EXISTS pp_idcomp")
    return con.execute("SELECT count(DISTINCT comp) FROM pp_comp").fetchone()[0]
