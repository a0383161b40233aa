"""Text rules for organisation names: normalised keys, segments of an affiliation, slugs, places.

An affiliation string such as "Dept. of Computer Science, Univ. of Michigan, Ann Arbor, MI, USA"
is cut into parts (dual affiliations joined with '+') and each part into segments (commas,
semicolons, slashes, parentheses). Segments are compared through a *key*: ASCII, lower case,
abbreviations expanded, local-language university patterns put in English, so that spellings
of one name meet ("Università di Siena" and "University of Siena" share the key
"university of siena"; "Shanghai Jiaotong" and "Shanghai Jiao Tong" share the compact key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from unidecode import unidecode

# PDF extraction leaves accents as separate characters ("Universit ´e", "Z¨urich").
_SPLIT_ACCENT = re.compile(r"\s*[\u00b4\u00a8\u02c6\u02dc\u02c7`\u02d8\u00b8]\s*")
# Superscript markers and footnote digits glued to the end of a word ("China3", "Research1").
_TRAILING_MARK = re.compile(
    r"(?:(?<=[a-z\u00df-\u024f]{3})(?<!\d)\d|[^\w).]+)$")
# A footnote digit glued to the start of a name ("2MPI for ...", "1School of ..."), not "3M".
_LEADING_MARK = re.compile(r"^\d(?=[A-Z][a-z]{2}|[A-Z]{2,}[a-z ])")
_GLUED_OF = re.compile(r"\b(of|ofthe)(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SEGMENT_SPLIT = re.compile(r"\s*(?:[,;/|]|\s[-\u2013\u2014]\s|\(|\)|\[|\])\s*")
_PART_SPLIT = re.compile(r"\s*\+\s*")

# Token rewrites applied to keys: abbreviations and spelling variants.
_TOKEN_MAP = {
    "univ": "university", "uni": "university", "universty": "university",
    "dept": "department", "dep": "department", "inst": "institute",
    "lab": "laboratory", "labs": "laboratories", "lab.": "laboratory",
    "centre": "center", "ctr": "center", "natl": "national", "intl": "international",
    "tech": "tech", "st": "st", "sci": "science", "technol": "technology",
    "engg": "engineering", "eng": "engineering",
}

# Abbreviated heads of whole families of institutions ("IIT Gandhinagar").
_ABBREV_HEAD = {"iit": "indian institute of technology",
                "iiit": "international institute of information technology"}

# Local-language university patterns put in English so that both spellings share one key.
_TRANSLATIONS = [
    (re.compile(r"^technische universitat (?:zu |in )?(.+)$"), r"technical university of \1"),
    (re.compile(r"^universitat (?:zu |de |des |der |di )?(.+)$"), r"university of \1"),
    (re.compile(r"^universita (?:degli studi )?(?:di |del |della |degli |dell )?(.+)$"),
     r"university of \1"),
    (re.compile(r"^universite (?:de |d |du |des )(.+)$"), r"university of \1"),
    (re.compile(r"^universidad (?:de |del )(.+)$"), r"university of \1"),
    (re.compile(r"^universidade (?:de |do |da |dos )(.+)$"), r"university of \1"),
    (re.compile(r"^universiteit (?:van )?(.+)$"), r"university of \1"),
]

# Company legal forms and other trailing noise dropped from generated names.
_LEGAL_TAIL = re.compile(
    r"(?:\s(?:inc|incorporated|ltd|limited|llc|co|corp|corporation|company|gmbh|ag|sa|s a|nv|"
    r"bv|plc|pte|pvt|private|srl|spa|kk|oy|ab|as|se|sas|sarl|r and d|holdings?|group|"
    r"technologies co|research and development))+$"
)

# Words telling what kind of organisation a name is (first match wins, most specific first).
_KIND_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("government", re.compile(r"\b(ministry|government|national laboratory|federal|agency|"
                              r"bureau|administration|army|navy|air force|nasa|"
                              r"national institutes? of health)\b")),
    ("university", re.compile(r"\b(university|universitat|universite|universita|universidad|"
                              r"universidade|universiteit|universiti|uniwersytet|universitet|"
                              r"universitatea|college|polytechnic|politecnico|polytechnique|"
                              r"hochschule|ecole|escuela|scuola superiore|scuola normale|"
                              r"scuola internazionale|school of|institute of technology|"
                              r"iit|academy of sciences)\b")),
    ("company", re.compile(r"\b(inc|ltd|limited|llc|corp|corporation|company|co|gmbh|ag|plc|"
                           r"technologies|technology co|holdings|ventures|systems inc|labs inc|"
                           r"ai inc|s a|sa|nv|bv|srl|spa|kk)\b")),
    ("industry_lab", re.compile(r"\b(research|ai research|research labs?|research center)$")),
    ("company", re.compile(r"\b(ai|robotics|analytics|software|networks|health|bio|"
                           r"therapeutics|motors|electronics|telecom)$")),
    ("institute", re.compile(r"\b(institute|institut|instituto|istituto|academy|laboratory|"
                             r"laboratories|center|centre|foundation|observatory|council|"
                             r"society|hospital|clinic|museum)\b")),
]

# The top-level head words: a segment with one of these names a whole institution.
_TOP_LEVEL = re.compile(
    r"\b(university|universitat|universite|universita|universidad|universidade|universiteit|"
    r"universiti|uniwersytet|universitet|college|polytechnic|politecnico|polytechnique|"
    r"hochschule|ecole|escuela|institute of technology|inc|ltd|limited|llc|corp|corporation|"
    r"company|gmbh|ag|plc|"
    # Italy's graduate universities (Sant'Anna, Normale, SISSA); a plain "scuola" is a unit.
    r"scuola superiore|scuola normale|scuola internazionale)\b"
)
# Words of an organisation at all (institution or unit).
_ORG_WORD = re.compile(
    r"\b(university|universitat|universite|universita|universidad|universidade|universiteit|"
    r"universiti|college|polytechnic|politecnico|polytechnique|hochschule|ecole|escuela|escola|"
    r"scuola|"
    r"institute|institut|instituto|istituto|academy|laboratory|laboratories|center|centre|"
    r"research|foundation|hospital|clinic|inc|ltd|limited|llc|corp|corporation|company|gmbh|"
    r"ag|plc|agency|ministry|council|organisation|organization|technologies|"
    r"observatory|museum|society|group)\b"
)
# A segment that only names a unit inside an institution.
_UNIT = re.compile(
    r"^(department|departement|departamento|dipartimento|faculty|facultad|school of|"
    r"graduate school|college of|division|program|programme|chair|unit|group|section|"
    r"key laboratory|state key laboratory|the department|the school|the division|"
    r"the faculty|the college of|dep of|depart)\b"
    r"|\b(department|division|program|programme|unit|team|chair|fellow)$"
    r"|\s\S+\s+group$"  # "Robot Perception Group" is a unit, "BMW Group" a company
)

_NAME_END = re.compile(r"\b(university|college|institute|laboratory|laboratories|center|school|"
                       r"academy|inc|ltd|gmbh|corporation|company|hospital|foundation)$")
_NO_ORG = frozenset({
    "independent researcher", "independent", "independent scholar", "unaffiliated", "none",
    "n a", "na", "self", "self employed", "freelance", "freelancer", "retired", "student",
    "phd student", "unknown", "unknown institution", "university affiliation not specified",
    "under double blind review", "anonymous", "anonymous institution", "private",
    "consultant", "researcher", "home", "equal contribution", "corresponding author",
})
_DISCIPLINE = frozenset({
    "computer", "computing", "science", "sciences", "engineering", "electrical", "electronic",
    "electronics", "mechanical", "civil", "chemical", "aerospace", "biomedical", "industrial",
    "mathematics", "mathematical", "applied", "physics", "statistics", "statistical",
    "informatics", "information", "data", "biology", "chemistry", "neuroscience", "psychology",
    "linguistics", "economics", "medicine", "management", "business", "systems", "technology",
    "and", "of", "the", "ece", "eecs", "cse", "cs", "ee", "me", "ai", "artificial",
    "intelligence", "machine", "learning", "robotics", "vision", "automation", "control",
    "communication", "communications",
})
_LEGAL_ONLY = re.compile(r"^(inc|ltd|llc|co ltd|co|corp|gmbh|ag|limited|sa|plc|s a)$")
_UNIT_TAIL = re.compile(r"\s(center for|center of|school of|department of|faculty of|"
                        r"institute for|laboratory for|laboratory of|graduate school)\b")

_US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
    "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
    "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire",
    "new jersey", "new mexico", "new york", "north carolina", "north dakota", "ohio",
    "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota",
    "tennessee", "texas", "utah", "vermont", "virginia", "washington", "west virginia",
    "wisconsin", "wyoming", "district of columbia",
}
_US_STATE_CODES = {
    "al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il", "in", "ia",
    "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj",
    "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt",
    "va", "wa", "wv", "wi", "wy", "dc", "on", "qc", "bc", "ab", "nsw", "vic", "qld", "act",
}
# Country spellings pycountry does not know, to ISO 3166 alpha-2.
_COUNTRY_EXTRA = {
    "usa": "US", "u s a": "US", "us": "US", "u s": "US", "united states of america": "US",
    "america": "US", "uk": "GB", "u k": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "great britain": "GB", "britain": "GB", "south korea": "KR", "korea": "KR",
    "republic of korea": "KR", "korea republic of": "KR", "s korea": "KR", "russia": "RU",
    "russian federation": "RU", "turkey": "TR", "turkiye": "TR", "iran": "IR", "vietnam": "VN",
    "viet nam": "VN", "taiwan": "TW", "taiwan roc": "TW", "roc": "TW", "china": "CN",
    "p r china": "CN", "pr china": "CN", "prc": "CN", "p r c": "CN", "mainland china": "CN",
    "peoples republic of china": "CN", "people s republic of china": "CN",
    "hong kong": "HK", "hong kong sar": "HK", "hong kong china": "HK", "hk": "HK",
    "macau": "MO", "macao": "MO", "macau sar": "MO", "czech republic": "CZ", "czechia": "CZ",
    "holland": "NL", "the netherlands": "NL", "netherlands": "NL", "uae": "AE",
    "u a e": "AE", "republic of singapore": "SG", "deutschland": "DE", "jp": "JP", "cn": "CN",
    "syria": "SY", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "laos": "LA", "brunei": "BN",
    "ivory coast": "CI", "cote d ivoire": "CI", "palestine": "PS", "kosovo": "XK",
}


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """ISO 3166 alpha-2 code of a country name or code as written in the corpus, else None."""
    if not name:
        return None
    k = key(name)
    if not k:
        return None
    if k in _COUNTRY_EXTRA:
        return _COUNTRY_EXTRA[k]
    code = _country_by_key().get(k)
    if code:
        return code
    if len(k) in (2, 3) and k not in _US_STATE_CODES:
        found = pycountry.countries.get(alpha_2=k.upper()) or pycountry.countries.get(
            alpha_3=k.upper())
        return found.alpha_2 if found else None
    return None


def clean(text: str) -> str:
    """Repair PDF artefacts of one segment or part: split accents, footnote marks, glued words."""
    text = _SPLIT_ACCENT.sub("", text)
    text = _LEADING_MARK.sub("", text.strip())
    text = _GLUED_OF.sub(r"\1 ", text)
    text = text.strip(" \t.,;:-\u2013\u2014*\u2217\u2020\u2021'\"")
    text = _TRAILING_MARK.sub("", text)
    return text.strip()


@lru_cache(maxsize=200_000)
def key(text: str) -> str:
    """The comparison key of a name: ASCII, lower case, abbreviations expanded, in English."""
    s = unidecode(clean(text)).lower()
    s = s.replace("&", " and ").replace("@", " at ").replace("'", "").replace("\u2019", "")
    tokens = [_TOKEN_MAP.get(t, t) for t in _NON_ALNUM.sub(" ", s).split()]
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    if tokens and tokens[0] in _ABBREV_HEAD:
        tokens = _ABBREV_HEAD[tokens[0]].split() + tokens[1:]
    s = " ".join(tokens)
    for pattern, repl in _TRANSLATIONS:
        if pattern.match(s):
            s = pattern.sub(repl, s)
            break
    return s


def compact(k: str) -> str:
    """A key without spaces: "jiao tong" and "jiaotong" meet."""
    return k.replace(" ", "")


# Function words that change no organisation name: "Institute of/for X", "University in X".
# Not "and" ("Chinese Academy and Sciences" is a typo, not the academy's name).
_FUNCTION_WORDS = frozenset({"of", "for", "the", "in", "at", "on", "de", "di", "du", "da", "do",
                             "des", "del", "della", "degli", "der", "fur"})


def content(k: str) -> str:
    """A key without the function words inside it: "max planck institute of intelligent
    systems" and "... for intelligent systems" meet. Word order is kept ("University of X" / "X
    University" stay apart), and so are a first and a last word: a fragment ("at Scale", "and
    Vector Institute") is not a name."""
    toks = k.split()
    return " ".join(t for i, t in enumerate(toks)
                    if t not in _FUNCTION_WORDS or i == 0 or i == len(toks) - 1)


