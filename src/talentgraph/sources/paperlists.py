"""Connector for the papercopilot/paperlists corpus: `<venue>/<venue><year>.json[.gz]` files.

Each file is a JSON array of flat records whose multi-valued fields are `;`- (or `,`-) separated
strings. Several record families exist (see the corpus MANIFEST.md); parsing is driven by what a
record's fields hold rather than by a per-file switch, so a new file of a known shape just works.

Alignment rules (why mentions sometimes carry no affiliation):
- A parallel field (`aff`, `aff_domain`, `position`, `authorids`, `dblp`, ...) is zipped with the
  author list only when it has exactly one slot per author. When the counts differ, the corpus
  dropped empty slots, so who holds which value is unknown: the values are kept on the paper
  (`aff_set`, `id_set`) and a field problem is recorded.
- Some files hold in `aff` a de-duplicated set of institutions for the whole paper (CVF sites,
  several SIGGRAPH years). A set never repeats a value, while a per-author list repeats whenever two
  coauthors share an institution, which happens on a large share of papers. A file whose
  multi-affiliation records never repeat a value is read as a set file, even when a set happens to
  have as many entries as the paper has authors.
- IEEE files write the author and id lists twice in a row; the second copy is dropped.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import queue
import re
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from talentgraph.sources import paperlists_sql
from talentgraph.sources.clean import excerpt, unescape
from talentgraph.sources.model import FILE, RECORD, Problem

KIND = "paperlists"
FILE_NAME = re.compile(r"^(?P<venue>[a-z0-9]+?)(?P<year>(?:19|20)\d{2})\.json(?:\.gz)?$")

_IEEE_ID = re.compile(r"^/\d+$")


def discover(dirs: Iterable[Path]) -> list[Path]:
    """Every corpus file under the given folders, in a stable order."""
    found: dict[str, Path] = {}
    for d in dirs:
        for path in sorted(Path(d).rglob("*.json*")):
            if FILE_NAME.match(path.name) and path.is_file():
                found.setdefault(str(path.resolve()), path)
    return sorted(found.values(), key=lambda p: (p.name, str(p)))


def venue_year(path: Path) -> tuple[str | None, int | None]:
    m = FILE_NAME.match(path.name)
    if not m:
        return None, None
    return m["venue"], int(m["year"])


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# Reading a file: whole-array parse, falling back to salvaging complete lines.


def read_file_bytes(path: Path) -> tuple[bytes, bytes, list[Problem]]:
    """Raw bytes and decompressed text of a file; a truncated gzip yields what could be read."""
    raw = path.read_bytes()
    problems: list[Problem] = []
    if not path.name.endswith(".gz"):
        return raw, raw, problems
    try:
        return raw, gzip.decompress(raw), problems
    except (EOFError, OSError, zlib.error) as exc:
        # Decompress what precedes the damage: the records it holds are still good.
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            text = d.decompress(raw)
        except zlib.error:
            text = b""
        problems.append(
            Problem(FILE, path.name, None, None, None,
                    f"damaged gzip stream ({exc}); {len(text):,} bytes could be decompressed, "
                    "complete records in them are kept")
        )
        return raw, text, problems


def parse_records(name: str, text: bytes) -> tuple[list[Any], list[Problem], bool]:
    """The records of a file: (records, problems, complete?).

    The corpus writes one record per line, so when the array as a whole does not parse (invalid
    JSON, a truncated file), each line is tried on its own and only the bad lines are lost.
    """
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return _salvage_lines(name, text, str(exc))
    if not isinstance(data, list):
        found = type(data).__name__
        return [], [Problem(FILE, name, None, None, None,
                            f"expected a JSON array of records, found {found}")], False
    return data, [], True


def _salvage_lines(name: str, text: bytes, why: str) -> tuple[list[Any], list[Problem], bool]:
    problems = [Problem(FILE, name, None, None, None,
                        f"the file is not valid JSON as a whole ({why}); reading it line by line")]
    records: list[Any] = []
    for lineno, line in enumerate(text.split(b"\n"), start=1):
        s = line.strip().rstrip(b",").strip()
        if s in (b"", b"[", b"]", b"[]"):
            continue
        if s.startswith(b"["):
            s = s[1:].strip()
        if s.endswith(b"]") and not s.endswith(b"}]"):
            s = s[:-1].strip()
        elif s.endswith(b"}]"):
            s = s[:-1]
        try:
            records.append(orjson.loads(s))
        except orjson.JSONDecodeError as exc:
            problems.append(Problem(RECORD, name, None, None, None,
                                    f"line {lineno} is not a complete JSON record ({exc})",
                                    excerpt(s.decode("utf-8", "replace"))))
    return records, problems, False


def classify_family(keys: set[str], first_ids: list[str]) -> str:
    """The record family of a file from its field names and first author ids (informational)."""
    ids = [i for i in first_ids if i]
    if "or_profile" in keys:
        return "A"
    if ids and sum(_IEEE_ID.match(i) is not None for i in ids) > len(ids) / 2:
        return "E"
    if ids and sum(i.startswith("/") for i in ids) > len(ids) / 2:
        return "D" if "aff_unique_index" in keys else "F"
    if ids and ("position" in keys or "aff_domain" in keys):
        return "B"
    if "sess" in keys:
        return "G"
    if "doi" in keys and "aff" in keys and "aff_unique_index" not in keys:
        return "F"
    if "aff_unique_index" in keys:
        return "C"
    if "aff" in keys and "affs" not in keys:
        return "H"
    return "I"




# --------------------------------------------------------------------------------------------
# Ingest: stage a batch of files in DuckDB, apply the record rules in SQL, write in one transaction.

INGEST_WORKERS = 2  # batches written at a time (see `ingest`)
BATCH_BYTES = 16 << 20  # compressed bytes per batch: bounds memory (~4x once decompressed)
MAX_OBJECT = 64 << 20  # a record larger than this is handed to the line-by-line reader
PROBLEM_COLUMNS = ("source_file", "level", "record_index", "record_id", "field", "reason",
                   "excerpt")


@dataclass
class FileJob:
    path: Path
    source_file: str
    sha256: str
    size_bytes: int
    previous_sha: str | None
    problems: list[Problem] = field(default_factory=list)
    unreadable_lines: int = 0
    complete: bool = True


def _unescape_udf(values: pa.Array) -> pa.Array:
    return pa.array([None if v is None else unescape(v) for v in values.to_pylist()],
                    type=pa.string())


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Register the SQL helpers the record rules use on this connection."""
    # Already there: on this connection, or on the database another cursor of it shares.
    with contextlib.suppress(duckdb.NotImplementedException, duckdb.CatalogException):
        con.create_function("tg_unescape", _unescape_udf, ["VARCHAR"], "VARCHAR", type="arrow",
                            side_effects=False)


