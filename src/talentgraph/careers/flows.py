"""Talent flows: organisation-to-organisation moves over a year range, net gain or loss per
organisation, one organisation's sources and destinations; optionally rolled up to the top-level
parent (FAIR into Meta), where moves inside one parent disappear."""

from __future__ import annotations

from typing import Any

import duckdb

from talentgraph.careers.lookup import find_org, require
from talentgraph.careers.moves import DEPARTURE_KINDS
from talentgraph.errors import OpsInputError


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def flows(con: duckdb.DuckDBPyConnection, year_from: int, year_to: int, org: str | None = None,
          rollup: bool = False, min_confidence: float = 0.0, include_internships: bool = False,
          top: int = 20) -> dict[str, Any]:
    """Moves whose first year at the new place is in [year_from, year_to]."""
    require(con, "moves", "orgs")
    if year_from > year_to:
        raise OpsInputError(f"--from {year_from} is after --to {year_to}")
    kinds = list(DEPARTURE_KINDS) + (["internship"] if include_internships else [])
    key = "coalesce(o.top_parent_id, o.org_id)" if rollup else "o.org_id"
    con.execute("DROP TABLE IF EXISTS _flow_moves")
    # A temp table keeps the three questions below on one filtered set.
    con.execute(f"""
        CREATE TEMP TABLE _flow_moves AS
        SELECT m.move_id, m.person_id, m.kind, m.confidence, m.last_year_at_from,
               m.first_year_at_to, {key.replace('o.', 'fo.')} AS src,
               {key.replace('o.', 'tor.')} AS dst
        FROM moves m JOIN orgs fo ON fo.org_id = m.from_org_id
        JOIN orgs tor ON tor.org_id = m.to_org_id
        WHERE m.first_year_at_to BETWEEN $f AND $t AND m.kind IN (SELECT unnest($k))
          AND m.confidence >= $c
    """, {"f": year_from, "t": year_to, "k": kinds, "c": min_confidence})
    con.execute("DELETE FROM _flow_moves WHERE src = dst")
    name = "(SELECT name FROM orgs WHERE org_id = {})"
    pairs = _rows(con, f"""
        SELECT {name.format('src')} AS from_org, {name.format('dst')} AS to_org, src AS from_id,
               dst AS to_id, count(*) AS moves, list(DISTINCT person_id ORDER BY person_id)
                 AS people
        FROM _flow_moves GROUP BY src, dst ORDER BY moves DESC, from_org, to_org LIMIT $n
    """, {"n": top})
    net = _rows(con, f"""
        WITH e AS (SELECT dst AS org, 1 AS gin, 0 AS gout, person_id FROM _flow_moves
                   UNION ALL SELECT src, 0, 1, person_id FROM _flow_moves)
        SELECT {name.format('org')} AS org, org AS org_id, sum(gin) AS joined, sum(gout) AS left,
               sum(gin) - sum(gout) AS net
        FROM e GROUP BY org ORDER BY abs(sum(gin) - sum(gout)) DESC, joined + "left" DESC, 1
        LIMIT $n
    """, {"n": top})
    total = con.execute("SELECT count(*), count(DISTINCT person_id) FROM _flow_moves").fetchone()
    result: dict[str, Any] = {
        "from": year_from, "to": year_to, "rollup": rollup, "kinds": kinds,
        "min_confidence": min_confidence, "moves": total[0], "people": total[1],
        "top_flows": pairs, "net": net,
    }
    if org:
        found = find_org(con, org)
        oid = found["org_id"]
        if rollup:
            oid = con.execute("SELECT coalesce(top_parent_id, org_id) FROM orgs WHERE org_id = $o",
                              {"o": oid}).fetchone()[0]
        result["org"] = {"org_id": oid, "name": con.execute(
            "SELECT name FROM orgs WHERE org_id = $o", {"o": oid}).fetchone()[0],
            "other_matches": found["other_matches"]}
        for side, mine, other in (("sources", "dst", "src"), ("destinations", "src", "dst")):
            result[side] = _rows(con, f"""
                SELECT {name.format(other)} AS org, {other} AS org_id, count(*) AS moves,
                       list(DISTINCT person_id ORDER BY person_id) AS people
                FROM _flow_moves WHERE {mine} = $o GROUP BY {other}
                ORDER BY moves DESC, org LIMIT $n
            """, {"o": oid, "n": top})
        result["joined"], result["left"] = con.execute(
            "SELECT count(*) FILTER (WHERE dst = $o), count(*) FILTER (WHERE src = $o) "
            "FROM _flow_moves", {"o": oid}).fetchone()
    con.execute("DROP TABLE IF EXISTS _flow_moves")
    return result
