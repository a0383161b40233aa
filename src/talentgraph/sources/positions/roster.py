"""A CSV a user exports from an ATS or HR system: a roster with start and leave dates.

One row per position. Headers are matched case-insensitively, with the usual names of such
exports: name (or full_name, employee, person); organisation (org, organization, company,
employer; a roster of one company may leave it out and pass `--org`); title (or role,
job_title); start (start_date, hire_date, from); end (end_date, leave_date, termination_date,
to); optional ids orcid, openreview_id, dblp, google_scholar (or scholar); url; and
start_precision / end_precision. Dates are YYYY, YYYY-MM or YYYY-MM-DD; the precision follows
from what is written unless stated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from talentgraph.sources.positions.csvfile import read_csv_unit
from talentgraph.sources.positions.model import PositionUnit, RowBuilder

SOURCE = "csv"
NAME = ("name", "full_name", "employee", "person", "employee_name")
ORG = ("organisation", "organization", "org", "company", "employer")
TITLE = ("title", "job_title", "role", "position")
START = ("start", "start_date", "hire_date", "from", "joined")
END = ("end", "end_date", "leave_date", "termination_date", "to", "left")
IDS = {"orcid": ("orcid",), "openreview_id": ("openreview_id", "openreview"),
       "dblp": ("dblp",), "google_scholar": ("google_scholar", "scholar")}


def _first(row: dict[str, str], names: tuple[str, ...]) -> tuple[str | None, str]:
    for n in names:
        if n in row and (row[n] or "").strip():
            return row[n], n
    return None, names[0]


def _filler(default_org: str | None) -> Callable[[RowBuilder, dict[str, str]], None]:
    def fill(b: RowBuilder, row: dict[str, str]) -> None:
        name, name_col = _first(row, NAME)
        b.record_id = (name or "")[:80] or None
        b.text("person_name", name, name_col)
        org, org_col = _first(row, ORG)
        b.text("org_raw", org or default_org, org_col)
        title, title_col = _first(row, TITLE)
        b.text("title", title, title_col)
        start, start_col = _first(row, START)
        b.when("start", start, start_col, row.get("start_precision"))
        end, end_col = _first(row, END)
        b.when("end", end, end_col, row.get("end_precision"))
        orcid, orcid_col = _first(row, IDS["orcid"])
        b.orcid(orcid, orcid_col)
        for column in ("openreview_id", "dblp", "google_scholar"):
            value, col = _first(row, IDS[column])
            b.text(column, value, col)
        b.text("url", row.get("url"), "url")
    return fill


def read(path: Path, org: str | None = None) -> PositionUnit:
    """`org`: the organisation of rows that name none (a roster of one company)."""
    required = ((*NAME, *IDS["orcid"], *IDS["openreview_id"]),) + (() if org else (ORG,))
    return read_csv_unit(Path(path), SOURCE, _filler(org), required=required)
