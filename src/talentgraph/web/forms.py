"""Reading loose form fields (text boxes may be blank) into typed values, with clear messages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from talentgraph.errors import OpsInputError
from talentgraph.ops.comp.inputs import PackageIn, PrivateTermsIn, parse_amount, problem


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
    """A non-negative amount such as 250000 or 250,000 (the one rule: ops.comp.inputs)."""
    v = text(v)
    if v is None:
        return None
    d, wrong = parse_amount(v)
    if wrong is not None:
        raise OpsInputError(f"{name}: {wrong}, not {v!r}")
    return d


def package_fields(prefix: str, form: Any, *, private: bool = False) -> dict[str, Any] | None:
    """The package fields `<prefix>_base`, `_bonus_pct`... of a form; None when all are blank."""
    keys = ["base", "bonus_pct", "sign_on", "equity", "refresher"]
    if private:
        keys += ["private_discount_pct", "liquidity_probability", "years_to_liquidity"]
    out: dict[str, Any] = {k: text(form.get(f"{prefix}_{k}")) for k in keys}
    if all(v is None for v in out.values()):
        return None
    if out["base"] is None:
        raise OpsInputError(f"{prefix} base salary: required when any {prefix} field is given")
    lp = out.get("liquidity_probability")
    if lp is not None:
        try:
            p = Decimal(str(lp).replace(",", ""))
        except InvalidOperation:
            p = Decimal("NaN")
        if not p.is_finite():
            raise OpsInputError(f"{prefix} liquidity probability: a number, not {lp!r}")
        out["liquidity_probability"] = p / 100 if p > 1 else p  # given as a percent
    out["vesting"] = text(form.get(f"{prefix}_vesting")) or "cliff_monthly"
    model = PrivateTermsIn if private else PackageIn  # the API's models: the same rules
    try:
        valid = model.model_validate(out).model_dump()
    except ValidationError as exc:
        field, wrong = problem(exc)
        raise OpsInputError(f"{prefix} {field.replace('_', ' ')}: {wrong}") from None
    if private:
        valid["private"] = bool(text(form.get(f"{prefix}_private")))
    return valid
