"""A dated position and the helpers every positions connector shares (dates with a precision,
row building with problems recorded, the unit's fingerprint)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from talentgraph.errors import SourceError
from talentgraph.namekey import name_key
from talentgraph.sources.model import FIELD, RECORD, Problem

PRECISIONS = ("day", "month", "year")
SOURCES = ("aiwatch", "orcid", "openreview", "openalex", "csv")
MAX_TEXT = 1000  # longer values are debris (a pasted page), not a name, title or organisation

_ORCID = re.compile(r"^(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_ORCID_URL = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(slots=True)
class PositionUnit:
    """One unit of positions, parsed: rows ready for the store and what went wrong."""

    unit: str  # unique name of the unit, e.g. aiwatch:positions.csv
    source: str
    path: str
    sha256: str
    size_bytes: int
    records_read: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    status: str = "ok"


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_unit(path: Path, source: str, what: str) -> tuple[bytes, PositionUnit]:
    """A positions file's bytes and its unit, `<source>:<file name>`, not parsed yet; a file
    that cannot be read is a SourceError naming it as `what` ('positions', 'ORCID')."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the {what} file {path}: {exc}") from exc
    return data, PositionUnit(f"{source}:{path.name}", source, str(path), fingerprint(data),
                              len(data))


def parse_date(value: Any, precision: str | None = None) -> tuple[date, str] | None:
    """'2019', '2019-04', '2019-04-29' (with an optional stated precision) -> (date, precision).

    A missing month or day is the first of the period; the precision says how much of the date
    the source knows. Raises ValueError naming what is wrong."""
    text = str(value).strip()
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {text[:40]!r}")
    y, mo, d = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    found = "day" if m[3] else "month" if m[2] else "year"
    stated = (precision or "").strip().lower()
    if stated == "multi-year":  # AI Watch: "some time in these years": no finer than a year
        stated = "year"
    if stated and stated not in PRECISIONS:
        raise ValueError(f"unknown date precision {precision!r} (day, month or year)")
    if not 1800 <= y <= 2100:
        raise ValueError(f"year out of range: {y}")
    try:
        when = date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"not a calendar date: {text!r} ({exc})") from exc
    # The coarser of what is written and what is stated ("2019-01-01" at precision year).
    order = {p: i for i, p in enumerate(PRECISIONS)}
    prec = max(found, stated or found, key=lambda p: order[p])
    return when, prec


def ymd_date(year: Any, month: Any = None, day: Any = None) -> tuple[date, str] | None:
    """ORCID-style {year, month, day} parts (strings or ints, each may be missing)."""
    if year in (None, ""):
        return None
    text = str(year).strip()
    if month not in (None, ""):
        text += f"-{int(str(month).strip()):02d}"
        if day not in (None, ""):
            text += f"-{int(str(day).strip()):02d}"
    return parse_date(text)


def clean_orcid(value: Any) -> str | None:
    """'https://orcid.org/0000-0002-1825-0097' or the bare id -> the bare id; None if absent.
    Raises ValueError for a value that is not an ORCID iD."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    m = _ORCID_URL.search(text)
    if not m or not _ORCID.match(m[1]):
        raise ValueError(f"not an ORCID iD: {text[:40]!r}")
    return m[1]


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise ValueError(f"expected text, got {type(value).__name__}")
    text = " ".join(str(value).split())
    if len(text) > MAX_TEXT:
        raise ValueError(f"over-long value ({len(text)} characters)")
    if any(ord(c) < 32 for c in str(value) if c not in "\t\n\r"):
        raise ValueError("control characters in the value")
    return text or None


class RowBuilder:
    """Builds one position row from a source's fields, recording problems on the unit.

    `set` keeps a field whose value fails its check out of the row (a `field` problem, the
    row kept); `reject` drops the whole row (a `record` problem). A row with no organisation
    or no person (neither name nor id) is dropped: it states no position."""

    def __init__(self, unit: PositionUnit, index: int, record_id: str | None = None) -> None:
        self.unit = unit
        self.index = index
        self.record_id = record_id
        self.row: dict[str, Any] = {
            "source": unit.source, "unit": unit.unit, "record_index": index,
            **{k: None for k in ("person_name", "orcid", "openreview_id", "dblp",
                                 "google_scholar", "openalex_id", "org_raw", "org_domain",
                                 "org_ror", "title", "employment_type", "start_date",
                                 "start_precision", "end_date", "end_precision", "seen_date",
                                 "url")}}
        self.dropped = False

    def problem(self, level: str, field_name: str | None, reason: str, excerpt: Any = "") -> None:
        self.unit.problems.append(Problem(level, self.unit.unit, self.index, self.record_id,
                                          field_name, reason, str(excerpt or "")[:200]))

    def text(self, column: str, value: Any, field_name: str) -> None:
        try:
            self.row[column] = text_or_none(value)
        except ValueError as exc:
            self.problem(FIELD, field_name, str(exc), value)

    def orcid(self, value: Any, field_name: str) -> None:
        try:
            self.row["orcid"] = clean_orcid(value)
        except ValueError as exc:
            self.problem(FIELD, field_name, str(exc), value)

    def when(self, which: str, value: Any, field_name: str, precision: str | None = None,
             parts: tuple[Any, Any, Any] | None = None) -> None:
        """which: start | end | seen."""
        try:
            got = ymd_date(*parts) if parts is not None else (
                parse_date(value, precision) if value not in (None, "") else None)
        except (ValueError, TypeError) as exc:
            self.problem(FIELD, field_name, str(exc), value if parts is None else parts)
            return
        if got is None:
            return
        self.row[f"{which}_date"] = got[0]
        if which != "seen":
            self.row[f"{which}_precision"] = got[1]

    def finish(self) -> dict[str, Any] | None:
        """The row (added to the unit), or None when it had to be dropped."""
        r = self.row
        if r["org_raw"] is None:
            self.problem(RECORD, "organization", "no organisation: the row states no position")
            return None
        if not (r["person_name"] or r["orcid"] or r["openreview_id"] or r["dblp"]
                or r["google_scholar"] or r["openalex_id"]):
            self.problem(RECORD, "person", "no person: neither a name nor an id")
            return None
        if r["start_date"] and r["end_date"] and r["end_date"] < r["start_date"]:
            self.problem(FIELD, "end_date", "ends before it starts: end date left out",
                         f"{r['start_date']} > {r['end_date']}")
            r["end_date"] = r["end_precision"] = None
        r["name_key"] = name_key(r["person_name"]) or None
        ident = "|".join(str(r[k] or "") for k in (
            "unit", "person_name", "orcid", "openreview_id", "org_raw", "title", "start_date",
            "end_date")) + f"|{self.index}"
        r["position_id"] = "pos:" + hashlib.sha1(ident.encode()).hexdigest()[:16]
        self.unit.rows.append(r)
        return r
