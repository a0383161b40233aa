"""Where-now labels from the records (issue #13): draw persons at random (fixed seed), show a
person's records from the corpus for labelling (never the store's "now"), score `person_now`
on the labels.

    .venv/bin/python benchmarks/where_now_labels.py draw --db STORE [--seed 13] [--n 40] > cases.csv
    .venv/bin/python benchmarks/where_now_labels.py show --db STORE --cases cases.csv CASE_ID...
    .venv/bin/python benchmarks/where_now_labels.py score --db STORE \
        [--labels tests/data/where_now_labels.csv]

Pool: the people stage's persons with at least one mention in 2023 or later (so "now" can be
asked of their papers), uniformly at random. Each case keeps the person id and an anchor
mention (the person's latest, as paper_id and position) so another build's person can be found.
Label (by reading every record of the person in /work/shared/data/paperlists, newest first):
the organisation where the latest records say the person is, written as the org_id of the
store's `orgs` row naming it (looked up after deciding from the records), or `unsure` when the
records cannot tell (latest records disagree, no affiliation printed). Only ids, the label and
a short note go in the CSV.

Right: benchmarks/where_now.py's rule (same top-level organisation, or family by parent and
successor links via careers.lookup.OrgTree). Unknown: the store has no "now" for the person.
`unsure` cases are left out of the share.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import math
import random
import sys
from pathlib import Path
from typing import Any

import duckdb

from talentgraph.careers.lookup import OrgTree

_HERE = Path(__file__).parent
FIELDS = ("case_id", "person_id", "anchor_paper_id", "anchor_position", "label", "note")
LABELS = _HERE.parent / "tests" / "data" / "where_now_labels.csv"


def _sibling(name: str) -> Any:
    """A benchmark file next to this one, imported by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"{name}_bench", _HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def draw(db: Path, seed: int, n: int, since: int = 2023) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("""
        SELECT mp.person_id, arg_max(mp.paper_id, (p.year, mp.paper_id)),
               arg_max(mp.position, (p.year, mp.paper_id))
        FROM mention_person mp JOIN papers p USING (paper_id)
        WHERE mp.person_id IS NOT NULL AND p.year IS NOT NULL
        GROUP BY mp.person_id HAVING max(p.year) >= ? ORDER BY mp.person_id""",
                       [since]).fetchall()
    con.close()
    rng = random.Random(seed)
    # On a pool this large random.sample picks one by one, so a bigger --n keeps the first
    # cases of a smaller one (more can be drawn later without changing the labelled ones).
    return [{"case_id": f"w{i}", "person_id": pid, "anchor_paper_id": paper,
             "anchor_position": pos, "label": "", "note": ""}
            for i, (pid, paper, pos) in enumerate(rng.sample(rows, n))]


def _person(con: duckdb.DuckDBPyConnection, case: dict) -> str | None:
    """The case's person in this store: by id, else by the anchor mention."""
    if con.execute("SELECT 1 FROM mention_person WHERE person_id = ? LIMIT 1",
                   [case["person_id"]]).fetchone():
        return case["person_id"]
    row = con.execute("SELECT person_id FROM mention_person WHERE paper_id = ? AND position = ?",
                      [case["anchor_paper_id"], int(case["anchor_position"])]).fetchone()
    return row[0] if row else None