def _read_sql(fmt: str, source_file_sql: str) -> str:
    return (f"SELECT {source_file_sql} AS source_file, {paperlists_sql.record_columns()} "
            f"FROM read_json(?, format='{fmt}', records=true, filename=true, "
            f"columns={paperlists_sql.json_columns()}, maximum_object_size={MAX_OBJECT}, "
            "ignore_errors=true)")


def _stage_batch(con: duckdb.DuckDBPyConnection, jobs: list[FileJob], workdir: Path) -> None:
    """Read the records of a batch into temp table `r`, one row per array element in file order.

    `ignore_errors` only covers elements that are not objects (they come back as all-NULL rows,
    typed afterwards by `_fix_element_types`); malformed JSON still fails the read, and such a
    file is salvaged line by line.
    """
    staged: dict[str, tuple[str, str]] = {}  # source_file -> (path read, format)
    empty = workdir / "empty.json"
    empty.write_bytes(b"[]")
    con.execute(f"CREATE OR REPLACE TEMP TABLE r AS {_read_sql('array', 'NULL::VARCHAR')}",
                [str(empty)])
    by_path = "parse_filename(filename)"
    try:
        con.execute(f"INSERT INTO r {_read_sql('array', by_path)}", [[str(j.path) for j in jobs]])
        staged = {j.source_file: (str(j.path), "array") for j in jobs}
    except duckdb.Error:
        # One file of the batch is damaged: read each on its own to find which.
        con.execute("DELETE FROM r")
        for job in jobs:
            try:
                con.execute(f"INSERT INTO r {_read_sql('array', by_path)}", [str(job.path)])
                staged[job.source_file] = (str(job.path), "array")
            except duckdb.Error:
                if _stage_via_objects(con, job, workdir):
                    staged[job.source_file] = (str(job.path), "array")
                    continue
                path = _stage_salvaged(con, job, workdir)
                if path:
                    staged[job.source_file] = (path, "array")
    _fix_element_types(con, staged)
    con.execute("CREATE OR REPLACE TEMP TABLE stg_files (source_file VARCHAR)")
    con.executemany("INSERT INTO stg_files VALUES (?)", [(j.source_file,) for j in jobs])


