"""How the build's cost grows with the corpus: 1x, 2x and 4x, on DuckDB and Spark (issue #14).

    flock /work/store/heavy.lock .venv/bin/python benchmarks/scale.py \\
        [--paperlists DIR] [--work DIR] [--factors 1,2,4] [--fraction 0.25] \\
        [--engines duckdb,spark] [--ror FILE|none] [--positions FILE|none] \\
        [--save run.json] [--keep-stores] [--table-only run.json]

For each factor k, a k-fold synthetic corpus (benchmarks/scale_copies.py: the files of the
corpus, each with k - 1 copies of its records whose authors are other people; the docstring
there says what a copy changes and why it keeps the block sizes of the original) is written
under --work (default /work/store/scale; never committed), and built:
- on DuckDB, by `talentgraph.pipeline.build` in a child process of its own (benchmarks/build.py:
  run_child), so the peak memory is the build's own. Per stage: wall time, CPU time (user +
  system, all threads), peak resident memory (sampled every 50 ms);
- on Spark local[2], when the Spark engine exists (`talentgraph.engines.spark_build`, from this
  checkout or the `src` folder given by --spark-src); else the Spark column says it is not
  available. Its totals are of the whole process tree (the JVM is a child process); each stage
  is labelled with the engine it ran on (stages not yet ported run on the serving DuckDB).
ROR and the AI Watch positions are read as in the normal build (`talentgraph build` finds them
at ../shared/data): the organisations stage resolves against ROR, which is the work it does in
production; both files are the same for every factor, so their ingest is a fixed cost
(reported, and outside the growth exponent of the build's total).
Then per stage the growth exponent log(t_k / t_1) / log(k) for the largest k (1.0: linear), the
checks that copies did not merge with the originals (persons ~ k x persons of 1x, no person with
mentions in two copies), and whether Spark's 1x output equals DuckDB's (store/compare.py).
Goal (issue #14): exponent <= 1.15 from 1x to 4x on both engines.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import build as bench_build  # noqa: E402
import scale_copies  # noqa: E402

DATA = Path(os.environ.get("TALENTGRAPH_DATA", "/work/shared/data"))
FIXED = ("ror", "ingest_positions")  # same input at every factor: not part of the growth
GOAL = 1.15


def corpus_for(src: Path, work: Path, k: int, fraction: float) -> Path:
    """The k-fold corpus under `work`, reused when an earlier run wrote the same one."""
    dest = work / f"corpus-x{k}-f{fraction:g}"
    manifest = dest / scale_copies.MANIFEST
    if manifest.exists():
        m = json.loads(manifest.read_text())
        if m.get("source") == str(src) and m.get("k") == k and m.get("fraction") == fraction:
            return dest
    if dest.exists():
        shutil.rmtree(dest)
    t = time.perf_counter()
    m = scale_copies.make_corpus(src, dest, k, fraction)
    print(f"corpus x{k} (fraction {fraction:g}) written in {time.perf_counter() - t:.0f} s: "
          f"{m['names_suffixed']:,} names suffixed ({m['names_folded_to_ascii']:,} folded to "
          f"ASCII first), {m['names_not_suffixed']:,} not suffixable, "
          f"{m['original_families_like_a_suffix']:,} original family names ending like a "
          "suffix", flush=True)
    return dest


# ---------------------------------------------------------------------------------------------
# DuckDB


def duckdb_run(corpus: Path, work: Path, k: int, fraction: float, ror: Path | None,
               positions: Path | None) -> dict[str, Any]:
    db_path = work / f"duckdb-x{k}-f{fraction:g}.duckdb"
    _remove_store(db_path)
    load0 = os.getloadavg()
    result = bench_build.run_child(db_path, corpus, f"duckdb x{k}", ror=ror, positions=positions)
    result["load_before"], result["load_after"] = load0, os.getloadavg()
    manifest = scale_copies.load_manifest(corpus)
    result["copies"] = scale_copies.spanning_persons(db_path, manifest["files"])
    result["store"] = str(db_path)
    return result


def _remove_store(db_path: Path) -> None:
    for extra in (db_path, Path(str(db_path) + ".wal")):
        extra.unlink(missing_ok=True)
    shutil.rmtree(Path(str(db_path) + ".tmp"), ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Spark


def spark_available(src: Path | None) -> str | None:
    """None when the Spark engine (`talentgraph.engines.spark_build`, branch `spark`) can run:
    from `src` (a `src` folder of a checkout that has it) or from this checkout; else why not."""
    here = Path(__file__).parents[1] / "src"
    where = src or here
    if not (where / "talentgraph" / "engines" / "spark_build.py").exists():
        return (f"no talentgraph.engines.spark_build under {where} (give --spark-src: the src "
                "folder of a checkout of the spark branch)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if shutil.which("java") is None:
        return "no java on PATH"
    return None


class TreeSampler:
    """Resident memory and CPU time of a process and all its descendants (the Spark driver's
    JVM is a child of the Python process), sampled every 200 ms."""

    def __init__(self, pid: int) -> None:
        import psutil

        self._root = psutil.Process(pid)
        self.peak = 0
        self._cpu: dict[int, float] = {}
        self.timeline: list[tuple[float, float, int]] = []  # (epoch s, tree CPU s, tree RSS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
            except psutil.Error:
                break
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                    c = p.cpu_times()
                    self._cpu[p.pid] = c.user + c.system + c.children_user + c.children_system
                except psutil.Error:
                    continue
            self.peak = max(self.peak, rss)
            self.timeline.append((time.time(), sum(self._cpu.values()), rss))
            time.sleep(0.2)

    def stop(self) -> tuple[int, float]:
        self._stop.set()
        self._thread.join()
        return round(self.peak / 2**20), round(sum(self._cpu.values()), 2)

    def within(self, start: float, end: float) -> tuple[float | None, int | None]:
        """The tree's CPU seconds and peak MB between two epoch times (None: no sample)."""
        got = [s for s in self.timeline if start <= s[0] <= end]
        before = [s for s in self.timeline if s[0] < start]
        if not got:
            return None, None
        cpu0 = before[-1][1] if before else got[0][1]
        return round(got[-1][1] - cpu0, 2), round(max(s[2] for s in got) / 2**20)


