"""Accuracy of organisation resolution against hand labels (tests/data/org_labels.csv).

The labels: 320 distinct raw affiliation strings sampled from the full store with a fixed seed,
stratified by how often a string occurs among the mentions: 100 from the top 1% of distinct
strings, 100 from the other strings seen at least twice, 120 seen once (`--sample` reprints it;
it was drawn from the store built on 2026-11-25 before an ingest change, so on a newer store
the strata differ slightly; every labelled string is still in the corpus). A second, held-out
set of 120 (seed SEED + 1, 40 per stratum, dev strings excluded) was labelled after the rules
were settled and measured once before any change it could inspire. Each string was read and
labelled by hand (not by the resolver) with the organisation(s) it
names, '|'-separated in the order written ('none' when it names none), its kind and parent.
Ids of curated organisations are those of resolve/data/orgs.csv; other ids follow the generated
convention: slug of the normalised English name (Universität/Università/Université/Universidad
X -> University of X, "The" and legal forms dropped, lab -> laboratory, centre -> center).

A string counts as resolved when it gets an organisation, and as correct when its rank-1
organisation is one of the labelled ones. In the store, a string is judged by the rank-1
organisation most of its mentions got (mentions add aff_norm, country and domains).
precision = correct / resolved; coverage = resolved / strings labelled with an organisation;
recall = correct / strings labelled with an organisation.

    .venv/bin/python benchmarks/orgs.py --db /tmp/<copy>.duckdb   # a store after `orgs` ran
    .venv/bin/python benchmarks/orgs.py --string-only             # resolver on strings alone

With `--ror PATH` (the ROR dump), two more figures, the same way on a store built with or
without ROR:
- organisations that share a ROR id but are split across org ids (goal 0): each organisation
  with mentions gets the ROR id the store gave it (`orgs.ror_id`), else, for a generated one,
  the ROR record its name alone resolves to (curated ones: the ROR record their curated names
  reach, resolve/orgs/ror.map_curated); a ROR id reached by two org ids or more is split;
- precision and recall where a labelled id also counts as found when it is the slug of a ROR
  name of the predicted organisation's ROR id (labels are slugs of one English name: "University
  of Ulm" for the organisation ROR calls "Ulm University" and "Universität Ulm"). ROR's names
  are data the resolver does not choose, so this reads the labels, not the predictions, more
  widely.

Measured 2026-12-07 on the reference store built without ROR (/work/store/talentgraph.duckdb,
with --ror ../shared/data/ror/ror-records.jsonl.gz): 458 ROR organisations split across several
org ids (2,848 reached by 3,560 org ids); development precision 0.956, recall 0.965 (with ROR's
names 0.965 / 0.974); held-out 0.932 / 0.924 (0.940 / 0.932). Strings alone (no mention
context), resolver without / with the ROR dump: development 0.931 / 0.949 -> 0.934 / 0.952
(with ROR's names 0.950 / 0.968); held-out 0.907 / 0.907 -> 0.881 / 0.881 (0.898 / 0.898): the
held-out losses are ROR's answers, not ROR mistakes: "Indiana University, Bloomington" is
Indiana University Bloomington, Clermont Université and Université Blaise Pascal are withdrawn
records whose successor is the Université Clermont Auvergne, Université Paris 13 is now
Université Sorbonne Paris Nord (labels name the older organisation).
In the store with ROR (orgs stage rebuilt with the dump, commit 3911042): 9 ROR organisations
split (3,234 reached by 3,243 org ids; the next commit reads the host beside a curated umbrella
and the corpus' normalised name through ROR too); development 0.956 / 0.965 (with ROR's names
0.975 / 0.984); held-out 0.897 / 0.890 (0.923 / 0.915), the held-out changes being the cases
above plus "Universitat Ulm" read as ROR's Ulm University where the label says University of
Ulm.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from talentgraph.resolve.orgs import OrgResolver, catalog
from talentgraph.resolve.orgs.text import key, slug

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
# Development labels (the resolver's rules were refined while reading its errors on them) and
# held-out labels (a second sample, seed SEED + 1, 40 per stratum, labelled before any run).
LABELS = {"development": DATA / "org_labels.csv", "held-out": DATA / "org_labels_heldout.csv"}
SEED = 20261125


def sample(db: Path) -> list[tuple[str, int, str]]:
    """The stratified sample the labels were made from: (stratum, count, raw string)."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT raw_affiliation, count(*) c FROM mentions WHERE raw_affiliation "
                       "IS NOT NULL GROUP BY 1 ORDER BY c DESC, raw_affiliation").fetchall()
    con.close()
    k = len(rows) // 100
    top, mid = rows[:k], [r for r in rows[k:] if r[1] >= 2]
    single = [r for r in rows if r[1] == 1]
    rng = random.Random(SEED)
    out = []
    for name, pool, size in (("top", top, 100), ("middle", mid, 100), ("singleton", single, 120)):
        out += [(name, c, s) for s, c in sorted(rng.sample(pool, size), key=lambda r: r[0])]
    return out


