"""Who may do what: the one permission matrix, checked by every service function.

Row-level rules that a matrix cannot express (a contract recruiter sees only the candidates
assigned to them) are enforced by `require_candidate_access` in the candidate services.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from talentgraph.errors import OpsInputError, PermissionDenied


class Role(StrEnum):
    EXECUTIVE = "executive"
    RECRUITING_LEAD = "recruiting_lead"
    RECRUITER = "recruiter"
    CONTRACT_RECRUITER = "contract_recruiter"  # also sourcers on short contracts
    HIRING_MANAGER = "hiring_manager"
    COMP_PARTNER = "comp_partner"
    VIEWER = "viewer"
    ADMIN = "admin"


ROLE_ALIASES = {"sourcer": Role.CONTRACT_RECRUITER, "compensation_partner": Role.COMP_PARTNER}


def parse_role(text: str) -> Role:
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key in ROLE_ALIASES:
        return ROLE_ALIASES[key]
    try:
        return Role(key)
    except ValueError:
        known = ", ".join([r.value for r in Role] + list(ROLE_ALIASES))
        raise OpsInputError(f"unknown role {text!r}; roles are: {known}") from None


class Op(StrEnum):
    USER_ADMIN = "user.admin"            # create users, change roles
    USER_LIST = "user.list"
    PLAN_EDIT = "plan.edit"              # hiring plans and requisitions
    PLAN_VIEW = "plan.view"              # requisitions, progress counts (no personal data)
    CANDIDATE_CREATE = "candidate.create"
    CANDIDATE_VIEW = "candidate.view"    # names, e-mails, history (personal data)
    CANDIDATE_STAGE = "candidate.stage"
    CANDIDATE_ASSIGN = "candidate.assign"
    OUTREACH_WRITE = "outreach.write"    # draft, send, record replies
    OUTREACH_VIEW = "outreach.view"      # read letters, export .eml
    OUTREACH_SIGN = "outreach.sign"      # be the executive a letter is signed by
    EMPLOYEE_IMPORT = "employee.import"
    EMPLOYEE_VIEW = "employee.view"      # roster with pay
    BANDS_IMPORT = "bands.import"
    BANDS_VIEW = "bands.view"
    OFFER_BUILD = "offer.build"          # offers, competing offers, comparisons
    OFFER_VIEW = "offer.view"
    OFFER_APPROVE = "offer.approve"      # approval record; required for exceptions
    COUNTER_OPTIONS = "counter.options"
    COUNTER_DECIDE = "counter.decide"
    POLICY_EDIT = "policy.edit"
    POLICY_VIEW = "policy.view"
    RISK_VIEW = "risk.view"              # flight risk (uses pay against band)
    AUDIT_VIEW = "audit.view"
    ERASE = "erase"
    BACKUP = "backup"                    # a full copy of the store (personal data and pay)


E, RL, R, CR, HM, CP, V, A = (Role.EXECUTIVE, Role.RECRUITING_LEAD, Role.RECRUITER,
                              Role.CONTRACT_RECRUITER, Role.HIRING_MANAGER, Role.COMP_PARTNER,
                              Role.VIEWER, Role.ADMIN)
RECRUITING = {E, RL, R, CR}
PAY = {E, CP}  # only compensation partners and executives see pay

MATRIX: dict[Op, frozenset[Role]] = {op: frozenset(roles) for op, roles in {
    Op.USER_ADMIN: {A},
    Op.USER_LIST: {A, E, RL},
    Op.PLAN_EDIT: {E, RL, HM},
    Op.PLAN_VIEW: {E, RL, R, CR, HM, CP, V, A},
    Op.CANDIDATE_CREATE: RECRUITING,
    Op.CANDIDATE_VIEW: RECRUITING | {HM, CP},
    Op.CANDIDATE_STAGE: RECRUITING | {HM},
    Op.CANDIDATE_ASSIGN: {E, RL},
    Op.OUTREACH_WRITE: RECRUITING,
    Op.OUTREACH_VIEW: RECRUITING,
    Op.OUTREACH_SIGN: {E},
    Op.EMPLOYEE_IMPORT: PAY,
    Op.EMPLOYEE_VIEW: PAY,
    Op.BANDS_IMPORT: PAY,
    Op.BANDS_VIEW: PAY,
    Op.OFFER_BUILD: PAY,
    Op.OFFER_VIEW: PAY,
    Op.OFFER_APPROVE: {E},
    Op.COUNTER_OPTIONS: PAY,
    Op.COUNTER_DECIDE: PAY,
    Op.POLICY_EDIT: {E},
    Op.POLICY_VIEW: PAY | {A},
    Op.RISK_VIEW: PAY,
    Op.AUDIT_VIEW: {A, E},
    Op.ERASE: {A, RL},
    Op.BACKUP: {A},
}.items()}


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which role, from where ('cli', 'web', an IP address...)."""

    user_id: int | None
    role: Role
    source: str = "cli"
    username: str | None = None


# The identity migrations and first-admin creation run as; never given to a user.
SYSTEM = Actor(user_id=None, role=Role.ADMIN, source="system", username="system")


def allowed(role: Role, op: Op) -> bool:
    return role in MATRIX[op]


def least_privileged() -> Role:
    """The role allowed the fewest operations: what a new account gets unless told otherwise."""
    return min(Role, key=lambda r: sum(r in roles for roles in MATRIX.values()))


def denied(actor: Actor, op: Op | str, message: str, object_type: str = "",
           object_id: int | str | None = None) -> PermissionDenied:
    """A PermissionDenied carrying the audit entry that OpsStore.session() writes for it.

    The refused transaction rolls back, so the store records the attempt in a transaction of
    its own: refusals are part of the audit trail too.
    """
    exc = PermissionDenied(message)
    exc.audit_entry = {  # type: ignore[attr-defined]
        "user_id": actor.user_id, "username": actor.username, "role": actor.role.value,
        "source": actor.source, "action": "denied", "object_type": object_type or "operation",
        "object_id": None if object_id is None else str(object_id),
        "details": {"operation": str(op)}}
    return exc


def require(actor: Actor, op: Op) -> None:
    """Raise PermissionDenied unless the actor's role allows `op`."""
    if not allowed(actor.role, op):
        who = actor.username or f"user {actor.user_id}"
        raise denied(actor, op, f"{who} ({actor.role.value}) may not {op.value}; allowed "
                     "roles: " + ", ".join(sorted(r.value for r in MATRIX[op])))
