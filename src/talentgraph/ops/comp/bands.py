"""Market pay bands: the `MarketBand` type and `parse_bands_csv` (per-row errors, no exceptions).

CSV columns (any case, BOM and blank lines allowed):
    company, level, currency, source, as_of (YYYY-MM-DD, not in the future),
    base | base_min + base_max, bonus | bonus_min + bonus_max,
    equity_per_year | equity_per_year_min + equity_per_year_max,
    sign_on | sign_on_min + sign_on_max (optional; 0 when absent).
A single value (`base`) is a band of one point. Amounts are yearly, in the row's currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from talentgraph.errors import CompensationError
from talentgraph.ops.comp.csvrows import ROW_LIMITS, ParseResult, Row, RowError, iter_rows, open_csv
from talentgraph.ops.comp.money import ZERO, currency_code, to_decimal


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        low, high = to_decimal(self.low, "band minimum"), to_decimal(self.high, "band maximum")
        if low < 0 or high < low:
            raise CompensationError(f"a band needs 0 <= minimum <= maximum, got {low}..{high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @property
    def mid(self) -> Decimal:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class MarketBand:
    """Yearly pay for one level at one company, from one source on one date."""

    company: str
    level: str
    currency: str
    base: Range
    bonus: Range
    equity_per_year: Range
    source: str = ""
    as_of: date | None = None
    sign_on: Range = Range(ZERO, ZERO)

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", currency_code(self.currency))

    @property
    def total_mid(self) -> Decimal:
        """Midpoint of yearly base + bonus + equity."""
        return self.base.mid + self.bonus.mid + self.equity_per_year.mid


PAY_FIELDS = ("base", "bonus", "equity_per_year", "sign_on")
REQUIRED = {"company", "level", "currency", "source", "as_of"}
ALTERNATIVES = {f: {f, f"{f}_min+{f}_max"} for f in ("base", "bonus", "equity_per_year")}


def _range(row: Row, name: str, required: bool) -> Range | None:
    if row.has(name):
        value = row.money(name)
        return Range(value, value) if value is not None else None
    low_col, high_col = f"{name}_min", f"{name}_max"
    if not (row.has(low_col) or row.has(high_col)):
        if required:
            row.error(name, f"missing value (give {name} or {low_col} and {high_col})")
            return None
        return Range(ZERO, ZERO)
    low, high = row.money(low_col), row.money(high_col)
    if low is None or high is None:
        return None
    if high < low:
        row.error(high_col, f"maximum {high} is below the minimum {low}")
        return None
    return Range(low, high)


def parse_bands_text(text: str | Iterable[str], name: str = "<bands>", today: date | None = None
                     ) -> ParseResult[MarketBand]:
    """Parse bands CSV text (or an open file); every bad row becomes a RowError."""
    today = today or date.today()
    result: ParseResult[MarketBand] = ParseResult()
    seen: dict[tuple[str, ...], int] = {}
    for row in iter_rows(text, name, REQUIRED, result, ALTERNATIVES, ROW_LIMITS["bands"]):
        company, level, source = row.text("company"), row.text("level"), row.text("source")
        ccy = row.currency()
        as_of = row.day("as_of")
        if as_of is not None and as_of > today:
            row.error("as_of", f"{as_of} is in the future (today is {today})")
            as_of = None
        ranges = {f: _range(row, f, required=f != "sign_on") for f in PAY_FIELDS}
        if row.errors:
            result.errors += row.errors
            continue
        key = (company.lower(), level.lower(), ccy, source.lower(), str(as_of))  # type: ignore[union-attr]
        if key in seen:
            result.errors.append(RowError(name, row.line, None, "duplicate band: same company, "
                                          f"level, currency, source and date as row {seen[key]}"))
            continue
        seen[key] = row.line
        result.rows.append(MarketBand(company, level, ccy, ranges["base"], ranges["bonus"],  # type: ignore[arg-type]
                                      ranges["equity_per_year"], source, as_of,  # type: ignore[arg-type]
                                      ranges["sign_on"]))  # type: ignore[arg-type]
    return result


def parse_bands_csv(path: str | Path, today: date | None = None) -> ParseResult[MarketBand]:
    """Parse a bands CSV file (streamed, within the limits of csvrows); unreadable or too large
    files give one file-level error."""
    f, err = open_csv(path)
    if f is None:
        return ParseResult(errors=[err] if err else [])
    with f:
        return parse_bands_text(f, Path(path).name, today)


def band_for(bands: Iterable[MarketBand], company: str, level: str,
             currency: str | None = None) -> MarketBand | None:
    """The most recent band for a company and level (case-insensitive), or None."""
    matches = [b for b in bands if b.company.lower() == company.lower()
               and b.level.lower() == level.lower()
               and (currency is None or b.currency == currency_code(currency))]
    return max(matches, key=lambda b: b.as_of or date.min, default=None)
