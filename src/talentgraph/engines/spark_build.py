"""`talentgraph build --engine spark`: the build's stages on Apache Spark, written as Parquet.

What runs where (each stage's SQL is the one the DuckDB build runs, carried over by
engines/sqlport.py; no second copy):
- ingest of the paperlists files: on Spark (engines/spark_ingest.py), files read in parallel;
- the derived stages named in `SPARK_STAGES`: on Spark, through the SparkConnection;
- the others on the serving side's DuckDB (one machine), over the tables Spark produced:
  ROR and the AI Watch positions are ingested there (their readers are DuckDB's), and the
  search index needs DuckDB's full-text index anyway. A table one engine wrote and the other
  reads is handed over as Parquet.
Every table is then in `tables/` as Parquet and in `serving.duckdb`; the folder is switched in
only at the end (engines/output.py).
Not yet on Spark, and why: orgs (its resolver is Python over distinct affiliation strings, to be
run as a mapInArrow over them, and it reads the ROR tables, ingested on DuckDB), positions and
profiles (not tried on Spark yet), index (DuckDB's full-text index is the serving side's).
careers is Python over each person's observations: in local mode they come to the driver
(SparkConnection.to_arrow_reader); at scale the same function runs per person on the executors
(groupBy().applyInArrow).
"""

from __future__ import annotations

import json
import resource
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talentgraph.engines import output
from talentgraph.pipeline import Progress, StageRun, no_progress

# derived stages ported to Spark (in build order: a stage runs on Spark only when every stage
# before it did)
SPARK_STAGES: tuple[str, ...] = ("people", "careers")
INGEST_TABLES = ("papers", "mentions", "quarantine", "sources")


@dataclass
class SparkBuildReport:
    out: Path
    build_dir: Path | None = None
    engines: dict[str, str] = field(default_factory=dict)  # stage -> "spark" | "duckdb"
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, StageRun] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # stage -> (start, end) in epoch seconds: a benchmark sampling the process tree (the JVM
    # is a child) cuts its CPU and memory per stage by these
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def serving_db(self) -> Path:
        return (self.build_dir or self.out / output.CURRENT) / output.SERVING

    def as_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "build": str(self.build_dir), "engines": self.engines,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
                "spans": self.spans, "stages": self.stages}


