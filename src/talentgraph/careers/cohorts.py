"""Cohort attrition: for each member of a group, still at the organisation, left (to where,
when, on what records) or unknown (no evidence after the date). Totals are phrased the way a
careful reporter would: "at least N of M have left" — unknown members are never counted as
stayed nor as left."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from talentgraph.careers.lookup import (
    OrgTree,
    find_org,
    find_paper,
    find_persons,
    ids_view,
    require,
)
from talentgraph.careers.moves import DEPARTURE_KINDS
from talentgraph.careers.observations import table_exists
from talentgraph.errors import NotFoundError, OpsInputError


@dataclass
class Member:
    person_id: str | None
    name: str
    home_org_ids: set[str] = field(default_factory=set)
    home: str = ""  # display name(s) of the home organisation(s)
    since: int | None = None  # the cohort date for this member (paper year, last year in range)
    note: str = ""
    # (display name, organisations) of each home when a member has several (professor + lab)
    groups: list[tuple[str, set[str]]] = field(default_factory=list)


# Id lists go to DuckDB as registered Arrow views (lookup.ids_view): faster than binding a list
# as a parameter and than reading all ~10^4 organisations (measured: 7 ms vs 17 ms for 300 ids).


def _names(con: duckdb.DuckDBPyConnection, org_ids: set[str]) -> dict[str, str]:
    if not org_ids:
        return {}
    return dict(con.execute("SELECT org_id, name FROM orgs WHERE org_id IN "
                            + ids_view(con, "_careers_org_ids", org_ids)).fetchall())


def _parents(con: duckdb.DuckDBPyConnection, org_ids: set[str]) -> dict[str, str]:
    """org_id -> display name of its top-level parent (itself when it has none)."""
    return {o: name for o, (_, name) in _top_parents(con, org_ids).items()}


def _top_parents(con: duckdb.DuckDBPyConnection, org_ids: set[str]
                 ) -> dict[str, tuple[str, str]]:
    """org_id -> (id, display name) of its top-level parent (itself when it has none)."""
    if not org_ids:
        return {}
    return {o: (pid, name) for o, pid, name in con.execute("""
        SELECT o.org_id, coalesce(p.org_id, o.org_id), coalesce(p.name, o.name) FROM orgs o
        LEFT JOIN orgs p ON p.org_id = o.top_parent_id
        WHERE o.org_id IN """ + ids_view(con, "_careers_org_ids", org_ids)).fetchall()}


def members_of_paper(con: duckdb.DuckDBPyConnection, query: str, org: str | None = None
                     ) -> tuple[dict[str, Any], list[Member]]:
    """The authors of a paper; home = their own affiliation on it (or `org` for everyone)."""
    require(con, "mention_person", "mention_orgs", "orgs")
    paper = find_paper(con, query)
    rows = con.execute("""
        SELECT m.position, m.raw_name, mp.person_id,
               list(DISTINCT mo.org_id) FILTER (WHERE mo.org_id IS NOT NULL) AS orgs
        FROM mentions m
        LEFT JOIN mention_person mp USING (paper_id, position)
        LEFT JOIN mention_orgs mo USING (paper_id, position)
        WHERE m.paper_id = $p GROUP BY ALL ORDER BY m.position
    """, {"p": paper["paper_id"]}).fetchall()
    fixed = _fixed_home(con, org)
    tree = OrgTree(con)
    from_timeline: dict[str, list[str]] = {}
    if not fixed:
        from_timeline = _homes_from_timelines(
            con, tree, paper, [pid for _p, _n, pid, orgs in rows if pid and not orgs])
    members = []
    for _pos, raw_name, pid, orgs in rows:
        mem = Member(pid, raw_name, since=paper["year"])
        timeline_home = not fixed and not orgs and bool(from_timeline.get(pid))
        if timeline_home:
            orgs = from_timeline[pid]
            mem.note = (f"home from the person's timeline around {paper['year']}: the paper "
                        "does not attribute an affiliation to this author")
        if fixed:
            mem.home_org_ids = set(fixed["family"])
            mem.home = fixed["name"]
        else:
            # Without --org the question is "have they left the company": a move between units
            # of one top-level organisation (Google -> DeepMind) is not leaving it.
            for o in orgs or []:
                fam = tree.family(tree.top.get(o, o)) | tree.family(o)
                mem.home_org_ids |= fam
                mem.groups.append((o, fam))
            names, parents = _names(con, set(orgs or [])), _parents(con, set(orgs or []))
            mem.home = " + ".join(sorted(
                names[o] + (f" (within {parents[o]})" if parents.get(o, names[o]) != names[o]
                            else "") for o in names))
            if timeline_home:
                mem.home += " (from their timeline)"
            if not orgs:
                mem.note = "no affiliation attributed on the paper"
        members.append(mem)
    return paper, members


def _homes_from_timelines(con: duckdb.DuckDBPyConnection, tree: OrgTree, paper: dict[str, Any],
                          pids: list[str]) -> dict[str, list[str]]:
    """Home organisations at the paper's year, from the timelines of authors the paper does not
    attribute an affiliation to (records whose affiliations are a set for the whole paper).

    Of the person's home spells covering the year, those inside the paper's own affiliation set
    win (the record says the author is at one of them); with none there, all of them.
    """
    if not pids:
        return {}
    # Spells covering the year; where a person has none, those within a year of it (a paper
    # written in a spell's last months appears the year after).
    spells = con.execute(
        "SELECT person_id, org_id, start_year <= $y AND end_year >= $y AS covers FROM spells "
        "WHERE kind = 'home' AND start_year <= $y + 1 AND end_year >= $y - 1 AND person_id IN "
        + ids_view(con, "_careers_unattributed", pids), {"y": paper["year"]}).fetchall()
    covered = {pid for pid, _o, covers in spells if covers}
    spells = [(pid, o) for pid, o, covers in spells if covers or pid not in covered]
    paper_set: set[str] = set()
    for (o,) in con.execute("SELECT DISTINCT org_id FROM paper_orgs WHERE paper_id = $p",
                            {"p": paper["paper_id"]}).fetchall():
        paper_set |= tree.family(tree.top.get(o, o))
    by_person: dict[str, list[str]] = defaultdict(list)
    for pid, o in spells:
        by_person[pid].append(o)
    out = {}
    for pid, orgs in by_person.items():
        listed = [o for o in orgs if o in paper_set]
        out[pid] = sorted(set(listed or orgs))
    return out


def _fixed_home(con: duckdb.DuckDBPyConnection, org: str | None) -> dict[str, Any] | None:
    if not org:
        return None
    found = find_org(con, org)
    return {**found, "family": sorted(OrgTree(con).family(found["org_id"]))}


def members_of_org(con: duckdb.DuckDBPyConnection, org: str, year_from: int, year_to: int
                   ) -> tuple[dict[str, Any], list[Member]]:
    """Everyone with a home spell at the organisation (or below it) overlapping the years."""
    require(con, "spells", "persons", "orgs")
    if year_from > year_to:
        raise OpsInputError(f"the from year {year_from} is after the to year {year_to}")
    home = _fixed_home(con, org)
    assert home is not None
    rows = con.execute("""
        SELECT s.person_id, any_value(p.canonical_name), max(least(s.end_year, $t))
        FROM spells s LEFT JOIN persons p USING (person_id)
        WHERE s.org_id IN """ + ids_view(con, "_careers_fam", home["family"]) + """
          AND s.kind = 'home' AND s.start_year <= $t AND s.end_year >= $f
        GROUP BY s.person_id ORDER BY 2, 1
    """, {"f": year_from, "t": year_to}).fetchall()
    members = [Member(pid, name or pid, set(home["family"]), home["name"], since=last)
               for pid, name, last in rows]
    return home, members


def members_of_file(con: duckdb.DuckDBPyConnection, path: Path, org: str | None,
                    year: int | None) -> tuple[dict[str, Any], list[Member]]:
    """Names or person ids, one a line (# comments allowed); home = `org` or spells at `year`."""
    require(con, "persons", "spells", "orgs")
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise OpsInputError(f"cannot read the cohort file {path}: {exc}") from exc
    if not org and year is None:
        raise OpsInputError("a group of names needs the organisation they were at, or a year "
                            "(their organisation is then the one they were at that year)")
    home = _fixed_home(con, org)
    entries = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(lines, start=1)]
    entries = [(n, e) for n, e in entries if e]
    # Exact person ids in one query; names (and OpenReview ids) one by one.
    known = {r[0]: r[1] for r in con.execute(
        "SELECT person_id, canonical_name FROM persons WHERE person_id IN "
        + ids_view(con, "_careers_entries", [e for _, e in entries])).fetchall()}
    members = []
    for n, entry in entries:
        if entry in known:
            members.append(Member(entry, known[entry] or entry))
            continue
        found = find_persons(con, entry, limit=5)
        if not found:
            members.append(Member(None, entry, note=f"line {n}: no person matches"))
            continue
        mem = Member(found[0]["person_id"], found[0]["canonical_name"] or entry)
        if len(found) > 1:
            mem.note = f"line {n}: {len(found)} persons match; took the most active"
        members.append(mem)
    pids = [m.person_id for m in members if m.person_id]
    spells = con.execute(
        "SELECT person_id, org_id, start_year, end_year FROM spells WHERE kind = 'home' "
        "AND person_id IN " + ids_view(con, "_careers_pids", pids)).fetchall()
    tree = OrgTree(con) if not home else None
    all_names = _names(con, {s[1] for s in spells}) if not home else {}
    for mem in members:
        if not mem.person_id:
            continue
        mine = [s for s in spells if s[0] == mem.person_id]
        if home:
            mem.home_org_ids, mem.home = set(home["family"]), home["name"]
            at = [s for s in mine if s[1] in mem.home_org_ids
                  and (year is None or s[2] <= year)]
            mem.since = year if year is not None else max((s[3] for s in at), default=None)
        else:
            orgs = {s[1] for s in mine if s[2] <= year <= s[3]}
            for o in orgs:
                mem.home_org_ids |= tree.family(o)
            mem.home = " + ".join(sorted(all_names.get(o, o) for o in orgs))
            mem.since = year
    return (home or {"name": None}), members