def _stage_via_objects(con: duckdb.DuckDBPyConnection, job: FileJob, workdir: Path) -> bool:
    """A file whose elements parse one by one but not as records (read_json refuses a bare
    `Infinity` element, which its raw-value reader accepts): keep the objects, stand an empty
    object in for every other element (typed later from the original file)."""
    try:
        texts = con.execute(
            "SELECT CASE WHEN json_type(json) = 'OBJECT' THEN json::VARCHAR ELSE '{}' END "
            f"FROM read_json_objects(?, format='array', maximum_object_size={MAX_OBJECT})",
            [str(job.path)]).fetchall()
    except duckdb.Error:
        return False
    tmp = workdir / f"{job.source_file}.objects.json"
    tmp.write_text("[" + ",\n".join(t for (t,) in texts) + "]", encoding="utf-8")
    try:
        con.execute(f"INSERT INTO r {_read_sql('array', '?')}", [job.source_file, str(tmp)])
    except duckdb.Error:
        return False
    # The stand-ins are objects with none of our fields: type them from the original file.
    con.execute("UPDATE r SET jt = NULL WHERE source_file = ? AND jt = 123 AND t_title IS NULL "
                "AND t_author IS NULL AND t_authors IS NULL", [job.source_file])
    return True


def _stage_salvaged(con: duckdb.DuckDBPyConnection, job: FileJob, workdir: Path) -> str | None:
    """A file DuckDB cannot read whole: keep every complete record, note what was lost."""
    _, text, problems = read_file_bytes(job.path)
    records, parse_problems, complete = parse_records(job.source_file, text)
    job.problems.extend(problems + parse_problems)
    job.complete = complete and not problems
    job.unreadable_lines = sum(1 for p in parse_problems if p.level == RECORD)
    if not records:
        return None
    # Written back as one JSON array (not JSON Lines: read_json would unpack a record that is
    # itself a list), so it is read exactly like an undamaged file.
    tmp = workdir / f"{job.source_file}.salvaged.json"
    tmp.write_bytes(orjson.dumps(records))
    con.execute(f"INSERT INTO r {_read_sql('array', '?')}", [job.source_file, str(tmp)])
    return str(tmp)


def _fix_element_types(con: duckdb.DuckDBPyConnection,
                       staged: dict[str, tuple[str, str]]) -> None:
    """Type the rows where no field was found: array elements that are not objects (a string, a
    number, null, a list) or objects with none of our fields. Rare, so each such file is read
    again as raw JSON values, only to learn the element's JSON type."""
    files = [f for (f,) in con.execute(
        "SELECT DISTINCT source_file FROM r WHERE jt IS NULL").fetchall()]
    for source_file in files:
        path, fmt = staged[source_file]
        con.execute("CREATE OR REPLACE TEMP TABLE el AS SELECT ascii(json::VARCHAR) AS code "
                    f"FROM read_json_objects(?, format='{fmt}', "
                    f"maximum_object_size={MAX_OBJECT})", [path])
        con.execute("""
            UPDATE r SET jt = e.code
            FROM (SELECT rowid AS idx, code FROM el) e,
                 (SELECT min(rowid) AS row0 FROM r WHERE source_file = $1) f
            WHERE r.source_file = $1 AND r.jt IS NULL AND r.rowid - f.row0 = e.idx""",
                    [source_file])


