"""What a sourcing search returns and the rules both search paths share: the SQL path
(`rank.search`) and the in-memory index (`memindex.MemoryIndex`) validate, filter by organisation
and explain every rank with this code, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import duckdb

from talentgraph.errors import OpsInputError, StoreError
from talentgraph.sourcing import countries, model
from talentgraph.sourcing import index as idx
from talentgraph.sourcing.stage import STAGES

# the values of --role: career stages of stage.py (all but 'unknown')
ROLES = tuple(st for st in STAGES if st != "unknown")
# the one condition of the role filter, on sourcing_people p (both search paths use it)
ROLE_CONDITION = "p.career_stage = $role"


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
    role: str | None          # the latest role title in the records (as written)
    role_class: str | None    # ... its class
    stage: str                # coarse stage of peer comparisons: early / mid / senior
    matching_papers: int
    career_stage: str = "unknown"  # stage.career_stage: what the role filter uses
    stage_evidence: str = ""       # which evidence decided the career stage

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
    # 'learned' (learned.py: components are the model's feature contributions) or 'hand'
    # (model.py: components are the hand-set weights' points)
    ranker: str = "hand"

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


def org_condition(match: OrgMatch, params: dict[str, Any], key: str) -> str:
    if match.how == "orgs":
        params[key] = match.org_ids
        return (f"(list_has_any(coalesce(p.current_org_ids, []::VARCHAR[]), ${key}) OR "
                f"list_has_any(coalesce(p.current_parent_ids, []::VARCHAR[]), ${key}))")
    params[key] = match.query.lower()
    return ("len(list_filter(coalesce(p.current_orgs, []::VARCHAR[]) || "
            "coalesce(p.current_parents, []::VARCHAR[]), "
            f"x -> contains(lower(x), ${key}))) > 0")


def filter_conditions(filters: Filters, at: list[OrgMatch], not_at: list[OrgMatch],
                      params: dict[str, Any]) -> list[str]:
    """The filters as conditions on sourcing_people p (with their parameters put in `params`)."""
    where = []
    if at:
        where.append("(" + " OR ".join(org_condition(m, params, f"at{i}")
                                       for i, m in enumerate(at)) + ")")
    for i, m in enumerate(not_at):
        where.append(f"NOT {org_condition(m, params, f'nat{i}')}")
    if filters.role:
        params["role"] = filters.role
        where.append(ROLE_CONDITION)
    if filters.country:
        params["cc"] = countries.to_code(filters.country)
        where.append("list_contains(coalesce(p.current_countries, []::VARCHAR[]), $cc)")
    return where


# The columns of sourcing_people that a shown person's explanation reads (`explain`,
# `where_now`, learned.search): fetching only these, not all 42, cut the fetch of a page of 20
# people by a third on a fresh connection (a CLI search); the web app keeps only these in memory.
SHOWN_COLUMNS = (
    "person_key", "person_id", "name", "role", "role_class", "stage", "career_stage",
    "stage_evidence", "stage_source", "years_active", "n_recent", "n_papers", "coauthors",
    "where_source", "current_orgs", "current_org_ids", "current_parents", "current_countries",
    "since_year", "where_year", "where_evidence", "n_moves", "last_move_year")


def details(con: duckdb.DuckDBPyConnection, keys: list[int]) -> dict[int, dict[str, Any]]:
    """The SHOWN_COLUMNS of the few people shown (the ranking itself reads only narrow
    tables)."""
    if not keys:
        return {}
    # integer literals, so the lookup uses the ART index on person_key (see index.py)
    in_list = ", ".join(str(int(k)) for k in keys)
    cur = con.execute(f"SELECT {', '.join(SHOWN_COLUMNS)} FROM sourcing_people "
                      f"WHERE person_key IN ({in_list})")
    cols = [d[0] for d in cur.description]
    out = {}
    for r in cur.fetchall():
        row = dict(zip(cols, r, strict=True))
        out[row["person_key"]] = row
    return out


def validate(query: str, filters: Filters, limit: int) -> None:
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


def open_index(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    meta = idx.meta(con)
    if not int(meta.get("people") or 0):
        raise StoreError("the search index has no people: the people stage (persons, "
                         "mention_person) must run before the `index` stage; rebuild the store")
    if meta.get("index_version") != idx.INDEX_VERSION:
        raise StoreError("this store's search index was built by an older talentgraph (before "
                         "career stages): rebuild the store with `talentgraph build`")
    return meta


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


def explain(rank: int, r: dict[str, Any], ref_year: int) -> Ranked:
    lead = r["n_match_lead"]
    ev = {
        "expertise": (f"{r['n_match']} matching paper(s), {lead} as first/last author, newest "
                      f"{r['newest_match']}; recency half-life {model.HALF_LIFE:g} years before "
                      f"{ref_year}"),
        "impact": _impact_evidence(r),
        "output": f"{r['n_recent']} paper(s) in {ref_year - 4}-{ref_year}, {r['n_papers']} in all",
        "network": f"{r['coauthors']} distinct coauthors",
        "seniority": (f"career stage {r['career_stage']}: {r['stage_evidence']}"
                      if r["stage_source"] == "career_stage" else
                      f"career stage unknown ({r['stage_evidence']}); scored by "
                      f"{r['years_active']} years of publications"),
        "mobility": _mobility_evidence(r, ref_year),
    }
    comps = [Component(k, float(r[f"v_{k}"]), model.WEIGHTS[k], float(r[f"pt_{k}"]), ev[k])
             for k in model.WEIGHTS]
    papers = [{**p, "bm25": round(p["bm25"], 3), "relevance": round(p["relevance"], 3),
               "weight": round(p["weight"], 4)}
              for p in sorted(r["top_papers"], key=lambda p: (-p["weight"], p["paper_id"]))]
    return Ranked(rank, r["person_id"], r["name"] or r["person_id"], float(r["score"]), comps,
                  papers, where_now(r), r["role"], r["role_class"], r["stage"], r["n_match"],
                  r["career_stage"] or "unknown", r["stage_evidence"] or "")


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
