"""Load test of the web app on loopback: concurrent users on the search and profile pages.

Starts `talentgraph serve` (`--workers` uvicorn processes) against a built store and a fresh
operational store with one recruiter account, waits until the server is idle (the workers have
loaded the search index), then runs locust headless on the same machine: every simulated user
logs in (session cookie, CSRF); once all have, each views the pages of `--pages` (the sourcing
search page, the JSON API's search, a person's profile page; by default the search page and
profiles) in random turn, with a think time between pages. Reports per page the requests, errors,
requests/s, p50/p95/p99 and max latency, the server's CPU time per request and the load average
(before, during, after), and with `--compare` a previous run's figures side by side.

First, a burst of `--login-burst` logins (default 50) all at once, with the real argon2
parameters: the server's CPU per login and the logins' p50/p95 latency (`--burst-only`: only
that). Successful logins of one account, so the login throttle (which counts failures) is not
what is measured.

Honest by construction: searches draw from topics x role x since-year x country (3,000
combinations, so most searches are not in the server's result cache: the run reports how many
were repeats), profiles from a random sample of `--people` people with 3+ papers (20,000: nearly
every profile view is of someone not seen before in the run).

    .venv/bin/python benchmarks/web_load.py --db STORE [--users 50] [--seconds 60]
        [--workers 1] [--people 20000] [--pages search,api-search,profile]
        [--login-burst 50] [--burst-only]
        [--save run.json] [--compare previous.json] [--json]

This file is also the locustfile (locust imports it and finds the user class).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DATA_ENV = "TALENTGRAPH_WEB_LOAD_DATA"
USER, PASSWORD = "loadtest", "load-test-password-1"
# Generic research topics (not taken from the corpus), crossed with filters below.
TOPICS = [
    "reinforcement learning from human feedback", "diffusion models", "graph neural networks",
    "large language models", "vision transformers", "contrastive learning",
    "federated learning", "neural radiance fields", "robot manipulation", "speech recognition",
    "machine translation", "causal inference", "bayesian optimization", "adversarial robustness",
    "meta learning", "offline reinforcement learning", "question answering", "object detection",
    "semantic segmentation", "knowledge distillation", "mixture of experts", "protein structure",
    "time series forecasting", "in-context learning", "differential privacy", "model compression",
    "multi-agent systems", "self-supervised learning", "retrieval augmented generation",
    "optimal transport",
]
ROLES = [None, "researcher", "phd", "senior", "professor"]
PAGES = ("search", "api-search", "profile")
SEARCH_GOAL_MS = 150
SINCE = [None, "2019", "2022", "2024"]
COUNTRIES = [None, "US", "GB", "CN", "DE"]


def search_params(rnd: random.Random) -> dict[str, str]:
    """One of the topic x role x since x country combinations."""
    params = {"q": rnd.choice(TOPICS)}
    for key, values in (("role", ROLES), ("since", SINCE), ("country", COUNTRIES)):
        value = rnd.choice(values)
        if value is not None:
            params[key] = value
    return params


# ---------------------------------------------------------------------------------------------
# the simulated user (only when locust loads this file)

if "locust" in sys.modules:
    import gevent
    from locust import HttpUser, between, events

    _DATA = json.loads(Path(os.environ[DATA_ENV]).read_text())
    _SEEN: dict[str, set] = {"search": set(), "profile": set()}
    _COUNT = {"search": 0, "profile": 0}
    _LOGGED_IN = [0]

    @events.quitting.add_listener
    def _write_repeats(environment, **_kw) -> None:  # noqa: ANN001
        Path(_DATA["repeats_file"]).write_text(json.dumps(
            {k: {"requests": _COUNT[k], "distinct": len(_SEEN[k])} for k in _COUNT}))

    class Recruiter(HttpUser):
        wait_time = between(_DATA["wait"][0], _DATA["wait"][1])  # think time between pages

        def on_start(self) -> None:
            page = self.client.get("/login", name="/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            self.client.post("/login", name="/login", data={
                "username": USER, "password": PASSWORD, "csrf_token": token, "next": "/"})
            # Work starts once everyone has logged in (as in a working day): 50 password
            # checks (argon2, ~0.1-0.3 s of CPU each) in the same 5 s would otherwise be
            # measured as page latency. The logins are reported on their own rows.
            _LOGGED_IN[0] += 1
            deadline = time.monotonic() + 120
            while _LOGGED_IN[0] < _DATA["users"] and time.monotonic() < deadline:
                gevent.sleep(0.1)
            # then a first think time, so the users do not all ask at the same instant
            gevent.sleep(random.uniform(*_DATA["wait"]))

        def _search(self, path: str, marker: str) -> None:
            """One search of random parameters at `path`; a reply without `marker` failed."""
            params = search_params(random)
            _COUNT["search"] += 1
            _SEEN["search"].add(tuple(sorted(params.items())))
            with self.client.get(path, params=params, name=path, catch_response=True) as r:
                if r.status_code != 200 or marker not in r.text:
                    r.failure(f"status {r.status_code} {getattr(r, 'error', None) or ''}")

        def search(self) -> None:
            self._search("/search", "Why this rank")

        def api_search(self) -> None:
            self._search("/api/search", '"people"')

        def profile(self) -> None:
            pid = random.choice(_DATA["people"])
            _COUNT["profile"] += 1
            _SEEN["profile"].add(pid)
            with self.client.get(f"/people/{pid}", name="/people/[id]",
                                 catch_response=True) as r:
                if r.status_code != 200 or "Frequent coauthors" not in r.text:
                    r.failure(f"status {r.status_code} {getattr(r, 'error', None) or ''}")

        # the pages of --pages, equally often
        tasks = [f for name, f in (("search", search), ("api-search", api_search),
                                   ("profile", profile)) if name in _DATA["pages"]]


# ---------------------------------------------------------------------------------------------
# the driver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sample_people(db: Path, n: int, seed: int) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = [r[0] for r in con.execute(
            "SELECT person_id FROM persons WHERE n_mentions >= 3 ORDER BY person_id").fetchall()]
    finally:
        con.close()
    random.Random(seed).shuffle(ids)
    return ids[:n]


def _ops_store(folder: Path) -> str:
    from talentgraph.ops import users
    from talentgraph.ops.db import OpsStore

    url = f"sqlite:///{folder / 'ops.sqlite'}"
    store = OpsStore(url, create=True)
    with store.session() as s:
        admin = users.create_first_admin(s, "admin", "load-admin-password")
        users.create_user(s, users.actor_for(admin), USER, PASSWORD, "recruiter")
    store.dispose()
    return url


def _wait_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not come up")


def _read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (the uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def _login_burst(url: str, server_pid: int, n: int) -> dict:
    """`n` clients log in at the same moment (each GETs the form first, then all POST together):
    the server's CPU per login and the POSTs' latencies."""
    import httpx

    clients = [httpx.Client(base_url=url, timeout=120) for _ in range(n)]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
              for c in clients]
    latencies: list[float] = []
    statuses: list[int] = []
    gate = threading.Barrier(n)
    lock = threading.Lock()

    def one(c: httpx.Client, token: str) -> None:
        gate.wait()
        t = time.perf_counter()
        r = c.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token,
                                   "next": "/"}, follow_redirects=False)
        with lock:
            latencies.append(1000 * (time.perf_counter() - t))
            statuses.append(r.status_code)

    cpu0, t0 = _tree_cpu(server_pid), time.perf_counter()
    threads = [threading.Thread(target=one, args=pair)
               for pair in zip(clients, tokens, strict=True)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall, cpu = time.perf_counter() - t0, _tree_cpu(server_pid) - cpu0
    for c in clients:
        c.close()
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {"logins": n, "ok": statuses.count(303), "wall_s": round(wall, 2),
            "server_cpu_s": round(cpu, 2), "cpu_ms_per_login": round(1000 * cpu / n, 1),
            "p50_ms": round(pct(0.5)), "p95_ms": round(pct(0.95)), "max_ms": round(latencies[-1]),
            "load_average_after": os.getloadavg()[0]}


def _print_burst(b: dict) -> None:
    print(f"login burst: {b['logins']} logins at once ({b['ok']} ok) in {b['wall_s']} s; server "
          f"CPU {b['server_cpu_s']} s = {b['cpu_ms_per_login']} ms per login; latency p50 "
          f"{b['p50_ms']:,} ms, p95 {b['p95_ms']:,} ms, max {b['max_ms']:,} ms; load average "
          f"{b['load_average_after']:.1f} after")


def _wait_idle(pid: int, seconds: float = 180) -> None:
    """Until the server's processes use less than a tenth of a core (start-up work done)."""
    deadline = time.monotonic() + seconds
    time.sleep(2)
    last = _tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(2)
        now = _tree_cpu(pid)
        if now - last < 0.2:
            return
        last = now


