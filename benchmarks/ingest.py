"""Ingest speed against the parse floor, on the whole corpus.

    .venv/bin/python benchmarks/ingest.py [--paperlists DIR] [--repeat N]

Each measurement runs in its own child process so its peak memory (max RSS) is its own. The
floor is the fastest bare parse of the same files (gunzip + JSON to Python objects) among the
parsers installed: orjson, msgspec and simdjson. The goal: whole ingest within 2x the floor and
peak memory under 2 GB.

Two store floors show what persisting the records costs before any record rule runs: the same
fields the connector reads (`paperlists_sql.FIELDS`), as raw JSON text, untransformed, written
to a new DuckDB store and checkpointed. `store floor, duckdb`: read by DuckDB's own `read_json`
(what the connector uses). `store floor, msgspec`: parsed by msgspec in Python, handed to DuckDB
as Arrow columns. Any ingest into a DuckDB store costs at least the lower of the two.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _files(dirs: list[str]) -> list[Path]:
    from talentgraph.sources.paperlists import discover

    return discover([Path(d) for d in dirs])


def child_floor(parser: str, dirs: list[str]) -> dict:
    files = _files(dirs)
    if parser == "orjson":
        import orjson
        loads = orjson.loads
    elif parser == "msgspec":
        import msgspec
        loads = msgspec.json.decode
    else:
        import simdjson
        p = simdjson.Parser()

        def loads(b: bytes):  # materialise fully, as the others do
            return p.parse(b).as_list()
    start = time.perf_counter()
    records = raw = 0
    for f in files:
        data = gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()
        raw += len(data)
        records += len(loads(data))
    return {"seconds": time.perf_counter() - start, "records": records, "bytes": raw}


def child_ingest(dirs: list[str]) -> dict:
    from talentgraph.sources import paperlists
    from talentgraph.store import db

    with tempfile.TemporaryDirectory() as tmp:
        con = db.connect(Path(tmp) / "bench.duckdb")
        start = time.perf_counter()
        totals = paperlists.ingest(con, [Path(d) for d in dirs])
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - start
        records = con.execute("SELECT sum(records_read) FROM sources").fetchone()[0]
        con.close()
    return {"seconds": seconds, "records": records, "papers": totals["papers"],
            "mentions": totals["mentions"]}


def _size_batches(files: list[Path]) -> list[list[Path]]:
    from talentgraph.sources.paperlists import BATCH_BYTES

    out: list[list[Path]] = [[]]
    size = 0
    for f in files:
        if out[-1] and size + f.stat().st_size > BATCH_BYTES:
            out.append([])
            size = 0
        out[-1].append(f)
        size += f.stat().st_size
    return out


def child_store_floor(reader: str, dirs: list[str]) -> dict:
    """Persist the connector's fields untransformed: the cost of storing before any rule."""
    import duckdb
    import msgspec
    import pyarrow as pa

    from talentgraph.sources.paperlists_sql import FIELDS

    files = _files(dirs)
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "floor.duckdb"))
        cols = ", ".join(f'"{f}" VARCHAR' for f in FIELDS)
        con.execute(f"CREATE TABLE raw (source_file VARCHAR, {cols})")
        start = time.perf_counter()
        if reader == "duckdb":
            json_cols = "{" + ", ".join(f"'{f}': 'JSON'" for f in FIELDS) + "}"
            select = ("INSERT INTO raw SELECT parse_filename(filename), "
                      + ", ".join(f'"{c}"::VARCHAR' for c in FIELDS)
                      + f" FROM read_json(?, format='array', records=true, columns={json_cols},"
                      " filename=true, maximum_object_size=67108864, ignore_errors=true)")
            # In the connector's batches of files; a batch holding a damaged file is read file
            # by file and the damaged one skipped (the floor is the cost of the good bytes).
            for batch in _size_batches(files):
                try:
                    con.execute(select, [[str(f) for f in batch]])
                except duckdb.Error:
                    for f in batch:
                        with contextlib.suppress(duckdb.Error):
                            con.execute(select, [str(f)])
        else:
            enc = msgspec.json.encode
            for f in files:
                data = gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()
                try:
                    recs = [r for r in msgspec.json.decode(data) if isinstance(r, dict)]
                except msgspec.DecodeError:
                    continue
                _tg_floor = pa.table({"source_file": [f.name] * len(recs), **{
                    c: [None if (v := r.get(c)) is None else v if isinstance(v, str)
                        else enc(v).decode() for r in recs] for c in FIELDS}})  # noqa: F841
                con.execute("INSERT INTO raw SELECT * FROM _tg_floor")
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
        con.close()
    return {"seconds": seconds, "records": rows}


