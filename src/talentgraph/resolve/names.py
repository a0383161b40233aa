"""Person names: normalisation, parsing into given/middle/family, compatibility, blocking keys.

Names are parsed here in Python, once per *distinct* raw name, into the columns of `columns()`.
Whether two parsed names can denote one person is decided by NAME_LEVELS: rules written once
(resolve/pairrules.py) that `compatibility()` evaluates in Python (for tests, for
`talentgraph person`) and that resolve/people/model.py renders as the SQL comparison levels of
the pairwise step (inside DuckDB, or Spark). Both read the same rules over the same columns, so
they cannot drift apart; tests/resolve/test_name_parity.py checks it in DuckDB on generated names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from unidecode import unidecode

from talentgraph.resolve.pairrules import (
    And,
    EditDistance,
    Eq,
    Ge,
    Initial,
    L,
    Length,
    Level,
    Not,
    Or,
    R,
    StartsWith,
    first_level,
)

# Tokens that carry no identity: honorifics before the name, generational suffixes after it.
_PREFIXES = {"dr", "prof", "professor", "mr", "mrs", "ms", "sir"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md"}
# Lower-case particles that belong to the family name when they precede it ("van der Maaten").
_PARTICLES = {"van", "von", "der", "den", "de", "da", "del", "della", "di", "dos", "du", "la",
              "le", "ten", "ter", "bin", "al", "el", "st"}
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_LETTER = re.compile(r"[^a-z\s.\-']")


@dataclass(frozen=True)
class ParsedName:
    """A name reduced to comparable parts; all fields lower-case ASCII without punctuation."""

    given: str              # first given name, hyphens removed ("jun-yan" -> "junyan")
    middle: tuple[str, ...]  # further given names or initials, in order
    family: str             # family name incl. particles, hyphens/spaces removed
    given_is_initial: bool  # the given name is only an initial ("J. Smith")

    @property
    def given_initial(self) -> str:
        return self.given[:1]

    @property
    def middle_initials(self) -> str:
        return "".join(m[:1] for m in self.middle)

    @property
    def full(self) -> str:
        """Every part in order: 'michael i jordan'."""
        return " ".join(p for p in (self.given, *self.middle, self.family) if p)

    @property
    def first_last(self) -> str:
        """Given and family name only: the key of an exact-name block."""
        return f"{self.given} {self.family}".strip()

    @property
    def last_first(self) -> str:
        """The same two parts swapped, to meet 'Wang Wei' written as 'Wei Wang'."""
        return f"{self.family} {self.given}".strip()

    @property
    def block_key(self) -> str:
        """Family name and first initial: every compatible spelling shares it (bar swaps)."""
        return f"{self.family}|{self.given_initial}"

    @property
    def empty(self) -> bool:
        return not self.family


EMPTY = ParsedName("", (), "", False)


def ascii_fold(text: str) -> str:
    """Diacritics and non-Latin scripts to plain ASCII ('Jürgen' -> 'Jurgen')."""
    return unidecode(text or "")


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(token, was_initial) pairs: dots and hyphens between letters split initials apart."""
    out: list[tuple[str, bool]] = []
    for raw in text.split():
        raw = raw.replace("'", "")
        pieces = [p for p in raw.split(".") if p.strip("-")]
        for piece in pieces:
            parts = [p for p in piece.split("-") if p]
            if not parts:
                continue
            if all(len(p) == 1 for p in parts):
                # "J.-Y." or "J" or "J-Y": initials, one token each
                out.extend((p, True) for p in parts)
            else:
                out.append(("".join(parts), False))
    return out


