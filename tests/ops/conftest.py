"""The operational store under test: every test using `store` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from services import PG_URL, missing
from talentgraph.ops.db import OpsStore
from talentgraph.ops.models import User
from talentgraph.ops.permissions import Actor, Role
from talentgraph.ops.users import actor_for, create_first_admin, create_user

PASSWORD = "correct horse battery"


def _pg_or_skip() -> None:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        missing("postgres", f"PostgreSQL at {PG_URL} is unreachable ({exc.orig}); start it, "
                "set TALENTGRAPH_TEST_PG, or run scripts/test.sh (it starts one)")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small costs: the real parameters take ~0.5 s a hash on a busy machine."""
    from argon2 import PasswordHasher

    from talentgraph.ops import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpsStore]:
    """A migrated, empty store; on PostgreSQL in a schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        st = OpsStore(f"sqlite:///{tmp_path / 'ops.sqlite'}", create=True)
        yield st
        st.dispose()
        return
    _pg_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    st = OpsStore(f"{PG_URL}?options=-csearch_path%3D{schema}", create=True)
    try:
        yield st
    finally:
        st.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def users(store: OpsStore) -> dict[str, Actor]:
    """One user per role (plus a second recruiter and contract recruiter), as Actors."""
    made: dict[str, Actor] = {}
    with store.session() as s:
        admin = create_first_admin(s, "admin", PASSWORD, "Ada Admin", "admin@ourlab.example")
        made["admin"] = actor_for(admin)
        for role in Role:
            if role is Role.ADMIN:
                continue
            u: User = create_user(s, made["admin"], role.value, PASSWORD, role,
                                  role.value.replace("_", " ").title(),
                                  f"{role.value}@ourlab.example")
            made[role.value] = actor_for(u)
        for extra, role in (("recruiter2", Role.RECRUITER),
                            ("contract_recruiter2", Role.CONTRACT_RECRUITER)):
            made[extra] = actor_for(create_user(s, made["admin"], extra, PASSWORD, role))
    return made
