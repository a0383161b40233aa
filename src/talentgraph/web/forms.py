"""Reading loose form fields (text boxes may be blank) into typed values, with clear messages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from talentgraph.errors import OpsInputError

MAX_AMOUNT = Decimal("1e12")


def text(v: Any) -> str | None:
    v = (v or "").strip() if isinstance(v, str) else v
    return v or None


def integer(name: str, v: Any, lo: int | None = None, hi: int | None = None) -> int | None:
    v = text(v)
    if v is None:
        return None
    try:
        n = int(v)
    except (TypeError, ValueError):
        raise OpsInputError(f"{name}: a whole number, not {v!r}") from None
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        raise OpsInputError(f"{name}: between {lo} and {hi}, not {n}")
    return n


def amount(name: str, v: Any) -> Decimal | None:
    """A non-negative amount such as 250000 or 250,000."""
    v = text(v)
    if v is None:
        return None
    try:
        d = Decimal(str(v).replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise OpsInputError(f"{name}: a number, not {v!r}") from None
    if not d.is_finite() or d < 0 or d > MAX_AMOUNT:
        raise OpsInputError(f"{name}: a number from 0 to {MAX_AMOUNT:,.0f}, not {v!r}")
    return d


def package_fields(prefix: str, form: Any, *, private: bool = False) -> dict[str, Any] | None:
    """The package fields `<prefix>_base`, `_bonus_pct`... of a form; None when all are blank."""
    keys = ["base", "bonus_pct", "sign_on", "equity", "refresher"]
    if private:
        keys += ["private_discount_pct", "liquidity_probability", "years_to_liquidity"]
    out: dict[str, Any] = {k: amount(f"{prefix} {k.replace('_', ' ')}", form.get(f"{prefix}_{k}"))
                           for k in keys}
    if all(v is None for v in out.values()):
        return None
    if out["base"] is None:
        raise OpsInputError(f"{prefix} base salary: required when any {prefix} field is given")
    if out.get("liquidity_probability") is not None and out["liquidity_probability"] > 1:
        out["liquidity_probability"] = out["liquidity_probability"] / 100  # given as a percent
    out["vesting"] = text(form.get(f"{prefix}_vesting")) or "cliff_monthly"
    if private:
        out["private"] = bool(text(form.get(f"{prefix}_private")))
    return out
