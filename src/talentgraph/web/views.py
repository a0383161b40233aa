"""What each page and its API twin show: data gathered from the core for one request.

Every function takes the request context and calls core functions (careers, sourcing, resolve,
ops services); the ops services check the role and write the audit log. Reads of the public
research record, which no ops service covers, are audited here with `audit.record`.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any

from talentgraph.careers import cohorts, flows, lookup, now, person, profiles
from talentgraph.errors import NotFoundError, OpsInputError, StoreError, TalentgraphError
from talentgraph.ops import (
    audit,
    candidates,
    counter_service,
    imports,
    offer_service,
    outreach,
    plans,
    settings,
    users,
)
from talentgraph.ops.compstore import package_from_options
from talentgraph.ops.graphview import DuckDBGraphView
from talentgraph.ops.permissions import Op, Role, least_privileged, require
from talentgraph.ops.risk_service import flight_risks_from_store
from talentgraph.ops.stages import STAGES
from talentgraph.resolve.people import query as people_query
from talentgraph.sourcing import dossier as dossier_mod
from talentgraph.sourcing import index as sourcing_index
from talentgraph.sourcing import learned, rank
from talentgraph.web import charts
from talentgraph.web.context import Ctx


def _graph_read(c: Ctx, action: str, object_type: str, object_id: str | None = None,
                **details: Any) -> None:
    audit.record(c.s, c.actor, action, object_type, object_id, **details)


def ref_year(c: Ctx) -> int:
    """The newest year of the record (from the search index), else the current year."""
    try:
        return int(sourcing_index.meta(c.graph()).get("ref_year") or date.today().year)
    except StoreError:
        return date.today().year


def our_organisation(c: Ctx) -> dict[str, Any]:
    """Who 'we' are: the ops 'organisation' setting (name, org ids, aliases)."""
    return settings.our_organisation(c.s)


def _person_names(c: Ctx, person_ids: list[str]) -> dict[str, str]:
    """Display names for person ids (one query; ids not found keep the id)."""
    if not person_ids:
        return {}
    lookup.require(c.graph(), "persons")
    rows = c.graph().execute("SELECT person_id, canonical_name FROM persons "
                             "WHERE person_id IN (SELECT unnest($ids))",
                             {"ids": list(person_ids)}).fetchall()
    return {pid: pid for pid in person_ids} | {pid: name for pid, name in rows if name}


def _flow_people(result: dict[str, Any], per_row: int) -> list[str]:
    ids: set[str] = set()
    for key in ("top_flows", "sources", "destinations"):
        for row in result.get(key) or []:
            ids |= set(row["people"][:per_row])
    return sorted(ids)


# ---------------------------------------------------------------------------------------------
# dashboard, flows, cohort


ROLLUPS = {"org": "the organisation itself", "parent": "its top parent"}


def dashboard(c: Ctx, rollup: str = "org") -> dict[str, Any]:
    """`rollup`: moves of our organisation itself (its ids, former names and units: "org") or
    of its top parent with every unit of it ("parent": Alphabet for Google DeepMind)."""
    if rollup not in ROLLUPS:
        raise OpsInputError(f"roll-up must be one of {', '.join(ROLLUPS)} (got {rollup!r})")
    progress = plans.progress(c.s, c.actor)
    funnel = {st: sum(r["by_stage"].get(st, 0) for r in progress) for st in STAGES}
    org = our_organisation(c)
    out: dict[str, Any] = {
        "organisation": org.get("name"), "plans": plans.list_plans(c.s, c.actor),
        "requisitions": progress, "funnel": funnel,
        "totals": {k: sum(r[k] for r in progress) for k in
                   ("target", "hired", "in_offer", "in_pipeline", "remaining")},
        "moves": None, "market": None, "graph_error": None,
        "charts": {"funnel": charts.funnel(funnel)},
    }
    try:
        ids = settings.our_org_queries(org)
        out.update(c.cached(("dashboard", tuple(ids), rollup),
                            lambda: _dashboard_moves(c, ids, rollup)))
        out["charts"]["market"] = out.pop("market_chart")
        _graph_read(c, "graph.flows.read", "flows", None, years=list(out["years"]))
    except TalentgraphError as exc:
        out["graph_error"] = str(exc)
    return out


def _dashboard_moves(c: Ctx, queries: list[str], rollup: str) -> dict[str, Any]:
    """Moves into and out of our organisation and the market, over the last three years."""
    year = ref_year(c)
    span = (year - 2, year)
    ours, scope = None, None
    if queries:
        found = [lookup.find_org(c.graph(), q) for q in queries]
        home = found[0]
        tree = lookup.OrgTree(c.graph())
        family = sorted({o for f in found for o in tree.family(f["org_id"])})
        ours = flows.flows(c.graph(), span[0], span[1], org=home["org_id"],
                           rollup=rollup == "parent", top=10, as_one=family)
        parent = home.get("top_parent_id") or home["org_id"]
        scope = {"rollup": rollup, "org": home["name"], "org_id": home["org_id"],
                 "parent": _org_name(c, parent), "parent_id": parent,
                 "choices": ROLLUPS, "counted_as_one": family}
    market = flows.flows(c.graph(), span[0], span[1], rollup=True, top=10)
    return {"moves": ours, "market": market, "years": span, "scope": scope,
            "names": _person_names(c, _flow_people(ours, 5) if ours else []),
            "market_chart": charts.net_flows(market["net"])}


def _org_name(c: Ctx, org_id: str) -> str:
    row = c.graph().execute("SELECT coalesce(name, org_id) FROM orgs WHERE org_id = $o",
                            {"o": org_id}).fetchone()
    return row[0] if row else org_id


def talent_flows(c: Ctx, year_from: int, year_to: int, org: str | None, rollup: bool,
                 min_confidence: float, top: int) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        result = flows.flows(c.graph(), year_from, year_to, org=org or None, rollup=rollup,
                             min_confidence=min_confidence, top=top)
        result["charts"] = {"pairs": charts.flow_pairs(result["top_flows"]),
                            "net": charts.net_flows(result["net"])}
        result["names"] = _person_names(c, _flow_people(result, 6))
        return result

    result = c.cached(("flows", year_from, year_to, org, rollup, min_confidence, top), compute)
    _graph_read(c, "graph.flows.read", "flows", org, years=[year_from, year_to], rollup=rollup)
    return result


def cohort(c: Ctx, paper: str | None, org: str | None, year_from: int | None,
           year_to: int | None, names: list[str] | None = None) -> dict[str, Any]:
    """A paper's authors, a group of names or ids (home: `org` or where they were in
    `year_from`), or everyone at `org` in the years."""
    names = [n.strip() for n in names or [] if n.strip()][:500]

    def compute() -> dict[str, Any]:
        if names:
            # the careers core reads a group from a file, one name or id a line
            with tempfile.TemporaryDirectory(prefix="tg_cohort_") as tmp:
                path = Path(tmp) / "cohort.txt"
                path.write_text("\n".join(names) + "\n", encoding="utf-8")
                report = cohorts.cohort_report(c.graph(), file=path, org=org or None,
                                               year=year_from or year_to)
                report["file"] = f"{len(names)} names"
        else:
            report = cohorts.cohort_report(c.graph(), paper=paper or None, org=org or None,
                                           year_from=year_from, year_to=year_to)
        report["charts"] = {"destinations": charts.destinations(
            report["summary"]["destinations"])}
        return report

    report = c.cached(("cohort", paper, org, year_from, year_to, tuple(names)), compute)
    _graph_read(c, "graph.cohort.read", "cohort", paper or org,
                members=report["summary"]["members"])
    return report


# ---------------------------------------------------------------------------------------------
# people


ORGS_LISTED = 3  # organisations per person in a list of people (the most frequent)


def find_people(c: Ctx, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Exact ids and names first (fast); the name-variant rules (initials, swapped names) of
    the people stage only when nothing matches exactly."""
    def compute() -> list[dict[str, Any]]:
        found = lookup.find_persons(c.graph(), q, limit=limit)
        if not found:
            found = lookup.find_persons_by_name(c.graph(), q, limit=limit)
        # the organisations as `talentgraph person` lists them (one core function)
        orgs = people_query.person_organisations(c.graph(), [p["person_id"] for p in found])
        out = []
        for p in found:
            mine = orgs.get(p["person_id"], [])
            out.append({"person_id": p["person_id"], "name": p["canonical_name"],
                        "n_mentions": p.get("n_mentions"), "first_year": p.get("first_year"),
                        "last_year": p.get("last_year"),
                        "current_organisation": people_query.current_organisation(mine),
                        "organisations": mine[:ORGS_LISTED]})
        return out

    rows = c.cached(("find", q.strip(), limit), compute)
    _graph_read(c, "graph.person.find", "person", None, returned=len(rows))
    return rows


