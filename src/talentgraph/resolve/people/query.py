"""Reading resolved people: the mentions export contract and person look-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from talentgraph.errors import NotFoundError, StoreError
from talentgraph.namekey import name_key
from talentgraph.resolve.names import compatibility, parse
from talentgraph.resolve.people.features import has_table
from talentgraph.store.csv_out import copy_csv

MENTION_COLUMNS = ("source_file", "record_id", "position", "raw_name", "person_id", "org_id",
                   "year")
_PERSON_ID = re.compile(r"^p[0-9a-f]{12}$")


def _require_people(con: duckdb.DuckDBPyConnection) -> None:
    if not has_table(con, "mention_person") or not has_table(con, "persons"):
        raise StoreError("this store has no resolved people yet: run `talentgraph build` "
                         "(its `people` stage writes persons and mention_person)")


def _org_join(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(select expression, join) for the author's first organisation, when orgs are built."""
    if has_table(con, "mention_orgs"):
        return ("mo.org_id", "LEFT JOIN (SELECT paper_id, position, org_id FROM mention_orgs "
                "QUALIFY row_number() OVER (PARTITION BY paper_id, position "
                "ORDER BY rank, org_id) = 1) mo "
                "ON mo.paper_id = m.paper_id AND mo.position = m.position")
    return ("CAST(NULL AS VARCHAR)", "")


