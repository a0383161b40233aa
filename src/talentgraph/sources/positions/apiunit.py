"""Positions from a JSON API: the documents of one query make one unit (fingerprinted by their
canonical bytes, so re-fetching unchanged answers changes nothing in the store)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from talentgraph import __version__
from talentgraph.sources.openalex_api import OpenAlexClient
from talentgraph.sources.positions.model import PositionUnit, fingerprint


def api_unit(unit: str, source: str, url: str, docs: Any) -> PositionUnit:
    data = orjson.dumps(docs, option=orjson.OPT_SORT_KEYS)
    return PositionUnit(unit, source, url, fingerprint(data), len(data))


def json_client(base_url: str, per_second: float = 5.0, timeout: float = 30.0,
                **kwargs: Any) -> OpenAlexClient:
    """The retrying, rate-limited JSON client of the OpenAlex connector, asking for JSON (the
    ORCID API answers XML unless asked), for any of the positions APIs."""
    http = httpx.Client(timeout=timeout, follow_redirects=True,
                        headers={"Accept": "application/json",
                                 "User-Agent": f"talentgraph/{__version__}"})
    client = OpenAlexClient(base_url, per_second=per_second, http=http, **kwargs)
    client._own_http = True  # the client closes what it was given here
    return client
