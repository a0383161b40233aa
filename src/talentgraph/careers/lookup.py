"""Finding persons, organisations and papers from what a user types (a name, an id, a title)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from talentgraph.careers.observations import table_exists
from talentgraph.errors import NotFoundError, StoreError
from talentgraph.namekey import name_key


def ids_view(con: duckdb.DuckDBPyConnection, name: str, ids: object) -> str:
    """Expose a list of ids as the one-column view `name` (column `id`) and return the SQL
    sub-query over it. Binding a Python list as a query parameter is several times slower
    (the driver probes for dataframe libraries on every call)."""
    con.register(name, pa.table({"id": pa.array(sorted({str(i) for i in ids}), pa.string())}))
    return f"(SELECT id FROM {name})"


def require(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Raise StoreError naming the first missing table and the way to make it."""
    for t in tables:
        if not table_exists(con, t):
            raise StoreError(f"the store has no `{t}` table: run `talentgraph build` (the "
                             "organisations, people and careers stages make it)")


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = ? "
                       "AND column_name = ?", [table, column]).fetchone()[0] > 0


def find_persons(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> list[dict]:
    """Persons whose id, OpenReview id or name matches `query` (exact first, most active first)."""
    require(con, "persons")
    q = query.strip()
    if not q:
        raise NotFoundError("give a person's name or id")
    cols = ["person_id", "canonical_name", "n_mentions", "first_year", "last_year", "match"]
    # Fast path: an exact person id (the common case for files of ids and for links).
    exact = con.execute("SELECT person_id, canonical_name, n_mentions, first_year, last_year, 0 "
                        "FROM persons WHERE person_id = $q", {"q": q}).fetchall()
    if exact:
        return [dict(zip(cols, exact[0], strict=True))]
    # Names compare by the one name rule (talentgraph.namekey: accents, case, punctuation
    # aside), read off `person_name_keys` (positions stage); a store built before it compares
    # lower-cased, accent-stripped names in SQL.
    key = name_key(q)
    if table_exists(con, "person_name_keys"):
        by_name = "person_id IN (SELECT person_id FROM person_name_keys WHERE name_key = $k)"
    else:
        # (DuckDB's strip_accents leaves ø, ß, ł: rebuild the store for those)
        key_sql = "trim(regexp_replace(lower(strip_accents({x})), '[^a-z0-9]+', ' ', 'g'))"
        by_name = (f"list_has_any(list_transform(name_variants, v -> {key_sql.format(x='v')}), "
                   f"[{key_sql.format(x='$q')}])")
    canon = "lower(canonical_name) = lower($q)"  # the name as written ranks first
    rows = con.execute(f"""
        SELECT person_id, canonical_name, n_mentions, first_year, last_year,
               CASE WHEN person_id = $q OR list_contains(openreview_ids, $q) THEN 0
                    WHEN {canon} THEN 1
                    WHEN {by_name} THEN 2
                    ELSE 3 END AS rank
        FROM persons
        WHERE list_contains(openreview_ids, $q) OR {by_name}
        ORDER BY rank, n_mentions DESC, person_id
        LIMIT $limit
    """, {"q": q, "limit": limit, **({"k": key} if "$k" in by_name else {})}).fetchall()
    found = [dict(zip(cols, r, strict=True)) for r in rows]
    if found and found[0]["match"] == 0:
        return found[:1]
    return found


def find_persons_by_name(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20
                         ) -> list[dict]:
    """Persons whose name variants match `query` loosely: the name rules of the people stage
    (initials 'J. Smith', swapped order 'Wang Wei', accents), exact names first, then most
    active; each with the organisations of their records (most frequent first).

    For pages: one scan of `persons` narrowed by family name, and one query for the
    organisations of all the persons found (the people stage's `find_persons` reads each
    person's mentions one by one: seconds per person on the whole corpus).
    """
    from talentgraph.resolve.names import compatibility, parse

    require(con, "persons")
    wanted = parse(query.strip())
    if wanted.empty:
        return []
    rows = con.execute("""
        SELECT person_id, canonical_name, name_variants, n_mentions, first_year, last_year
        FROM persons
        WHERE list_has_any(list_transform(name_variants, v -> lower(strip_accents(v))),
                           [lower(strip_accents($q))])
           OR contains(regexp_replace(lower(strip_accents(array_to_string(name_variants, ''))),
                                      '[^a-z]', '', 'g'), $family)
        ORDER BY n_mentions DESC, person_id""",
                       {"q": query.strip(), "family": wanted.family}).fetchall()
    exact, close = [], []
    for pid, canon, variants, n, first, last in rows:  # most mentions first
        found = {"person_id": pid, "canonical_name": canon, "n_mentions": n,
                 "first_year": first, "last_year": last}
        if compatibility(wanted, parse(canon)) == "exact":
            exact.append(found)
        elif any(compatibility(wanted, parse(v)) in ("exact", "initial", "swapped")
                 for v in variants or []):
            close.append(found)
    out = (exact + close)[:limit]
    orgs: dict[str, list[dict]] = {}
    if out and table_exists(con, "career_papers"):
        people = ids_view(con, "_lookup_people", [p["person_id"] for p in out])
        for pid, org, n in con.execute(f"""
                SELECT person_id, org, count(*) AS n
                FROM (SELECT person_id, unnest(string_split(affiliation, ' + ')) AS org
                      FROM career_papers
                      WHERE person_id IN {people} AND affiliation IS NOT NULL)
                GROUP BY ALL ORDER BY person_id, n DESC, org""").fetchall():
            orgs.setdefault(pid, []).append({"organisation": org, "mentions": n})
    for p in out:
        p["organisations"] = orgs.get(p["person_id"], [])
    return out


def find_person(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The one person `query` names; NotFoundError when none (or list the candidates)."""
    found = find_persons(con, query)
    if not found:
        raise NotFoundError(f"no person matches {query!r}: try an OpenReview id (~First_Last1) "
                            "or the exact name as published")
    return found[0]["person_id"]


def find_org(con: duckdb.DuckDBPyConnection, query: str) -> dict:
    """The organisation `query` names: its id, its display name, an alias, or a unique prefix."""
    require(con, "orgs")
    q = query.strip()
    if not q:
        raise NotFoundError("give an organisation name or id")
    aliases = "SELECT org_id FROM org_aliases WHERE lower(alias) = lower($q)" \
        if table_exists(con, "org_aliases") else "SELECT NULL WHERE false"
    weight = "coalesce(o.n_mentions, 0)" if _has_column(con, "orgs", "n_mentions") else "0"
    rows = con.execute(f"""
        SELECT org_id, name, kind, top_parent_id,
               CASE WHEN org_id = $q THEN 0 WHEN lower(name) = lower($q) THEN 1
                    WHEN org_id IN ({aliases}) THEN 2 ELSE 3 END AS rank,
               {weight} AS activity
        FROM orgs o
        WHERE org_id = $q OR lower(name) = lower($q) OR org_id IN ({aliases})
           OR lower(name) LIKE lower($q) || '%'
        ORDER BY rank, activity DESC, org_id LIMIT 10
    """, {"q": q}).fetchall()
    if not rows:
        raise NotFoundError(f"no organisation matches {query!r}: try its full name or id")
    best = rows[0]
    return {"org_id": best[0], "name": best[1], "kind": best[2], "top_parent_id": best[3],
            "other_matches": [r[1] for r in rows[1:] if r[4] == best[4]][:5]}


def org_family(con: duckdb.DuckDBPyConnection, org_id: str) -> list[str]:
    """The organisation, every organisation below it (FAIR is in Meta's family) and its
    successors (DeepMind -> Google DeepMind: the same people under a new name)."""
    succ = ("UNION ALL SELECT org_id, successor_id FROM orgs WHERE successor_id IS NOT NULL"
            if _has_column(con, "orgs", "successor_id") else "")
    rows = con.execute(f"""
        WITH RECURSIVE edges(src, dst) AS (
            SELECT parent_id, org_id FROM orgs WHERE parent_id IS NOT NULL {succ}
        ),
        fam(org_id) AS (
            SELECT $o
            UNION
            SELECT e.dst FROM edges e JOIN fam ON e.src = fam.org_id
        )
        SELECT org_id FROM fam
    """, {"o": org_id}).fetchall()
    return sorted({r[0] for r in rows} | {org_id})


class OrgTree:
    """The orgs table's parent and successor links, loaded once, for many family questions."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'orgs'").fetchall()}
        succ = "successor_id" if "successor_id" in cols else "NULL"
        self.down: dict[str, list[str]] = {}
        self.top: dict[str, str] = {}
        for org, parent, top, nxt in con.execute(
                f"SELECT org_id, parent_id, coalesce(top_parent_id, org_id), {succ} FROM orgs"
        ).fetchall():
            self.top[org] = top
            for src in (parent, org if nxt else None):
                if src is not None:
                    self.down.setdefault(src, []).append(nxt if src == org else org)

    def family(self, org_id: str) -> set[str]:
        """The organisation, everything below it and its successors."""
        seen, todo = {org_id}, [org_id]
        while todo:
            for nxt in self.down.get(todo.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


def find_paper(con: duckdb.DuckDBPyConnection, query: str) -> dict:
    """A paper by paper_id, record id or exact title (most authors first when titles repeat)."""
    q = query.strip()
    rows = con.execute("""
        SELECT paper_id, title, venue, year, n_authors,
               CASE WHEN paper_id = $q THEN 0 WHEN record_id = $q THEN 1
                    WHEN lower(title) = lower($q) THEN 2 ELSE 3 END AS rank
        FROM papers
        WHERE paper_id = $q OR record_id = $q OR lower(title) = lower($q)
        ORDER BY rank, n_authors DESC, year DESC LIMIT 5
    """, {"q": q}).fetchall()
    if not rows:
        rows = con.execute("""
            SELECT paper_id, title, venue, year, n_authors, 4 FROM papers
            WHERE title ILIKE '%' || $q || '%' ORDER BY n_authors DESC, year DESC LIMIT 5
        """, {"q": q}).fetchall()
    if not rows:
        raise NotFoundError(f"no paper matches {query!r}: give its title, record id or "
                            "paper id (venueYEAR/record)")
    p = rows[0]
    return {"paper_id": p[0], "title": p[1], "venue": p[2], "year": p[3], "n_authors": p[4],
            "other_matches": [{"paper_id": r[0], "title": r[1], "year": r[3]} for r in rows[1:]]}