def member_status(con: duckdb.DuckDBPyConnection, members: list[Member]) -> list[dict[str, Any]]:
    """left / stayed / unknown for each member, with where to, when and the records."""
    require(con, "spells", "moves", "move_evidence")
    pids = sorted({m.person_id for m in members if m.person_id})
    spells: dict[str, list[tuple]] = defaultdict(list)
    for row in con.execute("""SELECT person_id, org_id, start_year, end_year, corroborated,
                                     n_independent FROM spells
                              WHERE kind = 'home' AND person_id IN """
                           + ids_view(con, "_careers_pids", pids)).fetchall():
        spells[row[0]].append(row[1:])
    moves: dict[str, list[tuple]] = defaultdict(list)
    for row in con.execute("""SELECT person_id, from_org_id, to_org_id, last_year_at_from,
                                     first_year_at_to, kind, confidence, move_id, evidence
                              FROM moves WHERE person_id IN """
                           + ids_view(con, "_careers_pids", pids)).fetchall():
        moves[row[0]].append(row[1:])
    all_orgs = {s[0] for ss in spells.values() for s in ss} | {
        m[1] for ms in moves.values() for m in ms} | {o for m in members for o in m.home_org_ids}
    all_orgs |= {g for m in members for g, _ in m.groups}
    now_pos = _open_positions_now(con, pids)
    all_orgs |= {n["org_id"] for n in now_pos.values()}
    names, tops = _names(con, all_orgs), _top_parents(con, all_orgs)
    parents = {o: name for o, (_, name) in tops.items()}

    move_positions = _move_positions(con, [m[6] for ms in moves.values() for m in ms])
    out = []
    for mem in members:
        row: dict[str, Any] = {"person_id": mem.person_id, "name": mem.name, "home": mem.home,
                               "since_year": mem.since, "note": mem.note}
        if not mem.person_id:
            out.append({**row, "status": "not_found"})
            continue
        if not mem.home_org_ids or mem.since is None:
            out.append({**row, "status": "unknown",
                        "detail": "no home organisation known for the cohort date"})
            continue
        home, since = mem.home_org_ids, mem.since
        my_spells = spells.get(mem.person_id, [])
        deps = sorted((m for m in moves.get(mem.person_id, [])
                       if m[0] in home and m[1] not in home and m[4] in DEPARTURE_KINDS
                       and m[3] >= since - 1),
                      key=lambda m: m[3])
        back = deps and any(s[0] in home and s[1] > deps[-1][3] for s in my_spells)
        if deps and not back:
            d = deps[-1]
            out.append({**row, "status": "left", "to_org_id": d[1], "to": names.get(d[1], d[1]),
                        "to_parent": parents.get(d[1], names.get(d[1], d[1])),
                        "to_parent_id": tops.get(d[1], (d[1], None))[0],
                        "last_year_at_home": d[2], "first_year_at_new": d[3], "kind": d[4],
                        "confidence": d[5], "move_id": d[6], "evidence": d[7],
                        "positions": move_positions.get(d[6], []),
                        "within_parent": parents.get(d[1]) in {parents.get(h) for h in home},
                        "detail": f"left for {names.get(d[1], d[1])}"
                                  + (f" (within {parents.get(d[1])})"
                                     if parents.get(d[1]) in {parents.get(h) for h in home}
                                     and parents.get(d[1]) != names.get(d[1]) else "")
                                  + (f" in {d[3]}" if d[2] == d[3]
                                     else f" between {d[2]} and {d[3]}")
                                  + f" ({d[4].replace('_', ' ')}, confidence {d[5]:.2f}; "
                                  f"{d[7]})"})
            continue
        # No departure move, but "now" is an open position elsewhere that began after the
        # cohort date (careers.now: newer than every paper record): left, on that position.
        np_ = now_pos.get(mem.person_id)
        if np_ and np_["org_id"] not in home and np_["since_year"] >= since:
            to = np_["org_id"]
            inside_parent = parents.get(to) in {parents.get(h) for h in home}
            out.append({**row, "status": "left", "to_org_id": to, "to": names.get(to, to),
                        "to_parent": parents.get(to, names.get(to, to)),
                        "to_parent_id": tops.get(to, (to, None))[0],
                        "last_year_at_home": max((s[2] for s in my_spells if s[0] in home),
                                                 default=None),
                        "first_year_at_new": np_["since_year"], "kind": "job_change",
                        "confidence": None, "move_id": None, "evidence": np_["evidence"],
                        "positions": [{k: np_[k] for k in ("source", "url", "position_id")}],
                        "within_parent": inside_parent,
                        "detail": f"left for {names.get(to, to)}: {np_['evidence']}"})
            continue
        inside = [m for m in moves.get(mem.person_id, [])
                  if m[0] in home and m[1] in home and m[4] in DEPARTURE_KINDS and m[3] >= since]
        moved_inside = "; ".join(f"moved inside: {names.get(m[0], m[0])} -> "
                                 f"{names.get(m[1], m[1])} ({m[3]})" for m in inside)
        at_home = [s for s in my_spells if s[0] in home]
        last_home = max((s[2] for s in at_home), default=None)
        if last_home is not None and last_home > since:
            where = names.get(max(at_home, key=lambda s: s[2])[0], mem.home)
            detail = f"seen at {where} in {last_home}"
            if len(mem.groups) > 1:  # several homes: say which ones show nothing later
                quiet = [g for g, fam in mem.groups
                         if not any(s[0] in fam and s[2] > since for s in my_spells)]
                if quiet:
                    detail += (f"; nothing at {', '.join(names.get(g, g) for g in quiet)} "
                               f"after {since}")
            out.append({**row, "status": "stayed", "last_seen_at_home": last_home,
                        "detail": detail + (f"; {moved_inside}" if moved_inside else "")})
            continue
        elsewhere = sorted((s for s in my_spells if s[0] not in home and s[2] > since),
                           key=lambda s: -s[2])
        if elsewhere:
            s = elsewhere[0]
            what = "a concurrent affiliation" if any(
                h[1] <= s[1] <= h[2] or s[1] <= h[1] <= s[2] for h in at_home) else \
                f"{s[4]} record(s), not enough to call it a move"
            detail = (f"seen at {names.get(s[0], s[0])} in {s[2]} ({what}); nothing at "
                      f"{mem.home} after {since}")
        else:
            detail = f"no evidence after {since}"
        if moved_inside:
            detail += f"; {moved_inside}"
        out.append({**row, "status": "unknown", "detail": detail})
    return out


