"""Curated pairs of organisations whose people are carried under either name (links.csv).

The curated table says who is whose parent and successor; some pairs are neither and still
name one group of people in the records: a team and the lab it belongs to (Google Brain in
Google Research, which the parents do not say: Brain's parent is Google), a subsidiary whose
staff use its owner's name and mail domain (DeepMind and Google), a lab and the successor of
one of its teams (Google Research -> Google DeepMind in 2023). A change of affiliation between
them is not a move. Each row names two curated organisations and why.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from talentgraph.errors import OrgDataError
from talentgraph.resolve.orgs import catalog

LINKS = Path(__file__).with_name("links.csv")


@lru_cache(maxsize=1)
def links(path: Path = LINKS) -> frozenset[frozenset[str]]:
    """The linked pairs; an unknown organisation id names the file and line."""
    known = catalog.default().orgs
    out: set[frozenset[str]] = set()
    with path.open(newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            a, b = row["org_a"].strip(), row["org_b"].strip()
            for org in (a, b):
                if org not in known:
                    raise OrgDataError(f"{path.name} line {line}: unknown org_id '{org}'")
            out.add(frozenset((a, b)))
    return frozenset(out)
