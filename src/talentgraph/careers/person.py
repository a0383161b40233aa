"""`talentgraph person`: the careers part of a person's page (timeline, moves, papers, coauthors,
topics). The people stage owns who the person is; this adds where they have been."""

from __future__ import annotations

from typing import Any

import duckdb

from talentgraph.careers import profiles
from talentgraph.careers.lookup import ids_view, require
from talentgraph.careers.now import now_of, positions_of
from talentgraph.careers.observations import table_exists

# Python's str.strip() would also strip Unicode spaces; the stage's SQL trims what RE2's \s is.
_TOPIC_SPACE = " \t\n\f\r"


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
        WHERE s.person_id = $p ORDER BY s.start_year, s.end_year, s.kind, o.name, s.org_id
    """, {"p": person_id})


def person_moves(con: duckdb.DuckDBPyConnection, person_id: str) -> list[dict[str, Any]]:
    require(con, "moves", "orgs")
    return _rows(con, """
        SELECT m.move_id, m.kind, fo.name AS from_org, tor.name AS to_org,
               m.last_year_at_from, m.first_year_at_to, m.confidence, m.evidence, m.rule,
               m.from_org_id, m.to_org_id
        FROM moves m LEFT JOIN orgs fo ON fo.org_id = m.from_org_id
        LEFT JOIN orgs tor ON tor.org_id = m.to_org_id
        WHERE m.person_id = $p ORDER BY m.first_year_at_to, m.kind, m.move_id
    """, {"p": person_id})


def move_evidence(con: duckdb.DuckDBPyConnection, move_ids: list[str],
                  person_id: str | None = None) -> list[dict[str, Any]]:
    """The records behind moves: side (from / to / lag), paper, year, organisation, kind."""
    if not move_ids:
        return []
    if person_id is not None and table_exists(con, "career_papers"):
        return _rows(con, """
            WITH e AS (SELECT * FROM move_evidence WHERE move_id IN {ids}),
            t AS (SELECT paper_id, any_value(title) AS title FROM career_papers
                  WHERE person_id = $p GROUP BY paper_id)
            SELECT e.move_id, e.side, e.year, o.name AS org, e.evidence, e.weight,
                   e.source_file, e.record_id, t.title
            FROM e LEFT JOIN orgs o USING (org_id) LEFT JOIN t USING (paper_id)
            ORDER BY e.move_id, e.side, e.year, e.paper_id, e.position, e.org_id, e.evidence,
                     e.record_id
        """.format(ids=ids_view(con, "_careers_moves", move_ids)), {"p": person_id})
    return _rows(con, """
        WITH e AS (SELECT * FROM move_evidence WHERE move_id IN {ids})
        SELECT e.move_id, e.side, e.year, o.name AS org, e.evidence, e.weight,
               e.source_file, e.record_id, p.title
        FROM e LEFT JOIN orgs o USING (org_id)
        LEFT JOIN (SELECT paper_id, title FROM papers
                   WHERE paper_id IN (SELECT paper_id FROM e)) p ON p.paper_id = e.paper_id
        ORDER BY e.move_id, e.side, e.year, e.paper_id, e.position, e.org_id, e.evidence,
                     e.record_id
    """.format(ids=ids_view(con, "_careers_moves", move_ids)), {})


def _papers_of(con: duckdb.DuckDBPyConnection, person_id: str) -> list[dict[str, Any]]:
    """The person's mentions with their papers (the careers stage keeps them by person)."""
    if table_exists(con, "career_papers"):
        return _rows(con, "SELECT * EXCLUDE (person_id) FROM career_papers "
                          "WHERE person_id = $p ORDER BY year DESC, title, paper_id, position",
                     {"p": person_id})
    rows = _rows(con, """
        WITH mine AS (SELECT paper_id, position FROM mention_person WHERE person_id = $p)
        SELECT p.year, p.venue, p.title, p.status, mine.position, p.n_authors, p.paper_id,
               p.keywords, p.primary_area
        FROM mine JOIN papers p USING (paper_id)
    """, {"p": person_id})
    affs = con.execute("""
        SELECT mo.paper_id, mo.position, string_agg(DISTINCT o.name, ' + ' ORDER BY o.name)
        FROM mention_orgs mo JOIN orgs o USING (org_id)
        WHERE mo.paper_id IN (SELECT unnest($ids)) GROUP BY ALL
    """, {"ids": [r["paper_id"] for r in rows]}).fetchall()
    by = {(a, b): c for a, b, c in affs}
    for r in rows:
        r["affiliation"] = by.get((r["paper_id"], r["position"]))
    rows.sort(key=lambda r: (-(r["year"] or 0), r["title"]))
    return rows


