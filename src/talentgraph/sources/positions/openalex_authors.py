"""OpenAlex authors (https://docs.openalex.org/api-entities/authors): `affiliations[]`, each
`{"institution": {"id", "ror", "display_name", "country_code", ...}, "years": [2023, ...]}`,
the years in which the author's works list the institution. A position from it runs from the
first to the last of those years (year precision); no title. The author's `orcid` and
OpenAlex id give the person. One query (an author id, or an authors filter) is one unit."""

from __future__ import annotations

from typing import Any

from talentgraph.sources.model import RECORD, Problem
from talentgraph.sources.openalex_api import OpenAlexClient
from talentgraph.sources.positions.apiunit import api_unit
from talentgraph.sources.positions.model import PositionUnit, RowBuilder

SOURCE = "openalex"


def _short(openalex_url: Any) -> str | None:
    return str(openalex_url).rstrip("/").rsplit("/", 1)[-1] if openalex_url else None


def parse_authors(authors: list[Any], query: str, url: str) -> PositionUnit:
    unit = api_unit(f"openalex:authors?{query}", SOURCE, url, authors)
    index = 0
    for a in authors:
        if not isinstance(a, dict):
            index += 1
            unit.records_read += 1
            unit.problems.append(Problem(RECORD, unit.unit, index, None, None,
                                         f"expected an author object, found {type(a).__name__}"))
            continue
        aid = _short(a.get("id"))
        for aff in a.get("affiliations") or []:
            index += 1
            unit.records_read += 1
            b = RowBuilder(unit, index, aid)
            inst = aff.get("institution") if isinstance(aff, dict) else None
            if not isinstance(inst, dict):
                b.problem(RECORD, "affiliations.institution", "no institution object")
                continue
            b.row["openalex_id"] = aid
            b.text("person_name", a.get("display_name"), "display_name")
            b.orcid(a.get("orcid"), "orcid")
            b.text("org_raw", inst.get("display_name"), "affiliations.institution.display_name")
            b.text("org_ror", inst.get("ror"), "affiliations.institution.ror")
            years = aff.get("years")
            good = [y for y in years if isinstance(y, int)] if isinstance(years, list) else []
            if isinstance(years, list) and len(good) < len(years) or not isinstance(
                    years, list | None):
                b.problem("field", "affiliations.years", "years that are not integers ignored",
                          years)
            if good:
                b.when("start", str(min(good)), "affiliations.years")
                b.when("end", str(max(good)), "affiliations.years")
                b.when("seen", str(max(good)), "affiliations.years")
            b.row["url"] = a.get("id") or url
            b.finish()
    return unit


def fetch_author(client: OpenAlexClient, author_id: str) -> PositionUnit:
    short = _short(author_id)
    doc = client.get(f"authors/{short}")
    return parse_authors([doc], f"id={short}", client.url(f"authors/{short}"))


def fetch_filter(client: OpenAlexClient, filter: str, max_results: int | None = None
                 ) -> PositionUnit:
    authors: list[Any] = []
    for page in client.pages("authors", filter=filter, max_results=max_results):
        authors.extend(page.results)
    return parse_authors(authors, f"filter={filter}", client.url("authors", {"filter": filter}))
