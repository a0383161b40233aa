"""Where-now benchmark (issue #13): is the store's "now" right, with and without positions?

    flock /work/store/heavy.lock env PYTHONPATH=src .venv/bin/python benchmarks/where_now.py \
        --db /work/store/talentgraph.duckdb --positions ../shared/data/aiwatch/positions.csv \
        --work /work/store/NAME-wherenow.duckdb [--holdout 0.3] [--seed 13] [--save run.json]

The store at --db (built from papers, without positions) is copied to --work and never
written. Truth comes from AI Watch: a person's *current* position is their open position (no
end date; not an intern, visitor, adviser or board position) with the latest start, linked to a
person of the store (careers.positions' rules) and at an organisation the store resolves.

People of AI Watch (by name) are split at random (seeded) into a held-out part (--holdout)
and the rest:
- held out: their current position is NOT ingested (the truth), their other positions are;
  "now" must come from papers and their earlier positions;
- the rest: everything is ingested; their figure says how often the "now" rule picks the open
  position it was given over newer paper evidence (in-sample: not a test of generalisation).
"Without positions": the same rule on the papers-only careers tables of --db. A store built
with positions (as `talentgraph build` does by default) holds the truth already: its copy is
made papers-only first (positions dropped, positions and careers stages run again), and the
output says how many positions that removed.

Right: the predicted organisation is the truth's, or under the same top-level organisation,
or its successor (orgs' parent and successor links, careers.lookup.OrgTree). Unknown: no "now".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from talentgraph.careers.lookup import OrgTree
from talentgraph.careers.now import build_person_now
from talentgraph.careers.position_obs import POSITION_ROLE_KIND_SQL
from talentgraph.careers.positions import positions_stage
from talentgraph.careers.stage import careers_stage
from talentgraph.sources.positions.ingest import ingest_aiwatch
from talentgraph.store import db


def held_out(name_key: str, seed: int, share: float) -> bool:
    h = hashlib.sha256(f"{seed}|{name_key}".encode()).digest()
    return int.from_bytes(h[:4], "big") / 2**32 < share


def truth(con: Any) -> dict[str, dict[str, Any]]:
    """name_key -> the current position (position_id, person_id, org_id) of linked people."""
    rows = con.execute(f"""
        SELECT p.name_key, p.position_id, l.person_id, l.org_id, p.org_raw, p.start_date
        FROM positions p JOIN position_links l USING (position_id)
        WHERE p.end_date IS NULL AND p.start_date IS NOT NULL
          AND coalesce({POSITION_ROLE_KIND_SQL}, '') NOT IN ('intern', 'visitor', 'affiliate')
        QUALIFY row_number() OVER (PARTITION BY p.name_key
                                   ORDER BY p.start_date DESC, p.position_id) = 1""").fetchall()
    return {k: {"position_id": pid, "person_id": person, "org_id": org, "org_raw": raw,
                "start": str(start)}
            for k, pid, person, org, raw, start in rows if person and org}


def papers_only(con: Any) -> int:
    """Drop the dated positions a store holds and rebuild its careers from papers alone (the
    positions the benchmark ingests would otherwise meet the same positions already there,
    the truth among them); the number of positions dropped."""
    n = con.execute("SELECT count(*) FROM positions").fetchone()[0]
    if n:
        con.execute("DELETE FROM positions")
        con.execute("DELETE FROM position_units")
        positions_stage(con)
        careers_stage(con)
    return n


def score(con: Any, cases: list[dict[str, Any]], tree: OrgTree) -> dict[str, Any]:
    now = dict(con.execute("SELECT person_id, org_id FROM person_now").fetchall())
    right = wrong = unknown = 0
    for c in cases:
        got = now.get(c["person_id"])
        if got is None:
            unknown += 1
            continue
        t = c["org_id"]
        same = (tree.top.get(got, got) == tree.top.get(t, t) or got in tree.family(t)
                or t in tree.family(got))
        right += same
        wrong += not same
    n = len(cases)
    return {"n": n, "right": right, "wrong": wrong, "unknown": unknown,
            "share_right": round(right / n, 3) if n else None,
            "share_right_of_answered": round(right / (right + wrong), 3) if right + wrong
            else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--positions", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--holdout", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--save", type=Path)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    shutil.copy(args.db, args.work)
    con = db.connect(args.work)
    try:
        dropped = papers_only(con)
        tree = OrgTree(con)
        build_person_now(con)  # the rule on papers-only careers tables
        without = dict(con.execute("SELECT person_id, org_id FROM person_now").fetchall())
        con.execute("CREATE OR REPLACE TABLE person_now_without AS SELECT * FROM person_now")
        ingest_aiwatch(con, [args.positions])
        links = positions_stage(con)
        cur = truth(con)
        hold = [dict(v, name_key=k) for k, v in cur.items()
                if held_out(k, args.seed, args.holdout)]
        rest = [dict(v, name_key=k) for k, v in cur.items()
                if not held_out(k, args.seed, args.holdout)]
        _gone = [c["position_id"] for c in hold]  # noqa: F841
        con.execute("DELETE FROM positions WHERE position_id IN (SELECT unnest(?))", [_gone])
        positions_stage(con)
        t1 = time.perf_counter()
        careers = careers_stage(con)
        t_careers = time.perf_counter() - t1
        con.execute("CREATE OR REPLACE TABLE person_now_with AS SELECT * FROM person_now")
        con.execute("CREATE OR REPLACE TABLE person_now AS SELECT * FROM person_now_without")
        before = {"held_out": score(con, hold, tree), "rest": score(con, rest, tree)}
        con.execute("CREATE OR REPLACE TABLE person_now AS SELECT * FROM person_now_with")
        after = {"held_out": score(con, hold, tree), "rest": score(con, rest, tree)}
        wrong_examples = []
        now_with = dict(con.execute("SELECT person_id, org_id FROM person_now").fetchall())
        for c in hold[:400]:
            got = now_with.get(c["person_id"])
            if got and tree.top.get(got, got) != tree.top.get(c["org_id"], c["org_id"]):
                wrong_examples.append({"name_key": c["name_key"], "truth": c["org_id"],
                                       "now": got, "without": without.get(c["person_id"])})
    finally:
        con.close()
    out = {
        "positions_dropped_first": dropped, "positions_links": links,
        "truth_people": len(cur), "held_out": len(hold), "rest": len(rest),
        "without_positions": before, "with_positions": after,
        "careers_stage_seconds": round(t_careers, 1),
        "careers_position_observations": careers.get("position_observations"),
        "seconds": round(time.perf_counter() - t0, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "wrong_examples": wrong_examples[:15],
    }
    print(json.dumps(out, indent=2, default=str))
    for part in ("held_out", "rest"):
        b, a = before[part], after[part]
        print(f"{part:9s} n={a['n']:4d}  right without positions {b['right']:4d} "
              f"({b['share_right']})  with {a['right']:4d} ({a['share_right']});  unknown "
              f"{b['unknown']} -> {a['unknown']}", file=sys.stderr)
    if args.save:
        args.save.write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