class _LoadSampler(threading.Thread):
    """The 1-minute load average every 5 s while the test runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5):
            self.samples.append(os.getloadavg()[0])


def _print_report(report: dict, previous: dict | None) -> None:
    print(f"web load: {report['users']} users for {report['seconds']}s on {report['store']} "
          f"(locust headless on the same machine, {report['workers']} server worker(s), "
          f"loopback; think time {report['think_time_s'][0]:g}-{report['think_time_s'][1]:g}s; "
          f"{report['cpus']} CPUs)")
    la = report["load_average"]
    print(f"load average (1 min): {la['before']:.1f} before, {la['mean_during']:.1f} mean / "
          f"{la['max_during']:.1f} max during, {la['after']:.1f} after; server CPU "
          f"{report['server_cpu_s']:.1f} s = {report['server_cpu_ms_per_request']:.1f} ms per "
          f"request (logins' argon2 included); locust CPU {report.get('locust_cpu_s', 0):.1f} s")
    rep = report.get("repeats") or {}
    if rep:
        print("distinct: " + ", ".join(f"{k} {v['distinct']} of {v['requests']}"
                                       for k, v in rep.items())
              + " (repeats can come from the server's result cache)")
    cols = ("requests", "failures", "rps", "median_ms", "p95_ms", "p99_ms", "max_ms")
    heads = ("requests", "errors", "req/s", "p50", "p95", "p99", "max")

    def cell(page: dict | None, col: str) -> str:
        if page is None:
            return "-"
        v = page[col]
        return f"{v:.1f}" if col == "rps" else f"{v:,.0f}"

    if previous:
        print(f"{'page':16s} " + " ".join(f"{h:>17s}" for h in heads))
        print(f"{'':16s} " + " ".join(f"{'before':>8s} {'after':>8s}" for _ in heads))
    else:
        print(f"{'page':16s} " + " ".join(f"{h:>9s}" for h in heads))
    for name, page in report["pages"].items():
        if previous:
            old = (previous.get("pages") or {}).get(name)
            print(f"{name:16s} " + " ".join(f"{cell(old, c):>8s} {cell(page, c):>8s}"
                                             for c in cols))
        else:
            print(f"{name:16s} " + " ".join(f"{cell(page, c):>9s}" for c in cols))
    if previous:
        pla = previous.get("load_average") or {}
        print(f"before: {previous.get('store')} ({previous.get('workers', 1)} worker(s)), load "
              f"average {pla.get('before', previous.get('load_average_before', 0)):.1f} before, "
              f"{pla.get('mean_during', float('nan')):.1f} mean during")
    for f in report["failures"]:
        print(f"failure: {f['page']} x{f['count']}: {f['error'][:160]}")
    if report.get("login_burst"):
        _print_burst(report["login_burst"])
    print(f"server tracebacks: {report['server_tracebacks']}   goals: search p95 < "
          f"{SEARCH_GOAL_MS} ms (issue #18), other pages p95 < 300 ms, no errors")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/web_full.duckdb"),
                    help="a store built by the full pipeline (read-only)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--people", type=int, default=20000, help="profiles to draw from")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--wait", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"),
                    help="think time between a user's page views, in seconds")
    ap.add_argument("--pages", type=lambda v: v.split(","), default=["search", "profile"],
                    help=f"the pages users view, equally often, comma-separated: "
                    f"{', '.join(PAGES)} (api-search: /api/search, the JSON API)")
    ap.add_argument("--login-burst", type=int, default=50,
                    help="logins sent at once before the load test (0: none)")
    ap.add_argument("--burst-only", action="store_true", help="only the login burst")
    ap.add_argument("--save", type=Path, help="write the report (JSON) here")
    ap.add_argument("--compare", type=Path, help="a previous --save/--json report: printed "
                    "side by side")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.db.exists():
        raise SystemExit(f"no store at {args.db}: build one with `talentgraph build --db PATH`")
    if not args.pages or set(args.pages) - set(PAGES):
        raise SystemExit(f"--pages: a comma-separated choice of {', '.join(PAGES)}")
    previous = json.loads(args.compare.read_text()) if args.compare else None

    venv_bin = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="tg_web_load_") as tmp:
        folder = Path(tmp)
        data = folder / "data.json"
        repeats_file = folder / "repeats.json"
        data.write_text(json.dumps({"people": _sample_people(args.db, args.people, args.seed),
                                    "wait": list(args.wait), "repeats_file": str(repeats_file),
                                    "users": args.users, "pages": args.pages}))
        ops_url = _ops_store(folder)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "TALENTGRAPH_WEB_SECRET": "load-test-secret-" + str(port),
               DATA_ENV: str(data)}
        cmd = [str(venv_bin / "talentgraph"), "serve", "--db", str(args.db), "--ops-db",
               ops_url, "--port", str(port)]
        if args.workers != 1:
            cmd += ["--workers", str(args.workers)]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(folder / "server.log", "w"))  # noqa: SIM115
        try:
            _wait_up(url, server)
            _wait_idle(server.pid)  # the workers load the search index before the clock starts
            burst = _login_burst(url, server.pid, args.login_burst) if args.login_burst else None
            if args.burst_only:
                if burst is not None:
                    print(json.dumps(burst, indent=2) if args.json else "", end="")
                    if not args.json:
                        _print_burst(burst)
                return
            prefix = folder / "locust"
            sampler = _LoadSampler()
            cpu_before = _tree_cpu(server.pid)
            started, load_before = time.perf_counter(), os.getloadavg()[0]
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            sampler.start()
            subprocess.run(
                [str(venv_bin / "locust"), "-f", __file__, "--headless", "--host", url,
                 "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
                 "--stop-timeout", "60",  # let requests in flight finish (not 'status 0')
                 "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                env=env, check=False, stdout=subprocess.DEVNULL,
                stderr=open(folder / "locust.log", "w"))  # noqa: SIM115 - closed with the dir
            elapsed, load_after = time.perf_counter() - started, os.getloadavg()[0]
            sampler.stop.set()
            cpu = _tree_cpu(server.pid) - cpu_before
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust (it has exited)
            locust_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime
                                                              + children.ru_stime)
            rows = _read_stats(prefix)
            with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as fh:
                failures = [{"page": r["Name"], "error": r["Error"],
                             "count": int(r["Occurrences"])} for r in csv.DictReader(fh)]
            repeats = json.loads(repeats_file.read_text()) if repeats_file.exists() else None
        finally:
            server.terminate()
            server.wait(20)
        log = (folder / "server.log").read_text(encoding="utf-8", errors="replace")
        server_errors = log.count("Traceback")

    samples = sampler.samples or [load_after]
    report = {"users": args.users, "seconds": args.seconds, "wall_seconds": round(elapsed, 1),
              "pages_viewed": args.pages,
              "workers": args.workers, "think_time_s": list(args.wait),
              "cpus": os.cpu_count(), "people_sample": args.people,
              "load_average": {"before": load_before, "after": load_after,
                               "mean_during": sum(samples) / len(samples),
                               "max_during": max(samples)},
              "store": str(args.db), "server_tracebacks": server_errors,
              "server_cpu_s": round(cpu, 2), "locust_cpu_s": round(locust_cpu, 2),
              "repeats": repeats, "login_burst": burst,
              "failures": failures, "pages": {}}
    for r in rows:
        if r["Name"] not in ("/search", "/api/search", "/people/[id]", "/login", "Aggregated"):
            continue
        name = f"{r['Type']} {r['Name']}" if r["Name"] == "/login" else r["Name"]
        report["pages"][name] = {
            "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
            "rps": round(float(r["Requests/s"]), 1), "median_ms": float(r["50%"]),
            "p95_ms": float(r["95%"]), "p99_ms": float(r["99%"]),
            "max_ms": float(r["Max Response Time"] or 0)}
    total = report["pages"].get("Aggregated", {}).get("requests") or 1
    report["server_cpu_ms_per_request"] = round(1000 * cpu / total, 1)
    if args.save:
        args.save.write_text(json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    _print_report(report, previous)


if __name__ == "__main__":
    main()
