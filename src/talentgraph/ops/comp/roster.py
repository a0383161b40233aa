"""Our staff: `Employee` and `Grant`, parsed from CSV with per-row errors (never exceptions).

Roster columns: name, email, team, level, start_date, base, bonus, currency, person_id (optional).
Grants columns: employee_email, grant_date, value | shares + price, currency (optional when the
roster gives the employee's), kind (cliff_monthly [default], cliff_quarterly, front_loaded,
monthly, custom), fractions (optional, e.g. "40/30/20/10" or "0.4;0.3;0.2;0.1"), years,
cliff_months, period_months (optional).

Checks: malformed rows, negative pay, unknown currencies, e-mails used twice, grants for unknown
people, grants dated before the employee's start date, repeated grant rows. The caller imports
nothing when `result.errors` is not empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from talentgraph.ops.comp.csvrows import ROW_LIMITS, ParseResult, Row, RowError, iter_rows, open_csv
from talentgraph.ops.comp.money import cents
from talentgraph.ops.comp.vesting import VestingError, VestingSchedule, from_spec

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class Employee:
    name: str
    email: str          # lower-cased; the natural key
    team: str
    level: str
    start_date: date
    base: Decimal
    bonus: Decimal      # yearly target bonus amount
    currency: str
    person_id: str | None = None  # the graph person, when linked


@dataclass(frozen=True)
class Grant:
    employee_email: str
    grant_date: date
    value: Decimal      # value at grant (shares x price when given that way)
    currency: str
    schedule: VestingSchedule
    shares: Decimal | None = None
    price: Decimal | None = None


ROSTER_REQUIRED = {"name", "email", "team", "level", "start_date", "base", "bonus", "currency"}
GRANTS_REQUIRED = {"employee_email", "grant_date"}
GRANTS_ALTERNATIVES = {"value": {"value", "shares+price"}}


def _email(row: Row, column: str) -> str | None:
    raw = row.text(column)
    if raw is None:
        return None
    if not _EMAIL.match(raw):
        row.error(column, f"{raw!r} is not an e-mail address")
        return None
    return raw.lower()


def parse_roster_text(text: str | Iterable[str], name: str = "<roster>") -> ParseResult[Employee]:
    result: ParseResult[Employee] = ParseResult()
    seen: dict[str, int] = {}
    for row in iter_rows(text, name, ROSTER_REQUIRED, result, max_rows=ROW_LIMITS["roster"]):
        fields = (row.text("name"), _email(row, "email"), row.text("team"), row.text("level"),
                  row.day("start_date"), row.money("base"), row.money("bonus"), row.currency())
        if row.errors:
            result.errors += row.errors
            continue
        email = fields[1]
        if email in seen:
            result.errors.append(RowError(name, row.line, "email", f"duplicate person: {email} "
                                          f"is already on row {seen[email]}"))  # type: ignore[index]
            continue
        seen[email] = row.line  # type: ignore[index]
        result.rows.append(Employee(*fields, person_id=row.text("person_id", False)))  # type: ignore[arg-type]
    return result


def parse_roster_csv(path: str | Path) -> ParseResult[Employee]:
    """Parse an employee roster CSV file (streamed, within the limits of csvrows)."""
    f, err = open_csv(path)
    if f is None:
        return ParseResult(errors=[err] if err else [])
    with f:
        return parse_roster_text(f, Path(path).name)


def _fractions(row: Row) -> list[str] | None:
    raw = row.text("fractions", False)
    if raw is None:
        return None
    parts = [p.strip().rstrip("%") for p in re.split(r"[/;|\s]+", raw) if p.strip()]
    return parts


def _schedule(row: Row) -> VestingSchedule | None:
    years = row.integer("years", low=1, high=10)
    cliff = row.integer("cliff_months", low=0, high=120)
    period = row.integer("period_months", low=1, high=12)
    try:
        return from_spec(row.text("kind", False) or "cliff_monthly", _fractions(row), years, cliff,
                         period)
    except VestingError as exc:
        column = "fractions" if row.has("fractions") else "kind"
        row.error(column, str(exc))
        return None


def parse_grants_text(text: str | Iterable[str], name: str = "<grants>",
                      roster: Iterable[Employee] | None = None) -> ParseResult[Grant]:
    """Parse equity grants; with a roster, check the person exists and the dates are in order."""
    people = {e.email: e for e in roster} if roster is not None else None
    result: ParseResult[Grant] = ParseResult()
    seen: dict[tuple[object, ...], int] = {}
    for row in iter_rows(text, name, GRANTS_REQUIRED, result, GRANTS_ALTERNATIVES,
                         ROW_LIMITS["grants"]):
        email = _email(row, "employee_email")
        granted = row.day("grant_date")
        value = row.money("value", False, "grant value")
        shares = row.money("shares", False, "share count")
        price = row.money("price", False, "share price")
        if value is None and not row.has("value"):
            if shares is None or price is None:
                if not row.has("shares") or not row.has("price"):
                    row.error("value", "give the grant value, or shares and price")
            else:
                value = cents(shares * price)
        elif value is not None and shares is not None and price is not None \
                and abs(value - shares * price) > 1:
            row.error("value", f"value {value} does not match shares x price "
                      f"({shares} x {price} = {shares * price})")
        schedule = _schedule(row)
        employee = people.get(email) if people is not None and email else None
        if people is not None and email and employee is None:
            row.error("employee_email", f"{email} is not on the roster")
        # the roster's currency is the default; grants may be in another one (e.g. USD stock)
        if row.has("currency") or people is None:
            ccy = row.currency()
        else:  # unknown people already have an error; do not add a second one for currency
            ccy = employee.currency if employee else None
        if employee and granted and granted < employee.start_date:
            row.error("grant_date", f"grant date {granted} is before {email}'s start date "
                      f"{employee.start_date}")
        if row.errors:
            result.errors += row.errors
            continue
        key = (email, granted, value, ccy, schedule)
        if key in seen:
            result.errors.append(RowError(name, row.line, None,
                                          f"duplicate grant: same as row {seen[key]}"))
            continue
        seen[key] = row.line
        result.rows.append(Grant(email, granted, value, ccy, schedule, shares, price))  # type: ignore[arg-type]
    return result


def parse_grants_csv(path: str | Path,
                     roster: Iterable[Employee] | None = None) -> ParseResult[Grant]:
    """Parse an equity grants CSV file (see the module docstring for columns; streamed, within
    the limits of csvrows)."""
    f, err = open_csv(path)
    if f is None:
        return ParseResult(errors=[err] if err else [])
    with f:
        return parse_grants_text(f, Path(path).name, roster)
