"""Where each person is now, and on what evidence (`person_now`, one row per person).

The rule (issue #13): an open position (no end date; not an intern, visitor or affiliate
position) whose start or last-seen year is at or after the person's last paper evidence gives
"now": its organisation, since its start year, last seen in the year a source last saw it held.
Otherwise the latest corroborated home spell: its organisation, last seen in its end year.
Each row names its evidence: the position (source, URL) or the spell's records.
"""

from __future__ import annotations

from typing import Any

import duckdb

from talentgraph.careers.observations import MIN_WEIGHT, table_exists
from talentgraph.careers.position_obs import POSITION_ROLE_KIND_SQL


def _no_positions() -> str:
    return ("SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS org_id, "
            "NULL::VARCHAR AS position_id, NULL::VARCHAR AS source, NULL::VARCHAR AS url, "
            "NULL::VARCHAR AS title, NULL::INTEGER AS since, NULL::INTEGER AS seen WHERE false")


def build_person_now(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build `person_now` from affiliation_obs, spells and the linked positions."""
    open_pos = _no_positions()
    if table_exists(con, "position_links") and table_exists(con, "positions"):
        open_pos = f"""
            SELECT l.person_id, l.org_id, p.position_id, p.source, p.url, p.title,
                   year(p.start_date) AS since,
                   greatest(year(p.start_date), coalesce(year(p.seen_date), 0)) AS seen
            FROM position_links l JOIN positions p USING (position_id)
            WHERE l.person_id IS NOT NULL AND l.org_id IS NOT NULL AND p.end_date IS NULL
              AND p.start_date IS NOT NULL
              AND coalesce({POSITION_ROLE_KIND_SQL}, '') NOT IN ('intern', 'visitor',
                                                                  'affiliate')"""
    # spells of a store built before positions have no position_ids column
    has_ids = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                          "'spells' AND column_name = 'position_ids'").fetchone()[0] > 0
    ids = "s.position_ids" if has_ids else "[]::VARCHAR[]"
    con.execute(f"""
    CREATE OR REPLACE TABLE person_now AS
    WITH last_paper AS (
        SELECT person_id, max(eff_year) AS y FROM affiliation_obs
        WHERE evidence <> 'position' AND weight >= {MIN_WEIGHT} GROUP BY person_id
    ),
    pos AS (
        SELECT o.*, lp.y AS last_paper_year FROM ({open_pos}) o
        LEFT JOIN last_paper lp USING (person_id)
        WHERE o.seen >= coalesce(lp.y, 0)
        QUALIFY row_number() OVER (PARTITION BY o.person_id
                                   ORDER BY o.since DESC, o.seen DESC, o.position_id) = 1
    ),
    sp AS (
        SELECT s.person_id, s.org_id, s.start_year, s.end_year, s.n_independent,
               s.evidence_kinds, {ids} AS position_ids, lp.y AS last_paper_year
        FROM spells s LEFT JOIN last_paper lp USING (person_id)
        WHERE s.kind = 'home' AND s.corroborated
        QUALIFY row_number() OVER (PARTITION BY s.person_id
                                   ORDER BY s.end_year DESC, s.start_year DESC, s.confidence DESC,
                                            s.org_id) = 1
    )
    SELECT person_id, org_id, since AS since_year, seen AS seen_year, 'open_position' AS basis,
           position_id, source, url, last_paper_year,
           'open position' || coalesce(' as ' || title, '') || ' since ' || since
             || ', last seen ' || seen || ' (' || source || coalesce(': ' || url, '') || ')'
             || coalesce('; last paper record ' || last_paper_year, '; no paper record')
             AS evidence
    FROM pos
    UNION ALL
    SELECT sp.person_id, sp.org_id, sp.start_year, sp.end_year, 'spell', NULL, NULL, NULL,
           sp.last_paper_year,
           'latest corroborated spell ' || sp.start_year || '-' || sp.end_year || ': '
             || sp.n_independent || ' independent record(s) ('
             || array_to_string(sp.evidence_kinds, ', ') || ')'
             || CASE WHEN len(coalesce(sp.position_ids, [])) > 0
                     THEN ', position(s) ' || array_to_string(sp.position_ids, ', ')
                     ELSE '' END
    FROM sp WHERE sp.person_id NOT IN (SELECT person_id FROM pos)
    ORDER BY person_id
    """)
    return con.execute("SELECT count(*) FROM person_now").fetchone()[0]


def now_of(con: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, Any] | None:
    """The person's `person_now` row with the organisation's name; None when unknown."""
    if not table_exists(con, "person_now"):
        return None
    cur = con.execute("""
        SELECT n.org_id, o.name AS org, n.since_year, n.seen_year, n.basis, n.position_id,
               n.source, n.url, n.evidence
        FROM person_now n LEFT JOIN orgs o USING (org_id) WHERE n.person_id = $p""",
                      {"p": person_id})
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def positions_of(con: duckdb.DuckDBPyConnection, person_id: str) -> list[dict[str, Any]]:
    """The positions linked to the person, newest first, each with its source and URL."""
    if not (table_exists(con, "position_links") and table_exists(con, "positions")):
        return []
    cur = con.execute("""
        SELECT p.position_id, p.org_raw, l.org_id, o.name AS org, p.title, p.start_date,
               p.start_precision, p.end_date, p.end_precision, p.seen_date, p.source, p.url,
               l.link
        FROM position_links l JOIN positions p USING (position_id)
        LEFT JOIN orgs o ON o.org_id = l.org_id
        WHERE l.person_id = $p
        ORDER BY p.start_date DESC NULLS LAST, p.position_id""", {"p": person_id})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