def show(db: Path, cases: list[dict], case_ids: list[str]) -> None:
    mh = _sibling("moves_heldout")
    con = duckdb.connect(str(db), read_only=True)
    for cid in case_ids:
        c = next(x for x in cases if x["case_id"] == cid)
        pid = _person(con, c)
        # Only the paper's place in the corpus files is read from the store; what is printed
        # is the record itself (no organisation or careers output of the store).
        rows = con.execute("""
            SELECT p.year, p.source_file, p.record_index, mp.position
            FROM mention_person mp JOIN papers p USING (paper_id)
            WHERE mp.person_id = ? ORDER BY p.year DESC, p.source_file""", [pid]).fetchall()
        print(f"=== {cid}: {len(rows)} records")
        for y, f, idx, pos in rows:
            rec = mh._record(f, idx)
            authors = mh._split(rec.get("author") or rec.get("authors"))
            aff = mh.author_affiliation(rec, pos, set_width=200)
            aff = "-" if aff == "[set] " else aff  # the record prints no affiliation
            doms = mh._split(rec.get("aff_domain") or rec.get("email"))
            dom = doms[pos] if len(doms) == len(authors) and pos < len(doms) else ""
            # The role as printed (an intern's affiliation is not where they are "now").
            roles = mh._split(rec.get("position"))
            role = roles[pos] if len(roles) == len(authors) and pos < len(roles) else ""
            print(f"{y} {f.split('.')[0]:<11.11} {pos}/{len(authors):<3} aff={aff:<130.130} "
                  f"d={dom:<18.18} r={role:<12.12} | {str(rec.get('title', ''))[:40]}")
    con.close()


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of k successes in n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(max(0.0, mid - half), 3), round(min(1.0, mid + half), 3))


def score(con: duckdb.DuckDBPyConnection, labels: list[dict]) -> dict[str, Any]:
    """right/wrong/unknown of person_now on the labelled (not `unsure`) cases."""
    wn = _sibling("where_now")
    tree = OrgTree(con)
    cases, wrong_cases = [], []
    unsure = 0
    for c in labels:
        if c["label"] in ("", "unsure"):
            unsure += c["label"] == "unsure"
            continue
        cases.append({"person_id": _person(con, c) or "", "org_id": c["label"],
                      "case_id": c["case_id"]})
    # The same-organisation rule is where_now.py's own score(), called case by case to know
    # which cases were wrong.
    unknown_cases = []
    for case in cases:
        r = wn.score(con, [case], tree)
        if r["unknown"]:
            unknown_cases.append(case["case_id"])
        if r["wrong"]:
            got = con.execute("SELECT org_id, basis, evidence FROM person_now "
                              "WHERE person_id = ?", [case["person_id"]]).fetchone()
            wrong_cases.append({"case_id": case["case_id"], "label": case["org_id"],
                                "got": got[0], "basis": got[1], "evidence": got[2]})
    out = wn.score(con, cases, tree)
    out["unsure_left_out"] = unsure
    out["share_right_95"] = wilson(out["right"], out["n"])
    out["wrong_cases"] = wrong_cases
    out["unknown_cases"] = unknown_cases
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--db", type=Path, required=True)
    d.add_argument("--seed", type=int, default=13)
    d.add_argument("--n", type=int, default=40)
    s = sub.add_parser("show")
    s.add_argument("--db", type=Path, required=True)
    s.add_argument("--cases", type=Path, required=True)
    s.add_argument("case_ids", nargs="+")
    sc = sub.add_parser("score")
    sc.add_argument("--db", type=Path, required=True)
    sc.add_argument("--labels", type=Path, default=LABELS)
    args = ap.parse_args()
    if args.cmd == "draw":
        w = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(draw(args.db, args.seed, args.n))
    elif args.cmd == "show":
        with args.cases.open(encoding="utf-8") as f:
            show(args.db, list(csv.DictReader(f)), args.case_ids)
    else:
        with args.labels.open(encoding="utf-8") as f:
            labels = list(csv.DictReader(f))
        con = duckdb.connect(str(args.db), read_only=True)
        r = score(con, labels)
        con.close()
        print(f"n={r['n']} right={r['right']} wrong={r['wrong']} unknown={r['unknown']} "
              f"unsure_left_out={r['unsure_left_out']} share_right={r['share_right']} "
              f"95% [{r['share_right_95'][0]}, {r['share_right_95'][1]}]")
        print(f"  unknown: {' '.join(r['unknown_cases'])}")
        for w in r["wrong_cases"]:
            print(f"  wrong {w['case_id']}: label={w['label']} got={w['got']} "
                  f"({w['basis']}: {w['evidence']})")


if __name__ == "__main__":
    main()
