"""`talentgraph ops ...`: talent operations on the operational store (a Typer sub-app).

Who you are: `talentgraph ops --as USERNAME <command>`, or $TALENTGRAPH_USER; the password comes
from $TALENTGRAPH_PASSWORD or is asked for. Where the store is: `--ops-db URL` (a SQLAlchemy URL
or a SQLite file path), else $TALENTGRAPH_OPS_DB, else ops.sqlite in your data directory.
Every command checks your role in the service layer and writes the audit log.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from talentgraph.cli import common
from talentgraph.errors import NotFoundError, PermissionDenied, StoreError, TalentgraphError

ops_app = typer.Typer(help="Talent operations: users, hiring plans, candidates, outreach, "
                      "roster, bands, offers, counter-offers, flight risk, audit, erasure.",
                      no_args_is_help=True, pretty_exceptions_enable=False)
user_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
plan_app = typer.Typer(help="Hiring plans.", no_args_is_help=True)
req_app = typer.Typer(help="Requisitions and progress against them.", no_args_is_help=True)
cand_app = typer.Typer(help="Candidates, pipeline stages, assignments.", no_args_is_help=True)
outreach_app = typer.Typer(help="Personal letters: draft, export, send, replies.",
                           no_args_is_help=True)
roster_app = typer.Typer(help="Our staff: roster and equity grants from CSV.",
                         no_args_is_help=True)
bands_app = typer.Typer(help="Market pay bands from CSV.", no_args_is_help=True)
offer_app = typer.Typer(help="Offers, rivals' offers, comparisons, approvals.",
                        no_args_is_help=True)
counter_app = typer.Typer(help="Counter-offers for employees holding a competing offer.",
                          no_args_is_help=True)
policy_app = typer.Typer(help="Policies (counter-offers, offer margin, our organisation).",
                         no_args_is_help=True)
risk_app = typer.Typer(help="Flight risk of our staff, with reasons.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)
for _sub, _name in ((user_app, "user"), (plan_app, "plan"), (req_app, "req"),
                    (cand_app, "candidate"), (outreach_app, "outreach"), (roster_app, "roster"),
                    (bands_app, "bands"), (offer_app, "offer"), (counter_app, "counter-offer"),
                    (policy_app, "policy"), (risk_app, "flight-risk"), (audit_app, "audit")):
    ops_app.add_typer(_sub, name=_name)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class OpsContext:
    ops_db: str | None
    username: str | None


@ops_app.callback()
def _main(ctx: typer.Context,
          ops_db: Annotated[str | None, typer.Option(
              "--ops-db", help="Operational store: a SQLAlchemy URL (sqlite:///..., "
              "postgresql+psycopg://...) or a SQLite file. Default: $TALENTGRAPH_OPS_DB, else "
              "ops.sqlite in your data directory.")] = None,
          as_user: Annotated[str | None, typer.Option(
              "--as", help="Act as this user (default $TALENTGRAPH_USER); the password comes "
              "from $TALENTGRAPH_PASSWORD or a prompt.")] = None) -> None:
    ctx.obj = OpsContext(ops_db, as_user or os.environ.get("TALENTGRAPH_USER"))


def _err(message: str) -> None:

    common.err_console.print(f"[red]error:[/red] {message}", highlight=False)


def command(app: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command whose TalentgraphErrors become one clear line and exit code 1.

    (Database errors arrive as TalentgraphErrors already: the ops store's session translates
    them, the same for every interface.)"""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except TalentgraphError as exc:
                _err(str(exc))
                raise typer.Exit(1) from None
        app.command(name)(run)
        return fn
    return wrap


_stores: dict[str, Any] = {}


def _store(ctx: typer.Context, create: bool = False) -> Any:
    """The store named by --ops-db; only `ops init` (create=True) makes a new one."""
    from talentgraph.ops.db import OpsStore, resolve_url

    url = resolve_url(ctx.obj.ops_db)
    if url not in _stores:  # one engine per URL and process (tests run many commands)
        _stores[url] = OpsStore(url, create=create)
    return _stores[url]


def _source() -> str:
    """Where a CLI action comes from, for the audit log: cli:<os user>@<host>."""
    import getpass
    import socket

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return f"cli:{who}@{socket.gethostname()}"[:200]


@contextmanager
def _acting(ctx: typer.Context) -> Iterator[tuple[Session, Any]]:
    """A unit of work as the logged-in user: (session, actor)."""
    from talentgraph.ops.users import authenticate

    username = ctx.obj.username
    if not username:
        raise PermissionDenied("who are you? pass --as USERNAME before the command "
                               "(talentgraph ops --as alice ...) or set $TALENTGRAPH_USER")
    password = os.environ.get("TALENTGRAPH_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {username}", hide_input=True)
    store = _store(ctx)
    with store.session() as s:
        actor = authenticate(s, username, password, source=_source())
    with store.session() as s:
        yield s, actor


def _out(data: Any, as_json: bool, title: str | None = None,
         columns: list[str] | None = None) -> None:

    if as_json:
        common.print_json(data)
    elif isinstance(data, list):
        common.print_table(data, title, columns)
    else:
        common.print_table([data], title, columns)


def _show(ctx: typer.Context, as_json: bool, title: str, read: Callable[..., Any],
          *args: Any) -> None:
    """Print what `read(session, actor, *args)` returns, read as the logged-in user."""
    with _acting(ctx) as (s, actor):
        _out(read(s, actor, *args), as_json, title)


def _say(text: str) -> None:

    common.console.print(text, highlight=False)


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from None


# ----------------------------------------------------------------------------------------------
# init and users


