"""Users: argon2 password hashes, one message for every failed login, roles and aliases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from talentgraph.errors import DuplicateError, OpsInputError, PermissionDenied
from talentgraph.ops import users
from talentgraph.ops.db import OpsStore
from talentgraph.ops.models import AuditEntry, User
from talentgraph.ops.permissions import Role, parse_role


def test_passwords_are_argon2_and_logins_audited(store: OpsStore) -> None:
    with store.session() as s:
        admin = users.create_first_admin(s, "root", "s3cret-enough")
        assert admin.password_hash.startswith("$argon2id$")
        assert "s3cret" not in admin.password_hash
    with store.session() as s:
        actor = users.authenticate(s, "root", "s3cret-enough", source="10.0.0.7")
        assert (actor.role, actor.source) == (Role.ADMIN, "10.0.0.7")
    for name, pw in (("root", "wrong-password"), ("nobody", "s3cret-enough")):
        with pytest.raises(PermissionDenied, match="wrong username or password"), \
                store.session() as s:
            users.authenticate(s, name, pw)
    with store.session() as s:
        (login,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).all()
        assert (login.username, login.source) == ("root", "10.0.0.7")


def test_user_rules(store: OpsStore) -> None:
    with store.session() as s:
        admin = users.actor_for(users.create_first_admin(s, "root", "s3cret-enough"))
        sourcer = users.create_user(s, admin, "sam", "long enough", "sourcer")
        assert sourcer.role == "contract_recruiter"
    with pytest.raises(DuplicateError, match="already has users"), store.session() as s:
        users.create_first_admin(s, "root2", "s3cret-enough")
    with pytest.raises(OpsInputError, match="at least 8"), store.session() as s:
        users.create_user(s, admin, "tiny", "short", "viewer")
    with pytest.raises(DuplicateError), store.session() as s:
        users.create_user(s, admin, "sam", "long enough", "viewer")
    with store.session() as s:
        s.scalar(select(User).where(User.username == "sam")).active = False
    with pytest.raises(PermissionDenied), store.session() as s:
        users.authenticate(s, "sam", "long enough")


def test_roles() -> None:
    assert parse_role("Comp Partner") is Role.COMP_PARTNER
    assert parse_role("sourcer") is Role.CONTRACT_RECRUITER
    with pytest.raises(OpsInputError, match="unknown role"):
        parse_role("wizard")


def test_refusals_are_audited(store: OpsStore) -> None:
    from talentgraph.ops import audit, plans

    with store.session() as s:
        admin = users.actor_for(users.create_first_admin(s, "root", "s3cret-enough"))
        viewer = users.actor_for(users.create_user(s, admin, "vic", "long enough", "viewer"))
    with pytest.raises(PermissionDenied), store.session() as s:
        plans.create_plan(s, viewer, "Sneaky", "genai", 5)
    with pytest.raises(PermissionDenied), store.session() as s:
        users.authenticate(s, "vic", "guessing-game")
    with store.session() as s:
        rows = audit.list_entries(s, admin, action="*denied*")
        fails = audit.list_entries(s, admin, action="user.login_failed")
        assert plans.list_plans(s, admin) == []
    assert [(r["username"], r["role"], r["details"]) for r in rows] == [
        ("vic", "viewer", {"operation": "plan.edit"})]
    assert [(r["username"], r["object_id"]) for r in fails] == [("vic", str(viewer.user_id))]


def test_account_lifecycle(store: OpsStore) -> None:
    with store.session() as s:
        admin = users.actor_for(users.create_first_admin(s, "root", "s3cret-enough"))
        sam = users.actor_for(users.create_user(s, admin, "sam", "long enough", "sourcer"))
    with pytest.raises(OpsInputError, match="last active admin"), store.session() as s:
        users.set_active(s, admin, "root", False)
    with pytest.raises(OpsInputError, match="last active admin"), store.session() as s:
        users.set_role(s, admin, "root", "viewer")
    with pytest.raises(PermissionDenied), store.session() as s:
        users.set_active(s, sam, "root", False)
    with pytest.raises(PermissionDenied, match="current password"), store.session() as s:
        users.set_password(s, sam, "sam", "brand new pw", "not the old one")
    with store.session() as s:
        users.set_password(s, sam, "sam", "brand new pw", "long enough")
    with store.session() as s:
        assert users.authenticate(s, "sam", "brand new pw").role is Role.CONTRACT_RECRUITER
        users.set_role(s, admin, "sam", "recruiter")
        users.set_active(s, admin, "sam", False)
    with pytest.raises(PermissionDenied, match="login failed"), store.session() as s:
        users.authenticate(s, "sam", "brand new pw")
    with store.session() as s:
        users.set_password(s, admin, "sam", "reset by admin")  # no old password needed
        users.set_active(s, admin, "sam", True)
    with store.session() as s:
        assert users.authenticate(s, "sam", "reset by admin").role is Role.RECRUITER
