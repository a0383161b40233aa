"""The offer dossier: everything an executive reads about a researcher before an offer made
without interviews, each claim linked to the records (paper ids and their pages) that show it."""

from __future__ import annotations

import os
import re
from typing import Any

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from talentgraph import wording
from talentgraph.errors import NotFoundError, OpsInputError
from talentgraph.sourcing import fts, learned, rank
from talentgraph.sourcing import index as idx

OURS_ENV = "TALENTGRAPH_OUR_ORGS"
FORMATS = ("md", "html", "json")
TOP_PAPERS = 10
TOP_COAUTHORS = 15

# Risk thresholds (why: a one-year home spell that ended is a short stay; three or more moves in
# six years is frequent for researchers; fewer than three papers is too little to judge on).
SHORT_SPELL_YEARS = 1
SHORT_SPELL_MIN_CONFIDENCE = 0.6  # below it a one-year spell is as likely a visit or stray record
MANY_MOVES, MANY_MOVES_WINDOW = 3, 6
THIN_PAPERS = 3
STALE_YEARS = 3
IDENTITY_DOUBT = 0.8


def our_orgs(given: list[str] | None) -> list[str]:
    """Our organisations: --ours, else $TALENTGRAPH_OUR_ORGS (comma- or semicolon-separated)."""
    if given:
        return [g for g in given if g.strip()]
    return [p.strip() for p in re.split(r"[;,]", os.environ.get(OURS_ENV, "")) if p.strip()]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or {})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def find_person(con: duckdb.DuckDBPyConnection, person: str) -> str:
    """The person id `person` names (an id or an exact name); lists the candidates if ambiguous."""
    q = person.strip()
    if not q:
        raise OpsInputError("give a person id or name")
    idx.meta(con)
    exact = con.execute("SELECT person_id FROM sourcing_people WHERE person_id = ?", [q]).fetchone()
    if exact:
        return exact[0]
    found = _rows(con, """
        SELECT person_id, name, n_papers, last_year, current_orgs FROM sourcing_people
        WHERE lower(name) = lower($q) ORDER BY n_papers DESC, person_id LIMIT 10""", {"q": q})
    if not found:
        raise NotFoundError(f"no person named {q!r} in the search index: give a person id (see "
                            "`talentgraph source` output) or the name exactly as published")
    if len(found) > 1:
        listed = "; ".join(f"{r['person_id']} ({r['n_papers']} papers, last {r['last_year']}, "
                           f"{', '.join(r['current_orgs'] or []) or 'no affiliation'})"
                           for r in found)
        many = f"{len(found)} or more" if len(found) == 10 else str(len(found))
        raise NotFoundError(f"{many} people are named {q!r}: pass one id: {listed}")
    return found[0]["person_id"]


def _external_ids(con: duckdb.DuckDBPyConnection, pid: str) -> list[dict[str, str]]:
    if not idx.has_table(con, "persons"):
        return []
    cols = idx.columns(con, "persons")
    links = {"openreview_ids": "https://openreview.net/profile?id={}",
             "orcids": "https://orcid.org/{}", "dblp_ids": "https://dblp.org/pid/{}"}
    out = []
    for col, url in links.items():
        if col not in cols:
            continue
        row = con.execute(f"SELECT {col} FROM persons WHERE person_id = ?", [pid]).fetchone()
        for value in (row[0] if row and row[0] else []):
            out.append({"kind": col.removesuffix("s").removesuffix("_id"), "id": value,
                        "link": url.format(value)})
    return out


