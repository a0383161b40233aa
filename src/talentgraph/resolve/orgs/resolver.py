"""Affiliation strings and domains -> canonical organisations, ranked, with method and confidence.

Order of evidence for one affiliation part (a dual affiliation "A + B" has two parts):
1. a curated name in the part: a whole segment, two adjacent segments ("Institute of Automation,
   Chinese Academy of Sciences"), an abbreviation in parentheses, a curated name inside a longer
   segment ("Huzhou Institute of Zhejiang University"), two names of one organisation run
   together ("ETH Swiss Federal Institute of Technology Zurich"), or a company name followed by
   a unit ("Huawei Cloud"). Names also meet without their function words ("Max Planck
   Institute of/for Intelligent Systems"). When several are found, a child beats its parent
   (Google Brain over Google).
2. the corpus' own normalised name for the part (mentions.aff_norm), resolved the same way;
3. a near-spelling of a curated name (rapidfuzz ratio >= FUZZY_THRESHOLD, see below);
4. the long tail: the segment that names an institution (University/College/Inc... beats
   Institute/Lab/Center, units such as "Department of ..." are skipped), whose id is the slug of
   its normalised key, with kind guessed from its words and country from the record.
E-mail/affiliation domains confirm a name (confidence up) or, with no usable name, give the org:
curated domains first, then domains learned from the corpus (see stage.py). Public mail services
(gmail.com, qq.com, 163.com...) are never organisations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from publicsuffixlist import PublicSuffixList
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from talentgraph.resolve.orgs import catalog as catalog_mod
from talentgraph.resolve.orgs.catalog import PREFIX_KINDS, Alias, Catalog
from talentgraph.resolve.orgs.ror import RorIndex
from talentgraph.resolve.orgs.text import (
    Segment,
    country_code,
    cut_unit,
    has_org_word,
    is_top_level,
    is_unit,
    key,
    kind_from_words,
    names_nothing,
    slug,
    split_parts,
    split_segments,
    strip_country,
)

# Fuzzy matching to curated names catches misspellings ("Massachussetts Institute of
# Technology", "Peng Cheng Laborotory", "Tsinghua Univeristy"). rapidfuzz's fuzz.ratio >= 85
# only shortlists curated names; a hit must then have the same words but one, differing by one
# edit (transposition = 1), or by two in a word of 9+ letters with the same ending, in a word of
# 6+ letters starting with the same letter. Whole-string similarity alone merges different
# universities ("University of South/North Carolina", "Universita di Trento" ~ "University of
# Toronto", "Nanjing/Beijing University of Aeronautics and Astronautics" all score >= 92).
# Checked by reading every distinct fuzzy hit on the full corpus (176 strings): the two wrong
# ones ("Toyo University" -> Tokyo, "National Institute of Information" -> NII) led to the
# 6-letter and same-ending conditions. Names of fewer than 12 characters are never compared.
FUZZY_THRESHOLD = 85.0
FUZZY_MIN_LEN = 12

# Beyond these bounds a part is either several units run together without separators (0.3% of
# distinct parts in the corpus, e.g. two departments and three key labs of one university) or
# scraping debris (a paper title, author names, e-mails, an abstract).
MAX_PART_CHARS = 300
MAX_PART_WORDS = 40
_AND = re.compile(r"\s+(?:&|and)\s+")

# Words after a curated name that make it part of a longer, different name.
_CONTINUATION = frozenset({"of", "for", "and", "de", "di", "du", "del", "della", "des", "der",
                           "la", "le", "y", "e", "und"})
# Words before a curated name found inside a segment that show it is the host institution.
_HOST_BEFORE = frozenset({"of", "at", "in", "the", "institute", "laboratory", "school",
                          "center", "college", "campus", "department", "faculty", "branch"})

# Organisations that co-sign the affiliations of units hosted elsewhere (French "UMR CNRS").
UMBRELLAS = frozenset({"cnrs"})

_PSL = PublicSuffixList()


@dataclass(frozen=True)
class OrgMatch:
    org_id: str
    name: str                # the words that named it
    method: str              # curated | curated_pair | curated_abbrev | curated_inner |
                             # curated_prefix | corpus_norm | fuzzy | name | name_weak |
                             # domain | learned_domain ; "+domain" when a domain agrees
    confidence: float
    curated: bool
    kind: str = "unknown"    # guessed for long-tail orgs
    country: str | None = None
    valid_from: date | None = None   # of the alias that named it
    valid_to: date | None = None
    alias_key: str | None = None     # set when the name is dated or shared by homonyms
    place: str | None = None         # ISO country the affiliation itself names, if any
    # ROR namesakes the name may stand for, when the part alone did not tell them apart:
    # the mention's country or domain picks one (OrgResolver._ror_pick).
    ror_alts: tuple[str, ...] = ()
    # Named only by the corpus' normalised name (aff_norm), the affiliation text itself naming
    # no organisation (a bare department): a domain that names another one wins.
    norm_only: bool = False


def registrable_domain(domain: str | None) -> str | None:
    """cs.cmu.edu -> cmu.edu, mails.tsinghua.edu.cn -> tsinghua.edu.cn; None if not a domain."""
    if not domain:
        return None
    d = domain.strip().lower().rstrip(".")
    if "@" in d:
        d = d.rsplit("@", 1)[1]
    if "." not in d or " " in d:
        return None
    return _PSL.privatesuffix(d) or None


def domain_country(domain: str | None) -> str | None:
    """The country of a country-code top-level domain (neu.edu.cn -> CN), else None."""
    reg = registrable_domain(domain)
    if not reg:
        return None
    tld = reg.rsplit(".", 1)[-1]
    if len(tld) != 2 or tld in _GENERIC_CCTLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()


# Country codes used as generic top-level domains by companies everywhere.
_GENERIC_CCTLDS = frozenset({"ai", "io", "co", "me", "tv", "cc", "ly", "gg", "to", "fm", "so"})


class OrgResolver:
    """Resolves affiliation strings and domains; keeps a cache per distinct part string."""

    def __init__(self, catalog: Catalog | None = None,
                 person_names: frozenset[str] = frozenset(),
                 learned_domains: dict[str, str] | None = None,
                 ror: RorIndex | None = None) -> None:
        self.cat = catalog or catalog_mod.default()
        self.ror = ror
        # Curated organisations ROR knows: curated org id -> ROR id (and the ROR record's id
        # becomes the curated one).
        self.curated_ror = ror.map_curated(self.cat) if ror is not None else {}
        self.person_names = person_names
        self.learned_domains = learned_domains or {}
        self._fuzzy_choices: dict[str, Alias] = {
            k: a for k, a in self.cat.by_key.items() if len(k) >= FUZZY_MIN_LEN and " " in k}
        self._fuzzy_keys = list(self._fuzzy_choices)
        self._prefix: dict[str, list[tuple[list[str], Alias]]] = {}
        for k, a in self.cat.by_key.items():
            if self.cat.orgs[a.org_id].kind in PREFIX_KINDS and k not in self.cat.whole_only:
                toks = k.split()
                self._prefix.setdefault(toks[0], []).append((toks, a))
        for entries in self._prefix.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.resolve_part = lru_cache(maxsize=400_000)(self._resolve_part)  # type: ignore[method-assign]
        self._names = lru_cache(maxsize=200_000)(self._resolve_names)
        self.resolve_norm = lru_cache(maxsize=100_000)(self._resolve_norm)

    # ------------------------------------------------------------------ one affiliation part

    def _curated(self, a: Alias, name: str, method: str, confidence: float) -> OrgMatch:
        o = self.cat.orgs[a.org_id]
        k = key(a.alias)
        special = k in self.cat.periods or k in self.cat.homonyms
        return OrgMatch(o.org_id, name, method, confidence, True, o.kind, o.country,
                        a.valid_from, a.valid_to, k if special else None)

    def _inner(self, k: str) -> Alias | None:
        """A curated name of 2+ words inside a longer segment, where it reads as the host."""
        toks = k.split()
        n = len(toks)
        for size in range(n - 1, 1, -1):
            for start in range(0, n - size + 1):
                a = self.cat.by_key.get(" ".join(toks[start:start + size]))
                if a is None:
                    continue
                after = toks[start + size] if start + size < n else None
                before = toks[start - 1] if start > 0 else None
                if after in _CONTINUATION:
                    continue
                if before is not None and before not in _HOST_BEFORE:
                    continue
                return a
        return None

    def _double(self, k: str) -> Alias | None:
        """A segment made of two names of one curated organisation, an acronym and the full name
        most often ("ETH Swiss Federal Institute of Technology Zurich", "KAIST Korea Advanced
        Institute of Science and Technology"): that organisation."""
        toks = k.split()
        for i in range(1, len(toks)):
            a = self.cat.lookup(" ".join(toks[:i]))
            if a is None:
                continue
            b = self.cat.lookup(" ".join(toks[i:]))
            if b is not None and b.org_id == a.org_id:
                return b
        return None

    def _prefixed(self, k: str) -> Alias | None:
        toks = k.split()
        for alias_toks, a in self._prefix.get(toks[0], []) if toks else []:
            if toks[:len(alias_toks)] == alias_toks and len(toks) > len(alias_toks):
                return a
        return None

    def _fuzzy(self, k: str) -> Alias | None:
        """A curated name spelt differently by one typo in one word, else None.

        rapidfuzz finds the nearest curated names; a hit is kept only when the two names have
        the same words but one, and that word differs by one edit (two for words of 9+
        letters), transpositions counted as one: "Massachussetts", "Univeristy" pass, while
        "South"/"North" Carolina, "Trento"/"Toronto" and "Nanjing"/"Beijing" do not.
        """
        if len(k) < FUZZY_MIN_LEN:
            return None
        toks = k.split()
        for cand, _score, _ in process.extract(k, self._fuzzy_keys, scorer=fuzz.ratio,
                                               score_cutoff=FUZZY_THRESHOLD, limit=3):
            ctoks = cand.split()
            if len(ctoks) != len(toks):
                continue
            diff = [(a, b) for a, b in zip(toks, ctoks, strict=True) if a != b]
            if len(diff) != 1:
                continue
            a, b = diff[0]
            word = max(len(a), len(b))
            dist = OSA.distance(a, b)
            if word >= 6 and a[0] == b[0] and (
                    dist == 1 or dist == 2 and word >= 9 and a[-2:] == b[-2:]):
                return self._fuzzy_choices[cand]
        return None

    def _find_curated(self, segs: list[Segment]) -> list[OrgMatch]:
        found: list[tuple[int, int, OrgMatch]] = []
        first = next((i for i, s in enumerate(segs) if s.geo is None), None)
        for i, s in enumerate(segs):
            if s.geo is not None:
                continue
            if i + 1 < len(segs) and segs[i + 1].geo is None:
                pair = f"{s.text}, {segs[i + 1].text}"
                a = self.cat.lookup(key(pair))
                if a:
                    found.append((0, i, self._curated(a, pair, "curated_pair", 0.95)))
                    continue
            a = self.cat.lookup(s.key)
            if a and (s.key not in self.cat.whole_only or i == first):
                if s.paren:
                    found.append((2, i, self._curated(a, s.text, "curated_abbrev", 0.85)))
                else:
                    found.append((1, i, self._curated(a, s.text, "curated", 0.95)))
                continue
            pieces = _AND.split(s.text)
            if len(pieces) > 1:
                # "University of Alberta & DeepMind": two organisations joined by a conjunction.
                hits = [self.cat.lookup(key(p)) for p in pieces]
                if all(hits):
                    found += [(1, i, self._curated(h, p, "curated", 0.9))
                              for h, p in zip(hits, pieces, strict=True) if h]
                    continue
            a = self._double(s.key)
            if a:
                found.append((1, i, self._curated(a, s.text, "curated_double", 0.9)))
                continue
            a = self._inner(s.key)
            if a:
                found.append((3, i, self._curated(a, s.text, "curated_inner", 0.85)))
                continue
            a = self._prefixed(s.key)
            if a:
                found.append((4, i, self._curated(a, s.text, "curated_prefix", 0.8)))
        if not found:
            return []
        ids = {m.org_id for _, _, m in found}
        # A child beats its parent: "Google Brain, Google Inc." is Google Brain.
        specific = [(p, i, m) for p, i, m in found
                    if not any(m.org_id in self.cat.ancestors(o) for o in ids if o != m.org_id)]
        specific.sort(key=lambda t: (t[0], t[1]))
        best = specific[0]
        out = [best[2]]
        for p, _, m in specific[1:]:
            # Another unrelated organisation named in the same part (no '+' between them).
            if p <= 2 and m.org_id not in {x.org_id for x in out} and (
                    self.cat.top_parent(m.org_id) != self.cat.top_parent(best[2].org_id)):
                out.append(m)
        return out

    def _choose_segment(self, segs: list[Segment]) -> tuple[Segment, bool] | None:
        """The segment naming the institution, and whether it carries an organisation word."""
        cands = [s for s in segs if s.geo is None and not s.paren and not is_unit(s.key)
                 and len(s.key) >= 2]
        top = [s for s in cands if is_top_level(s.key)]
        if top:
            return top[0], True
        orgish = [s for s in cands if has_org_word(s.key)]
        if orgish:
            return orgish[-1], True
        first = next((s for s in segs if s.geo is None), None)
        if first is not None and cands and cands[0] is first:
            return first, False
        return None

    def _resolve_part(self, part: str) -> tuple[OrgMatch, ...]:
        found = self._resolve_segments(part)
        if any(m.alias_key in self.cat.homonyms for m in found):
            place = next((s.geo for s in reversed(split_segments(part)) if s.geo), None)
            found = tuple(replace(m, place=place) if m.alias_key in self.cat.homonyms else m
                          for m in found)
        return found

    def _homonym(self, m: OrgMatch, country: str | None) -> OrgMatch:
        """The organisation of that name in that country ("Northeastern University", China)."""
        org_id = self.cat.homonyms.get(m.alias_key or "", {}).get(country or "")
        if not org_id or org_id == m.org_id:
            return m
        o = self.cat.orgs[org_id]
        return replace(m, org_id=o.org_id, kind=o.kind, country=o.country,
                       method=m.method + "+country", alias_key=None)

    def _resolve_segments(self, part: str) -> tuple[OrgMatch, ...]:
        segs = split_segments(part)
        if not segs or all(s.geo is not None for s in segs) or names_nothing(key(part)):
            return ()
        curated = self._find_curated(segs)
        ambiguous: OrgMatch | None = None
        if not curated and self.ror is not None:
            ror = self._find_ror(segs)
            if ror is not None and not ror.ror_alts:
                return (ror,)
            ambiguous = ror
        if len(part) > MAX_PART_CHARS or len(part.split()) > MAX_PART_WORDS or "@" in part:
            # Several units run together, or scraping debris (a title, authors, e-mails):
            # trust curated names only, invent no long-tail organisation from it.
            return tuple(curated)
        chosen = self._choose_segment(segs)
        if curated:
            if (curated[0].org_id in UMBRELLAS and chosen and chosen[1]
                    and is_top_level(chosen[0].key) and not self.cat.lookup(chosen[0].key)):
                # "ICube, INSA - CNRS, University of Strasbourg": the university hosts the unit.
                host = self._long_tail(segs, chosen[0], True)
                return (host, *curated) if host else tuple(curated)
            return tuple(curated)
        if ambiguous is not None:
            return (ambiguous,)  # ROR namesakes: the mention's country may tell them apart
        if chosen is None:
            return ()
        seg, has_word = chosen
        if names_nothing(seg.key) or not has_word and (
                key(part) in self.person_names or len(seg.key) <= 2):
            return ()  # a discipline, a person's name or a bare code: not an organisation
        k = cut_unit(strip_country(seg.key))
        a = self.cat.lookup(k) if k != seg.key else None
        if a:
            return (self._curated(a, seg.text, "curated", 0.9),)
        if self.ror is not None and k != seg.key:
            rid = self.ror.pick(self.ror.candidates(k), self._part_country(segs), frozenset())
            if rid:
                return (self._ror_match(rid, seg.text, "ror", 0.85),)
        a = self._fuzzy(k)
        if a:
            return (self._curated(a, seg.text, "fuzzy", 0.75),)
        m = self._long_tail(segs, seg, has_word)
        return (m,) if m else ()

    # ------------------------------------------------------------------ ROR

    def _is_ror(self, m: OrgMatch) -> bool:
        return self.ror is not None and m.org_id in self.ror.ror_of

    def _ror_match(self, rid: str, name: str, method: str, confidence: float) -> OrgMatch:
        """The match of a ROR record: the curated organisation it is, else the ROR one."""
        assert self.ror is not None
        org_id = self.ror.org_id[rid]
        o = self.cat.orgs.get(org_id)
        if o is not None:
            return OrgMatch(o.org_id, name, method, confidence, True, o.kind, o.country)
        r = self.ror.orgs[rid]
        return OrgMatch(org_id, name, method, confidence, False, r.kind, r.country)

    @staticmethod
    def _part_country(segs: list[Segment]) -> str | None:
        return next((s.geo for s in reversed(segs) if s.geo), None)

    def _find_ror(self, segs: list[Segment]) -> OrgMatch | None:
        """The organisation a ROR name in the part names (see resolve/orgs/ror.py): a segment
        or two adjacent ones ("Ruhr-Universität, Bochum"), or an acronym where the country is
        known; namesakes told apart by the part's country and city. A unit of another found
        organisation beats it, then a top-level name beats a unit. When a name stays ambiguous,
        the long-tail match of its segment carries the namesakes (`ror_alts`)."""
        ror = self.ror
        assert ror is not None
        country = self._part_country(segs)
        places = frozenset(s.key for s in segs if s.key in ror.city_keys)
        first = next((i for i, s in enumerate(segs) if s.geo is None), None)
        found: list[tuple[str, int, str, str]] = []  # rid, segment index, text, method
        ambiguous: tuple[Segment, tuple[str, ...]] | None = None
        for i, s in enumerate(segs):
            if s.geo is not None or is_unit(s.key) or names_nothing(s.key):
                continue
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            if nxt is not None and nxt.geo is None and not nxt.paren and not s.paren:
                rid = ror.pick(ror.candidates(f"{s.key} {nxt.key}"), country, places)
                if rid:
                    found.append((rid, i, f"{s.text}, {nxt.text}", "ror_pair"))
                    continue
            word = " " not in s.key
            if word and (s.paren or s.text.isupper()) and len(s.key) <= 10:
                rid = ror.acronym(s.key, country)
                if rid:
                    found.append((rid, i, s.text, "ror_acronym"))
                continue
            if s.paren or len(s.key) <= 3 or word and not (has_org_word(s.key) or i == first):
                continue
            cands = ror.candidates(s.key)
            rid = ror.pick(cands, country, places)
            if rid:
                found.append((rid, i, s.text, "ror"))
            elif cands and ambiguous is None:
                ambiguous = (s, cands)
        if not found:
            if ambiguous is None:
                return None
            seg, cands = ambiguous
            m = self._long_tail(segs, seg, has_org_word(seg.key))
            return replace(m, ror_alts=cands) if m else None
        ids = {f[0] for f in found}
        specific = [f for f in found
                    if not any(f[0] in ror._ancestors(o) for o in ids if o != f[0])]
        specific.sort(key=lambda f: (not is_top_level(segs[f[1]].key), f[1]))
        rid, _i, text, method = specific[0]
        return self._ror_match(rid, text, method, 0.9 if method != "ror_acronym" else 0.8)

    def _with_ror_ids(self, out: list[OrgMatch], ror_ids: str) -> list[OrgMatch]:
        """The organisations of the ROR ids a source gave, after the curated names (curated
        sub-labs stay on top) and instead of long-tail names (the same institution, named
        by ROR). An id of an organisation above a curated one adds nothing."""
        from talentgraph.sources.ror import short_id

        assert self.ror is not None
        curated = [m for m in out if m.curated]
        tops = {self._top(m.org_id) for m in curated}
        given: list[OrgMatch] = []
        for value in ror_ids.split(" + "):
            rid = short_id(value)
            target = self.ror.canonical(rid) if rid else None
            if target is None or target not in self.ror.org_id:
                continue
            m = self._ror_match(target, self.ror.orgs[target].name, "ror_id", 0.95)
            if self._top(m.org_id) not in tops:
                given.append(m)
        if not given:
            return out
        return curated + given + [m for m in out if not m.curated and self._is_ror(m)]

    def _ror_pick(self, m: OrgMatch, country: str | None) -> OrgMatch:
        """The ROR namesake of the mention's country, when that tells them apart."""
        if self.ror is None or not country:
            return m
        rid = self.ror.pick(m.ror_alts, country, frozenset())
        if rid is None:
            return m
        return self._ror_match(rid, m.name, m.method + "+ror_country", 0.85)

    def _long_tail(self, segs: list[Segment], seg: Segment, has_word: bool) -> OrgMatch | None:
        k = cut_unit(strip_country(seg.key))
        org_id = slug(k)
        if not org_id:
            return None
        country = next((s.geo for s in reversed(segs) if s.geo), None)
        # The segment chosen as the institution may be a ROR name that no other rule read
        # (beside a curated umbrella: "University Lille, CNRS, ..."): ROR names it.
        rid = self._ror_name(seg.key, k, country) if has_word else None
        if rid:
            return self._ror_match(rid, seg.text, "ror", 0.85)
        if has_word:
            return OrgMatch(org_id, seg.text, "name", 0.7, False, kind_from_words(k), country)
        return OrgMatch(org_id, seg.text, "name_weak", 0.5, False, "unknown", country)

    def _resolve_norm(self, norm: str) -> OrgMatch | None:
        """The corpus' normalised institution name (aff_norm): a clean name, read whole."""
        k = key(norm)
        if not k or names_nothing(k):
            return None
        found = self.resolve_part(norm)
        if found and (found[0].curated or self._is_ror(found[0])):
            return replace(found[0], method="corpus_norm", confidence=0.9)
        if not has_org_word(k) or is_unit(k):
            return None  # "Mechanical Engineering": a unit, not an institution
        a = self._fuzzy(k)
        if a:
            return self._curated(a, norm, "corpus_norm", 0.8)
        org_id = slug(strip_country(k))
        if not org_id:
            return None
        rid = self._ror_name(k, strip_country(k), None)
        if rid:
            return self._ror_match(rid, norm, "corpus_norm", 0.85)
        return OrgMatch(org_id, norm, "corpus_norm", 0.8, False, kind_from_words(k), None)

    def _ror_name(self, k: str, bare: str, country: str | None) -> str | None:
        """The one ROR record a name key (or the key without country and unit) names."""
        if self.ror is None:
            return None
        for kk in dict.fromkeys((k, bare)):
            rid = self.ror.pick(self.ror.candidates(kk), country, frozenset())
            if rid:
                return rid
        return None

    # ------------------------------------------------------------------ one author mention

    def _top(self, org_id: str) -> str:
        return self.cat.top_parent(org_id) if org_id in self.cat.orgs else org_id

    def domain_org(self, domain: str | None) -> tuple[str, str] | None:
        """(org_id, method) for a domain: curated (any parent domain) or learned; None else."""
        reg = registrable_domain(domain)
        if not reg or reg in self.cat.generic_domains:
            return None
        d = domain.strip().lower().rstrip(".") if domain else reg
        if "@" in d:
            d = d.rsplit("@", 1)[1]
        labels = d.split(".")
        for i in range(len(labels) - 1):
            hit = self.cat.domains.get(".".join(labels[i:]))
            if hit:
                return hit[0], "domain"
            if ".".join(labels[i:]) == reg:
                break
        if self.ror is not None and reg in self.ror.by_domain:
            return self.ror.org_id[self.ror.by_domain[reg]], "ror_domain"
        if reg in self.learned_domains:
            return self.learned_domains[reg], "learned_domain"
        return None

    def resolve(self, raw: str | None, aff_norm: str | None = None,
                aff_country: str | None = None, domain: str | None = None,
                email_domain: str | None = None, ror_ids: str | None = None
                ) -> list[OrgMatch]:
        """The organisations of one mention, best first (rank = index + 1). `ror_ids`: the
        ROR ids a source matched the affiliation to (OpenAlex institutions, ' + '-joined)."""
        out = list(self._names(raw, aff_norm, aff_country))
        if ror_ids and self.ror is not None:
            out = self._with_ror_ids(out, ror_ids)
        if any(m.alias_key in self.cat.homonyms or m.ror_alts for m in out):
            tld = domain_country(domain) or domain_country(email_domain)
            out = [self._homonym(m, tld) if m.alias_key in self.cat.homonyms else
                   self._ror_pick(m, tld) if m.ror_alts else m for m in out]
        dom = self.domain_org(domain) or self.domain_org(email_domain)
        if dom:
            out = self._with_domain(out, dom, domain, email_domain)
        seen: set[str] = set()
        ranked: list[OrgMatch] = []
        for m in out:
            if m.org_id not in seen:
                seen.add(m.org_id)
                ranked.append(m)
        return ranked

    def _resolve_names(self, raw: str | None, aff_norm: str | None,
                       aff_country: str | None) -> tuple[OrgMatch, ...]:
        parts = split_parts(raw) if raw and raw.strip() else []
        norms = [n.strip() for n in aff_norm.split(" + ")] if aff_norm else []
        countries = [c.strip() for c in aff_country.split(" + ")] if aff_country else []
        only_norms = not parts
        if only_norms:
            parts = norms
        aligned = len(norms) == len(parts)
        out: list[OrgMatch] = []
        for i, part in enumerate(parts):
            if only_norms:
                nm = self.resolve_norm(part)
                ms = [nm] if nm else []
            else:
                ms = list(self.resolve_part(part))
                norm = norms[i] if aligned else None
                if norm and not (ms and (ms[0].curated or self._is_ror(ms[0]))):
                    nm = self.resolve_norm(norm)
                    # The corpus' name replaces ours unless ours is the same name, more precise
                    # ("University of Colorado Boulder" against "University of Colorado").
                    if nm and (nm.curated or self._is_ror(nm) or not (
                            ms and ms[0].org_id.startswith(nm.org_id + "-"))):
                        ms = [replace(nm, norm_only=not ms)]
            c = country_code(countries[i]) if i < len(countries) and (
                len(countries) == len(parts)) else None
            for m in ms:
                if not m.curated and c:
                    m = replace(m, country=c)
                if m.alias_key in self.cat.homonyms and (m.place or c):
                    m = self._homonym(m, m.place or c)
                if m.ror_alts and c:
                    m = self._ror_pick(m, c)
                out.append(m)
        return tuple(out)

    def _with_domain(self, out: list[OrgMatch], dom: tuple[str, str], domain: str | None,
                     email_domain: str | None) -> list[OrgMatch]:
        """A domain gives the organisation when no name did, and confirms a name it agrees with.
        A curated or ROR domain also overrules names that only the corpus' normalised name gave
        ("Department of Computer Science and Engineering" normalised to UC San Diego, with a
        cs.umn.edu address): the record's own words name no organisation, its address does."""
        d_top = self._top(dom[0])
        if out and dom[1] in ("domain", "ror_domain") and all(m.norm_only for m in out) and all(
                self._top(m.org_id) != d_top for m in out):
            out = []
        if not out:
            conf = {"domain": 0.85, "ror_domain": 0.8}.get(dom[1], 0.7)
            o = self.cat.orgs.get(dom[0])
            named = registrable_domain(domain) or registrable_domain(email_domain) or ""
            return [OrgMatch(o.org_id, named, dom[1], conf, True, o.kind, o.country)
                    if o else OrgMatch(dom[0], named, dom[1], conf, False)]
        out = [replace(m, method=m.method + "+domain", confidence=min(0.99, m.confidence + 0.05))
               if self._top(m.org_id) == d_top else m for m in out]
        o = self.cat.orgs.get(dom[0])
        if o and out[0].curated and out[0].org_id in self.cat.ancestors(o.org_id):
            # "Google" with a deepmind.com address: the domain names the more precise unit.
            first = replace(out[0], org_id=o.org_id, kind=o.kind, country=o.country,
                            method=out[0].method + "_refined", valid_from=None, valid_to=None)
            out = [first, *out[1:]]
        return out
