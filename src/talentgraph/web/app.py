"""The FastAPI application: sessions, security headers, error pages, static files, routes."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import duckdb
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from talentgraph import __version__
from talentgraph.errors import (
    CompensationError,
    NotFoundError,
    OpsConfigError,
    OpsInputError,
    PermissionDenied,
    StoreError,
    TalentgraphError,
)
from talentgraph.ops import audit
from talentgraph.ops.db import OpsStore
from talentgraph.web import api, apidocs, auth, pages
from talentgraph.web.config import WebConfig
from talentgraph.web.context import CsrfError, NotLoggedIn
from talentgraph.web.graph import GraphStore
from talentgraph.web.render import page

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; frame-ancestors 'self'; form-action 'self'; base-uri 'self'")

STATUS: list[tuple[type[Exception], int]] = [
    (PermissionDenied, 403), (NotFoundError, 404), (CompensationError, 422),
    (OpsInputError, 422), (StoreError, 503), (OpsConfigError, 503), (TalentgraphError, 400),
]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _status(exc: Exception) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 400)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # the search index loads in the background: the server answers meanwhile (a search that
    # comes first waits for it)
    warm = threading.Thread(target=app.state.graph.warm, name="graph-warm", daemon=True)
    warm.start()
    yield
    # Closing the connection under a load still running made it fail ("No open result set")
    # and leave the process without its index: let it finish first.
    warm.join(timeout=60)
    app.state.graph.close()


def create_app(config: WebConfig, ops: OpsStore | None = None) -> FastAPI:
    """The app for one analytical store (read-only) and one operational store."""
    app = FastAPI(title="talentgraph", version=__version__,
                  description="Talent graph and recruiting operations. Every call needs a "
                  "logged-in session (POST /login); state-changing calls need the session's "
                  "CSRF token in the X-CSRF-Token header (GET /api/me gives it).",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  lifespan=_lifespan)
    app.state.config = config
    app.state.ops = ops or OpsStore(config.ops_url)
    app.state.graph = GraphStore(config.db_path)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN202
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    # Added last so it runs first: the session is there for every handler and error page.
    app.add_middleware(SessionMiddleware, secret_key=config.resolved_secret(),
                       session_cookie="tg_session", max_age=config.session_hours * 3600,
                       same_site="lax", https_only=config.https_only())

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "not logged in: POST /login first"}, status_code=401)
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(nxt)}", status_code=303)

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, exc: CsrfError) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(TalentgraphError)
    async def our_error(request: Request, exc: TalentgraphError) -> Response:
        code = _status(exc)
        if code == 403 and not getattr(exc, "audited", False):
            # (a refusal by the service layer was audited by the ops store already: one row)
            _audit_denied(request, str(exc))
        return _error(request, code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # /api keeps FastAPI's JSON answer (clients read `detail`); a page gets a page
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        errors = exc.errors()
        # a path that is no id (/candidates/abc) names nothing: not found, not bad input
        code = 404 if errors and all(e.get("loc", ("",))[0] == "path" for e in errors) else 422
        return _error(request, code, validation_message(errors))

    @app.exception_handler(duckdb.Error)
    async def store_query_failed(request: Request, exc: duckdb.Error) -> Response:
        # e.g. a store built by an older version than the code reading it (a missing table)
        log.error("analytical store query failed on %s: %s", request.url.path, exc)
        return _error(request, 503, "the analytical store could not answer this "
                      f"({type(exc).__name__}: {str(exc).splitlines()[0]}); if the store was "
                      "built by an older version, rebuild it with `talentgraph build`")

    apidocs.mount(app, "/api/openapi.json")  # Swagger UI vendored in static/, not a CDN
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")),
              name="static")
    app.include_router(auth.router)
    app.include_router(api.router)
    app.include_router(pages.router)

    return app


# What each worker process of `talentgraph serve --workers N` builds its app from (the parent
# sets them: uvicorn starts workers by importing the app factory, not by pickling the app).
WORKER_ENV = {"db": "TALENTGRAPH_WEB_WORKER_DB", "ops": "TALENTGRAPH_WEB_WORKER_OPS",
              "secure": "TALENTGRAPH_WEB_WORKER_SECURE"}


def app_from_env() -> FastAPI:
    """The app of one worker process (`uvicorn --factory`), configured by WORKER_ENV and the
    session key in $TALENTGRAPH_WEB_SECRET (resolved once by the parent, so every worker
    accepts every worker's cookies)."""
    import os

    secure = os.environ.get(WORKER_ENV["secure"])
    config = WebConfig(db_path=Path(os.environ[WORKER_ENV["db"]]),
                       ops_url=os.environ.get(WORKER_ENV["ops"]) or None,
                       secure_cookies=None if secure is None else secure == "1")
    return create_app(config)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _error(request: Request, code: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=code)
    titles = {403: "Not allowed", 404: "Not found", 422: "Please check the input",
              503: "Not available", 400: "Please check the input"}
    return page(request, "error.html", status_code=code, title=titles.get(code, "Error"),
                message=message, code=code)


def validation_message(errors: Sequence[Any]) -> str:
    """FastAPI's validation errors as one sentence: "candidate id 'abc': a whole number"."""
    parts = []
    for e in errors:
        where = str(e.get("loc", ("", "input"))[-1]).replace("_", " ")
        got = e.get("input")
        msg = str(e.get("msg") or "invalid").replace("Input should be", "should be")
        shown = f" {got!r}" if isinstance(got, str | int | float) and got != "" else ""
        parts.append(f"{where}{shown}: {msg}")
    return "; ".join(parts) or "the request is not valid"


def _audit_denied(request: Request, message: str) -> None:
    """A refused request is itself worth an audit entry (in its own transaction)."""
    actor = getattr(request.state, "actor", None)
    if actor is None:
        return
    try:
        with request.app.state.ops.session() as s:
            audit.record(s, actor, "access.denied", "route", request.url.path,
                         method=request.method)
    except Exception:  # noqa: BLE001 - never turn a 403 into a 500
        log.exception("could not write the audit entry for a refused request")
