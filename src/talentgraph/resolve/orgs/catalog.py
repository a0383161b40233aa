"""The curated organisation table shipped with the package (resolve/data/*.csv), indexed.

orgs.csv holds the organisations that matter (frontier labs, big-tech AI groups, AI start-ups,
the universities and institutes that dominate the corpus) with kind, country, parent and, for
merged organisations, the successor and the date from which it took over. org_aliases.csv holds
other names with the dates they were in use (Facebook AI Research until the Meta rename, Google
DeepMind from April 2023...); org_domains.csv the e-mail/web domains; generic_mail_domains.csv the
public mail services that say nothing about an employer; org_homonyms.csv names shared by
organisations of different countries (Northeastern University in Boston and in Shenyang).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from talentgraph.errors import OrgDataError
from talentgraph.resolve.orgs.text import compact, content, key

KINDS = ("industry_lab", "startup", "university", "institute", "government", "company",
         "unknown")
# Kinds whose names may be followed by a unit name ("Huawei Cloud", "Google Research Zurich").
PREFIX_KINDS = frozenset({"company", "industry_lab", "startup"})
# One-word names that are also places or common words ("Columbia, SC", "Berkeley, CA",
# "large scale"): they name the organisation only as the first segment of an affiliation.
AMBIGUOUS_WORDS = frozenset({
    "mistral", "adept", "scale", "together", "runway", "inflection", "stability", "perplexity",
    "moonshot", "character", "reka", "snap", "oracle", "x", "penn", "duke", "rice",
    "brown", "columbia", "stanford", "berkeley", "oxford", "cambridge", "princeton", "harvard",
    "yale", "cornell", "purdue", "northwestern", "peking", "tsinghua", "fudan", "rutgers",
    "mcgill", "technion", "polytechnique",
})


@dataclass(frozen=True)
class Org:
    org_id: str
    name: str
    kind: str
    country: str | None
    parent_id: str | None
    successor_id: str | None = None
    successor_from: date | None = None


@dataclass(frozen=True)
class Alias:
    alias: str
    org_id: str
    valid_from: date | None
    valid_to: date | None
    source: str  # curated name | curated alias


@dataclass
class Catalog:
    orgs: dict[str, Org]
    aliases: list[Alias]
    domains: dict[str, tuple[str, date | None, date | None]]
    generic_domains: frozenset[str]
    by_key: dict[str, Alias] = field(default_factory=dict)
    by_compact: dict[str, Alias] = field(default_factory=dict)
    # Keys without their function words ("Max Planck Institute of/for Intelligent Systems"),
    # only where one organisation has that content key.
    by_content: dict[str, Alias] = field(default_factory=dict)
    whole_only: frozenset[str] = frozenset()
    # Names that meant different organisations in different periods ("Google DeepMind": DeepMind
    # as styled after Google's 2014 acquisition; the merged unit from April 2023).
    periods: dict[str, list[Alias]] = field(default_factory=dict)
    # One name, several organisations told apart by country (org_homonyms.csv).
    homonyms: dict[str, dict[str, str]] = field(default_factory=dict)

    def top_parent(self, org_id: str) -> str:
        seen = {org_id}
        while (parent := self.orgs[org_id].parent_id) and parent not in seen:
            seen.add(parent)
            org_id = parent
        return org_id

    def ancestors(self, org_id: str) -> list[str]:
        out: list[str] = []
        while (parent := self.orgs[org_id].parent_id) and parent not in out:
            out.append(parent)
            org_id = parent
        return out

    def lookup(self, k: str) -> Alias | None:
        """The curated alias whose key (or compact key, or content key) is `k`."""
        return (self.by_key.get(k) or self.by_compact.get(compact(k))
                or self.by_content.get(content(k)))


def _disjoint(a: Alias, b: Alias) -> bool:
    """Whether two dated aliases were never valid at the same time."""
    if not (a.valid_from or a.valid_to) or not (b.valid_from or b.valid_to):
        return False
    a_from, b_from = a.valid_from or date.min, b.valid_from or date.min
    a_to, b_to = a.valid_to or date.max, b.valid_to or date.max
    return a_to <= b_from or b_to <= a_from


def _date(value: str, where: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise OrgDataError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(i, {k: (v or "").strip() for k, v in row.items()})
                for i, row in enumerate(csv.DictReader(fh), start=2)]


def data_dir() -> Path:
    return Path(str(resources.files("talentgraph.resolve") / "data"))


def load(directory: Path | None = None) -> Catalog:
    """Read and check the curated tables; any inconsistency names the file and line."""
    d = directory or data_dir()
    orgs: dict[str, Org] = {}
    for line, r in _rows(d / "orgs.csv"):
        where = f"orgs.csv line {line}"
        if not r["org_id"] or r["org_id"] in orgs:
            raise OrgDataError(f"{where}: org_id empty or repeated ('{r['org_id']}')")
        if r["kind"] not in KINDS:
            raise OrgDataError(f"{where}: kind '{r['kind']}' is not one of {', '.join(KINDS)}")
        orgs[r["org_id"]] = Org(r["org_id"], r["name"], r["kind"], r["country"] or None,
                                r["parent_id"] or None, r["successor_id"] or None,
                                _date(r["successor_from"], where))
    for o in orgs.values():
        for ref in (o.parent_id, o.successor_id):
            if ref and ref not in orgs:
                raise OrgDataError(f"orgs.csv: {o.org_id} refers to unknown org '{ref}'")
    aliases = [Alias(o.name, o.org_id, None, None, "curated name") for o in orgs.values()]
    for line, r in _rows(d / "org_aliases.csv"):
        where = f"org_aliases.csv line {line}"
        if r["org_id"] not in orgs:
            raise OrgDataError(f"{where}: unknown org_id '{r['org_id']}'")
        aliases.append(Alias(r["alias"], r["org_id"], _date(r["valid_from"], where),
                             _date(r["valid_to"], where), "curated alias"))
    domains: dict[str, tuple[str, date | None, date | None]] = {}
    for line, r in _rows(d / "org_domains.csv"):
        where = f"org_domains.csv line {line}"
        if r["org_id"] not in orgs:
            raise OrgDataError(f"{where}: unknown org_id '{r['org_id']}'")
        domains[r["domain"].lower()] = (r["org_id"], _date(r["valid_from"], where),
                                        _date(r["valid_to"], where))
    generic = frozenset(r["domain"].lower() for _, r in _rows(d / "generic_mail_domains.csv"))
    cat = Catalog(orgs, aliases, domains, generic)
    whole: set[str] = set()
    for a in aliases:
        k = key(a.alias)
        if not k:
            continue
        for index, kk in ((cat.by_key, k), (cat.by_compact, compact(k))):
            prev = index.get(kk)
            if prev and prev.org_id != a.org_id:
                if _disjoint(prev, a) and index is cat.by_key:
                    # One name, two organisations in two periods: the open-ended one is the
                    # default, the other is chosen by the build stage from the paper's year.
                    cat.periods.setdefault(kk, [prev]).append(a)
                    if a.valid_to is None:
                        index[kk] = a
                    continue
                if _disjoint(prev, a):
                    continue
                raise OrgDataError(f"alias '{a.alias}' ({a.org_id}) has the same key as "
                                   f"'{prev.alias}' ({prev.org_id}) in overlapping periods: "
                                   "make one more specific or give them dates")
            # A dated alias row of the same org refines the undated name ("Google DeepMind"
            # from 2023-04-20), so that anachronistic uses can be flagged.
            if not prev or (a.valid_from or a.valid_to) and not (prev.valid_from or prev.valid_to):
                index[kk] = a
        if k in AMBIGUOUS_WORDS:
            whole.add(k)
    cat.whole_only = frozenset(whole)
    by_content: dict[str, Alias | None] = {}
    for k, a in cat.by_key.items():
        c = content(k)
        prev = by_content.get(c, a)
        # Two organisations with one content key: neither is found by it.
        by_content[c] = a if prev is not None and prev.org_id == a.org_id else None
    cat.by_content = {c: a for c, a in by_content.items() if a is not None and c}
    path = d / "org_homonyms.csv"
    for line, r in _rows(path) if path.exists() else []:
        if r["org_id"] not in orgs or key(r["alias"]) not in cat.by_key:
            raise OrgDataError(f"org_homonyms.csv line {line}: unknown org_id '{r['org_id']}' "
                               f"or alias '{r['alias']}' (it must be a curated name or alias)")
        cat.homonyms.setdefault(key(r["alias"]), {})[r["country"].upper()] = r["org_id"]
    return cat


@lru_cache(maxsize=1)
def default() -> Catalog:
    return load()
