"""Held-out move labels: draw the cases at random (fixed seed), show a case's records from the
corpus for labelling, nothing else (no prediction is ever shown).

    .venv/bin/python benchmarks/moves_heldout.py draw --db STORE [--seed 4] [--pairs 80] \
        [--stays 60] [--exclude CASES.csv] [--prefix b2-] > cases.csv
    .venv/bin/python benchmarks/moves_heldout.py show --db STORE --cases cases.csv CASE_ID...

Why a second set: tests/data/moves_gold.csv was used to tune the rules, so its figures are
optimistic. These cases were drawn and labelled before the rules' predictions on them were
looked at; benchmarks/moves.py reports them apart (tests/data/moves_heldout.csv).

Two pools, drawn from the people stage's persons (not OpenReview ids: merged namesakes are
part of what is measured), on author mentions the organisations stage attributed to an
organisation:
- `pair`: a person uniformly at random among those with two mentions at disjoint sets of
  organisations in different years, then one such pair of mentions at random (earlier = from);
- `stay`: a person uniformly at random among those with two mentions at one common organisation
  in different years, then one such pair at random.
Labels (by reading every record of the person in /work/shared/data/paperlists): `move` = the
same human left the first record's organisation for the second's between the two years;
`stay` = still at the first record's organisation at the second; `not_move` = looks like a change
but is not (dual affiliation, internship or visit, mis-aligned record, a lab and its parent or a
renamed lab, two people of one name); `unsure` = cannot tell from the records (left out).
Only ids, positions, years and a short note go in the CSV.

Batches: the first (seed 4, case ids `p0`/`s0`...) and a second drawn later with seed 11,
`--exclude tests/data/moves_heldout.csv` (no person of the first batch, by either anchor
mention, is drawn again) and `--prefix b2-`, labelled blind the same way and appended; a third
the same way with seed 59 and `--prefix b3-` (80 pairs, 40 stays). A stay whose second record
turns out stale (the person had left; b2-s21, b3-s14) is `unsure`: the question it asks has no
answer in its records.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import duckdb

CORPUS = Path("/work/shared/data/paperlists")
FIELDS = ("case_id", "pool", "label", "openreview_id", "from_source_file", "from_record_id",
          "from_position", "from_year", "to_source_file", "to_record_id", "to_position",
          "to_year", "note")


def _mentions(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """person -> [(year, source_file, record_id, position, frozenset(org_ids), openreview_id)]."""
    rows = con.execute("""
        SELECT mp.person_id, m.year, m.source_file, m.record_id, m.position,
               list(DISTINCT mo.org_id ORDER BY mo.org_id), any_value(m.openreview_id)
        FROM mention_person mp JOIN mentions m USING (paper_id, position)
        JOIN mention_orgs mo USING (paper_id, position)
        WHERE mp.person_id IS NOT NULL AND m.year IS NOT NULL AND mo.org_id IS NOT NULL
        GROUP BY ALL ORDER BY mp.person_id, m.year, m.source_file, m.record_id, m.position
    """).fetchall()
    by: dict[str, list[tuple]] = defaultdict(list)
    for pid, y, f, r, pos, orgs, oid in rows:
        by[pid].append((y, f, r, pos, frozenset(orgs), oid))
    return by


def _case_people(con: duckdb.DuckDBPyConnection, cases: list[dict]) -> set[str]:
    """The persons of both anchor mentions of each case (ids can differ from the store the
    cases were drawn on, so both ends are looked up)."""
    out: set[str] = set()
    for c in cases:
        for end in ("from", "to"):
            stem = c[f"{end}_source_file"].split(".")[0]
            row = con.execute("SELECT person_id FROM mention_person WHERE paper_id = ? AND "
                              "position = ?", [f"{stem}/{c[f'{end}_record_id']}",
                                               int(c[f"{end}_position"])]).fetchone()
            if row and row[0]:
                out.add(row[0])
    return out


def draw(db: Path, seed: int, n_pairs: int, n_stays: int, exclude: list[dict] | None = None,
         prefix: str = "") -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    by = _mentions(con)
    # An earlier batch's persons are left out before sampling, so batches never share a case.
    for pid in _case_people(con, exclude or []):
        by.pop(pid, None)
    con.close()
    rng = random.Random(seed)
    pair_people, stay_people = [], []
    for pid, ms in by.items():
        years = {m[0] for m in ms}
        if len(years) < 2:
            continue
        if any(a[0] < b[0] and not (a[4] & b[4]) for a in ms for b in ms):
            pair_people.append(pid)
        if any(a[0] < b[0] and (a[4] & b[4]) for a in ms for b in ms):
            stay_people.append(pid)
    out: list[dict] = []
    for pool, people, n, ok in (
            ("pair", pair_people, n_pairs, lambda a, b: not (a[4] & b[4])),
            ("stay", stay_people, n_stays, lambda a, b: bool(a[4] & b[4]))):
        for i, pid in enumerate(rng.sample(sorted(people), n)):
            ms = by[pid]
            pairs = [(a, b) for a in ms for b in ms if a[0] < b[0] and ok(a, b)]
            a, b = rng.choice(pairs)
            out.append({"case_id": f"{prefix}{pool[0]}{i}", "pool": pool, "label": "",
                        "openreview_id": a[5] or "", "from_source_file": a[1],
                        "from_record_id": a[2], "from_position": a[3], "from_year": a[0],
                        "to_source_file": b[1], "to_record_id": b[2], "to_position": b[3],
                        "to_year": b[0], "note": ""})
    return out


@lru_cache(maxsize=64)
def _file(source_file: str) -> list[dict]:
    venue = source_file.split(".")[0].rstrip("0123456789")
    with gzip.open(CORPUS / venue / source_file, "rt", encoding="utf-8") as f:
        return json.load(f)


def _split(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    s = str(value or "")
    return [x.strip() for x in (s.split(";") if ";" in s or "," not in s else s.split(","))]


def _record(source_file: str, index: int) -> dict:
    return _file(source_file)[index]


def author_affiliation(rec: dict, pos: int, set_width: int) -> str:
    """What a record says of author `pos`'s affiliation, marked `[idx]` when read through the
    unique-index fields (IEEE/CVF) and `[set]` when only the paper's set is known."""
    authors = _split(rec.get("author") or rec.get("authors"))
    affs = _split(rec.get("aff"))
    uidx = _split(rec.get("aff_unique_index"))
    unorm = _split(rec.get("aff_unique_norm"))
    if len(affs) == len(authors) and pos < len(affs):
        return affs[pos]
    if pos < len(uidx) and uidx[pos].isdigit() and int(uidx[pos]) < len(unorm):
        return f"[idx] {unorm[int(uidx[pos])]}"
    return f"[set] {'|'.join(sorted(set(affs)))[:set_width]}"


