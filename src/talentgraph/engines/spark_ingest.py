"""The paperlists ingest on Spark: the files read in parallel, then the same record rules.

The record rules are paperlists_sql's DuckDB SQL, run through the Spark connection
(engines/spark.py); only the first step differs. DuckDB reads a file with `read_json` into
table `r` (one row per array element: each field's text and JSON type code); here each file is
parsed by Python on the executors (`mapInArrow` over Spark's `binaryFile` source: the files are
read in parallel, from a local folder or object storage alike) into rows of the same shape, with
the same fallbacks for a damaged file (sources/paperlists.py: `read_file_bytes` and
`parse_records`, line by line when the array does not parse). Then `transform_sql`,
`papers_select`, `mentions_select` and the per-file counts run unchanged, over all files at once
(Spark has no per-batch transaction: the build's output folder is switched in at the end).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from talentgraph.engines.spark import SparkConnection
from talentgraph.sources import paperlists as pl
from talentgraph.sources import paperlists_sql
from talentgraph.sources.model import RECORD

_FIELDS = paperlists_sql.FIELDS
PARTITION_BYTES = 16 << 20
_MARKERS = paperlists_sql.MARKER_FIELDS


def _r_schema() -> pa.Schema:
    cols: list[pa.Field] = [pa.field("source_file", pa.string())]
    for f in _FIELDS:
        cols += [pa.field(f, pa.string()), pa.field(f"t_{f}", pa.int32())]
    cols += [pa.field(f"has_{f}", pa.bool_()) for f in _MARKERS]
    cols += [pa.field("rating0", pa.float64()), pa.field("jt", pa.int32()),
             pa.field("rowid", pa.int64()), pa.field("file_meta", pa.string())]
    return pa.schema(cols)


R_SCHEMA = _r_schema()


def _json_text(value: Any) -> str | None:
    """A JSON value as DuckDB's `json ->> '$'` gives it: a string unquoted, anything else as
    minified JSON text; JSON null is SQL NULL."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return orjson.dumps(value).decode("utf-8")


def _type_code(value: Any) -> int | None:
    """The first character's code point of the value's JSON text (paperlists_sql.TYPE_CODES)."""
    if value is None:
        return None
    if isinstance(value, str):
        return 34
    text = _json_text(value)
    return ord(text[0])


def element_row(source_file: str, rowid: int, element: Any) -> dict[str, Any]:
    """One array element as a row of `r` (see paperlists_sql.record_columns)."""
    row: dict[str, Any] = {"source_file": source_file, "rowid": rowid, "file_meta": None}
    rec = element if isinstance(element, dict) else {}
    found = False
    for f in _FIELDS:
        v = rec.get(f)
        row[f] = _json_text(v)
        row[f"t_{f}"] = _type_code(v)
        found = found or v is not None
    for f in _MARKERS:
        row[f"has_{f}"] = rec.get(f) is not None
        found = found or rec.get(f) is not None
    rating = rec.get("rating_avg")
    row["rating0"] = None
    if isinstance(rating, list) and rating:
        try:
            row["rating0"] = float(_json_text(rating[0]) or "")
        except ValueError:
            row["rating0"] = None
    if found or isinstance(element, dict):
        row["jt"] = 123
    elif element is None:
        row["jt"] = 110
    else:
        row["jt"] = _type_code(element)
    return row


def parse_file(name: str, raw: bytes, file_no: int) -> tuple[list[dict[str, Any]], dict]:
    """The rows of one file and what is known of the file (sha256, size, problems)."""
    problems = []
    text = raw
    if name.endswith(".gz"):
        import gzip
        import zlib

        try:
            text = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error):
            # the same salvage of a damaged stream as the DuckDB build (it reads the path)
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=".gz") as tmp:
                tmp.write(raw)
                tmp.flush()
                _, text, problems = pl.read_file_bytes(Path(tmp.name))
            for p in problems:
                p.source_file = name
                p.reason = p.reason.replace(tmp.name, name)
    records, parse_problems, complete = pl.parse_records(name, text)
    problems += parse_problems
    meta = {"sha256": pl.file_sha256(raw), "size_bytes": len(raw),
            "complete": complete and not problems,
            "unreadable_lines": sum(1 for p in parse_problems if p.level == RECORD),
            "problems": [[getattr(p, c) for c in pl.PROBLEM_COLUMNS] for p in problems]}
    base = file_no << 32
    return [element_row(name, base + i, e) for i, e in enumerate(records)], meta


