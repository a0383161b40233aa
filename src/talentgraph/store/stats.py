"""What the store holds: counts by venue, year and record family; ids, alignment, quarantine."""

from __future__ import annotations

from typing import Any

import duckdb


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def store_stats(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    totals = _rows(con, """
        SELECT count(*) AS files,
               coalesce(sum(records_read), 0) AS records_read,
               coalesce(sum(papers), 0) AS papers,
               coalesce(sum(mentions), 0) AS mentions,
               count(*) FILTER (WHERE status <> 'ok') AS partial_files
        FROM sources""")[0]
    mentions = _rows(con, """
        SELECT count(*) AS mentions,
               count(*) FILTER (WHERE openreview_id IS NOT NULL) AS with_openreview_id,
               count(*) FILTER (WHERE openreview_id IS NOT NULL OR orcid IS NOT NULL
                   OR dblp IS NOT NULL OR google_scholar IS NOT NULL OR email IS NOT NULL
                   OR acl_id IS NOT NULL OR ieee_id IS NOT NULL
                   OR openalex_id IS NOT NULL) AS with_any_id,
               count(*) FILTER (WHERE email IS NOT NULL) AS with_email,
               count(*) FILTER (WHERE aff_aligned) AS with_aligned_affiliation
        FROM mentions""")[0]
    by_venue = _rows(con, """
        SELECT venue, count(*) AS files, min(year) AS first_year, max(year) AS last_year,
               sum(records_read) AS records, sum(papers) AS papers, sum(mentions) AS mentions
        FROM sources GROUP BY venue ORDER BY venue""")
    by_year = _rows(con, """
        SELECT year, count(*) AS files, sum(records_read) AS records, sum(papers) AS papers,
               sum(mentions) AS mentions
        FROM sources GROUP BY year ORDER BY year""")
    by_family = _rows(con, """
        SELECT family, count(*) AS files, sum(records_read) AS records, sum(papers) AS papers
        FROM sources GROUP BY family ORDER BY family""")
    quarantine = _rows(con, """
        SELECT level, coalesce(field, '') AS field,
               regexp_replace(reason, '[0-9][0-9,]*', 'N', 'g') AS reason, count(*) AS count,
               count(DISTINCT source_file) AS files
        FROM quarantine GROUP BY ALL ORDER BY count DESC""")
    files = _rows(con, """
        SELECT source_file, venue, year, family, records_read, papers, mentions, problems, status
        FROM sources ORDER BY venue, year""")
    return {"totals": totals, "mentions": mentions, "by_venue": by_venue, "by_year": by_year,
            "by_family": by_family, "quarantine": quarantine, "files": files,
            "positions": _positions(con)}


def _positions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Dated positions by source: how many, linked to a person (by what), unlinked, with the
    organisation unresolved (`talentgraph positions unlinked` lists the unlinked ones)."""
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables"
                                      ).fetchall()}
    if "positions" not in have:
        return []
    if "position_links" not in have:
        return _rows(con, "SELECT source, count(*) AS positions FROM positions GROUP BY 1 "
                          "ORDER BY 1")
    return _rows(con, """
        SELECT p.source, count(*) AS positions,
               count(*) FILTER (WHERE l.link IN ('orcid', 'openreview', 'dblp', 'scholar'))
                 AS linked_by_id,
               count(*) FILTER (WHERE l.link = 'name_org') AS linked_by_name_and_org,
               count(*) FILTER (WHERE l.link = 'name_unique') AS linked_by_unique_name,
               count(*) FILTER (WHERE l.person_id IS NULL) AS unlinked,
               count(*) FILTER (WHERE l.org_id IS NULL) AS org_unresolved
        FROM positions p LEFT JOIN position_links l USING (position_id)
        GROUP BY 1 ORDER BY 1""")