SPARK_CHILD = """
import json, sys
from pathlib import Path
from talentgraph.engines.spark_build import build
import time
args = json.loads(sys.argv[1])
def progress(stage, done, total, note):  # to the log, with the time: where a long run is
    print(f"{time.strftime('%H:%M:%S')} [{stage}] {done}/{total} {note}", file=sys.stderr,
          flush=True)
r = build(Path(args["out"]), [Path(args["corpus"])], master=args["master"], progress=progress,
          ror=Path(args["ror"]) if args["ror"] else None,
          positions=Path(args["positions"]) if args["positions"] else None)
# a stage on Spark runs in the JVM: its CPU is the process tree's, cut by the span (spark_run)
stages = {n: {"wall": round(run.seconds, 2), "engine": r.engines.get(n, "duckdb")}
          for n, run in r.runs.items()}
for n, sec in r.seconds.items():
    stages.setdefault(n, {"wall": round(sec, 2), "cpu": None, "engine": "-"})
print("@@" + json.dumps({"stages": stages, "spans": r.spans,
                         "papers": r.stages.get("ingest", {}).get("papers"),
                         "mentions": r.stages.get("ingest", {}).get("mentions"),
                         "persons": r.stages.get("people", {}).get("persons")}))
"""


def spark_run(corpus: Path, work: Path, k: int, fraction: float, ror: Path | None,
              positions: Path | None, master: str, src: Path | None) -> dict[str, Any]:
    """One Spark build (engines/spark_build.py) in a child process whose code is `src` (the
    executors' Python workers inherit its PYTHONPATH). Wall, CPU and peak memory are of the
    whole process tree (the JVM is a child); per stage, the CPU is the driver's only."""
    out_dir = work / f"spark-x{k}-f{fraction:g}"
    shutil.rmtree(out_dir, ignore_errors=True)
    src = src or Path(__file__).parents[1] / "src"
    args = json.dumps({"out": str(out_dir), "corpus": str(corpus), "master": master,
                       "ror": str(ror) if ror else None,
                       "positions": str(positions) if positions else None})
    env = {**os.environ, "PYTHONPATH": str(src)}
    log = work / f"spark-x{k}-f{fraction:g}.log"
    load0 = os.getloadavg()
    t = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-c", SPARK_CHILD, args], env=env,
                                stdout=subprocess.PIPE, stderr=err, text=True)
        sampler = TreeSampler(proc.pid)
        stdout, _ = proc.communicate()
    peak, cpu = sampler.stop()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"spark build failed (x{k}); see {log}")
    line = next(ln for ln in stdout.splitlines() if ln.startswith("@@"))
    result: dict[str, Any] = json.loads(line[2:])
    for name, stage in result["stages"].items():
        # per stage: the tree's CPU and peak within the stage's span (sampled every 200 ms)
        span = result.get("spans", {}).get(name)
        stage["cpu"], stage["peak_mb"] = sampler.within(*span) if span else (None, None)
    result.update({"wall": round(wall, 2), "cpu": cpu, "peak_mb": peak, "store": str(out_dir),
                   "load_before": load0, "load_after": os.getloadavg()})
    print(f"spark x{k}: {json.dumps(result)}", flush=True)
    return result


