"""External services some tests need (PostgreSQL, a browser): where they are, and what to do
when one is missing: skip on a developer's machine, fail in CI.

`TALENTGRAPH_TEST_REQUIRE=postgres,browser,spark` (set by .ci/run) or `CI=true` makes a missing
service (Spark: a Java runtime and pyspark) a failure: a CI run whose PostgreSQL never came up
must not pass on skipped tests.
scripts/test.sh starts a throwaway PostgreSQL and sets TALENTGRAPH_TEST_PG to its URL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import pytest

PG_URL = os.environ.get("TALENTGRAPH_TEST_PG",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SERVICES = ("postgres", "browser", "spark")


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


@contextmanager
def pg_ops_store() -> Iterator[Any]:
    """A migrated operational store (OpsStore) in a PostgreSQL schema of its own, dropped
    afterwards; PostgreSQL unreachable: `missing`."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from talentgraph.ops.db import OpsStore

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        missing("postgres", f"PostgreSQL at {PG_URL} is unreachable ({exc.orig}); start it, "
                "set TALENTGRAPH_TEST_PG, or run scripts/test.sh (it starts one)")
    store = OpsStore(f"{PG_URL}?options=-csearch_path%3D{schema}", create=True)
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
