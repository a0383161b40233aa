"""The `positions` build stage: each stored position's organisation resolved and its person
linked, or left unlinked with the reason (never guessed).

Organisation: the resolver paper affiliations go through (`resolve.orgs.resolver.OrgResolver`,
with the store's learned domains), then the first organisation it names that the store holds.
A ROR id given by the source (ORCID, OpenAlex) matches `orgs.ror_id` first where that column
exists. Otherwise the position is kept with its organisation unresolved (`org_id` NULL).

Person, strongest evidence first:
1. `orcid`, `openreview`, `dblp`, `scholar`: an id the position carries that exactly one person
   of the store holds (`persons.orcids`, ...). An id held by several persons links nothing.
2. `name_org`: the name (accents, case, punctuation aside: talentgraph.namekey) is one of exactly
   one person who, of all persons of that name, has the position's organisation (or one under
   the same top-level organisation) in their paper records within the position's years (a year
   of slack either side: papers appear after the work).
3. `name_unique`: the name is that of exactly one person of the store and of one person only of
   a weaker link: a position linked this way alone never corroborates a
   spell (see careers.position_obs).
Anything else stays unlinked, with `reason` saying why; `talentgraph positions unlinked` lists them.
A position whose id names a person of the store with another name is still linked (ids win);
a name never links to a person whose ids of the same kind differ from the position's.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from talentgraph.careers.observations import table_exists
from talentgraph.namekey import name_key

YEAR_SLACK = 1
ID_LINKS = (("orcid", "orcids"), ("openreview_id", "openreview_ids"), ("dblp", "dblp_ids"),
            ("google_scholar", "google_scholar_ids"))
ID_METHODS = {"orcid": "orcid", "openreview_id": "openreview", "dblp": "dblp",
              "google_scholar": "scholar"}
# Link methods strong enough for a position to corroborate a spell on its own.
STRONG_LINKS = ("orcid", "openreview", "dblp", "scholar", "name_org")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = ?", [table]).fetchall()}


def build_name_keys(con: duckdb.DuckDBPyConnection) -> int:
    """`person_name_keys` (person_id, name_key): every name of every person, keyed by the one
    name rule, for every look-up by name (cohort files, `person`, positions)."""
    rows: dict[tuple[str, str], None] = {}
    for pid, canon, variants in con.execute(
            "SELECT person_id, canonical_name, name_variants FROM persons").fetchall():
        for n in (canon, *(variants or [])):
            k = name_key(n)
            if k:
                rows[(k, pid)] = None
    keys = list(rows)
    _keys = pa.table({"name_key": [k for k, _ in keys],  # noqa: F841 (read by DuckDB)
                      "person_id": [p for _, p in keys]})
    con.execute("CREATE OR REPLACE TABLE person_name_keys AS SELECT * FROM _keys "
                "ORDER BY name_key")
    return len(keys)


def _resolve_orgs(con: duckdb.DuckDBPyConnection) -> None:
    """`_pos_orgs` (org_raw, org_domain, org_ror, org_id, org_method) for each distinct triple."""
    from talentgraph.resolve.orgs.resolver import OrgResolver

    known = {r[0] for r in con.execute("SELECT org_id FROM orgs").fetchall()}
    by_ror: dict[str, str] = {}
    if "ror_id" in _columns(con, "orgs"):
        by_ror = {_ror_key(r): o for o, r in con.execute(
            "SELECT org_id, ror_id FROM orgs WHERE ror_id IS NOT NULL").fetchall()}
    learned: dict[str, str] = {}
    if table_exists(con, "org_domains"):
        learned = dict(con.execute("SELECT domain, org_id FROM org_domains "
                                   "WHERE source = 'learned'").fetchall())
    resolver = OrgResolver(learned_domains=learned)
    rows: list[dict[str, Any]] = []
    for raw, domain, ror in con.execute(
            "SELECT DISTINCT org_raw, org_domain, org_ror FROM positions").fetchall():
        org_id, method = None, "unresolved"
        if ror and _ror_key(ror) in by_ror:
            org_id, method = by_ror[_ror_key(ror)], "ror"
        else:
            for m in resolver.resolve(raw, domain=domain):
                if m.org_id in known:
                    org_id, method = m.org_id, m.method
                    break
        rows.append({"org_raw": raw, "org_domain": domain, "org_ror": ror, "org_id": org_id,
                     "org_method": method})
    _pos = pa.Table.from_pylist(rows, schema=pa.schema([  # noqa: F841
        ("org_raw", pa.string()), ("org_domain", pa.string()), ("org_ror", pa.string()),
        ("org_id", pa.string()), ("org_method", pa.string())]))
    con.execute("CREATE OR REPLACE TEMP TABLE _pos_orgs AS SELECT * FROM _pos")


def _ror_key(ror: str) -> str:
    return str(ror).strip().rstrip("/").rsplit("/", 1)[-1].lower()


def build_position_links(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """(Re)build `position_links` from `positions`, `persons`, `mention_person`, `mention_orgs`
    and `orgs`; returns counts by link method and organisation outcome."""
    _resolve_orgs(con)
    pcols = _columns(con, "persons")
    id_parts = [f"""SELECT p.position_id, '{ID_METHODS[col]}' AS method, x.person_id
                    FROM positions p JOIN (SELECT person_id, unnest({lst}) AS v FROM persons) x
                      ON x.v = p.{col}
                    WHERE p.{col} IS NOT NULL""" for col, lst in ID_LINKS if lst in pcols]
    by_id = " UNION ALL ".join(id_parts) or \
        "SELECT NULL::VARCHAR AS position_id, NULL AS method, NULL::VARCHAR AS person_id " \
        "WHERE false"
    # An id of the position that a candidate holds a different value of (same kind): no match.
    clash = " OR ".join(
        f"(p.{col} IS NOT NULL AND len(coalesce(pr.{lst}, [])) > 0 "
        f"AND NOT list_contains(pr.{lst}, p.{col}))" for col, lst in ID_LINKS if lst in pcols
    ) or "false"
    con.execute(f"""
    CREATE OR REPLACE TABLE position_links AS
    WITH pos AS (
        SELECT p.*, o.org_id, o.org_method,
               coalesce(year(p.start_date), year(p.end_date), year(p.seen_date)) AS y0,
               coalesce(year(p.end_date), 9999) AS y1
        FROM positions p LEFT JOIN _pos_orgs o
          ON o.org_raw IS NOT DISTINCT FROM p.org_raw
         AND o.org_domain IS NOT DISTINCT FROM p.org_domain
         AND o.org_ror IS NOT DISTINCT FROM p.org_ror
    ),
    ids AS (
        SELECT position_id, min(method) AS method, min(person_id) AS person_id,
               count(DISTINCT person_id) AS n
        FROM ({by_id}) GROUP BY position_id
    ),
    cands AS (
        SELECT DISTINCT p.position_id, k.person_id
        FROM pos p JOIN person_name_keys k ON k.name_key = p.name_key
        JOIN persons pr ON pr.person_id = k.person_id
        WHERE NOT ({clash})
    ),
    ncand AS (SELECT position_id, count(*) AS n, min(person_id) AS only FROM cands
              GROUP BY position_id),
    -- candidates with the position's organisation (same top-level organisation) on a paper
    -- within the position's years
    top AS (SELECT org_id, coalesce(top_parent_id, org_id) AS top FROM orgs),
    at_org AS (
        SELECT DISTINCT c.position_id, c.person_id
        FROM cands c JOIN pos p USING (position_id)
        JOIN top pt ON pt.org_id = p.org_id
        JOIN mention_person mp ON mp.person_id = c.person_id
        JOIN mention_orgs mo ON mo.paper_id = mp.paper_id AND mo.position = mp.position
        JOIN papers pa ON pa.paper_id = mp.paper_id
        JOIN top mt ON mt.org_id = mo.org_id
        WHERE mt.top = pt.top
          AND pa.year BETWEEN coalesce(p.y0, 0) - {YEAR_SLACK} AND p.y1 + {YEAR_SLACK}
    ),
    norg AS (SELECT position_id, count(*) AS n, min(person_id) AS only FROM at_org
             GROUP BY position_id),
    -- how many persons of the whole store carry the name
    store_n AS (SELECT name_key, count(DISTINCT person_id) AS n FROM person_name_keys
                WHERE name_key IN (SELECT name_key FROM pos) GROUP BY name_key)
    SELECT p.position_id, p.source, p.unit,
           CASE WHEN ids.n = 1 THEN ids.person_id
                WHEN ids.n > 1 THEN NULL
                WHEN norg.n = 1 THEN norg.only
                WHEN coalesce(norg.n, 0) = 0 AND ncand.n = 1 AND sn.n = 1
                     AND len(string_split(p.name_key, ' ')) >= 2 THEN ncand.only
           END AS person_id,
           CASE WHEN ids.n = 1 THEN ids.method
                WHEN ids.n > 1 THEN NULL
                WHEN norg.n = 1 THEN 'name_org'
                WHEN coalesce(norg.n, 0) = 0 AND ncand.n = 1 AND sn.n = 1
                     AND len(string_split(p.name_key, ' ')) >= 2 THEN 'name_unique'
           END AS link,
           CASE WHEN ids.n > 1 THEN 'its id is held by ' || ids.n || ' persons'
                WHEN ids.n = 1 OR norg.n = 1 THEN NULL
                WHEN coalesce(norg.n, 0) = 0 AND ncand.n = 1 AND sn.n = 1
                     AND len(string_split(p.name_key, ' ')) >= 2 THEN NULL
                WHEN norg.n > 1 THEN norg.n || ' persons of this name have the organisation '
                                      || 'in their records in these years'
                WHEN coalesce(ncand.n, 0) = 0 THEN 'no person of this name or id in the store'
                WHEN len(string_split(p.name_key, ' ')) < 2 THEN 'a one-word name'
                ELSE coalesce(sn.n, ncand.n) || ' persons share the name and none has '
                     || CASE WHEN p.org_id IS NULL THEN 'the (unresolved) organisation'
                             ELSE 'the organisation' END
                     || ' in their records in the position''s years'
           END AS reason,
           p.org_id, p.org_method
    FROM pos p
    LEFT JOIN ids USING (position_id)
    LEFT JOIN ncand USING (position_id)
    LEFT JOIN norg USING (position_id)
    LEFT JOIN store_n sn ON sn.name_key = p.name_key
    ORDER BY p.position_id
    """)
    con.execute("DROP TABLE IF EXISTS _pos_orgs")
    out: dict[str, Any] = {"positions": con.execute(
        "SELECT count(*) FROM position_links").fetchone()[0]}
    for link, n in con.execute("SELECT coalesce(link, 'unlinked'), count(*) FROM position_links "
                               "GROUP BY 1 ORDER BY 1").fetchall():
        out[f"linked_{link}" if link != "unlinked" else "unlinked"] = n
    out["org_unresolved"] = con.execute(
        "SELECT count(*) FROM position_links WHERE org_id IS NULL").fetchone()[0]
    return out


def positions_stage(con: duckdb.DuckDBPyConnection, progress: Any = None) -> dict[str, Any]:
    """The pipeline's `positions` stage (after organisations and people, before careers)."""
    missing = [t for t in ("persons", "orgs", "mention_person", "mention_orgs")
               if not table_exists(con, t)]
    if missing:
        return {"skipped": f"needs {', '.join(missing)} (organisations and people stages)"}
    n_keys = build_name_keys(con)
    if not table_exists(con, "positions"):
        return {"name_keys": n_keys, "positions": 0}
    return {"name_keys": n_keys, **build_position_links(con)}


def unlinked(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict[str, Any]]:
    """Positions left unlinked, with why (for `talentgraph positions unlinked`)."""
    if not table_exists(con, "position_links"):
        return []
    cur = con.execute(f"""
        SELECT p.person_name, p.org_raw, p.title, p.start_date, p.end_date, p.source, p.url,
               l.reason, p.position_id
        FROM position_links l JOIN positions p USING (position_id)
        WHERE l.person_id IS NULL
        ORDER BY p.source, p.person_name, p.start_date
        {f'LIMIT {int(limit)}' if limit else ''}""")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
