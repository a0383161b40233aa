"""Reading a CSV file of positions into a unit: bytes, decoding, header mapping, rows.

Shared by the AI Watch connector and the generic roster (ATS/HR export) connector; each gives
the mapping from its columns to position fields and a function to fill one row."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from talentgraph.sources.model import FILE, Problem
from talentgraph.sources.positions.model import PositionUnit, RowBuilder, file_unit

csv.field_size_limit(1 << 20)  # a damaged row with a stray quote must not swallow the file


def read_csv_unit(path: Path, source: str, fill: Callable[[RowBuilder, dict[str, str]], None],
                  required: tuple[tuple[str, ...], ...] = ()) -> PositionUnit:
    """Parse `path`; `required` lists header groups of which each needs one present column.

    Undecodable bytes are replaced (a file problem, status partial); a missing required column
    is a file problem and no row is read. Unreadable files raise SourceError."""
    data, unit = file_unit(Path(path), source, "positions")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8-sig", errors="replace")
        unit.problems.append(_file_problem(
            unit, f"not valid UTF-8 at byte {exc.start}: undecodable bytes replaced"))
        unit.status = "partial"
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = {h.strip().lower(): h for h in (reader.fieldnames or []) if h}
    for group in required:
        if not any(g in headers for g in group):
            unit.problems.append(_file_problem(
                unit, f"no column {' / '.join(group)} in the header: no row read", None,
                ",".join(reader.fieldnames or [])))
            unit.status = "partial"
            return unit
    try:
        for index, raw in enumerate(reader, start=1):
            unit.records_read += 1
            row = {k.strip().lower(): (v if isinstance(v, str) else None)
                   for k, v in raw.items() if k}
            b = RowBuilder(unit, index)
            if None in raw:  # more cells than headers
                b.problem("field", None, f"{len(raw[None])} cell(s) beyond the header ignored")
            fill(b, row)
            b.finish()
    except csv.Error as exc:
        unit.problems.append(_file_problem(unit, f"CSV damaged after row {unit.records_read}: "
                                           f"{exc}; the rest of the file is not read",
                                           unit.records_read + 1))
        unit.status = "partial"
    return unit


def _file_problem(unit: PositionUnit, reason: str, index: int | None = None,
                  excerpt: str = "") -> Problem:
    return Problem(FILE, unit.unit, index, None, None, reason, excerpt[:200])
