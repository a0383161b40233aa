"""Ingest speed against the parse floor, on the whole corpus.

    .venv/bin/python benchmarks/ingest.py [--paperlists DIR] [--repeat N]

Each measurement runs in its own child process so its peak memory (max RSS) is its own. The
floor is the fastest bare parse of the same files (gunzip + JSON to Python objects) among the
parsers installed: orjson, msgspec and simdjson. The goal: whole ingest within 2x the floor and
peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
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
        result = child_ingest(dirs) if args.child == "ingest" else child_floor(args.child, dirs)
        result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    files = _files(dirs)
    compressed = sum(f.stat().st_size for f in files)
    print(f"corpus: {len(files)} files, {compressed / 1e6:.1f} MB compressed, "
          f"{os.cpu_count()} cores")
    floors = {}
    for parser in ("orjson", "msgspec", "simdjson"):
        try:
            runs = [run_child(["--child", parser, *sum((["--paperlists", d] for d in dirs), [])])
                    for _ in range(args.repeat)]
        except subprocess.CalledProcessError as exc:
            print(f"  {parser}: not available ({exc.stderr.strip().splitlines()[-1]})")
            continue
        best = min(runs, key=lambda r: r["seconds"])
        floors[parser] = best
        print(f"  parse floor, {parser:8}: {best['seconds']:6.2f} s  "
              f"{best['records'] / best['seconds']:9,.0f} records/s  "
              f"{best['bytes'] / 1e6 / best['seconds']:6.1f} MB/s (uncompressed)  "
              f"peak {best['max_rss_mb']:,.0f} MB")
    floor_name, floor = min(floors.items(), key=lambda kv: kv[1]["seconds"])
    runs = [run_child(["--child", "ingest", *sum((["--paperlists", d] for d in dirs), [])])
            for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    raw = floor["bytes"]
    print(f"  talentgraph ingest    : {best['seconds']:6.2f} s  "
          f"{best['records'] / best['seconds']:9,.0f} records/s  "
          f"{raw / 1e6 / best['seconds']:6.1f} MB/s (uncompressed)  "
          f"peak {best['max_rss_mb']:,.0f} MB  "
          f"({best['papers']:,} papers, {best['mentions']:,} mentions)")
    seconds = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"  all ingest runs (s)   : {seconds}")
    ratio = best["seconds"] / floor["seconds"]
    print(f"ratio ingest / floor ({floor_name}): {ratio:.2f}x  (goal <= 2.0x)  "
          f"peak memory {best['max_rss_mb']:,.0f} MB (goal < 2,048 MB)")


if __name__ == "__main__":
    main()