def person_profile(c: Ctx, person_id: str) -> dict[str, Any]:
    if c.request.app.state.graph.profiles_ready():
        # one keyed row of the profiles stage: cheaper to read than to keep in the cache
        data = profiles.read_profile(c.graph(), person_id)
        if data is None:
            raise NotFoundError(f"no person with id {person_id!r}: search by name on /people")
        data["charts"] = {"timeline": charts.timeline(data["timeline"])}
        # where now, and the dated positions with their sources (not in the profile row)
        data["now"] = now.now_of(c.graph(), person_id)
        data["positions"] = now.positions_of(c.graph(), person_id)
    else:
        data = c.cached(("person", person_id), lambda: _computed_profile(c, person_id))
    _graph_read(c, "graph.person.read", "person", person_id)
    return data


def _computed_profile(c: Ctx, person_id: str) -> dict[str, Any]:
    found = lookup.find_persons(c.graph(), person_id, limit=1)
    if not found or found[0]["person_id"] != person_id:
        raise NotFoundError(f"no person with id {person_id!r}: search by name on /people")
    data = person.person_careers(c.graph(), person_id, precomputed=False)
    data["person"] = found[0]
    data["charts"] = {"timeline": charts.timeline(data["timeline"])}
    return data


def search(c: Ctx, q: str, filters: rank.Filters, limit: int) -> dict[str, Any]:
    key = ("search", q, tuple(filters.at), tuple(filters.not_at), filters.role, filters.since,
           filters.country, limit)
    engine = c.request.app.state.graph.search_engine()
    result = c.cached(key, lambda: learned.search(c.graph(), q, filters, limit=limit,
                                                  engine=engine).to_dict())
    _graph_read(c, "graph.search", "search", None, returned=len(result["people"]),
                filtered=bool(filters.at or filters.not_at or filters.role or filters.since
                              or filters.country))
    return result


