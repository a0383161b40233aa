"""The build: ingest every source, then each derived stage, into one store.

Stages after ingestion (organisations, people, careers, profiles, search index) register here in
order, each as a `StageSpec`: the function `(con, progress) -> dict` that rebuilds its tables,
the tables it reads and writes, and the source files that hold its rules. A build runs a stage
only when something it reads changed since it was last built in this store (see
store/fingerprints.py); otherwise it reports the stage skipped with the figures of its last run.
A new stage or a new input plugs in by declaring it here: a stage that loads a ROR dump or a
positions export names its files (`files`) and the table it writes; the stages that read that
table list it in `reads`.
`full=True` forgets every fingerprint and runs every stage.
"""

from __future__ import annotations

import importlib
import os
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from talentgraph.careers import increments as careers_increments
from talentgraph.store import db
from talentgraph.store import fingerprints as fp


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int, detail: str = "") -> None: ...


def no_progress(stage: str, done: int, total: int, detail: str = "") -> None:
    return None


Stage = Callable[[duckdb.DuckDBPyConnection, Progress], dict[str, Any]]


@dataclass(frozen=True)
class StageSpec:
    """A derived stage: what it runs, reads and writes.

    `reads`: every table the stage reads (None: unknown, the stage always runs). `writes`: the
    tables it rebuilds (checked to still be there before a skip). `code`: files or folders under
    the talentgraph package whose bytes are the stage's rules (a change re-runs it)."""

    @property
    def run(self) -> Stage:
        if not isinstance(self.target, str):
            return self.target
        module, _, func = self.target.partition(":")
        return getattr(importlib.import_module(module), func)

    name: str
    target: Stage | str  # the function, or "module:function" imported when it runs
    reads: tuple[str, ...] | None
    writes: tuple[str, ...]
    code: tuple[str, ...]
    # tables in which the stage remembers what it computed, to redo only what changed: dropped
    # by a full build
    state: tuple[str, ...] = ()
    # files it reads besides tables (a ROR dump, a positions export): their bytes are hashed
    # into its fingerprint
    files: Callable[[], Iterable[Path]] | None = None


@dataclass
class StageRun:
    """How one stage went in one build: `status` is ran, skipped or failed."""

    status: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: int = 0  # of the process so far (ru_maxrss), not of this stage alone
    reason: str = ""


# What a build ingests before the derived stages (reported apart from them).
INGEST_STEPS = ("ingest", "ror", "ingest_positions")


