"""The graph input of flight risk: close collaborators of a person and which of them left.

Reads the analytical store's shared tables (read only): `mention_person` + `mentions` for who
wrote with whom, and `moves` (careers stage) for who changed organisation. The definition
matches benchmarks/flight_risk.py: close collaborators shared a paper in the last `window`
years up to `year`; a collaborator "left" when a move (internships excluded) starts in
year-1..year, optionally only moves away from `org_ids` (our organisation and its units).
The flight-risk weight for the share left/close is fitted with this definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from talentgraph.errors import StoreError

NEEDED = ("mention_person", "mentions", "moves")  # the tables the definition reads


@dataclass(frozen=True)
class Departure:
    person_id: str
    from_org_id: str | None
    to_org_id: str | None
    year: int
    kind: str | None


@dataclass(frozen=True)
class CollaboratorsLeft:
    close: int                           # close collaborators found
    left: tuple[Departure, ...]          # those who left recently, most recent first

    @property
    def count(self) -> int:
        return len({d.person_id for d in self.left})


def collaborators_left(con: duckdb.DuckDBPyConnection, person_id: str, year: int,
                       window: int = 3, org_ids: Sequence[str] = (),
                       min_shared_papers: int = 1) -> CollaboratorsLeft:
    """Close collaborators of `person_id` as of `year` and those of them who left."""
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name IN (?, ?, ?)",
        list(NEEDED)).fetchall()}
    missing = [t for t in NEEDED if t not in have]
    if missing:
        raise StoreError(f"the store has no {', '.join(missing)} table: run the build with the "
                         "people and careers stages first")
    close = [r[0] for r in con.execute("""
        SELECT b.person_id
        FROM mention_person a JOIN mentions ma USING (paper_id, position)
        JOIN mention_person b ON b.paper_id = a.paper_id AND b.person_id <> a.person_id
        WHERE a.person_id = $p AND ma.year BETWEEN $y - $w + 1 AND $y
        GROUP BY b.person_id HAVING count(DISTINCT a.paper_id) >= $k
    """, {"p": person_id, "y": year, "w": window, "k": min_shared_papers}).fetchall()]
    if not close:
        return CollaboratorsLeft(0, ())
    rows = con.execute("""
        SELECT person_id, from_org_id, to_org_id, first_year_at_to, kind FROM moves
        WHERE list_contains($close, person_id)
          AND first_year_at_to BETWEEN $y - 1 AND $y
          AND coalesce(kind, '') <> 'internship'
          AND (len($orgs) = 0 OR list_contains($orgs, from_org_id))
        ORDER BY first_year_at_to DESC, person_id
    """, {"close": close, "y": year, "orgs": list(org_ids)}).fetchall()
    return CollaboratorsLeft(len(close), tuple(Departure(*r) for r in rows))
