"""Two organisation ids that name one organisation: the long tail's spelling variants.

The resolver gives a generated (non-curated) organisation the slug of its normalised name, so
one institution can end up under several ids: word order ("Technical University of Braunschweig"
/ "Braunschweig Technical University"), plurals ("Post and Telecommunication"), an acronym or a
postbox glued on ("University of Brasilia-UnB", "... Marine Science PMB3"), a generic word
("German Aerospace Research Center"), a country, one typo late in a long name ("Universidad de
Sevilla" / "University of Seville"), a city's other name (Genova / Genoa), an abbreviation of
the words it stands for ("TU Dresden" / "Technische Universität Dresden"), or words run
together, with at most one typo in a long name ("Kyoto Kagaku" / "Kyotokagaku" / "Kotokagaku").
A person seen under two of them has not moved. Whole-corpus merging of such names is not safe
("City University of Hong Kong" is not "University of Hong Kong", "Hunan" is not "Henan"), so
callers compare only the organisations ONE person was seen at, and the rules below stay narrow:
the same significant words, or a difference made only of acronyms and generic words, or one edit
after the first four letters of a word of six or more letters, the other words equal; an
abbreviation only stands for words whose initials it spells, beside a shared name; run-together
names must match letter for letter, kind words included, and a typo in them is taken only in
COMPACT_TYPO_MIN_LEN letters or more of name proper ("Hunan" / "Henan" stay apart). Curated
organisations are told apart by the curated tables and never merged here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from talentgraph.resolve.orgs.text import country_code, key

_STOP = frozenset({"of", "the", "de", "di", "du", "da", "do", "des", "del", "della", "degli",
                   "dell", "der", "den", "van", "von", "zu", "in", "at", "and", "y", "e", "et",
                   "fur", "for", "on", "la", "le", "les"})
_LEGAL = frozenset({"inc", "incorporated", "ltd", "limited", "llc", "co", "corp",
                    "corporation", "company", "gmbh", "ag", "sa", "plc", "srl", "spa", "bv"})
# Words whose presence or absence does not make another organisation.
_GENERIC = frozenset({"research", "center", "centre", "laboratory", "laboratorie", "lab",
                      "group", "campus", "main"})
# Words that say what kind of place an organisation is, not which one.
_KIND_WORDS = frozenset({"university", "institute", "college", "school", "academy", "tech",
                         "science", "national", "state", "polytechnic", "faculty",
                         "department", "hospital", "foundation", "society", "agency"})
_SYNONYMS = {"technology": "tech", "technical": "tech", "technological": "tech",
             "technische": "tech", "universitat": "university", "universite": "university",
             "universidad": "university", "universidade": "university",
             "universita": "university", "universiteit": "university",
             "politecnico": "polytechnic", "polytechnique": "polytechnic",
             "institut": "institute", "instituto": "institute", "istituto": "institute",
             # Cities that name universities in two languages ("University of Genova" /
             # "University of Genoa"). Written out because no installed library has exonyms.
             "genova": "genoa", "milano": "milan", "torino": "turin", "napoli": "naples",
             "firenze": "florence", "roma": "rome", "padova": "padua", "venezia": "venice",
             "munchen": "munich", "koln": "cologne", "nurnberg": "nuremberg",
             "hannover": "hanover", "wien": "vienna", "praha": "prague", "lisboa": "lisbon",
             "geneve": "geneva", "bruxelles": "brussels", "warszawa": "warsaw",
             "goteborg": "gothenburg", "kobenhavn": "copenhagen", "sevilla": "seville",
             "athina": "athens", "beograd": "belgrade", "bucuresti": "bucharest"}
_ACRONYM = re.compile(r"\b([A-Z][A-Za-z]{1,5})\b")
TYPO_MIN_LEN = 6
TYPO_SAFE_PREFIX = 4
COMPACT_TYPO_MIN_LEN = 8


def _token(t: str) -> str:
    t = _SYNONYMS.get(t, t)
    # Plurals: "posts" / "post", "sciences" / "science" (not "ss" endings: "business").
    if len(t) > 4 and t.endswith("s") and not t.endswith("ss"):
        t = t[:-1]
    return t


@lru_cache(maxsize=200_000)
def _significant(name: str) -> tuple[str, ...]:
    """The words of a name that say which organisation it is, in order, normalised."""
    out = []
    for t in key(name or "").split():
        if t in _STOP or t in _LEGAL:
            continue
        # A short number is part of a name ("Lyon 1", "Paris 13"); a postcode or a box
        # number ("PMB3") is not.
        if any(c.isdigit() for c in t) and not (t.isdigit() and len(t) <= 2):
            continue
        if country_code(t) is not None:
            continue
        out.append(_token(t))
    return tuple(out)


@lru_cache(maxsize=200_000)
def signature(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(significant words, acronyms written in the name) of an organisation name."""
    acronyms = frozenset(m.group(1).lower() for m in _ACRONYM.finditer(name or "")
                         if sum(c.isupper() for c in m.group(1)) >= 2)
    return frozenset(_significant(name)), acronyms


