"""One SparkSession (local mode) for every Spark test: the JVM starts once a test process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from services import missing


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        missing("spark", "no Java runtime: the Spark tests need one (scripts/test.sh installs it)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing("spark", "pyspark is not installed: pip install -e '.[spark]'")
    from talentgraph.engines.spark import session

    s = session("local[2]", conf={"spark.sql.shuffle.partitions": "2"})
    yield s
    s.stop()