@command(ops_app, "init")
def init(ctx: typer.Context,
         admin: Annotated[str | None, typer.Option(
             "--admin", help="Username of the first admin (without it: an empty store, whose "
             "first admin is made at /setup in the web app, from the server itself).")] = None,
         name: Annotated[str | None, typer.Option(help="Display name.")] = None,
         email: Annotated[str | None, typer.Option(help="E-mail address.")] = None) -> None:
    """Create (the only command that does) or migrate the store and add the first admin
    (password from env or prompt)."""
    from talentgraph.ops.db import current_revision
    from talentgraph.ops.users import create_first_admin

    store = _store(ctx, create=True)
    if admin is None:
        _say(f"Operational store ready at "
             f"{store.engine.url.render_as_string(hide_password=True)} (schema "
             f"{current_revision(store.engine)}), without users: add the first admin with "
             "`talentgraph ops init --admin NAME`, or at /setup of `talentgraph serve`.")
        return
    password = os.environ.get("TALENTGRAPH_PASSWORD") or typer.prompt(
        f"password for {admin}", hide_input=True, confirmation_prompt=True)
    with store.session() as s:
        create_first_admin(s, admin, password, name, email)
    _say(f"Operational store ready at {store.engine.url.render_as_string(hide_password=True)} "
         f"(schema {current_revision(store.engine)}); admin {admin} created. Next: "
         f"talentgraph ops --as {admin} user add NAME --role ROLE")


@command(ops_app, "migrate")
def migrate_cmd(ctx: typer.Context) -> None:
    """Bring the store's schema up to date (also done on every open)."""
    from talentgraph.ops.db import current_revision

    store = _store(ctx)
    _say(f"schema at {current_revision(store.engine)}")


@command(ops_app, "roles")
def roles(as_json: JsonOpt = False) -> None:
    """The permission matrix: which roles may do each operation (no login needed)."""
    from talentgraph.ops.permissions import MATRIX, Role

    rows = [{"operation": op.value, **{r.value: ("yes" if r in MATRIX[op] else "")
                                       for r in Role}} for op in MATRIX]
    if as_json:
        _out({op.value: sorted(r.value for r in MATRIX[op]) for op in MATRIX}, True)
    else:
        _out(rows, False, "Who may do what")


@command(user_app, "add")
def user_add(ctx: typer.Context, username: str,
             role: Annotated[str, typer.Option(help="executive, recruiting_lead, recruiter, "
                                               "contract_recruiter (or sourcer), hiring_manager, "
                                               "comp_partner, viewer, admin.")],
             name: Annotated[str | None, typer.Option(help="Display name.")] = None,
             email: Annotated[str | None, typer.Option(help="E-mail address.")] = None) -> None:
    """Add a user (their password: $TALENTGRAPH_NEW_PASSWORD or prompt)."""
    from talentgraph.ops.users import create_user

    password = os.environ.get("TALENTGRAPH_NEW_PASSWORD") or typer.prompt(
        f"password for the new user {username}", hide_input=True, confirmation_prompt=True)
    with _acting(ctx) as (s, actor):
        user = create_user(s, actor, username, password, role, name, email)
        _say(f"user #{user.id} {user.username} ({user.role}) added")


@command(user_app, "disable")
def user_disable(ctx: typer.Context, username: str) -> None:
    """Disable an account (e.g. a contract has ended); their candidates stay for reassignment."""
    from talentgraph.ops.users import set_active

    with _acting(ctx) as (s, actor):
        set_active(s, actor, username, False)
    _say(f"{username} disabled; reassign their candidates with `candidate assign`")


@command(user_app, "enable")
def user_enable(ctx: typer.Context, username: str) -> None:
    """Re-enable an account."""
    from talentgraph.ops.users import set_active

    with _acting(ctx) as (s, actor):
        set_active(s, actor, username, True)
    _say(f"{username} enabled")


@command(user_app, "role")
def user_role(ctx: typer.Context, username: str, role: str) -> None:
    """Change a user's role."""
    from talentgraph.ops.users import set_role

    with _acting(ctx) as (s, actor):
        user = set_role(s, actor, username, role)
    _say(f"{username} is now {user.role}")


@command(user_app, "password")
def user_password(ctx: typer.Context, username: Annotated[str | None, typer.Argument(
        help="Whose password (default: yours; others' need an admin).")] = None) -> None:
    """Change your password ($TALENTGRAPH_PASSWORD is the current one; the new one comes from
    $TALENTGRAPH_NEW_PASSWORD or a prompt)."""
    from talentgraph.ops.users import set_password

    new = os.environ.get("TALENTGRAPH_NEW_PASSWORD") or typer.prompt(
        "new password", hide_input=True, confirmation_prompt=True)
    with _acting(ctx) as (s, actor):
        target = username or actor.username
        set_password(s, actor, target, new, os.environ.get("TALENTGRAPH_PASSWORD"))
    _say(f"password of {target} changed")


@command(user_app, "list")
def user_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Users and their roles."""
    from talentgraph.ops.users import list_users

    _show(ctx, as_json, "Users", list_users)


# ----------------------------------------------------------------------------------------------
# plans and requisitions


@command(plan_app, "add")
def plan_add(ctx: typer.Context, name: str,
             team: Annotated[str, typer.Option(help="Team.")],
             target: Annotated[int, typer.Option(help="Headcount target.")],
             start: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
             end: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None) -> None:
    """Add a hiring plan (e.g. 'GenAI 2026', 100 people)."""
    from talentgraph.ops.plans import create_plan

    with _acting(ctx) as (s, actor):
        plan = create_plan(s, actor, name, team, target, _day(start, "start"), _day(end, "end"))
        _say(f"hiring plan #{plan.id} {plan.name}: {plan.headcount_target} people")


@command(plan_app, "list")
def plan_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Hiring plans."""
    from talentgraph.ops.plans import list_plans

    _show(ctx, as_json, "Hiring plans", list_plans)