def export_mentions(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Write one CSV row per author mention (MENTION_COLUMNS); returns the row count."""
    _require_people(con)
    org_expr, org_join = _org_join(con)
    query = f"""
        SELECT m.source_file, m.record_id, m.position, m.raw_name, mp.person_id,
               {org_expr} AS org_id, m.year
          FROM mentions m
          LEFT JOIN mention_person mp ON mp.paper_id = m.paper_id AND mp.position = m.position
          {org_join}
         ORDER BY m.source_file, m.paper_id, m.position
    """
    copy_csv(con, query, out, force_quote=("raw_name",))
    return con.execute("SELECT count(*) FROM mentions").fetchone()[0]


def _candidates(con: duckdb.DuckDBPyConnection, query: str, limit: int) -> list[str]:
    q = query.strip()
    if _PERSON_ID.match(q):
        rows = con.execute("SELECT person_id FROM persons WHERE person_id = ?", [q]).fetchall()
        return [r[0] for r in rows]
    id_rows = con.execute("""
        SELECT person_id FROM persons
         WHERE list_contains(openreview_ids, ?) OR list_contains(orcids, ?)
            OR list_contains(dblp_ids, ?)""", [q, q, q]).fetchall()
    if id_rows:
        return [r[0] for r in id_rows]
    wanted = parse(q)
    if wanted.empty:
        return []
    # family name narrows in SQL; the Python name rules decide on the few candidates
    rows = con.execute("""
        SELECT person_id, canonical_name, name_variants, n_mentions FROM persons
         WHERE list_has_any(list_transform(name_variants, v -> lower(strip_accents(v))),
                            [lower(strip_accents(?))])
            OR contains(regexp_replace(lower(strip_accents(array_to_string(name_variants, ''))),
                                       '[^a-z]', '', 'g'), ?)
         ORDER BY n_mentions DESC, person_id""", [q, wanted.family]).fetchall()
    if has_table(con, "person_name_keys"):
        # The one name rule (talentgraph.namekey: unidecode folds what strip_accents leaves,
        # 'Søren'): the persons whose name key is the query's join the candidates.
        seen = {r[0] for r in rows}
        rows += [r for r in con.execute("""
            SELECT person_id, canonical_name, name_variants, n_mentions FROM persons
             WHERE person_id IN (SELECT person_id FROM person_name_keys WHERE name_key = ?)
             ORDER BY n_mentions DESC, person_id""", [name_key(q)]).fetchall()
                 if r[0] not in seen]
    exact, close = [], []
    for pid, canon, variants, _n in rows:  # most mentions first
        if compatibility(wanted, parse(canon)) == "exact":
            exact.append(pid)
        elif any(compatibility(wanted, parse(v)) in ("exact", "initial", "swapped")
                 for v in variants):
            close.append(pid)
    return (exact + close)[:limit]


def _org_columns(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str]:
    """(org id expression, joins, organisation name expression) over mentions `m`."""
    org_expr, org_join = _org_join(con)
    if has_table(con, "orgs") and org_join:
        return (org_expr, org_join + " LEFT JOIN orgs o ON o.org_id = mo.org_id",
                "coalesce(o.name, m.aff_norm, m.raw_affiliation)")
    return org_expr, org_join, "coalesce(m.aff_norm, m.raw_affiliation)"


def person_organisations(con: duckdb.DuckDBPyConnection, person_ids: list[str]
                         ) -> dict[str, list[dict[str, Any]]]:
    """Each person's organisations from their own mentions (the first organisation of each):
    name, org id, mentions, first and last year; most mentions first. One query for all."""
    _require_people(con)
    if not person_ids:
        return {}
    # The persons' mentions first, then only their organisations: ranking every mention's
    # organisations (as _org_join does for the whole export) costs seconds on the corpus.
    first_org = ("""SELECT paper_id, position, org_id FROM mention_orgs
                    SEMI JOIN mine USING (paper_id, position)
                    QUALIFY row_number() OVER (PARTITION BY paper_id, position
                                               ORDER BY rank, org_id) = 1"""
                 if has_table(con, "mention_orgs") else
                 "SELECT paper_id, position, CAST(NULL AS VARCHAR) AS org_id FROM mine "
                 "WHERE false")
    named = has_table(con, "mention_orgs") and has_table(con, "orgs")
    name = "coalesce(o.name, m.aff_norm, m.raw_affiliation)" if named else \
        "coalesce(m.aff_norm, m.raw_affiliation)"
    join_orgs = "LEFT JOIN orgs o ON o.org_id = f.org_id" if named else ""
    rows = con.execute(f"""
        WITH mine AS (SELECT person_id, paper_id, position FROM mention_person
                      WHERE person_id IN (SELECT unnest($ids))),
        first_org AS ({first_org}),
        named AS (
            SELECT mine.person_id, f.org_id, m.year, {name} AS organisation
            FROM mine JOIN mentions m USING (paper_id, position)
            LEFT JOIN first_org f USING (paper_id, position) {join_orgs})
        SELECT person_id, organisation, org_id, count(*) AS mentions, min(year) AS first_year,
               max(year) AS last_year
        FROM named WHERE organisation IS NOT NULL
        GROUP BY ALL ORDER BY person_id, mentions DESC, last_year DESC, organisation""",
                       {"ids": list(person_ids)}).fetchall()
    out: dict[str, list[dict[str, Any]]] = {}
    for pid, name, org_id, n, first, last in rows:
        out.setdefault(pid, []).append({"organisation": name, "org_id": org_id, "mentions": n,
                                        "first_year": first, "last_year": last})
    return out


def current_organisation(organisations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The organisation seen last (on a tie, the one with more mentions): what tells namesakes
    apart in a list of people."""
    return max(organisations, key=lambda o: (o["last_year"] or 0, o["mentions"]),
               default=None)


def find_persons(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20,
                 mentions_per_person: int = 50) -> list[dict[str, Any]]:
    """Persons matching a person id, an external id or a name, with mentions and organisations."""
    _require_people(con)
    ids = _candidates(con, query, limit)
    if not ids:
        raise NotFoundError(f"no person matches {query!r}: try another spelling, a family name "
                            "with an initial ('J. Smith'), an OpenReview id or a person id")
    org_expr, org_join, org_name = _org_columns(con)
    orgs_of = person_organisations(con, ids)
    out = []
    for pid in ids:
        person = con.execute("SELECT * FROM persons WHERE person_id = ?", [pid]).fetchone()
        cols = [d[0] for d in con.description]
        rec = dict(zip(cols, person, strict=True))
        rows = con.execute(f"""
            SELECT m.year, m.source_file, p.venue, p.title, m.raw_name, m.position,
                   {org_expr} AS org_id, {org_name} AS organisation, mp.method,
                   round(mp.confidence, 3) AS confidence, mp.evidence
              FROM mention_person mp
              JOIN mentions m ON m.paper_id = mp.paper_id AND m.position = mp.position
              JOIN papers p ON p.paper_id = m.paper_id
              {org_join}
             WHERE mp.person_id = ?
             ORDER BY m.year DESC NULLS LAST, m.paper_id LIMIT ?""",
                           [pid, mentions_per_person]).fetchall()
        mcols = [d[0] for d in con.description]
        rec["mentions"] = [dict(zip(mcols, r, strict=True)) for r in rows]
        rec["organisations"] = orgs_of.get(pid, [])
        rec["current_organisation"] = current_organisation(rec["organisations"])
        out.append(rec)
    return out
