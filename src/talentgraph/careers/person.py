"""`talentgraph person`: the careers part of a person's page (timeline, moves, papers, coauthors,
topics). The people stage owns who the person is; this adds where they have been."""

from __future__ import annotations

from typing import Any

import duckdb

from talentgraph.careers.lookup import require


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def timeline(con: duckdb.DuckDBPyConnection, person_id: str) -> list[dict[str, Any]]:
    """Spells in time order, with the organisation's display name and the evidence behind them."""
    require(con, "spells", "orgs")
    return _rows(con, """
        SELECT s.org_id, o.name AS org, s.start_year, s.end_year, s.kind, s.confidence,
               s.n_independent AS records, s.corroborated, s.roles, s.evidence_kinds,
               s.lag_records,
               (SELECT list(coalesce(c.name, x.id) ORDER BY x.id)
                FROM (SELECT unnest(s.concurrent_org_ids) AS id) x
                LEFT JOIN orgs c ON c.org_id = x.id) AS concurrent_with
        FROM spells s LEFT JOIN orgs o USING (org_id)
        WHERE s.person_id = $p ORDER BY s.start_year, s.end_year, s.kind, o.name
    """, {"p": person_id})


def person_moves(con: duckdb.DuckDBPyConnection, person_id: str) -> list[dict[str, Any]]:
    require(con, "moves", "orgs")
    return _rows(con, """
        SELECT m.move_id, m.kind, fo.name AS from_org, tor.name AS to_org,
               m.last_year_at_from, m.first_year_at_to, m.confidence, m.evidence, m.rule,
               m.from_org_id, m.to_org_id
        FROM moves m LEFT JOIN orgs fo ON fo.org_id = m.from_org_id
        LEFT JOIN orgs tor ON tor.org_id = m.to_org_id
        WHERE m.person_id = $p ORDER BY m.first_year_at_to, m.kind
    """, {"p": person_id})


def move_evidence(con: duckdb.DuckDBPyConnection, move_ids: list[str]) -> list[dict[str, Any]]:
    """The records behind moves: side (from / to / lag), paper, year, organisation, kind."""
    if not move_ids:
        return []
    return _rows(con, """
        SELECT e.move_id, e.side, e.year, o.name AS org, e.evidence, e.weight,
               e.source_file, e.record_id, p.title
        FROM move_evidence e LEFT JOIN orgs o USING (org_id)
        LEFT JOIN papers p ON p.paper_id = e.paper_id
        WHERE e.move_id IN (SELECT unnest($ids)) ORDER BY e.move_id, e.side, e.year
    """, {"ids": move_ids})


def papers(con: duckdb.DuckDBPyConnection, person_id: str, limit: int = 50
           ) -> list[dict[str, Any]]:
    return _rows(con, """
        SELECT p.year, p.venue, p.title, p.status, mp.position, p.n_authors, p.paper_id,
               (SELECT string_agg(DISTINCT o.name, ' + ') FROM mention_orgs mo
                JOIN orgs o USING (org_id)
                WHERE mo.paper_id = mp.paper_id AND mo.position = mp.position) AS affiliation
        FROM mention_person mp JOIN papers p USING (paper_id)
        WHERE mp.person_id = $p ORDER BY p.year DESC, p.title LIMIT $n
    """, {"p": person_id, "n": limit})


def coauthors(con: duckdb.DuckDBPyConnection, person_id: str, limit: int = 10
              ) -> list[dict[str, Any]]:
    return _rows(con, """
        SELECT other.person_id, pr.canonical_name AS name, count(DISTINCT other.paper_id) AS papers,
               max(p.year) AS last_year
        FROM mention_person me
        JOIN mention_person other ON other.paper_id = me.paper_id
             AND other.person_id <> me.person_id
        JOIN papers p ON p.paper_id = me.paper_id
        LEFT JOIN persons pr ON pr.person_id = other.person_id
        WHERE me.person_id = $p
        GROUP BY ALL ORDER BY papers DESC, last_year DESC, name LIMIT $n
    """, {"p": person_id, "n": limit})


def topics(con: duckdb.DuckDBPyConnection, person_id: str, limit: int = 10
           ) -> list[dict[str, Any]]:
    """Most frequent author keywords (or primary areas where a record has no keywords)."""
    return _rows(con, """
        WITH kw AS (
            SELECT lower(trim(k)) AS topic, p.paper_id
            FROM mention_person mp JOIN papers p USING (paper_id),
                 unnest(CASE WHEN len(coalesce(p.keywords, [])) > 0 THEN p.keywords
                             WHEN p.primary_area IS NOT NULL THEN [p.primary_area]
                             ELSE []::VARCHAR[] END) AS t(k)
            WHERE mp.person_id = $p
        )
        SELECT topic, count(DISTINCT paper_id) AS papers FROM kw WHERE topic <> ''
        GROUP BY topic ORDER BY papers DESC, topic LIMIT $n
    """, {"p": person_id, "n": limit})


def person_careers(con: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, Any]:
    """Everything the careers stage knows about one person, each part with its evidence."""
    mv = person_moves(con, person_id)
    return {
        "person_id": person_id,
        "timeline": timeline(con, person_id),
        "moves": mv,
        "move_evidence": move_evidence(con, [m["move_id"] for m in mv]),
        "papers": papers(con, person_id),
        "coauthors": coauthors(con, person_id),
        "topics": topics(con, person_id),
    }
