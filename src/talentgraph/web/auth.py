"""Logging in and out (signed session cookie), and creating the first admin on a new store."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from talentgraph.errors import PermissionDenied, TalentgraphError
from talentgraph.ops import users
from talentgraph.ops.models import User
from talentgraph.web.context import NotLoggedIn, check_csrf, client_ip, web_ctx
from talentgraph.web.render import page

router = APIRouter(include_in_schema=False)
LOOPBACK = ("127.0.0.1", "::1")


def _safe_next(nxt: str | None) -> str:
    # Only local paths: an open redirect would hand the session to another site.
    if nxt and nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt:
        return nxt
    return "/"


def _has_users(request: Request) -> bool:
    with request.app.state.ops.session() as s:
        return bool(s.scalar(select(func.count(User.id))))


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    if request.session.get("uid"):
        return RedirectResponse(_safe_next(next), status_code=303)
    if not _has_users(request):
        return RedirectResponse("/setup", status_code=303)
    return page(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=1024)],
          next: Annotated[str, Form()] = "/") -> Response:  # noqa: A002
    try:
        with request.app.state.ops.session() as s:
            actor = users.authenticate(s, username, password, source=client_ip(request))
            epoch = s.get(User, actor.user_id).session_epoch
    except PermissionDenied as exc:
        return page(request, "login.html", status_code=401, next=_safe_next(next),
                    error=str(exc))
    _start_session(request, actor.user_id, epoch)
    return RedirectResponse(_safe_next(next), status_code=303)


def _start_session(request: Request, uid: int, epoch: int) -> None:
    """A fresh session and CSRF token (no session fixation), valid while the user's session
    epoch stays the same (logout, a password change or disabling the user raise it)."""
    request.session.clear()
    request.session.update({"uid": uid, "epoch": epoch, "csrf": secrets.token_urlsafe(32)})


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    """Ends the session server-side: a copy of the cookie kept from before no longer works
    (nor do the user's other sessions)."""
    if request.session.get("uid") is not None:
        try:
            with web_ctx(request) as c:
                users.end_sessions(c.s, c.actor)
        except NotLoggedIn:
            pass  # already ended
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/setup")
def setup_form(request: Request) -> Response:
    if _has_users(request):
        return RedirectResponse("/login", status_code=303)
    return page(request, "setup.html", error=None, local=client_ip(request) in LOOPBACK)


@router.post("/setup", dependencies=[Depends(check_csrf)])
def setup(request: Request, username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=1024)],
          display_name: Annotated[str, Form(max_length=200)] = "",
          email: Annotated[str, Form(max_length=320)] = "") -> Response:
    """The first admin of an empty store, from the machine the server runs on only."""
    if client_ip(request) not in LOOPBACK:
        raise PermissionDenied("the first admin is created from the server itself "
                               "(open http://127.0.0.1:PORT/setup there)")
    try:
        with request.app.state.ops.session() as s:
            user = users.create_first_admin(s, username, password, display_name or None,
                                            email or None)
            uid, epoch = user.id, user.session_epoch
    except TalentgraphError as exc:
        return page(request, "setup.html", status_code=422, error=str(exc), local=True)
    _start_session(request, uid, epoch)
    return RedirectResponse("/", status_code=303)