def _timeline(con: duckdb.DuckDBPyConnection, pid: str) -> tuple[str, list[dict[str, Any]]]:
    """Spells of the careers timeline with their records; else affiliations by year (flagged)."""
    if idx.has_rows(con, "spells"):
        org_name = "coalesce(o.name, s.org_id)" if idx.has_table(con, "orgs") else "s.org_id"
        org_join = "LEFT JOIN orgs o USING (org_id)" if idx.has_table(con, "orgs") else ""
        obs = idx.has_table(con, "affiliation_obs")
        papers = ("""(SELECT list(DISTINCT ob.paper_id ORDER BY ob.paper_id) FROM affiliation_obs ob
                      WHERE ob.person_id = s.person_id AND ob.org_id = s.org_id
                        AND ob.eff_year BETWEEN s.start_year AND s.end_year)"""
                  if obs else "[]::VARCHAR[]")
        spell_cols = idx.columns(con, "spells")
        kind = "s.kind" if "kind" in spell_cols else "NULL"
        roles = "s.roles" if "roles" in spell_cols else "[]::VARCHAR[]"
        rows = _rows(con, f"""
            SELECT s.org_id, {org_name} AS org, s.start_year, s.end_year, {kind} AS kind,
                   {roles} AS roles, s.confidence, {papers} AS paper_ids
            FROM spells s {org_join} WHERE s.person_id = $pid
            ORDER BY s.start_year, s.end_year, s.org_id""", {"pid": pid})
        for r in rows:
            r["paper_ids"] = r["paper_ids"] or []
        if rows:
            return "careers", rows
    rows = _rows(con, """
        SELECT a.year, list(DISTINCT coalesce(m.aff_norm, m.raw_affiliation))
                   FILTER (WHERE coalesce(m.aff_norm, m.raw_affiliation) IS NOT NULL) AS orgs,
               list(DISTINCT m.role) FILTER (WHERE m.role IS NOT NULL) AS roles,
               list(DISTINCT a.paper_id ORDER BY a.paper_id) AS paper_ids
        FROM sourcing_authorship a JOIN mentions m USING (paper_id, position)
        WHERE a.person_id = $pid GROUP BY a.year ORDER BY a.year""", {"pid": pid})
    return "affiliations_by_year", rows


def _moves(con: duckdb.DuckDBPyConnection, pid: str) -> list[dict[str, Any]]:
    if not idx.has_rows(con, "moves"):
        return []
    names = idx.has_table(con, "orgs")
    ev = idx.has_table(con, "move_evidence")
    cols = idx.columns(con, "moves")
    papers = ("(SELECT list(DISTINCT e.paper_id ORDER BY e.paper_id) FROM move_evidence e "
              "WHERE e.move_id = mv.move_id)" if ev and "move_id" in cols else "[]::VARCHAR[]")
    rows = _rows(con, f"""
        SELECT {"coalesce(fo.name, mv.from_org_id)" if names else "mv.from_org_id"} AS from_org,
               {"coalesce(t.name, mv.to_org_id)" if names else "mv.to_org_id"} AS to_org,
               mv.last_year_at_from, mv.first_year_at_to, mv.kind,
               {"mv.confidence" if "confidence" in cols else "NULL"} AS confidence,
               {"mv.evidence" if "evidence" in cols else "NULL"} AS evidence,
               {papers} AS paper_ids
        FROM moves mv
        {"LEFT JOIN orgs fo ON fo.org_id = mv.from_org_id "
         "LEFT JOIN orgs t ON t.org_id = mv.to_org_id" if names else ""}
        WHERE mv.person_id = $pid ORDER BY mv.first_year_at_to""", {"pid": pid})
    for r in rows:
        r["paper_ids"] = r["paper_ids"] or []
    return rows


def _papers(con: duckdb.DuckDBPyConnection, pid: str,
            limit: int | None = TOP_PAPERS) -> list[dict[str, Any]]:
    # Strongest first: orals, spotlights, then citation and review-score percentiles.
    return _rows(con, f"""
        SELECT sp.paper_id, sp.title, sp.venue, sp.year, sp.status, sp.decision, sp.citations,
               sp.rating_avg, round(sp.impact, 3) AS impact, a.position + 1 AS author_position,
               sp.n_authors, sp.link
        FROM sourcing_authorship a JOIN sourcing_papers sp USING (paper_id)
        WHERE a.person_id = $pid
        ORDER BY CASE sp.decision WHEN 'oral' THEN 0 WHEN 'spotlight' THEN 1 ELSE 2 END,
                 coalesce(sp.impact, 0) DESC, sp.year DESC, sp.paper_id
        {'' if limit is None else f'LIMIT {int(limit)}'}""", {"pid": pid})


