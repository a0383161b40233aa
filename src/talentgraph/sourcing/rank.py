"""Ranking people for a topic: BM25 over their papers combined with the evidence of their record.

The model (formula, weights and why) is in sourcing/model.py; what a search returns and the
rules shared with the in-memory index are in sourcing/results.py.
"""

from __future__ import annotations

from typing import Any

import duckdb

from talentgraph.sourcing import fts, model
from talentgraph.sourcing import index as idx
from talentgraph.sourcing.results import (
    ROLES,
    Component,
    Filters,
    OrgMatch,
    Ranked,
    SearchResult,
    explain,
    filter_conditions,
    open_index,
    resolve_orgs,
    validate,
    where_now,
)
from talentgraph.sourcing.results import details as people_rows

__all__ = ["ROLES", "Component", "Filters", "OrgMatch", "Ranked", "SearchResult", "for_searching",
           "resolve_orgs", "search", "where_now"]

def _hits_sql(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The best $k papers for $q (whose value is `query`) by BM25 (DuckDB FTS's scores), with
    what ranking needs of them."""
    return f"""
        h AS MATERIALIZED (
            SELECT *, score / max(score) OVER () AS rel FROM (
                SELECT f.doc_key, f.year, f.decision, f.citations, f.impact, x.score
                FROM ({fts.bm25_sql(con, query, idx.has_table(con, "sourcing_postings"))}) x
                JOIN sourcing_doc_features f USING (docid)
                WHERE ($since IS NULL OR f.year >= $since)
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
    validate(query, filters, limit)
    meta = open_index(con)
    ref_year = int(meta.get("ref_year") or 0)
    careers = meta.get("have_spells") == "True"
    at = resolve_orgs(con, filters.at)
    not_at = resolve_orgs(con, filters.not_at)
    filtered = bool(at or not_at or filters.role or filters.country)
    params: dict[str, Any] = {"q": query, "since": filters.since,
                              "k": model.TOP_K_FILTERED if filtered else model.TOP_K_PAPERS,
                              "ref": ref_year, "hl": model.HALF_LIFE, "sat": model.SATURATION,
                              "ntop": top_papers}
    where = ["true", *filter_conditions(filters, at, not_at, params)]
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
        WITH {_hits_sql(con, query)}, c AS MATERIALIZED (
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
    details = people_rows(con, [r["person_key"] for r in rows])
    rows = [{**details[r["person_key"]], **r} for r in rows]
    people = [explain(r["place"], r, ref_year) for r in rows]
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


def _count_hits(con: duckdb.DuckDBPyConnection, query: str, since: int | None, k: int) -> int:
    return con.execute(f"WITH {_hits_sql(con, query)} SELECT count(*) FROM h",
                       {"q": query, "k": k, "since": since}).fetchone()[0]
