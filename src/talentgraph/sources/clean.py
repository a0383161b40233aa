"""Text clean-up shared by connectors: HTML entities, control characters, size limits."""

from __future__ import annotations

import html
import re

# C0/C1 control characters except tab and newline; also the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")

MAX_TITLE = 2_000
MAX_NAME = 300
MAX_TEXT = 100_000  # abstracts, tldrs
MAX_SHORT = 2_000  # affiliations, keywords, positions


def unescape(text: str) -> str:
    """HTML entities decoded; some records escape twice (`&amp;#x27;`), so decode until stable."""
    for _ in range(3):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def clean_text(text: str) -> str:
    """Decode HTML entities, drop control characters, collapse runs of whitespace."""
    if "&" in text:
        text = unescape(text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def excerpt(value: object, limit: int = 200) -> str:
    """A short, printable rendering of a bad value for a quarantine row."""
    text = value if isinstance(value, str) else repr(value)
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} chars)"
