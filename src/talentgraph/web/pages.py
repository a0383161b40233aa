"""Server-rendered pages. Each calls `views` (which calls the core) inside one request context;
forms post back with the CSRF token and redirect (post/redirect/get)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from talentgraph.errors import OpsInputError
from talentgraph.ops import users
from talentgraph.ops.comp.vesting import KINDS as VESTING_KINDS
from talentgraph.ops.outreach import OUTCOMES, export_eml
from talentgraph.ops.permissions import Op, require
from talentgraph.sourcing.rank import ROLES, Filters
from talentgraph.web import forms, views
from talentgraph.web.context import Ctx, check_csrf, web_ctx
from talentgraph.web.render import page

router = APIRouter(include_in_schema=False)
CSRF = [Depends(check_csrf)]
MAX_ID = 2**31 - 1  # ids beyond this cannot exist (and overflow SQLite integers)
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str | None, Query(max_length=300)]
# Form fields arrive as text and may be blank: parsed by `forms` (a blank is "not given").
NumText = Annotated[str | None, Query(max_length=12)]


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _post(request: Request, back: str, act: Callable[[Ctx, Any], object]) -> Response:
    """A form that changes something: `act(context, form)` in one request context (its
    transaction), then back to `back` (post/redirect/get)."""
    f = await request.form()
    with web_ctx(request) as c:
        act(c, f)
    return _see(back)


def _split(v: str | None) -> list[str]:
    return [x.strip() for x in (v or "").split(",") if x.strip()]


Rollup = Annotated[Literal["org", "parent"], Query(
    description="moves of our organisation itself, or of its top parent")]


@router.get("/")
def dashboard(request: Request, rollup: Rollup = "org") -> Response:
    with web_ctx(request) as c:
        return page(request, "dashboard.html", d=views.dashboard(c, rollup))


@router.get("/flows")
def flows(request: Request, year_from: NumText = None, year_to: NumText = None, org: Text = None,
          rollup: bool = True, min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.0
          ) -> Response:
    with web_ctx(request) as c:
        ref = views.ref_year(c)
        yf = forms.integer("from year", year_from, 1900, 2100) or ref - 2
        yt = forms.integer("to year", year_to, 1900, 2100) or ref
        d = views.talent_flows(c, yf, yt, forms.text(org), rollup, min_confidence, top=20)
        return page(request, "flows.html", d=d, q={"year_from": yf, "year_to": yt,
                                                   "org": org or "", "rollup": rollup,
                                                   "min_confidence": min_confidence})


@router.get("/cohort")
def cohort(request: Request, paper: Text = None, org: Text = None, year_from: NumText = None,
           year_to: NumText = None,
           names: Annotated[str | None, Query(max_length=20000)] = None) -> Response:
    yf = forms.integer("from year", year_from, 1900, 2100)
    yt = forms.integer("to year", year_to, 1900, 2100)
    group = [n for n in (names or "").splitlines() if n.strip()]
    q = {"paper": paper or "", "org": org or "", "year_from": yf, "year_to": yt,
         "names": names or ""}
    with web_ctx(request) as c:
        d = views.cohort(c, forms.text(paper), forms.text(org), yf, yt, group) \
            if forms.text(paper) or forms.text(org) or group else None
        return page(request, "cohort.html", d=d, q=q)


@router.get("/people")
def people(request: Request, q: Text = None) -> Response:
    with web_ctx(request) as c:
        found = views.find_people(c, q) if forms.text(q) else None
        if found and len(found) == 1:
            return _see(f"/people/{found[0]['person_id']}")
        return page(request, "people.html", found=found, q=q or "")


@router.get("/people/{person_id}")
def person(request: Request, person_id: str) -> Response:
    with web_ctx(request) as c:
        return page(request, "person.html", d=views.person_profile(c, person_id))


@router.get("/people/{person_id}/dossier")
def dossier(request: Request, person_id: str, for_role: Text = None) -> Response:
    with web_ctx(request) as c:
        d = views.dossier(c, person_id, forms.text(for_role))
        return page(request, "dossier.html", d=d, for_role=for_role or "")


@router.get("/people/{person_id}/dossier/document")
def dossier_document(request: Request, person_id: str, for_role: Text = None,
                     format: Annotated[str, Query(pattern="^(html|md|json)$")] = "html"  # noqa: A002
                     ) -> Response:
    with web_ctx(request) as c:
        text = views.render_dossier(views.dossier(c, person_id, forms.text(for_role)), format)
    media = {"html": "text/html", "md": "text/markdown", "json": "application/json"}[format]
    headers = {} if format == "html" else {
        "Content-Disposition": f'attachment; filename="dossier-{person_id}.{format}"'}
    return PlainTextResponse(text, media_type=f"{media}; charset=utf-8", headers=headers)


@router.get("/search")
def search(request: Request, q: Text = None, at: Text = None, not_at: Text = None,
           role: Annotated[str | None, Query(max_length=20)] = None, since: NumText = None,
           country: Annotated[str | None, Query(max_length=60)] = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Response:
    since_year = forms.integer("since year", since, 1900, 2100)
    form = {"q": q or "", "at": at or "", "not_at": not_at or "", "role": role or "",
            "since": since_year, "country": country or "", "limit": limit}
    with web_ctx(request) as c:
        result = None
        if forms.text(q):
            filters = Filters(at=_split(at), not_at=_split(not_at), role=forms.text(role),
                              since=since_year, country=forms.text(country))
            result = views.search(c, q.strip(), filters, limit)
        name = "_search_results.html" if request.headers.get("HX-Request") else "search.html"
        return page(request, name, r=result, form=form, roles=ROLES)


# ---------------------------------------------------------------------------------------------
# pipeline and candidates


@router.get("/pipeline")
def pipeline(request: Request, requisition_id: NumText = None) -> Response:
    req = forms.integer("requisition", requisition_id, 1, MAX_ID)
    with web_ctx(request) as c:
        return page(request, "pipeline.html", d=views.pipeline(c, req),
                    prefill={k: request.query_params.get(k, "") for k in ("name", "person_id")})


@router.post("/pipeline/candidates", dependencies=CSRF)
async def add_candidate(request: Request) -> Response:
    f = await request.form()
    with web_ctx(request) as c:
        cand = views.create_candidate(
            c, forms.text(f.get("name")) or "", forms.text(f.get("email")),
            forms.text(f.get("person_id")), forms.integer("requisition", f.get("requisition_id"),
                                                          1, 10**9),
            forms.text(f.get("assign_to")), forms.text(f.get("source_note")))
    return _see(f"/candidates/{cand['id']}")


@router.post("/pipeline/{candidate_id}/stage", dependencies=CSRF)
async def move_stage(request: Request, candidate_id: PathId) -> Response:
    f = await request.form()
    if request.headers.get("HX-Request"):
        return _move_on_board(request, candidate_id, forms.text(f.get("stage")) or "",
                              forms.text(f.get("note")))
    with web_ctx(request) as c:
        views.move_stage(c, candidate_id, forms.text(f.get("stage")) or "",
                         forms.text(f.get("note")))
    return _see(str(f.get("back") or "/pipeline") if str(f.get("back", "")).startswith("/")
                else "/pipeline")


def _move_on_board(request: Request, candidate_id: int, stage: str, note: str | None
                   ) -> Response:
    """An htmx move on the board: the board comes back either way. A refused move comes back
    with its reason above the board and every card where it was (the move's transaction is
    rolled back; the board is read in a new one), with the refusal's status code."""
    try:
        with web_ctx(request) as c:
            views.move_stage(c, candidate_id, stage, note)
            return page(request, "_board.html", d=views.pipeline(c))
    except OpsInputError as exc:  # refusals of the move itself; others go to the error page
        with web_ctx(request) as c:
            d = views.pipeline(c)
            card = next((x for xs in d["board"].values() for x in xs
                         if x["id"] == candidate_id), None)
            who = (card or {}).get("name") or f"Candidate #{candidate_id}"
            why = f" ({card['mismatch']})" if card and card.get("mismatch") else ""
            refused = page(request, "_board.html", status_code=422, d=d,
                           error=f"{who} was not moved to {stage or '?'}: {exc}{why}")
        refused.headers["X-Board-Refused"] = "1"  # app.js swaps this answer in (htmx won't)
        return refused


