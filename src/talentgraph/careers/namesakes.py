"""How likely a person's name is to be held by someone else in the store: the prior behind the
namesake checks of careers.moves.

A merged namesake looks like a move, so a move whose two sides could be two people (years
apart on one lone paper record, or in different fields) must show one person (careers.stage:
a shared coauthor, id or title topic). Under a name that few people could hold, that reading
is unlikely: measured on the 30 moves the long-gap check removed (tests/data/moves_spotcheck.csv,
seed 61), the names below RARE_NAME_MAX_EXPECTED held 6 true moves and 1 false one (an
organisation split, not a namesake) among those the records decide, the names above it 2 true
and 5 false (3 namesakes).

Rarity is the number of persons the name would have if given and family names combined at
random (given-name count x family-name count / persons), as the people stage rates a name's
ambiguity (resolve/people/features.py, over mentions there): one prolific 'Sergey Levine' does
not make the name common, 'Yoon Kim' is common however few persons carry it. A name whose given
name is an initial, or that has no given name, is never rare.
"""

from __future__ import annotations

from collections import Counter

import duckdb

from talentgraph.careers.observations import table_exists
from talentgraph.resolve.names import parse

# Expected persons of the name by chance below which a namesake is unlikely (one in fifty).
RARE_NAME_MAX_EXPECTED = 0.02


def rare_name_persons(con: duckdb.DuckDBPyConnection,
                      max_expected: float = RARE_NAME_MAX_EXPECTED) -> set[str]:
    """Persons whose canonical name is rare in the store (see the module docstring)."""
    if not table_exists(con, "persons"):
        return set()
    parsed = [(pid, parse(name)) for pid, name in con.execute(
        "SELECT person_id, canonical_name FROM persons WHERE person_id IS NOT NULL").fetchall()]
    if not parsed:
        return set()
    full = [(pid, p) for pid, p in parsed if p.family and p.given and not p.given_is_initial]
    given = Counter(p.given for _, p in full)
    family = Counter(p.family for _, p in full)
    n = len(parsed)
    return {pid for pid, p in full if given[p.given] * family[p.family] / n < max_expected}
