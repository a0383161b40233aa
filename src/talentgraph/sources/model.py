"""What every connector yields: papers, author mentions and the problems met on the way.

A connector reads one *unit* at a time (a file, or one API query) and returns a `ParsedUnit`.
The store writes a unit in one transaction, so a unit is all-or-nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Problem levels: a `record` problem drops the record; a `field` problem drops or reinterprets one
# field and keeps the record; a `file` problem concerns the whole unit (truncated, unreadable).
RECORD = "record"
FIELD = "field"
FILE = "file"


@dataclass(slots=True)
class Problem:
    level: str
    source_file: str
    record_index: int | None
    record_id: str | None
    field: str | None
    reason: str
    excerpt: str = ""

    def message(self) -> str:
        where = self.source_file
        if self.record_index is not None:
            where += f", record #{self.record_index}"
        if self.record_id:
            where += f" (id {self.record_id})"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class ParsedUnit:
    """One source unit, parsed: rows ready for the store, plus what went wrong."""

    source_file: str  # file name without folders, e.g. iclr2023.json.gz
    path: str
    kind: str  # connector name: paperlists, openalex, ...
    venue: str | None
    year: int | None
    sha256: str
    size_bytes: int
    records_read: int = 0
    family: str | None = None
    papers: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    status: str = "ok"  # ok | partial (some of the file could not be read)
