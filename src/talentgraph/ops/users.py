"""Users, roles and passwords (argon2), and turning a login into an `Actor`."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talentgraph.errors import DuplicateError, NotFoundError, OpsInputError
from talentgraph.ops import audit, throttle
from talentgraph.ops.models import User, utcnow
from talentgraph.ops.permissions import SYSTEM, Actor, Op, Role, denied, parse_role, require

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, t=3, 64 MiB,
# p=4): kept. The CPU this costs under a burst of logins is measured in benchmarks/web_load.py.
_hasher = PasswordHasher()
_dummy: tuple[PasswordHasher, str] | None = None
MIN_PASSWORD = 8


def _dummy_hash() -> str:
    """A hash made with the current parameters, verified for unknown users: every failed login
    then costs one argon2 verification, so the time taken does not tell which usernames exist."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash("not anybody's password"))
    return _dummy[1]


def user_dict(u: User) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "display_name": u.display_name,
            "email": u.email, "role": u.role, "active": u.active, "created_at": u.created_at}


def create_user(s: Session, actor: Actor, username: str, password: str, role: Role | str,
                display_name: str | None = None, email: str | None = None) -> User:
    require(actor, Op.USER_ADMIN)
    role = parse_role(role) if isinstance(role, str) else role
    username = username.strip()
    if not username or any(c.isspace() for c in username):
        raise OpsInputError(f"username {username!r}: give a non-empty name without spaces")
    if len(password) < MIN_PASSWORD:
        raise OpsInputError(f"password for {username}: use at least {MIN_PASSWORD} characters")
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise DuplicateError(f"a user named {username!r} already exists")
    user = User(username=username, display_name=display_name or username,
                email=(email or "").strip() or None, role=role.value,
                password_hash=_hasher.hash(password), active=True)
    s.add(user)
    s.flush()
    audit.record(s, actor, "user.create", "user", user.id, role=role.value)
    return user


def create_first_admin(s: Session, username: str, password: str,
                       display_name: str | None = None, email: str | None = None) -> User:
    """`ops init`: the first user, an admin; refused once any user exists."""
    if s.scalar(select(func.count(User.id))):
        raise DuplicateError("the store already has users; ask an admin to add you "
                             "(talentgraph ops user add)")
    return create_user(s, SYSTEM, username, password, Role.ADMIN, display_name, email)


def list_users(s: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, Op.USER_LIST)
    rows = [user_dict(u) for u in s.scalars(select(User).order_by(User.id))]
    audit.record(s, actor, "user.read", "user", None, count=len(rows))
    return rows


def get_user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user named {username!r} (see `talentgraph ops user list`)")
    return user


def authenticate(s: Session, username: str, password: str, source: str = "cli") -> Actor:
    """The Actor for a username and password; one message for every failure (no user probing).

    Unknown and disabled users cost one argon2 verification like a wrong password. Failures are
    counted per username and per source (client address) and lock them out for growing
    periods (`throttle`); a locked-out attempt is refused before any password is checked.
    """
    now = utcnow()
    key_list = throttle.keys(username, source)
    user = s.scalar(select(User).where(User.username == username))
    attempt = Actor(user_id=user.id if user else None, role=Role.VIEWER, source=source,
                    username=username[:80])
    wait = throttle.locked_for(s, key_list, now)
    if wait > 0:
        exc = denied(attempt, "user.login", f"too many failed logins for {username!r} or from "
                     f"this address: try again in {int(wait) + 1} s", "user",
                     user.id if user else None)
        exc.audit_entry.update(action="user.login_throttled", role="none")  # type: ignore[attr-defined]
        raise exc
    ok = _verify(user.password_hash if user is not None else _dummy_hash(), password)
    if not ok or user is None or not user.active:
        exc = denied(attempt, "user.login", f"login failed for {username!r}: wrong username or "
                     "password, or the account is disabled", "user", user.id if user else None)
        exc.audit_entry.update(action="user.login_failed", role="none")  # type: ignore[attr-defined]
        exc.after_rollback = [  # type: ignore[attr-defined]
            lambda s2: throttle.record_failure(s2, key_list, now, attempt)]
        raise exc
    throttle.clear(s, username)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    actor = Actor(user_id=user.id, role=Role(user.role), source=source, username=user.username)
    audit.record(s, actor, "user.login", "user", user.id)
    return actor


def actor_for(user: User, source: str = "cli") -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), source=source, username=user.username)


def _last_admin(s: Session, user: User) -> bool:
    admins = s.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN.value,
                                                        User.active.is_(True)))
    return user.role == Role.ADMIN.value and user.active and admins <= 1


def set_active(s: Session, actor: Actor, username: str, active: bool) -> User:
    """Disable (e.g. when a contractor's contract ends) or re-enable an account."""
    require(actor, Op.USER_ADMIN)
    user = get_user(s, username)
    if not active and _last_admin(s, user):
        raise OpsInputError(f"{username} is the last active admin; add another admin first")
    user.active = active
    if not active:
        user.session_epoch += 1  # their open web sessions end now
    audit.record(s, actor, "user.enable" if active else "user.disable", "user", user.id)
    return user


def set_role(s: Session, actor: Actor, username: str, role: Role | str) -> User:
    require(actor, Op.USER_ADMIN)
    role = parse_role(role) if isinstance(role, str) else role
    user = get_user(s, username)
    if role is not Role.ADMIN and _last_admin(s, user):
        raise OpsInputError(f"{username} is the last active admin; add another admin first")
    old, user.role = user.role, role.value
    audit.record(s, actor, "user.role", "user", user.id, old=old, new=role.value)
    return user


def set_password(s: Session, actor: Actor, username: str, new_password: str,
                 old_password: str | None = None) -> User:
    """Change one's own password (the old one is needed), or an admin resets anyone's."""
    user = get_user(s, username)
    if user.id != actor.user_id:
        require(actor, Op.USER_ADMIN)
    elif not _verify(user.password_hash, old_password or ""):
        raise denied(actor, "user.password", "the current password is wrong", "user", user.id)
    if len(new_password) < MIN_PASSWORD:
        raise OpsInputError(f"password for {username}: use at least {MIN_PASSWORD} characters")
    user.password_hash = _hasher.hash(new_password)
    user.session_epoch += 1  # sessions made with the old password end
    audit.record(s, actor, "user.password", "user", user.id,
                 reset_by_admin=user.id != actor.user_id)
    return user


def end_sessions(s: Session, actor: Actor) -> None:
    """Log out: every web session of the acting user made before now stops working."""
    user = s.get(User, actor.user_id)
    if user is not None:
        user.session_epoch += 1
        audit.record(s, actor, "user.logout", "user", user.id)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
