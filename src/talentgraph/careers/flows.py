"""Talent flows: organisation-to-organisation moves over a year range, net gain or loss per
organisation, one organisation's sources and destinations; optionally rolled up to the top-level
parent (FAIR into Meta), where moves inside one parent disappear."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from typing import Any

import duckdb

from talentgraph.careers.lookup import find_org, require
from talentgraph.careers.moves import DEPARTURE_KINDS
from talentgraph.errors import OpsInputError


def flows(con: duckdb.DuckDBPyConnection, year_from: int, year_to: int, org: str | None = None,
          rollup: bool = False, min_confidence: float = 0.0, include_internships: bool = False,
          top: int = 20) -> dict[str, Any]:
    """Moves whose first year at the new place is in [year_from, year_to]."""
    require(con, "moves", "orgs")
    if year_from > year_to:
        raise OpsInputError(f"--from {year_from} is after --to {year_to}")
    kinds = list(DEPARTURE_KINDS) + (["internship"] if include_internships else [])
    key = "coalesce({a}.top_parent_id, {a}.org_id)" if rollup else "{a}.org_id"
    kind_list = ", ".join(f"'{k}'" for k in kinds)  # our own constants, not user input
    # One filtered read (names joined in: passing long id lists back is slow); the moves of a
    # year range are few enough to count in Python.
    got = con.execute(f"""
        WITH m AS (
            SELECT m.person_id, {key.format(a='fo')} AS src, {key.format(a='tor')} AS dst
            FROM moves m JOIN orgs fo ON fo.org_id = m.from_org_id
            JOIN orgs tor ON tor.org_id = m.to_org_id
            WHERE m.first_year_at_to BETWEEN $f AND $t AND m.kind IN ({kind_list})
              AND m.confidence >= $c
        )
        SELECT m.person_id, m.src, m.dst, s.name, d.name, p.canonical_name FROM m
        LEFT JOIN orgs s ON s.org_id = m.src LEFT JOIN orgs d ON d.org_id = m.dst
        LEFT JOIN persons p ON p.person_id = m.person_id
    """, {"f": year_from, "t": year_to, "c": min_confidence}).fetchall()
    names: dict[str, str] = {}
    person_names: dict[str, str] = {}
    for pid, src, dst, src_name, dst_name, person in got:
        names[src], names[dst] = src_name or src, dst_name or dst
        person_names[pid] = person
    rows = [r[:3] for r in got if r[1] != r[2]]  # inside one (rolled-up) org: no flow
    pair_people: dict[tuple[str, str], list[str]] = defaultdict(list)
    joined: Counter[str] = Counter()
    left: Counter[str] = Counter()
    for pid, src, dst in rows:
        pair_people[(src, dst)].append(pid)
        joined[dst] += 1
        left[src] += 1
    ids = set(joined) | set(left)
    result: dict[str, Any] = {
        "from": year_from, "to": year_to, "rollup": rollup, "kinds": kinds,
        "min_confidence": min_confidence, "moves": len(rows),
        "people": len({r[0] for r in rows}),
    }
    org_id = None
    if org:
        found = find_org(con, org)
        org_id = found["org_id"]
        if rollup:
            org_id = con.execute("SELECT coalesce(top_parent_id, org_id) FROM orgs "
                                 "WHERE org_id = $o", {"o": org_id}).fetchone()[0]
        ids.add(org_id)
        if org_id not in names:
            names[org_id] = con.execute("SELECT name FROM orgs WHERE org_id = $o",
                                        {"o": org_id}).fetchone()[0]
    pairs = heapq.nsmallest(top, pair_people.items(),
                            key=lambda kv: (-len(kv[1]), names.get(kv[0][0], ""),
                                            names.get(kv[0][1], "")))
    result["top_flows"] = [
        {"from_org": names.get(a, a), "to_org": names.get(b, b), "from_id": a, "to_id": b,
         "moves": len(p), "people": sorted(set(p))} for (a, b), p in pairs[:top]]
    net = heapq.nsmallest(top, ids - ({org_id} if org_id and org_id not in joined
                                      and org_id not in left else set()),
                          key=lambda o: (-abs(joined[o] - left[o]), -(joined[o] + left[o]),
                                         names.get(o, o)))
    result["net"] = [{"org": names.get(o, o), "org_id": o, "joined": joined[o],
                      "left": left[o], "net": joined[o] - left[o]} for o in net[:top]]
    if org_id:
        result["org"] = {"org_id": org_id, "name": names.get(org_id, org_id),
                         "other_matches": found["other_matches"]}
        for side, mine, other in (("sources", 1, 0), ("destinations", 0, 1)):
            by: dict[str, list[str]] = defaultdict(list)
            for (a, b), p in pair_people.items():
                if (a, b)[mine] == org_id:
                    by[(a, b)[other]].extend(p)
            result[side] = [{"org": names.get(o, o), "org_id": o, "moves": len(p),
                             "people": sorted(set(p))}
                            for o, p in sorted(by.items(), key=lambda kv: (-len(kv[1]),
                                                                          names.get(kv[0], "")))
                            ][:top]
        result["joined"], result["left"] = joined[org_id], left[org_id]
        result["person_names"] = {pid: person_names.get(pid) for side in ("sources",
                                  "destinations") for r in result[side] for pid in r["people"]}
    return result