def _open_positions_now(con: duckdb.DuckDBPyConnection, pids: list[str]
                        ) -> dict[str, dict[str, Any]]:
    """careers.now rows that rest on an open position, by person."""
    if not pids or not table_exists(con, "person_now"):
        return {}
    cur = con.execute("SELECT person_id, org_id, since_year, seen_year, evidence, source, url, "
                      "position_id FROM person_now WHERE basis = 'open_position' "
                      "AND person_id IN " + ids_view(con, "_careers_now_pids", pids))
    cols = [d[0] for d in cur.description]
    return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def _move_positions(con: duckdb.DuckDBPyConnection, move_ids: list[str]
                    ) -> dict[str, list[dict[str, Any]]]:
    """The dated positions behind each move (side, organisation as written, title, dates,
    source, URL): the evidence a cohort row names besides paper records."""
    if not move_ids or not table_exists(con, "positions"):
        return {}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    cur = con.execute("""
        SELECT DISTINCT e.move_id, e.side, p.org_raw, p.title, p.start_date, p.end_date,
               p.source, p.url
        FROM move_evidence e JOIN positions p ON p.position_id = e.paper_id
        WHERE e.evidence = 'position' AND e.move_id IN """
                      + ids_view(con, "_careers_move_ids", move_ids)
                      + " ORDER BY e.move_id, e.side, p.start_date")
    cols = [d[0] for d in cur.description]
    for r in cur.fetchall():
        row = dict(zip(cols, r, strict=True))
        out[row.pop("move_id")].append(row)
    return out


