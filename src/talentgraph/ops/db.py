"""Opening the operational store (SQLite by default, PostgreSQL for teams) and migrating it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from talentgraph.errors import OpsConfigError, PermissionDenied

OPS_DB_ENV = "TALENTGRAPH_OPS_DB"


def default_url() -> str:
    """`$TALENTGRAPH_OPS_DB`, else ops.sqlite in the user's data directory."""
    if os.environ.get(OPS_DB_ENV):
        return os.environ[OPS_DB_ENV]
    return f"sqlite:///{Path(user_data_dir('talentgraph')) / 'ops.sqlite'}"


def resolve_url(given: str | None = None) -> str:
    """A SQLAlchemy URL from `--ops-db` (a URL or a plain file path), the env, or the default."""
    url = given or default_url()
    if "://" not in url:  # a bare path means a SQLite file
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise OpsConfigError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise OpsConfigError(f"the operational store runs on SQLite or PostgreSQL, not {url!r}")
    return create_engine(url, pool_pre_ping=True)


def alembic_config() -> Config:
    """Alembic configuration built in code: the migrations ship inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("talentgraph.ops").joinpath("migrations")))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest revision (in one transaction). Returns the revision."""
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise OpsConfigError(f"cannot open the operational store at {_safe(engine)}: "
                             f"{exc.orig}") from exc
    return head_revision()


def _safe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class OpsStore:
    """The operational store: an engine plus sessions that commit on success, roll back on error."""

    def __init__(self, url: str | None = None, *, auto_migrate: bool = True) -> None:
        self.url = resolve_url(url)
        self.engine = make_engine(self.url)
        if auto_migrate:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: everything in it (the change and its audit entry) commits together."""
        try:
            with self._sessions.begin() as s:
                yield s
        except PermissionDenied as exc:
            entry = getattr(exc, "audit_entry", None)
            if entry is not None:  # the refused work rolled back; the refusal is kept
                from talentgraph.ops.models import AuditEntry, utcnow

                with self._sessions.begin() as s:
                    s.add(AuditEntry(at=utcnow(), **entry))
            raise

    def dispose(self) -> None:
        self.engine.dispose()


def backup(store: OpsStore, actor: Any, target: Path) -> Path:
    """A consistent copy of a SQLite store (online backup API), audited; PostgreSQL: pg_dump."""
    import sqlite3

    from talentgraph.ops import audit
    from talentgraph.ops.permissions import Op, require

    require(actor, Op.BACKUP)
    if store.engine.dialect.name != "sqlite":
        raise OpsConfigError("backups of a PostgreSQL store are made with pg_dump (or the "
                             "server's own backups), not by talentgraph")
    target = Path(target)
    if target.exists():
        raise OpsConfigError(f"{target} exists; choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    with store.session() as s:
        audit.record(s, actor, "store.backup", "store", None, target=str(target))
    source = store.engine.raw_connection()
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.driver_connection.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target
