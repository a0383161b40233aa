"""AI Watch positions (riceissa/aiwatch, CC0): `positions.csv`, one row per dated position.

Columns: person, organization, title, start_date, start_date_precision, end_date,
end_date_precision, employment_type, urls (space-separated), notes. An empty end_date means
current or unknown. The latest Wayback Machine capture among the urls
(web.archive.org/web/YYYYMMDDhhmmss/...) is when the curators last saw the position listed:
kept as `seen_date`, the year an open position was last seen.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from talentgraph.sources.positions.csvfile import read_csv_unit
from talentgraph.sources.positions.model import PositionUnit, RowBuilder

SOURCE = "aiwatch"
_WAYBACK = re.compile(r"web\.archive\.org/web/(\d{4})(\d{2})(\d{2})")


def seen_in_urls(urls: str | None) -> date | None:
    """The latest Wayback capture date among space-separated urls; None when there is none."""
    best = None
    for m in _WAYBACK.finditer(urls or ""):
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        best = d if best is None or d > best else best
    return best


def _fill(b: RowBuilder, row: dict[str, str]) -> None:
    b.record_id = (row.get("person") or "")[:80] or None
    b.text("person_name", row.get("person"), "person")
    b.text("org_raw", row.get("organization"), "organization")
    b.text("title", row.get("title"), "title")
    b.text("employment_type", (row.get("employment_type") or "").lower() or None,
           "employment_type")
    b.when("start", row.get("start_date"), "start_date", row.get("start_date_precision"))
    b.when("end", row.get("end_date"), "end_date", row.get("end_date_precision"))
    b.text("url", row.get("urls"), "urls")
    b.row["seen_date"] = seen_in_urls(b.row["url"])


def read(path: Path) -> PositionUnit:
    return read_csv_unit(Path(path), SOURCE, _fill, required=(("person",), ("organization",)))
