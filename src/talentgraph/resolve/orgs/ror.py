"""ROR as the backbone of organisation resolution: names, places, hosts and successors.

The ROR dump read into the store (sources/ror.py) is indexed here for the resolver:

- every name of a record (ror_display, labels in every language, aliases) under its comparison
  key (text.key), its compact key and a *loose* key (function words dropped, Universität /
  Université / ... read as University, Hannover as Hanover: see `loose`), plus spellings a
  dump leaves out: "A&M" as "AM", "ü" as "ue" (Lübeck / Luebeck), a company's name without
  ROR's "(Country)" suffix ("Google (United States)" -> "Google");
- acronyms apart: they name an organisation only where the affiliation's country is known and
  one organisation of that country has it;
- domains (a record's `domains` and website) by registrable domain, where one organisation
  has them;
- a withdrawn or inactive record stands for its successor (followed to the end of the chain),
  so every name of a renamed organisation meets the current one.

A name shared by several organisations (namesakes) is told apart by the affiliation's country,
then by a city the affiliation names; where one of them is the parent of all the others
("Google (United States)" and its country subsidiaries), the parent. Else the name stays
ambiguous and the resolver falls back to its long-tail rules.

Organisation ids: a ROR organisation that is a curated one (same name, same country; see
`map_curated`) keeps the curated id; any other gets the slug of its English name (ror_display
when English or language-neutral, else its first English label), which is what a long-tail
organisation of that name was called before ROR, so ids stay stable from build to build. A slug
two records would share gets the country code, then the ROR id, appended.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from talentgraph.resolve.orgs.text import compact, is_top_level, key, slug

if TYPE_CHECKING:
    import duckdb

    from talentgraph.resolve.orgs.catalog import Catalog

# ROR types -> our kinds (catalog.KINDS).
_KINDS = {"education": "university", "company": "company", "facility": "institute",
          "nonprofit": "institute", "government": "government", "healthcare": "institute",
          "funder": "institute", "archive": "institute", "other": "unknown"}
_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_AMP_LETTERS = re.compile(r"\b(\w)\s*&\s*(\w)\b")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_FUNCTION = frozenset({"of", "the", "de", "di", "du", "da", "do", "des", "del", "della",
                       "degli", "dell", "der", "den", "van", "von", "zu", "in", "at", "a", "y",
                       "e", "et", "fur", "for", "la", "le", "les"})
_LOOSE_TOKENS = {"universitat": "university", "universite": "university",
                 "universita": "university", "universidad": "university",
                 "universidade": "university", "universiteit": "university",
                 "uniwersytet": "university", "universitet": "university",
                 "technische": "technical", "hannover": "hanover", "institut": "institute",
                 "instituto": "institute", "istituto": "institute"}
# Loose keys of fewer words than this are too general to meet anything else.
_LOOSE_MIN_WORDS = 2


def loose(k: str) -> str:
    """A key with function words dropped and local-language heads read in English:
    "university lille" and "university of lille", "ruhr universitat bochum" and "ruhr
    university bochum" meet. Word order is kept ("University of Washington" is not
    "Washington University")."""
    toks = [_LOOSE_TOKENS.get(t, t) for t in k.split() if t not in _FUNCTION]
    return " ".join(toks) if len(toks) >= _LOOSE_MIN_WORDS else ""


def strip_paren(name: str) -> str:
    """A name without ROR's trailing "(Country)" ("Google (United States)" -> "Google")."""
    return _PAREN.sub("", name) or name


def variants(name: str) -> set[str]:
    """Spellings of one name that dumps leave out: "Texas A&M" / "Texas AM", "Lübeck" /
    "Luebeck", "Google (United States)" / "Google"."""
    out = {name}
    stripped = _PAREN.sub("", name)
    if stripped and stripped != name:
        out.add(stripped)
    for n in list(out):
        if "&" in n:
            out.add(_AMP_LETTERS.sub(r"\1\2", n))
        if n.translate(_UMLAUTS) != n:
            out.add(n.translate(_UMLAUTS))
    return out


@dataclass(frozen=True)
class RorOrg:
    ror_id: str
    name: str           # the English name (see module)
    status: str
    kind: str
    country: str | None
    city_key: str | None
    parent: str | None  # ROR id of the first parent
    successor: str | None