def same_output(duck_db: Path, spark_out: Path) -> dict[str, bool | str]:
    """Spark's 1x output against DuckDB's: the partition of mentions into persons, the moves."""
    from talentgraph.store.compare import build_meaning

    # the output folder's serving store (engines/output.py: OUT/current/serving.duckdb)
    serving = spark_out / "current" / "serving.duckdb"
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir()
        b.mkdir()
        try:
            ma = build_meaning(duck_db, a)
            mb = build_meaning(serving if serving.exists() else spark_out, b)
        except Exception as exc:  # the check reports, it does not stop the benchmark
            return {"compared": f"not run: {exc}"}
        return {"persons (partition of mentions)": ma.partition == mb.partition,
                "moves": ma.moves == mb.moves,
                "export mentions (bytes)": ma.mentions_csv == mb.mentions_csv,
                "export moves (bytes)": ma.moves_csv == mb.moves_csv,
                "persons duckdb / spark": f"{len(ma.people)} / {len(mb.people)}"}


# ---------------------------------------------------------------------------------------------
# Report


def exponent(t1: float | None, tk: float | None, k: int) -> float | None:
    """Growth exponent from 1x to kx: log(t_k / t_1) / log(k)."""
    if not t1 or not tk or k <= 1 or t1 <= 0 or tk <= 0:
        return None
    return math.log(tk / t1) / math.log(k)


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def stage_table(engine: str, runs: dict[int, dict[str, Any]]) -> list[str]:
    """Per stage: wall / cpu / peak at each factor, then the growth exponents of the largest."""
    ks = sorted(runs)
    kmax = ks[-1]
    names: list[str] = []
    for k in ks:
        for s in runs[k].get("stages", {}):
            if s not in names:
                names.append(s)
    head = f"{'stage':<18}" + "".join(f"{f'{k}x wall/cpu s, peak MB':>30}" for k in ks)
    head += f"{'exp wall':>10}{'exp cpu':>9}"
    lines = [f"{engine}:", head]

    def row(label: str, cells: list[dict[str, Any] | None], fixed: bool = False) -> str:
        text = f"{label:<18}"
        for c in cells:
            if c is None:
                text += f"{'':>30}"
                continue
            peak = c.get("peak_mb")
            mark = "" if c.get("peak_sampled", True) else "<="
            text += (f"{_fmt(c.get('wall'), '.1f'):>10}/{_fmt(c.get('cpu'), '.1f'):>7}"
                     f"{mark + _fmt(peak, 'd') if peak is not None else '-':>12}")
        first, last = cells[0], cells[-1]
        ew = exponent(first and first.get("wall"), last and last.get("wall"), kmax)
        ec = exponent(first and first.get("cpu"), last and last.get("cpu"), kmax)
        flag = " (fixed input)" if fixed else ("" if ew is None or ew <= GOAL else " > goal")
        return text + f"{_fmt(ew, '.2f'):>10}{_fmt(ec, '.2f'):>9}{flag}"

    for s in names:
        cells = [runs[k].get("stages", {}).get(s) for k in ks]
        engine = next((c["engine"] for c in cells if c and c.get("engine")), None)
        label = s if engine is None else f"{s} [{engine}]"
        lines.append(row(label, cells, s in FIXED))
    totals = []
    for k in ks:
        st = runs[k].get("stages", {})
        fixed_wall = sum(st[s].get("wall") or 0 for s in FIXED if s in st)
        fixed_cpu = sum(st[s].get("cpu") or 0 for s in FIXED if s in st)
        totals.append({"wall": runs[k]["wall"] - fixed_wall, "cpu": runs[k]["cpu"] - fixed_cpu,
                       "peak_mb": runs[k]["peak_mb"]})
    lines.append(row("total w/o fixed", totals))
    lines.append(row("total", [{"wall": runs[k]["wall"], "cpu": runs[k]["cpu"],
                                "peak_mb": runs[k]["peak_mb"]} for k in ks]))
    for k in ks:
        lb, la = runs[k].get("load_before"), runs[k].get("load_after")
        lines.append(f"  {k}x load average before {_load(lb)}, after {_load(la)}")
    return lines


