"""Connector for the papercopilot/paperlists corpus: `<venue>/<venue><year>.json[.gz]` files.

Each file is a JSON array of flat records whose multi-valued fields are `;`- (or `,`-) separated
strings. Several record families exist (see the corpus MANIFEST.md); parsing is driven by what a
record's fields hold rather than by a per-file switch, so a new file of a known shape just works.

Alignment rules (why mentions sometimes carry no affiliation):
- A parallel field (`aff`, `aff_domain`, `position`, `authorids`, `dblp`, ...) is zipped with the
  author list only when it has exactly one slot per author. When the counts differ, the corpus
  dropped empty slots, so who holds which value is unknown: the values are kept on the paper
  (`aff_set`, `id_set`) and a field problem is recorded.
- Some files hold in `aff` a de-duplicated set of institutions for the whole paper (CVF sites,
  several SIGGRAPH years). A set never repeats a value, while a per-author list repeats whenever two
  coauthors share an institution, which happens on a large share of papers. A file whose
  multi-affiliation records never repeat a value is read as a set file, even when a set happens to
  have as many entries as the paper has authors.
- IEEE files write the author and id lists twice in a row; the second copy is dropped.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from talentgraph.sources.clean import (
    MAX_NAME,
    MAX_SHORT,
    MAX_TEXT,
    MAX_TITLE,
    clean_text,
    excerpt,
    has_control,
)
from talentgraph.sources.model import FIELD, FILE, RECORD, ParsedUnit, Problem

KIND = "paperlists"
FILE_NAME = re.compile(r"^(?P<venue>[a-z0-9]+?)(?P<year>(?:19|20)\d{2})\.json(?:\.gz)?$")

# Parallel per-author fields of OpenReview-style records, and the mention column each fills.
PARALLEL_IDS = {
    "dblp": "dblp",
    "google_scholar": "google_scholar",
    "orcid": "orcid",
    "homepage": "homepage",
    "linkedin": "linkedin",
}
# Never read: protected attributes are not stored, so nothing downstream can score on them.
NEVER_READ = frozenset({"gender"})

_ACL_SLUG = re.compile(r"^/[a-z]/[a-z0-9-]+/?$")
_IEEE_ID = re.compile(r"^/\d+$")
_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
_DIGITS_ONLY = re.compile(r"^\d+$")


def discover(dirs: Iterable[Path]) -> list[Path]:
    """Every corpus file under the given folders, in a stable order."""
    found: dict[str, Path] = {}
    for d in dirs:
        for path in sorted(Path(d).rglob("*.json*")):
            if FILE_NAME.match(path.name) and path.is_file():
                found.setdefault(str(path.resolve()), path)
    return sorted(found.values(), key=lambda p: (p.name, str(p)))


def venue_year(path: Path) -> tuple[str | None, int | None]:
    m = FILE_NAME.match(path.name)
    if not m:
        return None, None
    return m["venue"], int(m["year"])


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# Reading a file: whole-array parse, falling back to salvaging complete lines.


def read_file_bytes(path: Path) -> tuple[bytes, bytes, list[Problem]]:
    """Raw bytes and decompressed text of a file; a truncated gzip yields what could be read."""
    raw = path.read_bytes()
    problems: list[Problem] = []
    if not path.name.endswith(".gz"):
        return raw, raw, problems
    try:
        return raw, gzip.decompress(raw), problems
    except (EOFError, OSError, zlib.error) as exc:
        # Decompress what precedes the damage: the records it holds are still good.
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            text = d.decompress(raw)
        except zlib.error:
            text = b""
        problems.append(
            Problem(FILE, path.name, None, None, None,
                    f"damaged gzip stream ({exc}); {len(text):,} bytes could be decompressed, "
                    "complete records in them are kept")
        )
        return raw, text, problems


def parse_records(name: str, text: bytes) -> tuple[list[Any], list[Problem], bool]:
    """The records of a file: (records, problems, complete?).

    The corpus writes one record per line, so when the array as a whole does not parse (invalid
    JSON, a truncated file), each line is tried on its own and only the bad lines are lost.
    """
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return _salvage_lines(name, text, str(exc))
    if not isinstance(data, list):
        return [], [Problem(FILE, name, None, None, None,
                            f"expected a JSON array of records, found {type(data).__name__}")], False
    return data, [], True


def _salvage_lines(name: str, text: bytes, why: str) -> tuple[list[Any], list[Problem], bool]:
    problems = [Problem(FILE, name, None, None, None,
                        f"the file is not valid JSON as a whole ({why}); reading it line by line")]
    records: list[Any] = []
    for lineno, line in enumerate(text.split(b"\n"), start=1):
        s = line.strip().rstrip(b",").strip()
        if s in (b"", b"[", b"]", b"[]"):
            continue
        if s.startswith(b"["):
            s = s[1:].strip()
        if s.endswith(b"]") and not s.endswith(b"}]"):
            s = s[:-1].strip()
        elif s.endswith(b"}]"):
            s = s[:-1]
        try:
            records.append(orjson.loads(s))
        except orjson.JSONDecodeError as exc:
            problems.append(Problem(RECORD, name, None, None, None,
                                    f"line {lineno} is not a complete JSON record ({exc})",
                                    excerpt(s.decode("utf-8", "replace"))))
    return records, problems, False


# --------------------------------------------------------------------------------------------
# Splitting multi-valued strings.


def split_semicolons(value: str) -> list[str]:
    return [part.strip() for part in value.split(";")]


def split_authors(value: str) -> list[str]:
    """Author names: `;`-separated where a `;` occurs, else `,`-separated (CVF, SIGGRAPH, listings)."""
    if not value.strip():
        return []
    parts = value.split(";") if ";" in value else value.split(",")
    return [p.strip() for p in parts]


def _undouble(names: list[str]) -> tuple[list[str], bool]:
    """IEEE records repeat the whole author list; keep the first copy."""
    n = len(names)
    if n >= 2 and n % 2 == 0 and names[: n // 2] == names[n // 2 :]:
        return names[: n // 2], True
    return names, False


def classify_family(records: list[Any]) -> str:
    """The record family of a file (informational: parsing never branches on it)."""
    keys: set[str] = set()
    ids: list[str] = []
    for r in records[:200]:
        if isinstance(r, dict):
            keys.update(r)
            v = r.get("authorids")
            if isinstance(v, str) and v.strip(" ;"):
                ids.append(v.split(";")[0].strip())
    if "or_profile" in keys:
        return "A"
    if ids and sum(i.startswith("/") and _IEEE_ID.match(i) is not None for i in ids) > len(ids) / 2:
        return "E"
    if ids and sum(i.startswith("/") for i in ids) > len(ids) / 2:
        return "D" if "aff_unique_index" in keys else "F"
    if ids and ("position" in keys or "aff_domain" in keys):
        return "B"
    if "sess" in keys:
        return "G"
    if "doi" in keys and "aff" in keys and "aff_unique_index" not in keys:
        return "F"
    if "aff_unique_index" in keys:
        return "C"
    if "aff" in keys and "affs" not in keys:
        return "H"
    return "I"


def aff_is_set_file(records: list[Any]) -> bool:
    """True when the file's `aff` holds de-duplicated per-paper sets (see the module docstring)."""
    multi = repeats = 0
    for r in records:
        if not isinstance(r, dict):
            continue
        aff = r.get("aff")
        if not isinstance(aff, str) or ";" not in aff:
            continue
        parts = [p for p in split_semicolons(aff) if p]
        if len(parts) < 2:
            continue
        multi += 1
        if len(set(parts)) < len(parts):
            repeats += 1
    return multi >= 20 and repeats == 0