def dossier(c: Ctx, person_id: str, for_role: str | None) -> dict[str, Any]:
    ours = settings.our_org_queries(our_organisation(c))
    data = c.cached(("dossier", person_id, for_role, tuple(ours)),
                    lambda: dossier_mod.build_dossier(c.graph(), person_id, for_role=for_role,
                                                      ours=ours or None))
    _graph_read(c, "graph.dossier.read", "person", person_id)
    return data


def render_dossier(data: dict[str, Any], fmt: str) -> str:
    return dossier_mod.render(data, fmt)


# ---------------------------------------------------------------------------------------------
# pipeline, candidates


def pipeline(c: Ctx, requisition_id: int | None = None) -> dict[str, Any]:
    board = candidates.pipeline_board(c.s, c.actor, requisition_id)
    board["requisitions"] = plans.list_requisitions(c.s, c.actor)
    return board


def create_candidate(c: Ctx, name: str, email: str | None, person_id: str | None,
                     requisition_id: int | None, assign_to: str | None,
                     source_note: str | None) -> dict[str, Any]:
    cand = candidates.create_candidate(c.s, c.actor, name, email=email, person_id=person_id,
                                       requisition_id=requisition_id, assign_to=assign_to or None,
                                       source_note=source_note)
    return candidates.candidate_dict(cand)


def move_stage(c: Ctx, candidate_id: int, stage: str, note: str | None) -> dict[str, Any]:
    return candidates.candidate_dict(candidates.move_stage(c.s, c.actor, candidate_id, stage,
                                                           note))


def candidate_detail(c: Ctx, candidate_id: int) -> dict[str, Any]:
    d = candidates.get_candidate(c.s, c.actor, candidate_id)
    d["letters"] = outreach.list_letters(c.s, c.actor, candidate_id) \
        if c.can(Op.OUTREACH_VIEW) else None
    d["offers"] = offer_service.list_offers(c.s, c.actor, candidate_id=candidate_id) \
        if c.can(Op.OFFER_VIEW) else None
    return d


# ---------------------------------------------------------------------------------------------
# offers


def _package_options(p: dict[str, Any], label: str) -> dict[str, Any]:
    return {"sign_on": [p["sign_on"]] if p.get("sign_on") else [],
            "bonus_pct": p.get("bonus_pct"), "equity": p.get("equity") or None,
            "vesting": p.get("vesting") or "cliff_monthly",
            "refresher": p.get("refresher") or None, "label": label}