# Weights of the paper choice for a topic (a letter): relevance to the topic counts most, then
# leading the work (first author, or last: the senior author in ML), then the dossier's
# strength order (orals and spotlights, then `impact`: citation and review percentiles).
TOPIC_WEIGHTS = {"relevance": 2.0, "lead": 1.0, "oral": 0.6, "spotlight": 0.4, "impact": 1.0}


def ranked_papers(con: duckdb.DuckDBPyConnection, pid: str, topic: str | None = None,
                  limit: int = 3) -> list[dict[str, Any]]:
    """A person's papers to cite about `topic`: the dossier's strength order (`_papers`)
    re-ranked with relevance to the topic (the sourcing ranking's BM25 relevance of each of
    their papers) and authorship position, each with the reasons it was chosen (`why`)."""
    papers = _papers(con, pid, limit=None)
    relevance: dict[str, float] = {}
    if topic and topic.strip() and papers:
        found = rank.search(con, topic, rank_of=pid, top_papers=len(papers))
        if found.people:
            relevance = {p["paper_id"]: float(p.get("relevance") or 0)
                         for p in found.people[0].top_papers}
    w = TOPIC_WEIGHTS
    for p in papers:
        pos, n = p["author_position"], p["n_authors"] or 0
        lead = pos == 1 or (n > 1 and pos == n)
        rel = relevance.get(p["paper_id"], 0.0)
        p["relevance"] = rel
        p["lead_author"] = lead
        p["score"] = round(w["relevance"] * rel + w["lead"] * lead
                           + w.get(p["decision"] or "", 0.0) + w["impact"] * (p["impact"] or 0),
                           4)
        why = []
        if rel:
            why.append(f"on the topic (relevance {rel:.2f})")
        why.append("first author" if pos == 1 else f"last author of {n}" if lead
                   else f"author {pos} of {n}")
        if p["decision"] in ("oral", "spotlight"):
            why.append(p["decision"])
        if p["citations"]:
            why.append(f"{p['citations']:,} citations")
        p["why"] = "; ".join(why)
    order = {p["paper_id"]: i for i, p in enumerate(papers)}  # ties keep the dossier's order
    papers.sort(key=lambda p: (-p["score"], order[p["paper_id"]]))
    return papers[:limit]


def _coauthors(con: duckdb.DuckDBPyConnection, pid: str, ours: list[rank.OrgMatch]
               ) -> list[dict[str, Any]]:
    rows = _rows(con, f"""
        SELECT b.person_id, p.name, count(*) AS shared_papers, max(b.year) AS last_together,
               list(DISTINCT b.paper_id ORDER BY b.paper_id) AS paper_ids,
               p.current_orgs, p.current_org_ids, p.current_parents, p.current_parent_ids,
               p.where_source
        FROM sourcing_authorship a JOIN sourcing_authorship b
          ON a.paper_id = b.paper_id AND b.person_id <> a.person_id
        JOIN sourcing_people p ON p.person_id = b.person_id
        WHERE a.person_id = $pid
        GROUP BY ALL ORDER BY shared_papers DESC, last_together DESC, b.person_id
        LIMIT {TOP_COAUTHORS}""", {"pid": pid})
    for r in rows:
        r["ours"] = [m.query for m in ours if _at(r, m)]
        r["paper_ids"] = r["paper_ids"][:10]
        for k in ("current_org_ids", "current_parent_ids", "current_parents"):
            r.pop(k)
    return rows


def _at(person: dict[str, Any], match: rank.OrgMatch) -> bool:
    """Whether a person is now at the organisation `match` stands for (same rule as --at)."""
    if match.how == "orgs":
        ids = set(person.get("current_org_ids") or []) | set(person.get("current_parent_ids") or [])
        return bool(ids & set(match.org_ids))
    names = (person.get("current_orgs") or []) + (person.get("current_parents") or [])
    return any(match.query.lower() in n.lower() for n in names)


