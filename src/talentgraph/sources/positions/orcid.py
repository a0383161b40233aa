"""ORCID employments: the public API v3.0 JSON and the public data file's XML summaries.

API (https://info.orcid.org/documentation/api-tutorials/): `GET /v3.0/{orcid}/employments`
with `Accept: application/json` answers `{"affiliation-group": [{"summaries":
[{"employment-summary": {...}}]}]}`; a summary has `organization` (`name`, `address`,
`disambiguated-organization`), `role-title`, `department-name`, `start-date` / `end-date`
(`{"year": {"value": "2015"}, "month": {...}, "day": {...}}`, each part may be null) and
`url`. `GET /v3.0/{orcid}/person` gives the name (`name.given-names.value`,
`name.family-name.value`, or `credit-name`). One ORCID iD is one unit.

Public data file: one XML record per iD (`record:record`), employments under
`activities:activities-summary/activities:employments/activities:affiliation-group/
employment:employment-summary` with the same fields in the `common:` namespace. Each file is
one unit. Elements are matched by local name, so schema versions 2.x/3.0 both read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DET
from defusedxml.common import DefusedXmlException

from talentgraph.errors import SourceError
from talentgraph.sources.model import FILE, RECORD, Problem
from talentgraph.sources.openalex_api import OpenAlexClient
from talentgraph.sources.positions.apiunit import api_unit
from talentgraph.sources.positions.model import (
    PositionUnit,
    RowBuilder,
    clean_orcid,
    file_unit,
)

SOURCE = "orcid"
BASE_URL = "https://pub.orcid.org"


def _value(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) else node


def _date_parts(node: Any) -> tuple[Any, Any, Any] | None:
    if not isinstance(node, dict):
        return None
    return (_value(node.get("year")), _value(node.get("month")), _value(node.get("day")))


def _ror(org: dict[str, Any]) -> str | None:
    dis = org.get("disambiguated-organization")
    if isinstance(dis, dict) and str(dis.get("disambiguation-source", "")).upper() == "ROR":
        return str(dis.get("disambiguated-organization-identifier") or "") or None
    return None


def _summaries(doc: Any) -> Iterator[Any]:
    for group in doc.get("affiliation-group") or []:
        for s in (group.get("summaries") or []) if isinstance(group, dict) else []:
            yield s.get("employment-summary") if isinstance(s, dict) else s


def _person_name(person: Any) -> str | None:
    name = person.get("name") if isinstance(person, dict) else None
    if not isinstance(name, dict):
        return None
    credit = _value(name.get("credit-name"))
    given, family = _value(name.get("given-names")), _value(name.get("family-name"))
    return credit or " ".join(str(x) for x in (given, family) if x) or None


def _fill(b: RowBuilder, orcid: str, name: str | None, s: dict[str, Any], url: str) -> None:
    org = s.get("organization") if isinstance(s.get("organization"), dict) else {}
    b.row["orcid"] = orcid
    b.text("person_name", name, "person.name")
    b.text("org_raw", org.get("name"), "organization.name")
    b.text("org_ror", _ror(org), "organization.disambiguated-organization")
    b.text("title", s.get("role-title"), "role-title")
    b.when("start", None, "start-date", parts=_date_parts(s.get("start-date")))
    b.when("end", None, "end-date", parts=_date_parts(s.get("end-date")))
    own = _value(s.get("url"))
    b.text("url", own or url, "url")


def parse_employments(orcid: str, doc: Any, person: Any = None,
                      base_url: str = BASE_URL) -> PositionUnit:
    """One iD's `/employments` document (and `/person`, for the name) -> a unit."""
    orcid = clean_orcid(orcid) or ""
    url = f"{base_url.rstrip('/')}/v3.0/{orcid}/employments"
    unit = api_unit(f"orcid:{orcid}", SOURCE, url, {"employments": doc, "person": person})
    if not isinstance(doc, dict):
        unit.problems.append(Problem(FILE, unit.unit, None, orcid, "affiliation-group",
                                     f"expected an object, found {type(doc).__name__}"))
        unit.status = "partial"
        return unit
    name = _person_name(person)
    for i, s in enumerate(_summaries(doc), start=1):
        unit.records_read += 1
        b = RowBuilder(unit, i, str(s.get("put-code")) if isinstance(s, dict) else None)
        if not isinstance(s, dict):
            b.problem(RECORD, "employment-summary", f"expected an object, found "
                      f"{type(s).__name__}")
            continue
        _fill(b, orcid, name, s, f"https://orcid.org/{orcid}")
        b.finish()
    return unit


def fetch(client: OpenAlexClient, orcid: str) -> PositionUnit:
    """Fetch one iD's employments and name from the public API."""
    try:
        bare = clean_orcid(orcid)
    except ValueError as exc:
        raise SourceError(f"--orcid {orcid!r}: {exc}") from exc
    doc = client.get(f"v3.0/{bare}/employments")
    person = client.get(f"v3.0/{bare}/person")
    return parse_employments(bare or "", doc, person, client.base_url)


# ---------------------------------------------------------------------------------- XML file

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: Element | None, name: str) -> Element | None:
    if node is None:
        return None
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: Element | None, *path: str) -> str | None:
    for name in path:
        node = _child(node, name)
    if node is None:
        return None
    return (node.text or "").strip() or None


def _xml_date(node: Element | None) -> tuple[Any, Any, Any] | None:
    if node is None:
        return None
    return (_text(node, "year"), _text(node, "month"), _text(node, "day"))


def read_xml(path: Path) -> PositionUnit:
    """One record XML file of the ORCID public data file -> a unit."""
    data, unit = file_unit(Path(path), SOURCE, "ORCID")
    try:
        root = DET.fromstring(data)
    except (DET.ParseError, DefusedXmlException) as exc:
        unit.problems.append(Problem(FILE, unit.unit, None, None, None,
                                     f"not readable XML: {exc}"))
        unit.status = "partial"
        return unit
    orcid = None
    ident = next((e for e in root.iter() if _local(e.tag) == "orcid-identifier"), None)
    try:
        orcid = clean_orcid(_text(ident, "path") or root.get("path"))
    except ValueError as exc:
        unit.problems.append(Problem(FILE, unit.unit, None, None, "orcid-identifier", str(exc)))
    name_el = next((e for e in root.iter() if _local(e.tag) == "name"
                    and _child(e, "family-name") is not None), None)
    name = None
    if name_el is not None:
        name = _text(name_el, "credit-name") or " ".join(
            x for x in (_text(name_el, "given-names"), _text(name_el, "family-name")) if x)
    summaries = [e for e in root.iter() if _local(e.tag) == "employment-summary"]
    for i, s in enumerate(summaries, start=1):
        unit.records_read += 1
        b = RowBuilder(unit, i, s.get("put-code"))
        org = _child(s, "organization")
        b.row["orcid"] = orcid
        b.text("person_name", name or None, "person.name")
        b.text("org_raw", _text(org, "name"), "organization/name")
        dis = _child(org, "disambiguated-organization")
        if (_text(dis, "disambiguation-source") or "").upper() == "ROR":
            b.text("org_ror", _text(dis, "disambiguated-organization-identifier"),
                   "disambiguated-organization")
        b.text("title", _text(s, "role-title"), "role-title")
        b.when("start", None, "start-date", parts=_xml_date(_child(s, "start-date")))
        b.when("end", None, "end-date", parts=_xml_date(_child(s, "end-date")))
        b.text("url", _text(s, "url") or (f"https://orcid.org/{orcid}" if orcid else None),
               "url")
        b.finish()
    return unit
