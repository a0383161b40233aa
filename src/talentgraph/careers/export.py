"""`talentgraph export moves`: the moves contract as CSV (other tools rely on the columns)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from talentgraph.careers.lookup import require
from talentgraph.errors import StoreError

MOVES_COLUMNS = ("person_id", "from_org_id", "from_org", "from_parent", "to_org_id", "to_org",
                 "to_parent", "last_year_at_from", "first_year_at_to", "kind", "confidence")


def export_moves(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Write one row per detected move; returns the number of rows written."""
    require(con, "moves", "orgs")
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot write {out}: {exc}") from exc
    tmp = out.with_name(out.name + ".part")
    path_sql = str(tmp).replace("'", "''")
    try:
        _copy(con, path_sql)
    except duckdb.Error as exc:
        raise StoreError(f"cannot write {out}: {exc}") from exc
    tmp.replace(out)  # a reader never sees half a file
    return con.execute("SELECT count(*) FROM moves").fetchone()[0]


def _copy(con: duckdb.DuckDBPyConnection, path_sql: str) -> None:
    con.execute(f"""
        COPY (
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
                     m.last_year_at_from, m.kind, m.confidence
        ) TO '{path_sql}' (HEADER, DELIMITER ',')
    """)
