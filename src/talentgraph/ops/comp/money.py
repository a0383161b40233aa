"""Money helpers: Decimal amounts, ISO 4217 currency codes, rounding to cents, explicit FX tables.

Amounts are `decimal.Decimal` everywhere (never float) and are rounded half-up to cents only when
an amount is reported, so that sums of yearly parts equal the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import pycountry

from talentgraph.errors import CompensationError

CENT = Decimal("0.01")
ZERO = Decimal(0)


class CurrencyError(CompensationError):
    """An unknown currency code, or amounts in two currencies without an FX table."""


# ISO 4217 "X" codes are metals, funds and test codes (XXX = no currency) except these four.
_X_CURRENCIES = {"XAF", "XOF", "XPF", "XCD"}


def currency_code(code: str) -> str:
    """The upper-case ISO 4217 code of a real currency, or CurrencyError naming the bad value."""
    norm = (code or "").strip().upper()
    if (len(norm) != 3 or pycountry.currencies.get(alpha_3=norm) is None
            or (norm.startswith("X") and norm not in _X_CURRENCIES)):
        raise CurrencyError(f"unknown currency {code!r}: use an ISO 4217 code such as USD, EUR, "
                            "GBP, CHF or CAD")
    return norm


def to_decimal(value: Decimal | int | str | Fraction | float, what: str = "amount") -> Decimal:
    """A finite Decimal from an int, str, Decimal, Fraction or float (floats go through str)."""
    try:
        if isinstance(value, Fraction):
            result = Decimal(value.numerator) / Decimal(value.denominator)
        elif isinstance(value, float):
            result = Decimal(repr(value))
        else:
            result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise CompensationError(f"{what} {value!r} is not a number") from None
    if not result.is_finite():
        raise CompensationError(f"{what} {value!r} is not a finite number")
    return result


def cents(amount: Decimal) -> Decimal:
    """Round half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_up(amount: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of `step` that is >= amount (step > 0)."""
    if amount <= 0:
        return ZERO
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


@dataclass(frozen=True)
class FxTable:
    """Exchange rates into one `base` currency: `rates[c]` is how many `base` units 1 `c` buys.

    Mixing currencies is refused unless the caller passes one of these, so a comparison never
    silently adds dollars to francs.
    """

    base: str
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", currency_code(self.base))
        clean: dict[str, Decimal] = {self.base: Decimal(1)}
        for code, rate in self.rates.items():
            rate_d = to_decimal(rate, f"FX rate for {code}")
            if rate_d <= 0:
                raise CurrencyError(f"FX rate for {code} must be positive, got {rate}")
            clean[currency_code(code)] = rate_d
        object.__setattr__(self, "rates", clean)

    def rate(self, from_ccy: str, to_ccy: str) -> Decimal:
        """How many `to_ccy` units one `from_ccy` buys."""
        src, dst = currency_code(from_ccy), currency_code(to_ccy)
        if src == dst:
            return Decimal(1)
        missing = [c for c in (src, dst) if c not in self.rates]
        if missing:
            raise CurrencyError(f"the FX table (base {self.base}) has no rate for "
                                f"{', '.join(missing)}")
        return self.rates[src] / self.rates[dst]

    def convert(self, amount: Decimal, from_ccy: str, to_ccy: str) -> Decimal:
        return amount * self.rate(from_ccy, to_ccy)


def conversion_rate(from_ccy: str, to_ccy: str, fx: FxTable | None) -> Decimal:
    """Rate from one currency to another; CurrencyError when they differ and no table is given."""
    src, dst = currency_code(from_ccy), currency_code(to_ccy)
    if src == dst:
        return Decimal(1)
    if fx is None:
        raise CurrencyError(f"cannot mix {src} and {dst} without an FX table: pass fx=FxTable(...)"
                            " with both rates")
    return fx.rate(src, dst)