@command(plan_app, "progress")
def plan_progress_cmd(ctx: typer.Context,
                      plan_id: Annotated[int | None, typer.Argument()] = None,
                      as_json: JsonOpt = False) -> None:
    """Each plan's target against hires, offers and pipeline over its requisitions."""
    from talentgraph.ops.plans import plan_progress

    _show(ctx, as_json, "Hiring plans: progress", plan_progress, plan_id)


@command(req_app, "add")
def req_add(ctx: typer.Context, title: str,
            team: Annotated[str, typer.Option(help="Team.")],
            level: Annotated[str, typer.Option(help="Level, e.g. L5.")],
            headcount: Annotated[int, typer.Option(help="Headcount target.")],
            open_date: Annotated[str | None, typer.Option(
                "--open", help="Open date YYYY-MM-DD (default today).")] = None,
            close_date: Annotated[str | None, typer.Option("--close", help="YYYY-MM-DD")] = None,
            plan: Annotated[int | None, typer.Option(help="Hiring plan id.")] = None) -> None:
    """Open a requisition."""
    from talentgraph.ops.plans import create_requisition

    with _acting(ctx) as (s, actor):
        req = create_requisition(s, actor, title, team, level, headcount,
                                 _day(open_date, "open") or date.today(),
                                 _day(close_date, "close"), plan)
        _say(f"requisition #{req.id} {req.title} ({req.level}, {req.headcount_target} people)")


@command(req_app, "list")
def req_list(ctx: typer.Context, status: Annotated[str | None, typer.Option()] = None,
             as_json: JsonOpt = False) -> None:
    """Requisitions."""
    from talentgraph.ops.plans import list_requisitions

    _show(ctx, as_json, "Requisitions", list_requisitions, status)


@command(req_app, "progress")
def req_progress(ctx: typer.Context, req_id: Annotated[int | None, typer.Argument()] = None,
                 as_json: JsonOpt = False) -> None:
    """Hired, in offer, in pipeline and remaining, per requisition."""
    from talentgraph.ops.plans import progress

    with _acting(ctx) as (s, actor):
        rows = progress(s, actor, req_id)
        if as_json:
            _out(rows, True)
        else:
            _out([{**r, "by_stage": ", ".join(f"{k} {v}" for k, v in r["by_stage"].items())}
                  for r in rows], False, "Progress")


@command(req_app, "status")
def req_status(ctx: typer.Context, req_id: int, status: str) -> None:
    """Set a requisition's status: open, on_hold, filled, closed."""
    from talentgraph.ops.plans import set_requisition_status

    with _acting(ctx) as (s, actor):
        req = set_requisition_status(s, actor, req_id, status)
        _say(f"requisition #{req.id} is {req.status}")


# ----------------------------------------------------------------------------------------------
# candidates


@command(cand_app, "add")
def cand_add(ctx: typer.Context,
             name: Annotated[str | None, typer.Argument(
                 help="Full name (default: the graph person's name).")] = None,
             email: Annotated[str | None, typer.Option()] = None,
             person_id: Annotated[str | None, typer.Option(
                 "--person-id", help="The graph person (from `talentgraph source`).")] = None,
             req: Annotated[int | None, typer.Option(help="Requisition id.")] = None,
             note: Annotated[str | None, typer.Option(help="Where they were found.")] = None,
             assign: Annotated[str | None, typer.Option(help="Assign to this user.")] = None,
             graph_db: Annotated[Path | None, typer.Option(
                 "--graph-db", help="Analytical store to take the name from.")] = None,
             as_json: JsonOpt = False) -> None:
    """Add a candidate at stage 'sourced' (duplicates of a person are refused)."""
    from talentgraph.errors import OpsInputError
    from talentgraph.ops.candidates import candidate_dict, create_candidate
    from talentgraph.ops.graphview import DuckDBGraphView

    if name is None:
        if not person_id:
            raise OpsInputError("give the candidate's name, or --person-id to take it from "
                                "the graph")
        name = DuckDBGraphView(common.db_path(graph_db)).person_name(person_id)
    with _acting(ctx) as (s, actor):
        c = create_candidate(s, actor, name, email, person_id, req, note, assign)
        if as_json:
            _out(candidate_dict(c), True)
        else:
            _say(f"candidate #{c.id} {c.name} added (stage {c.stage})")


@command(cand_app, "update")
def cand_update(ctx: typer.Context, candidate_id: int,
                name: Annotated[str | None, typer.Option()] = None,
                email: Annotated[str | None, typer.Option()] = None,
                person_id: Annotated[str | None, typer.Option("--person-id")] = None,
                req: Annotated[int | None, typer.Option(help="Requisition id.")] = None) -> None:
    """Correct a candidate's name, e-mail, graph person or requisition."""
    from talentgraph.ops.candidates import update_candidate

    with _acting(ctx) as (s, actor):
        c = update_candidate(s, actor, candidate_id, name=name, email=email,
                             person_id=person_id, requisition_id=req)
        _say(f"candidate #{c.id} updated")


@command(cand_app, "list")
def cand_list(ctx: typer.Context, req: Annotated[int | None, typer.Option()] = None,
              stage: Annotated[str | None, typer.Option()] = None,
              as_json: JsonOpt = False) -> None:
    """Candidates you may see (contract recruiters: those assigned to them)."""
    from talentgraph.ops.candidates import list_candidates

    _show(ctx, as_json, "Candidates", list_candidates, req, stage)