def compact(name: str) -> tuple[str, str, frozenset[str]]:
    """(significant words run together, in order; the same without kind words; the kind words)
    of a name: "Kyoto Kagaku Co." and "Kyotokagaku Co." give one string."""
    toks = _significant(name)
    proper = [t for t in toks if t not in _KIND_WORDS and t not in _GENERIC]
    return "".join(toks), "".join(proper), frozenset(t for t in toks if t in _KIND_WORDS)


def _abbreviates(short: frozenset[str], long: frozenset[str], acronyms: frozenset[str]) -> bool:
    """`short` is one acronym spelling the initials of the words of `long` ("tu" for
    {"tech", "university"}), in any order: the words are a set by now."""
    if len(short) != 1:
        return False
    acr = next(iter(short))
    return (acr in acronyms and len(acr) == len(long) >= 2
            and sorted(acr) == sorted(t[0] for t in long))


def _negligible(extra: frozenset[str], acronyms: frozenset[str]) -> bool:
    return all(t in _GENERIC or t in acronyms for t in extra)


@lru_cache(maxsize=200_000)
def same_organisation(a: str, b: str) -> bool:
    """Whether two organisation NAMES (display names) name one organisation (see module)."""
    if a == b:
        return True
    (wa, aa), (wb, ab) = signature(a), signature(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    acr = aa | ab
    # The shared words must name something ("Yahoo" in "Yahoo Research" / "Yahoo Labs"), not
    # only say what kind of place it is ("University" / "University Research Center").
    if _negligible(wa ^ wb, acr) and (len(wa & wb) >= 2 or (wa & wb) - _KIND_WORDS):
        return True
    da, db = wa - wb, wb - wa
    if (wa & wb) - _KIND_WORDS and (_abbreviates(da, db, acr) or _abbreviates(db, da, acr)):
        return True
    (ca, pa, ka), (cb, pb, kb) = compact(a), compact(b)
    if ca and ca == cb:
        return True
    if (ka == kb and min(len(pa), len(pb)) >= COMPACT_TYPO_MIN_LEN and pa[0] == pb[0]
            and Levenshtein.distance(pa, pb, score_cutoff=1) <= 1):
        return True
    # One typo in one long word, not near its start, the other words equal.
    if len(da) != 1 or len(db) != 1 or not wa & wb:
        return False
    ta, tb = next(iter(da)), next(iter(db))
    return (ta.isalpha() and tb.isalpha() and min(len(ta), len(tb)) >= TYPO_MIN_LEN
            and ta[:TYPO_SAFE_PREFIX] == tb[:TYPO_SAFE_PREFIX]
            and Levenshtein.distance(ta, tb, score_cutoff=1) <= 1)
