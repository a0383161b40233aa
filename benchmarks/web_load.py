"""Load test of the web app on loopback: concurrent users on the search and profile pages.

Starts `talentgraph serve` (one uvicorn process, as shipped) against a built store and a fresh
operational store with one recruiter account, then runs locust headless: every simulated user
logs in (session cookie, CSRF) and alternates between a sourcing search and a person's profile
page, with a short think time. Reports the 95th-percentile latency and the errors per page.

Searches draw from topic x filter combinations, profiles from a random sample of people with
several papers, so most profile views are of people not seen before in the run (the app caches
what the core computed for a page, the store being read-only while served).

    .venv/bin/python benchmarks/web_load.py --db /tmp/web_full.duckdb [--users 50]
        [--seconds 60] [--people 3000] [--json]

This file is also the locustfile (locust imports it and finds the user class).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
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
FILTERS = [{}, {"role": "researcher"}, {"role": "phd"}, {"since": "2023"}, {"role": "senior"}]


# ---------------------------------------------------------------------------------------------
# the simulated user (only when locust loads this file)

if "locust" in sys.modules:
    from locust import HttpUser, between, task

    _DATA = json.loads(Path(os.environ[DATA_ENV]).read_text())

    class Recruiter(HttpUser):
        wait_time = between(_DATA["wait"][0], _DATA["wait"][1])  # think time between pages

        def on_start(self) -> None:
            page = self.client.get("/login", name="/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            self.client.post("/login", name="/login", data={
                "username": USER, "password": PASSWORD, "csrf_token": token, "next": "/"})

        @task
        def search(self) -> None:
            params = {"q": random.choice(TOPICS), **random.choice(FILTERS)}
            with self.client.get("/search", params=params, name="/search",
                                 catch_response=True) as r:
                if r.status_code != 200 or "Why this rank" not in r.text:
                    r.failure(f"status {r.status_code} {getattr(r, 'error', None) or ''}")

        @task
        def profile(self) -> None:
            pid = random.choice(_DATA["people"])
            with self.client.get(f"/people/{pid}", name="/people/[id]",
                                 catch_response=True) as r:
                if r.status_code != 200 or "Frequent coauthors" not in r.text:
                    r.failure(f"status {r.status_code} {getattr(r, 'error', None) or ''}")


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
    store = OpsStore(url)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/web_full.duckdb"),
                    help="a store built by the full pipeline (read-only)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument("--people", type=int, default=3000, help="profiles to draw from")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--wait", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"),
                    help="think time between a user's page views, in seconds")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.db.exists():
        raise SystemExit(f"no store at {args.db}: build one with `talentgraph build --db PATH`")

    venv_bin = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="tg_web_load_") as tmp:
        folder = Path(tmp)
        data = folder / "data.json"
        data.write_text(json.dumps({"people": _sample_people(args.db, args.people, args.seed),
                                    "wait": list(args.wait)}))
        ops_url = _ops_store(folder)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "TALENTGRAPH_WEB_SECRET": "load-test-secret-" + str(port),
               DATA_ENV: str(data)}
        server = subprocess.Popen(
            [str(venv_bin / "talentgraph"), "serve", "--db", str(args.db), "--ops-db", ops_url,
             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
            stderr=open(folder / "server.log", "w"))  # noqa: SIM115 - closed with the dir
        try:
            _wait_up(url, server)
            prefix = folder / "locust"
            started, load_before = time.perf_counter(), os.getloadavg()[0]
            subprocess.run(
                [str(venv_bin / "locust"), "-f", __file__, "--headless", "--host", url,
                 "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
                 "--stop-timeout", "60",  # let requests in flight finish (not 'status 0')
                 "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                env=env, check=False, stdout=subprocess.DEVNULL)
            elapsed, load_after = time.perf_counter() - started, os.getloadavg()[0]
            rows = _read_stats(prefix)
            with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as fh:
                failures = [{"page": r["Name"], "error": r["Error"],
                             "count": int(r["Occurrences"])} for r in csv.DictReader(fh)]
        finally:
            server.terminate()
            server.wait(20)
        log = (folder / "server.log").read_text(encoding="utf-8", errors="replace")
        server_errors = log.count("Traceback")

    report = {"users": args.users, "seconds": args.seconds, "wall_seconds": round(elapsed, 1),
              "think_time_s": list(args.wait), "cpus": os.cpu_count(),
              "load_average_before": load_before, "load_average_after": load_after,
              "store": str(args.db), "server_tracebacks": server_errors,
              "failures": failures, "pages": {}}
    for r in rows:
        if r["Name"] not in ("/search", "/people/[id]", "/login", "Aggregated"):
            continue
        name = f"{r['Type']} {r['Name']}" if r["Name"] == "/login" else r["Name"]
        report["pages"][name] = {
            "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
            "rps": round(float(r["Requests/s"]), 1), "median_ms": float(r["50%"]),
            "p95_ms": float(r["95%"]), "p99_ms": float(r["99%"]),
            "max_ms": float(r["Max Response Time"] or 0)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"web load: {args.users} users for {args.seconds}s on {args.db} (locust headless, one "
          f"uvicorn process, loopback; think time {args.wait[0]:g}-{args.wait[1]:g}s; "
          f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, {load_after:.1f} after)")
    print(f"{'page':16s} {'requests':>9s} {'failures':>9s} {'req/s':>7s} {'median':>8s} "
          f"{'p95':>8s} {'p99':>8s} {'max':>8s}")
    for name, p in report["pages"].items():
        print(f"{name:16s} {p['requests']:9d} {p['failures']:9d} {p['rps']:7.1f} "
              f"{p['median_ms']:6.0f}ms {p['p95_ms']:6.0f}ms {p['p99_ms']:6.0f}ms "
              f"{p['max_ms']:6.0f}ms")
    for f in failures:
        print(f"failure: {f['page']} x{f['count']}: {f['error'][:160]}")
    print(f"server tracebacks: {server_errors}   goal: p95 < 300 ms, no errors")


if __name__ == "__main__":
    main()