def show(db: Path, cases: list[dict], case_ids: list[str]) -> None:
    con = duckdb.connect(str(db), read_only=True)
    for cid in case_ids:
        c = next(x for x in cases if x["case_id"] == cid)
        stem = c["from_source_file"].split(".")[0]
        pid = con.execute("SELECT person_id FROM mention_person WHERE paper_id = ? AND "
                          "position = ?", [f"{stem}/{c['from_record_id']}",
                                           int(c["from_position"])]).fetchone()[0]
        # The organisations stage's reading of each mention is shown (it is the input the
        # labels are about); nothing of the careers stage is.
        rows = con.execute("""
            SELECT p.year, p.source_file, p.record_id, p.record_index, mp.position,
                   (SELECT string_agg(mo.org_id, '+' ORDER BY mo.rank) FROM mention_orgs mo
                    WHERE mo.paper_id = mp.paper_id AND mo.position = mp.position)
            FROM mention_person mp JOIN papers p USING (paper_id)
            WHERE mp.person_id = ? ORDER BY p.year, p.source_file""", [pid]).fetchall()
        print(f"=== {cid} ({c['pool']}) from {c['from_year']} to {c['to_year']}; "
              f"{len(rows)} records")
        anchors = {(c["from_source_file"], c["from_record_id"], c["from_position"]),
                   (c["to_source_file"], c["to_record_id"], c["to_position"])}
        for y, f, rid, idx, pos, orgs in rows:
            if len(rows) > 20 and not orgs and (f, rid, str(pos)) not in anchors:
                continue  # a long list: only the records with an organisation
            rec = _record(f, idx)
            authors = _split(rec.get("author") or rec.get("authors"))
            roles = _split(rec.get("position"))
            ids = _split(rec.get("authorids"))
            aff = author_affiliation(rec, pos, set_width=90)
            mark = ">>" if (f, rid, str(pos)) in anchors else "  "
            doms = _split(rec.get("aff_domain") or rec.get("email"))
            dom = doms[pos] if len(doms) == len(authors) and pos < len(doms) else ""
            co = [a for i, a in enumerate(authors) if i != pos][:3]
            print(f"{mark}{y} {f.split('.')[0]:<11.11} {pos}/{len(authors):<3} "
                  f"{authors[pos] if pos < len(authors) else '?':<16.16} "
                  f"id={ids[pos] if len(ids) == len(authors) else '':<14.14} "
                  f"r={roles[pos] if len(roles) == len(authors) else '':<12.12} "
                  f"aff={aff:<55.55} d={dom:<12.12} org={orgs or '-':<28.28} "
                  f"| {str(rec.get('title', ''))[:28]} | co: {', '.join(co)[:45]}")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--db", type=Path, required=True)
    d.add_argument("--seed", type=int, default=4)
    d.add_argument("--pairs", type=int, default=80)
    d.add_argument("--stays", type=int, default=60)
    d.add_argument("--exclude", type=Path, help="cases CSV whose persons are not drawn again")
    d.add_argument("--prefix", default="", help="case id prefix of this batch")
    s = sub.add_parser("show")
    s.add_argument("--db", type=Path, required=True)
    s.add_argument("--cases", type=Path, required=True)
    s.add_argument("case_ids", nargs="+")
    args = ap.parse_args()
    if args.cmd == "draw":
        w = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        exclude = []
        if args.exclude:
            with args.exclude.open(encoding="utf-8") as f:
                exclude = list(csv.DictReader(f))
        w.writerows(draw(args.db, args.seed, args.pairs, args.stays, exclude, args.prefix))
    else:
        with args.cases.open(encoding="utf-8") as f:
            show(args.db, list(csv.DictReader(f)), args.case_ids)


if __name__ == "__main__":
    main()
