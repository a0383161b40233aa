"""External services some tests need (PostgreSQL, a browser): where they are, and what to do
when one is missing: skip on a developer's machine, fail in CI.

`TALENTGRAPH_TEST_REQUIRE=postgres,browser` (set by .ci/run) or `CI=true` makes a missing
service a failure: a CI run whose PostgreSQL never came up must not pass on skipped tests.
scripts/test.sh starts a throwaway PostgreSQL and sets TALENTGRAPH_TEST_PG to its URL.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

PG_URL = os.environ.get("TALENTGRAPH_TEST_PG",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SERVICES = ("postgres", "browser")


def required(service: str) -> bool:
    """Whether a missing `service` fails the test run instead of skipping its tests."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    if os.environ.get("CI") == "true":
        return True
    wanted = os.environ.get("TALENTGRAPH_TEST_REQUIRE", "")
    return service in {w.strip() for w in wanted.split(",")}


def missing(service: str, message: str) -> NoReturn:
    """Skip the test, or fail it where the service is required."""
    if required(service):
        pytest.fail(f"{message} (required here: CI=true or TALENTGRAPH_TEST_REQUIRE)",
                    pytrace=False)
    pytest.skip(message)