@router.get("/candidates/{candidate_id}")
def candidate(request: Request, candidate_id: PathId) -> Response:
    with web_ctx(request) as c:
        return page(request, "candidate.html", d=views.candidate_detail(c, candidate_id),
                    stages=views.STAGES)


# ---------------------------------------------------------------------------------------------
# offers


@router.get("/offers")
def offers(request: Request) -> Response:
    with web_ctx(request) as c:
        return page(request, "offers.html", offers=views.offers(c))


@router.get("/offers/new")
def offer_form(request: Request, candidate_id: NumText = None) -> Response:
    candidate_id = forms.integer("candidate", candidate_id, 1, MAX_ID)
    with web_ctx(request) as c:
        require(c.actor, Op.OFFER_BUILD)  # pay data: refused before anything is shown
        cands = views.pipeline(c)["board"]
        return page(request, "offer_new.html", candidates=[x for xs in cands.values() for x in xs],
                    candidate_id=candidate_id, vesting=VESTING_KINDS, error=None)


@router.post("/offers", dependencies=CSRF)
async def offer_build(request: Request) -> Response:
    f = await request.form()
    with web_ctx(request) as c:
        require(c.actor, Op.OFFER_BUILD)
        auto = f.get("beat") == "1"
        ours = None if auto else forms.package_fields("our", f)
        theirs = forms.package_fields("rival", f, private=True)
        offer = views.build_offer(
            c, forms.integer("candidate", f.get("candidate_id"), 1, 10**9) or 0,
            forms.text(f.get("level")) or "", (forms.text(f.get("currency")) or "USD").upper(),
            ours, theirs, forms.text(f.get("rival_company")),
            forms.integer("years", f.get("years"), 1, 10) or 4,
            forms.text(f.get("dossier")), forms.text(f.get("note")))
    return _see(f"/offers/{offer['id']}")


