"""Helpers for tests that build tiny corpora in the paperlists format and query stores."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from talentgraph.sources import paperlists

FIXTURES = Path(__file__).parent / "fixtures"
PAPERLISTS = FIXTURES / "paperlists"


def write_corpus_file(folder: Path, name: str, records: list, gz: bool = True) -> Path:
    """Write records as a corpus file `<venue>/<name>`, one record per line like the real files."""
    venue = paperlists.FILE_NAME.match(name)["venue"]
    path = folder / venue / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def openreview_record(rid: str, authors: list[str], affs: list[str],
                      domains: list[str]) -> dict:
    """An OpenReview-style record: parallel `;`-separated fields, a profile id per author."""
    return {"id": rid, "title": f"Paper {rid}", "track": "main", "status": "Poster",
            "author": ";".join(authors),
            "authorids": ";".join("~" + a.replace(" ", "_") + "1" for a in authors),
            "aff": ";".join(affs), "aff_domain": ";".join(domains),
            "position": ";".join("Researcher" for _ in authors)}


def ingest(con: duckdb.DuckDBPyConnection, folder: Path) -> dict:
    return paperlists.ingest(con, [folder])


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
