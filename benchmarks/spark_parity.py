"""A Spark build's output against a DuckDB build of the same inputs (issue #14), listing every
difference, not only whether there is one.

    PYTHONPATH=src .venv/bin/python benchmarks/spark_parity.py DUCKDB_STORE SPARK_OUT [--examples 5]

SPARK_OUT is the folder `talentgraph build --engine spark --out` wrote (its current serving
store is read) or a serving store file. Compared:
- the rows of papers, mentions and quarantine (every column but the ingest timestamps, which
  differ from run to run): rows only one side has, both ways, with examples;
- the partition of mentions into persons and the moves (store/compare.py: persons are named by
  their smallest mention key, as the two engines number persons alike only by construction);
- `talentgraph export mentions|moves|spells`, byte for byte (first differing lines shown).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

TABLES = ("papers", "mentions", "quarantine")
SKIP_COLUMNS = {"ingested_at"}  # the time of the run: differs between any two builds


def serving(path: Path) -> Path:
    from talentgraph.engines.output import serving_store

    return path if path.is_file() else (serving_store(path) or path)


def table_diff(duck: Path, spark: Path, table: str, examples: int) -> dict[str, Any]:
    """Rows of `table` only in the DuckDB store, only in the Spark one (multisets)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{duck}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{spark}' AS b (READ_ONLY)")
        cols_a = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' "
            "AND table_name = ? ORDER BY column_index", [table]).fetchall()]
        cols_b = {r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'b' "
            "AND table_name = ?", [table]).fetchall()}
        cols = [c for c in cols_a if c in cols_b and c not in SKIP_COLUMNS]
        sel = ", ".join(f'"{c}"' for c in cols)
        out: dict[str, Any] = {
            "rows duckdb / spark": [con.execute(f"SELECT count(*) FROM {d}.{table}").fetchone()[0]
                                    for d in ("a", "b")],
            "columns only on one side": sorted(set(cols_a) ^ cols_b)}
        for name, x, y in (("only duckdb", "a", "b"), ("only spark", "b", "a")):
            q = f"SELECT {sel} FROM {x}.{table} EXCEPT ALL SELECT {sel} FROM {y}.{table}"
            out[name] = con.execute(f"SELECT count(*) FROM ({q})").fetchone()[0]
            rows = con.execute(f"{q} LIMIT {examples}").fetchall()
            out[name + " (examples)"] = [dict(zip(cols, map(repr, r), strict=True))
                                         for r in rows]
        return out
    finally:
        con.close()


def export_diff(duck: Path, spark: Path, examples: int) -> dict[str, Any]:
    """The three CSV exports of each store, byte for byte."""
    from talentgraph.careers.export import export_moves, export_spells
    from talentgraph.resolve.people.query import export_mentions
    from talentgraph.store import db

    got: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for side, path in (("duckdb", duck), ("spark", spark)):
            con = db.connect(path, read_only=True)
            try:
                for what, write in (("mentions", export_mentions), ("moves", export_moves),
                                    ("spells", export_spells)):
                    write(con, Path(tmp) / f"{side}-{what}.csv")
            finally:
                con.close()
        for what in ("mentions", "moves", "spells"):
            a = (Path(tmp) / f"duckdb-{what}.csv").read_bytes()
            b = (Path(tmp) / f"spark-{what}.csv").read_bytes()
            entry: dict[str, Any] = {"identical": a == b, "bytes duckdb / spark": [len(a), len(b)]}
            if a != b:
                la = a.decode("utf-8").splitlines()
                lb = b.decode("utf-8").splitlines()
                diff = [ln for ln in difflib.unified_diff(la, lb, "duckdb", "spark", n=0,
                                                          lineterm="")
                        if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
                entry["lines differing"] = len(diff)
                entry["examples"] = [repr(ln) for ln in diff[:2 * examples]]
            got[what] = entry
    return got


def meaning_diff(duck: Path, spark: Path, examples: int) -> dict[str, Any]:
    from talentgraph.store.compare import build_meaning

    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir()
        b.mkdir()
        ma, mb = build_meaning(duck, a), build_meaning(spark, b)
    pa, pb = ma.partition, mb.partition
    ma_moves, mb_moves = set(ma.moves), set(mb.moves)
    return {"persons duckdb / spark": [len(ma.people), len(mb.people)],
            "same partition": pa == pb,
            "persons only duckdb": len(pa - pb), "persons only spark": len(pb - pa),
            "persons only duckdb (examples)": [sorted(p)[:4] for p in list(pa - pb)[:examples]],
            "persons only spark (examples)": [sorted(p)[:4] for p in list(pb - pa)[:examples]],
            "moves duckdb / spark": [len(ma.moves), len(mb.moves)],
            "same moves": ma.moves == mb.moves,
            "moves only duckdb": [list(m) for m in sorted(ma_moves - mb_moves)[:examples]],
            "moves only spark": [list(m) for m in sorted(mb_moves - ma_moves)[:examples]]}


def compare(duck: Path, spark: Path, examples: int = 5) -> dict[str, Any]:
    spark = serving(spark)
    got: dict[str, Any] = {"duckdb": str(duck), "spark": str(spark)}
    for table in TABLES:
        got[table] = table_diff(duck, spark, table, examples)
    got["persons and moves"] = meaning_diff(duck, spark, examples)
    got["exports"] = export_diff(duck, spark, examples)
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("duckdb", type=Path)
    ap.add_argument("spark", type=Path)
    ap.add_argument("--examples", type=int, default=5)
    ap.add_argument("--save", type=Path)
    args = ap.parse_args()
    got = compare(args.duckdb, args.spark, args.examples)
    text = json.dumps(got, indent=1, ensure_ascii=False, default=str)
    if args.save:
        args.save.write_text(text, encoding="utf-8")
    print(text)
    same = all(got[t]["only duckdb"] == 0 and got[t]["only spark"] == 0 for t in TABLES) and \
        got["persons and moves"]["same partition"] and got["persons and moves"]["same moves"] \
        and all(e["identical"] for e in got["exports"].values())
    print("PARITY" if same else "DIFFERENCES", file=sys.stderr)
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
