"""Spot check of predicted moves: draw departures at random outside the labelled sets, show each
one's records from the corpus for labelling (tests/data/moves_spotcheck.csv).

    .venv/bin/python benchmarks/moves_spotcheck.py draw --db STORE [--seed 11] [--n 50] \
        [--rule TEXT] [--sample NAME] > d.csv
    .venv/bin/python benchmarks/moves_spotcheck.py show --db STORE --cases d.csv 0 1 2 ...

Uniform over the departures (job change, graduation hire, return) the store predicts, persons
of the gold and held-out cases left out. The label says whether the same human left the first
organisation for the second around the years given (`true`), did not (`false`, with why), or
the records do not tell (`unsure`). The records shown are the corpus' own, with the move's two
organisations marked (<< from, >> to).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from moves_heldout import _record, _split, author_affiliation  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LABELLED = (ROOT / "tests" / "data" / "moves_gold.csv", ROOT / "tests" / "data" /
            "moves_heldout.csv")
FIELDS = ("sample", "openreview_id", "person_id", "from_org_id", "to_org_id",
          "last_year_at_from", "first_year_at_to", "kind", "label", "note")
DEPARTURES = ("job_change", "graduation_hire", "return")


def _labelled_persons(con: duckdb.DuckDBPyConnection) -> set[str]:
    out: set[str] = set()
    for path in LABELLED:
        with path.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                for side in ("from", "to"):
                    pid = con.execute(
                        "SELECT person_id FROM mention_person WHERE paper_id = ? AND "
                        "position = ?", [f"{r[side + '_source_file'].split('.')[0]}/"
                                         f"{r[side + '_record_id']}",
                                         int(r[side + "_position"])]).fetchone()
                    if pid:
                        out.add(pid[0])
    return out


def draw(db: Path, seed: int, n: int, sample: str, rule: str = "") -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    skip = _labelled_persons(con)
    # `rule`: only the departures whose rule text contains it (one rule's precision)
    rows = con.execute(f"""
        SELECT person_id, from_org_id, to_org_id, last_year_at_from, first_year_at_to, kind,
               rule FROM moves WHERE kind IN {DEPARTURES} AND contains(rule, ?)
        ORDER BY person_id, first_year_at_to, from_org_id, to_org_id""", [rule]).fetchall()
    con.close()
    pool = [r for r in rows if r[0] not in skip]
    picked = random.Random(seed).sample(pool, n)
    return [{"sample": sample, "openreview_id": "", "person_id": r[0], "from_org_id": r[1],
             "to_org_id": r[2], "last_year_at_from": r[3], "first_year_at_to": r[4],
             "kind": r[5], "label": "", "note": r[6]} for r in picked]


def show(db: Path, cases: list[dict], which: list[int]) -> None:
    con = duckdb.connect(str(db), read_only=True)
    for i in which:
        c = cases[i]
        rows = con.execute("""
            SELECT p.year, p.source_file, p.record_index, mp.position,
                   (SELECT string_agg(mo.org_id, '+' ORDER BY mo.rank) FROM mention_orgs mo
                    WHERE mo.paper_id = mp.paper_id AND mo.position = mp.position)
            FROM mention_person mp JOIN papers p USING (paper_id)
            WHERE mp.person_id = ? ORDER BY p.year, p.source_file""",
                           [c["person_id"]]).fetchall()
        print(f"=== #{i} {c['from_org_id']} ({c['last_year_at_from']}) -> {c['to_org_id']} "
              f"({c['first_year_at_to']}) {c['kind']}; {len(rows)} records")
        for y, f, idx, pos, orgs in rows:
            ids = set((orgs or "").split("+"))
            near = int(c["last_year_at_from"]) - 2 <= y <= int(c["first_year_at_to"]) + 2
            if len(rows) > 15 and not near:
                continue  # a long list: the years around the move only
            mark = ("<<" if c["from_org_id"] in ids else "  ") + (
                ">>" if c["to_org_id"] in ids else "  ")
            rec = _record(f, idx)
            authors = _split(rec.get("author") or rec.get("authors"))
            aff = author_affiliation(rec, pos, set_width=80)
            roles = _split(rec.get("position"))
            co = [a for k, a in enumerate(authors) if k != pos][:3]
            print(f"{mark}{y} {f.split('.')[0]:<11.11} "
                  f"{authors[pos] if pos < len(authors) else '?':<16.16} "
                  f"r={roles[pos] if len(roles) == len(authors) else '':<10.10} "
                  f"aff={aff:<50.50} org={orgs or '-':<26.26} "
                  f"| {str(rec.get('title', ''))[:26]} | co: {', '.join(co)[:40]}")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--db", type=Path, required=True)
    d.add_argument("--seed", type=int, default=11)
    d.add_argument("--n", type=int, default=50)
    d.add_argument("--sample", default="uniform over departures (rules 1-4)")
    d.add_argument("--rule", default="", help="only departures whose rule text contains this")
    s = sub.add_parser("show")
    s.add_argument("--db", type=Path, required=True)
    s.add_argument("--cases", type=Path, required=True)
    s.add_argument("which", nargs="+", type=int)
    args = ap.parse_args()
    if args.cmd == "draw":
        w = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(draw(args.db, args.seed, args.n, args.sample, args.rule))
    else:
        with args.cases.open(encoding="utf-8") as f:
            show(args.db, list(csv.DictReader(f)), args.which)


if __name__ == "__main__":
    main()
