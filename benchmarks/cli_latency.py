"""How long `talentgraph source` takes from the command line, against a baseline revision.

Each run is the real command in a fresh interpreter (the console script's own two lines, so
start-up, imports, opening the store, the search and printing all count), its output thrown
away. The code measured is a copy of this checkout's `src/` (the candidate; `--candidate REV`: a
revision's instead) and of a baseline revision's (`git archive REV src`, default `main`), each
compiled to bytecode as an installation is, run side by side: for every query, the runs
alternate baseline / candidate so both see the same load. Reported per tree: wall time and the
process's CPU time (user + system), median and p95 over all runs, the ratio candidate /
baseline, and the load average before and after. Before timing, each query's `--json` output
of both trees is compared: the benchmark says whether they are the same.

`--model FILE` puts a ranking model (`sourcing/models/ranker.json`, as `benchmarks/sourcing.py
--train-out` writes it) into both copies, so the learned ranking is timed; without it, each tree
ranks with whatever model it ships (none: the hand-tuned ranking).

`--web-before` / `--web-after`: two reports of `benchmarks/web_load.py --save`, whose search
latencies are printed side by side with the CLI's figures.

    .venv/bin/python benchmarks/cli_latency.py --db STORE [--baseline main] [--runs 10]
        [--model ranker.json] [--web-before a.json --web-after b.json] [--json]

Goal (issue #18): the candidate's median wall time under 0.5 s on the whole corpus.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# What the console script `talentgraph` runs (pip's entry-point wrapper).
CONSOLE_SCRIPT = """import re
import sys
from talentgraph.cli.main import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""
QUERIES: list[list[str]] = [
    ["diffusion models"],
    ["reinforcement learning from human feedback"],
    ["graph neural networks", "--why"],
    ["llm agents", "--role", "phd"],
    ["speech recognition", "--since", "2022", "--country", "US"],
    ["protein structure prediction", "--at", "Google"],
]
GOAL_S = 0.5


