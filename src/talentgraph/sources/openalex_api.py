"""A small client for the OpenAlex REST API: polite rate limit, retries with backoff, cursor paging.

In the spirit of pyalex: one object holds the settings, `get` fetches one JSON document and
`pages` walks a list with `cursor=*` / `meta.next_cursor`. Failures that outlast the retries raise
`SourceError` naming the URL, so a half-fetched query is never mistaken for a complete one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from talentgraph import __version__
from talentgraph.errors import SourceError

DEFAULT_BASE_URL = "https://api.openalex.org"
MAX_PER_PAGE = 200  # the API's ceiling for per-page
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class RateLimiter:
    """At most `per_second` request starts per second: successive starts are >= 1/rate apart."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if per_second <= 0:
            raise SourceError(f"the request rate must be above 0 per second, got {per_second}")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


@dataclass(slots=True)
class Page:
    """One page of a list: its 1-based number, the URL asked (without cursor) and its rows."""

    number: int
    url: str
    results: list[Any]
    meta: dict[str, Any] = field(default_factory=dict)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait (seconds or HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class OpenAlexClient:
    """OpenAlex over HTTP. `mailto` joins the polite pool; `base_url` lets tests use a local server.

    Retries: 429, 5xx, timeouts, connection errors and unparsable bodies are retried up to
    `max_retries` times, waiting `backoff * 2**attempt` seconds (capped at `max_backoff`), or
    what the server's `Retry-After` asks for when it says so. A `Retry-After` beyond `max_wait`
    (the daily quota is spent) stops at once with a message rather than sleeping for hours.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, mailto: str | None = None,
                 per_second: float = 10.0, max_retries: int = 5, backoff: float = 1.0,
                 max_backoff: float = 60.0, max_wait: float = 300.0, timeout: float = 30.0,
                 http: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.mailto = mailto
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.limiter = RateLimiter(per_second, sleep=sleep)
        self._sleep = sleep
        agent = f"talentgraph/{__version__}" + (f" (mailto:{mailto})" if mailto else "")
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=timeout, headers={"User-Agent": agent},
                                         follow_redirects=True)
        self.requests = 0  # HTTP requests sent, retries included

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> OpenAlexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        """The URL of a request as a user would type it (for messages and provenance)."""
        shown = {k: v for k, v in (params or {}).items() if v is not None and k != "mailto"}
        return str(httpx.URL(f"{self.base_url}/{path.lstrip('/')}", params=shown))

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """One JSON document from the API, after the rate limit and as many retries as allowed."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if self.mailto:
            query["mailto"] = self.mailto
        target = f"{self.base_url}/{path.lstrip('/')}"
        shown = self.url(path, params)
        why = ""
        for attempt in range(self.max_retries + 1):
            self.limiter.wait()
            self.requests += 1
            delay = min(self.backoff * 2 ** attempt, self.max_backoff)
            try:
                resp = self.http.get(target, params=query)
            except httpx.TimeoutException as exc:
                why = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                why = f"connection failed ({exc})"
            else:
                if resp.status_code == 200:
                    try:
                        return orjson.loads(resp.content)
                    except orjson.JSONDecodeError as exc:
                        why = f"the response is not valid JSON ({exc})"
                elif resp.status_code in RETRY_STATUS:
                    why = f"HTTP {resp.status_code}"
                    asked = retry_after_seconds(resp.headers.get("Retry-After"))
                    if asked is not None:
                        if asked > self.max_wait:
                            raise SourceError(
                                f"{shown}: HTTP {resp.status_code}, the API asks to wait "
                                f"{asked:,.0f} s (quota spent?); try again later")
                        delay = asked
                else:
                    raise SourceError(f"{shown}: HTTP {resp.status_code}: {_api_message(resp)}")
            if attempt == self.max_retries:
                break
            # A little jitter so that several clients do not retry in lockstep.
            self._sleep(delay * (1 + 0.1 * random.random()))
        raise SourceError(f"{shown}: failed after {self.max_retries + 1} attempts, last: {why}")

    def pages(self, entity: str = "works", filter: str | None = None, search: str | None = None,
              per_page: int = MAX_PER_PAGE, max_results: int | None = None) -> Iterator[Page]:
        """The pages of a list, by cursor paging, until the list or `max_results` is exhausted."""
        if max_results is not None and max_results <= 0:
            return
        per_page = max(1, min(per_page, MAX_PER_PAGE, max_results or MAX_PER_PAGE))
        params: dict[str, Any] = {"filter": filter, "search": search, "per-page": per_page}
        shown = self.url(entity, params)
        cursor: str | None = "*"
        seen = 0
        number = 0
        while cursor:
            number += 1
            doc = self.get(entity, {**params, "cursor": cursor})
            if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
                raise SourceError(f"{shown}, page {number}: expected an object with a `results` "
                                  f"list, found {type(doc).__name__}")
            meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
            results = doc["results"]
            if max_results is not None:
                results = results[: max_results - seen]
            seen += len(results)
            if results:
                yield Page(number, shown, results, meta)
            nxt = meta.get("next_cursor")
            if not results or (max_results is not None and seen >= max_results):
                return
            if nxt is not None and (not isinstance(nxt, str) or nxt == cursor):
                raise SourceError(f"{shown}, page {number}: the API returned an unusable "
                                  f"next_cursor ({nxt!r}); stopping rather than looping")
            cursor = nxt


def _api_message(resp: httpx.Response) -> str:
    """The API's own explanation of a refused request (OpenAlex sends `error` and `message`)."""
    try:
        body = orjson.loads(resp.content)
    except orjson.JSONDecodeError:
        return resp.text[:300] or resp.reason_phrase
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message") if body.get(k)]
        if parts:
            return ": ".join(parts)[:500]
    return resp.text[:300]
