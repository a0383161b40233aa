"""Ingesting positions units into the store: files (AI Watch, a roster CSV, ORCID XML records)
and API queries (ORCID, OpenReview, OpenAlex authors), each unit written atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb

from talentgraph.errors import SourceError
from talentgraph.sources.positions import aiwatch, orcid, roster
from talentgraph.sources.positions.model import PositionUnit
from talentgraph.store.positions import PositionsResult, totals, write_positions


def _files(paths: Iterable[Path], pattern: str) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob(pattern) if x.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise SourceError(f"no such file or folder: {p}")
    return out


def ingest_units(con: duckdb.DuckDBPyConnection, units: Iterable[Callable[[], PositionUnit]]
                 ) -> dict[str, Any]:
    """Parse and store each unit in turn; the summary counts outcomes and rows."""
    results: list[PositionsResult] = [write_positions(con, make()) for make in units]
    return {**totals(results), "results": [asdict(r) for r in results]}


def ingest_aiwatch(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> dict[str, Any]:
    return ingest_units(con, [lambda p=p: aiwatch.read(p) for p in _files(paths, "*.csv")])


def ingest_roster(con: duckdb.DuckDBPyConnection, paths: list[Path], org: str | None = None
                  ) -> dict[str, Any]:
    return ingest_units(con, [lambda p=p: roster.read(p, org) for p in _files(paths, "*.csv")])


def ingest_orcid_xml(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> dict[str, Any]:
    return ingest_units(con, [lambda p=p: orcid.read_xml(p) for p in _files(paths, "*.xml")])