def summarise(statuses: list[dict[str, Any]], label: str | None) -> dict[str, Any]:
    """Counts, the conservative sentence, destinations — each with the people behind it."""
    by: dict[str, list[str]] = defaultdict(list)
    for s in statuses:
        by[s["status"]].append(s["person_id"] or s["name"])
    m = len(statuses)
    # rolled up by organisation id (two organisations of one name stay two bars, and one
    # organisation is one bar whatever its members' records call it)
    dest = Counter(s["to_parent_id"] for s in statuses if s["status"] == "left")
    dest_people: dict[str, list[str]] = defaultdict(list)
    dest_name: dict[str, str] = {}
    for s in statuses:
        if s["status"] == "left":
            dest_people[s["to_parent_id"]].append(s["person_id"])
            dest_name[s["to_parent_id"]] = s["to_parent"]
    where = label or "their organisation"
    n_left, n_stay, n_unk = len(by["left"]), len(by["stayed"]), len(by["unknown"])
    sentence = (f"At least {n_left} of {m} have left {where}; {n_stay} were seen there later; "
                f"{n_unk} unknown (no corroborated evidence after the date)")
    if by["not_found"]:
        sentence += f"; {len(by['not_found'])} not found in the store"
    sentence += "."
    return {
        "members": m, "left": n_left, "stayed": n_stay, "unknown": n_unk,
        "not_found": len(by["not_found"]), "sentence": sentence,
        "people": dict(by),
        "destinations": [{"to": dest_name[k], "to_id": k, "n": v, "people": dest_people[k]}
                         for k, v in sorted(dest.items(),
                                            key=lambda kv: (-kv[1], dest_name[kv[0]] or ""))],
    }