def papers(con: duckdb.DuckDBPyConnection, person_id: str, limit: int = 50,
           mine: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    rows = mine if mine is not None else _papers_of(con, person_id)
    keep = ("year", "venue", "title", "status", "position", "n_authors", "paper_id",
            "affiliation")
    return [{k: r[k] for k in keep} for r in rows[:limit]]


def coauthors(con: duckdb.DuckDBPyConnection, person_id: str, limit: int = 10,
              mine: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    if table_exists(con, "career_coauthors"):
        return _rows(con, "SELECT coauthor_id AS person_id, name, papers, last_year "
                          "FROM career_coauthors WHERE person_id = $p "
                          "ORDER BY papers DESC, last_year DESC, name, coauthor_id "
                          "LIMIT $n",
                     {"p": person_id, "n": limit})
    rows = mine if mine is not None else _papers_of(con, person_id)
    year = {r["paper_id"]: r["year"] for r in rows}
    others = con.execute("""
        SELECT person_id, paper_id FROM mention_person
        WHERE paper_id IN (SELECT unnest($ids)) AND person_id <> $p
    """, {"ids": list(year), "p": person_id}).fetchall()
    papers_of: dict[str, set[str]] = {}
    for pid, paper in others:
        papers_of.setdefault(pid, set()).add(paper)
    names = dict(con.execute("SELECT person_id, canonical_name FROM persons "
                             "WHERE person_id IN (SELECT unnest($i))",
                             {"i": list(papers_of)}).fetchall()) if papers_of else {}
    out = [{"person_id": pid, "name": names.get(pid), "papers": len(ps),
            "last_year": max((year[x] for x in ps if year[x] is not None), default=None)}
           for pid, ps in papers_of.items()]
    out.sort(key=lambda r: (-r["papers"], -(r["last_year"] or 0), r["name"] or ""))
    return out[:limit]


def topics(con: duckdb.DuckDBPyConnection, person_id: str, limit: int = 10,
           mine: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Most frequent author keywords (or primary areas where a record has no keywords)."""
    if mine is None and table_exists(con, "career_papers"):
        # the same query as the profiles stage (one definition of a topic for both)
        return _rows(con, profiles.topics_sql("career_papers"), {"p": person_id, "n": limit})
    rows = mine if mine is not None else _papers_of(con, person_id)
    count: dict[str, set[str]] = {}
    for r in rows:
        words = r["keywords"] or ([r["primary_area"]] if r["primary_area"] else [])
        for w in words:
            t = (w or "").strip(_TOPIC_SPACE).lower()
            if t:
                count.setdefault(t, set()).add(r["paper_id"])
    out = [{"topic": t, "papers": len(ps)} for t, ps in count.items()]
    out.sort(key=lambda r: (-r["papers"], r["topic"]))
    return out[:limit]


def computed_careers(con: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, Any]:
    """Everything the careers stage knows about one person, computed from the careers tables."""
    mv = person_moves(con, person_id)
    mine = _papers_of(con, person_id)
    have_papers = table_exists(con, "career_papers")
    return {
        "person_id": person_id,
        "timeline": timeline(con, person_id),
        "moves": mv,
        "move_evidence": move_evidence(con, [m["move_id"] for m in mv], person_id),
        "papers": papers(con, person_id, limit=profiles.PAPERS_LIMIT, mine=mine),
        "coauthors": coauthors(con, person_id, limit=profiles.COAUTHORS_LIMIT, mine=mine),
        "topics": topics(con, person_id, limit=profiles.TOPICS_LIMIT,
                         mine=None if have_papers else mine),
        # where the person is now, and the dated positions behind the timeline, each with
        # its source and URL (careers.now)
        "now": now_of(con, person_id),
        "positions": positions_of(con, person_id),
    }


def person_careers(con: duckdb.DuckDBPyConnection, person_id: str,
                   precomputed: bool | None = None) -> dict[str, Any]:
    """Everything the careers stage knows about one person, each part with its evidence.

    Read from the `profiles` stage's table when it is there and was built from the current
    careers tables (`precomputed=None` checks; True trusts the caller's check; False computes).
    """
    if precomputed is None:
        precomputed = profiles.is_fresh(con)
    found = profiles.read_profile(con, person_id) if precomputed else None
    if found is None:
        return computed_careers(con, person_id)
    found.pop("person")
    # not part of the precomputed profile: two small look-ups (see computed_careers)
    found["now"] = now_of(con, person_id)
    found["positions"] = positions_of(con, person_id)
    return found