def export_tree(rev: str | None, dest: Path, model: Path | None) -> Path:
    """`src/` of revision `rev` (None: this checkout's working files) under `dest`, with the
    console script; returns the script's path."""
    dest.mkdir(parents=True)
    if rev is None:
        shutil.copytree(ROOT / "src", dest / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    else:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    if model is not None:
        target = dest / "src" / "talentgraph" / "sourcing" / "models" / "ranker.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model, target)
    # bytecode written now, as `pip install` writes it: without it every run would compile
    # the package's modules again (~30-40 ms of CPU) wherever PYTHONDONTWRITEBYTECODE is set,
    # and the warm-up run below could not write it either
    compileall.compile_dir(str(dest / "src"), quiet=1)
    script = dest / "talentgraph"
    script.write_text(CONSOLE_SCRIPT)
    return script


def run_once(script: Path, args: list[str], capture: bool = False) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the process, stdout if `capture`)."""
    path = [str(script.parent / "src")]
    if (script.parent.parent / "no_pandas").is_dir():  # --hide-pandas
        path.insert(0, str(script.parent.parent / "no_pandas"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "COLUMNS": "120"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, str(script), *args], env=env, check=False,
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{script.parent.name}: talentgraph {' '.join(args)} failed "
                         f"({done.returncode}): {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, done.stdout if capture else ""


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


def summary(xs: list[float]) -> dict[str, float]:
    return {"median_s": round(pct(xs, 0.5), 3), "p95_s": round(pct(xs, 0.95), 3),
            "min_s": round(min(xs), 3), "max_s": round(max(xs), 3)}


def measure(trees: dict[str, Path], db: Path, runs: int, queries: list[list[str]]
            ) -> dict[str, Any]:
    same: dict[str, bool] = {}
    for q in queries:
        outs = {name: run_once(script, ["source", *q, "--db", str(db), "--json"],
                               capture=True)[2] for name, script in trees.items()}
        same[" ".join(q)] = len(set(outs.values())) == 1
    for script in trees.values():  # the store's pages into the OS cache, .pyc files written
        run_once(script, ["source", queries[0][0], "--db", str(db)])
    load_before = os.getloadavg()
    wall: dict[str, list[float]] = {n: [] for n in trees}
    cpu: dict[str, list[float]] = {n: [] for n in trees}
    per_query: dict[str, dict[str, float]] = {}
    for q in queries:
        qw: dict[str, list[float]] = {n: [] for n in trees}
        for _ in range(runs):
            for name, script in trees.items():
                w, c, _ = run_once(script, ["source", *q, "--db", str(db)])
                wall[name].append(w)
                cpu[name].append(c)
                qw[name].append(w)
        per_query[" ".join(q)] = {n: round(pct(v, 0.5), 3) for n, v in qw.items()}
    return {"same_output": same, "load_average_before": load_before,
            "load_average_after": os.getloadavg(), "cpus": os.cpu_count(),
            "runs_per_query": runs, "queries": [" ".join(q) for q in queries],
            "wall": {n: summary(v) for n, v in wall.items()},
            "cpu": {n: summary(v) for n, v in cpu.items()}, "per_query_median_s": per_query}


def _web_search(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    report = json.loads(path.read_text())
    page = (report.get("pages") or {}).get("/search") \
        or (report.get("pages") or {}).get("/api/search")
    return {"users": report.get("users"), "p50_ms": page and page["median_ms"],
            "p95_ms": page and page["p95_ms"], "requests": page and page["requests"],
            "errors": page and page["failures"],
            "load_mean": (report.get("load_average") or {}).get("mean_during")}


def print_report(r: dict[str, Any], base: str) -> None:
    la, lb = r["load_average_before"], r["load_average_after"]
    print(f"talentgraph source on {r['db']}: {r['runs_per_query']} runs x "
          f"{len(r['queries'])} queries per tree, alternating; {r['cpus']} CPUs; load average "
          f"{la[0]:.1f} {la[1]:.1f} {la[2]:.1f} before, {lb[0]:.1f} {lb[1]:.1f} {lb[2]:.1f} after"
          f"; ranking model: {r['model'] or 'as shipped by each tree'}"
          + ("; pandas hidden from both" if r.get("pandas_hidden") else ""))
    print(f"{'':18s} {'baseline (' + base + ')':>22s} {r['candidate']:>12s} {'ratio':>7s}")
    for kind in ("wall", "cpu"):
        for stat in ("median_s", "p95_s"):
            b, c = r[kind]["baseline"][stat], r[kind]["candidate"][stat]
            print(f"{kind + ' ' + stat[:-2]:18s} {b:>20.3f} s {c:>10.3f} s {c / b:>7.2f}")
    print("per query (median wall s):")
    for q, v in r["per_query_median_s"].items():
        print(f"  {q[:58]:58s} {v['baseline']:>6.3f} {v['candidate']:>6.3f}"
              + ("" if r["same_output"][q] else "   OUTPUT DIFFERS"))
    same = all(r["same_output"].values())
    print(f"--json output identical for every query: {'yes' if same else 'NO'}")
    wb, wa = r.get("web_before"), r.get("web_after")
    if wb or wa:
        def cell(w: dict[str, Any] | None, k: str) -> str:
            return "-" if not w or w.get(k) is None else f"{w[k]:,.0f}"
        print(f"web search ({(wa or wb)['users']} users, web_load.py):  p50 {cell(wb, 'p50_ms')}"
              f" -> {cell(wa, 'p50_ms')} ms, p95 {cell(wb, 'p95_ms')} -> {cell(wa, 'p95_ms')} "
              f"ms, errors {cell(wb, 'errors')} -> {cell(wa, 'errors')} (goal: p95 < 150 ms)")
    ok = r["wall"]["candidate"]["median_s"] < GOAL_S
    print(f"goal: median wall < {GOAL_S} s: {'met' if ok else 'NOT met'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="A built store (read only).")
    ap.add_argument("--baseline", default="main", help="The git revision to compare with.")
    ap.add_argument("--candidate", help="The git revision measured (default: this checkout's "
                    "working files).")
    ap.add_argument("--runs", type=int, default=10, help="Runs per query and tree.")
    ap.add_argument("--model", type=Path, help="A ranker.json put into both trees.")
    ap.add_argument("--queries", type=int, default=len(QUERIES),
                    help=f"How many of the {len(QUERIES)} queries.")
    ap.add_argument("--web-before", type=Path, help="web_load.py --save report (baseline)")
    ap.add_argument("--web-after", type=Path, help="web_load.py --save report (candidate)")
    ap.add_argument("--hide-pandas", action="store_true",
                    help="Both trees run as if pandas were not installed (DuckDB imports it, "
                    "when it is, on a parameterised query: ~0.45 s).")
    ap.add_argument("--save", type=Path, help="Write the report (JSON) here.")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.db.exists():
        raise SystemExit(f"no store at {args.db}")
    if args.model is not None and not args.model.is_file():
        raise SystemExit(f"no model file at {args.model}")
    with tempfile.TemporaryDirectory(prefix="tg_cli_latency_") as tmp:
        if args.hide_pandas:
            stub = Path(tmp) / "no_pandas" / "pandas"
            stub.mkdir(parents=True)
            (stub / "__init__.py").write_text('raise ImportError("hidden by cli_latency.py")\n')
        trees = {"baseline": export_tree(args.baseline, Path(tmp) / "baseline", args.model),
                 "candidate": export_tree(args.candidate, Path(tmp) / "candidate", args.model)}
        report = measure(trees, args.db, args.runs, QUERIES[:args.queries])
    report.update({"db": str(args.db), "baseline": args.baseline,
                   "candidate": args.candidate or "working tree",
                   "model": str(args.model) if args.model else None,
                   "pandas_hidden": args.hide_pandas,
                   "web_before": _web_search(args.web_before),
                   "web_after": _web_search(args.web_after)})
    if args.save:
        args.save.write_text(json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print_report(report, args.baseline)


if __name__ == "__main__":
    main()