def _topic_fit(con: duckdb.DuckDBPyConnection, pid: str, text: str) -> dict[str, Any]:
    """How the person ranks for the role text, and which of its terms their papers contain."""
    result = rank.search(con, text, rank_of=pid, top_papers=5)
    fts.load(con)  # for `stem` (a search may not have needed it: fts.terms_sql)
    terms = _rows(con, """
        WITH t AS (SELECT DISTINCT unnest(fts_main_sourcing_docs.tokenize($text)) AS word),
        st AS (SELECT word, stem(word, 'porter') AS term FROM t),
        mine AS (SELECT d.docid FROM fts_main_sourcing_docs.docs d
                 JOIN sourcing_authorship a ON a.paper_id = d.name WHERE a.person_id = $pid)
        SELECT st.word, count(DISTINCT tm.docid) AS papers
        FROM st LEFT JOIN fts_main_sourcing_docs.dict dict ON dict.term = st.term
        LEFT JOIN fts_main_sourcing_docs.terms tm
          ON tm.termid = dict.termid AND tm.docid IN (SELECT docid FROM mine)
        WHERE st.word NOT IN (SELECT * FROM fts_main_sourcing_docs.stopwords)
        GROUP BY st.word ORDER BY papers DESC, st.word""", {"text": text, "pid": pid})
    if not result.people:
        return {"text": text, "rank": None, "candidates": result.candidates, "score": 0.0,
                "learned": None,
                "components": [], "papers": [], "terms": terms,
                "summary": "none of this person's papers match the role text"}
    me = result.people[0]
    missing = [t for t in terms if not t["papers"]]
    return {"text": text, "rank": me.rank, "candidates": result.candidates, "score": me.score,
            "learned": learned.explain_person(con, text, pid),
            "components": [c.__dict__ for c in me.components], "papers": me.top_papers,
            "terms": terms,
            "summary": (f"ranks #{me.rank} of {result.candidates} people whose papers match; "
                        f"{me.matching_papers} matching paper(s); terms found (papers): "
                        + (", ".join(f"{t['word']} ({t['papers']})" for t in terms if t["papers"])
                           or "none")
                        + ("; not found: " + ", ".join(t["word"] for t in missing)
                           if missing else ""))}


def _risks(p: dict[str, Any], timeline_kind: str, timeline: list[dict[str, Any]],
           moves: list[dict[str, Any]], ref_year: int) -> list[dict[str, Any]]:
    risks = []
    if timeline_kind == "careers":
        last_end = max((s["end_year"] or 0) for s in timeline) if timeline else 0
        for s in timeline:
            if (s.get("kind") or "home") == "internship" or s["end_year"] is None:
                continue
            ended = s["end_year"] < last_end
            sure = (s.get("confidence") or 0) >= SHORT_SPELL_MIN_CONFIDENCE
            if s["end_year"] - s["start_year"] + 1 <= SHORT_SPELL_YEARS and ended and sure:
                risks.append({"risk": "very short spell",
                              "detail": f"{s['org']} {s['start_year']}-{s['end_year']}",
                              "paper_ids": s["paper_ids"]})
    recent = [m for m in moves if (m["first_year_at_to"] or 0) > ref_year - MANY_MOVES_WINDOW
              and "intern" not in (m["kind"] or "")]
    if len(recent) >= MANY_MOVES:
        risks.append({"risk": "many moves",
                      "detail": f"{len(recent)} moves since {ref_year - MANY_MOVES_WINDOW + 1}",
                      "paper_ids": sorted({i for m in recent for i in m["paper_ids"]})})
    if p["n_papers"] < THIN_PAPERS:
        risks.append({"risk": "thin record", "detail": f"only {p['n_papers']} paper(s)",
                      "paper_ids": []})
    if p["n_first"] == 0:
        risks.append({"risk": "no first-author paper",
                      "detail": "never first author in the indexed records", "paper_ids": []})
    if p["last_year"] is not None and p["last_year"] <= ref_year - STALE_YEARS:
        risks.append({"risk": "inactive", "detail": f"no paper since {p['last_year']}",
                      "paper_ids": []})
    if (p["identity_confidence"] or 1.0) < IDENTITY_DOUBT:
        risks.append({"risk": "identity uncertain",
                      "detail": f"papers linked to this person with mean confidence "
                                f"{p['identity_confidence']:.2f}: check the list",
                      "paper_ids": []})
    if p["where_source"] != "careers":
        risks.append({"risk": "current place unconfirmed",
                      "detail": rank.where_now(p)["note"], "paper_ids": []})
    return risks