def run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--paperlists", action="append")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    dirs = args.paperlists or [str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                   / "paperlists")]
    if args.child:
        if args.child == "ingest":
            result = child_ingest(dirs)
        elif args.child.startswith("store-"):
            result = child_store_floor(args.child.removeprefix("store-"), dirs)
        else:
            result = child_floor(args.child, dirs)
        result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    files = _files(dirs)
    compressed = sum(f.stat().st_size for f in files)
    print(f"corpus: {len(files)} files, {compressed / 1e6:.1f} MB compressed, "
          f"{os.cpu_count()} cores")
    def best_of(child: str) -> dict:
        """The fastest of --repeat runs of one child measurement."""
        runs = [run_child(["--child", child, *sum((["--paperlists", d] for d in dirs), [])])
                for _ in range(args.repeat)]
        return {**min(runs, key=lambda r: r["seconds"]), "runs": [r["seconds"] for r in runs]}

    floors = {}
    for parser in ("orjson", "msgspec", "simdjson"):
        try:
            best = best_of(parser)
        except subprocess.CalledProcessError as exc:
            print(f"  {parser}: not available ({exc.stderr.strip().splitlines()[-1]})")
            continue
        floors[parser] = best
        print(f"  parse floor, {parser:8}: {best['seconds']:6.2f} s  "
              f"{best['records'] / best['seconds']:9,.0f} records/s  "
              f"{best['bytes'] / 1e6 / best['seconds']:6.1f} MB/s (uncompressed)  "
              f"peak {best['max_rss_mb']:,.0f} MB")
    floor_name, floor = min(floors.items(), key=lambda kv: kv[1]["seconds"])
    store_floors = {}
    for reader in ("duckdb", "msgspec"):
        best = store_floors[reader] = best_of(f"store-{reader}")
        print(f"  store floor, {reader:7}: {best['seconds']:6.2f} s  "
              f"{best['records'] / best['seconds']:9,.0f} records/s  "
              f"= {best['seconds'] / floor['seconds']:.2f}x the parse floor  "
              f"peak {best['max_rss_mb']:,.0f} MB  (fields stored untransformed)")
    best = best_of("ingest")
    raw = floor["bytes"]
    print(f"  talentgraph ingest    : {best['seconds']:6.2f} s  "
          f"{best['records'] / best['seconds']:9,.0f} records/s  "
          f"{raw / 1e6 / best['seconds']:6.1f} MB/s (uncompressed)  "
          f"peak {best['max_rss_mb']:,.0f} MB  "
          f"({best['papers']:,} papers, {best['mentions']:,} mentions)")
    seconds = ", ".join(f"{r:.2f}" for r in best["runs"])
    print(f"  all ingest runs (s)   : {seconds}")
    ratio = best["seconds"] / floor["seconds"]
    print(f"ratio ingest / floor ({floor_name}): {ratio:.2f}x  (goal <= 2.0x)  "
          f"peak memory {best['max_rss_mb']:,.0f} MB (goal < 2,048 MB)")
    store_name, store = min(store_floors.items(), key=lambda kv: kv[1]["seconds"])
    print(f"ratio ingest / store floor ({store_name}): {best['seconds'] / store['seconds']:.2f}x  "
          f"(the record rules' own cost; the store floor alone is "
          f"{store['seconds'] / floor['seconds']:.2f}x the parse floor)")


if __name__ == "__main__":
    main()
