"""Policies and organisation settings stored in the `policies` table, with defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from talentgraph.errors import OpsInputError
from talentgraph.ops import audit
from talentgraph.ops.models import Setting, utcnow
from talentgraph.ops.permissions import Actor, Op, require

DEFAULTS: dict[str, dict[str, Any]] = {
    # Counter-offers for employees holding a competing offer.
    "counter_offer": {"allowed": True, "max_uplift_pct": 15},
    # Offers: margin by which we want to beat a competing offer, and private-equity assumptions.
    "offer": {"beat_margin_pct": 5, "private_discount_pct": 50, "liquidity_years": 4},
    # Who "we" are: used for letters and for "shared coauthors at our organisation".
    "organisation": {"name": "our lab", "org_ids": [], "aliases": []},
}


def _check(key: str, value: dict[str, Any]) -> dict[str, Any]:
    if key not in DEFAULTS:
        raise OpsInputError(f"unknown setting {key!r}; settings are: {', '.join(DEFAULTS)}")
    unknown = set(value) - set(DEFAULTS[key])
    if unknown:
        raise OpsInputError(f"setting {key}: unknown field(s) {', '.join(sorted(unknown))}; "
                            f"fields are {', '.join(DEFAULTS[key])}")
    merged = {**DEFAULTS[key], **value}
    for name, default in DEFAULTS[key].items():
        if isinstance(default, bool) and not isinstance(merged[name], bool):
            raise OpsInputError(f"setting {key}.{name}: true or false, not {merged[name]!r}")
        if isinstance(default, int) and not isinstance(default, bool) and (
                not isinstance(merged[name], int | float) or merged[name] < 0):
            raise OpsInputError(f"setting {key}.{name}: a number >= 0, not {merged[name]!r}")
    return merged


def get_setting(s: Session, key: str) -> dict[str, Any]:
    """The stored value merged over the default (internal: callers check permissions)."""
    if key not in DEFAULTS:
        raise OpsInputError(f"unknown setting {key!r}; settings are: {', '.join(DEFAULTS)}")
    row = s.get(Setting, key)
    return {**DEFAULTS[key], **(row.value if row else {})}


def our_org_queries(org: dict[str, Any]) -> list[str]:
    """What names our organisation in the analytical store, from the `organisation` setting:
    its org ids, else its name and aliases (the default "our lab" names nothing)."""
    ids = [str(i) for i in org.get("org_ids") or [] if str(i).strip()]
    if ids:
        return ids
    default = DEFAULTS["organisation"]["name"]
    return [n for n in [org.get("name"), *(org.get("aliases") or [])]
            if n and str(n).strip() and n != default]


def our_organisation(s: Session) -> dict[str, Any]:
    """Who "we" are (the `organisation` setting): not personal data, read without a role check
    by the web pages and the command line alike."""
    return get_setting(s, "organisation")


def view_settings(s: Session, actor: Actor) -> dict[str, dict[str, Any]]:
    require(actor, Op.POLICY_VIEW)
    return {key: get_setting(s, key) for key in DEFAULTS}


def set_setting(s: Session, actor: Actor, key: str, value: dict[str, Any]) -> dict[str, Any]:
    require(actor, Op.POLICY_EDIT)
    merged = _check(key, {**get_setting(s, key), **value})
    row = s.get(Setting, key)
    old = row.value if row else None
    if row is None:
        s.add(Setting(key=key, value=merged, updated_by=actor.user_id, updated_at=utcnow()))
    else:
        row.value, row.updated_by, row.updated_at = merged, actor.user_id, utcnow()
    s.flush()
    audit.record(s, actor, "policy.set", "policy", key, old=old, new=merged)
    return merged