def slug(k: str) -> str:
    """A stable id from a key: legal forms and numbers dropped, words joined by '-'."""
    s = _LEGAL_TAIL.sub("", k)
    # Short numbers belong to names ("Universite Paris 13"); longer ones are postcodes.
    tokens = [t for t in s.split() if not (t.isdigit() and len(t) > 2)]
    return "-".join(tokens)[:160].strip("-")


def split_parts(raw: str) -> list[str]:
    """The affiliations of one author: parts joined by '+' (and "Face++" kept whole)."""
    protected = raw.replace("++", "\x00")
    return [p.replace("\x00", "++").strip() for p in _PART_SPLIT.split(protected)
            if p.strip(" \x00")]


@dataclass(frozen=True)
class Segment:
    text: str          # cleaned original text
    key: str
    paren: bool        # was inside parentheses (often an abbreviation)
    geo: str | None    # ISO country when the segment is a country; "" for another place


def split_segments(part: str) -> list[Segment]:
    """The segments of one affiliation part, in order, with places recognised."""
    out: list[Segment] = []
    depth_paren = False
    pieces = re.split(r"(\(|\)|\[|\])", part)
    for piece in pieces:
        if piece in ("(", "["):
            depth_paren = True
            continue
        if piece in (")", "]"):
            depth_paren = False
            continue
        for seg in _SEGMENT_SPLIT.split(piece):
            text = clean(seg)
            if not text:
                continue
            k = key(text)
            if not k:
                continue
            if _LEGAL_ONLY.match(k) and out and not out[-1].paren:
                # "Willow Garage, Inc.": the legal form belongs to the name before it.
                prev = out.pop()
                text = f"{prev.text}, {text}"
                k = f"{prev.key} {k}"
            out.append(Segment(text, k, depth_paren, place(k)))
    return out


