"""Two builds of the same inputs compared on what they mean, not on their person ids: an
incremental build keeps earlier ids, so equality is of the partition of mentions into persons
and of the moves with each person named by their smallest mention key."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildMeaning:
    people: dict[str, set[str]]  # person id -> mention keys (file|record|position)
    name: dict[str, str]  # person id -> its smallest mention key
    moves: list[tuple[str, ...]]  # export moves rows, the person named by `name`
    mentions_csv: bytes
    moves_csv: bytes

    @property
    def partition(self) -> set[frozenset[str]]:
        return {frozenset(k) for k in self.people.values()}


def build_meaning(db_path: Path, out: Path) -> BuildMeaning:
    """Export mentions and moves of the store at `db_path` into folder `out` and read them back
    keyed by mentions."""
    from talentgraph.careers.export import export_moves
    from talentgraph.resolve.people.query import export_mentions
    from talentgraph.store import db

    con = db.connect(db_path, read_only=True)
    try:
        export_mentions(con, out / "mentions.csv")
        export_moves(con, out / "moves.csv")
    finally:
        con.close()
    people: dict[str, set[str]] = {}
    with open(out / "mentions.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            people.setdefault(r["person_id"], set()).add(
                f"{r['source_file']}|{r['record_id']}|{r['position']}")
    name = {p: min(keys) for p, keys in people.items()}
    with open(out / "moves.csv", newline="", encoding="utf-8") as f:
        moves = sorted(tuple([name[r.pop("person_id")], *r.values()]) for r in csv.DictReader(f))
    return BuildMeaning(people, name, moves, (out / "mentions.csv").read_bytes(),
                        (out / "moves.csv").read_bytes())