def _load(x: Any) -> str:
    return "-" if not x else "/".join(f"{v:.2f}" for v in x)


def copies_lines(runs: dict[int, dict[str, Any]]) -> list[str]:
    """Copies did not merge: persons ~ k x persons of 1x, none spanning two copies."""
    if 1 not in runs:
        return []
    base = runs[1]
    lines = ["copies (DuckDB):"]
    for k in sorted(runs):
        r, c = runs[k], runs[k].get("copies", {})

        def ratio(key: str, r: dict[str, Any] = r) -> str:
            return f"{r[key] / base[key]:.3f}" if r.get(key) and base.get(key) else "-"
        per_copy = [c[f"persons_in_copy_{i}"] for i in range(k) if f"persons_in_copy_{i}" in c]
        lines.append(
            f"  {k}x: papers {r.get('papers')} ({ratio('papers')} x 1x), mentions "
            f"{r.get('mentions')} ({ratio('mentions')}), persons {r.get('persons')} "
            f"({ratio('persons')}; per copy {per_copy}), persons spanning two copies "
            f"{c.get('persons_spanning_copies')}")
    return lines


# The estimate of docs/cluster.md: the full OpenAlex snapshot's authorships, and the cluster
# named there (20 workers x 16 vCPU; 60 executors of 5 cores).
TARGET_MENTIONS = 1_000_000_000
CLUSTER_CORES = 300


