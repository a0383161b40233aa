"""`talentgraph build --engine spark`: the build's stages on Apache Spark, written as Parquet.

What runs where (each stage's SQL is the one the DuckDB build runs, carried over by
engines/sqlport.py; no second copy):
- ingest of the paperlists files: on Spark (engines/spark_ingest.py), files read in parallel;
- the derived stages named in `SPARK_STAGES`, in build order, on Spark through the
  SparkConnection;
- from the first stage not (yet) ported on, the rest on the serving side's DuckDB (one machine),
  over the tables Spark produced: ROR and the AI Watch positions are ingested there (their
  readers are DuckDB's), and the search index needs DuckDB's full-text index anyway.
Every table is then in `tables/` as Parquet and in `serving.duckdb`; the folder is switched in
only at the end (engines/output.py).
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
SPARK_STAGES: tuple[str, ...] = ()
INGEST_TABLES = ("papers", "mentions", "quarantine", "sources")


@dataclass
class SparkBuildReport:
    out: Path
    build_dir: Path | None = None
    engines: dict[str, str] = field(default_factory=dict)  # stage -> "spark" | "duckdb"
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, StageRun] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def serving_db(self) -> Path:
        return (self.build_dir or self.out / output.CURRENT) / output.SERVING

    def as_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "build": str(self.build_dir), "engines": self.engines,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
                "stages": self.stages}


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
    own_session = spark is None
    spark = spark or session(master)
    try:
        con = SparkConnection(spark)
        t = time.perf_counter()
        report.stages["ingest"] = spark_ingest.ingest(con, list(paperlists), progress)
        _timed(report, "ingest", "spark", t)
        spark_tables = list(INGEST_TABLES)
        specs = pipeline.stage_specs()
        on_spark = []
        for spec in specs:
            if spec.name not in SPARK_STAGES or ror is not None and spec.name == "orgs":
                break
            t = time.perf_counter()
            progress(spec.name, 0, 1, "on Spark")
            report.stages[spec.name] = spec.run(con, progress)
            _timed(report, spec.name, "spark", t)
            spark_tables += list(spec.writes)
            on_spark.append(spec.name)
        t = time.perf_counter()
        tables = work / "tables"
        for name in spark_tables:
            _write_parquet(con.table(name), tables / name)
        report.seconds["write_parquet"] = time.perf_counter() - t
        # the serving side: one DuckDB store loaded from the Parquet, and the stages not on Spark
        t = time.perf_counter()
        serving = work / output.SERVING
        duck = db.connect(serving)
        try:
            pipeline.configure(duck)
            for name in spark_tables:
                _load(duck, name, tables / name)
            report.seconds["load_serving"] = time.perf_counter() - t
            rest = [s.name for s in specs if s.name not in on_spark]
            _previous_erasures(out, serving)
            _serving_stages(duck, serving, report, rest, progress, ror, positions)
            t = time.perf_counter()
            written = {n for s in specs if s.name in rest for n in s.writes}
            for name in sorted(written):
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


def _timed(report: SparkBuildReport, name: str, engine: str, started: float) -> None:
    seconds = time.perf_counter() - started
    report.engines[name] = engine
    report.seconds[name] = seconds
    report.runs[name] = StageRun("ran", seconds, 0.0, _peak_rss_mb(), reason=f"on {engine}")


def _write_parquet(df: Any, path: Path) -> None:
    """A table as Parquet part files (one a Spark partition)."""
    df.write.mode("overwrite").option("compression", "zstd").parquet(str(path))


def _parquet_glob(path: Path) -> str:
    return str(path / "*.parquet").replace("'", "''")


def _load(duck: Any, name: str, path: Path) -> None:
    """A Spark table into the serving store: into the contract table of that name (its types)
    where the schema has one, else as a new table."""
    exists = duck.execute("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_name = ?", [name]).fetchone()[0]
    source = f"read_parquet('{_parquet_glob(path)}')"
    if not list(path.glob("*.parquet")):
        return
    if exists:
        duck.execute(f'DELETE FROM "{name}"')
        duck.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM {source}')
    else:
        duck.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {source}')


def _export(duck: Any, name: str, path: Path) -> None:
    exists = duck.execute("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_name = ? AND table_type = 'BASE TABLE'",
                          [name]).fetchone()[0]
    if not exists:
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


def _serving_stages(duck: Any, serving: Path, report: SparkBuildReport, names: list[str],
                    progress: Progress, ror: Path | None, positions: Path | None) -> None:
    """ROR, the positions and the derived stages not run on Spark, on the serving store."""
    from talentgraph import pipeline
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
    inner = pipeline.BuildReport(serving)
    pipeline._run_derived(duck, progress, inner, names)
    for name in names:
        report.stages[name] = inner.stages.get(name, {})
        report.runs[name] = inner.runs[name]
        report.seconds[name] = inner.seconds[name]
        report.engines[name] = "duckdb"
    t = time.perf_counter()
    report.stages["erased"] = pipeline.reapply_erasures(duck, serving)
    report.seconds["erased"] = time.perf_counter() - t