def build_dossier(con: duckdb.DuckDBPyConnection, person: str, for_role: str | None = None,
                  ours: list[str] | None = None) -> dict[str, Any]:
    """The dossier as data (rendered by `render`)."""
    meta = idx.meta(con)
    if not idx.has_table(con, "sourcing_people"):
        raise NotFoundError("the search index has no people: rebuild the store "
                            "(the people stage must run before the index stage)")
    ref_year = int(meta.get("ref_year") or 0)
    pid = find_person(con, person)
    p = _rows(con, "SELECT * FROM sourcing_people WHERE person_id = $pid", {"pid": pid})[0]
    ours_list = our_orgs(ours)
    ours_matches = rank.resolve_orgs(con, ours_list) if ours_list else []
    timeline_kind, timeline = _timeline(con, pid)
    moves = _moves(con, pid)
    papers = _papers(con, pid)
    links = {r["paper_id"]: r["link"] for r in _rows(con, """
        SELECT a.paper_id, sp.link FROM sourcing_authorship a JOIN sourcing_papers sp
        USING (paper_id) WHERE a.person_id = $pid""", {"pid": pid})}
    # the career stage and what decided it (stage.career_stage, as the role filter uses)
    stage_note = (f"career stage {p['career_stage']}: {p['stage_evidence']}"
                  if p["stage_source"] == "career_stage"
                  else f"years of publications (career stage unknown: {p['stage_evidence']})")
    return {
        "person": {"person_id": pid, "name": p["name"], "external_ids": _external_ids(con, pid),
                   "role": p["role"], "role_year": p["role_year"], "role_class": p["role_class"],
                   "stage": p["stage"], "stage_basis": stage_note,
                   "career_stage": p["career_stage"], "stage_evidence": p["stage_evidence"],
                   "first_year": p["first_year"], "last_year": p["last_year"]},
        "where_now": rank.where_now(p),
        "record": {k: p[k] for k in ("n_papers", "n_recent", "n_first", "n_last", "n_orals",
                                     "n_spotlights", "citations", "coauthors")},
        "timeline_kind": timeline_kind,
        "timeline": timeline,
        "moves": moves,
        "top_papers": papers,
        "coauthors": _coauthors(con, pid, ours_matches),
        "ours": [{"query": m.query, "how": m.how, "names": m.names[:10]} for m in ours_matches],
        "peers": {"stage": p["stage"], "basis": stage_note, "size": p["stage_size"],
                  "percentiles": {"papers": p["pct_papers"], "orals": p["pct_orals"],
                                  "citations": p["pct_citations"]},
                  "counts": {"papers": p["n_papers"], "orals": p["n_orals"],
                             "citations": p["citations"]}},
        "topic_fit": _topic_fit(con, pid, for_role) if for_role and for_role.strip() else None,
        "risks": _risks(p, timeline_kind, timeline, moves, ref_year),
        "links": links,
        "ref_year": ref_year,
    }


def _env() -> Environment:
    env = Environment(loader=PackageLoader("talentgraph.sourcing", "templates"),
                      autoescape=select_autoescape(["html", "html.j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["pct"] = wording.percentile
    env.filters["count"] = wording.count
    env.filters["num"] = lambda v: "" if v is None else (f"{v:,}" if isinstance(v, int)
                                                         else f"{v:,.2f}")
    env.filters["orblank"] = lambda v, d="": d if v is None or v == [] else v
    return env


def render(dossier: dict[str, Any], fmt: str = "md") -> str:
    """The dossier as Markdown or HTML (Jinja2 templates in sourcing/templates), or JSON."""
    if fmt not in FORMATS:
        raise OpsInputError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    if fmt == "json":
        import json

        return json.dumps(dossier, indent=2, ensure_ascii=False, default=str) + "\n"
    template = _env().get_template(f"dossier.{fmt}.j2")
    return template.render(d=dossier)
