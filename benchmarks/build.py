"""The build, full and incremental, side by side in one run (issue #17).

    flock /work/store/heavy.lock .venv/bin/python benchmarks/build.py \
        [--paperlists DIR] [--work DIR] [--hold a.json.gz,b.json.gz,c.json.gz] \
        [--save run.json] [--compare earlier-run.json] [--skip-scratch]

Four builds, each in its own child process (so its peak memory is its own):
1. full: a new store from the corpus without the held-back venue-years (a folder of symlinks
   under --work, default /work/store/bench-corpus);
2. no change: the same again on that store;
3. +3 venue-years: the held-back files linked into the folder, built on that store;
4. scratch: a new store from the whole folder (the reference for the equality checks);
5. with --twice, scratch again: its exports must be byte-identical to 4's (determinism).

Per build and stage: wall time, CPU time (user + system, all threads) and peak resident memory
(sampled every 50 ms, attributed to the stage running). Equality of 3 against 4: the partition
of mentions into persons, the moves (persons named by their smallest mention key: an incremental
build keeps earlier person ids), byte-identical `export mentions` / `export moves` up to person
ids, and the top 20 people of a few searches. Goals (2 cores): full <= 120 s, no change <= 5 s,
+3 venue-years <= 30 s, peak <= 3 GB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOLD = ("wacv2025.json.gz", "coling2025.json.gz", "icml2025.json.gz")
QUERIES = ("diffusion models", "reinforcement learning robotics", "speech recognition",
           "graph neural networks", "machine translation")
GOALS = {"full": 120.0, "no change": 5.0, "+3 venue-years": 30.0}
PEAK_GOAL_MB = 3000


def child_build(db: str, corpus: str, ror: str | None = None,
                positions: str | None = None) -> dict:
    """Run one build in this process (with the ROR dump and positions file when given); sample
    RSS per stage."""
    import threading

    import psutil

    from talentgraph import pipeline

    proc = psutil.Process()
    current = {"stage": "open"}
    peaks: dict[str, int] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = proc.memory_info().rss
            s = current["stage"]
            peaks[s] = max(peaks.get(s, 0), rss)
            time.sleep(0.05)

    def progress(stage: str, done: int, total: int, detail: str = "") -> None:
        current["stage"] = stage

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    start = time.perf_counter()
    cpu0 = time.process_time()
    report = pipeline.build(Path(db), [Path(corpus)], progress=progress,
                            ror=Path(ror) if ror else None,
                            positions=Path(positions) if positions else None)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    stop.set()
    t.join()
    stages = {}
    for name, run in report.runs.items():
        # a step that reports no progress (the ROR and positions ingest) has no samples of
        # its own: the process' peak so far stands in, marked as such
        sampled = name in peaks
        stages[name] = {"status": run.status, "wall": round(run.seconds, 2),
                        "cpu": round(run.cpu_seconds, 2),
                        "peak_mb": round(peaks[name] / 2**20) if sampled else run.peak_rss_mb,
                        "peak_sampled": sampled}
    return {"wall": round(wall, 2), "cpu": round(cpu, 2),
            "peak_mb": round(max(peaks.values()) / 2**20), "stages": stages,
            "papers": report.stages.get("ingest", {}).get("papers"),
            "mentions": report.stages.get("ingest", {}).get("mentions"),
            "moves": report.stages.get("careers", {}).get("moves"),
            "persons": report.stages.get("people", {}).get("persons"),
            # how much of the work the incremental stages redid
            "people_m_u": report.stages.get("people", {}).get("m_u"),
            "mentions_resolved": report.stages.get("people", {}).get("mentions_resolved"),
            "careers_persons_computed":
                report.stages.get("careers", {}).get("persons_computed"),
            "profiles_computed": report.stages.get("profiles", {}).get("profiles_computed")}


def run_child(db: Path, corpus: Path, label: str = "", ror: Path | None = None,
              positions: Path | None = None) -> dict:
    extra = (f", ror={str(ror) if ror else None!r}, "
             f"positions={str(positions) if positions else None!r}")
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            "import build as b; "
            f"print('@@' + json.dumps(b.child_build({str(db)!r}, {str(corpus)!r}{extra})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, env={**os.environ})
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"build failed ({db})")
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("@@"))
    result = json.loads(line[2:])
    if label:  # as each build ends, so a long run shows its figures as it goes
        print(f"{label}: {json.dumps(result)}", flush=True)
    return result


def link_corpus(src: Path, dest: Path, hold: tuple[str, ...]) -> list[tuple[Path, Path]]:
    """A copy of the corpus as symlinks, without the held-back files; returns their links."""
    from talentgraph.sources.paperlists import discover

    if dest.exists():
        shutil.rmtree(dest)
    held: list[tuple[Path, Path]] = []
    for f in discover([src]):
        target = dest / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if f.name in hold:
            held.append((f, target))
        else:
            target.symlink_to(f.resolve())
    missing = set(hold) - {f.name for f, _ in held}
    if missing:
        raise SystemExit(f"not in the corpus: {', '.join(sorted(missing))}")
    return held


def _exports(db: Path, out: Path) -> tuple[dict, list, bytes, bytes, set]:
    from talentgraph.store.compare import build_meaning

    m = build_meaning(db, out)
    return m.name, m.moves, m.mentions_csv, m.moves_csv, m.partition


def _renamed(data: bytes, name: dict[str, str]) -> bytes:
    """An export with the person_id column replaced by the person's smallest mention key."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    col = rows[0].index("person_id")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for r in rows[1:]:
        r[col] = name.get(r[col], r[col])
        writer.writerow(r)
    return out.getvalue().encode()


