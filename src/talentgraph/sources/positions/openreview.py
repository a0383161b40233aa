"""OpenReview profiles: the `/profiles` API JSON (https://docs.openreview.net), each profile's
`content.history`: `{"position", "institution": {"name", "domain", "country"}, "start", "end"}`
with years (an empty `end` is the current entry). The profile's id (`~First_Last1`), its
preferred name, and its `dblp`, `gscholar` and `orcid` links give the person. API v2 wraps
content values as `{"value": ...}`: both forms are read. One query is one unit."""

from __future__ import annotations

import re
from typing import Any

from talentgraph.sources.model import FILE, RECORD, Problem
from talentgraph.sources.openalex_api import OpenAlexClient
from talentgraph.sources.positions.apiunit import api_unit
from talentgraph.sources.positions.model import PositionUnit, RowBuilder

SOURCE = "openreview"
BASE_URL = "https://api2.openreview.net"
_SCHOLAR = re.compile(r"[?&]user=([\w-]+)")


def _v(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) and set(node) <= {"value", "readers"} \
        and "value" in node else node


def _name(profile_id: str | None, content: dict[str, Any]) -> str | None:
    names = [n for n in (_v(content.get("names")) or []) if isinstance(n, dict)]
    best = next((n for n in names if n.get("preferred")), names[0] if names else None)
    if best and best.get("fullname"):
        return str(best["fullname"])
    if profile_id and profile_id.startswith("~"):  # ~Baptiste_Roziere1 -> Baptiste Roziere
        return re.sub(r"\d+$", "", profile_id[1:]).replace("_", " ") or None
    return None


def parse_profiles(doc: Any, query: str, base_url: str = BASE_URL) -> PositionUnit:
    """A `/profiles` answer (`{"profiles": [...]}`) -> one unit named by the query."""
    url = f"{base_url.rstrip('/')}/profiles?{query}"
    unit = api_unit(f"openreview:profiles?{query}", SOURCE, url, doc)
    profiles = doc.get("profiles") if isinstance(doc, dict) else None
    if not isinstance(profiles, list):
        unit.problems.append(Problem(FILE, unit.unit, None, None, "profiles",
                                     "expected an object with a `profiles` list"))
        unit.status = "partial"
        return unit
    index = 0
    for p in profiles:
        pid = p.get("id") if isinstance(p, dict) else None
        content = p.get("content") if isinstance(p, dict) else None
        if not isinstance(content, dict):
            index += 1
            unit.records_read += 1
            unit.problems.append(Problem(RECORD, unit.unit, index, pid, "content",
                                         "profile without a content object"))
            continue
        name = _name(pid, content)
        scholar = _SCHOLAR.search(str(_v(content.get("gscholar")) or ""))
        for h in _v(content.get("history")) or []:
            index += 1
            unit.records_read += 1
            b = RowBuilder(unit, index, pid)
            if not isinstance(h, dict):
                b.problem(RECORD, "history", f"expected an object, found {type(h).__name__}")
                continue
            inst = h.get("institution") if isinstance(h.get("institution"), dict) else {}
            b.text("openreview_id", pid, "id")
            b.text("person_name", name, "content.names")
            b.text("dblp", _v(content.get("dblp")), "content.dblp")
            b.orcid(_v(content.get("orcid")), "content.orcid")
            b.row["google_scholar"] = scholar[1] if scholar else None
            b.text("org_raw", inst.get("name"), "history.institution.name")
            b.text("org_domain", inst.get("domain"), "history.institution.domain")
            b.text("title", h.get("position"), "history.position")
            b.when("start", h.get("start"), "history.start")
            b.when("end", h.get("end"), "history.end")
            b.row["url"] = f"https://openreview.net/profile?id={pid}" if pid else url
            b.finish()
    return unit


def fetch(client: OpenAlexClient, profile_id: str) -> PositionUnit:
    """One profile by id (`~First_Last1`) from the API."""
    doc = client.get("profiles", {"id": profile_id})
    return parse_profiles(doc, f"id={profile_id}", client.base_url)
