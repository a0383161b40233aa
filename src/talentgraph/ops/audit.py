"""The append-only audit log: who did or read what, when, from where.

Entries hold ids, field names and counts, never names, e-mails or pay, so erasing a person
never needs to touch this log (which the database refuses to change anyway).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentgraph.ops.models import AuditEntry, utcnow
from talentgraph.ops.permissions import Actor, Op, require


def record(s: Session, actor: Actor, action: str, object_type: str,
           object_id: int | str | None = None, **details: Any) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change)."""
    entry = AuditEntry(at=utcnow(), user_id=actor.user_id, username=actor.username,
                       role=actor.role.value, source=actor.source, action=action,
                       object_type=object_type,
                       object_id=None if object_id is None else str(object_id),
                       details=details)
    s.add(entry)
    s.flush()
    return entry


def entry_dict(e: AuditEntry) -> dict[str, Any]:
    return {"id": e.id, "at": e.at, "user_id": e.user_id, "username": e.username, "role": e.role,
            "source": e.source, "action": e.action, "object_type": e.object_type,
            "object_id": e.object_id, "details": e.details}


def list_entries(s: Session, actor: Actor, *, action: str | None = None,
                 object_type: str | None = None, object_id: str | None = None,
                 username: str | None = None, since: datetime | None = None,
                 limit: int = 200) -> list[dict[str, Any]]:
    """Newest first. Reading the log is itself logged."""
    require(actor, Op.AUDIT_VIEW)
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        q = q.where(AuditEntry.action.like(action.replace("*", "%")))
    if object_type:
        q = q.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditEntry.object_id == str(object_id))
    if username:
        q = q.where(AuditEntry.username == username)
    if since:
        q = q.where(AuditEntry.at >= since)
    rows = [entry_dict(e) for e in s.scalars(q)]
    record(s, actor, "audit.read", "audit_log", None, returned=len(rows))
    return rows