def _top(db: Path, name: dict[str, str]) -> dict[str, list[str]]:
    from talentgraph.sourcing import rank
    from talentgraph.store import db as store

    con = store.connect(db, read_only=True)
    try:
        out = {}
        for q in QUERIES:
            hits = rank.search(con, q, limit=20)
            out[q] = [(name.get(p.person_id, p.person_id), round(p.score, 9))
                      for p in hits.people]
        return out
    finally:
        con.close()


def _id_changes(na: dict[str, str], nb: dict[str, str]) -> int:
    """Persons (named by their smallest mention key) whose id differs between two stores."""
    ka, kb = {v: k for k, v in na.items()}, {v: k for k, v in nb.items()}
    return sum(1 for key, pid in ka.items() if kb.get(key) != pid)


def equality(steps_db: Path, scratch_db: Path) -> dict[str, bool | str]:
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir()
        b.mkdir()
        na, ma, mentions_a, moves_a, pa = _exports(steps_db, a)
        nb, mb, mentions_b, moves_b, pb = _exports(scratch_db, b)
        odd = pa ^ pb  # persons found in one build only
        checks: dict[str, bool | str] = {
            "persons (partition of mentions)": sorted(na.values()) == sorted(nb.values()),
            "persons found in one build only (steps / scratch), their mentions":
                f"{len(pa - pb)} / {len(pb - pa)}, {len(set().union(*odd)) if odd else 0}",
            "moves": ma == mb,
            "moves found in one build only (steps / scratch)":
                f"{len(set(ma) - set(mb))} / {len(set(mb) - set(ma))}",
            "export mentions (bytes, up to person ids)":
                _renamed(mentions_a, na) == _renamed(mentions_b, nb),
            # the export is sorted by person id: compare its rows, ids renamed, in one order
            "export moves (rows, up to person ids)":
                sorted(_renamed(moves_a, na).splitlines())
                == sorted(_renamed(moves_b, nb).splitlines()),
            "persons whose id differs (kept from the first build)": str(_id_changes(na, nb)),
            "export mentions (bytes)": mentions_a == mentions_b,
            "export moves (bytes)": moves_a == moves_b,
        }
        try:
            checks["top 20 of 5 searches"] = _top(steps_db, na) == _top(scratch_db, nb)
        except Exception as exc:  # the check reports, it does not stop the benchmark
            checks["top 20 of 5 searches"] = f"not run: {exc}"
        return checks


def _byte_checks(first: Path, second: Path) -> dict[str, bool | str]:
    """Two builds from scratch of the same files: byte-identical exports."""
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir()
        b.mkdir()
        ea, eb = _exports(first, a), _exports(second, b)
    return {"two builds from scratch: export mentions (bytes)": ea[2] == eb[2],
            "two builds from scratch: export moves (bytes)": ea[3] == eb[3]}


