"""Read the organisation tables: list/search organisations, one organisation in detail."""

from __future__ import annotations

from typing import Any

import duckdb

from talentgraph.errors import NotFoundError, StoreError

_TABLES = ("orgs", "org_aliases", "org_domains", "mention_orgs")


def _check(con: duckdb.DuckDBPyConnection) -> None:
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    missing = [t for t in _TABLES if t not in have]
    if missing:
        raise StoreError(f"the store has no {', '.join(missing)} table(s): run "
                         "`talentgraph build` (its orgs stage builds them)")


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def list_orgs(con: duckdb.DuckDBPyConnection, query: str | None = None,
              kind: str | None = None, country: str | None = None,
              limit: int = 50) -> list[dict[str, Any]]:
    """Organisations whose id, name or an alias contains `query`, most mentioned first."""
    _check(con)
    where, params = ["true"], {"limit": limit}
    if query:
        where.append("(o.org_id ILIKE $q OR o.name ILIKE $q OR o.org_id IN "
                     "(SELECT org_id FROM org_aliases WHERE alias ILIKE $q))")
        params["q"] = f"%{query.strip()}%"
    if kind:
        where.append("o.kind = $kind")
        params["kind"] = kind
    if country:
        where.append("o.country = upper($country)")
        params["country"] = country
    # Stores built before ROR have no ror_id column.
    ror = "o.ror_id" if con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orgs' "
        "AND column_name = 'ror_id'").fetchone()[0] else "NULL::VARCHAR AS ror_id"
    return _rows(con.execute(f"""
        SELECT o.org_id, o.name, o.kind, o.country, o.parent_id, o.top_parent_id,
               o.n_mentions, o.n_papers, o.curated, {ror}
        FROM orgs o WHERE {' AND '.join(where)}
        ORDER BY o.n_mentions DESC, o.org_id LIMIT $limit""", params))


def find_org_id(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """An org id from an id, an exact name/alias, or an affiliation string the resolver reads."""
    _check(con)
    t = text.strip()
    hit = con.execute("SELECT org_id FROM orgs WHERE org_id = $t OR lower(name) = lower($t) "
                      "ORDER BY org_id = $t DESC LIMIT 1", {"t": t}).fetchone()
    if hit:
        return hit[0]
    hit = con.execute("SELECT org_id FROM org_aliases WHERE lower(alias) = lower($t) "
                      "GROUP BY 1 ORDER BY sum(coalesce(n, 1)) DESC LIMIT 1", {"t": t}).fetchone()
    if hit:
        return hit[0]
    from talentgraph.resolve.orgs.resolver import OrgResolver

    matches = OrgResolver().resolve(t)
    if matches and con.execute("SELECT 1 FROM orgs WHERE org_id = $o",
                               {"o": matches[0].org_id}).fetchone():
        return matches[0].org_id
    raise NotFoundError(f"no organisation '{text}': try `talentgraph orgs {text.split()[0]}`"
                        if t else "give an organisation id or name")


def org_detail(con: duckdb.DuckDBPyConnection, org_id: str,
               max_aliases: int = 30) -> dict[str, Any]:
    """One organisation: its row, parents, children, aliases with dates, domains, yearly counts."""
    _check(con)
    org_id = find_org_id(con, org_id)
    org = _rows(con.execute("SELECT * FROM orgs WHERE org_id = $o", {"o": org_id}))[0]
    parents = []
    seen = {org_id}
    parent = org["parent_id"]
    while parent and parent not in seen:
        seen.add(parent)
        row = _rows(con.execute("SELECT org_id, name, kind, parent_id FROM orgs "
                                "WHERE org_id = $o", {"o": parent}))
        if not row:
            break
        parents.append(row[0])
        parent = row[0]["parent_id"]
    children = _rows(con.execute(
        "SELECT org_id, name, kind, n_mentions FROM orgs WHERE parent_id = $o "
        "ORDER BY n_mentions DESC", {"o": org_id}))
    aliases = _rows(con.execute(
        "SELECT alias, valid_from, valid_to, source, n FROM org_aliases WHERE org_id = $o "
        "ORDER BY source <> 'curated name', n DESC NULLS FIRST, alias LIMIT $k",
        {"o": org_id, "k": max_aliases}))
    domains = _rows(con.execute(
        "SELECT domain, valid_from, valid_to, source, n, share FROM org_domains "
        "WHERE org_id = $o ORDER BY source, n DESC NULLS FIRST, domain", {"o": org_id}))
    by_year = _rows(con.execute(
        "SELECT year, count(*) AS mentions, count(*) FILTER (WHERE anachronistic) "
        "AS anachronistic FROM mention_orgs WHERE org_id = $o AND year IS NOT NULL "
        "GROUP BY 1 ORDER BY 1", {"o": org_id}))
    successor = None
    if org.get("successor_id"):
        successor = {"org_id": org["successor_id"], "from": org["successor_from"]}
    predecessors = _rows(con.execute(
        "SELECT org_id, name, successor_from FROM orgs WHERE successor_id = $o", {"o": org_id}))
    return {"org": org, "parents": parents, "children": children, "successor": successor,
            "predecessors": predecessors, "aliases": aliases, "domains": domains,
            "mentions_by_year": by_year}
