"""One validation of amounts and pay packages for every interface: CSV rows, web forms, the JSON
API and the command line (pydantic models; the API shows them in its schema).

An amount is a non-negative number below MAX_AMOUNT (the store keeps 12 digits and 2 decimals),
written plainly or with thousands separators and a currency symbol ("$185,000", "185 000.50").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, TypeAdapter, ValidationError

MAX_AMOUNT = Decimal(10) ** 12  # exclusive: Numeric(14, 2) holds 12 digits before the point
_SYMBOLS = str.maketrans("", "", "$€£¥,_ \u00a0\u202f'")


def _clean(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip().translate(_SYMBOLS)
        return v or None
    if isinstance(v, float):
        return str(v)  # 0.1 as typed, not its binary expansion
    return v


Amount = Annotated[Decimal, BeforeValidator(_clean),
                   Field(ge=0, lt=MAX_AMOUNT, max_digits=14, decimal_places=2,
                         allow_inf_nan=False)]
Percent = Annotated[Decimal, BeforeValidator(_clean),
                    Field(ge=0, le=500, max_digits=8, decimal_places=2, allow_inf_nan=False)]
Vesting = Literal["cliff_monthly", "cliff_quarterly", "front_loaded", "monthly"]

_AMOUNT: TypeAdapter[Decimal | None] = TypeAdapter(Amount | None)


class PackageIn(BaseModel):
    """A pay package: ours, or a rival's."""

    base: Amount
    bonus_pct: Percent | None = None
    sign_on: Amount | None = None
    equity: Amount | None = Field(None, description="grant value over the vesting schedule")
    refresher: Amount | None = None
    vesting: Vesting = "cliff_monthly"


class PrivateTermsIn(PackageIn):
    """A rival's package, whose equity may be in a private company."""

    private_discount_pct: Annotated[Decimal, Field(ge=0, le=100, max_digits=6,
                                                   decimal_places=2)] | None = None
    liquidity_probability: Annotated[Decimal, Field(ge=0, le=1, max_digits=5,
                                                    decimal_places=4)] | None = None
    years_to_liquidity: Annotated[Decimal, Field(ge=0, le=30, max_digits=5,
                                                 decimal_places=2)] | None = None


class CompetingIn(PrivateTermsIn):
    company: str = Field(min_length=1, max_length=200)
    private: bool = Field(False, description="private-company equity: valued with the offer "
                          "policy's discount and years to liquidity unless given here")


def problem(exc: ValidationError) -> tuple[str, str]:
    """(field, what is wrong) for the first problem of a validation, in words a user can act
    on; the field is "" for a single value."""
    err = exc.errors()[0]
    field = ".".join(str(x) for x in err.get("loc", ()) if x != "function-after")
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind in ("less_than", "less_than_equal") and ctx:
        bound = ctx.get("lt", ctx.get("le"))
        raw = str(bound).removeprefix("Decimal(").strip("')")
        try:
            shown = f"{Decimal(raw):,f}"
        except ArithmeticError:
            shown = raw
        text = f"must be {'below' if 'lt' in ctx else 'at most'} {shown}"
    elif kind in ("greater_than_equal",):
        text = "must not be negative"
    elif kind == "missing":
        text = "is required"
    elif kind.startswith("decimal_") and "places" in kind:
        text = "has more than 2 decimals"
    elif kind.startswith("decimal_") and "digits" in kind:
        text = "has too many digits"
    elif kind == "finite_number":
        text = "a finite number"
    elif kind in ("decimal_parsing", "decimal_type"):
        text = "a number, such as 185000 or 185000.50"
    else:
        text = err.get("msg", "is not valid")
    return field, text


def parse_amount(value: Any) -> tuple[Decimal | None, str | None]:
    """(the amount or None for a blank, None) or (None, what is wrong with it)."""
    try:
        return _AMOUNT.validate_python(value), None
    except ValidationError as exc:
        return None, problem(exc)[1]
