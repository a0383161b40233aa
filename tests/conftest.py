"""Shared fixtures: tiny corpora in the paperlists format, and stores built from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from corpus_helpers import PAPERLISTS, ingest, rows, write_corpus_file  # noqa: F401
from talentgraph.store import db


@pytest.fixture(autouse=True)
def _no_real_ror(monkeypatch: pytest.MonkeyPatch) -> None:
    """`talentgraph build` finds ../shared/data/ror and ../shared/data/aiwatch by itself: tests
    build without them unless they name a fixture file (tests never read the real data)."""
    monkeypatch.setenv("TALENTGRAPH_ROR", "none")
    monkeypatch.setenv("TALENTGRAPH_POSITIONS", "none")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the fixture corpus (one small file per record family)."""
    target = tmp_path / "paperlists"
    shutil.copytree(PAPERLISTS, target)
    return target


@pytest.fixture
def store(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = db.connect(tmp_path / "store.duckdb")
    yield con
    con.close()
