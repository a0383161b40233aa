"""Reading user CSV files row by row into per-row errors instead of exceptions.

Handles a UTF-8 byte-order mark, blank lines, surrounding whitespace, header names in any case
(`Base Min` = `base_min`) and trailing empty cells. Every problem becomes a `RowError` naming the
file, the line number (the header is row 1; 0 is the file as a whole) and the column.

Files are read as a stream (never whole into memory), within limits: at most MAX_BYTES, and at
most the row limit its kind of file gives (`ROW_LIMITS`); past either, a clear error and nothing
imported. (A 300,000-row bands file once took minutes and 0.8 GB to import, and then slowed every
page that reads the bands.)
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Generic, TypeVar

from talentgraph.ops.comp.inputs import parse_amount
from talentgraph.ops.comp.money import CurrencyError, currency_code

T = TypeVar("T")
MAX_BYTES = 20 * 1024 * 1024
# data rows per file: far above any real roster, grant list or band survey, far below what slows
# the store down
ROW_LIMITS = {"bands": 20_000, "roster": 100_000, "grants": 200_000}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowError:
    file: str
    row: int              # line in the file; the header is row 1; 0 = the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ParseResult(Generic[T]):
    """Parsed rows and per-row errors; import nothing unless `ok`."""

    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _norm_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_text(path: str | Path) -> tuple[str | None, RowError | None]:
    """The file's text (BOM removed), or a file-level error (small files only: see open_csv)."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, RowError(name, 0, None, f"cannot read the file: {exc.strerror or exc}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, RowError(name, 0, None, f"not UTF-8 text (byte {exc.start}); save the "
                              "file as CSV UTF-8")


def open_csv(path: str | Path, max_bytes: int | None = None
             ) -> tuple[IO[str] | None, RowError | None]:
    """The file opened for streaming (BOM removed), or a file-level error: unreadable, not
    UTF-8, or larger than `max_bytes` (default MAX_BYTES)."""
    name = Path(path).name
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            return None, RowError(name, 0, None, f"the file has {size:,} bytes, more than the "
                                  f"{max_bytes:,} allowed: split it into smaller files")
        bad = _not_utf8(Path(path))
        if bad is not None:
            return None, RowError(name, 0, None, f"not UTF-8 text (byte {bad}); save the file "
                                  "as CSV UTF-8")
        return open(path, encoding="utf-8-sig", newline=""), None  # noqa: SIM115 - the caller closes
    except OSError as exc:
        return None, RowError(name, 0, None, f"cannot read the file: {exc.strerror or exc}")


@dataclass
class Row:
    """One data row with typed getters that record errors instead of raising."""

    file: str
    line: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.file, self.line, column, message))

    def has(self, column: str) -> bool:
        return bool(self.cells.get(column, ""))

    def text(self, column: str, required: bool = True) -> str | None:
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.error(column, "missing value")
            return None
        return value

    def money(self, column: str, required: bool = True, what: str = "pay") -> Decimal | None:
        raw = self.text(column, required)
        if raw is None:
            return None
        amount, wrong = parse_amount(raw)  # the one validation of amounts (ops.comp.inputs)
        if wrong is None:
            return amount
        if wrong == "must not be negative":
            self.error(column, f"negative {what} ({raw})")
        else:
            self.error(column, f"{raw!r}: {wrong}")
        return None

    def integer(self, column: str, required: bool = False, low: int = 0,
                high: int = 10**6) -> int | None:
        raw = self.text(column, required)
        if raw is None:
            return None
        if not re.fullmatch(r"-?\d{1,9}", raw):
            self.error(column, f"{raw!r} is not a whole number")
            return None
        value = int(raw)
        if not low <= value <= high:
            self.error(column, f"{value} is outside {low}..{high}")
            return None
        return value

    def day(self, column: str, required: bool = True) -> date | None:
        raw = self.text(column, required)
        if raw is None:
            return None
        try:
            if not _DATE.match(raw):
                raise ValueError
            value = date.fromisoformat(raw)
        except ValueError:
            self.error(column, f"{raw!r} is not a date (write YYYY-MM-DD)")
            return None
        if value.year < 1900:
            self.error(column, f"{raw} is implausibly early")
            return None
        return value

    def currency(self, column: str = "currency", required: bool = True) -> str | None:
        raw = self.text(column, required)
        if raw is None:
            return None
        try:
            return currency_code(raw)
        except CurrencyError:
            self.error(column, f"unknown currency {raw!r} (use an ISO 4217 code: USD, EUR, GBP, "
                       "CHF, CAD, ...)")
            return None


def _not_utf8(path: Path, chunk: int = 1 << 20) -> int | None:
    """The offset of the first byte that is not UTF-8, or None (read in chunks, not whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    with path.open("rb") as f:
        while True:
            data = f.read(chunk)
            try:
                decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                return done + exc.start
            if not data:
                return None
            done += len(data)


def iter_rows(source: str | Iterable[str], name: str, required: set[str], result: ParseResult[T],
              alternatives: dict[str, set[str]] | None = None,
              max_rows: int | None = None) -> Iterator[Row]:
    """Yield the data rows of `source` (CSV text, or an open file read as a stream); structural
    problems go to `result.errors`, and so does a row past `max_rows` (reading then stops).

    `alternatives` maps a logical field to column sets any one of which satisfies it (e.g.
    `base` or both `base_min` and `base_max`).
    """
    if isinstance(source, str):
        source = io.StringIO(source.removeprefix("\ufeff"), newline="")
    reader = csv.reader(source, skipinitialspace=True)
    header: list[str] | None = None
    n_rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append(RowError(name, reader.line_num, None,
                                          f"malformed CSV: {exc}"))
            continue
        except UnicodeDecodeError as exc:
            result.errors.append(RowError(name, reader.line_num + 1, None,
                                          f"not UTF-8 text ({exc.reason}); save the file as "
                                          "CSV UTF-8"))
            return
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if header is None:
            header = [_norm_header(c) for c in cells]
            line = reader.line_num
            dupes = sorted({h for h in header if h and header.count(h) > 1})
            missing = sorted(required - set(header))
            for logical, options in (alternatives or {}).items():
                if not any(all(c in header for c in opt.split("+")) for opt in options):
                    missing.append(f"{logical} (one of: {', '.join(sorted(options))})")
            if dupes:
                result.errors.append(RowError(name, line, None,
                                              f"duplicate columns: {', '.join(dupes)}"))
            if missing:
                result.errors.append(RowError(name, line, None,
                                              f"missing columns: {', '.join(missing)}"))
            if dupes or missing:
                return
            continue
        while len(cells) > len(header) and not cells[-1]:
            cells.pop()  # trailing commas
        if len(cells) < len(header):
            # trailing cells may be left out; required ones then show as "missing value"
            cells += [""] * (len(header) - len(cells))
        if len(cells) != len(header):
            result.errors.append(RowError(name, reader.line_num, None,
                                          f"row has {len(cells)} values but the header has "
                                          f"{len(header)} columns"))
            continue
        n_rows += 1
        if max_rows is not None and n_rows > max_rows:
            result.errors.append(RowError(name, reader.line_num, None, f"more than {max_rows:,} "
                                          "data rows, the most one file may have: split it"))
            return
        yield Row(name, reader.line_num, {h: c for h, c in zip(header, cells, strict=True) if h})
    if header is None:
        result.errors.append(RowError(name, 0, None, "the file has no header row (it is empty)"))