def parse(raw: str | None) -> ParsedName:
    """Parse a raw author string ('Zhu, Jun-Yan', 'J.-Y. Zhu', 'Jun-Yan Zhu Jr.') into parts."""
    text = _PAREN.sub(" ", ascii_fold(raw or "")).strip()
    if "," in text:
        left, _, right = text.partition(",")
        right_tokens = right.replace(".", " ").lower().split()
        if right_tokens and not all(t in _SUFFIXES for t in right_tokens) and left.strip():
            text = f"{right} {left}"  # "Family, Given" -> "Given Family"
        else:
            text = f"{left} {right}"
    text = _NOT_LETTER.sub(" ", text.lower())
    toks = _tokens(text)
    while toks and toks[0][0] in _PREFIXES and len(toks) > 1:
        toks = toks[1:]
    while toks and toks[-1][0] in _SUFFIXES and len(toks) > 1:
        toks = toks[:-1]
    if not toks:
        return EMPTY
    if len(toks) == 1:
        return ParsedName("", (), toks[0][0], False)
    # family = last token plus directly preceding particles (never the first token)
    fam_start = len(toks) - 1
    while fam_start > 1 and toks[fam_start - 1][0] in _PARTICLES:
        fam_start -= 1
    family = "".join(t for t, _ in toks[fam_start:])
    given_toks = toks[:fam_start]
    given, given_init = given_toks[0]
    middle = tuple(t for t, _ in given_toks[1:])
    # "J. Y. Zhu": the given name is the initials run; keep the first as given, rest as middle
    return ParsedName(given, middle, family, given_init or len(given) == 1)


def columns(p: ParsedName) -> dict[str, Any]:
    """The comparable columns of a parsed name (one row of the people stage's pp_names); never
    NULL: absent parts are ''. NAME_LEVELS reads only these."""
    return {"given": p.given, "middle": p.middle_initials, "family": p.family,
            "given_is_initial": p.given_is_initial, "full_name": p.full,
            "first_last": p.first_last, "last_first": p.last_first, "bk": p.block_key}


# Absent middles are compatible with anything; present ones must agree on initials.
_MIDDLES_AGREE = Or(Eq(L.middle, ""), Eq(R.middle, ""), StartsWith(L.middle, R.middle),
                    StartsWith(R.middle, L.middle))

# How two parsed names can denote one person, strongest rule first (the first that holds wins;
# none: 'other', the two cannot be one person). Exact-name pairs are further split by how
# ambiguous the name is in resolve/people/model.py.
NAME_LEVELS: tuple[Level, ...] = (
    # a name without a family name tells nothing
    Level("null", Or(Eq(L.family, ""), Eq(R.family, ""))),
    # same given and family, different middle initials (weak, often 2 people)
    Level("middle_conflict", And(Eq(L.first_last, R.first_last), Not(_MIDDLES_AGREE))),
    # same given and family, middles compatible ('Michael I. Jordan' / 'Michael Jordan')
    Level("exact", Eq(L.first_last, R.first_last)),
    # given and family swapped ('Wang Wei' / 'Wei Wang', common for CJK names)
    Level("swapped", Eq(L.first_last, R.last_first)),
    # same family; one given name is just the other's initial ('J. Smith' / 'John Smith') and
    # the middles agree, or one side is a single word ('Madonna'), which only tells the family
    Level("initial", And(
        Eq(L.family, R.family),
        Or(Eq(L.given, ""), Eq(R.given, ""),
           And(Or(L.given_is_initial, R.given_is_initial),
               Eq(Initial(L.given), Initial(R.given)), _MIDDLES_AGREE)))),
    # same family, one typo in long given names ('Jonathon' / 'Jonathan'); Jaro-Winkler would
    # also pair distinct pinyin names sharing a prefix ('Jingdong' / 'Jingbo'), which the
    # OpenReview labels show are never one person
    Level("fuzzy", And(Eq(L.family, R.family), Ge(Length(L.given), 6), Ge(Length(R.given), 6),
                       Eq(EditDistance(L.given, R.given), 1))),
)
OTHER = "other"


def level(a: ParsedName, b: ParsedName) -> str:
    """The NAME_LEVELS label of the pair: 'null' if a name is empty, 'other' if incompatible."""
    return first_level(NAME_LEVELS, columns(a), columns(b), OTHER)


def compatibility(a: ParsedName, b: ParsedName) -> str | None:
    """How two parsed names can denote one person (a NAME_LEVELS label: exact, middle_conflict,
    swapped, initial, fuzzy); None if they cannot or a name is empty."""
    found = level(a, b)
    return None if found in ("null", OTHER) else found


def compatible(a: str, b: str) -> bool:
    """True when the two raw names can denote the same person under any rule."""
    return compatibility(parse(a), parse(b)) is not None


def normalise(raw: str | None) -> str:
    """The comparable full form of a raw name ('' for an empty or unreadable one)."""
    return parse(raw).full
