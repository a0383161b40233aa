"""The operational store's tables (SQLAlchemy 2 typed models; the schema itself comes from Alembic).

Personal data lives only in the columns marked "personal" below; the audit log holds ids and
field names, never names, e-mails or pay, so an erasure never has to touch the append-only log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(14, 2)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Web sessions carry the epoch they were made in; raising it (logout, a password change,
    # disabling the user) ends every session made before, server-side.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginThrottle(Base):
    """Failed logins per key ("user:NAME" or "addr:IP") and how long the key is locked out."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Append-only: triggers on SQLite and PostgreSQL refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class HiringPlan(Base):
    __tablename__ = "hiring_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    team: Mapped[str] = mapped_column(String(200))
    headcount_target: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Requisition(Base):
    __tablename__ = "requisitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("hiring_plans.id"))
    title: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(40))
    headcount_target: Mapped[int] = mapped_column(Integer)
    open_date: Mapped[date] = mapped_column(Date)
    close_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Candidate(Base):
    """name/email/name_norm/email_norm/person_id/source_note are personal; erasure nulls them."""

    __tablename__ = "candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    name_norm: Mapped[str | None] = mapped_column(String(300), index=True)
    email_norm: Mapped[str | None] = mapped_column(String(320), index=True)
    source_note: Mapped[str | None] = mapped_column(Text)
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisitions.id"))
    stage: Mapped[str] = mapped_column(String(20), default="sourced")
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("name_norm", "email_norm"),)

    history: Mapped[list[StageChange]] = relationship(
        back_populates="candidate", order_by="StageChange.id")


class StageChange(Base):
    __tablename__ = "candidate_stages"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)  # personal: erased
    candidate: Mapped[Candidate] = relationship(back_populates="history")


class CandidateNote(Base):
    __tablename__ = "candidate_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OutreachLetter(Base):
    __tablename__ = "outreach_letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    to_address: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    message_id: Mapped[str | None] = mapped_column(String(300))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutreachReply(Base):
    __tablename__ = "outreach_replies"
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("outreach_letters.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Employee(Base):
    """Natural key: email (lower-cased)."""

    __tablename__ = "employees"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    team: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    base: Mapped[Decimal] = mapped_column(Money)
    bonus: Mapped[Decimal] = mapped_column(Money, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    person_id: Mapped[str | None] = mapped_column(String(120), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    grants: Mapped[list[EquityGrant]] = relationship(
        back_populates="employee", order_by="EquityGrant.grant_date", cascade="all, delete-orphan")


class EquityGrant(Base):
    """Natural key: (employee, grant_date, schedule_kind)."""

    __tablename__ = "equity_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    grant_date: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    shares: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    price: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    schedule_kind: Mapped[str] = mapped_column(String(40))
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    employee: Mapped[Employee] = relationship(back_populates="grants")
    __table_args__ = (UniqueConstraint("employee_id", "grant_date", "schedule_kind"),)


class MarketBand(Base):
    """Yearly pay ranges; natural key: (company, level, currency, source, as_of)."""

    __tablename__ = "market_bands"
    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[date] = mapped_column(Date)
    base_min: Mapped[Decimal] = mapped_column(Money)
    base_max: Mapped[Decimal] = mapped_column(Money)
    bonus_min: Mapped[Decimal] = mapped_column(Money)
    bonus_max: Mapped[Decimal] = mapped_column(Money)
    equity_min: Mapped[Decimal] = mapped_column(Money)
    equity_max: Mapped[Decimal] = mapped_column(Money)
    sign_on_min: Mapped[Decimal] = mapped_column(Money, default=0)
    sign_on_max: Mapped[Decimal] = mapped_column(Money, default=0)
    __table_args__ = (UniqueConstraint("company", "level", "currency", "source", "as_of"),)


class CompetingOffer(Base):
    __tablename__ = "competing_offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    company: Mapped[str] = mapped_column(String(200))
    package: Mapped[dict[str, Any]] = mapped_column(JSON)
    yearly_totals: Mapped[list[Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Offer(Base):
    """dossier and note are personal (erased); the package numbers stay as anonymous counts."""

    __tablename__ = "offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisitions.id"))
    level: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    package: Mapped[dict[str, Any]] = mapped_column(JSON)
    yearly_totals: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30), default="pending_approval")
    competing_offer_id: Mapped[int | None] = mapped_column(ForeignKey("competing_offers.id"))
    comparison: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    needs_exception: Mapped[bool] = mapped_column(Boolean, default=False)
    without_interviews: Mapped[bool] = mapped_column(Boolean, default=False)
    dossier: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Approval(Base):
    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(20))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approver_role: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class CounterOffer(Base):
    __tablename__ = "counter_offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    competing_offer_id: Mapped[int] = mapped_column(ForeignKey("competing_offers.id"))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[Any]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(20))
    chosen: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """Policies as settings, e.g. counter_offer = {"allowed": true, "max_uplift_pct": 15}."""

    __tablename__ = "policies"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ErasureRecord(Base):
    """That an erasure happened (when, by whom, which internal id) - nothing personal."""

    __tablename__ = "erasures"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
