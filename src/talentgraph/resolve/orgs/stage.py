"""The `orgs` build stage: orgs, org_aliases, org_domains, mention_orgs and paper_orgs in DuckDB.

There are ~700k mentions but ~100k distinct (raw affiliation, aff_norm, country, domains) keys
and ~80k distinct raw strings: each key is resolved once in Python (the resolver caches each
distinct part string) and the answers are joined back to the mentions in SQL.

Two passes: the first resolves names only and learns which organisation each registrable domain
stands for in the corpus (e.g. utah.edu -> university-of-utah when mentions carrying utah.edu
mostly name it); the second resolves every key with curated and learned domains, so mentions
that only carry an e-mail domain (OpenReview exports of 2013-2020) get an organisation too.

Hosts: a generated organisation that is a unit or another name of an organisation (a
department writing its university's domain, a laboratory written with its host, an institute its
authors list beside a university) gets that organisation as parent (resolve/orgs/hosts.py), so
that a change between them is not read as a move.

Dates: a name that meant another organisation in the paper's year is read as that one
("Google DeepMind" was DeepMind's style in 2014-2016, the merged unit from April 2023), except
in OpenReview profile affiliations (the author's current ones). A mention on a paper from a
year after an organisation's successor took over (DeepMind and Google Brain -> Google DeepMind
from 2023-04-20) is moved to the successor (method "+successor", named_org_id keeps what the
record said); a name used before its alias existed ("Google DeepMind" on a 2021 OpenReview
paper: profile affiliations are current ones, not those at publication) is kept but flagged
`anachronistic`, for careers code to discount.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import duckdb
import pyarrow as pa

from talentgraph.resolve.orgs import catalog as catalog_mod
from talentgraph.resolve.orgs import hosts as hosts_mod
from talentgraph.resolve.orgs import typos
from talentgraph.resolve.orgs.resolver import OrgMatch, OrgResolver, registrable_domain
from talentgraph.resolve.orgs.ror import RorIndex
from talentgraph.resolve.orgs.text import key, split_parts

# A domain stands for an organisation when at least this many mentions carry it and this share
# of them name that organisation (rank 1): below that, a domain is shared (a hosting provider,
# a national research network) or too rare to trust.
LEARN_MIN_MENTIONS = 3
LEARN_MIN_SHARE = 0.6


def _no_progress(stage: str, done: int, total: int, detail: str = "") -> None:
    return None


def _result_rows(key_id: int, matches: list[OrgMatch]) -> list[dict[str, Any]]:
    return [{"key_id": key_id, "rank": i + 1, "org_id": m.org_id, "method": m.method,
             "confidence": round(m.confidence, 3), "valid_from": m.valid_from,
             "valid_to": m.valid_to, "alias_key": m.alias_key} for i, m in enumerate(matches)]


class _LongTail:
    """Votes for the name, kind and country of each generated (non-curated) organisation."""

    def __init__(self) -> None:
        self.names: dict[str, Counter[str]] = defaultdict(Counter)
        self.kinds: dict[str, Counter[str]] = defaultdict(Counter)
        self.countries: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, m: OrgMatch, n: int) -> None:
        if m.curated or m.method.startswith(("learned_domain", "ror_domain")):
            return
        self.names[m.org_id][m.name] += n
        if m.kind != "unknown":
            self.kinds[m.org_id][m.kind] += n
        if m.country:
            self.countries[m.org_id][m.country] += n


def _person_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Keys of affiliation strings that are also author names in the corpus (a misplaced name)."""
    rows = con.execute("""
        SELECT DISTINCT a FROM (
            SELECT raw_affiliation AS a FROM mentions WHERE raw_affiliation IS NOT NULL
            UNION ALL SELECT unnest(aff_set) FROM papers)
        WHERE a IN (SELECT raw_name FROM mentions)""").fetchall()
    return frozenset(key(r[0]) for r in rows)