@dataclass
class BuildReport:
    db_path: Path
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    runs: dict[str, StageRun] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What was skipped and redone, and what the ingest added."""
        ing = self.stages.get("ingest", {})
        return {
            "added_files": ing.get("ingested", 0), "changed_files": ing.get("replaced", 0),
            "unchanged_files": ing.get("unchanged", 0),
            "redone": [n for n, r in self.runs.items()
                       if n not in INGEST_STEPS and r.status == "ran"],
            "skipped": [n for n, r in self.runs.items() if r.status == "skipped"],
            "seconds": round(sum(self.seconds.values()), 2),
        }


def stage_specs() -> list[StageSpec]:
    """The stages that run after ingestion, in dependency order. A stage's function is named
    "module:function" and imported when it runs (a rebuild that skips it does not pay for
    importing Splink and the rest)."""
    ingested = ("papers", "mentions", "sources")
    # the ROR dump as ingested (sources/ror.py): organisations resolve to it
    ror = ("ror_orgs", "ror_names", "ror_domains", "ror_relations", "ror_keys", "ror_facts",
           "ror_reg_domains", "ror_meta")
    return [
        StageSpec("orgs", "talentgraph.resolve.orgs.stage:build_orgs", reads=(*ingested, *ror),
                  writes=("orgs", "org_aliases", "org_domains", "mention_orgs", "paper_orgs"),
                  code=("resolve/orgs", "resolve/data", "resolve/names.py", "sources/ror.py")),
        # person_keys is the people stage's own memory of ids (read and written by it)
        StageSpec("people", "talentgraph.resolve.people.stage:run",
                  reads=(*ingested, "mention_orgs"),
                  writes=("persons", "mention_person", "person_keys"),
                  code=("resolve/people", "resolve/names.py"),
                  state=("people_model", "people_mention_digest")),
        # organisations and persons of the dated positions (person_name_keys too)
        StageSpec("positions", "talentgraph.careers.positions:positions_stage",
                  reads=(*ingested, *ror, "positions", "orgs", "org_aliases", "org_domains",
                         "mention_orgs", "paper_orgs", "persons", "mention_person"),
                  writes=("person_name_keys", "position_links"),
                  code=("careers/positions.py", "namekey.py", "resolve/orgs", "resolve/data",
                        "resolve/names.py")),
        # careers reads the orgs, people and positions tables: keep it after them; and the ROR
        # names of an organisation's predecessors (careers/org_names.py), undeclared until a
        # Spark build, which hands a stage only what it declares, lost them
        StageSpec("careers", "talentgraph.careers.stage:careers_stage",
                  reads=(*ingested, "orgs", "org_aliases", "mention_orgs", "paper_orgs",
                         "persons", "mention_person", "positions", "position_links",
                         "ror_names", "ror_relations"),
                  writes=("affiliation_obs", "spells", "moves", "move_evidence",
                          "career_papers", "career_coauthors", "person_now"),
                  code=("careers", "resolve/orgs/links.py", "resolve/orgs/links.csv"),
                  state=careers_increments.STATE),
        # person pages precomputed from the people and careers tables
        StageSpec("profiles", "talentgraph.careers.profiles:profiles_stage",
                  reads=("persons", "orgs", "spells", "moves", "move_evidence", "career_papers",
                         "career_coauthors", "person_now", "positions", "position_links"),
                  writes=("person_profiles", "person_profiles_meta"),
                  code=("careers/profiles.py", "careers/observations.py"),
                  state=("person_profiles_digest",)),
        # search index + people evidence: reads all of the above, last
        StageSpec("index", "talentgraph.sourcing.index:index_stage",
                  reads=(*ingested, "mention_person", "persons", "orgs", "mention_orgs",
                         "spells", "moves", "sourcing_erased", "person_now", "positions",
                         "position_links"),
                  writes=("sourcing_papers", "sourcing_docs", "sourcing_postings",
                          "sourcing_words", "sourcing_doc_features", "sourcing_authorship",
                          "sourcing_people", "sourcing_person_static", "sourcing_author_keys",
                          "sourcing_meta"),
                  code=("sourcing",)),
    ]


def derived_stages() -> list[tuple[str, Stage]]:
    """(name, function) of the derived stages, in dependency order."""
    return [(s.name, s.run) for s in stage_specs()]


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB settings of a build: a memory limit (it spills to a temporary folder next to the
    store beyond it) so the build's peak stays bounded; `TALENTGRAPH_BUILD_MEMORY` (e.g. `2GB`)
    and `TALENTGRAPH_BUILD_THREADS` override the defaults."""
    limit = os.environ.get("TALENTGRAPH_BUILD_MEMORY", BUILD_MEMORY_LIMIT)
    con.execute(f"SET memory_limit = '{limit}'")
    threads = os.environ.get("TALENTGRAPH_BUILD_THREADS")
    if threads:
        con.execute(f"SET threads = {int(threads)}")


# DuckDB's own share of the build's memory (its default is 80% of the machine's RAM, which let
# the build reach 4.4 GB on the corpus); Python's objects come on top.
BUILD_MEMORY_LIMIT = "1500MB"


def _double(limit: str) -> str:
    """'1.3 GiB' (DuckDB's way of showing a limit) -> '2.6GiB'."""
    number, _, unit = limit.strip().partition(" ")
    return f"{float(number) * 2:.1f}{unit or 'B'}"


def _peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def drop_state(con: duckdb.DuckDBPyConnection, spec: StageSpec) -> None:
    """Forget what `spec` remembered to redo only what changed: it next runs in full."""
    for table in spec.state:
        con.execute(f'DROP TABLE IF EXISTS "{table}"')


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
          stages: list[str] | None = None, full: bool = False, ror: Path | None = None,
          positions: Path | None = None) -> BuildReport:
    """Ingest the corpus folders (the ROR dump `ror`, when given: the organisations the `orgs`
    stage resolves affiliations to; the AI Watch positions file or folder `positions`, if given)
    into the store at `db_path`, then run the derived stages whose inputs changed (every one
    with `full=True`; only those named in `stages` when given)."""
    from talentgraph.sources import paperlists as pl
    from talentgraph.sources.positions.ingest import ingest_aiwatch

    report = BuildReport(Path(db_path))
    con = db.connect(db_path)
    try:
        configure(con)
        fp.ensure_table(con)
        if full:
            fp.forget_all(con)
            for spec in stage_specs():
                drop_state(con, spec)
        t, c = time.perf_counter(), _cpu()
        report.stages["ingest"] = pl.ingest(con, paperlists, progress)
        report.seconds["ingest"] = time.perf_counter() - t
        report.runs["ingest"] = StageRun("ran", report.seconds["ingest"], _cpu() - c,
                                         _peak_rss_mb())
        if ror is not None:
            from talentgraph.sources import ror as ror_source

            t, c = time.perf_counter(), _cpu()
            report.stages["ror"] = ror_source.ingest(con, ror)
            report.seconds["ror"] = time.perf_counter() - t
            report.runs["ror"] = StageRun("ran", report.seconds["ror"], _cpu() - c,
                                          _peak_rss_mb())
        if positions is not None:
            t, c = time.perf_counter(), _cpu()
            got = ingest_aiwatch(con, [positions])
            got.pop("results")
            report.stages["ingest_positions"] = got
            report.seconds["ingest_positions"] = time.perf_counter() - t
            report.runs["ingest_positions"] = StageRun(
                "ran", report.seconds["ingest_positions"], _cpu() - c, _peak_rss_mb())
        _run_derived(con, progress, report, stages)
        t = time.perf_counter()
        report.stages["erased"] = reapply_erasures(con, Path(db_path))
        report.seconds["erased"] = time.perf_counter() - t
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return report


