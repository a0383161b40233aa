"""The store migrates on both databases, and the audit log cannot be changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from talentgraph.errors import ConflictError, OpsConfigError
from talentgraph.ops import audit
from talentgraph.ops.db import OpsStore, current_revision, head_revision, migrate, resolve_url
from talentgraph.ops.models import AuditEntry, User
from talentgraph.ops.permissions import Actor


def test_migrated_to_head_and_idempotent(store: OpsStore) -> None:
    assert current_revision(store.engine) == head_revision()
    assert migrate(store.engine) == head_revision()


def test_sqlite_has_wal_and_foreign_keys(tmp_path) -> None:
    st = OpsStore(str(tmp_path / "x.sqlite"), create=True)  # a bare path means SQLite
    with st.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    st.dispose()


def test_resolve_url_from_env(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TALENTGRAPH_OPS_DB", "postgresql+psycopg://u@h/db")
    assert resolve_url(None) == "postgresql+psycopg://u@h/db"
    assert resolve_url(str(tmp_path / "a.sqlite")).startswith("sqlite:///")


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'",
                                       "DELETE FROM audit_log"])
def test_audit_log_refuses_update_and_delete(store: OpsStore, users: dict[str, Actor],
                                             statement: str) -> None:
    with store.session() as s:
        audit.record(s, users["admin"], "test.event", "thing", 1, field="value")
        n = len(s.scalars(select(AuditEntry)).all())
    with pytest.raises((DBAPIError, ConflictError), match="append-only"), store.session() as s:
        s.execute(text(statement))
    with store.session() as s:
        rows = s.scalars(select(AuditEntry)).all()
        assert len(rows) == n
        assert rows[-1].action == "test.event"


def test_audit_service_has_no_update_or_delete() -> None:
    public = [name for name in dir(audit) if not name.startswith("_")]
    assert not [n for n in public if "delete" in n or "update" in n or "remove" in n]


def test_models_and_migrations_agree(store: OpsStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from talentgraph.ops.models import Base

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_downgrade_and_upgrade_again(store: OpsStore) -> None:
    from alembic import command

    from talentgraph.ops.db import alembic_config

    cfg = alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert current_revision(store.engine) is None
    assert migrate(store.engine) == head_revision()


def test_audit_log_refuses_truncate_on_postgresql(store: OpsStore, users: dict[str, Actor]) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    with pytest.raises((DBAPIError, ConflictError), match="append-only"), store.session() as s:
        s.execute(text("TRUNCATE audit_log"))
    with store.session() as s:
        assert s.scalars(select(AuditEntry)).first() is not None


def test_backup_is_for_admins_and_copies_the_store(store: OpsStore, users: dict[str, Actor],
                                                   tmp_path) -> None:  # noqa: ANN001
    import sqlite3

    from talentgraph.errors import OpsConfigError, PermissionDenied
    from talentgraph.ops.db import backup

    for name, actor in users.items():
        if name != "admin":
            with pytest.raises(PermissionDenied):
                backup(store, actor, tmp_path / f"{name}.sqlite")
    if store.engine.dialect.name != "sqlite":
        with pytest.raises(OpsConfigError, match="pg_dump"):
            backup(store, users["admin"], tmp_path / "b.sqlite")
        return
    target = backup(store, users["admin"], tmp_path / "b.sqlite")
    con = sqlite3.connect(target)
    assert con.execute("SELECT count(*) FROM users").fetchone()[0] == len(users)
    assert con.execute("SELECT action FROM audit_log ORDER BY id DESC").fetchone()[0] == \
        "store.backup"
    con.close()
    with pytest.raises(OpsConfigError, match="exists"):
        backup(store, users["admin"], target)


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path) -> None:
    path = tmp_path / "ops.sqlite"
    st = OpsStore(str(path), create=True)
    with st.session() as s:
        s.add(AuditEntry(role="none", source="t", action="t", object_type="t", details={}))
    st.dispose()
    for f in tmp_path.iterdir():  # the store and SQLite's -wal/-shm files beside it
        assert f.stat().st_mode & 0o777 == 0o600, f


def test_only_init_creates_a_store(tmp_path) -> None:
    typo = tmp_path / "typo.sqlite"
    with pytest.raises(OpsConfigError, match="no operational store at .*typo.sqlite.*ops init"):
        OpsStore(str(typo))
    assert not typo.exists()
    typo.write_bytes(b"")  # an empty file (or a database without our schema) is no store either
    with pytest.raises(OpsConfigError, match="no talentgraph schema"):
        OpsStore(str(typo))


def test_a_path_in_a_missing_folder_creates_no_folder(tmp_path) -> None:
    path = tmp_path / "no" / "such" / "ops.sqlite"
    for create in (False, True):
        with pytest.raises(OpsConfigError, match="does not exist|no operational store"):
            OpsStore(str(path), create=create)
    assert not (tmp_path / "no").exists()


def test_database_errors_leave_the_session_as_our_errors(store: OpsStore,
                                                         users: dict[str, Actor]) -> None:
    """A unique-key clash (what a concurrent change produces) is a ConflictError for every
    interface, not SQLAlchemy's IntegrityError."""
    with pytest.raises(ConflictError, match="conflicts"), store.session() as s:
        s.add(User(username="admin", display_name="again", role="admin", password_hash="x",
                   active=True))
    if store.engine.dialect.name == "sqlite":  # (PostgreSQL calls this one ProgrammingError)
        with pytest.raises(OpsConfigError, match="cannot be reached or used"), \
                store.session() as s:
            s.execute(text("SELECT * FROM no_such_table_here"))
