"""Build time and peak memory of the `orgs` stage on the whole corpus, and ROR splits.

    PYTHONPATH=src python benchmarks/orgs_stage.py --src /work/store/talentgraph.duckdb \
        --work /work/store/NAME-orgs.duckdb [--ror ../shared/data/ror/ror-records.jsonl.gz]

The store is copied to `--work` (the source stays untouched); a child process then reads the
ROR dump into it when `--ror` is given (timed apart: it is part of what a build with ROR does)
and rebuilds the organisation tables with `build_orgs`, so its peak RSS is its own. Run it with
another tree on PYTHONPATH (e.g. `git archive` of the base commit) for the "before" figure.

It also counts the organisations that share a ROR id but sit under several org ids (goal: 0),
when the rebuilt `orgs` table has a `ror_id` column.

Measured 2026-12-07 on the whole corpus (2 cores shared with other jobs, load average 7-9):
before ROR (base commit 4c61ee5) 60.4 s, peak RSS 753 MB; with ROR (commit 3911042) 63.0 s
(+4%), peak RSS 941 MB (+25%: the same process also read the 51,370-record dump, 18.5 s, which
a rebuild skips when the file is unchanged; the index itself holds ~380k name keys), 3,538
organisations with a ROR id, none split across org ids. (The reference build on a quieter
machine took 24.8 s for this stage.)
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def _one(db: Path, ror: Path | None) -> None:
    """Child process: (ROR ingest,) orgs stage; print seconds and peak RSS as JSON."""
    import duckdb

    from talentgraph.resolve.orgs.stage import build_orgs

    con = duckdb.connect(str(db))
    out: dict[str, object] = {}
    if ror is not None:
        from talentgraph.sources import ror as ror_source

        t = time.perf_counter()
        out["ror_ingest"] = ror_source.ingest(con, ror)
        out["ror_seconds"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    out["orgs"] = build_orgs(con)
    out["orgs_seconds"] = round(time.perf_counter() - t, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    cols = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'orgs'"
    ).fetchall()}
    if "ror_id" in cols:
        out["ror_ids_split"] = con.execute(
            "SELECT count(*) FROM (SELECT ror_id FROM orgs WHERE ror_id IS NOT NULL "
            "GROUP BY 1 HAVING count(*) > 1)").fetchone()[0]
        out["orgs_with_ror_id"] = con.execute(
            "SELECT count(*) FROM orgs WHERE ror_id IS NOT NULL").fetchone()[0]
        out["mentions_rank1_with_ror_id"] = con.execute(
            "SELECT count(*) FROM mention_orgs JOIN orgs USING (org_id) "
            "WHERE rank = 1 AND ror_id IS NOT NULL").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    print(json.dumps(out, default=str))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=Path("/work/store/talentgraph.duckdb"))
    ap.add_argument("--work", type=Path,
                    help="where to copy the store (kept afterwards, for benchmarks/orgs.py)")
    ap.add_argument("--ror", type=Path, help="ROR dump to read first")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        _one(args.one, args.ror)
        return
    if args.work is None:
        ap.error("--work is required")
    Path(f"{args.work}.wal").unlink(missing_ok=True)
    shutil.copyfile(args.src, args.work)
    args.work.chmod(0o644)
    cmd = [sys.executable, __file__, "--one", str(args.work)]
    if args.ror:
        cmd += ["--ror", str(args.ror)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(r, indent=1, default=str))
    ror_s = r.get("ror_seconds", 0.0)
    print(f"orgs stage {r['orgs_seconds']} s (+ ROR read {ror_s} s), peak RSS "
          f"{r['peak_rss_mb']:,} MB; ROR ids split across org ids: "
          f"{r.get('ror_ids_split', 'n/a')}")


if __name__ == "__main__":
    main()