@command(cand_app, "show")
def cand_show(ctx: typer.Context, candidate_id: int, as_json: JsonOpt = False) -> None:
    """One candidate with their stage history."""
    from talentgraph.ops.candidates import get_candidate

    with _acting(ctx) as (s, actor):
        c = get_candidate(s, actor, candidate_id)
        if as_json:
            _out(c, True)
            return
        _out({k: v for k, v in c.items() if k != "history"}, False, f"Candidate #{c['id']}")
        _out(c["history"], False, "Stage history")


@command(cand_app, "stage")
def cand_stage(ctx: typer.Context, candidate_id: int, stage: str,
               note: Annotated[str | None, typer.Option()] = None) -> None:
    """Move a candidate to a pipeline stage (sourced ... hired)."""
    from talentgraph.ops.candidates import move_stage

    with _acting(ctx) as (s, actor):
        c = move_stage(s, actor, candidate_id, stage, note)
        _say(f"candidate #{c.id} is now at stage {c.stage}")


@command(cand_app, "assign")
def cand_assign(ctx: typer.Context, candidate_id: int, username: str) -> None:
    """Assign a candidate to a recruiter."""
    from talentgraph.ops.candidates import assign

    with _acting(ctx) as (s, actor):
        assign(s, actor, candidate_id, username)
        _say(f"candidate #{candidate_id} assigned to {username}")


@command(cand_app, "note")
def cand_note(ctx: typer.Context, candidate_id: int, text: str) -> None:
    """Add a note to a candidate."""
    from talentgraph.ops.candidates import add_note

    with _acting(ctx) as (s, actor):
        add_note(s, actor, candidate_id, text)
        _say(f"note added to candidate #{candidate_id}")


# ----------------------------------------------------------------------------------------------
# outreach


@command(outreach_app, "draft")
def outreach_draft(ctx: typer.Context, candidate_id: int,
                   signer: Annotated[str, typer.Option(help="The executive who signs.")],
                   template: Annotated[Path | None, typer.Option(
                       help="A Jinja2 template (default: the built-in letter).")] = None,
                   graph_db: Annotated[Path | None, typer.Option(
                       "--graph-db", help="The analytical store for the candidate's papers "
                       "(default: --db default).")] = None,
                   topic: Annotated[str | None, typer.Option(
                       help="What the letter is about: the papers cited are chosen for it "
                       "(default: the title of the candidate's requisition).")] = None,
                   as_json: JsonOpt = False) -> None:
    """Draft a personal letter from the candidate's own work, signed by an executive in the
    name of our organisation (`policy set organisation name=...` first)."""
    from talentgraph.ops.graphview import DuckDBGraphView
    from talentgraph.ops.outreach import draft_letter, letter_dict

    path = common.db_path(graph_db)
    graph = DuckDBGraphView(path) if path.exists() else None
    try:
        with _acting(ctx) as (s, actor):
            data = letter_dict(draft_letter(s, actor, candidate_id, signer, graph, template,
                                            topic=topic))
    except (StoreError, NotFoundError) as exc:
        if graph is None or "candidate" in str(exc):
            raise
        common.err_console.print(f"[yellow]warning:[/yellow] no graph facts ({exc}); "
                              "drafting without them")
        with _acting(ctx) as (s, actor):
            data = letter_dict(draft_letter(s, actor, candidate_id, signer, None, template,
                                            topic=topic))
    if as_json:
        _out(data, True)
    else:
        _say(f"letter #{data['id']} drafted\nSubject: {data['subject']}\n\n{data['body']}")