@router.get("/offers/{offer_id}")
def offer(request: Request, offer_id: PathId) -> Response:
    with web_ctx(request) as c:
        return page(request, "offer.html", o=views.offer_detail(c, offer_id))


async def _decide(request: Request, action: Any, object_id: int, choice: str, text: str,
                  back: str) -> Response:
    """A form recording a choice (`choice` field) with an optional text about one object."""
    return await _post(request, back, lambda c, f: action(
        c, object_id, forms.text(f.get(choice)) or "", forms.text(f.get(text))))


@router.post("/offers/{offer_id}/decision", dependencies=CSRF)
async def offer_decision(request: Request, offer_id: PathId) -> Response:
    return await _decide(request, views.approve_offer, offer_id, "decision", "note",
                         f"/offers/{offer_id}")


# ---------------------------------------------------------------------------------------------
# counter-offers


@router.get("/counter-offers")
def counter_offers(request: Request, email: Text = None) -> Response:
    with web_ctx(request) as c:
        require(c.actor, Op.COUNTER_OPTIONS)  # pay data: refused before anything is shown
        email = forms.text(email)
        return page(request, "counter_offers.html", employees=views.employees(c),
                    overview=views.counter_overview(c),
                    email=email or "", rivals=views.counter_rivals(c, email) if email else None,
                    vesting=VESTING_KINDS)


@router.post("/counter-offers/rivals", dependencies=CSRF)
async def counter_rival(request: Request) -> Response:
    f = await request.form()
    email = forms.text(f.get("email")) or ""
    with web_ctx(request) as c:
        theirs = forms.package_fields("rival", f, private=True)
        if theirs is None:
            raise OpsInputError("give the competing offer's base salary (and the rest)")
        views.add_employee_rival(c, email, forms.text(f.get("rival_company")) or "",
                                 (forms.text(f.get("currency")) or "USD").upper(), theirs,
                                 forms.integer("years", f.get("years"), 1, 10) or 4)
    return _see(f"/counter-offers?email={quote(email)}")