def package(currency: str, p: dict[str, Any], label: str) -> Any:
    """Our package from the loose fields of the offer form (the comp core validates)."""
    return package_from_options(currency, p.get("base") or 0, **_package_options(p, label))


def rival_package(c: Ctx, currency: str, p: dict[str, Any], label: str) -> Any:
    """A rival's package: private equity valued by the core's offer policy where not given."""
    return offer_service.rival_package(
        c.s, currency, p.get("base") or 0, private=bool(p.get("private")),
        private_discount_pct=p.get("private_discount_pct"),
        liquidity_probability=p.get("liquidity_probability"),
        years_to_liquidity=p.get("years_to_liquidity"), **_package_options(p, label))


def build_offer(c: Ctx, candidate_id: int, level: str, currency: str, ours: dict[str, Any] | None,
                theirs: dict[str, Any] | None, company: str | None, years: int,
                dossier_text: str | None, note: str | None) -> dict[str, Any]:
    """Record the rival's offer (if any), then build ours: the given package, or the smallest
    in-band package that beats theirs by the policy margin."""
    require(c.actor, Op.OFFER_BUILD)
    competing_id = None
    if theirs is not None:
        row = offer_service.add_competing_offer(
            c.s, c.actor, company or "", rival_package(c, currency, theirs,
                                                       company or "competing"),
            candidate_id=candidate_id, years=years)
        competing_id = row.id
    if ours is None and competing_id is None:
        raise OpsInputError("give our package (base, equity...) or a competing offer to beat")
    offer = offer_service.build_offer(
        c.s, c.actor, candidate_id, level,
        package=package(currency, ours, "ours") if ours is not None else None,
        beat_competing_id=competing_id, years=years, dossier=dossier_text, note=note)
    if competing_id is not None:
        offer_service.compare_offer(c.s, c.actor, offer.id, competing_id, years)
    return offer_detail(c, offer.id)


def offer_detail(c: Ctx, offer_id: int) -> dict[str, Any]:
    d = offer_service.get_offer(c.s, c.actor, offer_id)
    d["chart"] = charts.offer_years(d)
    return d


def offers(c: Ctx) -> list[dict[str, Any]]:
    return offer_service.list_offers(c.s, c.actor)


def approve_offer(c: Ctx, offer_id: int, decision: str, note: str | None) -> dict[str, Any]:
    offer_service.approve_offer(c.s, c.actor, offer_id, decision, note)
    return offer_detail(c, offer_id)


# ---------------------------------------------------------------------------------------------
# counter-offers (an employee holding a competing offer; compensation partners, executives)


def counter_overview(c: Ctx) -> dict[str, Any]:
    return counter_service.overview(c.s, c.actor)


def counter_rivals(c: Ctx, email: str) -> list[dict[str, Any]]:
    return counter_service.employee_competing_offers(c.s, c.actor, email)


def add_employee_rival(c: Ctx, email: str, company: str, currency: str,
                       theirs: dict[str, Any], years: int) -> int:
    """Record the competing offer one of our employees holds; returns its id."""
    row = offer_service.add_competing_offer(c.s, c.actor, company,
                                            rival_package(c, currency, theirs, company),
                                            employee_email=email, years=years)
    return row.id


def counter_options(c: Ctx, competing_id: int, years: int, margin_pct: float) -> dict[str, Any]:
    return counter_service.counter_dict(counter_service.counter_options(
        c.s, c.actor, competing_id, years=years, margin_pct=margin_pct))


def counter(c: Ctx, counter_id: int) -> dict[str, Any]:
    return counter_service.get_counter(c.s, c.actor, counter_id)


def decide_counter(c: Ctx, counter_id: int, option: int | None, note: str | None
                   ) -> dict[str, Any]:
    return counter_service.counter_dict(counter_service.decide_counter(
        c.s, c.actor, counter_id, option, note))


# ---------------------------------------------------------------------------------------------
# retention, outreach, audit, users


def retention(c: Ctx, team: str | None) -> list[dict[str, Any]]:
    return retention_page(c, team)["rows"]


def retention_page(c: Ctx, team: str | None) -> dict[str, Any]:
    """Flight risks (with graph evidence when the store can give it) and why it could not."""
    rows, warning = flight_risks_from_store(c.s, c.actor, c.db_path, team=team or None)
    return {"rows": rows, "warning": warning}


