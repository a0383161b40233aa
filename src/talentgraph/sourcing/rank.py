"""Ranking people for a topic: BM25 over their papers combined with the evidence of their record.

The model (formula, weights and why) is in sourcing/model.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import duckdb

from talentgraph.errors import OpsInputError, StoreError
from talentgraph.sourcing import countries, fts, model
from talentgraph.sourcing import index as idx

ROLES = ("phd", "researcher", "senior", "professor")


@dataclass
class Filters:
    at: list[str] = field(default_factory=list)
    not_at: list[str] = field(default_factory=list)
    role: str | None = None
    since: int | None = None
    country: str | None = None


@dataclass
class OrgMatch:
    """How one --at/--not-at argument was understood."""
    query: str
    org_ids: list[str]
    names: list[str]
    how: str  # 'orgs' (resolved to organisations and their subsidiaries) | 'text' (name contains)


@dataclass
class Component:
    name: str
    value: float      # in [0, 1]
    weight: float
    points: float     # contribution to the score
    evidence: str


@dataclass
class Ranked:
    rank: int
    person_id: str
    name: str
    score: float
    components: list[Component]
    top_papers: list[dict[str, Any]]
    where: dict[str, Any]
    role: str | None
    role_class: str | None
    stage: str
    matching_papers: int

    def to_dict(self) -> dict[str, Any]:
        # dataclasses.asdict deep-copies every value (~5 ms for a page of 20): the same dict,
        # built directly
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["components"] = [dict(vars(c)) for c in self.components]
        out["top_papers"] = [dict(p) for p in self.top_papers]
        out["where"] = {k: list(v) if isinstance(v, list) else v for k, v in self.where.items()}
        return out


@dataclass
class SearchResult:
    query: str
    filters: Filters
    org_matches: list[OrgMatch]
    candidates: int
    matched_papers: int
    ref_year: int
    careers_used: bool
    people: list[Ranked]

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["filters"] = asdict(self.filters)
        out["org_matches"] = [asdict(m) for m in self.org_matches]
        out["people"] = [p.to_dict() for p in self.people]
        return out


def resolve_orgs(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[OrgMatch]:
    """Each ORG argument as organisation ids (with their subsidiaries), failing that as text."""
    out: list[OrgMatch] = []
    if not names:
        return out
    have_orgs = idx.has_rows(con, "orgs")
    have_aliases = have_orgs and idx.has_rows(con, "org_aliases")
    for name in names:
        q = name.strip()
        if not q:
            raise OpsInputError("an empty organisation name was given to --at/--not-at/--ours")
        ids: list[str] = []
        if have_orgs:
            alias_sql = ("UNION SELECT org_id FROM org_aliases WHERE lower(alias) = lower($q)"
                         if have_aliases else "")
            rows = con.execute(f"""
                WITH RECURSIVE seed AS (
                    SELECT org_id FROM orgs WHERE org_id = $q OR lower(name) = lower($q)
                    {alias_sql}
                ), tree(org_id) AS (
                    SELECT org_id FROM seed
                    UNION SELECT o.org_id FROM orgs o JOIN tree t ON o.parent_id = t.org_id
                        OR o.top_parent_id = t.org_id
                )
                SELECT DISTINCT t.org_id, o.name FROM tree t LEFT JOIN orgs o USING (org_id)
                ORDER BY 1""", {"q": q}).fetchall()
            ids = [r[0] for r in rows]
            if ids:
                out.append(OrgMatch(q, ids, sorted({r[1] for r in rows if r[1]}), "orgs"))
                continue
        out.append(OrgMatch(q, [], [], "text"))
    return out


def _org_condition(match: OrgMatch, params: dict[str, Any], key: str) -> str:
    if match.how == "orgs":
        params[key] = match.org_ids
        return (f"(list_has_any(coalesce(p.current_org_ids, []::VARCHAR[]), ${key}) OR "
                f"list_has_any(coalesce(p.current_parent_ids, []::VARCHAR[]), ${key}))")
    params[key] = match.query.lower()
    return ("len(list_filter(coalesce(p.current_orgs, []::VARCHAR[]) || "
            "coalesce(p.current_parents, []::VARCHAR[]), "
            f"x -> contains(lower(x), ${key}))) > 0")


def _validate(query: str, filters: Filters, limit: int) -> None:
    if not query or not query.strip():
        raise OpsInputError("the search text is empty: give a topic, e.g. "
                            "\"reinforcement learning from human feedback\"")
    if filters.role is not None and filters.role not in ROLES:
        raise OpsInputError(f"--role must be one of {', '.join(ROLES)} (got {filters.role!r})")
    if limit < 1:
        raise OpsInputError(f"--limit must be at least 1 (got {limit})")
    if filters.country is not None and countries.to_code(filters.country) is None:
        raise OpsInputError(f"--country {filters.country!r} is not a known country name or "
                            "ISO code (e.g. US, GB, FR)")


def _open_index(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    meta = idx.meta(con)
    if not int(meta.get("people") or 0):
        raise StoreError("the search index has no people: the people stage (persons, "
                         "mention_person) must run before the `index` stage; rebuild the store")
    fts.load(con)
    return meta


def _hits_sql() -> str:
    """The best $k papers for $q by BM25 (DuckDB's FTS macro), with what ranking needs of them."""
    return """
        h AS MATERIALIZED (
            SELECT *, score / max(score) OVER () AS rel FROM (
                SELECT f.doc_key, f.year, f.decision, f.citations, f.impact, x.score
                FROM (SELECT docid,
                             fts_main_sourcing_docs.match_bm25(name, $q) AS score
                      FROM fts_main_sourcing_docs.docs) x
                JOIN sourcing_doc_features f USING (docid)
                WHERE x.score IS NOT NULL AND ($since IS NULL OR f.year >= $since)
                ORDER BY x.score DESC, f.doc_key LIMIT $k)
        )"""


def search(con: duckdb.DuckDBPyConnection, query: str, filters: Filters | None = None,
           limit: int = 20, top_papers: int = 3, rank_of: str | None = None,
           engine: Any = None) -> SearchResult:
    """People ranked for `query`, every score explained (the model is in model.py).

    With `rank_of`, only that person is returned, with their place among all candidates.
    `engine`: a loaded `memindex.MemoryIndex` of this store, which ranks in memory (the same
    scores, milliseconds instead of DuckDB's ~0.2 s); the SQL below is used without one.
    """
    if engine is not None and rank_of is None:
        return engine.search(con, query, filters, limit=limit, top_papers=top_papers)
    filters = filters or Filters()
    _validate(query, filters, limit)
    meta = _open_index(con)
    ref_year = int(meta.get("ref_year") or 0)
    careers = meta.get("have_spells") == "True"
    at = resolve_orgs(con, filters.at)
    not_at = resolve_orgs(con, filters.not_at)
    filtered = bool(at or not_at or filters.role or filters.country)
    params: dict[str, Any] = {"q": query, "since": filters.since,
                              "k": model.TOP_K_FILTERED if filtered else model.TOP_K_PAPERS,
                              "ref": ref_year, "hl": model.HALF_LIFE, "sat": model.SATURATION,
                              "ntop": top_papers}
    where = ["true"]
    if at:
        where.append("(" + " OR ".join(_org_condition(m, params, f"at{i}")
                                       for i, m in enumerate(at)) + ")")
    for i, m in enumerate(not_at):
        where.append(f"NOT {_org_condition(m, params, f'nat{i}')}")
    if filters.role:
        params["role"] = filters.role
        where.append("p.role_class = $role")
    if filters.country:
        params["cc"] = countries.to_code(filters.country)
        where.append("list_contains(coalesce(p.current_countries, []::VARCHAR[]), $cc)")
    if rank_of is None:
        top_sql = (f"SELECT *, row_number() OVER (ORDER BY score DESC, person_key) AS place "
                   f"FROM ranked ORDER BY score DESC, person_key LIMIT {int(limit)}")
    else:
        # one person's place among all candidates (for a dossier's topic fit); every matching
        # paper counts here, so a person far down the list still gets a place
        params["k"] = 10_000_000
        key = con.execute("SELECT person_key FROM sourcing_people WHERE person_id = ?",
                          [rank_of]).fetchone()
        params["rank_of"] = key[0] if key else -1
        top_sql = ("SELECT * FROM (SELECT *, row_number() OVER (ORDER BY score DESC, person_key) "
                   "AS place FROM ranked) WHERE person_key = $rank_of")
    w = model.WEIGHTS
    # Filters need the wide people table; without them the narrow static one is enough.
    people_join = ("JOIN sourcing_people p USING (person_key)"
                   if len(where) > 1 else "")
    sql = f"""
        WITH {_hits_sql()}, c AS MATERIALIZED (
            SELECT a.person_key, h.*, a.position, a.n_authors, a.pos_weight,
                   h.rel * pow(0.5, greatest($ref - h.year, 0) / $hl) * a.pos_weight AS contrib
            FROM h JOIN sourcing_author_keys a USING (doc_key)
        ), per AS (
            SELECT person_key, sum(contrib) AS x, count(*) AS n_match,
                   count(*) FILTER (WHERE pos_weight >= 0.85) AS n_match_lead,
                   max(year) AS newest_match,
                   sum(contrib * impact) / nullif(sum(contrib) FILTER (WHERE impact IS NOT NULL), 0)
                       AS impact_v,
                   count(*) FILTER (WHERE decision = 'oral') AS match_orals,
                   count(*) FILTER (WHERE decision = 'spotlight') AS match_spotlights,
                   sum(citations) AS match_citations
            FROM c GROUP BY person_key
        ), f AS (
            SELECT per.*, st.v_output, st.v_network, st.v_seniority, st.v_mobility,
                per.x / (per.x + $sat) AS v_expertise,
                coalesce(per.impact_v, 0) AS v_impact
            FROM per JOIN sourcing_person_static st USING (person_key) {people_join}
            WHERE {" AND ".join(where)}
        ), s AS (
            SELECT *,
                100 * {w['expertise']} * v_expertise AS pt_expertise,
                100 * v_expertise * {w['impact']} * v_impact AS pt_impact,
                100 * v_expertise * {w['output']} * v_output AS pt_output,
                100 * v_expertise * {w['network']} * v_network AS pt_network,
                100 * v_expertise * {w['seniority']} * v_seniority AS pt_seniority,
                100 * v_expertise * {w['mobility']} * v_mobility AS pt_mobility
            FROM f
        ), ranked AS (
            SELECT *, pt_expertise + pt_impact + pt_output + pt_network + pt_seniority
                      + pt_mobility AS score,
                   count(*) OVER () AS candidates
            FROM s
        ), top AS (
            {top_sql}
        ), tp AS (
            SELECT person_key, list({{'paper_id': f.paper_id, 'title': f.title,
                          'venue': f.venue, 'year': c.year, 'position': c.position,
                          'n_authors': c.n_authors, 'status': f.status, 'decision': c.decision,
                          'citations': c.citations, 'bm25': c.score, 'relevance': c.rel,
                          'weight': c.contrib, 'link': f.link}})
                       AS top_papers
            FROM (SELECT c.*, row_number() OVER (PARTITION BY person_key
                                                 ORDER BY contrib DESC, doc_key) AS rn
                  FROM c WHERE person_key IN (SELECT person_key FROM top)) c
            -- the text of a paper is fetched only for the few papers shown
            JOIN sourcing_doc_features f USING (doc_key)
            WHERE rn <= $ntop GROUP BY person_key
        )
        SELECT top.*, tp.top_papers, (SELECT count(*) FROM h) AS matched_papers
        FROM top JOIN tp USING (person_key) ORDER BY score DESC, person_key"""
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    details = _details(con, [r["person_key"] for r in rows])
    rows = [{**details[r["person_key"]], **r} for r in rows]
    people = [_explain(r["place"], r, ref_year) for r in rows]
    matched = (rows[0]["matched_papers"] if rows
               else _count_hits(con, query, filters.since, params["k"]))
    return SearchResult(query, filters, at + not_at, rows[0]["candidates"] if rows else 0,
                        matched, ref_year, careers, people)


def for_searching(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Set a connection that mostly serves searches to one thread (the CLI does).

    A search touches a few thousand rows, so a second thread costs more in scheduling than it
    gains: measured on the whole corpus, CPU per search fell from ~200 to ~130 ms and the wall
    time on the busy shared machine fell too. (Changing it per query instead restarts DuckDB's
    worker threads each time, which costs more than it saves.)
    """
    con.execute("SET threads = 1")
    return con


def _details(con: duckdb.DuckDBPyConnection, keys: list[int]) -> dict[int, dict[str, Any]]:
    """The wide rows of the few people shown (the ranking itself reads only narrow tables)."""
    if not keys:
        return {}
    # integer literals, so the lookup uses the ART index on person_key (see index.py)
    in_list = ", ".join(str(int(k)) for k in keys)
    cur = con.execute(f"SELECT * FROM sourcing_people WHERE person_key IN ({in_list})")
    cols = [d[0] for d in cur.description]
    out = {}
    for r in cur.fetchall():
        row = dict(zip(cols, r, strict=True))
        out[row["person_key"]] = row
    return out


def _count_hits(con: duckdb.DuckDBPyConnection, query: str, since: int | None, k: int) -> int:
    return con.execute(f"WITH {_hits_sql()} SELECT count(*) FROM h",
                       {"q": query, "k": k, "since": since}).fetchone()[0]


def where_now(r: dict[str, Any]) -> dict[str, Any]:
    """Where the person is now and how we know (careers timeline or latest affiliation, flagged)."""
    source = r.get("where_source")
    orgs = list(r.get("current_orgs") or [])
    note = {
        "careers": "current spell of the careers timeline",
        "latest_affiliation": (f"latest attributed affiliation ({r.get('where_year')}), "
                               "not a careers timeline"),
    }.get(source or "", "unknown: no affiliation attributed to this person")
    if r.get("where_evidence"):  # careers.now names its evidence (a position, or records)
        note = f"now: {r['where_evidence']}"
    return {"orgs": orgs, "org_ids": list(r.get("current_org_ids") or []),
            "parents": list(r.get("current_parents") or []),
            "countries": list(r.get("current_countries") or []),
            "since": r.get("since_year"), "seen": r.get("where_year"), "source": source,
            "note": note}


def _explain(rank: int, r: dict[str, Any], ref_year: int) -> Ranked:
    lead = r["n_match_lead"]
    ev = {
        "expertise": (f"{r['n_match']} matching paper(s), {lead} as first/last author, newest "
                      f"{r['newest_match']}; recency half-life {model.HALF_LIFE:g} years before "
                      f"{ref_year}"),
        "impact": _impact_evidence(r),
        "output": f"{r['n_recent']} paper(s) in {ref_year - 4}-{ref_year}, {r['n_papers']} in all",
        "network": f"{r['coauthors']} distinct coauthors",
        "seniority": (f"latest role '{r['role']}' ({r['role_year']}): {r['role_class']}"
                      if r["stage_source"] == "role" else
                      f"{r['years_active']} years of publications ({r['first_year']}-"
                      f"{r['last_year']}); no recent role in the records"),
        "mobility": _mobility_evidence(r, ref_year),
    }
    comps = [Component(k, float(r[f"v_{k}"]), model.WEIGHTS[k], float(r[f"pt_{k}"]), ev[k])
             for k in model.WEIGHTS]
    papers = [{**p, "bm25": round(p["bm25"], 3), "relevance": round(p["relevance"], 3),
               "weight": round(p["weight"], 4)}
              for p in sorted(r["top_papers"], key=lambda p: (-p["weight"], p["paper_id"]))]
    return Ranked(rank, r["person_id"], r["name"] or r["person_id"], float(r["score"]), comps,
                  papers, where_now(r), r["role"], r["role_class"], r["stage"], r["n_match"])


def _impact_evidence(r: dict[str, Any]) -> str:
    if r["impact_v"] is None:
        return "no citation, review-score or decision signal on the matching papers"
    bits = []
    if r["match_orals"]:
        bits.append(f"{r['match_orals']} oral(s)")
    if r["match_spotlights"]:
        bits.append(f"{r['match_spotlights']} spotlight(s)")
    if r["match_citations"]:
        bits.append(f"{r['match_citations']:,} citations")
    return (f"mean impact {r['impact_v']:.2f} of the matching papers (citation and review-score "
            "percentiles in their venue-year, decision)" + (": " + ", ".join(bits) if bits else ""))


def _mobility_evidence(r: dict[str, Any], ref_year: int) -> str:
    if r["where_source"] != "careers" or r["since_year"] is None:
        return "not scored: no careers timeline for this person"
    at = ", ".join(r["current_orgs"] or []) or "current place"
    moves = f"{r['n_moves']} earlier move(s)" + (f", last in {r['last_move_year']}"
                                                  if r["last_move_year"] else "")
    return f"at {at} since {r['since_year']} ({ref_year - r['since_year']} years); {moves}"