@router.post("/counter-offers", dependencies=CSRF)
async def counter_build(request: Request) -> Response:
    f = await request.form()
    with web_ctx(request) as c:
        d = views.counter_options(
            c, forms.integer("competing offer", f.get("competing_offer_id"), 1, MAX_ID) or 0,
            forms.integer("years", f.get("years"), 1, 10) or 4,
            float(forms.amount("margin %", f.get("margin_pct")) or 0))
    return _see(f"/counter-offers/{d['id']}")


@router.get("/counter-offers/{counter_id}")
def counter_offer(request: Request, counter_id: PathId) -> Response:
    with web_ctx(request) as c:
        return page(request, "counter_offer.html", d=views.counter(c, counter_id))


@router.post("/counter-offers/{counter_id}/decision", dependencies=CSRF)
async def counter_decision(request: Request, counter_id: PathId) -> Response:
    f = await request.form()
    choice = forms.text(f.get("option"))
    with web_ctx(request) as c:
        views.decide_counter(c, counter_id, None if choice in (None, "none") else
                             forms.integer("option", choice, 1, 100),
                             forms.text(f.get("note")))
    return _see(f"/counter-offers/{counter_id}")


# ---------------------------------------------------------------------------------------------
# retention, outreach, audit, users


@router.get("/retention")
def retention(request: Request, team: Text = None) -> Response:
    with web_ctx(request) as c:
        d = views.retention_page(c, team)
        return page(request, "retention.html", rows=d["rows"], warning=d["warning"],
                    team=team or "")


@router.get("/outreach")
def outreach(request: Request, candidate_id: NumText = None) -> Response:
    candidate_id = forms.integer("candidate", candidate_id, 1, MAX_ID)
    with web_ctx(request) as c:
        require(c.actor, Op.OUTREACH_WRITE)
        board = views.pipeline(c)["board"]
        letters = views.outreach.list_letters(c.s, c.actor, candidate_id) if candidate_id else []
        return page(request, "outreach.html", candidates=[x for xs in board.values() for x in xs],
                    candidate_id=candidate_id, signers=views.signers(c), letters=letters)


@router.post("/outreach/letters", dependencies=CSRF)
async def outreach_draft(request: Request) -> Response:
    f = await request.form()
    with web_ctx(request) as c:
        letter = views.draft_letter(c, forms.integer("candidate", f.get("candidate_id"), 1,
                                                     10**9) or 0,
                                    forms.text(f.get("signer")) or "",
                                    forms.text(f.get("subject")), forms.text(f.get("topic")))
    return _see(f"/outreach/letters/{letter['id']}")


@router.get("/outreach/letters/{letter_id}")
def outreach_letter(request: Request, letter_id: PathId) -> Response:
    with web_ctx(request) as c:
        return page(request, "letter.html", letter=views.letter(c, letter_id), outcomes=OUTCOMES)


@router.get("/outreach/letters/{letter_id}/eml")
def outreach_eml(request: Request, letter_id: PathId) -> Response:
    with web_ctx(request) as c:
        data = export_eml(c.s, c.actor, letter_id)
    return Response(data, media_type="message/rfc822", headers={
        "Content-Disposition": f'attachment; filename="letter-{letter_id}.eml"'})


@router.post("/outreach/letters/{letter_id}/reply", dependencies=CSRF)
async def outreach_reply(request: Request, letter_id: PathId) -> Response:
    return await _decide(request, views.record_reply, letter_id, "outcome", "body",
                         f"/outreach/letters/{letter_id}")


