"""`talentgraph serve`: the web app (pages and JSON API) with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(
    db: Annotated[Path | None, typer.Option(
        "--db", help="The analytical store (DuckDB file), opened read-only. Default: "
        "$TALENTGRAPH_DB, else talentgraph.duckdb in your data directory.")] = None,
    ops_db: Annotated[str | None, typer.Option(
        "--ops-db", help="The operational store: a SQLAlchemy URL or a SQLite file. Default: "
        "$TALENTGRAPH_OPS_DB, else ops.sqlite in your data directory.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    secure_cookies: Annotated[bool | None, typer.Option(
        "--secure-cookies/--no-secure-cookies",
        help="Mark the session cookie Secure (set it when users reach the app over https, "
        "e.g. behind a TLS proxy). Default: $TALENTGRAPH_WEB_SECURE_COOKIES.")] = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes (each holds its own search index: ~0.5 GB "
        "resident on the whole corpus). Python renders pages on one core per process: use "
        "about one per core.")] = 1,
) -> None:
    """Serve the web app: dashboard, flows, cohorts, people, sourcing, pipeline, offers..."""
    import uvicorn

    from talentgraph.cli.common import db_path
    from talentgraph.ops.db import OpsStore
    from talentgraph.web import WebConfig, create_app

    path = db_path(db)
    cfg = WebConfig(db_path=path, ops_url=ops_db, secure_cookies=secure_cookies)
    ops = OpsStore(ops_db)  # migrates the schema; errors name the store
    typer.echo(f"talentgraph web on http://{host}:{port}/  (store {path}, ops {ops.url})")
    # keep-alive longer than a user's pause between pages: with uvicorn's 5 s default a browser
    # reusing an idle connection just as the server closes it gets a reset
    options = {"host": host, "port": port, "log_level": "info", "proxy_headers": False,
               "server_header": False, "timeout_keep_alive": 75}
    if workers == 1:
        uvicorn.run(create_app(cfg, ops), **options)
        return
    import os

    from talentgraph.web.app import WORKER_ENV
    from talentgraph.web.config import SECRET_ENV

    ops.dispose()
    # the workers are new processes: they read their settings from the environment
    os.environ[SECRET_ENV] = cfg.resolved_secret()
    os.environ[WORKER_ENV["db"]] = str(path)
    os.environ[WORKER_ENV["ops"]] = ops.url
    if secure_cookies is not None:
        os.environ[WORKER_ENV["secure"]] = "1" if secure_cookies else "0"
    uvicorn.run("talentgraph.web.app:app_from_env", factory=True, workers=workers, **options)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