def _families(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    present = ", ".join(f"bool_or(\"t_{f}\" IS NOT NULL) AS \"{f}\""
                        for f in paperlists_sql.FIELDS)
    marks = ", ".join(f"bool_or(\"has_{f}\") AS \"{f}\"" for f in paperlists_sql.MARKER_FIELDS)
    rows = con.execute(f"""
        SELECT source_file, {present}, {marks},
               list(split_part("authorids", ';', 1)) AS first_ids
        FROM (SELECT *, rowid - min(rowid) OVER (PARTITION BY source_file) AS rec_idx FROM r)
        WHERE rec_idx < 200 AND jt = 123 GROUP BY source_file""")
    names = [d[0] for d in rows.description]
    out = {}
    for row in rows.fetchall():
        rec = dict(zip(names, row, strict=True))
        keys = {k for k, v in rec.items() if v is True}
        out[rec["source_file"]] = classify_family(keys, [i.strip() for i in rec["first_ids"]
                                                         if i])
    return out


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, int, int]]:
    """Per file of the batch: records read, papers, mentions, problems."""
    rows = con.execute("""
        SELECT f.source_file, coalesce(r.n, 0), coalesce(k.papers, 0), coalesce(k.mentions, 0),
               coalesce(q.n, 0)
        FROM stg_files f
        LEFT JOIN (SELECT source_file, count(*) AS n FROM r GROUP BY ALL) r USING (source_file)
        LEFT JOIN (SELECT source_file, count(*) AS papers,
                          sum(len(list_filter(names, x -> x <> '' AND length(x) <= 300)))
                              AS mentions
                   FROM k GROUP BY ALL) k USING (source_file)
        LEFT JOIN (SELECT source_file, count(*) AS n FROM t_problems GROUP BY ALL) q
            USING (source_file)""").fetchall()
    return {name: (int(a), int(b), int(c), int(d)) for name, a, b, c, d in rows}


def _write_batch(con: duckdb.DuckDBPyConnection, jobs: list[FileJob], now: datetime,
                 papers_sql: str, mentions_sql: str) -> dict[str, tuple[int, int, int, int]]:
    """Replace the rows of every file in the batch, in one transaction; the counts per file."""
    families = _families(con)
    counts = _counts(con)
    extra = [p for j in jobs for p in j.problems]
    con.execute("BEGIN TRANSACTION")
    try:
        replaced = [j.source_file for j in jobs if j.previous_sha is not None]
        for table in ("mentions", "papers", "quarantine", "sources"):
            if replaced:
                con.execute(f"DELETE FROM {table} WHERE list_contains(?, source_file)", [replaced])
        con.execute(f"INSERT INTO papers BY NAME {papers_sql}")
        con.execute(f"INSERT INTO mentions BY NAME {mentions_sql}")
        con.execute("INSERT INTO quarantine BY NAME SELECT *, ? AS ingested_at FROM t_problems",
                    [now])
        if extra:
            con.executemany(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*(getattr(p, c) for c in PROBLEM_COLUMNS), now) for p in extra])
        for j in jobs:
            read, papers, mentions, problems = counts[j.source_file]
            venue, year = venue_year(j.path)
            con.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [j.source_file, KIND, str(j.path), venue, year, families.get(j.source_file),
                 j.sha256, j.size_bytes, read + j.unreadable_lines, papers, mentions,
                 problems + len(j.problems), "ok" if j.complete else "partial", now])
        _hold_before_commit()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _hold_before_commit() -> None:
    """Fault injection for the atomicity test: with $TALENTGRAPH_TEST_HOLD_COMMIT set to a path,
    write that file once every row of the batch is inserted, then wait (to be killed) before
    committing. Unset in normal use, where this does nothing."""
    marker = os.environ.get("TALENTGRAPH_TEST_HOLD_COMMIT")
    if marker:
        Path(marker).write_text("holding", encoding="utf-8")
        time.sleep(60)


def _batches(jobs: list[FileJob]) -> list[list[FileJob]]:
    """Group files by size; one file name appears at most once a batch (later ones replace)."""
    out: list[list[FileJob]] = []
    current: list[FileJob] = []
    size = 0
    for job in jobs:
        if current and (size + job.size_bytes > BATCH_BYTES
                        or any(j.source_file == job.source_file for j in current)):
            out.append(current)
            current, size = [], 0
        current.append(job)
        size += job.size_bytes
    if current:
        out.append(current)
    return out


