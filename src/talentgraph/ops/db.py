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
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from talentgraph.errors import ConflictError, OpsConfigError, PermissionDenied

OPS_DB_ENV = "TALENTGRAPH_OPS_DB"


def default_path() -> Path:
    """ops.sqlite in the user's data directory (the one folder talentgraph creates itself)."""
    return Path(user_data_dir("talentgraph")) / "ops.sqlite"


def default_url() -> str:
    """`$TALENTGRAPH_OPS_DB`, else ops.sqlite in the user's data directory."""
    if os.environ.get(OPS_DB_ENV):
        return os.environ[OPS_DB_ENV]
    return f"sqlite:///{default_path()}"


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


NO_STORE = ("create it with `talentgraph ops init` (with --admin NAME for the first admin), "
            "or check --ops-db / $TALENTGRAPH_OPS_DB")


def _sqlite_file(path: Path, create: bool) -> None:
    """Make sure the SQLite file exists: created (mode 0600: it holds pay and personal data)
    only when `create`; its folder is never created, except the data directory's default."""
    if path.exists():
        return
    if not create:
        raise OpsConfigError(f"no operational store at {path}: {NO_STORE}")
    if not path.parent.is_dir():
        if path.resolve() != default_path().resolve():
            raise OpsConfigError(f"cannot create the operational store at {path}: the folder "
                                 f"{path.parent} does not exist (create it first)")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # created meanwhile by another process: fine
        pass
    except OSError as exc:
        raise OpsConfigError(f"cannot create the operational store at {path}: "
                             f"{exc.strerror or exc}") from exc


def make_engine(url: str, *, create: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    A SQLite file that does not exist is created (0600) only when `create` (`ops init`);
    otherwise OpsConfigError says there is no store.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise OpsConfigError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _sqlite_file(Path(parsed.database), create)
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


def _schema_missing(engine: Engine) -> bool:
    try:
        return current_revision(engine) is None
    except OperationalError as exc:
        raise OpsConfigError(f"cannot open the operational store at {_safe(engine)}: "
                             f"{exc.orig}") from exc


def translate_db_error(exc: IntegrityError | OperationalError) -> ConflictError | OpsConfigError:
    """The one user message for a database error, whichever interface hit it."""
    if isinstance(exc, IntegrityError):  # a concurrent change won the race (unique key, ...)
        return ConflictError(f"the change conflicts with one made at the same time or with "
                             f"existing data ({str(exc.orig).splitlines()[0]}); look again "
                             "and retry")
    return OpsConfigError("the operational store cannot be reached or used: "
                          f"{str(exc.orig).splitlines()[0]}")


class OpsStore:
    """The operational store: an engine plus sessions that commit on success, roll back on error.

    Only `create=True` (`ops init`) makes a new store: opening a SQLite file that does not exist,
    or a database without talentgraph's schema, raises OpsConfigError instead.
    """

    def __init__(self, url: str | None = None, *, auto_migrate: bool = True,
                 create: bool = False) -> None:
        self.url = resolve_url(url)
        self.engine = make_engine(self.url, create=create)
        if not create and _schema_missing(self.engine):
            where = _safe(self.engine)
            self.engine.dispose()
            raise OpsConfigError(f"no operational store at {where} (no talentgraph schema "
                                 f"there): {NO_STORE}")
        if auto_migrate:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: everything in it (the change and its audit entry) commits together.

        SQLAlchemy's IntegrityError and OperationalError leave as ConflictError and
        OpsConfigError (one message for the CLI, the web app and the API). A refusal
        (PermissionDenied from `permissions.denied`) rolls the work back, and its audit entry and
        any `after_rollback` writes it carries (e.g. a failed login's throttle counters) are
        committed in a transaction of their own; the exception is then marked `audited`.
        """
        try:
            with self._sessions.begin() as s:
                yield s
        except PermissionDenied as exc:
            self._keep_refusal(exc)
            raise
        except (IntegrityError, OperationalError) as exc:
            raise translate_db_error(exc) from exc

    def _keep_refusal(self, exc: PermissionDenied) -> None:
        entry = getattr(exc, "audit_entry", None)
        after = getattr(exc, "after_rollback", [])
        if entry is None and not after:
            return
        from talentgraph.ops.models import AuditEntry, utcnow

        with self._sessions.begin() as s:
            for write in after:
                write(s)
            if entry is not None:  # the refused work rolled back; the refusal is kept
                s.add(AuditEntry(at=utcnow(), **entry))
        exc.audited = True  # type: ignore[attr-defined]

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
