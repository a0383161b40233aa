"""Talent flows: organisation-to-organisation moves over a year range, net gain or loss per
organisation, one organisation's sources and destinations; optionally rolled up to the top-level
parent (FAIR into Meta), where moves inside one parent disappear."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import duckdb

from talentgraph.careers.lookup import find_org, ids_view, require
from talentgraph.careers.moves import DEPARTURE_KINDS
from talentgraph.careers.observations import table_exists
from talentgraph.errors import OpsInputError


def flows(con: duckdb.DuckDBPyConnection, year_from: int, year_to: int, org: str | None = None,
          rollup: bool = False, min_confidence: float = 0.0, include_internships: bool = False,
          top: int = 20, as_one: Sequence[str] = ()) -> dict[str, Any]:
    """Moves whose first year at the new place is in [year_from, year_to].

    `as_one`: organisation ids counted as `org` itself (without rolling up to its parent): its
    former names and units, e.g. DeepMind and Google DeepMind; moves between them vanish.
    """
    require(con, "moves", "orgs")
    if year_from > year_to:
        raise OpsInputError(f"the from year {year_from} is after the to year {year_to}")
    kinds = list(DEPARTURE_KINDS) + (["internship"] if include_internships else [])
    key = "coalesce({a}.top_parent_id, {a}.org_id)" if rollup else "{a}.org_id"
    one: str | None = None
    if as_one and org and not rollup:
        one = find_org(con, org)["org_id"]
        members = ids_view(con, "_careers_flows_one", {one, *as_one})
        key = f"CASE WHEN {{a}}.org_id IN {members} THEN $one ELSE {{a}}.org_id END"
    kind_list = ", ".join(f"'{k}'" for k in kinds)  # our own constants, not user input
    # Counting, ranking and listing happen in DuckDB: a year range holds ~10^4 moves, and
    # fetching them all into Python cost more than the question (see benchmarks/moves.py).
    params: dict[str, Any] = {}
    # The range's moves are selected once into a temp table (per connection, a name of its
    # own: requests may share a connection) that the questions below read.
    mv_table = f"_careers_flows_{uuid.uuid4().hex[:12]}"
    con.execute(f"""
        CREATE TEMP TABLE {mv_table} AS
        SELECT * FROM (
            SELECT m.person_id, {key.format(a='fo')} AS src, {key.format(a='tor')} AS dst,
                   m.move_id
            FROM moves m JOIN orgs fo ON fo.org_id = m.from_org_id
            JOIN orgs tor ON tor.org_id = m.to_org_id
            WHERE m.first_year_at_to BETWEEN $f AND $t AND m.kind IN ({kind_list})
              AND m.confidence >= $c)
        WHERE src <> dst  -- inside one (rolled-up) org: no flow
    """, {"f": year_from, "t": year_to, "c": min_confidence, **({"one": one} if one else {})})
    try:
        return _questions(con, mv_table, params, year_from, year_to, rollup, kinds,
                          min_confidence, org, top)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {mv_table}")


def _questions(con: duckdb.DuckDBPyConnection, mv_table: str, params: dict[str, Any],
               year_from: int, year_to: int, rollup: bool, kinds: list[str],
               min_confidence: float, org: str | None, top: int) -> dict[str, Any]:
    base = f"""
        WITH mv AS (SELECT * FROM {mv_table}),
        named AS (SELECT org_id, name FROM orgs)
    """
    n_moves, n_people = con.execute(
        base + "SELECT count(*), count(DISTINCT person_id) FROM mv", params).fetchone()
    result: dict[str, Any] = {
        "from": year_from, "to": year_to, "rollup": rollup, "kinds": kinds,
        "min_confidence": min_confidence, "moves": n_moves, "people": n_people,
    }
    # Rank on counts first; names and people lists only for the rows shown.
    top_flows = con.execute(base + """
        , pairs AS (SELECT src, dst, count(*) AS n FROM mv GROUP BY ALL),
        ranked AS (
            SELECT p.src, p.dst, p.n, coalesce(s.name, p.src) AS sn,
                   coalesce(d.name, p.dst) AS dn
            FROM pairs p LEFT JOIN named s ON s.org_id = p.src
            LEFT JOIN named d ON d.org_id = p.dst
            ORDER BY p.n DESC, sn, dn LIMIT $top)
        SELECT r.sn, r.dn, r.src, r.dst, r.n,
               list(DISTINCT mv.person_id ORDER BY mv.person_id)
        FROM ranked r JOIN mv ON mv.src = r.src AND mv.dst = r.dst
        GROUP BY ALL ORDER BY r.n DESC, r.sn, r.dn""", {**params, "top": top}).fetchall()
    result["top_flows"] = [{"from_org": a, "to_org": b, "from_id": i, "to_id": j, "moves": n,
                            "people": list(p)} for a, b, i, j, n, p in top_flows]
    _flow_evidence(con, mv_table, result["top_flows"])
    org_id = None
    found: dict[str, Any] = {}
    if org:
        found = find_org(con, org)
        org_id = found["org_id"]
        if rollup:
            org_id = con.execute("SELECT coalesce(top_parent_id, org_id) FROM orgs "
                                 "WHERE org_id = $o", {"o": org_id}).fetchone()[0]
    net = con.execute(base + """
        , ends AS (SELECT dst AS org, 1 AS j, 0 AS l FROM mv
                   UNION ALL SELECT src, 0, 1 FROM mv),
        counted AS (SELECT org, sum(j)::INTEGER AS joined, sum(l)::INTEGER AS left_
                    FROM ends GROUP BY org)
        SELECT coalesce(n.name, c.org) AS nm, c.org, c.joined, c.left_
        FROM counted c LEFT JOIN named n ON n.org_id = c.org
        ORDER BY abs(c.joined - c.left_) DESC, c.joined + c.left_ DESC, nm
        LIMIT $top""", {**params, "top": top}).fetchall()
    result["net"] = [{"org": name, "org_id": o, "joined": j, "left": lv, "net": j - lv}
                     for name, o, j, lv in net]
    if org_id:
        name = con.execute("SELECT coalesce(name, org_id) FROM orgs WHERE org_id = $o",
                           {"o": org_id}).fetchone()
        result["org"] = {"org_id": org_id, "name": name[0] if name else org_id,
                         "other_matches": found["other_matches"]}
        person_ids: set[str] = set()
        for side, mine, other in (("sources", "dst", "src"), ("destinations", "src", "dst")):
            rows = con.execute(base + f"""
                , mine AS (SELECT * FROM mv WHERE {mine} = $o),
                ranked AS (
                    SELECT c.other, c.n, coalesce(n.name, c.other) AS nm
                    FROM (SELECT {other} AS other, count(*) AS n FROM mine GROUP BY ALL) c
                    LEFT JOIN named n ON n.org_id = c.other
                    ORDER BY c.n DESC, nm LIMIT $top)
                SELECT r.nm, r.other, r.n,
                       list(DISTINCT mine.person_id ORDER BY mine.person_id)
                FROM ranked r JOIN mine ON mine.{other} = r.other
                GROUP BY ALL ORDER BY r.n DESC, r.nm""",
                               {**params, "o": org_id, "top": top}).fetchall()
            result[side] = [{"org": nm, "org_id": o, "moves": n, "people": list(p)}
                            for nm, o, n, p in rows]
            person_ids |= {pid for r in rows for pid in r[3]}
        result["joined"], result["left"] = con.execute(
            base + "SELECT count(*) FILTER (WHERE dst = $o), count(*) FILTER (WHERE src = $o) "
                   "FROM mv", {**params, "o": org_id}).fetchone()
        names = dict(con.execute(
            "SELECT person_id, canonical_name FROM persons WHERE person_id IN "
            + ids_view(con, "_careers_flow_pids", person_ids)).fetchall()) if person_ids else {}
        result["person_names"] = {pid: names.get(pid) for pid in sorted(person_ids)}
    return result


POSITIONS_LISTED = 5


def _flow_evidence(con: duckdb.DuckDBPyConnection, mv_table: str,
                   rows: list[dict[str, Any]]) -> None:
    """Each flow's evidence: how many of its moves rest on paper records only, how many on a
    dated position too, and those positions (source, URL; the first POSITIONS_LISTED)."""
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if rows and table_exists(con, "positions"):
        for src, dst, source, url, pid in con.execute(f"""
                SELECT DISTINCT mv.src, mv.dst, p.source, p.url, p.position_id
                FROM {mv_table} mv JOIN move_evidence e ON e.move_id = mv.move_id
                JOIN positions p ON p.position_id = e.paper_id
                WHERE e.evidence = 'position' ORDER BY 1, 2, 5""").fetchall():
            by_pair.setdefault((src, dst), []).append(
                {"source": source, "url": url, "position_id": pid})
        moved = dict(((a, b), n) for a, b, n in con.execute(f"""
                SELECT mv.src, mv.dst, count(DISTINCT mv.move_id) FROM {mv_table} mv
                JOIN move_evidence e ON e.move_id = mv.move_id AND e.evidence = 'position'
                GROUP BY ALL""").fetchall())
    else:
        moved = {}
    for r in rows:
        n_pos = moved.get((r["from_id"], r["to_id"]), 0)
        r["evidence"] = {"moves_on_paper_records": r["moves"] - n_pos,
                         "moves_with_positions": n_pos,
                         "positions": by_pair.get((r["from_id"], r["to_id"]),
                                                  [])[:POSITIONS_LISTED]}