def _peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def build(out: Path, paperlists: Iterable[Path], master: str = "local[2]",
          progress: Progress = no_progress, ror: Path | None = None,
          positions: Path | None = None, spark: Any = None) -> SparkBuildReport:
    """Build the paperlists folders into the output folder `out` (see engines/output.py) with
    Spark at `master` (or the given SparkSession `spark`, left running); the report says which
    engine ran each stage and how long it took."""
    from talentgraph import pipeline
    from talentgraph.engines import spark_ingest
    from talentgraph.engines.spark import SparkConnection, session
    from talentgraph.store import db

    out = Path(out)
    report = SparkBuildReport(out)
    work = output.new_build_dir(out)
    tables = work / "tables"
    serving = work / output.SERVING
    own_session = spark is None
    spark = spark or session(master)
    try:
        con = SparkConnection(spark)
        t = time.perf_counter()
        report.stages["ingest"] = spark_ingest.ingest(con, list(paperlists), progress)
        _timed(report, "ingest", "spark", t)
        t = time.perf_counter()
        for name in INGEST_TABLES:
            _write_parquet(con.table(name), tables / name)
        report.seconds["write_parquet"] = time.perf_counter() - t
        # the serving side: one DuckDB store, loaded from the Parquet
        duck = db.connect(serving)
        try:
            pipeline.configure(duck)
            t = time.perf_counter()
            for name in INGEST_TABLES:
                _load(duck, name, tables / name)
            report.seconds["load_serving"] = time.perf_counter() - t
            _previous_erasures(out, serving)
            _serving_inputs(duck, report, ror, positions)
            where = {name: "both" for name in INGEST_TABLES}  # table -> spark | duckdb | both
            for spec in pipeline.stage_specs():
                if spec.name in SPARK_STAGES and not (ror is not None and spec.name == "orgs"):
                    _stage_on_spark(con, duck, spec, where, tables, report, progress)
                else:
                    _stage_on_duckdb(duck, serving, spec, report, progress)
                    where.update({w: "duckdb" for w in spec.writes})
            t = time.perf_counter()
            report.stages["erased"] = pipeline.reapply_erasures(duck, serving)
            report.seconds["erased"] = time.perf_counter() - t
            t = time.perf_counter()
            for name, place in sorted(where.items()):
                if place == "duckdb":
                    _export(duck, name, tables / name)
            report.seconds["export_parquet"] = time.perf_counter() - t
            duck.execute("CHECKPOINT")
        finally:
            duck.close()
        report.build_dir = output.switch(out, work)
        (report.build_dir / "build.json").write_text(
            json.dumps(report.as_dict(), default=str, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if own_session:
            spark.stop()
    return report


def _stage_on_spark(con: Any, duck: Any, spec: Any, where: dict[str, str], tables: Path,
                    report: SparkBuildReport, progress: Progress) -> None:
    """A stage on Spark: what it reads and only DuckDB has (a stage before it ran there) is
    handed over as Parquet; what it writes goes to Parquet and into the serving store."""
    t = time.perf_counter()
    on_spark = {n.lower() for n in con.tables()}
    for name in spec.reads or ():
        if where.get(name) == "duckdb" or (name.lower() not in on_spark
                                           and _is_table(duck, name)):
            _export(duck, name, tables / name)
            con.save(name, con.spark.read.parquet(str(tables / name)))
            where[name] = "both"
    progress(spec.name, 0, 1, "on Spark")
    report.stages[spec.name] = spec.run(con, progress)
    for name in spec.writes:
        _write_parquet(con.table(name), tables / name)
        _load(duck, name, tables / name, replace=True)
        where[name] = "both"
    _timed(report, spec.name, "spark", t)


def _stage_on_duckdb(duck: Any, serving: Path, spec: Any, report: SparkBuildReport,
                     progress: Progress) -> None:
    from talentgraph import pipeline

    inner = pipeline.BuildReport(serving)
    start = time.time()
    pipeline._run_derived(duck, progress, inner, [spec.name])
    report.spans[spec.name] = (start, time.time())
    report.stages[spec.name] = inner.stages.get(spec.name, {})
    report.runs[spec.name] = inner.runs[spec.name]
    report.seconds[spec.name] = inner.seconds[spec.name]
    report.engines[spec.name] = "duckdb"


def _timed(report: SparkBuildReport, name: str, engine: str, started: float) -> None:
    seconds = time.perf_counter() - started
    report.spans[name] = (time.time() - seconds, time.time())
    report.engines[name] = engine
    report.seconds[name] = seconds
    report.runs[name] = StageRun("ran", seconds, 0.0, _peak_rss_mb(), reason=f"on {engine}")


def _write_parquet(df: Any, path: Path) -> None:
    """A table as Parquet part files (one a Spark partition)."""
    df.write.mode("overwrite").option("compression", "zstd").parquet(str(path))


def _parquet_glob(path: Path) -> str:
    return str(path / "*.parquet").replace("'", "''")


def _load(duck: Any, name: str, path: Path, replace: bool = False) -> None:
    """A Spark table into the serving store: into the contract table of that name (its types)
    where the schema has one, else as a new table."""
    exists = duck.execute("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_name = ?", [name]).fetchone()[0]
    source = f"read_parquet('{_parquet_glob(path)}')"
    if not list(path.glob("*.parquet")):
        return
    if exists and not replace:
        duck.execute(f'DELETE FROM "{name}"')
        duck.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM {source}')
    else:
        duck.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM {source}')


def _is_table(duck: Any, name: str) -> bool:
    return bool(duck.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = ? AND table_type = 'BASE TABLE'",
                             [name]).fetchone()[0])


def _export(duck: Any, name: str, path: Path) -> None:
    if not _is_table(duck, name):
        return
    path.mkdir(parents=True, exist_ok=True)
    target = str(path / "part-0.parquet").replace("'", "''")
    duck.execute(f"COPY \"{name}\" TO '{target}' (FORMAT parquet, COMPRESSION zstd)")


def _previous_erasures(out: Path, serving: Path) -> None:
    """People erased from the current output stay erased in the new one: the suppression list
    (store/suppress.py, `<store>.erased`) is carried over."""
    previous = output.serving_store(out)
    if previous is None:
        return
    erased = previous.with_name(previous.name + ".erased")
    if erased.exists():
        shutil.copy2(erased, serving.with_name(serving.name + ".erased"))


def _serving_inputs(duck: Any, report: SparkBuildReport, ror: Path | None,
                    positions: Path | None) -> None:
    """ROR and the positions, ingested on the serving store (their readers are DuckDB's)."""
    from talentgraph.store import fingerprints as fp

    fp.ensure_table(duck)
    if ror is not None:
        from talentgraph.sources import ror as ror_source

        t = time.perf_counter()
        report.stages["ror"] = ror_source.ingest(duck, ror)
        _timed(report, "ror", "duckdb", t)
    if positions is not None:
        from talentgraph.sources.positions.ingest import ingest_aiwatch

        t = time.perf_counter()
        got = ingest_aiwatch(duck, [positions])
        got.pop("results")
        report.stages["ingest_positions"] = got
        _timed(report, "ingest_positions", "duckdb", t)
