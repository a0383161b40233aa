"""The one rule for comparing a name a user types with a name in the store: accents, case and
punctuation do not count ("Baptiste Rozière", "baptiste roziere" and "Rozière, Baptiste." are
not all equal: the order of words counts, so the last one differs; `name_key` sorts nothing).

unidecode (as in resolve.names) folds letters DuckDB's strip_accents leaves alone (ø, ß, ł), so
keys are computed here in Python and stored (`person_name_keys`, `positions.name_key`), never
recomputed in SQL.
"""

from __future__ import annotations

import re

from unidecode import unidecode

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def name_key(text: str | None) -> str:
    """'Baptiste Rozière' -> 'baptiste roziere'; 'Jean-Rémi King' -> 'jean remi king'."""
    if not text:
        return ""
    return _NOT_ALNUM.sub(" ", unidecode(text).lower()).strip()