def normalise_decision(status: str) -> str:
    s = status.lower()
    if "withdraw" in s:
        return "withdrawn"
    if "reject" in s or "desk" in s:
        return "rejected"
    if "oral" in s or "award" in s or "best paper" in s:
        return "oral"
    if "spotlight" in s or "highlight" in s:
        return "spotlight"
    if not s:
        return "unknown"
    return "accepted"


# --------------------------------------------------------------------------------------------
# Parsing one file.


def parse_file(path: Path, ingested_at: datetime | None = None) -> ParsedUnit:
    """Read and parse one corpus file into papers, mentions and problems. Never raises on bad data."""
    path = Path(path)
    venue, year = venue_year(path)
    name = path.name
    try:
        raw, text, problems = read_file_bytes(path)
    except OSError as exc:
        unit = ParsedUnit(name, str(path), KIND, venue, year, "", 0, status="unreadable")
        unit.problems.append(Problem(FILE, name, None, None, None, f"cannot read the file: {exc}"))
        return unit
    unit = ParsedUnit(name, str(path), KIND, venue, year, file_sha256(raw), len(raw))
    unit.problems.extend(problems)
    records, parse_problems, complete = parse_records(name, text)
    unit.problems.extend(parse_problems)
    if problems or not complete:
        unit.status = "partial"
    unit.records_read = len(records) + sum(1 for p in parse_problems if p.level == RECORD)
    unit.family = classify_family(records)
    when = ingested_at or datetime.now(UTC)
    parser = _RecordParser(name, path.stem.removesuffix(".json"), venue, year, when,
                           aff_is_set_file(records), unit)
    for index, record in enumerate(records):
        parser.parse(index, record)
    return unit