def estimate(base: dict[str, Any], growth: dict[int, dict[str, Any]]) -> list[str]:
    """CPU core-seconds of the build at TARGET_MENTIONS, from the CPU per stage of one build
    (`base`) and the growth exponents per stage of a 1x..kx run (`growth`); three readings:
    linear, the measured exponents (never below 1), the goal's 1.15. Lower bounds of the
    cluster's wall time: core-seconds / CLUSTER_CORES (perfect parallelism, Spark's speed per
    core taken equal to DuckDB's; neither is measured)."""
    ks = sorted(growth)
    f = TARGET_MENTIONS / base["mentions"]
    lines = [f"scale factor F = {TARGET_MENTIONS:,} / {base['mentions']:,} = {f:,.1f}",
             f"{'stage':<12}{'cpu 1x s':>10}{'exp':>7}{'linear':>14}{'measured':>14}"
             f"{'at 1.15':>14}   (core-seconds at F)"]
    tot = [0.0, 0.0, 0.0]
    for name, st in base["stages"].items():
        if name in FIXED or st.get("cpu") is None:
            continue
        cells = [growth[k]["stages"].get(name) for k in (ks[0], ks[-1])]
        e = exponent(cells[0] and cells[0].get("cpu"), cells[1] and cells[1].get("cpu"), ks[-1])
        used = max(1.0, e if e is not None else 1.0)
        vals = [st["cpu"] * f, st["cpu"] * f ** used, st["cpu"] * f ** GOAL]
        tot = [a + b for a, b in zip(tot, vals, strict=True)]
        lines.append(f"{name:<12}{st['cpu']:>10.1f}{_fmt(e, '.2f'):>7}"
                     + "".join(f"{v:>14,.0f}" for v in vals))
    lines.append(f"{'total':<12}{'':>17}" + "".join(f"{v:>14,.0f}" for v in tot))
    lines.append(f"{'core-hours':<12}{'':>17}" + "".join(f"{v / 3600:>14,.1f}" for v in tot))
    lines.append(f"{'/ ' + str(CLUSTER_CORES) + ' cores':<12}{'':>17}"
                 + "".join(f"{v / CLUSTER_CORES / 60:>12,.0f} m" for v in tot))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paperlists", default=os.environ.get("TALENTGRAPH_PAPERLISTS",
                                                           str(DATA / "paperlists")))
    ap.add_argument("--work", default="/work/store/scale")
    ap.add_argument("--factors", default="1,2,4")
    ap.add_argument("--fraction", type=float, default=1.0,
                    help="build only the first FRACTION of each file's records (e.g. 0.25)")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--spark-src", help="the src folder of a checkout with the Spark engine "
                    "(e.g. `git archive spark src | tar -x -C DIR`), when this one lacks it")
    ap.add_argument("--ror", default=str(DATA / "ror" / "ror-records.jsonl.gz"),
                    help="the ROR dump, or 'none'")
    ap.add_argument("--positions", default=str(DATA / "aiwatch" / "positions.csv"),
                    help="the AI Watch positions file, or 'none'")
    ap.add_argument("--save", help="write every figure to this JSON file (the factors of an "
                    "earlier run of the same inputs in it are kept)")
    ap.add_argument("--keep-stores", action="store_true",
                    help="keep the stores of the factors above 1 (the 1x ones are kept)")
    ap.add_argument("--table-only", help="print the tables of a saved run and stop")
    ap.add_argument("--estimate", nargs=2, metavar=("BASE_JSON", "GROWTH_JSON"),
                    help="print the OpenAlex estimate: CPU per stage from the 1x DuckDB build "
                    "of one saved run, growth exponents from another's 1x..kx")
    args = ap.parse_args()
    if args.estimate:
        base, growth = (json.loads(Path(p).read_text())["duckdb"] for p in args.estimate)
        print("\n".join(estimate(base["1"], {int(k): v for k, v in growth.items()})))
        return
    if args.table_only:
        saved = json.loads(Path(args.table_only).read_text())
        if not saved.get("spark"):
            src = Path(args.spark_src) if args.spark_src else None
            saved["spark_note"] = spark_available(src) or saved.get("spark_note", "")
        _print(saved)
        return
    ror = None if args.ror == "none" else Path(args.ror)
    positions = None if args.positions == "none" else Path(args.positions)
    factors = sorted({int(x) for x in args.factors.split(",")})
    engines = args.engines.split(",")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    src = Path(args.paperlists)
    saved: dict[str, Any] = {"fraction": args.fraction, "factors": factors,
                             "ror": str(ror), "positions": str(positions),
                             "duckdb": {}, "spark": {}, "spark_note": "", "parity": {}}
    if args.save and Path(args.save).exists():
        # one factor at a time (each its own `flock`), their figures gathered in one file
        earlier = json.loads(Path(args.save).read_text())
        if (earlier.get("fraction"), earlier.get("ror"), earlier.get("positions")) != (
                args.fraction, str(ror), str(positions)):
            raise SystemExit(f"{args.save} holds a run of other inputs; use another file")
        for key in ("duckdb", "spark"):
            saved[key].update({int(k): v for k, v in earlier.get(key, {}).items()})
        saved["parity"].update(earlier.get("parity", {}))
    spark_src = Path(args.spark_src) if args.spark_src else None
    spark_why = spark_available(spark_src)
    if spark_why is None and "spark" not in engines:
        spark_why = "the engine exists, but was not asked for (--engines)"
    saved["spark_note"] = spark_why or ""
    for k in factors:
        corpus = corpus_for(src, work, k, args.fraction)
        if "duckdb" in engines:
            saved["duckdb"][k] = duckdb_run(corpus, work, k, args.fraction, ror, positions)
        if spark_why is None:
            saved["spark"][k] = spark_run(corpus, work, k, args.fraction, ror, positions,
                                          args.spark_master, spark_src)
        duck1 = saved["duckdb"].get(1, {}).get("store")
        if k == 1 and spark_why is None and duck1 and Path(duck1).exists():
            saved["parity"] = same_output(Path(duck1), Path(saved["spark"][1]["store"]))
        if k > 1 and not args.keep_stores:
            for engine in ("duckdb", "spark"):
                store = saved[engine].get(k, {}).get("store")
                if store and Path(store).is_dir():
                    shutil.rmtree(store, ignore_errors=True)
                elif store:
                    _remove_store(Path(store))
        if args.save:
            Path(args.save).write_text(json.dumps(saved, indent=1))
    _print(saved)


def _print(saved: dict[str, Any]) -> None:
    duck = {int(k): v for k, v in saved["duckdb"].items()}
    spark = {int(k): v for k, v in saved["spark"].items()}
    print(f"\nfraction of the corpus: {saved['fraction']:g}; ROR {saved['ror']}; "
          f"positions {saved['positions']}")
    if duck:
        print("\n".join(stage_table("DuckDB", duck)))
        print("\n".join(copies_lines(duck)))
    if spark:
        print("\n".join(stage_table("Spark", spark)))
    else:
        print(f"Spark: not available ({saved['spark_note']}); no Spark column")
    for key, value in saved.get("parity", {}).items():
        print(f"Spark 1x = DuckDB 1x: {key}: {value}")
    print(f"load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main()