@router.get("/audit")
def audit_log(request: Request, action: Text = None, username: Text = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Response:
    with web_ctx(request) as c:
        rows = views.audit_log(c, action, username, limit)
        return page(request, "audit.html", rows=rows, q={"action": action or "",
                                                         "username": username or ""})


@router.get("/admin/users")
def users_page(request: Request) -> Response:
    with web_ctx(request) as c:
        return page(request, "users.html", **views.user_admin(c))


@router.post("/admin/users", dependencies=CSRF)
async def users_create(request: Request) -> Response:
    return await _post(request, "/admin/users", lambda c, f: users.create_user(
        c.s, c.actor, forms.text(f.get("username")) or "", str(f.get("password") or ""),
        forms.text(f.get("role")) or "", forms.text(f.get("display_name")),
        forms.text(f.get("email"))))


UserName = Annotated[str, Path(min_length=1, max_length=80)]


@router.post("/admin/users/{username}/active", dependencies=CSRF)
async def users_active(request: Request, username: UserName) -> Response:
    return await _post(request, "/admin/users", lambda c, f: views.set_user_active(
        c, username, forms.text(f.get("active")) == "1"))


@router.post("/admin/users/{username}/role", dependencies=CSRF)
async def users_role(request: Request, username: UserName) -> Response:
    return await _post(request, "/admin/users", lambda c, f: views.set_user_role(
        c, username, forms.text(f.get("role")) or ""))


# ---------------------------------------------------------------------------------------------
# requisitions, bands, roster (the CLI's `req`, `bands`, `roster` commands)


@router.get("/requisitions")
def requisitions(request: Request) -> Response:
    with web_ctx(request) as c:
        return page(request, "requisitions.html", d=views.requisitions(c))


def _day(name: str, v: Any) -> date | None:
    v = forms.text(v)
    if v is None:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise OpsInputError(f"{name}: a date such as 2026-01-31, not {v!r}") from None


@router.post("/requisitions", dependencies=CSRF)
async def requisition_create(request: Request) -> Response:
    return await _post(request, "/requisitions", lambda c, f: views.create_requisition(
        c, forms.text(f.get("title")) or "", forms.text(f.get("team")) or "",
        forms.text(f.get("level")) or "",
        forms.integer("headcount", f.get("headcount"), 1, 100000) or 0,
        _day("open date", f.get("open_date")), _day("close date", f.get("close_date")),
        forms.integer("hiring plan", f.get("plan_id"), 1, MAX_ID)))


@router.post("/requisitions/{req_id}/status", dependencies=CSRF)
async def requisition_status(request: Request, req_id: PathId) -> Response:
    return await _post(request, "/requisitions", lambda c, f: views.set_requisition_status(
        c, req_id, forms.text(f.get("status")) or ""))


async def _uploads(request: Request, keys: tuple[str, ...]) -> dict[str, tuple[str, bytes]]:
    f = await request.form()
    out = {}
    for key in keys:
        up = f.get(key)
        if isinstance(up, StarletteUpload) and up.filename:
            out[key] = (up.filename, await up.read())
    return out


@router.get("/bands")
def bands(request: Request) -> Response:
    with web_ctx(request) as c:
        return page(request, "bands.html", rows=views.bands(c), report=None)


async def _import(request: Request, kind: str, keys: tuple[str, ...], missing: str,
                  template: str, rows: Callable[[Ctx], Any]) -> Response:
    """Import the uploaded CSV file `kind` (with the optional others of `keys`) and show its
    page again with the report; without the file, `missing` says what to choose."""
    files = await _uploads(request, keys)
    with web_ctx(request) as c:
        if kind not in files:
            raise OpsInputError(missing)
        report = views.import_csv(c, kind, files)
        return page(request, template, rows=rows(c), report=report)


@router.post("/bands", dependencies=CSRF)
async def bands_import(request: Request) -> Response:
    return await _import(request, "bands", ("bands",), "choose the bands CSV file to import",
                         "bands.html", views.bands)


@router.get("/roster")
def roster(request: Request) -> Response:
    with web_ctx(request) as c:
        return page(request, "roster.html", rows=views.employees(c), report=None)


@router.post("/roster", dependencies=CSRF)
async def roster_import(request: Request) -> Response:
    return await _import(request, "roster", ("roster", "grants"),
                         "choose the roster CSV file to import (grants are optional)",
                         "roster.html", views.employees)