def strip_country(k: str) -> str:
    """A name key without trailing country words ("copenhagen business college denmark")."""
    toks = k.split()
    for n in (3, 2, 1):
        if len(toks) > n + 1:
            tail = " ".join(toks[-n:])
            rest = " ".join(toks[:-n])
            # Only after a complete name: "national university of colombia" keeps its country.
            if (tail in _COUNTRY_EXTRA or tail in _country_by_key()) and _NAME_END.search(rest):
                return rest
    return k


def cut_unit(k: str) -> str:
    """A top-level name followed by one of its units, cut before the unit
    ("queensland university of technology center for robotics")."""
    m = _UNIT_TAIL.search(k)
    if m and _TOP_LEVEL.search(k[:m.start()]):
        return k[:m.start()].strip()
    return k


def place(k: str) -> str | None:
    """ISO code when a segment key is a country, "" when it is another kind of place/code."""
    if k in _COUNTRY_EXTRA:
        return _COUNTRY_EXTRA[k]
    tokens = k.split()
    if all(t.isdigit() or sum(c.isdigit() for c in t) >= 2 for t in tokens):
        return ""  # postcodes, street numbers
    if k in _US_STATES or k in _US_STATE_CODES:
        return ""
    # "CA 91125", "Stuttgart 70569", "Tokyo 113 8654": a place followed by a postcode.
    if len(tokens) >= 2 and tokens[-1].isdigit() and not _ORG_WORD.search(k):
        return ""
    if not _ORG_WORD.search(k) and len(k) > 3:
        code = _country_by_key().get(k)
        if code:
            return code
    return None