def _parse_batches(files: dict[str, int]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """The mapInArrow function: binaryFile rows (path, content) -> rows of `r`, plus one row a
    file carrying its `file_meta` (JSON)."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            paths = batch.column("path").to_pylist()
            contents = batch.column("content").to_pylist()
            for path, raw in zip(paths, contents, strict=True):
                name = path.rsplit("/", 1)[-1]
                rows, meta = parse_file(name, raw, files[path])
                meta_row = {c: None for c in R_SCHEMA.names}
                meta_row.update(source_file=name, rowid=-1,
                                file_meta=orjson.dumps(meta).decode())
                yield pa.RecordBatch.from_pylist([*rows, meta_row], schema=R_SCHEMA)

    return run


def ingest(con: SparkConnection, dirs: list[Path], progress: Callable[..., None] | None = None
           ) -> dict[str, Any]:
    """Ingest every corpus file under `dirs` into the Spark tables papers, mentions,
    quarantine and sources; the totals as `paperlists.ingest` reports them."""
    spark = con.spark
    files = pl.discover(dirs)
    now = datetime.now(UTC)
    totals: dict[str, Any] = {"files": len(files), "ingested": 0, "replaced": 0, "unchanged": 0,
                              "papers": 0, "mentions": 0, "records_dropped": 0, "problems": 0}
    if progress:
        progress("ingest", 0, len(files), "")
    uris = [p.resolve().as_uri() for p in files]
    # binaryFile gives paths as file:/x (one slash): key the file numbers by what it gives
    numbers = {u.replace("file:///", "file:/"): i for i, u in enumerate(uris)}
    numbers.update({u: i for i, u in enumerate(uris)})
    raw = spark.read.format("binaryFile").load(uris) if uris else None
    from pyspark.sql.types import StructType

    spark_schema = StructType.fromJson(_spark_schema_json())
    if raw is None:
        read = spark.createDataFrame([], schema=spark_schema)
    else:
        # partitions by volume, as Spark splits large files (~PARTITION_BYTES compressed
        # each): the rules' ~100 statements each run a task a partition, which a tiny corpus
        # would otherwise pay many times over
        volume = sum(p.stat().st_size for p in files)
        parts = max(1, min(len(uris), -(-volume // PARTITION_BYTES)))
        read = raw.select("path", "content").repartition(parts) \
            .mapInArrow(_parse_batches(numbers), spark_schema)
    read = read.localCheckpoint(eager=True)
    metas = {r["source_file"]: orjson.loads(r["file_meta"]) for r in
             read.where("rowid = -1").select("source_file", "file_meta").collect()}
    con.save("r", read.where("rowid >= 0").drop("file_meta"))
    con.save("stg_files", spark.createDataFrame([(f.name,) for f in files],
                                                schema="source_file string"),
             materialise=False)
    con.execute(paperlists_sql.transform_sql())
    families = pl._families(con)
    counts = pl._counts(con)
    pattern = "'^([a-z0-9]+?)((19|20)[0-9]{2})\\.json'"

    def sub(sql: str) -> str:
        return paperlists_sql.substitute(
            sql, f"CAST('{now.isoformat()}' AS TIMESTAMPTZ)",
            f"regexp_extract(source_file, {pattern}, 1)",
            f"TRY_CAST(regexp_extract(source_file, {pattern}, 2) AS INTEGER)")

    con.execute(f"CREATE OR REPLACE TABLE papers AS {sub(paperlists_sql.papers_select())}")
    con.execute(f"CREATE OR REPLACE TABLE mentions AS {sub(paperlists_sql.mentions_select())}")
    extra = [tuple(p) for f in files for p in metas.get(f.name, {}).get("problems", [])]
    q = con.table("t_problems")
    if extra:
        q = q.unionByName(spark.createDataFrame(extra, schema=q.schema))
    from pyspark.sql import functions as F

    con.save("quarantine", q.withColumn("ingested_at", F.lit(now)))
    source_rows = []
    for path in files:
        meta = metas.get(path.name, {"sha256": "", "size_bytes": 0, "complete": False,
                                     "unreadable_lines": 0, "problems": []})
        read_n, papers, mentions, problems = counts.get(path.name, (0, 0, 0, 0))
        venue, year = pl.venue_year(path)
        source_rows.append((path.name, pl.KIND, str(path), venue, year, families.get(path.name),
                            meta["sha256"], meta["size_bytes"],
                            read_n + meta["unreadable_lines"], papers, mentions,
                            problems + len(meta["problems"]),
                            "ok" if meta["complete"] else "partial", now))
        totals["ingested"] += 1
        totals["papers"] += papers
        totals["mentions"] += mentions
        totals["problems"] += problems + len(meta["problems"])
        totals["records_dropped"] += sum(p[1] == RECORD for p in meta["problems"])
    totals["records_dropped"] += con.execute(
        "SELECT count(*) FROM t_problems WHERE level = 'record'").fetchone()[0]
    con.save("sources", spark.createDataFrame(source_rows, schema=(
        "source_file string, kind string, path string, venue string, year int, family string, "
        "sha256 string, size_bytes long, records_read int, papers int, mentions int, "
        "problems int, status string, ingested_at timestamp")))
    if progress:
        progress("ingest", len(files), len(files), "")
    return totals


def _spark_schema_json() -> dict:
    types = {pa.string(): "string", pa.int32(): "integer", pa.int64(): "long",
             pa.bool_(): "boolean", pa.float64(): "double"}
    return {"type": "struct", "fields": [
        {"name": f.name, "type": types[f.type], "nullable": True, "metadata": {}}
        for f in R_SCHEMA]}
