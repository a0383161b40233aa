"""How venues and topics are written for people (letters): 'nips' is NeurIPS, and a track name
("Natural Language Processing: Language Generation, ...") is never pasted as a topic."""

from __future__ import annotations

import re

# The corpus's short venue codes whose usual written form is not the upper-cased code.
NAMES = {"nips": "NeurIPS", "neurips": "NeurIPS", "corl": "CoRL", "colm": "COLM",
         "siggraph": "SIGGRAPH", "siggraphasia": "SIGGRAPH Asia", "www": "The Web Conference",
         "automl": "AutoML", "acmmm": "ACM MM"}
MAX_TOPIC_WORDS = 6


def venue_name(code: str | None) -> str | None:
    """The written name of a venue code ('nips' -> 'NeurIPS', 'acl' -> 'ACL')."""
    if not code or not code.strip():
        return None
    code = code.strip()
    return NAMES.get(code.lower(), code.upper() if code.isalpha() else code)


def _topic(piece: str) -> str | None:
    # "Area: Sub-area" (IJCAI-style track names): the sub-area says what the work is about
    text = piece.rsplit(":", 1)[-1].strip(" .-")
    if not text or len(text.split()) > MAX_TOPIC_WORDS or not re.search(r"[a-zA-Z]", text):
        return None
    # lower-case the words, keep acronyms (LLM, RLHF) as they are
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in text.split())


def clean_topics(keywords: list[str], limit: int) -> list[str]:
    """Topics a person can read in a sentence: track names split into their sub-areas, lists
    split, case-insensitive duplicates and over-long phrases dropped, in the given order."""
    out: list[str] = []
    seen: set[str] = set()
    for kw in keywords:
        for piece in re.split(r"[;,]", kw or ""):
            topic = _topic(piece)
            if topic and topic.lower() not in seen:
                seen.add(topic.lower())
                out.append(topic)
    return out[:limit]