def ingest(con: duckdb.DuckDBPyConnection, dirs: Iterable[Path],
           progress: Callable[..., None] | None = None, force: bool = False) -> dict[str, Any]:
    """Ingest every corpus file under `dirs`. Unchanged files are skipped; each file is atomic.

    Returns totals: files, ingested (new), replaced (changed), unchanged, papers, mentions,
    records_dropped, problems.
    """
    prepare(con)
    files = discover(dirs)
    stored = dict(con.execute("SELECT source_file, sha256 FROM sources").fetchall())
    jobs: list[FileJob] = []
    totals: dict[str, Any] = {"files": len(files), "ingested": 0, "replaced": 0, "unchanged": 0,
                              "papers": 0, "mentions": 0, "records_dropped": 0, "problems": 0}
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            con.execute("INSERT INTO quarantine VALUES (?, 'file', NULL, NULL, NULL, ?, '', ?)",
                        [path.name, f"cannot read {path}: {exc}", datetime.now(UTC)])
            totals["problems"] += 1
            continue
        sha = file_sha256(raw)
        previous = stored.get(path.name)
        if previous == sha and not force:
            totals["unchanged"] += 1
            continue
        jobs.append(FileJob(path, path.name, sha, len(raw), previous))
    done = totals["unchanged"]
    if progress:
        progress("ingest", done, len(files), "")
    file_pattern = "'^([a-z0-9]+?)((19|20)[0-9]{2})\\.json'"

    def sub(sql: str, now: datetime) -> str:
        return paperlists_sql.substitute(
            sql, f"'{now.isoformat()}'::TIMESTAMPTZ",
            f"regexp_extract(source_file, {file_pattern}, 1)",
            f"TRY_CAST(regexp_extract(source_file, {file_pattern}, 2) AS INTEGER)")

    def one_batch(cur: duckdb.DuckDBPyConnection, batch: list[FileJob], workdir: Path
                  ) -> tuple[dict[str, tuple[int, int, int, int]], int]:
        now = datetime.now(UTC)
        _stage_batch(cur, batch, workdir)
        cur.execute(paperlists_sql.transform_sql())
        counts = _write_batch(cur, batch, now, sub(paperlists_sql.papers_select(), now),
                              sub(paperlists_sql.mentions_select(), now))
        dropped = cur.execute(
            "SELECT count(*) FROM t_problems WHERE level = 'record'").fetchone()[0]
        return counts, dropped

    def add(batch: list[FileJob], counts: dict[str, tuple[int, int, int, int]],
            dropped: int) -> None:
        nonlocal done
        extra = [p for j in batch for p in j.problems]
        totals["papers"] += sum(c[1] for c in counts.values())
        totals["mentions"] += sum(c[2] for c in counts.values())
        totals["records_dropped"] += dropped + sum(p.level == RECORD for p in extra)
        totals["problems"] += sum(c[3] for c in counts.values()) + len(extra)
        for job in batch:
            totals["replaced" if job.previous_sha else "ingested"] += 1
        done += len(batch)
        if progress:
            progress("ingest", done, len(files), batch[-1].source_file)

    batches = _batches(jobs)
    names = [j.source_file for j in jobs]
    # Most steps of a batch run on one core (its tables fit in one DuckDB row group), so two
    # batches at a time, each on its own connection and in its own transaction, use both.
    # A file name in two batches must be written in order (the later replaces): then one.
    workers = min(INGEST_WORKERS, len(batches)) if len(set(names)) == len(names) else 1
    with tempfile.TemporaryDirectory(prefix="talentgraph-") as tmp:
        if workers <= 1:
            for batch in batches:
                add(batch, *one_batch(con, batch, Path(tmp)))
        else:
            cursors = []
            for i in range(workers):
                cur = con.cursor()
                prepare(cur)
                (Path(tmp) / str(i)).mkdir()
                cursors.append(cur)
            free = queue.SimpleQueue()
            for i in range(workers):
                free.put(i)

            def run(batch: list[FileJob]) -> tuple[dict[str, tuple[int, int, int, int]], int]:
                i = free.get()
                try:
                    return one_batch(cursors[i], batch, Path(tmp) / str(i))
                finally:
                    free.put(i)

            try:
                with ThreadPoolExecutor(workers) as pool:
                    futures = {pool.submit(run, b): b for b in batches}
                    for fut in as_completed(futures):
                        add(futures[fut], *fut.result())
            finally:
                for cur in cursors:
                    cur.close()
    return totals