def draft_letter(c: Ctx, candidate_id: int, signer: str, subject: str | None,
                 topic: str | None = None) -> dict[str, Any]:
    graph = DuckDBGraphView(c.db_path) if c.db_path is not None else None
    letter = outreach.draft_letter(c.s, c.actor, candidate_id, signer, graph=graph,
                                   subject=subject or None, topic=topic or None)
    return outreach.letter_dict(letter)


def signers(c: Ctx) -> list[dict[str, Any]] | None:
    """Executives who can sign letters, for users allowed to list users; else None."""
    if not c.can(Op.USER_LIST):
        return None
    return [u for u in users.list_users(c.s, c.actor)
            if u["role"] == "executive" and u["active"]]


def letter(c: Ctx, letter_id: int) -> dict[str, Any]:
    return outreach.get_letter(c.s, c.actor, letter_id)


def record_reply(c: Ctx, letter_id: int, outcome: str, body: str | None) -> dict[str, Any]:
    reply = outreach.record_reply(c.s, c.actor, letter_id, outcome, body)
    return {"letter_id": letter_id, "outcome": reply.outcome}


def audit_log(c: Ctx, action: str | None, username: str | None, limit: int) -> list[dict]:
    return audit.list_entries(c.s, c.actor, action=action or None, username=username or None,
                              limit=limit)


def employees(c: Ctx) -> list[dict[str, Any]]:
    return imports.list_employees(c.s, c.actor)


def as_dict(obj: Any) -> Any:
    return asdict(obj)


# ---------------------------------------------------------------------------------------------
# admin: users, requisitions, bands, roster (the CLI's core services and permission checks)


def user_admin(c: Ctx) -> dict[str, Any]:
    require(c.actor, Op.USER_ADMIN)
    return {"rows": users.list_users(c.s, c.actor), "roles": [r.value for r in Role],
            "default_role": least_privileged().value}


def set_user_active(c: Ctx, username: str, active: bool) -> dict[str, Any]:
    return users.user_dict(users.set_active(c.s, c.actor, username, active))


def set_user_role(c: Ctx, username: str, role: str) -> dict[str, Any]:
    return users.user_dict(users.set_role(c.s, c.actor, username, role))


def requisitions(c: Ctx) -> dict[str, Any]:
    return {"rows": plans.progress(c.s, c.actor), "plans": plans.list_plans(c.s, c.actor),
            "statuses": list(plans.REQ_STATUSES)}


def create_requisition(c: Ctx, title: str, team: str, level: str, headcount: int,
                       open_date: date | None, close_date: date | None,
                       plan_id: int | None) -> dict[str, Any]:
    return plans.req_dict(plans.create_requisition(
        c.s, c.actor, title, team, level, headcount, open_date or date.today(), close_date,
        plan_id))


def set_requisition_status(c: Ctx, req_id: int, status: str) -> dict[str, Any]:
    return plans.req_dict(plans.set_requisition_status(c.s, c.actor, req_id, status))


def bands(c: Ctx) -> list[dict[str, Any]]:
    return imports.list_bands(c.s, c.actor)


def import_csv(c: Ctx, kind: str, files: dict[str, tuple[str, bytes]]) -> list[dict[str, Any]]:
    """Import uploaded CSV files ('bands', or 'roster' with optional 'grants') with the same
    core import as the CLI: all rows or none, every bad row named with the file's own name."""
    with tempfile.TemporaryDirectory(prefix="tg_import_") as tmp:
        paths: dict[str, Path] = {}
        for key, (name, data) in files.items():
            path = Path(tmp) / key / (Path(name).name or f"{key}.csv")
            path.parent.mkdir()
            path.write_bytes(data)
            paths[key] = path
        try:
            if kind == "bands":
                result = imports.import_bands(c.s, c.actor, paths["bands"])
            else:
                result = imports.import_roster(c.s, c.actor, paths["roster"],
                                               paths.get("grants"))
        except imports.ImportRowErrors as exc:  # name the uploaded file, not our temp copy
            raise imports.ImportRowErrors([replace(e, file=Path(e.file).name)
                                           for e in exc.errors]) from None
    reports = result if isinstance(result, list) else [result]
    return [r.as_dict() for r in reports]
