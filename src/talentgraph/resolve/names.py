"""Person names: normalisation, parsing into given/middle/family, compatibility, blocking keys.

The same rules exist twice on purpose: here in Python (for tests, for `talentgraph person` and
to parse each *distinct* raw name once) and as SQL comparison levels in resolve/people/model.py
(so the pairwise step runs inside DuckDB or Spark). The SQL levels only compare the columns this
module produces, so the two cannot drift apart on how a name is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein
from unidecode import unidecode

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


def _middles_compatible(a: ParsedName, b: ParsedName) -> bool:
    """Absent middles are compatible with anything; present ones must agree on initials."""
    ma, mb = a.middle_initials, b.middle_initials
    if not ma or not mb:
        return True
    return ma.startswith(mb) or mb.startswith(ma)


def compatibility(a: ParsedName, b: ParsedName) -> str | None:
    """How two parsed names can denote one person, strongest rule first; None if they cannot.

    Levels (mirrored as SQL in resolve/people/model.py):
    exact       same given and family, middles compatible ('Michael I. Jordan' / 'Michael Jordan')
    middle_conflict  same given and family, different middle initials (weak, often 2 people)
    swapped     given and family swapped ('Wang Wei' / 'Wei Wang', common for CJK names)
    initial     same family, one given name is just the other's initial ('J. Smith' / 'John Smith')
    fuzzy       same family, one typo in long given names ('Jonathon' / 'Jonathan'); not
                near pinyin names ('Jingdong' / 'Jingbo' are different people)
    """
    if a.empty or b.empty:
        return None
    if a.given == b.given and a.family == b.family:
        return "exact" if _middles_compatible(a, b) else "middle_conflict"
    if a.given and b.given and a.given == b.family and a.family == b.given:
        return "swapped"
    if a.family != b.family:
        return None
    if not a.given or not b.given:
        return "initial"  # a single-word name ('Mononym') only tells the family name
    if (a.given_is_initial or b.given_is_initial) and a.given_initial == b.given_initial:
        return "initial" if _middles_compatible(a, b) else None
    if min(len(a.given), len(b.given)) >= 6 and DamerauLevenshtein.distance(a.given, b.given) == 1:
        return "fuzzy"
    return None


def compatible(a: str, b: str) -> bool:
    """True when the two raw names can denote the same person under any rule."""
    return compatibility(parse(a), parse(b)) is not None


def normalise(raw: str | None) -> str:
    """The comparable full form of a raw name ('' for an empty or unreadable one)."""
    return parse(raw).full
