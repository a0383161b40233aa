"""What the careers stage remembers between builds, to redo only the persons whose evidence
changed (issue #17).

A person's spells and candidate moves are computed from what `careers.stage` hands the timeline
code for that person alone: their observations, and for the organisations among them the name,
kind and curated flag, the linked pairs (successor, parent, curated link) between two of them,
and whether the person's name is a common one. `careers_digest` keeps, per person, a hash of
exactly these. A build recomputes the persons whose hash changed or who are new (a person split
or merged by the people stage has other observations or another id), drops those who are gone,
and keeps the rows of the others. The namesake check of the moves that need one (a coauthor, an
id or a topic on both sides, against the corpus' most common title words) reads other persons
and the whole corpus: it runs again over every candidate move on each build.

State tables (dropped by a full build, and when the careers code changes):
  careers_digest        person_id, digest
  careers_moves_all     every candidate move (`seq`: its rank among the person's), with
                        `needs_link` when it stands only if the namesake check passes
  careers_evidence_all  the records of each candidate move
  careers_link_sides    (person_id, seq, side, paper_id, position) of the moves to check
The spells of unchanged persons are kept in `spells` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from talentgraph.careers.observations import table_exists

STATE = ("careers_digest", "careers_moves_all", "careers_evidence_all", "careers_link_sides")

_OBS_HASHED = ("paper_id, position, eff_year, org_id, weight, evidence, key, role, role_kind, "
               "n_orgs, source_file, record_id, alignment")


def _register(con: duckdb.DuckDBPyConnection, name: str, table: Any) -> None:
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def write_digests(con: duckdb.DuckDBPyConnection, obs_table: str,
                  linked: Iterable[frozenset[str]], flags: dict[str, set[str]],
                  org_facts: dict[str, str]) -> None:
    """_cr_digest(person_id, digest) over everything the timeline code reads of a person.
    `flags`: the sets of persons it treats apart (common names, rare names), by name: a person
    entering or leaving one is recomputed. `org_facts`: {org_id: text of all it is given of
    that organisation} (kind, names, curated), so a fact it reads cannot escape the digest."""
    import pyarrow as pa  # here: the pipeline imports this module for STATE alone

    pairs = sorted(tuple(sorted(p)) for p in linked if len(p) == 2)
    _register(con, "_cr_linked", pa.table({"a": [p[0] for p in pairs],
                                           "b": [p[1] for p in pairs]},
                                          schema=pa.schema([("a", pa.string()),
                                                            ("b", pa.string())])))
    flagged = sorted((pid, name) for name, ids in flags.items() for pid in ids)
    _register(con, "_cr_flags", pa.table({"person_id": [f[0] for f in flagged],
                                          "flag": [f[1] for f in flagged]},
                                         schema=pa.schema([("person_id", pa.string()),
                                                           ("flag", pa.string())])))
    org_ids = sorted(org_facts)
    _register(con, "_cr_org_facts", pa.table({"org_id": org_ids,
                                              "fact": [org_facts[o] for o in org_ids]},
                                             schema=pa.schema([("org_id", pa.string()),
                                                               ("fact", pa.string())])))
    facts = ("SELECT po.person_id, sum(hash(po.org_id, o.fact)::HUGEINT) AS h "
             "FROM po LEFT JOIN _cr_org_facts o USING (org_id) GROUP BY 1")
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE _cr_digest AS
    WITH po AS (SELECT DISTINCT person_id, org_id FROM {obs_table}),
    obs AS (SELECT person_id, count(*) AS n, sum(hash({_OBS_HASHED})::HUGEINT) AS h
            FROM {obs_table} GROUP BY person_id),
    facts AS ({facts}),
    links AS (SELECT a.person_id, sum(hash(l.a, l.b)::HUGEINT) AS h FROM _cr_linked l
              JOIN po a ON a.org_id = l.a
              JOIN po b ON b.org_id = l.b AND b.person_id = a.person_id
              GROUP BY 1)
    SELECT obs.person_id,
           md5(concat_ws('|', obs.n, obs.h, coalesce(f.h, 0), coalesce(k.h, 0),
                         coalesce(c.flags, ''))) AS digest
    FROM obs LEFT JOIN facts f USING (person_id) LEFT JOIN links k USING (person_id)
    LEFT JOIN (SELECT person_id, string_agg(flag, ',' ORDER BY flag) AS flags FROM _cr_flags
               GROUP BY 1) c USING (person_id)
    """)
    for name in ("_cr_linked", "_cr_flags", "_cr_org_facts"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def plan(con: duckdb.DuckDBPyConnection) -> int | None:
    """_cr_todo(person_id): the persons to compute (new or changed digest); None (everyone)
    when the store holds no state of an earlier build."""
    if not all(table_exists(con, t) for t in (*STATE, "spells")):
        return None
    con.execute("""
    CREATE OR REPLACE TEMP TABLE _cr_todo AS
    SELECT d.person_id FROM _cr_digest d LEFT JOIN careers_digest o USING (person_id)
    WHERE o.digest IS DISTINCT FROM d.digest
    """)
    return con.execute("SELECT count(*) FROM _cr_todo").fetchone()[0]


def kept_rows(table: str) -> str:
    """The rows of `table` of persons neither recomputed nor gone."""
    return (f"SELECT * FROM {table} WHERE person_id NOT IN (SELECT person_id FROM _cr_todo) "
            "AND person_id IN (SELECT person_id FROM _cr_digest)")


def save_digests(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE OR REPLACE TABLE careers_digest AS "
                "SELECT * FROM _cr_digest ORDER BY person_id")
    con.execute("DROP TABLE IF EXISTS _cr_digest")
    con.execute("DROP TABLE IF EXISTS _cr_todo")
