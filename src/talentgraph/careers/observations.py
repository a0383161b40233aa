"""Affiliation observations: one row per (person, mention, organisation) with how much it weighs.

Why the weights are what they are:
- `paper`: the paper itself attributes the affiliation to this author (proceedings, ACL, CVF...):
  it is dated by the conference year. A mention with one organisation is the strongest record
  we have (1.0); a mention listing several (professor + lab) is still attributed but tells of a
  dual affiliation (0.8).
- `profile`: OpenReview-derived files (record families A and B) copy the author's profile
  affiliation, which may be the profile's CURRENT entry rather than the one at the paper's date
  ("Google DeepMind" on a 2021 paper). It says where the person was at some time, weakly when
  (0.6). Where the organisations helper records an alias validity date that the paper predates,
  the observation is moved to the alias' first valid year (`dating = 'alias_valid_from'`).
  All mentions of one profile in one file are ONE snapshot, so corroboration counts files.
- `paper_set`: the paper lists organisations without saying who holds which. With a single
  organisation every author is very likely there (0.5); with several it says nearly nothing
  (0.15) and never counts towards a move.
"""

from __future__ import annotations

import duckdb

PROFILE_FAMILIES = ("A", "B")

# Role text (mentions.role, e.g. "PhD student", "Research Scientist", "Intern") -> a role kind.
ROLE_KIND_SQL = """
CASE
  WHEN {r} IS NULL OR trim({r}) = '' THEN NULL
  WHEN lower({r}) LIKE '%intern%' THEN 'intern'
  WHEN lower({r}) LIKE '%visit%' THEN 'visitor'
  WHEN lower({r}) LIKE '%postdoc%' OR lower({r}) LIKE '%post-doc%'
       OR lower({r}) LIKE '%post doc%' THEN 'postdoc'
  WHEN lower({r}) LIKE '%student%' OR lower({r}) LIKE '%phd%' OR lower({r}) LIKE '%master%'
       OR lower({r}) LIKE '%undergrad%' OR lower({r}) LIKE '%candidate%' THEN 'student'
  WHEN lower({r}) LIKE '%professor%' OR lower({r}) LIKE '%lecturer%'
       OR lower({r}) LIKE '%faculty%' OR lower({r}) LIKE '%instructor%' THEN 'faculty'
  ELSE 'staff'
END
"""

# Below this weight an observation is shown in a timeline but never shapes spells or moves.
MIN_WEIGHT = 0.3
# An observation this strong on its own (attributed by the paper, one organisation) corroborates
# one side of a move without a second record.
STRONG_WEIGHT = 0.9


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()[0] > 0


def _column_exists(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
        [table, column],
    ).fetchone()[0] > 0


def _alias_dates_sql(con: duckdb.DuckDBPyConnection) -> str:
    """A (alias_key, org_id, valid_from_year) relation; empty when no alias dates are known."""
    if not (table_exists(con, "org_aliases") and _column_exists(con, "org_aliases", "valid_from")):
        return "SELECT NULL::VARCHAR AS alias_key, NULL::VARCHAR AS org_id, " \
               "NULL::INTEGER AS from_year WHERE false"
    # valid_from may be a DATE, a timestamp, an integer year or a 'YYYY[-MM-DD]' string.
    return """
        SELECT lower(trim(alias)) AS alias_key, org_id,
               min(coalesce(TRY_CAST(left(CAST(valid_from AS VARCHAR), 4) AS INTEGER), NULL))
                 AS from_year
        FROM org_aliases WHERE valid_from IS NOT NULL GROUP BY ALL
    """