def cohort_report(con: duckdb.DuckDBPyConnection, *, paper: str | None = None,
                  file: Path | None = None, org: str | None = None, year_from: int | None = None,
                  year_to: int | None = None, year: int | None = None) -> dict[str, Any]:
    """One of: a paper's authors, a file of names/ids, or everyone at `org` in a year range."""
    chosen = [x for x in (paper, file) if x]
    if len(chosen) > 1:
        raise OpsInputError("give one cohort: a paper, a file of names, or an organisation with "
                            "from and to years")
    if paper:
        info, members = members_of_paper(con, paper, org)
        label = info.get("title")
        where = _fixed_home(con, org)["name"] if org else None
        head = {"cohort": "paper", "paper": info}
    elif file:
        info, members = members_of_file(con, file, org, year)
        where = info.get("name")
        head = {"cohort": "file", "file": str(file), "org": info.get("name")}
        label = str(file)
    elif org:
        if year_from is None or year_to is None:
            raise OpsInputError("a cohort of an organisation needs a from year and a to year")
        info, members = members_of_org(con, org, year_from, year_to)
        where = info["name"]
        head = {"cohort": "org", "org": {k: info[k] for k in ("org_id", "name", "kind")},
                "from": year_from, "to": year_to,
                "family": info["family"], "other_matches": info["other_matches"]}
        label = f"{where} {year_from}-{year_to}"
    else:
        raise OpsInputError("give a cohort: a paper (title or id), a file of names, or an "
                            "organisation with from and to years")
    if not members:
        raise NotFoundError(f"the cohort {label!r} has no members in the store")
    statuses = member_status(con, members)
    return {**head, "summary": summarise(statuses, where), "members": statuses}