def rerun_stages(db_path: Path, names: list[str], progress: Progress = no_progress
                 ) -> BuildReport:
    """Run the named derived stages (in build order) on an existing store, without ingesting,
    whether or not their inputs changed; their fingerprints are recorded as in a build."""
    report = BuildReport(Path(db_path))
    con = db.connect(db_path)
    try:
        configure(con)
        for name in names:
            fp.forget(con, name)
        _run_derived(con, progress, report, names)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return report


def _run_derived(con: duckdb.DuckDBPyConnection, progress: Progress, report: BuildReport,
                 stages: list[str] | None) -> None:
    """Each derived stage in order (only those in `stages` when given), skipped when current."""
    specs = stage_specs()
    written_by = {t: s.name for s in specs for t in s.writes if t not in (s.reads or ())}
    built: dict[str, str] = {}  # stage -> fingerprint it is current with in this build
    contents: dict[str, str] = {}  # table -> content fingerprint, while no stage writes it
    for spec in specs:
        if stages is not None and spec.name not in stages:
            continue
        t, c = time.perf_counter(), _cpu()
        run = _run_stage(con, spec, progress, written_by, built, report, contents)
        if spec.reads is None:
            contents.clear()  # it may have written anything
        for table in spec.writes if run.status == "ran" else ():
            contents.pop(table, None)
        run.seconds, run.cpu_seconds = time.perf_counter() - t, _cpu() - c
        run.peak_rss_mb = _peak_rss_mb()
        report.runs[spec.name] = run
        report.seconds[spec.name] = run.seconds


def _run_stage(con: duckdb.DuckDBPyConnection, spec: StageSpec, progress: Progress,
               written_by: dict[str, str], built: dict[str, str],
               report: BuildReport, contents: dict[str, str]) -> StageRun:
    if spec.reads is None:
        progress(spec.name, 0, 1, "inputs not declared")
        report.stages[spec.name] = spec.run(con, progress)
        return StageRun("ran", reason="inputs not declared")
    extra = fp.files_fingerprint(spec.files()) if spec.files is not None else ""
    finger, _ = fp.stage_fingerprint(con, spec.reads, spec.code, written_by, built, extra=extra,
                                     contents=contents)
    previous = fp.recorded(con).get(spec.name)
    if fp.is_current(con, spec.name, finger, spec.writes):
        built[spec.name] = finger
        report.stages[spec.name] = fp.last_summary(con, spec.name)
        progress(spec.name, 1, 1, "skipped: nothing it reads changed")
        return StageRun("skipped", reason="nothing it reads changed")
    reason = "first build" if previous is None else (
        "inputs changed" if previous[0] != finger else "its tables were changed")
    fp.forget(con, spec.name)
    if spec.state and not fp.state_is_for_code(con, spec.name, spec.code):
        drop_state(con, spec)  # remembered by other rules (or by none): start afresh
    progress(spec.name, 0, 1, reason)
    try:
        result = spec.run(con, progress)
    except duckdb.OutOfMemoryException:
        # Stages rebuild their tables from scratch (CREATE OR REPLACE), so running one again is
        # safe: once, with twice DuckDB's memory, rather than fail a long build at its end.
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        con.execute(f"SET memory_limit = '{_double(limit)}'")
        progress(spec.name, 0, 1, f"out of memory at {limit}: again with {_double(limit)}")
        try:
            result = spec.run(con, progress)
        finally:
            con.execute(f"SET memory_limit = '{limit}'")
        reason += f"; ran twice (out of memory at {limit})"
    report.stages[spec.name] = result
    if spec.state:
        fp.remember_state_code(con, spec.name, spec.code)
    if "skipped" not in result:  # a stage that could not run (missing inputs) is not current
        fp.remember(con, spec.name, finger, spec.writes, result)
        built[spec.name] = finger
    return StageRun("ran", reason=reason)