def build_observations(con: duckdb.DuckDBPyConnection, mention_person: str = "mention_person",
                       table: str = "affiliation_obs") -> int:
    """(Re)build `table` from mentions, `mention_person`, mention_orgs and paper_orgs."""
    role_part = ("CASE WHEN m.role IS NULL THEN NULL "
                 "WHEN len(string_split(m.role, '+')) = mo.n_orgs "
                 "THEN trim(string_split(m.role, '+')[mo.idx + 1]) ELSE trim(m.role) END")
    has_paper_orgs = table_exists(con, "paper_orgs")
    paper_set = """
        UNION ALL
        SELECT mp.person_id, m.paper_id, m.position, m.year, po.org_id, 0 AS idx,
               po.n_orgs, m.role, 'paper_set' AS evidence, m.source_file, m.record_id,
               CASE WHEN po.n_orgs = 1 THEN 0.5 ELSE 0.15 END * mp.person_conf AS weight,
               m.year AS eff_year, 'paper_year' AS dating, m.paper_id AS key
        FROM mp JOIN m USING (paper_id, position)
        JOIN (SELECT paper_id, org_id, count(*) OVER (PARTITION BY paper_id) AS n_orgs
              FROM (SELECT DISTINCT paper_id, org_id FROM paper_orgs WHERE org_id IS NOT NULL)
             ) po USING (paper_id)
        WHERE NOT EXISTS (SELECT 1 FROM mo WHERE mo.paper_id = m.paper_id
                          AND mo.position = m.position)
    """ if has_paper_orgs else ""
    role_sql = ROLE_KIND_SQL.format(r="role_part")
    anach = ("coalesce(anachronistic, false)"
             if _column_exists(con, "mention_orgs", "anachronistic") else "false")
    con.execute(f"""
    CREATE OR REPLACE TABLE {table} AS
    WITH mp AS (
        SELECT paper_id, position, person_id,
               least(greatest(coalesce(TRY_CAST(confidence AS DOUBLE), 1.0), 0.0), 1.0)
                 AS person_conf
        FROM {mention_person} WHERE person_id IS NOT NULL
    ),
    m AS (
        SELECT m.paper_id, m.position, m.year, m.role, m.raw_affiliation, m.aff_norm,
               m.source_file, m.record_id, s.family
        FROM mentions m LEFT JOIN sources s USING (source_file)
    ),
    mo AS (
        SELECT paper_id, position, org_id,
               row_number() OVER (PARTITION BY paper_id, position ORDER BY rank, org_id) - 1
                 AS idx,
               count(*) OVER (PARTITION BY paper_id, position) AS n_orgs,
               least(greatest(coalesce(TRY_CAST(confidence AS DOUBLE), 1.0), 0.0), 1.0)
                 AS org_conf, {anach} AS anachronistic
        FROM (SELECT DISTINCT ON (paper_id, position, org_id) * FROM mention_orgs
              WHERE org_id IS NOT NULL ORDER BY paper_id, position, org_id, rank)
    ),
    alias_dates AS ({_alias_dates_sql(con)}),
    attributed AS (
        SELECT mp.person_id, m.paper_id, m.position, m.year, mo.org_id, mo.idx, mo.n_orgs,
               m.role,
               CASE WHEN m.family IN {PROFILE_FAMILIES} THEN 'profile' ELSE 'paper' END
                 AS evidence,
               m.source_file, m.record_id,
               CASE WHEN m.family IN {PROFILE_FAMILIES}
                    THEN CASE WHEN mo.n_orgs = 1 THEN 0.6 ELSE 0.5 END
                    ELSE CASE WHEN mo.n_orgs = 1 THEN 1.0 ELSE 0.8 END
               END * mp.person_conf * mo.org_conf
                 -- flagged anachronistic by the organisations stage but no alias date to
                 -- re-date it: where, yes; when, hardly.
                 * CASE WHEN mo.anachronistic AND ad.from_year IS NULL THEN 0.7 ELSE 1.0 END
                 AS weight,
               CASE WHEN m.family IN {PROFILE_FAMILIES} AND ad.from_year > m.year
                    THEN ad.from_year ELSE m.year END AS eff_year,
               CASE WHEN m.family IN {PROFILE_FAMILIES} AND ad.from_year > m.year
                    THEN 'alias_valid_from'
                    WHEN mo.anachronistic THEN 'anachronistic'
                    WHEN m.family IN {PROFILE_FAMILIES} THEN 'profile'
                    ELSE 'paper_year' END AS dating,
               CASE WHEN m.family IN {PROFILE_FAMILIES} THEN m.source_file
                    ELSE m.paper_id END AS key
        FROM mp JOIN m USING (paper_id, position)
        JOIN mo USING (paper_id, position)
        LEFT JOIN alias_dates ad
          ON ad.org_id = mo.org_id
         AND ad.alias_key IN (lower(trim(m.raw_affiliation)), lower(trim(m.aff_norm)))
    ),
    unioned AS (
        SELECT * FROM attributed
        {paper_set}
    )
    SELECT person_id, paper_id, position, year, eff_year, org_id, idx AS rank, n_orgs,
           role, {role_sql.replace('role_part', 'role_one')} AS role_kind, evidence, dating,
           round(weight, 3) AS weight, key, source_file, record_id
    FROM (
        SELECT DISTINCT ON (person_id, paper_id, position, org_id) *,
               {role_part.replace('m.role', 'role').replace('mo.', '')} AS role_one
        FROM unioned
        WHERE year IS NOT NULL
        -- the rest breaks ties (two alias dates of one name) the same way on every build
        ORDER BY person_id, paper_id, position, org_id, weight DESC, eff_year, dating, evidence
    )
    ORDER BY person_id, eff_year, org_id
    """)
    _check_alignment(con, table)
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _check_alignment(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rate each profile record by whether its paper's author/affiliation lists line up.

    In OpenReview-derived files a record's affiliation list is sometimes shifted against its
    author list (an author's slot shows a coauthor's affiliation). A shifted record shows it in
    its other authors: their affiliation on it is not one they have in any other file. Leave one
    out: for an author, count the OTHER authors of the paper who can be checked (they have
    records in other files) and how many of them have this paper's organisation elsewhere too.
    `aligned`: at least half of >= 1 checkable coauthors agree (weight 0.6 -> 0.75);
    `suspect`: fewer than half of >= 2 agree (weight x 0.4: below MIN_WEIGHT, display only);
    `own`: fewer than half agree, but no other author of the paper holds this record's
    organisation in another file, so it cannot be a coauthor's affiliation shifted into this
    author's slot (weight unchanged);
    `unchecked` otherwise (weight unchanged).
    """
    # Agreement is judged on the top-level organisation (DeepMind here, Google DeepMind there
    # is the same employer for this purpose), where the orgs table knows it.
    top = ("(SELECT coalesce(g.top_parent_id, g.org_id) FROM orgs g WHERE g.org_id = {c})"
           if table_exists(con, "orgs") and _column_exists(con, "orgs", "top_parent_id")
           else "{c}")
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE _careers_align AS
    WITH tops AS (
        SELECT DISTINCT org_id, coalesce({top.format(c="x.org_id")}, x.org_id) AS top_id
        FROM (SELECT DISTINCT org_id FROM {table}) x
    ),
    obs AS (SELECT o.person_id, o.paper_id, o.position, o.source_file, o.evidence, o.weight,
                   t.top_id
            FROM {table} o JOIN tops t USING (org_id)),
    p AS (SELECT DISTINCT person_id, paper_id, position, top_id, source_file
          FROM obs WHERE evidence = 'profile'),
    c AS (
        SELECT p.person_id, p.paper_id, p.position,
               coalesce(bool_or(o.top_id = p.top_id), false) AS confirmed,
               count(o.top_id) > 0 AS checkable
        FROM p LEFT JOIN obs o
          ON o.person_id = p.person_id AND o.source_file <> p.source_file
         AND o.weight >= {MIN_WEIGHT}
        GROUP BY ALL
    ),
    per_paper AS (
        SELECT paper_id, count(*) FILTER (checkable) AS n_chk,
               count(*) FILTER (confirmed) AS n_conf
        FROM c GROUP BY paper_id
    ),
    -- Whether another author of the paper holds this record's organisation in other files:
    -- only then can the record's affiliation be a coauthor's shifted into this slot.
    theirs AS (
        SELECT DISTINCT p.person_id, p.paper_id, p.position
        FROM p JOIN obs mine ON mine.paper_id = p.paper_id AND mine.position <> p.position
        JOIN obs o ON o.person_id = mine.person_id AND o.top_id = p.top_id
         AND o.paper_id <> p.paper_id AND o.weight >= {MIN_WEIGHT}
        WHERE mine.person_id <> p.person_id
    )
    SELECT c.person_id, c.paper_id, c.position,
           per_paper.n_chk - c.checkable::INTEGER AS others_chk,
           per_paper.n_conf - c.confirmed::INTEGER AS others_conf,
           t.person_id IS NOT NULL AS coauthors_org
    FROM c JOIN per_paper USING (paper_id)
    LEFT JOIN theirs t USING (person_id, paper_id, position)
    """)
    con.execute(f"""
    CREATE OR REPLACE TABLE {table} AS
    SELECT o.* EXCLUDE (weight),
           CASE WHEN o.evidence <> 'profile' THEN NULL
                WHEN a.others_chk >= 1 AND 2 * a.others_conf >= a.others_chk THEN 'aligned'
                WHEN a.others_chk >= 2 AND NOT a.coauthors_org THEN 'own'
                WHEN a.others_chk >= 2 THEN 'suspect'
                ELSE 'unchecked' END AS alignment,
           round(CASE WHEN o.evidence <> 'profile' THEN o.weight
                      WHEN a.others_chk >= 1 AND 2 * a.others_conf >= a.others_chk
                        THEN o.weight * 1.25
                      WHEN a.others_chk >= 2 AND NOT a.coauthors_org THEN o.weight
                      WHEN a.others_chk >= 2 THEN o.weight * 0.4
                      ELSE o.weight END, 3) AS weight
    FROM {table} o LEFT JOIN _careers_align a USING (person_id, paper_id, position)
    ORDER BY o.person_id, o.eff_year, o.org_id
    """)
    con.execute("DROP TABLE IF EXISTS _careers_align")
