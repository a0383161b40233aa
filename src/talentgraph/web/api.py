"""The JSON API under /api/: the same data as the pages, the same session and role checks.

State-changing calls need the session's CSRF token in the X-CSRF-Token header (GET /api/me).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from talentgraph.ops import users
from talentgraph.ops.comp.inputs import CompetingIn, PackageIn
from talentgraph.ops.outreach import list_letters
from talentgraph.ops.permissions import Op, allowed
from talentgraph.sourcing.rank import Filters
from talentgraph.web import views
from talentgraph.web.context import check_csrf, csrf_token, web_ctx

router = APIRouter(prefix="/api")
T = TypeVar("T")
CSRF = [Depends(check_csrf)]
MAX_ID = 2**31 - 1  # ids beyond this cannot exist (and overflow SQLite integers)
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
OptId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Text = Annotated[str | None, Query(max_length=300)]
Year = Annotated[int | None, Query(ge=1900, le=2100)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class CandidateIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=320)
    person_id: str | None = Field(None, max_length=100)
    requisition_id: Id | None = None
    assign_to: str | None = Field(None, max_length=80)
    source_note: str | None = Field(None, max_length=2000)


class StageIn(BaseModel):
    stage: str = Field(max_length=40)
    note: str | None = Field(None, max_length=2000)


class OfferIn(BaseModel):
    candidate_id: Id
    level: str = Field(min_length=1, max_length=40)
    currency: str = Field("USD", min_length=3, max_length=3)
    years: int = Field(4, ge=1, le=10)
    ours: PackageIn | None = Field(None, description="omit to build the smallest in-band "
                                   "package beating `competing` by the policy margin")
    competing: CompetingIn | None = None
    dossier: str | None = Field(None, max_length=20000, description="required when the "
                                "candidate was not interviewed (an exception)")
    note: str | None = Field(None, max_length=2000)


class EmployeeRivalIn(BaseModel):
    email: str = Field(min_length=3, max_length=320, description="our employee's e-mail")
    currency: str = Field("USD", min_length=3, max_length=3)
    years: int = Field(4, ge=1, le=10)
    competing: CompetingIn


class CounterIn(BaseModel):
    competing_offer_id: Id
    years: int = Field(4, ge=1, le=10)
    margin_pct: float = Field(0, ge=0, le=100)


class CounterDecisionIn(BaseModel):
    option: int | None = Field(None, ge=1, le=100, description="1-based; null: no counter")
    note: str | None = Field(None, max_length=2000)


class DecisionIn(BaseModel):
    decision: Literal["approved", "rejected"]
    note: str | None = Field(None, max_length=2000)


class LetterIn(BaseModel):
    candidate_id: Id
    signer: str = Field(min_length=1, max_length=80, description="username of an executive")
    subject: str | None = Field(None, max_length=300)
    topic: str | None = Field(None, max_length=300, description="what the letter is about "
                              "(default: the requisition's title): the papers cited are "
                              "chosen for it")


class ReplyIn(BaseModel):
    outcome: Literal["interested", "not_interested", "later", "other"]
    body: str | None = Field(None, max_length=20000)


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)
    role: str = Field(max_length=40)
    display_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)


class RoleIn(BaseModel):
    role: str = Field(min_length=1, max_length=40)


class ActiveIn(BaseModel):
    active: bool


class RequisitionIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    team: str = Field(min_length=1, max_length=200)
    level: str = Field(min_length=1, max_length=40)
    headcount: int = Field(ge=1, le=100000)
    open_date: date | None = Field(None, description="default today")
    close_date: date | None = None
    plan_id: Id | None = None


class StatusIn(BaseModel):
    status: Literal["open", "on_hold", "filled", "closed"]


def _call(request: Request, view: Callable[..., T], *args: Any) -> T:
    """`view(ctx, *args)` as the logged-in user, in one ops transaction."""
    with web_ctx(request) as c:
        return view(c, *args)


@router.get("/me", summary="The logged-in user, their permissions and the CSRF token")
def me(request: Request) -> dict[str, Any]:
    with web_ctx(request) as c:
        return {"username": c.actor.username, "role": c.actor.role.value,
                "user_id": c.actor.user_id, "csrf_token": csrf_token(request),
                "permissions": [op.value for op in Op if allowed(c.actor.role, op)]}


@router.get("/dashboard", summary="Hiring plan progress, pipeline funnel, recent talent moves")
def dashboard(request: Request, rollup: Annotated[Literal["org", "parent"], Query(
        description="moves of our organisation itself (its ids, former names and units), or "
        "of its top parent with all its units")] = "org") -> dict[str, Any]:
    return _call(request, views.dashboard, rollup)


@router.get("/flows", summary="Moves between organisations over a year range")
def flows(request: Request, year_from: Year = None, year_to: Year = None, org: Text = None,
          rollup: bool = True, min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.0,
          top: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    with web_ctx(request) as c:
        ref = views.ref_year(c)
        return views.talent_flows(c, year_from or ref - 2, year_to or ref, org, rollup,
                                  min_confidence, top)


@router.get("/cohort", summary="Who of a paper's authors or an organisation's people left")
def cohort(request: Request, paper: Text = None, org: Text = None, year_from: Year = None,
           year_to: Year = None,
           names: Annotated[list[str], Query(max_length=500, description="a group: names or "
                                             "person ids (home: org, or where they were in "
                                             "year_from)")] = []  # noqa: B006
           ) -> dict[str, Any]:
    return _call(request, views.cohort, paper, org, year_from, year_to, names)


@router.get("/people", summary="Find people by name or id")
def people(request: Request, q: Annotated[str, Query(min_length=1, max_length=300)],
           limit: Annotated[int, Query(ge=1, le=50)] = 20) -> list[dict[str, Any]]:
    return _call(request, views.find_people, q, limit)


@router.get("/people/{person_id}", summary="Timeline, moves with evidence, papers, coauthors")
def person(request: Request, person_id: str) -> dict[str, Any]:
    return _call(request, views.person_profile, person_id)


@router.get("/people/{person_id}/dossier", summary="The dossier for an offer without interviews")
def dossier(request: Request, person_id: str, for_role: Text = None) -> dict[str, Any]:
    return _call(request, views.dossier, person_id, for_role)


@router.get("/search", summary="People ranked for a topic, every score explained")
def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=300)],
           at: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006 - FastAPI copies
           not_at: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
           role: Annotated[Literal["phd", "student", "researcher", "senior", "professor"] | None,
                           Query()] = None,
           since: Year = None, country: Annotated[str | None, Query(max_length=60)] = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    with web_ctx(request) as c:
        filters = Filters(at=[a for a in at if a.strip()], not_at=[a for a in not_at
                                                                    if a.strip()],
                          role=role, since=since, country=country or None)
        return views.search(c, q, filters, limit)


@router.get("/candidates", summary="Candidates (contract recruiters: their own only)")
def candidates(request: Request, requisition_id: OptId = None
               ) -> dict[str, Any]:
    return _call(request, views.pipeline, requisition_id)


@router.post("/candidates", dependencies=CSRF, status_code=201)
def create_candidate(request: Request, body: CandidateIn) -> dict[str, Any]:
    with web_ctx(request) as c:
        return views.create_candidate(c, body.name, body.email, body.person_id,
                                      body.requisition_id, body.assign_to, body.source_note)


@router.get("/candidates/{candidate_id}")
def candidate(request: Request, candidate_id: PathId) -> dict[str, Any]:
    return _call(request, views.candidate_detail, candidate_id)


@router.post("/candidates/{candidate_id}/stage", dependencies=CSRF)
def move_stage(request: Request, candidate_id: PathId, body: StageIn) -> dict[str, Any]:
    return _call(request, views.move_stage, candidate_id, body.stage, body.note)


@router.get("/offers", summary="Offers (compensation partners and executives)")
def offers(request: Request) -> list[dict[str, Any]]:
    return _call(request, views.offers)


@router.post("/offers", dependencies=CSRF, status_code=201,
             summary="Build an offer, optionally against a competing one")
def build_offer(request: Request, body: OfferIn) -> dict[str, Any]:
    with web_ctx(request) as c:
        theirs = body.competing.model_dump(exclude={"company"}) if body.competing else None
        return views.build_offer(c, body.candidate_id, body.level, body.currency.upper(),
                                 body.ours.model_dump() if body.ours else None, theirs,
                                 body.competing.company if body.competing else None,
                                 body.years, body.dossier, body.note)


@router.get("/offers/{offer_id}")
def offer(request: Request, offer_id: PathId) -> dict[str, Any]:
    return _call(request, views.offer_detail, offer_id)


@router.post("/offers/{offer_id}/decision", dependencies=CSRF, summary="Approve or reject")
def decide_offer(request: Request, offer_id: PathId, body: DecisionIn) -> dict[str, Any]:
    return _call(request, views.approve_offer, offer_id, body.decision, body.note)


@router.get("/counter-offers", summary="Open counter-offers and everyone holding a rival offer")
def counter_overview(request: Request) -> dict[str, Any]:
    return _call(request, views.counter_overview)


@router.get("/counter-offers/rivals", summary="Competing offers an employee holds")
def counter_rivals(request: Request, email: Annotated[str, Query(min_length=3, max_length=320)]
                   ) -> list[dict[str, Any]]:
    return _call(request, views.counter_rivals, email)


@router.post("/counter-offers/rivals", dependencies=CSRF, status_code=201,
             summary="Record a competing offer one of our employees holds")
def add_counter_rival(request: Request, body: EmployeeRivalIn) -> dict[str, Any]:
    theirs = body.competing.model_dump(exclude={"company"})
    rival_id = _call(request, views.add_employee_rival, body.email, body.competing.company,
                     body.currency.upper(), theirs, body.years)
    return {"id": rival_id}


@router.post("/counter-offers", dependencies=CSRF, status_code=201,
             summary="The counter-offer options the policy allows against a competing offer")
def build_counter(request: Request, body: CounterIn) -> dict[str, Any]:
    return _call(request, views.counter_options, body.competing_offer_id, body.years,
                 body.margin_pct)


@router.get("/counter-offers/{counter_id}")
def counter(request: Request, counter_id: PathId) -> dict[str, Any]:
    return _call(request, views.counter, counter_id)


@router.post("/counter-offers/{counter_id}/decision", dependencies=CSRF,
             summary="Make one option, or no counter-offer")
def decide_counter(request: Request, counter_id: PathId, body: CounterDecisionIn
                   ) -> dict[str, Any]:
    return _call(request, views.decide_counter, counter_id, body.option, body.note)


@router.get("/retention", summary="Flight risk of our staff, with reasons")
def retention(request: Request, team: Text = None) -> list[dict[str, Any]]:
    return _call(request, views.retention, team)


@router.get("/outreach/letters", summary="A candidate's letters")
def letters(request: Request, candidate_id: QueryId) -> list[dict[str, Any]]:
    with web_ctx(request) as c:
        return list_letters(c.s, c.actor, candidate_id)


@router.post("/outreach/letters", dependencies=CSRF, status_code=201,
             summary="Draft a personal letter from the candidate's own work")
def draft_letter(request: Request, body: LetterIn) -> dict[str, Any]:
    return _call(request, views.draft_letter, body.candidate_id, body.signer, body.subject,
                 body.topic)


@router.get("/outreach/letters/{letter_id}")
def letter(request: Request, letter_id: PathId) -> dict[str, Any]:
    return _call(request, views.letter, letter_id)


@router.post("/outreach/letters/{letter_id}/reply", dependencies=CSRF)
def reply(request: Request, letter_id: PathId, body: ReplyIn) -> dict[str, Any]:
    return _call(request, views.record_reply, letter_id, body.outcome, body.body)


@router.get("/audit", summary="The audit log, newest first (administrators and executives)")
def audit_log(request: Request, action: Text = None, username: Text = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    return _call(request, views.audit_log, action, username, limit)


@router.get("/users")
def list_users(request: Request) -> list[dict[str, Any]]:
    with web_ctx(request) as c:
        return users.list_users(c.s, c.actor)


@router.post("/users", dependencies=CSRF, status_code=201)
def create_user(request: Request, body: UserIn) -> dict[str, Any]:
    with web_ctx(request) as c:
        u = users.create_user(c.s, c.actor, body.username, body.password, body.role,
                              body.display_name, body.email)
        return users.user_dict(u)


UserName = Annotated[str, Path(min_length=1, max_length=80)]


@router.post("/users/{username}/role", dependencies=CSRF, summary="Change a user's role")
def set_user_role(request: Request, username: UserName, body: RoleIn) -> dict[str, Any]:
    return _call(request, views.set_user_role, username, body.role)


@router.post("/users/{username}/active", dependencies=CSRF,
             summary="Disable or re-enable a user")
def set_user_active(request: Request, username: UserName, body: ActiveIn) -> dict[str, Any]:
    return _call(request, views.set_user_active, username, body.active)


@router.get("/requisitions", summary="Requisitions with progress (hired, in offer, pipeline)")
def requisitions(request: Request) -> dict[str, Any]:
    return _call(request, views.requisitions)


@router.post("/requisitions", dependencies=CSRF, status_code=201, summary="Open a requisition")
def create_requisition(request: Request, body: RequisitionIn) -> dict[str, Any]:
    return _call(request, views.create_requisition, body.title, body.team, body.level,
                 body.headcount, body.open_date, body.close_date, body.plan_id)


@router.post("/requisitions/{req_id}/status", dependencies=CSRF,
             summary="Set a requisition's status")
def requisition_status(request: Request, req_id: PathId, body: StatusIn) -> dict[str, Any]:
    return _call(request, views.set_requisition_status, req_id, body.status)


@router.get("/bands", summary="Market pay bands (compensation partners and executives)")
def bands(request: Request) -> list[dict[str, Any]]:
    return _call(request, views.bands)


@router.get("/roster", summary="Our staff with pay and grants (compensation partners and "
            "executives)")
def roster(request: Request) -> list[dict[str, Any]]:
    return _call(request, views.employees)