def _canon(label: str, curated: set[str]) -> str:
    if label == "none" or label in curated:
        return label
    return slug(key(label.replace("-", " ")))


def predictions_from_store(con: duckdb.DuckDBPyConnection,
                           strings: list[str]) -> dict[str, list[str]]:
    """Per string, the organisations most of its mentions got (rank order), from mention_orgs."""
    con.execute("CREATE OR REPLACE TEMP TABLE _labelled(s VARCHAR)")
    con.executemany("INSERT INTO _labelled VALUES (?)", [[s] for s in strings])
    rows = con.execute("""
        SELECT m.raw_affiliation, m.paper_id, m.position, list(o.org_id ORDER BY o.rank)
        FROM mentions m JOIN _labelled l ON l.s = m.raw_affiliation
        LEFT JOIN mention_orgs o USING (paper_id, position)
        GROUP BY ALL""").fetchall()
    votes: dict[str, Counter[tuple[str, ...]]] = {}
    for s, _p, _pos, orgs in rows:
        votes.setdefault(s, Counter())[tuple(o for o in orgs if o)] += 1
    return {s: list(c.most_common(1)[0][0]) for s, c in votes.items()}


def stratum_shares(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Share of the mentions with a raw affiliation whose string is in each stratum."""
    counts = [r[0] for r in con.execute(
        "SELECT count(*) c FROM mentions WHERE raw_affiliation IS NOT NULL GROUP BY "
        "raw_affiliation ORDER BY c DESC").fetchall()]
    k = len(counts) // 100
    total = sum(counts)
    top = sum(counts[:k])
    single = sum(1 for c in counts[k:] if c == 1)
    return {"top": top / total, "middle": (total - top - single) / total,
            "singleton": single / total}


def person_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    rows = con.execute("SELECT DISTINCT raw_affiliation FROM mentions WHERE raw_affiliation IN "
                       "(SELECT raw_name FROM mentions)").fetchall()
    return frozenset(key(r[0]) for r in rows)


def evaluate(labels: list[dict[str, str]], preds: dict[str, list[str]],
             curated: set[str], also: dict[str, set[str]] | None = None
             ) -> dict[str, dict[str, float]]:
    """`also`: per predicted org id, other ids that name it (slugs of its ROR names)."""
    strata: dict[str, Counter[str]] = {}
    errors = []
    also = also or {}
    for row in labels:
        truth = [_canon(x, curated) for x in row["org_id"].split("|")]
        pred = preds.get(row["raw_string"], [])
        has_truth = truth != ["none"]
        resolved = bool(pred)
        correct = resolved and (pred[0] in truth or bool(also.get(pred[0], set()) & set(truth)))
        for name in ("all", row["stratum"]):
            c = strata.setdefault(name, Counter())
            c["n"] += 1
            c["truth"] += has_truth
            c["resolved"] += resolved
            c["resolved_truth"] += resolved and has_truth
            c["correct"] += correct
            c["none_right"] += (not has_truth) and not resolved
            if has_truth:
                c["label_orgs"] += len(truth)
                c["label_orgs_found"] += len(set(truth) & set(pred))
        if resolved != has_truth or (resolved and not correct):
            errors.append((row["stratum"], pred[0] if pred else "-", row["org_id"],
                           row["raw_string"]))
    out = {}
    for name, c in strata.items():
        out[name] = {
            "strings": c["n"], "with_org": c["truth"],
            "precision": c["correct"] / c["resolved"] if c["resolved"] else 0.0,
            "coverage": c["resolved_truth"] / c["truth"] if c["truth"] else 0.0,
            "recall": c["correct"] / c["truth"] if c["truth"] else 0.0,
            "org_recall_all_ranks": c["label_orgs_found"] / c["label_orgs"]
            if c["label_orgs"] else 0.0,
            "none_kept_empty": f"{c['none_right']}/{c['n'] - c['truth']}",
        }
    out["_errors"] = errors  # type: ignore[assignment]
    return out


def mention_share(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    total, with_raw, with_evidence = con.execute(
        "SELECT count(*), count(raw_affiliation), count(*) FILTER (WHERE coalesce("
        "raw_affiliation, aff_norm, affiliation_domain, email_domain) IS NOT NULL) "
        "FROM mentions").fetchone()
    got, got_raw = con.execute(
        "SELECT count(*), count(m.raw_affiliation) FROM mentions m WHERE EXISTS (SELECT 1 "
        "FROM mention_orgs o WHERE o.paper_id = m.paper_id AND o.position = m.position)"
    ).fetchone()
    curated = con.execute(
        "SELECT count(DISTINCT (paper_id, position)) FROM mention_orgs o JOIN orgs USING "
        "(org_id) WHERE o.rank = 1 AND curated").fetchone()[0]
    return {"all_mentions": total, "with_org": got, "share_of_all": got / total,
            "share_of_mentions_with_evidence": got / with_evidence,
            "share_of_mentions_with_raw_affiliation": got_raw / with_raw,
            "rank1_curated_share_of_with_org": curated / got if got else 0.0}


def ror_index(path: Path) -> tuple[Any, Any]:
    """(RorIndex, resolver with it) from the ROR dump, read into a scratch store."""
    import tempfile

    from talentgraph.resolve.orgs.ror import RorIndex
    from talentgraph.sources import ror as ror_source
    from talentgraph.store import db as store_db

    scratch = Path(tempfile.mkdtemp()) / "ror.duckdb"
    con = store_db.connect(scratch)
    ror_source.ingest(con, path)
    index = RorIndex.from_store(con)
    names = con.execute("SELECT ror_id, name FROM ror_names").fetchall()
    con.close()
    index.names = names  # type: ignore[attr-defined]
    return index, OrgResolver(ror=index)


def org_ror_ids(con: duckdb.DuckDBPyConnection, index: Any, resolver: OrgResolver
                ) -> dict[str, str]:
    """org id -> ROR id for the organisations with mentions (see the module)."""
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'orgs'").fetchall()}
    ror_col = "ror_id" if "ror_id" in cols else "NULL"
    out: dict[str, str] = {}
    for org_id, name, cur, stored in con.execute(
            f"SELECT org_id, name, curated, {ror_col} FROM orgs WHERE n_mentions > 0"
    ).fetchall():
        if stored:
            out[org_id] = stored
        elif cur:
            if org_id in resolver.curated_ror:
                out[org_id] = resolver.curated_ror[org_id]
        else:
            hit = resolver.resolve_part(name)
            if hit and hit[0].org_id in index.ror_of:
                out[org_id] = index.ror_of[hit[0].org_id]
    return out


def ror_splits(org_ror: dict[str, str]) -> tuple[int, int, list[tuple[str, list[str]]]]:
    """(ROR ids reached, ROR ids split across org ids, examples)."""
    by_ror: dict[str, list[str]] = {}
    for org, rid in org_ror.items():
        by_ror.setdefault(rid, []).append(org)
    split = sorted((r, sorted(o)) for r, o in by_ror.items() if len(o) > 1)
    return len(by_ror), len(split), split


def ror_also(org_ror: dict[str, str], index: Any) -> dict[str, set[str]]:
    """Per org id, the slugs of the ROR names of its ROR id (and its ROR org id)."""
    names: dict[str, set[str]] = {}
    for rid, name in index.names:
        target = index.canonical(rid)
        if target:
            names.setdefault(target, set()).add(slug(key(name)))
    return {org: names.get(rid, set()) | {index.org_id.get(rid, org)}
            for org, rid in org_ror.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/tg_full.duckdb"))
    ap.add_argument("--string-only", action="store_true",
                    help="resolve each labelled string alone (no aff_norm, country, domain)")
    ap.add_argument("--sample", action="store_true", help="print the sample and exit")
    ap.add_argument("--ror", type=Path, help="the ROR dump: ROR splits and ROR-aware figures")
    args = ap.parse_args()
    if args.sample:
        for stratum, c, s in sample(args.db):
            print(f"{stratum}\t{c}\t{s}")
        return 0
    curated = set(catalog.default().orgs)
    con = duckdb.connect(str(args.db), read_only=args.string_only)
    if not args.string_only:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables"
                                            ).fetchall()}
        if "mention_orgs" not in tables:
            print(f"{args.db} has no mention_orgs: run the orgs stage first "
                  "(talentgraph build, or build_orgs on a copy)", file=sys.stderr)
            return 2
    resolver = OrgResolver(person_names=person_names(con)) if args.string_only else None
    also: dict[str, set[str]] = {}
    if args.ror and not args.string_only:
        index, ror_resolver = ror_index(args.ror)
        org_ror = org_ror_ids(con, index, ror_resolver)
        reached, n_split, split = ror_splits(org_ror)
        print(f"ROR: {reached:,} ROR organisations reached by {len(org_ror):,} org ids; "
              f"split across several org ids: {n_split:,} (goal 0)")
        for rid, orgs in split[:15]:
            print(f"  {rid}: {', '.join(orgs[:6])}")
        also = ror_also(org_ror, index)
    for set_name, path in LABELS.items():
        labels = list(csv.DictReader(path.open(encoding="utf-8")))
        strings = [r["raw_string"] for r in labels]
        if resolver is not None:
            preds = {s: [m.org_id for m in resolver.resolve(s)] for s in strings}
        else:
            preds = predictions_from_store(con, strings)
        res = evaluate(labels, preds, curated)
        errors = res.pop("_errors")
        if also:
            wide = evaluate(labels, preds, curated, also)
            wide.pop("_errors")
            r = wide["all"]
            print(f"\n== {set_name}: with ROR's names for the predicted organisation: "
                  f"precision {r['precision']:.3f}, recall {r['recall']:.3f} "
                  f"(top {wide['top']['recall']:.3f}, middle {wide['middle']['recall']:.3f}, "
                  f"singleton {wide['singleton']['recall']:.3f} recall)")
        mode = "strings alone" if args.string_only else "in the store (with mention context)"
        print(f"\n== {set_name} labels ({path.name}), {mode}")
        print(f"{'stratum':10} {'strings':>7} {'w/ org':>6} {'precision':>9} {'coverage':>8} "
              f"{'recall':>6} {'org recall':>10} {'none ok':>7}")
        for name in ("all", "top", "middle", "singleton"):
            r = res[name]
            print(f"{name:10} {r['strings']:7} {r['with_org']:6} {r['precision']:9.3f} "
                  f"{r['coverage']:8.3f} {r['recall']:6.3f} {r['org_recall_all_ranks']:10.3f} "
                  f"{r['none_kept_empty']:>7}")
        shares = stratum_shares(con)
        weighted = {m: sum(shares[n] * res[n][m] for n in shares)
                    for m in ("precision", "recall")}
        print(f"weighted by the strata's share of mentions (top {shares['top']:.1%}, middle "
              f"{shares['middle']:.1%}, singletons {shares['singleton']:.1%}): precision "
              f"{weighted['precision']:.3f}, recall {weighted['recall']:.3f}")
        print(f"errors ({len(errors)}): stratum | predicted rank 1 | labelled | string")
        for e in errors:
            print(f"  {e[0]:9} | {e[1]} | {e[2]} | {e[3][:100]}")
    if not args.string_only:
        share = mention_share(con)
        print("\nmentions with an organisation: "
              f"{share['with_org']:,} of {share['all_mentions']:,} "
              f"({share['share_of_all']:.1%} of all mentions; "
              f"{share['share_of_mentions_with_evidence']:.1%} of those with any affiliation, "
              f"name or domain; {share['share_of_mentions_with_raw_affiliation']:.1%} of those "
              f"with a raw affiliation); rank 1 is a curated organisation for "
              f"{share['rank1_curated_share_of_with_org']:.1%} of them")
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
