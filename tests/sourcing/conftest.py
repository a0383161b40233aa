"""Fixtures of the sourcing tests: a store built from the tiny world of sourcing_world.py."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sourcing_world import make_store


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return make_store(tmp_path)


@pytest.fixture
def con(store_path: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(store_path), read_only=True)
    yield c
    c.close()
