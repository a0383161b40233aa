"""`talentgraph export moves` and `export spells`: the contracts as CSV (other tools rely on the
columns)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from talentgraph.careers.lookup import require
from talentgraph.store.csv_out import copy_csv

MOVES_COLUMNS = ("person_id", "from_org_id", "from_org", "from_parent", "to_org_id", "to_org",
                 "to_parent", "last_year_at_from", "first_year_at_to", "kind", "confidence")


def export_moves(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Write one row per detected move; returns the number of rows written."""
    require(con, "moves", "orgs")
    copy_csv(con, _MOVES_QUERY, out)
    return con.execute("SELECT count(*) FROM moves").fetchone()[0]


_MOVES_QUERY = """
            SELECT m.person_id, m.from_org_id, fo.name AS from_org,
                   coalesce(fp.name, fo.name) AS from_parent, m.to_org_id, tor.name AS to_org,
                   coalesce(tp.name, tor.name) AS to_parent, m.last_year_at_from,
                   m.first_year_at_to, m.kind, m.confidence
            FROM moves m
            LEFT JOIN orgs fo ON fo.org_id = m.from_org_id
            LEFT JOIN orgs fp ON fp.org_id = fo.top_parent_id
            LEFT JOIN orgs tor ON tor.org_id = m.to_org_id
            LEFT JOIN orgs tp ON tp.org_id = tor.top_parent_id
            ORDER BY m.person_id, m.first_year_at_to, m.from_org_id, m.to_org_id,
                     m.last_year_at_from, m.kind, m.confidence"""


SPELLS_COLUMNS = ("person_id", "org_id", "org", "ror_id", "top_parent", "start_year",
                  "end_year", "kind", "source", "corroborated")


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = ? "
                       "AND column_name = ?", [table, column]).fetchone()[0] > 0


def export_spells(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """One row per spell (SPELLS_COLUMNS). `ror_id` is the organisation's ROR id where the
    store's `orgs` has that column (else empty); `source` is 'papers', a positions source
    (aiwatch, orcid, ...) or several joined by '+'."""
    require(con, "spells", "orgs")
    ror = "o.ror_id" if _has_column(con, "orgs", "ror_id") else "NULL::VARCHAR"
    source = ("array_to_string(s.sources, '+')" if _has_column(con, "spells", "sources")
              else "'papers'")
    copy_csv(con, f"""
                SELECT s.person_id, s.org_id, o.name AS org, {ror} AS ror_id,
                       coalesce(tp.name, o.name) AS top_parent, s.start_year, s.end_year,
                       s.kind, {source} AS source, s.corroborated
                FROM spells s
                LEFT JOIN orgs o ON o.org_id = s.org_id
                LEFT JOIN orgs tp ON tp.org_id = o.top_parent_id
                ORDER BY s.person_id, s.start_year, s.end_year, s.org_id, s.kind""", out)
    return con.execute("SELECT count(*) FROM spells").fetchone()[0]
