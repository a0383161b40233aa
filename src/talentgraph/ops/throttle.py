"""Login throttling: failed logins counted per username and per client address, with growing
lock-outs, kept in the operational store so every process (CLI, each web worker) sees them.

After FREE[kind] failures in a row (within RESET_AFTER of each other) each further failure locks
the key for BASE_DELAY * 2^(extra failures - 1), at most MAX_DELAY. A successful login clears the
user's counter (not the address's: one good account must not reset an address guessing others).
Hand-written: the rate-limit libraries keep their counters in process memory or Redis, and the
counters must live in the store that both the CLI and every web worker share.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from talentgraph.ops import audit
from talentgraph.ops.models import LoginThrottle
from talentgraph.ops.permissions import Actor

FREE = {"user": 5, "addr": 20}
BASE_DELAY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=15)
RESET_AFTER = timedelta(hours=1)


def keys(username: str, source: str) -> list[str]:
    return [f"user:{username[:150]}", f"addr:{source[:150]}"]


def _aware(t: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns: they were stored in UTC
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def locked_for(s: Session, key_list: list[str], now: datetime) -> float:
    """Seconds until every key may try again (0: none is locked)."""
    until = [_aware(t) for t in s.scalars(select(LoginThrottle.locked_until)
                                          .where(LoginThrottle.key.in_(key_list)))]
    return max([(t - now).total_seconds() for t in until if t is not None and t > now],
               default=0.0)


def delay(kind: str, failures: int) -> timedelta | None:
    """How long the key is locked after its `failures`-th failure in a row (None: not locked)."""
    extra = failures - FREE[kind]
    if extra <= 0:
        return None
    return min(MAX_DELAY, BASE_DELAY * 2 ** min(extra - 1, 20))


def record_failure(s: Session, key_list: list[str], now: datetime, attempt: Actor) -> None:
    """Count one failure on each key (atomically: concurrent failures all count); lock the keys
    past their free failures, and audit each lock-out."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in key_list:
        stmt = insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now,
                                            locked_until=None)
        stale = LoginThrottle.last_failure_at < now - RESET_AFTER
        stmt = stmt.on_conflict_do_update(index_elements=[LoginThrottle.key], set_={
            "failures": case((stale, 1), else_=LoginThrottle.failures + 1),
            "last_failure_at": now})
        s.execute(stmt)
        row = s.get(LoginThrottle, key, populate_existing=True)
        assert row is not None
        kind = key.split(":", 1)[0]
        wait = delay(kind, row.failures)
        if wait is not None:
            row.locked_until = now + wait
            audit.record(s, attempt, "user.lockout", "login", "user" if kind == "user" else
                         "address", failures=row.failures, seconds=int(wait.total_seconds()))
    s.flush()


def clear(s: Session, username: str) -> None:
    """A successful login: the user's counter starts again."""
    s.execute(delete(LoginThrottle).where(LoginThrottle.key == keys(username, "")[0]))
