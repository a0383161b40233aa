"""The build: ingest every source, then each derived stage, into one store.

Stages after ingestion (organisations, people, careers, search index) register here in order;
each is a function `(con, progress) -> dict` that rebuilds its tables from the ingested rows, so a
build can always be re-run from scratch or on top of a store with more data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from talentgraph.store import db


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int, detail: str = "") -> None: ...


def no_progress(stage: str, done: int, total: int, detail: str = "") -> None:
    return None


Stage = Callable[[duckdb.DuckDBPyConnection, Progress], dict[str, Any]]


@dataclass
class BuildReport:
    db_path: Path
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def derived_stages() -> list[tuple[str, Stage]]:
    """The stages that run after ingestion, in dependency order."""
    from talentgraph.careers.positions import positions_stage
    from talentgraph.careers.profiles import profiles_stage
    from talentgraph.careers.stage import careers_stage
    from talentgraph.resolve.orgs.stage import build_orgs
    from talentgraph.resolve.people.stage import run as people_stage
    from talentgraph.sourcing.index import index_stage

    return [
        ("orgs", build_orgs),  # orgs, org_aliases, org_domains, mention_orgs, paper_orgs
        ("people", people_stage),  # persons, mention_person, person_keys (uses mention_orgs)
        # organisations and persons of the dated positions (person_name_keys too)
        ("positions", positions_stage),
        ("careers", careers_stage),  # reads the orgs and people tables: keep it after them
        ("profiles", profiles_stage),  # person pages precomputed from people + careers tables
        ("index", index_stage),  # search index + people evidence: reads all of the above, last
    ]


def reapply_erasures(con: Any, db_path: Path) -> dict[str, int]:
    """People erased on request (the store's suppression list) leave the rebuilt search index
    again; the read paths keep them out of everything else (`store.suppress`)."""
    from talentgraph.sourcing.index import erase_from_index
    from talentgraph.store import suppress

    removed: dict[str, int] = {}
    for pid in suppress.erased_ids(con, suppress.load(db_path)):
        for table, n in erase_from_index(con, pid).items():
            removed[table] = removed.get(table, 0) + n
    return removed


def build(db_path: Path, paperlists: list[Path], progress: Progress = no_progress,
          stages: list[str] | None = None, ror: Path | None = None,
          positions: Path | None = None) -> BuildReport:
    """Ingest the corpus folders (the ROR dump `ror`, when given: the organisations the `orgs`
    stage resolves affiliations to; the AI Watch positions file or folder `positions`, if given)
    into the store at `db_path`, then run the derived stages."""
    from talentgraph.sources import paperlists as pl
    from talentgraph.sources.positions.ingest import ingest_aiwatch

    report = BuildReport(Path(db_path))
    con = db.connect(db_path)
    try:
        t = time.perf_counter()
        report.stages["ingest"] = pl.ingest(con, paperlists, progress)
        report.seconds["ingest"] = time.perf_counter() - t
        if ror is not None:
            from talentgraph.sources import ror as ror_source

            t = time.perf_counter()
            report.stages["ror"] = ror_source.ingest(con, ror)
            report.seconds["ror"] = time.perf_counter() - t
        if positions is not None:
            t = time.perf_counter()
            got = ingest_aiwatch(con, [positions])
            got.pop("results")
            report.stages["ingest_positions"] = got
            report.seconds["ingest_positions"] = time.perf_counter() - t
        for name, stage in derived_stages():
            if stages is not None and name not in stages:
                continue
            t = time.perf_counter()
            report.stages[name] = stage(con, progress)
            report.seconds[name] = time.perf_counter() - t
        t = time.perf_counter()
        report.stages["erased"] = reapply_erasures(con, Path(db_path))
        report.seconds["erased"] = time.perf_counter() - t
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return report


def rerun_stages(db_path: Path, names: list[str], progress: Progress = no_progress
                 ) -> BuildReport:
    """Run the named derived stages (in build order) on an existing store, without ingesting."""
    report = BuildReport(Path(db_path))
    con = db.connect(db_path)
    try:
        for name, stage in derived_stages():
            if name in names:
                t = time.perf_counter()
                report.stages[name] = stage(con, progress)
                report.seconds[name] = time.perf_counter() - t
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return report