class _RecordParser:
    """Turns one file's records into rows; holds the per-file context."""

    def __init__(self, name: str, stem: str, venue: str | None, year: int | None,
                 when: datetime, aff_sets: bool, unit: ParsedUnit) -> None:
        self.name = name
        self.stem = stem
        self.venue = venue
        self.year = year
        self.when = when
        self.aff_sets = aff_sets
        self.unit = unit
        self.seen_ids: dict[str, int] = {}
        self.titles: dict[str, str] = {}

    # -- problems -----------------------------------------------------------------------------
    def _problem(self, level: str, index: int, rid: str | None, fld: str | None, reason: str,
                 value: object = "") -> None:
        self.unit.problems.append(
            Problem(level, self.name, index, rid, fld, reason, excerpt(value) if value != "" else "")
        )

    # -- typed field access -------------------------------------------------------------------
    def _text(self, r: dict, key: str, index: int, rid: str | None, limit: int) -> str | None:
        v = r.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            self._problem(FIELD, index, rid, key,
                          f"expected text, found {type(v).__name__}; field dropped", v)
            return None
        s = v if isinstance(v, str) else str(v)
        if has_control(s):
            self._problem(FIELD, index, rid, key, "control characters removed", s)
        s = clean_text(s)
        if len(s) > limit:
            self._problem(FIELD, index, rid, key,
                          f"{len(s):,} characters (limit {limit:,}); field dropped", s)
            return None
        return s or None

    def _number(self, r: dict, key: str, index: int, rid: str | None, integer: bool) -> Any:
        v = r.get(key)
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            self._problem(FIELD, index, rid, key, "expected a number, found a boolean", v)
            return None
        if not integer and isinstance(v, list) and v and isinstance(v[0], (int, float)):
            v = v[0]  # OpenReview profile exports write averages as [mean, std]
        if isinstance(v, (int, float)):
            if v != v or v in (float("inf"), float("-inf")):
                return None
            return int(v) if integer else float(v)
        if isinstance(v, str):
            try:
                return int(v) if integer else float(v)
            except ValueError:
                pass
        self._problem(FIELD, index, rid, key,
                      f"expected a number, found {type(v).__name__}; field dropped", v)
        return None

    def _record_id(self, r: dict, index: int) -> str:
        for key in ("id", "ssid", "pid"):
            v = r.get(key)
            if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip():
                return clean_text(str(v))[:200]
        # No id in the record: derive a stable one from what identifies the paper.
        basis = f"{r.get('title')}|{r.get('author') or r.get('authors')}"
        return "h_" + hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()[:12]

    # -- one record -----------------------------------------------------------------------------
    def parse(self, index: int, r: Any) -> None:
        if not isinstance(r, dict):
            self._problem(RECORD, index, None, None,
                          f"expected a JSON object, found {type(r).__name__}", r)
            return
        rid = self._record_id(r, index)
        if rid in self.seen_ids:
            first = self.seen_ids[rid]
            if self.titles.get(rid) == r.get("title"):
                self._problem(RECORD, index, rid, "id",
                              f"duplicate of record #{first} (same id and title); the first is kept")
                return
            # Some files reuse an id (a session number) for different papers: keep both, under
            # an id made unique by the title, stable across re-runs.
            digest = hashlib.sha1(str(r.get("title")).encode("utf-8", "replace")).hexdigest()[:8]
            self._problem(FIELD, index, rid, "id",
                          f"id also used by record #{first} for another paper; "
                          f"stored as {rid}~{digest}")
            rid = f"{rid}~{digest}"
            if rid in self.seen_ids:
                self._problem(RECORD, index, rid, "id",
                              f"duplicate of record #{self.seen_ids[rid]}; the first is kept")
                return

        raw_title = r.get("title")
        if raw_title is None or (isinstance(raw_title, str) and not raw_title.strip()):
            self._problem(RECORD, index, rid, "title", "record has no title")
            return
        if not isinstance(raw_title, str):
            self._problem(RECORD, index, rid, "title",
                          f"expected text, found {type(raw_title).__name__}", raw_title)
            return
        if len(raw_title) > MAX_TITLE:
            self._problem(RECORD, index, rid, "title",
                          f"title is {len(raw_title):,} characters (limit {MAX_TITLE:,})", raw_title)
            return
        title = clean_text(raw_title)
        if has_control(raw_title):
            self._problem(FIELD, index, rid, "title", "control characters removed", raw_title)

        author_key = "author" if "author" in r else "authors"
        raw_authors = r.get(author_key)
        if raw_authors is None or (isinstance(raw_authors, str) and not raw_authors.strip(" ;,")):
            self._problem(RECORD, index, rid, author_key, "record has no authors")
            return
        if not isinstance(raw_authors, str):
            self._problem(RECORD, index, rid, author_key,
                          f"expected `;`-separated text, found {type(raw_authors).__name__}",
                          raw_authors)
            return
        names, doubled = _undouble(split_authors(raw_authors))
        n = len(names)

        paper_id = f"{self.stem}/{rid}"
        self.seen_ids[rid] = index
        self.titles[rid] = raw_title
        status = self._text(r, "status", index, rid, 200) or ""
        keywords_text = self._text(r, "keywords", index, rid, MAX_TEXT)
        keywords = [k for k in (clean_text(x) for x in keywords_text.split(";"))
                    if k] if keywords_text else []

        mentions = [self._blank_mention(paper_id, rid, i) for i in range(n)]
        for i, raw_name in enumerate(names):
            nm = clean_text(raw_name)
            if has_control(raw_name):
                self._problem(FIELD, index, rid, author_key,
                              f"control characters removed from author {i}", raw_name)
            if len(nm) > MAX_NAME:
                self._problem(FIELD, index, rid, author_key,
                              f"author {i} name is {len(nm):,} characters; mention dropped", nm)
                nm = ""
            mentions[i]["raw_name"] = nm

        aff_set = self._affiliations(r, index, rid, mentions, n)
        id_set = self._author_ids(r, index, rid, mentions, n, doubled)
        for key, column in PARALLEL_IDS.items():
            self._parallel(r, key, index, rid, mentions, column, n)
        self._parallel(r, "position", index, rid, mentions, "role", n)
        self._parallel(r, "aff_domain", index, rid, mentions, "affiliation_domain", n)
        self._parallel(r, "email", index, rid, mentions, "email_domain", n)
        self._unique_norms(r, index, rid, mentions, n)

        self.unit.papers.append({
            "paper_id": paper_id,
            "source_file": self.name,
            "record_id": rid,
            "record_index": index,
            "venue": self.venue,
            "year": self.year,
            "title": title,
            "abstract": self._text(r, "abstract", index, rid, MAX_TEXT),
            "tldr": self._text(r, "tldr", index, rid, MAX_TEXT),
            "keywords": keywords,
            "primary_area": self._text(r, "primary_area", index, rid, MAX_SHORT),
            "status": status or None,
            "decision": normalise_decision(status),
            "track": self._text(r, "track", index, rid, 200),
            "citations": self._number(r, "gs_citation", index, rid, integer=True),
            "rating_avg": self._number(r, "rating_avg", index, rid, integer=False),
            "n_authors": n,
            "site": self._text(r, "site", index, rid, MAX_SHORT),
            "pdf": self._text(r, "pdf", index, rid, MAX_SHORT),
            "doi": self._text(r, "doi", index, rid, MAX_SHORT),
            "aff_set": aff_set,
            "id_set": id_set,
            "ingested_at": self.when,
        })
        for m in mentions:
            if m["raw_name"]:
                self.unit.mentions.append(m)
            else:
                self._problem(FIELD, index, rid, author_key,
                              f"author {m['position']} has an empty name; mention dropped")

    def _blank_mention(self, paper_id: str, rid: str, position: int) -> dict[str, Any]:
        return {
            "paper_id": paper_id, "position": position, "raw_name": "",
            "raw_affiliation": None, "aff_norm": None, "aff_country": None,
            "affiliation_domain": None, "email": None, "email_domain": None, "role": None,
            "openreview_id": None, "acl_id": None, "ieee_id": None, "dblp": None,
            "google_scholar": None, "orcid": None, "homepage": None, "linkedin": None,
            "aff_aligned": False, "source_file": self.name, "record_id": rid,
            "year": self.year, "ingested_at": self.when,
        }

    def _list_field(self, r: dict, key: str, index: int, rid: str) -> list[str] | None:
        v = r.get(key)
        if v is None or v == "":
            return None
        if not isinstance(v, str):
            self._problem(FIELD, index, rid, key,
                          f"expected `;`-separated text, found {type(v).__name__}; field dropped", v)
            return None
        if len(v) > MAX_TEXT:
            self._problem(FIELD, index, rid, key, f"{len(v):,} characters; field dropped", v)
            return None
        parts = split_semicolons(v)
        if all(not p for p in parts):
            return None
        return [clean_text(p)[:MAX_SHORT] for p in parts]

    def _parallel(self, r: dict, key: str, index: int, rid: str, mentions: list[dict],
                  column: str, n: int) -> None:
        parts = self._list_field(r, key, index, rid)
        if parts is None:
            return
        if len(parts) == 2 * n and parts[:n] == parts[n:]:
            parts = parts[:n]
        if len(parts) != n:
            self._problem(FIELD, index, rid, key,
                          f"{len(parts)} values for {n} authors; not attributed to authors")
            return
        for m, value in zip(mentions, parts, strict=True):
            if value:
                m[column] = value

    def _affiliations(self, r: dict, index: int, rid: str, mentions: list[dict],
                      n: int) -> list[str]:
        key = "aff" if r.get("aff") not in (None, "") else "affs"
        parts = self._list_field(r, key, index, rid)
        if parts is None:
            return []
        values = [p for p in parts if p]
        if key == "aff" and "Under double-blind review" in values:
            return []
        if self.aff_sets and key == "aff":
            return sorted(set(values))
        if len(parts) != n:
            self._problem(FIELD, index, rid, key,
                          f"{len(parts)} affiliations for {n} authors; kept as the paper's "
                          "affiliation set, not attributed to authors")
            return sorted(set(values))
        for m, value in zip(mentions, parts, strict=True):
            if value:
                m["raw_affiliation"] = value.replace("+", " + ") if key == "affs" else value
                m["aff_aligned"] = True
        return []

    def _unique_norms(self, r: dict, index: int, rid: str, mentions: list[dict], n: int) -> None:
        """Per-author normalised institution and country from the corpus' `aff_unique_*` fields."""
        for idx_key, names_key, column in (
            ("aff_unique_index", "aff_unique_norm", "aff_norm"),
            ("aff_country_unique_index", "aff_country_unique", "aff_country"),
        ):
            idx, names = r.get(idx_key), r.get(names_key)
            if not isinstance(idx, str) or not isinstance(names, str) or not idx or not names:
                continue
            slots = split_semicolons(idx)
            table = split_semicolons(names)
            if len(slots) != n:
                continue
            for m, slot in zip(mentions, slots, strict=True):
                picked = []
                for part in slot.split("+"):
                    part = part.strip()
                    if _DIGITS_ONLY.match(part) and int(part) < len(table) and table[int(part)]:
                        picked.append(clean_text(table[int(part)]))
                if picked:
                    m[column] = " + ".join(picked)

    def _author_ids(self, r: dict, index: int, rid: str, mentions: list[dict], n: int,
                    doubled: bool) -> list[str]:
        parts = self._list_field(r, "authorids", index, rid)
        if parts is None:
            return []
        if doubled and len(parts) == 2 * n:
            parts = parts[:n]
        if len(parts) != n:
            self._problem(FIELD, index, rid, "authorids",
                          f"{len(parts)} ids for {n} authors; kept on the paper, not attributed")
            return sorted({p for p in parts if p})
        for m, value in zip(mentions, parts, strict=True):
            if not value:
                continue
            if value.startswith("~"):
                m["openreview_id"] = value
            elif _EMAIL.match(value):
                # An e-mail used as an identifier: personal data, kept apart and shown by role.
                m["email"] = value.lower()
                m["email_domain"] = value.rsplit("@", 1)[1].lower()
            elif _ACL_SLUG.match(value):
                m["acl_id"] = value.strip("/")
            elif _IEEE_ID.match(value):
                m["ieee_id"] = value.strip("/")
            elif _ORCID.search(value):
                m["orcid"] = _ORCID.search(value).group(0)
            elif value.endswith("/Authors"):
                continue  # an OpenReview group ("Paper12/Authors"), not a person
            else:
                self._problem(FIELD, index, rid, "authorids",
                              f"author {m['position']} id of unknown kind; ignored", value)
        return []


def iter_units(paths: Iterable[Path]) -> Iterator[ParsedUnit]:
    for path in paths:
        yield parse_file(path)


def ingest(con: Any, dirs: Iterable[Path], progress: Any = None) -> dict[str, Any]:
    """Ingest every corpus file under `dirs`; each file in its own transaction."""
    from talentgraph.store.ingest import write_unit

    files = discover(dirs)
    totals: dict[str, Any] = {"files": len(files), "ingested": 0, "replaced": 0, "unchanged": 0,
                              "papers": 0, "mentions": 0, "records_dropped": 0, "problems": 0}
    for done, path in enumerate(files, start=1):
        result = write_unit(con, parse_file(path))
        totals[result.outcome] += 1
        for key in ("papers", "mentions", "records_dropped", "problems"):
            totals[key] += getattr(result, key)
        if progress:
            progress("ingest", done, len(files), path.name)
    return totals