@lru_cache(maxsize=1)
def _country_by_key() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                table[key(value)] = c.alpha_2
    return table


def kind_from_words(k: str) -> str:
    """A guess of an organisation's kind from the words of its name."""
    for kind, pattern in _KIND_WORDS:
        if pattern.search(k):
            return kind
    return "unknown"


# Words that say what kind of place something is, never which one: a key made of these alone is
# a fragment ("Ltd" split off "X Co., Ltd", "Research Center"), and as an organisation it made
# moves such as "University of Michigan -> Research". (With a discipline word it may be a name:
# "Computer Vision Center" is CVC in Barcelona.)
_GENERIC = frozenset({
    "university", "universities", "laboratory", "laboratories", "lab", "labs", "research",
    "center", "centre", "centers", "institute", "institutes", "school", "college", "academy",
    "group", "company", "corporation", "limited", "inc", "ltd", "llc", "co", "corp", "gmbh",
    "ag", "sa", "plc", "key", "state", "national", "department", "faculty", "division",
})


# Heads of the ways people write that they have no organisation ("Individual", "Independent
# Consultant", "Independent Researcher London"); with an organisation word the name is one
# ("Independent University, Bangladesh").
_NO_ORG_HEADS = ("independent", "individual", "unaffiliated", "personal", "self ")


def names_nothing(k: str) -> bool:
    """A key that names no organisation: "Independent Researcher", "Individual", "Computer
    Science", "Research Center", "Ltd"."""
    toks = k.split()
    if k.startswith(_NO_ORG_HEADS) and not has_org_word(k):
        return True
    return k in _NO_ORG or bool(toks) and (all(t in _DISCIPLINE for t in toks)
                                           or all(t in _GENERIC for t in toks))


def is_top_level(k: str) -> bool:
    return bool(_TOP_LEVEL.search(k)) and not is_unit(k)


def is_unit(k: str) -> bool:
    return bool(_UNIT.search(k))


def has_org_word(k: str) -> bool:
    return bool(_ORG_WORD.search(k))
