"""Hosts of generated organisations: a unit, or another name, of an organisation, read from the
whole corpus.

The resolver names a long-tail organisation after the segment of the record that names it, so a
department, a laboratory or a building becomes an organisation of its own ("Lane Department of
Computer Science and Electrical Engineering", "Information Engineering Building"), and so does
a second name of a university ("Xi'an University of Electronic Science and Technology" for
Xidian University). A person seen under both has not moved. Four kinds of evidence, each over
ALL the mentions of the generated organisation G (or its name), give it a host H (G's parent in
`orgs`):

1. domain: the mentions of G that carry a (non-generic) e-mail or affiliation domain mostly
   carry one that stands for H (curated, or learned from the corpus: wvu.edu, xidian.edu.cn,
   robots.ox.ac.uk). Staff of a unit write their university's address.
2. named: G's name is a segment of affiliation strings that the resolver reads as H
   ("Univ. Artois, CNRS, Centre de Recherche en Informatique de Lens (CRIL)"): a unit written
   with its host.
3. name: G's name is a unit's name "of" or "at" H's ("Interactive Simulation Laboratory of CEA
   LIST", "Human-Centered Robotics Laboratory at Colorado School of Mines").
4. co-listed: most of G's mentions list H beside it (dual affiliation "Renmin University of
   China + Beijing Key Laboratory of Big Data Management and Analysis Methods"), from many
   authors: an institute and its host university.

Guards, from reading the hosts each rule proposed on the full corpus: companies and industry
labs get no host (a founder writes a university address or lists the university beside the
start-up: Petuum and CMU); a domain must account for MIN_DOMAIN_SHARE of G's domain-bearing
mentions (university systems: "University of Texas" with utdallas.edu at 0.65) and enough of
G's mentions (a few visitors' addresses on a large organisation: Baylor College of Medicine with
rice.edu); a name written inside another organisation's affiliations must be so in a fair share
of G's own mentions (PNNL in a University of Washington affiliation twice, against 24 of its
own); co-listing only gives a university as the host of an institute (named "Institute",
"Laboratory", "Center"...: a name without such a word is often a start-up) and needs
MIN_COLIST_SHARE of G's mentions (NICTA beside ANU at 0.52, Amii beside the University of
Alberta at 0.5 stay apart) from MIN_COLIST_AUTHORS authors (RIKEN AIP beside the University of
Tokyo, the Institute for Basic Science beside KAIST stay apart). Known wrong hosts left, read
on the full corpus: an independent institute co-listed by many authors with a partner
university (Fraunhofer FIT and the University of Bonn), a few domains of a partner (CIRANO with
umontreal.ca), a spin-off with no company word in its name (DeepScale with berkeley.edu).
Curated organisations are never given a host here: the curated tables say how they relate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from talentgraph.resolve.orgs.text import (
    country_code,
    cut_unit,
    has_org_word,
    is_top_level,
    place,
    slug,
    split_parts,
    split_segments,
    strip_country,
)

MIN_DOMAIN_SHARE = 0.8
# The mentions for the host must be at least this share of all of G's mentions (a few
# collaborators' addresses on a large organisation: University of Genoa with mit.edu, 4 of
# 189), and, when fewer than MIN_DOMAIN_MENTIONS, half of them.
MIN_DOMAIN_COVER = 0.1
MIN_DOMAIN_MENTIONS = 3
MIN_NAMED_SHARE = 0.8
MIN_NAMED_MENTIONS = 2
# Affiliations naming G as a unit of H, against G's own mentions: a large organisation written
# once beside another ("Pacific Northwest National Laboratory" in a University of Washington
# affiliation, 2 against 24) is not a unit of it.
MIN_NAMED_COVER = 0.25
MIN_COLIST_SHARE = 0.6
MIN_COLIST_MENTIONS = 3
# Authors listing G beside H: an institute with centres at several universities is listed by its
# few authors with theirs (the Institute for Basic Science beside KAIST, 6 authors; a gold move
# from it to KAIST), a host university by many (SRIBD beside CUHK-Shenzhen, 26).
MIN_COLIST_AUTHORS = 8
# A unit's name "<unit words> of/at <host>": words naming a unit, and the connectors.
_UNIT_WORDS = frozenset({"laboratory", "laboratories", "lab", "center", "centre", "institute",
                         "school", "department", "faculty", "division", "group", "unit",
                         "college", "chair", "team"})
_CONNECTORS = frozenset({"of", "at", "de", "du", "des", "in"})
MIN_NAME_HOST_MENTIONS = 3
# Kinds that never get a host here (see the module docstring).
NO_HOST_KINDS = frozenset({"company", "startup", "industry_lab"})
# Only these get a host from co-listing: an organisation with no kind word in its name is
# often a start-up (Alana AI beside Heriot-Watt), a university a partner of another.
COLIST_KINDS = frozenset({"institute"})


@dataclass(frozen=True)
class OrgFacts:
    """What the host rules need to know of one organisation."""

    kind: str
    curated: bool
    n_mentions: int


@dataclass(frozen=True)
class Host:
    org_id: str
    host_id: str
    evidence: str   # domain | named | colisted
    n: int          # mentions supporting the host
    share: float


@dataclass
class HostVotes:
    """Mentions of each organisation G supporting each candidate host H, by evidence."""

    domain: dict[str, Counter[str]]
    named: dict[str, Counter[str]]
    colisted: dict[str, Counter[str]]
    colisted_authors: dict[tuple[str, str], int]

    @classmethod
    def empty(cls) -> HostVotes:
        return cls(defaultdict(Counter), defaultdict(Counter), defaultdict(Counter), {})


def named_units(part_host: str, part: str) -> list[str]:
    """Ids the segments of one affiliation part would get as organisations of their own, other
    than the institution the part was resolved to (`part_host`): candidates for units of it.
    Only segments with an organisation word that are not institutions themselves count
    ("Centre de Recherche en Informatique de Lens" in "Univ. Artois, CNRS, Centre ...")."""
    out: list[str] = []
    for s in split_segments(part):
        if s.geo is not None or s.paren or not has_org_word(s.key) or is_top_level(s.key):
            continue
        unit = slug(cut_unit(strip_country(s.key)))
        if unit and unit != part_host and unit not in out:
            out.append(unit)
    return out


def add_named(votes: HostVotes, raw: str | None, part_hosts: list[str | None], n: int) -> None:
    """Vote for the hosts of the units named in a raw affiliation, whose parts were resolved to
    `part_hosts` (rank-1 organisation of each part, None when a part named none)."""
    if not raw:
        return
    for part, host in zip(split_parts(raw), part_hosts, strict=False):
        if host:
            for unit in named_units(host, part):
                votes.named[unit][host] += n


def choose_hosts(votes: HostVotes, facts: dict[str, OrgFacts]) -> dict[str, Host]:
    """The host of each generated organisation that has one (see the module docstring)."""
    out: dict[str, Host] = {}
    for g, f in facts.items():
        if f.curated or f.kind in NO_HOST_KINDS:
            continue
        host = (_domain_host(g, f, votes.domain.get(g), facts)
                or _named_host(g, f, votes.named.get(g), facts)
                or _name_host(g, facts)
                or _colisted_host(g, f, votes, facts))
        if host:
            out[g] = host
    return out


def _best(g: str, c: Counter[str] | None, facts: dict[str, OrgFacts]
          ) -> tuple[str, int, float] | None:
    if not c:
        return None
    h, n = c.most_common(1)[0]
    if h == g or h not in facts:
        return None
    return h, n, n / sum(c.values())


def _domain_host(g: str, f: OrgFacts, c: Counter[str] | None,
                 facts: dict[str, OrgFacts]) -> Host | None:
    best = _best(g, c, facts)
    if best is None:
        return None
    h, n, share = best
    if share < MIN_DOMAIN_SHARE or n < 2 or n < MIN_DOMAIN_COVER * f.n_mentions:
        return None
    if n < MIN_DOMAIN_MENTIONS and n < 0.5 * f.n_mentions:
        return None
    return Host(g, h, "domain", n, round(share, 3))


def _named_host(g: str, f: OrgFacts, c: Counter[str] | None,
                facts: dict[str, OrgFacts]) -> Host | None:
    best = _best(g, c, facts)
    if best is None:
        return None
    h, n, share = best
    if share < MIN_NAMED_SHARE or n < MIN_NAMED_MENTIONS or n < MIN_NAMED_COVER * f.n_mentions:
        return None
    return Host(g, h, "named", n, round(share, 3))


def _name_host(g: str, facts: dict[str, OrgFacts]) -> Host | None:
    """"Robotics Department of LIRMM": the organisation named after the connector, when its
    id is known. The unit part has two words or more ("Institute of Control Sciences" is a
    name, not a unit of "Control Sciences"), and the host is not a place ("... Laboratory of
    Montpellier") nor a lone word of a generated name ("Gaoling School of AI")."""
    toks = g.split("-")
    for i in range(2, len(toks) - 1):
        if toks[i] not in _CONNECTORS or not _UNIT_WORDS & set(toks[:i]):
            continue
        h = "-".join(toks[i + 1:])
        hf = facts.get(h)
        if hf is None or h == g:
            continue
        words = " ".join(toks[i + 1:])
        if place(words) is not None or country_code(words) is not None:
            continue
        if not hf.curated and (len(toks) - i - 1 < 2 or hf.n_mentions < MIN_NAME_HOST_MENTIONS):
            continue
        return Host(g, h, "name", 1, 1.0)
    return None


def _colisted_host(g: str, f: OrgFacts, votes: HostVotes,
                   facts: dict[str, OrgFacts]) -> Host | None:
    if f.kind not in COLIST_KINDS:
        return None
    best = _best(g, votes.colisted.get(g), facts)
    if best is None:
        return None
    h, n, _ = best
    share = n / max(f.n_mentions, 1)
    if (facts[h].kind != "university" or share < MIN_COLIST_SHARE or n < MIN_COLIST_MENTIONS
            or votes.colisted_authors.get((g, h), 0) < MIN_COLIST_AUTHORS):
        return None
    return Host(g, h, "colisted", n, round(share, 3))


def without_cycles(hosts: dict[str, Host], parent: dict[str, str | None]) -> dict[str, Host]:
    """The hosts that keep the parent relation a forest, strongest evidence first: `parent`
    holds the existing parents (curated ones), and a host reaching back to G is dropped."""
    kept: dict[str, Host] = {}
    up = dict(parent)
    for h in sorted(hosts.values(), key=lambda h: (-h.n, h.org_id)):
        seen, node = {h.org_id}, h.host_id
        while node is not None and node not in seen:
            seen.add(node)
            node = up.get(node)
        if node is not None:
            continue  # the chain came back to G (or to a loop)
        kept[h.org_id] = h
        up[h.org_id] = h.host_id
    return kept
