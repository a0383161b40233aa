"""The operational store under test: every test using `store` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services import pg_ops_store
from talentgraph.ops.db import OpsStore
from talentgraph.ops.models import User
from talentgraph.ops.permissions import Actor, Role
from talentgraph.ops.users import actor_for, create_first_admin, create_user

PASSWORD = "correct horse battery"


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
    with pg_ops_store() as st:
        yield st


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
