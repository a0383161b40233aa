"""Benchmark: ingest a synthetic OpenAlex snapshot part (gzip'd JSON Lines) into a fresh store.

Prints works/s and MB/s for the parse and the store write, the bare-parse floor (gzip + orjson of
every line, nothing else), the time a later partition with newer versions of every 10th work
takes (those works move to it: a work is stored once) and peak memory. The works are generated
in OpenAlex's documented Work shape with realistic sizes (authors, abstract, references), so no
real data is needed:

    .venv/bin/python benchmarks/openalex_ingest.py [--works 50000]
"""

from __future__ import annotations

import argparse
import gzip
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import orjson

from talentgraph.sources import openalex
from talentgraph.store import db

WORDS = ("learning", "model", "graph", "data", "neural", "network", "training", "method",
         "results", "show", "we", "propose", "robust", "efficient", "large", "language", "vision",
         "task", "performance", "benchmark")


def synthetic_work(i: int, rng: random.Random) -> dict:
    n_authors = rng.choice((1, 2, 3, 4, 5, 6, 8, 12))
    abstract: dict[str, list[int]] = {}
    for pos in range(rng.randint(80, 250)):
        abstract.setdefault(rng.choice(WORDS), []).append(pos)
    return {
        "id": f"https://openalex.org/W{4_000_000_000 + i}",
        "doi": f"https://doi.org/10.5555/bench.{i}",
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14))).title(),
        "display_name": "(same as title)",
        "publication_year": rng.randint(2010, 2025),
        "publication_date": "2020-01-01",
        "updated_date": f"2024-12-{1 + i % 28:02d}T05:00:03.798420",
        "type": "article",
        "cited_by_count": rng.randint(0, 500),
        "primary_location": {"landing_page_url": f"https://example.org/{i}", "pdf_url": None,
                             "source": {"id": "https://openalex.org/S1",
                                        "display_name": "Example Conference"}},
        "abstract_inverted_index": abstract,
        "keywords": [{"display_name": rng.choice(WORDS), "score": 0.5} for _ in range(3)],
        "concepts": [{"display_name": rng.choice(WORDS), "level": 1, "score": 0.4}
                     for _ in range(8)],
        "referenced_works": [f"https://openalex.org/W{rng.randint(1, 10**9)}"
                             for _ in range(rng.randint(0, 40))],
        "authorships": [{
            "author_position": "first" if k == 0 else "middle",
            "author": {"id": f"https://openalex.org/A{rng.randint(1, 10**9)}",
                       "display_name": f"Author {i}-{k}",
                       "orcid": "https://orcid.org/0000-0002-1825-0097" if k % 3 == 0 else None},
            "institutions": [{"id": "https://openalex.org/I1", "display_name": "Example University",
                              "ror": "https://ror.org/0example1", "country_code": "US",
                              "type": "education"}],
            "countries": ["US"], "is_corresponding": k == 0, "raw_author_name": f"A. {i}-{k}",
            "raw_affiliation_strings": ["Example University, Somewhere"],
            "affiliations": [{"raw_affiliation_string": "Example University, Somewhere",
                              "institution_ids": ["https://openalex.org/I1"]}],
        } for k in range(n_authors)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=50_000)
    ap.add_argument("--duckdb-memory", default=None,
                    help="DuckDB memory_limit for the store connection, e.g. 500MB")
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "updated_date=2025-01-01" / "part_000.gz"
        part.parent.mkdir()
        with gzip.open(part, "wb", compresslevel=6) as out:
            for i in range(args.works):
                out.write(orjson.dumps(synthetic_work(i, rng)) + b"\n")
        size_mb = part.stat().st_size / 1e6
        with gzip.open(part, "rb") as f:
            raw_mb = sum(len(line) for line in f) / 1e6

        t = time.perf_counter()
        with gzip.open(part, "rb") as f:
            floor_n = sum(1 for line in f if orjson.loads(line) is not None)
        floor = time.perf_counter() - t

        t = time.perf_counter()
        header = openalex.parse_jsonl(part, on_batch=lambda *rows: None)
        parse = time.perf_counter() - t
        con = db.connect(Path(tmp) / "bench.duckdb")
        if args.duckdb_memory:
            con.execute(f"SET memory_limit = '{args.duckdb_memory}'")
        t = time.perf_counter()
        first = openalex.ingest_jsonl(con, [part])
        total = time.perf_counter() - t
        t = time.perf_counter()
        again = openalex.ingest_jsonl(con, [part])
        rerun = time.perf_counter() - t
        # A later partition holding a newer version of every 10th work: these move to it.
        later = Path(tmp) / "updated_date=2025-02-01" / "part_000.gz"
        later.parent.mkdir()
        with gzip.open(later, "wb", compresslevel=6) as out:
            for i in range(0, args.works, 10):
                out.write(orjson.dumps({**synthetic_work(i, rng),
                                        "updated_date": "2025-02-01T00:00:00"}) + b"\n")
        t = time.perf_counter()
        overlap = openalex.ingest_jsonl(con, [later])
        newer = time.perf_counter() - t
        stored = con.execute("SELECT count(*), count(DISTINCT paper_id) FROM papers").fetchone()
        con.close()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"works: {floor_n:,} in {size_mb:.1f} MB gzip ({raw_mb:.1f} MB JSON); "
          f"{first['papers']:,} papers, {first['mentions']:,} mentions, "
          f"{first['problems']} problems; {header.records_read:,} records read")
    print(f"bare parse floor (gzip + orjson): {floor:.2f} s, {floor_n / floor:,.0f} works/s")
    print(f"parse only: {parse:.2f} s ({floor_n / parse:,.0f} works/s)")
    print(f"ingest (parse + batched store write): {total:.2f} s ({floor_n / total:,.0f} works/s, "
          f"{raw_mb / total:.1f} MB/s of JSON) = {total / floor:.1f}x the floor")
    print(f"re-run of the unchanged file: {again['unchanged']} unchanged in {rerun:.2f} s")
    print(f"a later part with newer versions of {overlap['papers']:,} works: "
          f"{overlap['taken_over']:,} taken over in {newer:.2f} s; store holds {stored[0]:,} "
          f"papers, {stored[1]:,} distinct")
    print(f"peak memory (RSS, whole process, batches of {openalex.BATCH_WORKS:,} works): "
          f"{peak_mb:,.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
