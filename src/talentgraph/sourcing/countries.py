"""Country names as the records write them ("United States", "China + China", "US") to ISO codes."""

from __future__ import annotations

from functools import lru_cache

# Names the records use that pycountry's lookup does not know.
_EXTRA = {
    "south korea": "KR", "korea": "KR", "north korea": "KP", "russia": "RU", "iran": "IR",
    "taiwan": "TW", "vietnam": "VN", "czech republic": "CZ", "turkey": "TR", "uk": "GB",
    "england": "GB", "scotland": "GB", "usa": "US", "hong kong": "HK", "macau": "MO",
    "syria": "SY", "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "moldova": "MD", "palestine": "PS", "brunei": "BN",
}


@lru_cache(maxsize=4096)
def to_code(value: str | None) -> str | None:
    """ISO alpha-2 code of a country name or code (the first of ' + '-joined ones), else None."""
    if not value:
        return None
    first = value.split(" + ")[0].strip()
    if not first:
        return None
    key = first.lower()
    if key in _EXTRA:
        return _EXTRA[key]
    # imported here: only --country and the index build ask (~10 ms of every search's start-up)
    import pycountry

    try:
        return pycountry.countries.lookup(first).alpha_2
    except LookupError:
        return None
