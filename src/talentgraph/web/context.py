"""Per-request context: the logged-in user as an ops `Actor`, one ops transaction, a graph cursor,
and the CSRF synchroniser token kept in the signed session cookie."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
from sqlalchemy.orm import Session
from starlette.requests import Request

from talentgraph.errors import PermissionDenied
from talentgraph.ops import users
from talentgraph.ops.models import User
from talentgraph.ops.permissions import Actor, Op, allowed

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NotLoggedIn(Exception):
    """No valid session: pages redirect to the login page, the API answers 401."""


class CsrfError(Exception):
    """A state-changing request without the session's CSRF token (403)."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def csrf_token(request: Request) -> str:
    """The session's synchroniser token (created on first use, rotated at login)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Every state-changing request carries the token: header (htmx, API) or form field."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    supplied = request.headers.get(CSRF_HEADER)
    if not supplied and "form" in request.headers.get("content-type", ""):
        supplied = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(supplied, str) or not hmac.compare_digest(
            expected.encode(), supplied.encode()):
        raise CsrfError("missing or wrong CSRF token: reload the page and try again")


@dataclass
class Ctx:
    request: Request
    s: Session
    user: User
    actor: Actor
    _cursors: list[duckdb.DuckDBPyConnection] = field(default_factory=list)

    def graph(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the analytical store (closed with the request)."""
        if not self._cursors:
            self._cursors.append(self.request.app.state.graph.cursor())
        return self._cursors[0]

    def cached(self, key: Any, compute: Any) -> Any:
        """A graph computation shared between requests (see GraphStore.cached)."""
        return self.request.app.state.graph.cached(key, compute)

    def can(self, op: Op | str) -> bool:
        return allowed(self.actor.role, Op(op))

    @property
    def db_path(self) -> Any:
        return self.request.app.state.graph.path

    def close(self) -> None:
        for c in self._cursors:
            c.close()
        self._cursors.clear()


@contextmanager
def web_ctx(request: Request) -> Iterator[Ctx]:
    """Log in from the session and open one ops transaction (committed if the block succeeds).

    The user row is read on every request so that disabling a user, changing a role or ending
    the user's sessions (logout, a password change: a new session epoch) applies at once; the
    Actor's source is the client's IP address (the audit log's 'from where').
    """
    uid = request.session.get("uid")
    if uid is None:
        raise NotLoggedIn()
    with request.app.state.ops.session() as s:
        user = s.get(User, uid)
        if user is None or not user.active or request.session.get("epoch") != user.session_epoch:
            request.session.clear()
            raise NotLoggedIn()
        actor = users.actor_for(user, source=client_ip(request))
        request.state.actor = actor
        ctx = Ctx(request, s, user, actor)
        try:
            yield ctx
        except PermissionDenied as exc:
            _as_route_refusal(exc, request)
            raise
        finally:
            ctx.close()


def _as_route_refusal(exc: PermissionDenied, request: Request) -> None:
    """A refusal by the service layer is audited once, as the web's `access.denied` row for the
    route (the store writes it; the app's error handler then writes nothing more)."""
    entry = getattr(exc, "audit_entry", None)
    if entry is None or entry.get("action") != "denied":
        return
    entry["details"] = {**entry.get("details", {}), "method": request.method,
                        "object_type": entry.get("object_type"),
                        "object_id": entry.get("object_id")}
    entry.update(action="access.denied", object_type="route", object_id=request.url.path[:80])