def build_orgs(con: duckdb.DuckDBPyConnection, progress: Any = _no_progress) -> dict[str, Any]:
    """Rebuild the organisation tables from the ingested mentions and papers."""
    progress = progress or _no_progress
    cat = catalog_mod.default()
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _org_keys AS
        SELECT row_number() OVER (ORDER BY raw_affiliation, aff_norm, aff_country,
                                      affiliation_domain, email_domain, aff_ror) AS key_id, *
        FROM (SELECT raw_affiliation, aff_norm, aff_country, affiliation_domain, email_domain,
                     aff_ror, count(*) AS n
              FROM mentions
              WHERE coalesce(raw_affiliation, aff_norm, affiliation_domain, email_domain,
                             aff_ror) IS NOT NULL
              GROUP BY ALL)""")
    keys = con.execute("SELECT key_id, raw_affiliation, aff_norm, aff_country, "
                       "affiliation_domain, email_domain, n, aff_ror FROM _org_keys "
                       "ORDER BY key_id").fetchall()  # in a fixed order: votes and names are
    # counted in it
    rors = {k[0]: k[7] for k in keys if k[7]}  # ROR ids a source gave (OpenAlex institutions)
    keys = [k[:7] for k in keys]
    total = len(keys) * 2
    # ROR, when the store holds a dump (sources/ror.py): names, places, hosts and successors
    # under the curated layer (resolve/orgs/ror.py).
    ror = RorIndex.from_store(con)
    resolver = OrgResolver(cat, _person_names(con), ror=ror)

    # Pass 1: names only; learn what each registrable domain stands for.
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for done, (kid, raw, norm, country, dom, edom, n) in enumerate(keys, start=1):
        matches = resolver.resolve(raw, norm, country, ror_ids=rors.get(kid))
        d = registrable_domain(dom) or registrable_domain(edom)
        if d and d not in cat.generic_domains:
            votes[d][matches[0].org_id if matches else ""] += n
        if done % 5000 == 0:
            progress("orgs", done, total, "names")
    learned: dict[str, tuple[str, int, float]] = {}
    for d, c in votes.items():
        n_all = sum(c.values())
        org, n_org = c.most_common(1)[0]
        if org and n_all >= LEARN_MIN_MENTIONS and n_org / n_all >= LEARN_MIN_SHARE:
            learned[d] = (org, n_all, round(n_org / n_all, 3))
    resolver.learned_domains = {d: v[0] for d, v in learned.items()}

    # Pass 2: names and domains.
    rows: list[dict[str, Any]] = []
    tail = _LongTail()
    votes = hosts_mod.HostVotes.empty()
    for done, (kid, raw, norm, country, dom, edom, n) in enumerate(keys, start=len(keys) + 1):
        matches = resolver.resolve(raw, norm, country, dom, edom, ror_ids=rors.get(kid))
        rows.extend(_result_rows(kid, matches))
        for m in matches:
            tail.add(m, n)
        if raw and raw.strip():
            hosts_mod.add_named(votes, raw, [next((m.org_id for m in resolver.resolve_part(p)),
                                                  None) for p in split_parts(raw)], n)
        if done % 5000 == 0:
            progress("orgs", done, total, "names and domains")

    # Paper-level affiliation sets (not attributed to authors).
    sets = [r[0] for r in con.execute(
        "SELECT DISTINCT unnest(aff_set) FROM papers WHERE len(aff_set) > 0 ORDER BY 1"
        ).fetchall()]
    set_rows: list[dict[str, Any]] = []
    for s in sets:
        for i, m in enumerate(resolver.resolve(s)):
            set_rows.append({"aff": s, "rank": i + 1, "org_id": m.org_id, "method": m.method,
                             "alias_key": m.alias_key})
            tail.add(m, 1)

    into = _merge_typos(tail, cat, rows, set_rows, votes)
    learned = {d: (into.get(o, o), n, share) for d, (o, n, share) in learned.items()}
    resolver.learned_domains = {d: v[0] for d, v in learned.items()}
    used = {r["org_id"] for r in rows} | {r["org_id"] for r in set_rows}
    _write_orgs(con, cat, tail, resolver, used)
    _write_aliases(con, cat, tail, learned)
    schema = pa.schema([("key_id", pa.int64()), ("rank", pa.int32()), ("org_id", pa.string()),
                        ("method", pa.string()), ("confidence", pa.float64()),
                        ("valid_from", pa.date32()), ("valid_to", pa.date32()),
                        ("alias_key", pa.string())])
    _key_results = pa.Table.from_pylist(rows, schema=schema)  # noqa: F841  (read by DuckDB)
    _alias_periods = pa.Table.from_pylist(  # noqa: F841
        [{"alias_key": k, "org_id": a.org_id, "valid_from": a.valid_from,
          "valid_to": a.valid_to} for k, aliases in cat.periods.items() for a in aliases],
        schema=pa.schema([("alias_key", pa.string()), ("org_id", pa.string()),
                          ("valid_from", pa.date32()), ("valid_to", pa.date32())]))
    _set_results = pa.Table.from_pylist(  # noqa: F841
        set_rows, schema=pa.schema([("aff", pa.string()), ("rank", pa.int32()),
                                    ("org_id", pa.string()), ("method", pa.string()),
                                    ("alias_key", pa.string())]))
    con.execute("""
        CREATE OR REPLACE TABLE mention_orgs AS
        WITH keyed AS (
            SELECT m.paper_id, m.position, m.year, r.org_id, r.rank, r.method, r.confidence,
                   r.valid_from, r.alias_key, s.family
            FROM mentions m
            JOIN _org_keys k
              ON k.raw_affiliation IS NOT DISTINCT FROM m.raw_affiliation
             AND k.aff_norm IS NOT DISTINCT FROM m.aff_norm
             AND k.aff_country IS NOT DISTINCT FROM m.aff_country
             AND k.affiliation_domain IS NOT DISTINCT FROM m.affiliation_domain
             AND k.email_domain IS NOT DISTINCT FROM m.email_domain
             AND k.aff_ror IS NOT DISTINCT FROM m.aff_ror
            JOIN _key_results r ON r.key_id = k.key_id
            LEFT JOIN sources s ON s.source_file = m.source_file),
        -- A name that meant another organisation in the paper's year ("Google DeepMind" in
        -- a 2015 proceedings PDF is DeepMind). Not for OpenReview profile affiliations
        -- (families A, B): those are the author's current ones and stay anachronistic.
        periods AS (
            SELECT k.paper_id, k.position, k.org_id, min(p.org_id) AS period_org,
                   min(p.valid_from) AS period_from
            FROM keyed k JOIN _alias_periods p
              ON p.alias_key = k.alias_key AND p.org_id <> k.org_id
             AND k.year >= year(coalesce(p.valid_from, DATE '0001-01-01'))
             AND k.year < year(coalesce(p.valid_to, DATE '9999-12-31'))
            WHERE coalesce(k.family, '') NOT IN ('A', 'B')
            GROUP BY ALL),
        joined AS (
            SELECT k.paper_id, k.position, k.year,
                   coalesce(p.period_org, k.org_id) AS named_org_id, k.rank,
                   CASE WHEN p.period_org IS NULL THEN k.method
                        ELSE k.method || '+dated_name' END AS method,
                   k.confidence,
                   CASE WHEN p.period_org IS NULL THEN k.valid_from ELSE p.period_from END
                       AS valid_from,
                   o.successor_id, o.successor_from
            FROM keyed k
            LEFT JOIN periods p USING (paper_id, position, org_id)
            LEFT JOIN orgs o ON o.org_id = coalesce(p.period_org, k.org_id)),
        dated AS (
            SELECT *, (successor_id IS NOT NULL AND year > year(successor_from)) AS moved
            FROM joined)
        SELECT paper_id, position,
               CASE WHEN moved THEN successor_id ELSE named_org_id END AS org_id,
               CAST(row_number() OVER (PARTITION BY paper_id, position ORDER BY rank) AS INTEGER)
                   AS rank,
               CASE WHEN moved THEN method || '+successor' ELSE method END AS method,
               confidence, year, named_org_id,
               coalesce(year < year(valid_from), false) AS anachronistic
        FROM dated
        QUALIFY row_number() OVER (PARTITION BY paper_id, position,
                                   CASE WHEN moved THEN successor_id ELSE named_org_id END
                                   ORDER BY rank) = 1""")
    # Re-number ranks after removing duplicates (two names of one organisation).
    con.execute("""
        CREATE OR REPLACE TABLE mention_orgs AS
        SELECT paper_id, position, org_id,
               CAST(row_number() OVER (PARTITION BY paper_id, position ORDER BY rank)
                    AS INTEGER) AS rank,
               method, confidence, year, named_org_id, anachronistic
        FROM mention_orgs""")
    con.execute("""
        CREATE OR REPLACE TABLE paper_orgs AS
        WITH named AS (
            SELECT p.paper_id, p.year, r.method, r.org_id AS said,
                   (SELECT min(ap.org_id) FROM _alias_periods ap
                    WHERE ap.alias_key = r.alias_key AND ap.org_id <> r.org_id
                      AND p.year >= year(coalesce(ap.valid_from, DATE '0001-01-01'))
                      AND p.year < year(coalesce(ap.valid_to, DATE '9999-12-31'))) AS period_org
            FROM (SELECT paper_id, year, unnest(aff_set) AS aff FROM papers
                  WHERE len(aff_set) > 0) p
            JOIN _set_results r ON r.aff = p.aff)
        SELECT DISTINCT n.paper_id,
               CASE WHEN o.successor_id IS NOT NULL AND n.year > year(o.successor_from)
                    THEN o.successor_id ELSE o.org_id END AS org_id,
               n.method || CASE WHEN n.period_org IS NULL THEN '' ELSE '+dated_name' END
                   AS method
        FROM named n
        JOIN orgs o ON o.org_id = coalesce(n.period_org, n.said)""")
    con.execute("""
        CREATE OR REPLACE TABLE orgs AS
        SELECT o.*, coalesce(m.n_mentions, 0) AS n_mentions,
               coalesce(m.n_papers, 0) + coalesce(p.n_set_papers, 0) AS n_papers
        FROM orgs o
        LEFT JOIN (SELECT org_id, count(*) AS n_mentions, count(DISTINCT paper_id) AS n_papers
                   FROM mention_orgs GROUP BY 1) m USING (org_id)
        LEFT JOIN (SELECT org_id, count(DISTINCT paper_id) AS n_set_papers
                   FROM paper_orgs GROUP BY 1) p USING (org_id)""")
    con.execute("DROP TABLE IF EXISTS _org_keys")
    n_hosts = _write_hosts(con, cat, resolver, votes)
    progress("orgs", total, total, "done")
    return {**_summary(con, len(keys), len(learned)), "hosted_orgs": n_hosts,
            "typo_merged_orgs": len(into)}


def _merge_typos(tail: _LongTail, cat: catalog_mod.Catalog, rows: list[dict[str, Any]],
                 set_rows: list[dict[str, Any]], votes: hosts_mod.HostVotes) -> dict[str, str]:
    """Fold each generated organisation whose name misspells another's by one letter into it
    (resolve/orgs/typos.py): its names become aliases of the other. Returns rare id -> id."""
    orgs = {o: typos.TailOrg(names.most_common(1)[0][0], sum(names.values()),
                             tail.countries[o].most_common(1)[0][0]
                             if tail.countries.get(o) else None)
            for o, names in tail.names.items() if o not in cat.orgs and names}
    into = typos.typo_merges(orgs)
    if not into:
        return into
    for r in (*rows, *set_rows):
        r["org_id"] = into.get(r["org_id"], r["org_id"])
    for rare, common in into.items():
        for table in (tail.names, tail.kinds, tail.countries):
            table[common].update(table.pop(rare, Counter()))
    for table in (votes.domain, votes.named, votes.colisted):
        for g in [g for g in table if g in into]:
            table[into[g]].update(table.pop(g))
        for counter in table.values():
            for h in [h for h in counter if h in into]:
                counter[into[h]] += counter.pop(h)
    return into


def _write_hosts(con: duckdb.DuckDBPyConnection, cat: catalog_mod.Catalog,
                 resolver: OrgResolver, votes: hosts_mod.HostVotes) -> dict[str, int]:
    """Give generated organisations their host (resolve/orgs/hosts.py) as parent in `orgs`;
    returns how many got one, by evidence."""
    facts = {o: hosts_mod.OrgFacts(k, bool(c), int(n or 0)) for o, k, c, n in con.execute(
        "SELECT org_id, kind, curated, n_mentions FROM orgs ORDER BY org_id").fetchall()}
    # Domains on the mentions each generated organisation is the first one of.
    for g, dom, edom, n in con.execute("""
            SELECT mo.org_id, m.affiliation_domain, m.email_domain, count(*)
            FROM mention_orgs mo JOIN mentions m USING (paper_id, position)
            JOIN orgs o ON o.org_id = mo.org_id
            WHERE mo.rank = 1 AND NOT o.curated
              AND coalesce(m.affiliation_domain, m.email_domain) IS NOT NULL
            GROUP BY ALL ORDER BY ALL""").fetchall():
        hit = resolver.domain_org(dom) or resolver.domain_org(edom)
        if hit and hit[0] != g:
            votes.domain[g][hit[0]] += n
    # Organisations listed beside each generated one in one mention.
    for g, h, n, authors in con.execute("""
            SELECT a.org_id, b.org_id, count(*), count(DISTINCT m.raw_name)
            FROM mention_orgs a JOIN mention_orgs b USING (paper_id, position)
            JOIN mentions m USING (paper_id, position)
            JOIN orgs o ON o.org_id = a.org_id
            WHERE NOT o.curated AND a.org_id <> b.org_id
            GROUP BY ALL ORDER BY ALL""").fetchall():
        votes.colisted[g][h] += n
        votes.colisted_authors[(g, h)] = authors
    # Parents the curated table or ROR gave: kept, and no host is chosen for those organisations.
    parent = dict(con.execute(
        "SELECT org_id, parent_id FROM orgs WHERE parent_id IS NOT NULL").fetchall())
    hosts = hosts_mod.without_cycles(
        {g: h for g, h in hosts_mod.choose_hosts(votes, facts).items() if g not in parent},
        parent)
    if not hosts:
        return {}
    up = {**parent, **{g: h.host_id for g, h in hosts.items()}}

    def top(org: str) -> str:
        seen = {org}
        while (nxt := up.get(org)) and nxt not in seen:
            seen.add(nxt)
            org = nxt
        return org

    _hosts = pa.Table.from_pylist(  # noqa: F841  (read by DuckDB)
        [{"org_id": g, "parent_id": h.host_id, "top_parent_id": top(g)}
         for g, h in hosts.items()],
        schema=pa.schema([("org_id", pa.string()), ("parent_id", pa.string()),
                          ("top_parent_id", pa.string())]))
    con.execute("""
        UPDATE orgs SET parent_id = h.parent_id, top_parent_id = h.top_parent_id
        FROM _hosts h WHERE orgs.org_id = h.org_id""")
    return dict(Counter(h.evidence for h in hosts.values()))


def _write_orgs(con: duckdb.DuckDBPyConnection, cat: catalog_mod.Catalog,
                tail: _LongTail, resolver: OrgResolver, used: set[str]) -> None:
    """The `orgs` table: curated organisations, then the others the mentions reached. A ROR
    organisation takes its name, kind and country from ROR, its `ror_id`, and as parent the
    ROR parent that hosts it (added as a row of its own when no mention reached it)."""
    ror = resolver.ror
    ror_of = ror.ror_of if ror is not None else {}
    rows: dict[str, dict[str, Any]] = {}
    for o in cat.orgs.values():
        rows[o.org_id] = {"org_id": o.org_id, "name": o.name, "kind": o.kind,
                          "country": o.country, "parent_id": o.parent_id,
                          "top_parent_id": cat.top_parent(o.org_id),
                          "successor_id": o.successor_id, "successor_from": o.successor_from,
                          "curated": True, "ror_id": resolver.curated_ror.get(o.org_id)}

    def ror_row(org_id: str) -> None:
        assert ror is not None
        rid = ror_of[org_id]
        r = ror.orgs[rid]
        p = ror.parent_org(rid)
        parent = ror.org_id.get(p) if p else None
        countries = tail.countries.get(org_id)
        rows[org_id] = {"org_id": org_id, "name": r.name, "kind": r.kind,
                        "country": r.country or (countries.most_common(1)[0][0]
                                                 if countries else None),
                        "parent_id": parent, "top_parent_id": org_id, "successor_id": None,
                        "successor_from": None, "curated": False, "ror_id": rid}
        if parent and parent not in rows:
            ror_row(parent)

    for org_id in sorted(set(tail.names) | used):
        if org_id in rows:
            continue
        if org_id in ror_of:
            ror_row(org_id)
            continue
        names = tail.names.get(org_id)
        if not names:
            continue
        kinds, countries = tail.kinds.get(org_id), tail.countries.get(org_id)
        rows[org_id] = {"org_id": org_id, "name": names.most_common(1)[0][0],
                        "kind": kinds.most_common(1)[0][0] if kinds else "unknown",
                        "country": countries.most_common(1)[0][0] if countries else None,
                        "parent_id": None, "top_parent_id": org_id, "successor_id": None,
                        "successor_from": None, "curated": False, "ror_id": None}
    for org_id, row in rows.items():
        if row["curated"] or not row["parent_id"]:
            continue
        seen, top = {org_id}, row["parent_id"]
        while (up := rows.get(top, {}).get("parent_id")) and up not in seen:
            seen.add(top)
            top = up
        row["top_parent_id"] = top
    _orgs = pa.Table.from_pylist(list(rows.values()), schema=pa.schema([  # noqa: F841
        ("org_id", pa.string()), ("name", pa.string()), ("kind", pa.string()),
        ("country", pa.string()), ("parent_id", pa.string()), ("top_parent_id", pa.string()),
        ("successor_id", pa.string()), ("successor_from", pa.date32()), ("curated", pa.bool_()),
        ("ror_id", pa.string())]))
    con.execute("CREATE OR REPLACE TABLE orgs AS SELECT * FROM _orgs ORDER BY org_id")


def _write_aliases(con: duckdb.DuckDBPyConnection, cat: catalog_mod.Catalog, tail: _LongTail,
                   learned: dict[str, tuple[str, int, float]]) -> None:
    rows = [{"alias": a.alias, "org_id": a.org_id, "valid_from": a.valid_from,
             "valid_to": a.valid_to, "source": a.source, "n": None} for a in cat.aliases]
    for org_id, names in tail.names.items():
        if org_id in cat.orgs:
            continue
        for name, n in names.items():
            rows.append({"alias": name, "org_id": org_id, "valid_from": None, "valid_to": None,
                         "source": "corpus", "n": n})
    _aliases = pa.Table.from_pylist(rows, schema=pa.schema([  # noqa: F841
        ("alias", pa.string()), ("org_id", pa.string()), ("valid_from", pa.date32()),
        ("valid_to", pa.date32()), ("source", pa.string()), ("n", pa.int64())]))
    con.execute("CREATE OR REPLACE TABLE org_aliases AS SELECT * FROM _aliases")
    if _has_table(con, "ror_names"):
        # ROR's names of every organisation that has a ROR id (those of the records it
        # succeeded are the names the resolver met it by too).
        con.execute("""
            INSERT INTO org_aliases
            SELECT DISTINCT n.name, o.org_id, NULL::DATE, NULL::DATE, 'ror', NULL::BIGINT
            FROM orgs o JOIN ror_names n ON n.ror_id = o.ror_id""")
    drows = [{"domain": d, "org_id": v[0], "valid_from": v[1], "valid_to": v[2],
              "source": "curated", "n": None, "share": None} for d, v in cat.domains.items()]
    drows += [{"domain": d, "org_id": v[0], "valid_from": None, "valid_to": None,
               "source": "learned", "n": v[1], "share": v[2]} for d, v in learned.items()
              if d not in cat.domains]
    _domains = pa.Table.from_pylist(drows, schema=pa.schema([  # noqa: F841
        ("domain", pa.string()), ("org_id", pa.string()), ("valid_from", pa.date32()),
        ("valid_to", pa.date32()), ("source", pa.string()), ("n", pa.int64()),
        ("share", pa.float64())]))
    con.execute("CREATE OR REPLACE TABLE org_domains AS SELECT * FROM _domains")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_name = ?", [name]).fetchone()[0])


def _summary(con: duckdb.DuckDBPyConnection, n_keys: int, n_learned: int) -> dict[str, Any]:
    orgs, curated = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE curated) FROM orgs").fetchone()
    mo, mentions_with_org = con.execute(
        "SELECT count(*), count(DISTINCT (paper_id, position)) FROM mention_orgs").fetchone()
    with_evidence = con.execute(
        "SELECT count(*) FROM mentions WHERE coalesce(raw_affiliation, aff_norm, "
        "affiliation_domain, email_domain) IS NOT NULL").fetchone()[0]
    po = con.execute("SELECT count(*) FROM paper_orgs").fetchone()[0]
    with_ror = con.execute("SELECT count(*) FROM orgs WHERE ror_id IS NOT NULL").fetchone()[0]
    return {"orgs": orgs, "curated_orgs": curated, "orgs_with_ror_id": with_ror,
            "distinct_keys": n_keys,
            "learned_domains": n_learned, "mention_orgs": mo,
            "mentions_with_org": mentions_with_org, "mentions_with_evidence": with_evidence,
            "paper_orgs": po}