@command(outreach_app, "signers")
def outreach_signers(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Who may sign letters (executives)."""
    from talentgraph.ops.outreach import list_signers

    _show(ctx, as_json, "Signers", list_signers)


@command(outreach_app, "show")
def outreach_show(ctx: typer.Context, letter_id: int, as_json: JsonOpt = False) -> None:
    """A letter."""
    from talentgraph.ops.outreach import get_letter

    with _acting(ctx) as (s, actor):
        d = get_letter(s, actor, letter_id)
    if as_json:
        _out(d, True)
    else:
        _say(f"letter #{d['id']} ({d['status']}) to {d['to']}\nSubject: {d['subject']}\n\n"
             f"{d['body']}")


@command(outreach_app, "edit")
def outreach_edit(ctx: typer.Context, letter_id: int,
                  subject: Annotated[str | None, typer.Option()] = None,
                  body_file: Annotated[Path | None, typer.Option(
                      "--body-file", help="A text file with the new body.")] = None) -> None:
    """Rewrite a draft letter's subject or body by hand."""
    from talentgraph.errors import OpsInputError
    from talentgraph.ops.outreach import edit_letter

    try:
        body = body_file.read_text(encoding="utf-8") if body_file else None
    except (OSError, UnicodeDecodeError) as exc:
        raise OpsInputError(f"cannot read {body_file}: {exc}") from exc
    with _acting(ctx) as (s, actor):
        edit_letter(s, actor, letter_id, subject=subject, body=body)
    _say(f"letter #{letter_id} updated")


@command(outreach_app, "export-eml")
def outreach_export(ctx: typer.Context, letter_id: int,
                    output: Annotated[Path | None, typer.Option(
                        "-o", "--output", help="File to write (default letter-ID.eml).")] = None
                    ) -> None:
    """Write the letter as an .eml file for your own mail client."""
    from talentgraph.ops.outreach import export_eml

    with _acting(ctx) as (s, actor):
        data = export_eml(s, actor, letter_id)
    target = output or Path(f"letter-{letter_id}.eml")
    target.write_bytes(data)
    _say(f"wrote {target}")


@command(outreach_app, "send")
def outreach_send(ctx: typer.Context, letter_id: int) -> None:
    """Send the letter over SMTP ($TALENTGRAPH_SMTP_HOST, _PORT, _USER, _PASSWORD, _STARTTLS)."""
    from talentgraph.ops.outreach import SmtpSettings, send_letter

    with _acting(ctx) as (s, actor):
        mid = send_letter(s, actor, letter_id, SmtpSettings.from_env())
    _say(f"letter #{letter_id} sent ({mid})")


@command(outreach_app, "reply")
def outreach_reply(ctx: typer.Context, letter_id: int, outcome: Annotated[str, typer.Argument(
        help="interested, not_interested, later, other")],
                   text: Annotated[str | None, typer.Option(help="The reply.")] = None) -> None:
    """Record the candidate's reply to a letter."""
    from talentgraph.ops.outreach import record_reply

    with _acting(ctx) as (s, actor):
        record_reply(s, actor, letter_id, outcome, text)
    _say(f"reply to letter #{letter_id} recorded ({outcome})")


# ----------------------------------------------------------------------------------------------
# roster and bands


def _import(ctx: typer.Context, as_json: bool, run: Callable[[Session, Any], Any]) -> None:
    """Run one CSV import as the user and print its report(s); bad rows: all listed, none in."""
    from talentgraph.ops.compstore import jsonable
    from talentgraph.ops.imports import ImportRowErrors

    try:
        with _acting(ctx) as (s, actor):
            result = run(s, actor)
    except ImportRowErrors as exc:
        if not as_json:
            raise  # a TalentgraphError: `command` prints it as one line

        common.print_json({"imported": False, "errors": [jsonable(vars(e)) for e in exc.errors]})
        raise typer.Exit(1) from None
    reports = [r.as_dict() for r in result] if isinstance(result, list) else result.as_dict()
    _out(reports, as_json, "Imported")


@command(roster_app, "import")
def roster_import(ctx: typer.Context, roster: Path,
                  grants: Annotated[Path | None, typer.Option(help="Equity grants CSV.")] = None,
                  as_json: JsonOpt = False) -> None:
    """Import the employee roster (and grants): all rows or none; re-importing is harmless."""
    from talentgraph.ops.imports import import_roster

    _import(ctx, as_json, lambda s, actor: import_roster(s, actor, roster, grants))


@command(roster_app, "grants")
def roster_grants(ctx: typer.Context, grants: Path, as_json: JsonOpt = False) -> None:
    """Import equity grants for employees already imported."""
    from talentgraph.ops.imports import import_grants

    _import(ctx, as_json, lambda s, actor: import_grants(s, actor, grants))


@command(roster_app, "list")
def roster_list(ctx: typer.Context, team: Annotated[str | None, typer.Option()] = None,
                as_json: JsonOpt = False) -> None:
    """The roster with pay (compensation partners and executives)."""
    from talentgraph.ops.imports import list_employees

    with _acting(ctx) as (s, actor):
        rows = list_employees(s, actor, team)
    _out(rows if as_json else [{**r, "grants": len(r["grants"])} for r in rows], as_json,
         "Employees")


@command(bands_app, "import")
def bands_import(ctx: typer.Context, bands: Path, as_json: JsonOpt = False) -> None:
    """Import market bands: all rows or none; re-importing is harmless."""
    from talentgraph.ops.imports import import_bands

    _import(ctx, as_json, lambda s, actor: import_bands(s, actor, bands))


@command(bands_app, "list")
def bands_list(ctx: typer.Context, level: Annotated[str | None, typer.Option()] = None,
               as_json: JsonOpt = False) -> None:
    """Market bands."""
    from talentgraph.ops.imports import list_bands

    _show(ctx, as_json, "Market bands", list_bands, level)


# ----------------------------------------------------------------------------------------------
# offers


def _terms(bonus: float | None, bonus_pct: float | None, sign_on: list[float] | None,
           equity: float | None, vesting: str, fractions: str | None,
           refresher: float | None) -> dict[str, Any]:
    """The package options of `offer build` and `offer rival` as the core's keywords
    (fractions written 40/30/20/10 or 40;30;20;10)."""
    return {"sign_on": sign_on or [], "bonus_pct": bonus_pct, "bonus": bonus, "equity": equity,
            "vesting": vesting,
            "fractions": fractions.replace(";", "/").split("/") if fractions else None,
            "refresher": refresher}


def _flags(offer: dict[str, Any]) -> str:
    """' (needs an exception; without interviews)', the part that applies, or ''."""
    flags = [f for f, on in (("needs an exception", offer["needs_exception"]),
                             ("without interviews", offer["without_interviews"])) if on]
    return f" ({'; '.join(flags)})" if flags else ""


Currency = Annotated[str, typer.Option(help="ISO 4217 code.")]
Base = Annotated[float | None, typer.Option(help="Yearly base salary.")]
Bonus = Annotated[float | None, typer.Option(help="Yearly target bonus amount.")]
BonusPct = Annotated[float | None, typer.Option("--bonus-pct", help="Bonus in % of base.")]
SignOn = Annotated[list[float] | None, typer.Option(
    "--sign-on", help="Sign-on paid in year 1 (repeat for years 2, 3...).")]
Equity = Annotated[float | None, typer.Option(help="Equity grant value (whole grant).")]
Vesting = Annotated[str, typer.Option(help="cliff_monthly (4y, 1y cliff), cliff_quarterly, "
                                      "front_loaded, monthly, custom.")]
Fractions = Annotated[str | None, typer.Option(help="Yearly fractions, e.g. 40/30/20/10.")]
Refresher = Annotated[float | None, typer.Option(help="Yearly refresher grant from year 2.")]
PrivDisc = Annotated[float | None, typer.Option(
    "--private-discount", help="Private-company equity: discount in % of paper value.")]
Liquidity = Annotated[float | None, typer.Option(
    help="Private equity: probability of a liquidity event (0-1).")]
YearsLiq = Annotated[float | None, typer.Option(
    "--years-to-liquidity", help="Private equity: years until liquidity.")]


@command(offer_app, "rival")
def offer_rival(ctx: typer.Context, company: str,
                candidate: Annotated[int | None, typer.Option(help="Candidate id.")] = None,
                employee: Annotated[str | None, typer.Option(help="Employee e-mail.")] = None,
                currency: Currency = "USD", base: Base = None, bonus: Bonus = None,
                bonus_pct: BonusPct = None, sign_on: SignOn = None, equity: Equity = None,
                vesting: Vesting = "cliff_monthly", fractions: Fractions = None,
                refresher: Refresher = None,
                private: Annotated[bool, typer.Option(
                    "--private", help="Private-company equity, valued with the offer policy's "
                    "discount and years to liquidity unless given below.")] = False,
                private_discount: PrivDisc = None,
                liquidity: Liquidity = None, years_to_liquidity: YearsLiq = None,
                as_json: JsonOpt = False) -> None:
    """Record a competing offer (to a candidate or to one of our employees)."""
    from talentgraph.ops.offer_service import add_competing_offer, rival_package

    if base is None:
        raise typer.BadParameter("give at least --base for the competing offer")
    with _acting(ctx) as (s, actor):
        # the offer policy's private-equity assumptions fill what is not given (in the core)
        pkg = rival_package(
            s, currency, base, private=private, private_discount_pct=private_discount,
            liquidity_probability=liquidity, years_to_liquidity=years_to_liquidity,
            label=company, **_terms(bonus, bonus_pct, sign_on, equity, vesting, fractions,
                                    refresher))
        row = add_competing_offer(s, actor, company, pkg, candidate_id=candidate,
                                  employee_email=employee)
        data = {"id": row.id, "company": row.company, "private": pkg.private,
                "yearly_totals": row.yearly_totals}
    if as_json:
        _out(data, True)
    else:
        _say(f"competing offer #{data['id']} from {company} recorded")
        _out(data["yearly_totals"], False, f"{company}: year by year")


@command(offer_app, "build")
def offer_build(ctx: typer.Context, candidate_id: int,
                level: Annotated[str, typer.Option(help="Level, e.g. L5.")],
                beat: Annotated[int | None, typer.Option(
                    help="A competing offer id: build the smallest in-band package beating it "
                    "(and compare with it).")] = None,
                band_company: Annotated[str | None, typer.Option(
                    "--band-company", help="Whose band (default: our organisation).")] = None,
                margin: Annotated[float | None, typer.Option(
                    help="Beat the rival by this % (default: the offer policy).")] = None,
                years: Annotated[int, typer.Option(help="Horizon in years.")] = 4,
                dossier: Annotated[str | None, typer.Option(
                    help="Sourcing dossier (text, URL or JSON): needed to offer without "
                    "interviews.")] = None,
                note: Annotated[str | None, typer.Option()] = None,
                currency: Currency = "USD", base: Base = None, bonus: Bonus = None,
                bonus_pct: BonusPct = None, sign_on: SignOn = None, equity: Equity = None,
                vesting: Vesting = "cliff_monthly", fractions: Fractions = None,
                refresher: Refresher = None, as_json: JsonOpt = False) -> None:
    """Build an offer: your package (--base ...) or the smallest in band beating --beat."""
    from talentgraph.ops.compstore import package_from_options
    from talentgraph.ops.offer_service import build_offer, offer_dict

    pkg = None if base is None else package_from_options(
        currency, base, label="our offer",
        **_terms(bonus, bonus_pct, sign_on, equity, vesting, fractions, refresher))
    with _acting(ctx) as (s, actor):
        offer = build_offer(s, actor, candidate_id, level, package=pkg, beat_competing_id=beat,
                            band_company=band_company, margin_pct=margin, years=years,
                            dossier=dossier, note=note)
        data = offer_dict(offer)
    if as_json:
        _out(data, True)
        return
    _say(f"offer #{data['id']} for candidate #{candidate_id}: {data['total']:,.0f} "
         f"{data['currency']} over {years} years, {data['status']}{_flags(data)}")
    _out(data["yearly_totals"], False, "Year by year")
    if data["note"]:
        _say(data["note"])


@command(offer_app, "compare")
def offer_compare(ctx: typer.Context, offer_id: int, rival_id: int,
                  years: Annotated[int, typer.Option()] = 4, as_json: JsonOpt = False) -> None:
    """Our offer against a competing offer, year by year."""
    from talentgraph.ops.offer_service import compare_offer

    with _acting(ctx) as (s, actor):
        data = compare_offer(s, actor, offer_id, rival_id, years)
    if as_json:
        _out(data, True)
        return
    verdict = "beats" if data["beats_by_margin"] else "does NOT beat"
    _say(f"offer #{offer_id} {verdict} {data['company']} by the {data['margin_pct']:g}% margin: "
         f"{data['total_diff']:,.0f} {data['currency']} over {years} years")
    _out(data["years"], False, "Year by year (ours - theirs)")


@command(offer_app, "show")
def offer_show(ctx: typer.Context, offer_id: int, as_json: JsonOpt = False) -> None:
    """One offer with what its approver must see: candidate, bonus, the rival's offer on paper
    and discounted (assumptions named), the dossier for an offer without interviews."""
    from talentgraph.ops.offer_service import get_offer

    with _acting(ctx) as (s, actor):
        data = get_offer(s, actor, offer_id)
    if as_json:
        _out(data, True)
        return
    who = data["candidate_name"] or f"candidate #{data['candidate_id']}"
    pkg = data["package"]
    _say(f"Offer #{data['id']} for {who}: level {data['level']}, {data['status']}{_flags(data)}")
    _say(f"  {data['total']:,.0f} {data['currency']} over {len(data['yearly_totals'])} years; "
         f"base {float(pkg['base']):,.0f}, bonus {data['bonus']['text']}, sign-on "
         f"{sum(float(x) for x in pkg['sign_on']):,.0f}, equity "
         f"{sum(float(g['value']) for g in pkg['equity']):,.0f}")
    _out(data["yearly_totals"], False, "Year by year")
    if data["rival"]:
        _say(f"Against {data['rival']['company']} (competing offer #{data['rival']['id']}):")
        for line in data["rival"]["summary"]:
            _say(f"  {line}")
    if data["dossier"]:
        _say(("Dossier justifying the offer without interviews:\n"
              if data["without_interviews"] else "Dossier:\n") + data["dossier"])
    if data["note"]:
        _say(data["note"])
    _out(data["approvals"], False, "Approvals")


@command(offer_app, "list")
def offer_list(ctx: typer.Context, candidate: Annotated[int | None, typer.Option()] = None,
               status: Annotated[str | None, typer.Option()] = None,
               as_json: JsonOpt = False) -> None:
    """Offers."""
    from talentgraph.ops.offer_service import list_offers

    with _acting(ctx) as (s, actor):
        rows = list_offers(s, actor, candidate, status)
    _out(rows if as_json else [{"id": r["id"], "candidate": r["candidate_name"]
                                or f"#{r['candidate_id']}", **{k: r[k] for k in (
                                    "level", "currency", "total", "status",
                                    "needs_exception")}} for r in rows], as_json, "Offers")


@command(offer_app, "approve")
def offer_approve(ctx: typer.Context, offer_id: int,
                  reject: Annotated[bool, typer.Option("--reject", help="Reject instead.")] = False,
                  note: Annotated[str | None, typer.Option()] = None) -> None:
    """An executive approves (or rejects) an offer; kept as an approval record."""
    from talentgraph.ops.offer_service import approve_offer

    with _acting(ctx) as (s, actor):
        a = approve_offer(s, actor, offer_id, "rejected" if reject else "approved", note)
        _say(f"offer #{offer_id} {a.decision} by {actor.username} ({a.kind})")


@command(offer_app, "outcome")
def offer_outcome(ctx: typer.Context, offer_id: int, outcome: Annotated[str, typer.Argument(
        help="accepted, declined or withdrawn")],
                  note: Annotated[str | None, typer.Option()] = None) -> None:
    """Record the candidate's answer to an approved offer (moves their stage)."""
    from talentgraph.ops.offer_service import record_outcome

    with _acting(ctx) as (s, actor):
        offer = record_outcome(s, actor, offer_id, outcome, note)
        _say(f"offer #{offer.id} {offer.status}")


# ----------------------------------------------------------------------------------------------
# counter-offers, policies, flight risk


@command(counter_app, "options")
def counter_opts(ctx: typer.Context, rival_id: Annotated[int, typer.Argument(
        help="The employee's competing offer (see `offer rival --employee`).")],
                 as_of: Annotated[str | None, typer.Option("--as-of")] = None,
                 years: Annotated[int, typer.Option()] = 4,
                 margin: Annotated[float, typer.Option(help="Beat by this %.")] = 0,
                 as_json: JsonOpt = False) -> None:
    """The counter-offer options the policy allows, stored for a decision."""
    from talentgraph.ops.counter_service import counter_dict, counter_options

    with _acting(ctx) as (s, actor):
        data = counter_dict(counter_options(s, actor, rival_id, _day(as_of, "as-of"), years,
                                            margin))
    if as_json:
        _out(data, True)
        return
    _say(f"counter-offer #{data['id']}: {data['reason']}")
    _out([{"option": i + 1, **{k: o[k] for k in ("name", "amount", "uplift", "uplift_pct",
                                                  "beats", "capped")}}
          for i, o in enumerate(data["options"])], False, "Options")


@command(counter_app, "rivals")
def counter_rivals(ctx: typer.Context, email: str, as_json: JsonOpt = False) -> None:
    """The competing offers an employee holds (record one with `offer rival --employee`)."""
    from talentgraph.ops.counter_service import employee_competing_offers

    with _acting(ctx) as (s, actor):
        rows = employee_competing_offers(s, actor, email)
    _out(rows if as_json else [{k: r[k] for k in ("id", "company", "total", "created_at")}
                               for r in rows], as_json, f"Competing offers held by {email}")


@command(counter_app, "decide")
def counter_decide(ctx: typer.Context, counter_id: int,
                   option: Annotated[int | None, typer.Option(help="Option number.")] = None,
                   no_counter: Annotated[bool, typer.Option(
                       "--no-counter", help="Decide to make no counter-offer.")] = False,
                   note: Annotated[str | None, typer.Option()] = None) -> None:
    """Record the decision on a counter-offer."""
    from talentgraph.ops.counter_service import decide_counter

    if (option is None) != no_counter:
        raise typer.BadParameter("give --option N or --no-counter")
    with _acting(ctx) as (s, actor):
        row = decide_counter(s, actor, counter_id, option, note)
        _say(f"counter-offer #{row.id}: {row.decision}")


@command(policy_app, "show")
def policy_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Policies and settings."""
    from talentgraph.ops.settings import view_settings

    with _acting(ctx) as (s, actor):
        data = view_settings(s, actor)
    _out(data if as_json else [{"setting": k, **{"value": v}} for k, v in data.items()],
         as_json, "Policies")


@command(policy_app, "set")
def policy_set(ctx: typer.Context, key: str, values: Annotated[list[str], typer.Argument(
        help="FIELD=VALUE pairs, e.g. allowed=false max_uplift_pct=10 (JSON values).")]) -> None:
    """Change a policy, e.g. `policy set counter_offer allowed=true max_uplift_pct=10`."""
    import json

    from talentgraph.errors import OpsInputError
    from talentgraph.ops.settings import set_setting

    parsed: dict[str, Any] = {}
    for pair in values:
        field, sep, raw = pair.partition("=")
        if not sep:
            raise OpsInputError(f"{pair!r}: write FIELD=VALUE")
        try:
            parsed[field] = json.loads(raw)
        except json.JSONDecodeError:
            parsed[field] = raw
    with _acting(ctx) as (s, actor):
        merged = set_setting(s, actor, key, parsed)
    _say(f"{key}: {json.dumps(merged)}")


@command(risk_app, "list")
def risk_list(ctx: typer.Context, team: Annotated[str | None, typer.Option()] = None,
              as_of: Annotated[str | None, typer.Option("--as-of")] = None,
              graph_db: Annotated[Path | None, typer.Option(
                  "--graph-db", help="Analytical store for collaborators who left.")] = None,
              as_json: JsonOpt = False) -> None:
    """Flight risk of our staff, highest first, with the reasons behind each score."""
    from talentgraph.ops.risk_service import flight_risks_from_store

    with _acting(ctx) as (s, actor):
        rows, warning = flight_risks_from_store(s, actor, common.db_path(graph_db),
                                                _day(as_of, "as-of"), team)
    if warning and not as_json:  # JSON output stays parseable
        common.err_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if as_json:
        _out(rows, True)
        return
    _out([{"name": r["name"], "team": r["team"], "level": r["level"], "score": r["score"],
           "top reasons": "; ".join(x["detail"] for x in r["reasons"][:2])} for r in rows],
         False, "Flight risk")


# ----------------------------------------------------------------------------------------------
# audit and erasure


@command(audit_app, "list")
def audit_list(ctx: typer.Context, action: Annotated[str | None, typer.Option(
        help="Action, * as wildcard (e.g. 'offer.*').")] = None,
               user: Annotated[str | None, typer.Option()] = None,
               object_type: Annotated[str | None, typer.Option("--object-type")] = None,
               object_id: Annotated[str | None, typer.Option("--object-id")] = None,
               since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")
                                ] = None,
               limit: Annotated[int, typer.Option(min=1)] = 100,
               as_json: JsonOpt = False) -> None:
    """The audit log, newest first."""
    from datetime import UTC, datetime

    from talentgraph.ops.audit import list_entries

    day = _day(since, "since")
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
    with _acting(ctx) as (s, actor):
        rows = list_entries(s, actor, action=action, object_type=object_type,
                            object_id=object_id, username=user, since=start, limit=limit)
    if as_json:
        _out(rows, True)
        return
    import json

    _out([{"id": r["id"], "at": r["at"].strftime("%Y-%m-%d %H:%M:%S"),
           "who": f"{r['username']} ({r['role']})", "from": r["source"], "action": r["action"],
           "object": f"{r['object_type']} {r['object_id'] or ''}".strip(),
           "details": json.dumps(r["details"], default=str)} for r in rows], False, "Audit log")


@command(ops_app, "backup")
def backup_cmd(ctx: typer.Context, target: Path) -> None:
    """Copy a SQLite store to a new file while it is in use (admins; PostgreSQL: pg_dump)."""
    from talentgraph.ops.db import backup

    with _acting(ctx) as (_s, actor):
        pass  # log in first; the backup itself is audited
    _say(f"backup written to {backup(_store(ctx), actor, target)}")


@command(ops_app, "erase")
def erase(ctx: typer.Context, candidate_id: int,
          yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
          db: Annotated[Path | None, typer.Option(
              "--db", "--graph-db", help="The analytical store the person leaves (its "
              "suppression list, read by every read path and rebuild, and its search index). "
              "Default: $TALENTGRAPH_DB, else talentgraph.duckdb in your data "
              "directory.")] = None,
          as_json: JsonOpt = False) -> None:
    """Erase a candidate's personal data everywhere (keeps anonymous counts). Irreversible."""
    from talentgraph import config
    from talentgraph.ops.erasure import erase_candidate

    # A store the user named (option or environment) must exist; only the data directory's
    # default may be absent (nothing built there, nobody to remove).
    named = db or (Path(os.environ[config.DB_ENV]) if os.environ.get(config.DB_ENV) else None)
    if named is not None:
        from talentgraph.engines.output import serving_store

        named = serving_store(named) or named  # a Spark build's folder: its serving store
    if not yes:
        typer.confirm(f"Erase candidate #{candidate_id}'s personal data for good?", abort=True)
    with _acting(ctx) as (s, actor):
        result = erase_candidate(s, actor, candidate_id, graph_db=named)
    if as_json:
        _out(result, True)
    else:
        _say(f"candidate #{candidate_id} erased: " + ", ".join(
            f"{k} {v}" for k, v in result["removed"].items()))