def _kind(ror_type: str | None, name_key: str) -> str:
    """Our kind of a record from its first known ROR type."""
    kind = _KINDS.get(ror_type or "", "unknown")
    if kind == "university" and not is_top_level(name_key):
        return "institute"  # an "education" unit (a school, a graduate centre)
    return kind


class RorIndex:
    """The ROR records of the store, indexed for the resolver (see module)."""

    def __init__(self, orgs: dict[str, RorOrg], keys: dict[str, dict[str, str]],
                 domains: dict[str, str], slugs: dict[str, str] | None = None) -> None:
        """`keys`: per kind (key | compact | loose | acronym), key -> the canonical ROR ids
        found by it (`canonical`), space-separated (split when looked up: most never are);
        `domains`: registrable domain -> canonical ROR ids, the same way; `slugs`: the slug
        of each record's English name (computed from it when missing)."""
        self.orgs = orgs
        self._status = {r: o.status for r, o in orgs.items()}
        self._successor = {r: o.successor for r, o in orgs.items() if o.successor}
        self.city_keys = frozenset(o.city_key for o in orgs.values() if o.city_key)
        self._given_slugs = slugs or {}
        self.by_key, self.by_compact = keys.get("key", {}), keys.get("compact", {})
        self.by_loose, self.by_acronym = keys.get("loose", {}), keys.get("acronym", {})
        self.by_domain: dict[str, str] = {}
        for reg, rids in domains.items():
            one = rids if " " not in rids else self.pick(tuple(rids.split()), None, frozenset())
            if one:
                self.by_domain[reg] = one
        self.org_id: dict[str, str] = {}   # ROR id -> our org id
        self.ror_of: dict[str, str] = {}   # our org id -> ROR id
        self._assign_ids(frozenset())

    # ---------------------------------------------------------------- loading

    @classmethod
    def from_store(cls, con: duckdb.DuckDBPyConnection) -> RorIndex | None:
        """The index of the store's ROR tables; None when the store holds no ROR dump.
        Keys computed by older key rules are computed again first (sources/ror.py)."""
        from talentgraph.sources import ror as ror_source

        if not ror_source.has_ror(con):
            return None
        if ror_source.stored_key_version(con) != ror_source.key_version():
            ror_source.derive_keys(con)
        rels: dict[str, dict[str, str]] = defaultdict(dict)
        for rid, rtype, other in con.execute(
                "SELECT ror_id, rel_type, other_id FROM ror_relations "
                "WHERE rel_type IN ('parent', 'successor') ORDER BY ror_id, other_id").fetchall():
            rels[rid].setdefault(rtype, other)
        orgs: dict[str, RorOrg] = {}
        slugs: dict[str, str] = {}
        known = ", ".join(f"'{t}'" for t in _KINDS)
        for rid, name, status, type1, country, city_key, name_key, name_slug in con.execute(
                "SELECT o.ror_id, f.name_en, o.status, "
                f"list_filter(o.types, t -> t IN ({known}))[1], o.country, f.city_key, "
                "f.name_en_key, f.slug FROM ror_orgs o JOIN ror_facts f USING (ror_id)"
        ).fetchall():
            orgs[rid] = RorOrg(rid, name, status, _kind(type1, name_key or ""), country,
                               city_key, rels[rid].get("parent"), rels[rid].get("successor"))
            slugs[rid] = name_slug or ""
        keys: dict[str, dict[str, str]] = {}
        for kind in ("key", "compact", "loose", "acronym"):
            cols = con.execute("SELECT k, ror_ids FROM ror_keys WHERE kind = ?",
                               [kind]).to_arrow_table()
            keys[kind] = dict(zip(cols.column(0).to_pylist(), cols.column(1).to_pylist(),
                                  strict=True))
        cols = con.execute("SELECT domain, ror_ids FROM ror_reg_domains").to_arrow_table()
        domains = dict(zip(cols.column(0).to_pylist(), cols.column(1).to_pylist(), strict=True))
        return cls(orgs, keys, domains, slugs)

    # ---------------------------------------------------------------- ids

    def canonical(self, ror_id: str) -> str | None:
        """The record that stands for `ror_id` (sources/ror.canonical)."""
        from talentgraph.sources.ror import canonical

        return canonical(self._status, self._successor, ror_id)

    def _assign_ids(self, curated: frozenset[str], mapped: dict[str, str] | None = None) -> None:
        mapped = mapped or {}
        if not hasattr(self, "_slugs"):
            self._slugs: dict[str, str] = {}
            for rid, o in self.orgs.items():
                if self.canonical(rid) != rid:
                    continue
                given = self._given_slugs.get(rid)
                self._slugs[rid] = given if given is not None else slug(key(strip_paren(o.name)))
        by_slug: dict[str, list[str]] = defaultdict(list)
        for rid, s in self._slugs.items():
            if s and rid not in mapped:
                by_slug[s].append(rid)
        ids: dict[str, str] = dict(mapped)
        for s, rids in by_slug.items():
            if len(rids) == 1 and s not in curated:
                ids[rids[0]] = s
                continue
            countries = defaultdict(list)
            for rid in rids:
                countries[(self.orgs[rid].country or "xx").lower()].append(rid)
            for cc, group in countries.items():
                for rid in group:
                    ids[rid] = f"{s}-{cc}" if len(group) == 1 else f"{s}-{cc}-{rid}"
        self.org_id = ids
        self.ror_of = {o: r for r, o in ids.items()}

    def map_curated(self, cat: Catalog) -> dict[str, str]:
        """Curated org id -> ROR id, where an undated curated name of the organisation is a ROR
        name of one organisation of the same country; when several curated organisations reach
        one ROR record, the current one (no successor), named by its own name rather than an
        alias, highest in its hierarchy, keeps it. Also makes the curated id that record's id."""
        reach: dict[str, list[tuple[tuple[bool, bool, int], str]]] = defaultdict(list)
        for a in cat.aliases:
            if a.valid_from or a.valid_to:
                continue
            o = cat.orgs[a.org_id]
            k = key(a.alias)
            cands = tuple(c for c in self.by_key.get(k, "").split()
                          if not o.country or self.orgs[c].country in (None, o.country))
            one = self.pick(cands, o.country, frozenset())
            if one is None:
                continue
            rank = (o.successor_id is not None, a.source != "curated name",
                    len(cat.ancestors(o.org_id)))
            reach[one].append((rank, o.org_id))
        out: dict[str, str] = {}
        for rid, cands in reach.items():
            best = min(cands)
            if best[1] not in out:
                out[best[1]] = rid
        self._assign_ids(frozenset(cat.orgs), {r: o for o, r in out.items()})
        return out

    # ---------------------------------------------------------------- lookups

    def _ancestors(self, rid: str) -> set[str]:
        out: set[str] = set()
        cur = self.orgs[rid].parent if rid in self.orgs else None
        while cur and cur not in out:
            out.add(cur)
            cur = self.orgs[cur].parent if cur in self.orgs else None
        return out

    def pick(self, cands: tuple[str, ...], country: str | None,
             place_keys: frozenset[str]) -> str | None:
        """The one organisation among namesakes: by country, then by a city the affiliation
        names, then the parent of all the others; None if they stay apart."""
        if len(cands) <= 1:
            return cands[0] if cands else None
        if country:
            cands = tuple(c for c in cands if self.orgs[c].country == country) or cands
            if len(cands) == 1:
                return cands[0]
        if place_keys:
            here = tuple(c for c in cands if self.orgs[c].city_key in place_keys)
            if len(here) == 1:
                return here[0]
        for c in cands:
            if all(c == o or c in self._ancestors(o) for o in cands):
                return c
        return None

    def candidates(self, k: str) -> tuple[str, ...]:
        """ROR records (canonical) with a name of key `k`: exact, compact, then loose."""
        found = (self.by_key.get(k) or self.by_compact.get(compact(k))
                 or self.by_loose.get(loose(k)))
        return tuple(found.split()) if found else ()

    def acronym(self, k: str, country: str | None) -> str | None:
        """The one organisation of `country` with the acronym `k`; None without a country."""
        if not country:
            return None
        here = tuple(c for c in self.by_acronym.get(k, "").split()
                     if self.orgs[c].country == country)
        return here[0] if len(here) == 1 else None

    def parent_org(self, rid: str) -> str | None:
        """The canonical ROR parent of a record that is hosted by it (a lab, an institute, a
        company's subsidiary); never for a university under a university system, nor a
        government parent (a ministry over every federal institute of a country)."""
        o = self.orgs.get(rid)
        if o is None or o.parent is None or o.kind == "university":
            return None
        p = self.canonical(o.parent)
        if not p or p == rid or self.orgs[p].kind == "government":
            return None
        return p
