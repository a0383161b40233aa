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


def _login(store: OpsStore, name: str, pw: str, source: str = "10.0.0.9") -> None:
    with store.session() as s:
        users.authenticate(s, name, pw, source=source)


def test_wrong_passwords_lock_the_user_out_with_growing_delays(store: OpsStore,
                                                              monkeypatch) -> None:
    """12 wrong passwords then the right one used to work; now the account is locked, for longer
    after each further failure, and every lock-out is audited."""
    from datetime import timedelta

    from talentgraph.ops import throttle

    with store.session() as s:
        users.create_first_admin(s, "root", "s3cret-enough")
    clock = [users.utcnow()]
    monkeypatch.setattr(users, "utcnow", lambda: clock[0])
    for i in range(12):  # each guess waits out the lock-out the one before caused
        with pytest.raises(PermissionDenied, match="wrong username or password"):
            _login(store, "root", f"guess-{i}", source=f"10.0.1.{i}")
        if i < 11:
            clock[0] += throttle.delay("user", i + 1) or timedelta(0)
            clock[0] += timedelta(seconds=1)
    with pytest.raises(PermissionDenied, match="too many failed logins"):
        _login(store, "root", "s3cret-enough", source="10.9.9.9")  # the right one, elsewhere
    with store.session() as s:
        locks = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.lockout")
                          .order_by(AuditEntry.id)).all()
        throttled = s.scalars(select(AuditEntry)
                              .where(AuditEntry.action == "user.login_throttled")).all()
    assert [e.details["failures"] for e in locks] == list(range(6, 13))
    seconds = [e.details["seconds"] for e in locks]
    assert seconds == sorted(seconds) and seconds[0] < seconds[-1]  # growing
    assert len(throttled) >= 1
    assert throttle.delay("user", 5) is None and throttle.delay("user", 6) == timedelta(seconds=2)
    assert throttle.delay("user", 60) == throttle.MAX_DELAY
    # once the lock-out has passed, the right password works and clears the counter
    clock[0] += throttle.MAX_DELAY
    _login(store, "root", "s3cret-enough", source="10.9.9.9")
    with store.session() as s:
        assert throttle.locked_for(s, throttle.keys("root", "x"), clock[0]) == 0
        assert s.get(throttle.LoginThrottle, "user:root") is None


def test_one_address_guessing_many_users_is_locked_out(store: OpsStore) -> None:
    with store.session() as s:
        users.create_first_admin(s, "root", "s3cret-enough")
    for i in range(21):  # each username fails only once: the address is what gets locked
        with pytest.raises(PermissionDenied, match="wrong username"):
            _login(store, f"user{i}", "whatever-pw", source="10.6.6.6")
    with pytest.raises(PermissionDenied, match="too many failed logins"):
        _login(store, "root", "s3cret-enough", source="10.6.6.6")
    _login(store, "root", "s3cret-enough", source="10.7.7.7")  # another address is not locked


def test_unknown_and_disabled_users_cost_one_hash_like_a_wrong_password(store: OpsStore,
                                                                       monkeypatch) -> None:
    """Timing must not tell which usernames exist: every failed login verifies one argon2 hash
    made with the same parameters."""
    with store.session() as s:
        admin = users.actor_for(users.create_first_admin(s, "root", "s3cret-enough"))
        users.create_user(s, admin, "gone", "long enough", "viewer")
        users.set_active(s, admin, "gone", False)
    calls: list[str] = []
    real = users._hasher

    class Counting:
        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(real, name)

        def verify(self, h: str, pw: str) -> bool:
            calls.append(h.split("$")[3])  # the parameters the hash was made with
            return real.verify(h, pw)

    monkeypatch.setattr(users, "_hasher", Counting())
    for name, pw in (("root", "wrong-password"), ("nobody", "s3cret-enough"),
                     ("gone", "long enough")):
        with pytest.raises(PermissionDenied, match="wrong username or password"):
            _login(store, name, pw)
    assert len(calls) == 3 and len(set(calls)) == 1, calls