def _row(label: str, r: dict, base: dict | None) -> str:
    def cmp(v: float, key: str) -> str:
        if base is None or key not in base:
            return ""
        return f" (was {base[key]})"
    goal = GOALS.get(label)
    ok = "" if goal is None else (" ok" if r["wall"] <= goal else f" > goal {goal:.0f} s")
    return (f"{label:<16} wall {r['wall']:>7.1f} s{cmp(r['wall'], 'wall')}{ok}   "
            f"cpu {r['cpu']:>7.1f} s   peak {r['peak_mb']:>5} MB{cmp(r['peak_mb'], 'peak_mb')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paperlists", default=os.environ.get(
        "TALENTGRAPH_PAPERLISTS", "/work/shared/data/paperlists"))
    ap.add_argument("--work", default="/work/store/bench-corpus")
    ap.add_argument("--hold", default=",".join(HOLD))
    ap.add_argument("--save")
    ap.add_argument("--compare")
    ap.add_argument("--skip-scratch", action="store_true",
                    help="no reference build, no equality checks")
    ap.add_argument("--checks-only", action="store_true",
                    help="only the equality checks, on the stores of an earlier run in --work")
    ap.add_argument("--again-only", action="store_true",
                    help="only a second build from scratch of the whole folder in --work, its "
                    "exports byte-compared with the first's")
    ap.add_argument("--twice", action="store_true",
                    help="a second build from scratch: its exports must be byte-identical")
    args = ap.parse_args()
    work = Path(args.work)
    if args.checks_only:
        for k, v in equality(work / "steps.duckdb", work / "scratch.duckdb").items():
            print(f"equal: {k}: {v}", flush=True)
        return
    if args.again_only:
        again_db = work / "scratch-again.duckdb"
        again_db.unlink(missing_ok=True)
        print(_row("scratch again", run_child(again_db, work / "paperlists", "scratch again"),
                   None))
        for k, v in _byte_checks(work / "scratch.duckdb", again_db).items():
            print(f"equal: {k}: {v}", flush=True)
        return
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "paperlists"
    held = link_corpus(Path(args.paperlists), corpus, tuple(args.hold.split(",")))
    steps_db, scratch_db = work / "steps.duckdb", work / "scratch.duckdb"
    for p in (steps_db, scratch_db):
        for extra in (p, Path(str(p) + ".wal")):
            extra.unlink(missing_ok=True)
    results: dict[str, dict] = {}
    results["full"] = run_child(steps_db, corpus, "full")
    results["no change"] = run_child(steps_db, corpus, "no change")
    for f, target in held:
        target.symlink_to(f.resolve())
    results["+3 venue-years"] = run_child(steps_db, corpus, "+3 venue-years")
    checks: dict[str, bool | str] = {}
    if not args.skip_scratch:
        results["scratch (all)"] = run_child(scratch_db, corpus, "scratch (all)")
        checks = equality(steps_db, scratch_db)
        print(f"checks: {json.dumps(checks)}", flush=True)
        if args.twice:
            again_db = work / "scratch-again.duckdb"
            again_db.unlink(missing_ok=True)
            results["scratch again"] = run_child(again_db, corpus, "scratch again")
            checks.update(_byte_checks(scratch_db, again_db))
    base = json.loads(Path(args.compare).read_text()) if args.compare else {}
    print(f"held back: {', '.join(f.name for f, _ in held)}")
    for label, r in results.items():
        print(_row(label, r, base.get("results", {}).get(label)))
    print("\nper stage: status, wall s, cpu s, peak MB")
    stage_names = list(next(iter(results.values()))["stages"])
    print(f"{'stage':<10}" + "".join(f"{label:>34}" for label in results))
    for s in stage_names:
        cells = []
        for r in results.values():
            x = r["stages"].get(s)
            cells.append(f"{x['status']:>8} {x['wall']:>7.1f} {x['cpu']:>7.1f} "
                         f"{x['peak_mb']:>6}" if x else "")
        print(f"{s:<10}" + "".join(f"{c:>34}" for c in cells))
    peak = max(r["peak_mb"] for r in results.values())
    print(f"\npeak memory {peak} MB ({'ok' if peak <= PEAK_GOAL_MB else 'over'} the goal "
          f"{PEAK_GOAL_MB} MB)")
    for k, v in checks.items():
        print(f"equal: {k}: {v}")
    print(f"load average: {os.getloadavg()}")
    if args.save:
        Path(args.save).write_text(json.dumps({"results": results, "checks": checks,
                                               "held": list(args.hold.split(","))}, indent=2))


if __name__ == "__main__":
    main()
