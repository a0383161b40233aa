"""Linked, dated positions as affiliation observations: the careers stage reads them beside the
paper records, so positions bound spells and make or block moves by the same rules.

A position from year y0 to y1 becomes one observation per year (one independent record: its
`key` is the position), with `evidence = 'position'`, `paper_id` = the position id and
`source_file` = its unit. y0 is the start year (else the end or seen year); y1 the end year,
or for an open position the later of the start year and the year a source last saw it held
(`positions.seen_date`): an open position says nothing of the years after it was last seen.
At most MAX_YEARS observations per position.

Weight: 1.0 (a strong record, see timelines.Obs.strong) when the position is linked to its
person by an id or by the organisation in the person's papers; 0.6 when by a unique name only
(a spell then needs a second record to be corroborated).

Role kinds: an intern title or employment type makes `intern`, a visiting title `visitor`, an
adviser, board member, volunteer or affiliate `affiliate`: away kinds that never make a job move
(timelines.AWAY_KINDS). Otherwise the kinds of paper roles (observations.ROLE_KIND_SQL).
"""

from __future__ import annotations

import duckdb

from talentgraph.careers.observations import ROLE_KIND_SQL, table_exists
from talentgraph.careers.positions import STRONG_LINKS

MAX_YEARS = 40
WEAK_LINK_WEIGHT = 0.6
AFFILIATE_TYPES = ("advisor", "adviser", "board member", "affiliate", "volunteer")

# Paper roles' kinds without their substring test for interns ("International" is no intern).
_TITLE_KIND_SQL = ROLE_KIND_SQL.format(r="title").replace(
    "WHEN lower(title) LIKE '%intern%' THEN 'intern'", "")

POSITION_ROLE_KIND_SQL = f"""
CASE
  WHEN regexp_matches(lower(coalesce(employment_type, '') || ' ' || coalesce(title, '')),
                      '\\binterns?(hip)?\\b') THEN 'intern'
  WHEN regexp_matches(lower(coalesce(title, '')), '\\bvisiting\\b|\\bvisitor\\b') THEN 'visitor'
  WHEN lower(coalesce(employment_type, '')) IN {AFFILIATE_TYPES}
       OR regexp_matches(lower(coalesce(title, '')),
                         '\\badvis[eo]r\\b|\\bboard member\\b|\\btrustee\\b|\\bvolunteer\\b')
       THEN 'affiliate'
  WHEN title IS NULL OR trim(title) = '' THEN NULL
  ELSE {_TITLE_KIND_SQL}
END
"""


def add_position_observations(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Append the linked positions with a resolved organisation to the observations `table`;
    returns the number of observations added (0 when the store holds no positions)."""
    if not (table_exists(con, "positions") and table_exists(con, "position_links")):
        return 0
    before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    strong = ", ".join(f"'{s}'" for s in STRONG_LINKS)
    con.execute(f"""
    INSERT INTO {table} BY NAME
    WITH p AS (
        SELECT l.person_id, l.org_id, l.link, p.position_id, p.unit, p.title,
               p.employment_type,
               coalesce(year(p.start_date), year(p.end_date), year(p.seen_date)) AS y0,
               CASE WHEN p.end_date IS NOT NULL THEN year(p.end_date)
                    ELSE greatest(coalesce(year(p.start_date), 0),
                                  coalesce(year(p.seen_date), 0)) END AS y1
        FROM position_links l JOIN positions p USING (position_id)
        WHERE l.person_id IS NOT NULL AND l.org_id IS NOT NULL
    ),
    y AS (SELECT *, unnest(range(y0, least(greatest(y1, y0), y0 + {MAX_YEARS - 1}) + 1)) AS yr
          FROM p WHERE y0 IS NOT NULL)
    SELECT person_id, position_id AS paper_id, 0 AS position, yr AS year, yr AS eff_year,
           org_id, 0 AS rank, 1 AS n_orgs, title AS role,
           {POSITION_ROLE_KIND_SQL} AS role_kind,
           'position' AS evidence, 'position' AS dating,
           CASE WHEN link IN ({strong}) THEN 1.0 ELSE {WEAK_LINK_WEIGHT} END AS weight,
           position_id AS key, unit AS source_file, position_id AS record_id,
           NULL AS alignment
    FROM y
    """)
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] - before
