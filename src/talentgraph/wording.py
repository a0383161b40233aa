"""How counts, ranks and money read, for the command line, the web pages and the documents alike
(one place, so "1 bands", "71th" or "1226055.59 USD" cannot come back in one of them).

Money and plural rules come from Babel (CLDR data); English ordinal suffixes are written out
below because Babel formats ordinals only as spelled-out rule sets, not "71st".
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal

LOCALE = Locale("en", "US")
# Grouped amount, the currency's own number of decimals (JPY none, USD two), then the ISO code:
# unambiguous between dollars, and what the CSV files and forms use.
MONEY_FORMAT = "#,##0.00 ¤¤"


def plural(word: str, n: int | float | Decimal | None, many: str | None = None) -> str:
    """`word` or its plural (`many`, else word + "s") as CLDR's English rule says for `n`."""
    if n is not None and LOCALE.plural_form(abs(n)) == "one":
        return word
    return many or f"{word}s"


def count(n: int | float | Decimal | None, word: str, many: str | None = None) -> str:
    """'1 band', '2 bands', '12,500 papers' (a missing count reads 'no' count)."""
    if n is None:
        return f"no {plural(word, 0, many)}"
    return f"{number(n)} {plural(word, n, many)}"


def number(n: int | float | Decimal | None, digits: int = 0) -> str:
    """A grouped number: 12,500; with `digits` decimals at most."""
    if n is None:
        return ""
    fmt = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(n, format=fmt, locale=LOCALE)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 71st, 112th."""
    n = int(n)
    if 10 <= abs(n) % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(abs(n) % 10, "th")
    return f"{n}{suffix}"


def percentile(fraction: float | None) -> str:
    """A share 0..1 as a percentile rank: 0.71 -> '71st'; None -> 'n/a'."""
    if fraction is None:
        return "n/a"
    return ordinal(round(100 * float(fraction)))


def money(amount: int | float | Decimal | str | None, currency: str) -> str:
    """'1,226,055.59 USD', '1,226,056 JPY': grouped, with the currency's decimals."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    return format_currency(value, currency.upper(), format=MONEY_FORMAT, locale=LOCALE,
                           currency_digits=True)
