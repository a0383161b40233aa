"""One-letter misspellings among the long tail: "Physical Intelliigence" is Physical Intelligence.

The resolver gives a generated (non-curated) organisation the slug of its normalised name, so a
typo makes a second organisation: a second bar in a chart, a "move" between the two. Curated
names already catch their misspellings (resolver.FUZZY_THRESHOLD); this pass merges generated
organisations whose names differ by one edit (a transposition counts one), corpus-wide, so the
rules are narrower than same.py's per-person ones:
- the names have the same words in the same order but one, and at least FUZZY_MIN_LEN letters;
- that word differs by a letter inserted, dropped or two letters swapped (not replaced);
- that word is alphabetic, TYPO_MIN_LEN letters or more in both names, with the same first
  TYPO_SAFE_PREFIX and last TYPO_SAFE_SUFFIX letters: the edit sits inside the word, so
  "Georgia"/"Georgian", "Korea"/"Korean", plurals, "Shanxi"/"Shaanxi", "Zhejiang"/"Zhenjiang",
  "Stanford"/"Stamford" all stay apart;
- the misspelling is rare beside the name it merges into (RARITY times fewer mentions or less):
  two common names are two organisations;
- the two do not sit in different countries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from talentgraph.resolve.orgs.text import key

FUZZY_MIN_LEN = 12
TYPO_MIN_LEN = 6
TYPO_SAFE_PREFIX = 4
TYPO_SAFE_SUFFIX = 2
RARITY = 3


@dataclass(frozen=True)
class TailOrg:
    name: str
    mentions: int
    country: str | None = None


def _blocks(words: list[str]) -> list[tuple[int, tuple[str, ...]]]:
    """(position, the words with that position's word reduced to its safe ends) for each word
    that may hold a typo: two names sharing one block differ at most in that word's middle."""
    out = []
    for i, w in enumerate(words):
        if w.isalpha() and len(w) >= TYPO_MIN_LEN:
            out.append((i, (*words[:i], f"{w[:TYPO_SAFE_PREFIX]}*{w[-TYPO_SAFE_SUFFIX:]}",
                            *words[i + 1:])))
    return out


def _slip(a: str, b: str) -> bool:
    """One letter doubled, dropped or two swapped; not one letter replaced by another, which
    makes real names of other places ("Jianghan"/"Jiangnan", "Kanazawa"/"Kanagawa": both
    universities, both found merged on the corpus before this rule)."""
    if a == b or OSA.distance(a, b, score_cutoff=1) > 1:
        return False
    return len(a) != len(b) or sorted(a) == sorted(b)


def typo_merges(orgs: Mapping[str, TailOrg]) -> dict[str, str]:
    """org id -> the org id it misspells (final targets: no chains)."""
    words = {o: key(t.name).split() for o, t in orgs.items()}
    blocks: dict[tuple[int, tuple[str, ...]], list[str]] = defaultdict(list)
    for o, ws in words.items():
        if len("".join(ws)) >= FUZZY_MIN_LEN:
            for b in _blocks(ws):
                blocks[b].append(o)
    into: dict[str, str] = {}
    for (i, _), ids in blocks.items():
        if len(ids) < 2:
            continue
        # most mentions first: each rare name merges into the most common one it misspells
        ids = sorted(ids, key=lambda o: (-orgs[o].mentions, o))
        for k, rare in enumerate(ids):
            for common in ids[:k]:
                a, b = orgs[rare], orgs[common]
                if (a.mentions * RARITY <= b.mentions
                        and not (a.country and b.country and a.country != b.country)
                        and _slip(words[rare][i], words[common][i])):
                    if rare not in into or orgs[into[rare]].mentions < b.mentions:
                        into[rare] = common
                    break
    # follow chains (a -> b -> c) to the end
    out = {}
    for rare in into:
        target, seen = into[rare], {rare}
        while target in into and target not in seen:
            seen.add(target)
            target = into[target]
        out[rare] = target
    return out
