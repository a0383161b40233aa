"""Connector for OpenAlex works: snapshot JSON Lines files and REST API queries.

A unit is one snapshot file (`works/updated_date=YYYY-MM-DD/part_NNN.gz`, gzip'd JSON Lines) or
one API query (a `filter`). Each Work becomes a paper row (`paper_id` "openalex/W...") and one
mention per authorship, with the same columns as the paperlists rows plus the OpenAlex ids
(`openalex_id` on both, `aff_ror` on mentions; see store/sql/002_openalex_ids.sql).

Everything OpenAlex gives per authorship is attributed to that author (institutions, raw
affiliation strings), so mentions are `aff_aligned` whenever they carry an affiliation and the
paper-level `aff_set` / `id_set` stay empty. `aff_country` holds ISO country codes as OpenAlex
writes them ("US"), joined with " + " like `aff_norm`.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from talentgraph.errors import SourceError
from talentgraph.sources.clean import MAX_NAME, MAX_SHORT, MAX_TEXT, MAX_TITLE, clean_text, excerpt
from talentgraph.sources.clean import has_control as _has_control
from talentgraph.sources.model import FIELD, FILE, RECORD, ParsedUnit, Problem

KIND = "openalex"
FAMILY_SNAPSHOT = "openalex-snapshot"
FAMILY_API = "openalex-api"

_WORK_ID = re.compile(r"^(?:https?://openalex\.org/)?(W\d+)$", re.IGNORECASE)
_AUTHOR_ID = re.compile(r"^(?:https?://openalex\.org/)?(A\d+)$", re.IGNORECASE)
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
_CHUNK = 1 << 20
_PIECE = 1 << 16
MAX_LINE = 64 << 20  # a single work is a few kB; a longer line is damage, not data
MAX_ABSTRACT_WORDS = 20_000
BATCH_WORKS = 20_000  # works per batch written: bounds memory on 2 GB snapshot parts


def short_id(value: Any, pattern: re.Pattern[str] = _WORK_ID) -> str | None:
    """ "https://openalex.org/W123" -> "W123"; None when the value is not such an id."""
    if not isinstance(value, str):
        return None
    m = pattern.match(value.strip())
    return m.group(1).upper() if m else None


def rebuild_abstract(inverted: dict[str, Any]) -> tuple[str, str | None]:
    """Abstract text from an `abstract_inverted_index` {word: [positions]}: (text, problem)."""
    try:
        at = {p: word for word, positions in inverted.items() for p in positions}
        clean = set(map(type, at)) <= {int} and (not at or min(at) >= 0)  # C-speed checks
    except TypeError:  # a value that is not a list
        clean = False
    bad = 0
    if not clean:
        at = {}
        for word, positions in inverted.items():
            for p in positions if isinstance(positions, list) else [None]:
                if type(p) is int and p >= 0:
                    at[p] = word
                else:
                    bad += 1
    if len(at) > MAX_ABSTRACT_WORDS:
        return "", f"{len(at):,} words (limit {MAX_ABSTRACT_WORDS:,}); abstract dropped"
    # Positions may skip numbers (OpenAlex drops some tokens): join in order, never pad.
    text = clean_text(" ".join([at[p] for p in sorted(at)]))
    return text, (f"{bad} word positions are not non-negative integers; those words dropped"
                  if bad else None)


def _fast(value: Any, limit: int) -> bool:
    """True for text that clean_text would leave as it is (the common case, checked cheaply)."""
    return (type(value) is str and len(value) <= limit and value.isprintable()
            and "&" not in value and "  " not in value and value == value.strip())


# --------------------------------------------------------------------------------------------
# Work -> rows


class WorkParser:
    """Turns the Works of one unit into paper and mention rows; holds the per-unit context."""

    def __init__(self, unit: ParsedUnit, when: datetime) -> None:
        self.unit = unit
        self.name = unit.source_file
        self.when = when
        self.seen: dict[str, int] = {}
        # A snapshot part's folder says when its works were last updated: the fallback for a
        # work without its own `updated_date`.
        self.partition_date = partition_date(unit.source_file)

    def _problem(self, level: str, index: int | None, rid: str | None, fld: str | None,
                 reason: str, value: object = "", where: str = "") -> None:
        self.unit.problems.append(Problem(level, self.name, index, rid, fld,
                                          f"{where}: {reason}" if where else reason,
                                          excerpt(value) if value != "" else ""))

    def _text(self, value: Any, fld: str, index: int, rid: str, limit: int,
              where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self._problem(FIELD, index, rid, fld,
                          f"expected text, found {type(value).__name__}; field dropped",
                          value, where)
            return None
        if _fast(value, limit):
            return value or None
        if _has_control(value):
            self._problem(FIELD, index, rid, fld, "control characters removed", value, where)
        s = clean_text(value)
        if len(s) > limit:
            self._problem(FIELD, index, rid, fld,
                          f"{len(s):,} characters (limit {limit:,}); field dropped", s, where)
            return None
        return s or None

    def _int(self, value: Any, fld: str, index: int, rid: str, where: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        self._problem(FIELD, index, rid, fld,
                      f"expected an integer, found {type(value).__name__}; field dropped",
                      value, where)
        return None

    def _count(self, value: Any, fld: str, index: int, rid: str, where: str) -> int | None:
        n = self._int(value, fld, index, rid, where)
        if n is not None and n < 0:
            self._problem(FIELD, index, rid, fld, "a count below zero; field dropped", value,
                          where)
            return None
        return n

    def _dict(self, value: Any, fld: str, index: int, rid: str, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._problem(FIELD, index, rid, fld,
                          f"expected an object, found {type(value).__name__}; field dropped",
                          value, where)
            return {}
        return value

    def _list(self, value: Any, fld: str, index: int, rid: str, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self._problem(FIELD, index, rid, fld,
                          f"expected a list, found {type(value).__name__}; field dropped",
                          value, where)
            return []
        return value

    def _names(self, items: list[Any], fld: str, index: int, rid: str, where: str) -> list[str]:
        """The `display_name`s of a list of objects (keywords, topics, institutions, ...)."""
        out: list[str] = []
        for i, item in enumerate(items):
            name = item.get("display_name") if type(item) is dict else None
            if name is None:
                continue
            s = name if _fast(name, MAX_SHORT) else self._text(
                name, f"{fld}[{i}].display_name", index, rid, MAX_SHORT, where)
            if s and s not in out:
                out.append(s)
        return out

    def parse(self, index: int, work: Any, where: str = "") -> None:
        """Add the rows of one Work to the unit, or a problem saying why it was dropped."""
        if not isinstance(work, dict):
            self._problem(RECORD, index, None, None,
                          f"expected a JSON object, found {type(work).__name__}", work, where)
            return
        rid = short_id(work.get("id"))
        if rid is None:
            self._problem(RECORD, index, None, "id",
                          "missing or malformed OpenAlex work id (expected https://openalex.org/W…)",
                          work.get("id", ""), where)
            return
        if rid in self.seen:
            self._problem(RECORD, index, rid, "id",
                          f"duplicate of record #{self.seen[rid]}; the first is kept", "", where)
            return

        key = "title" if work.get("title") not in (None, "") else "display_name"
        raw_title = work.get(key)
        if raw_title is None or (isinstance(raw_title, str) and not raw_title.strip()):
            self._problem(RECORD, index, rid, "title", "work has no title", "", where)
            return
        if not isinstance(raw_title, str):
            self._problem(RECORD, index, rid, key,
                          f"expected text, found {type(raw_title).__name__}", raw_title, where)
            return
        if len(raw_title) > MAX_TITLE:
            self._problem(RECORD, index, rid, key,
                          f"title is {len(raw_title):,} characters (limit {MAX_TITLE:,})",
                          raw_title, where)
            return
        if _has_control(raw_title):
            self._problem(FIELD, index, rid, key, "control characters removed", raw_title, where)
        title = clean_text(raw_title)

        authorships = work.get("authorships")
        if not isinstance(authorships, list):
            if authorships is None:
                self._problem(RECORD, index, rid, "authorships", "work has no authorships", "",
                              where)
            else:
                self._problem(RECORD, index, rid, "authorships",
                              f"expected a list, found {type(authorships).__name__}",
                              authorships, where)
            return
        year = self._int(work.get("publication_year"), "publication_year", index, rid, where)
        paper_id = f"openalex/{rid}"
        mentions = [m for pos, a in enumerate(authorships)
                    if (m := self._mention(a, pos, paper_id, rid, index, year, where)) is not None]
        if not mentions:
            self._problem(RECORD, index, rid, "authorships",
                          "work has no usable authorships" if authorships else
                          "work has no authorships", "", where)
            return
        self.seen[rid] = index

        location = self._dict(work.get("primary_location"), "primary_location", index, rid, where)
        source = self._dict(location.get("source"), "primary_location.source", index, rid, where)
        best_oa = self._dict(work.get("best_oa_location"), "best_oa_location", index, rid, where)
        keywords = self._names(self._list(work.get("keywords"), "keywords", index, rid, where),
                               "keywords", index, rid, where)
        for fld in ("topics", "concepts"):
            for name in self._names(self._list(work.get(fld), fld, index, rid, where),
                                    fld, index, rid, where):
                if name not in keywords:
                    keywords.append(name)
        primary_topic = self._dict(work.get("primary_topic"), "primary_topic", index, rid, where)
        doi = self._text(work.get("doi"), "doi", index, rid, MAX_SHORT, where)

        self.unit.papers.append({
            "paper_id": paper_id,
            "source_file": self.name,
            "record_id": rid,
            "record_index": index,
            "venue": self._text(source.get("display_name"), "primary_location.source.display_name",
                                index, rid, MAX_SHORT, where),
            "year": year,
            "title": title,
            "abstract": self._abstract(work.get("abstract_inverted_index"), index, rid, where),
            "keywords": keywords,
            "primary_area": self._text(primary_topic.get("display_name"),
                                       "primary_topic.display_name", index, rid, MAX_SHORT, where),
            "status": self._text(work.get("type"), "type", index, rid, 200, where),
            "decision": "unknown",  # OpenAlex records publication, not a venue's decision
            "citations": self._count(work.get("cited_by_count"), "cited_by_count", index, rid,
                                     where),
            "n_authors": len(authorships),
            "site": self._text(location.get("landing_page_url"),
                               "primary_location.landing_page_url", index, rid, MAX_SHORT, where),
            "pdf": self._text(location.get("pdf_url") or best_oa.get("pdf_url"), "pdf_url",
                              index, rid, MAX_SHORT, where),
            "doi": _DOI.sub("", doi) if doi else None,
            "aff_set": [],
            "id_set": [],
            "openalex_id": rid,
            "updated_date": self._updated(work.get("updated_date"), index, rid, where),
            "ingested_at": self.when,
        })
        self.unit.mentions.extend(mentions)

    def _updated(self, value: Any, index: int, rid: str, where: str) -> datetime | None:
        """The work's `updated_date` as naive UTC (the store's TIMESTAMP), else the partition's."""
        if value is None:
            return self.partition_date
        if isinstance(value, str):
            try:
                when = datetime.fromisoformat(value.strip())
                return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
            except (ValueError, OverflowError):  # not a date; or year 1 shifted before year 1
                pass
        self._problem(FIELD, index, rid, "updated_date",
                      "expected an ISO date-time; field dropped", value, where)
        return self.partition_date

    def _abstract(self, value: Any, index: int, rid: str, where: str) -> str | None:
        inverted = self._dict(value, "abstract_inverted_index", index, rid, where)
        if not inverted:
            return None
        text, trouble = rebuild_abstract(inverted)
        if trouble:
            self._problem(FIELD, index, rid, "abstract_inverted_index", trouble, "", where)
        if len(text) > MAX_TEXT:
            self._problem(FIELD, index, rid, "abstract_inverted_index",
                          f"{len(text):,} characters (limit {MAX_TEXT:,}); abstract dropped",
                          text, where)
            return None
        return text or None

    def _mention(self, a: Any, pos: int, paper_id: str, rid: str, index: int, year: int | None,
                 where: str) -> dict[str, Any] | None:
        fld = f"authorships[{pos}]"
        if not isinstance(a, dict):
            self._problem(FIELD, index, rid, fld,
                          f"expected an object, found {type(a).__name__}; mention dropped", a,
                          where)
            return None
        # Type checks inline, field names built only for a problem: this runs once per author.
        author = a.get("author")
        if type(author) is not dict:
            author = self._dict(author, f"{fld}.author", index, rid, where)
        name = a.get("raw_author_name")
        if name is not None and not _fast(name, MAX_NAME):
            name = self._text(name, f"{fld}.raw_author_name", index, rid, MAX_NAME, where)
        if not name:
            name = author.get("display_name")
            if name is not None and not _fast(name, MAX_NAME):
                name = self._text(name, f"{fld}.author.display_name", index, rid, MAX_NAME,
                                  where)
        if not name:
            self._problem(FIELD, index, rid, fld, "authorship has no author name; mention dropped",
                          "", where)
            return None

        institutions = a.get("institutions")
        if type(institutions) is not list:
            institutions = self._list(institutions, f"{fld}.institutions", index, rid, where)
        institutions = [i for i in institutions if type(i) is dict]
        aff_norm = self._names(institutions, f"{fld}.institutions", index, rid, where) \
            if institutions else []
        rors = _unique(i.get("ror") for i in institutions)
        countries = _unique(i.get("country_code") for i in institutions)
        if not countries:
            listed = a.get("countries")
            if listed is not None and type(listed) is not list:
                listed = self._list(listed, f"{fld}.countries", index, rid, where)
            countries = _unique(listed or ())
        raw_affs = self._raw_affiliations(a, fld, index, rid, where)

        orcid = None
        raw_orcid = author.get("orcid")
        if isinstance(raw_orcid, str) and raw_orcid.strip():
            m = _ORCID.search(raw_orcid)
            if m:
                orcid = m.group(0)
            else:
                self._problem(FIELD, index, rid, f"{fld}.author.orcid",
                              "not an ORCID iD; ignored", raw_orcid, where)
        author_id = short_id(author.get("id"), _AUTHOR_ID)
        if author.get("id") is not None and author_id is None:
            self._problem(FIELD, index, rid, f"{fld}.author.id",
                          "not an OpenAlex author id; ignored", author.get("id"), where)
        raw_affiliation = " + ".join(raw_affs) or None
        return {
            "paper_id": paper_id, "position": pos, "raw_name": name,
            "raw_affiliation": raw_affiliation,
            "aff_norm": " + ".join(aff_norm) or None,
            "aff_country": " + ".join(countries) or None,
            # Columns OpenAlex never fills (e-mail, role, OpenReview/DBLP/... ids) are left out:
            # INSERT ... BY NAME stores them as NULL, and the rows stay small.
            "orcid": orcid, "aff_aligned": bool(raw_affiliation or aff_norm),
            "source_file": self.name, "record_id": rid, "year": year,
            "openalex_id": author_id, "aff_ror": " + ".join(rors) or None,
            "ingested_at": self.when,
        }

    def _raw_affiliations(self, a: dict[str, Any], fld: str, index: int, rid: str,
                          where: str) -> list[str]:
        """Raw affiliation strings: `affiliations[]` (current), else the older fields."""
        listed = a.get("affiliations")
        if listed is not None and type(listed) is not list:
            listed = self._list(listed, f"{fld}.affiliations", index, rid, where)
        values: list[Any] = [x.get("raw_affiliation_string") for x in listed or ()
                             if type(x) is dict]
        if not any(values):
            values = a.get("raw_affiliation_strings") or []
            if type(values) is not list:
                values = self._list(values, f"{fld}.raw_affiliation_strings", index, rid, where)
        if not any(values) and a.get("raw_affiliation_string") is not None:
            values = [a.get("raw_affiliation_string")]
        out: list[str] = []
        for v in values:
            if v is None:
                continue
            s = v if _fast(v, MAX_SHORT) else self._text(v, f"{fld}.raw_affiliation", index,
                                                         rid, MAX_SHORT, where)
            if s and s not in out:
                out.append(s)
        return out


def _unique(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, str) and v.strip() and v.strip() not in out:
            out.append(v.strip())
    return out


# --------------------------------------------------------------------------------------------
# Snapshot files: gzip'd JSON Lines, read once as a stream


def unit_name(path: Path) -> str:
    """The unit key of a snapshot file: part files repeat across `updated_date=` folders."""
    path = Path(path)
    if path.parent.name.startswith("updated_date="):
        return f"openalex/{path.parent.name}/{path.name}"
    return f"openalex/{path.name}"


def partition_date(source_file: str) -> datetime | None:
    """The date of a snapshot unit's `updated_date=YYYY-MM-DD` folder, None for other units."""
    m = re.search(r"/updated_date=(\d{4}-\d{2}-\d{2})/", source_file)
    if m is None:
        return None
    try:
        return datetime.fromisoformat(m[1])
    except ValueError:
        return None


def discover_jsonl(paths: Iterable[Path]) -> list[Path]:
    """Snapshot files named or found under the given paths (folders are searched), in order."""
    found: dict[str, Path] = {}
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and (f.name.endswith((".gz", ".jsonl", ".json"))) \
                        and not f.name.startswith("."):
                    found.setdefault(str(f.resolve()), f)
        elif p.is_file():
            found.setdefault(str(p.resolve()), p)
        else:
            raise SourceError(f"no such OpenAlex file or folder: {p}")
    return sorted(found.values(), key=lambda f: str(f))


class _LineStream:
    """One pass over a file: hashes the raw bytes, decompresses gzip, yields complete lines.

    A damaged or truncated gzip stream stops the decompression but not the hashing; the lines
    decoded before the damage are still yielded (the salvage approach of the paperlists reader).
    """

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.sha256 = ""
        self.size = 0
        self.problems: list[Problem] = []
        self.complete = True

    def _file_problem(self, reason: str) -> None:
        self.problems.append(Problem(FILE, self.name, None, None, None, reason))
        self.complete = False

    def lines(self) -> Iterator[tuple[int, bytes]]:
        digest = hashlib.sha256()
        buf = b""
        lineno = 0
        skipping = False  # inside an over-long line: drop bytes up to the next newline
        out = 0
        with open(self.path, "rb") as f:
            chunk = f.read(_CHUNK)
            gz = chunk[:2] == b"\x1f\x8b"
            if not gz and self.path.name.endswith(".gz") and chunk:
                self._file_problem("named .gz but not gzip-compressed; read as plain text")
            d = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
            broken = False
            while chunk:
                digest.update(chunk)
                self.size += len(chunk)
                if not broken:
                    data = chunk
                    if d is not None:
                        # Small input pieces, so damage costs only the output of its own piece.
                        parts: list[bytes] = []
                        try:
                            for at in range(0, len(chunk), _PIECE):
                                parts.append(d.decompress(chunk[at:at + _PIECE]))
                                while d.eof and d.unused_data:  # concatenated gzip members
                                    rest = d.unused_data
                                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                                    parts.append(d.decompress(rest))
                        except zlib.error as exc:
                            broken = True
                            self._file_problem(
                                f"damaged gzip stream after {out + sum(map(len, parts)):,} "
                                f"decompressed bytes ({exc}); complete lines before the damage "
                                "are kept")
                        data = b"".join(parts)
                    out += len(data)
                    buf += data
                    if b"\n" in buf:
                        *complete, buf = buf.split(b"\n")
                        for line in complete:
                            lineno += 1
                            if skipping:
                                skipping = False
                                continue
                            yield lineno, line
                    elif len(buf) > MAX_LINE and not skipping:
                        self.problems.append(Problem(
                            RECORD, self.name, lineno, None, None,
                            f"line {lineno + 1} is longer than {MAX_LINE:,} bytes; skipped"))
                        skipping = True
                    if skipping:
                        buf = b""
                chunk = f.read(_CHUNK)
        if d is not None and not broken and not d.eof:
            self._file_problem(f"truncated gzip stream (ends after {out:,} decompressed bytes); "
                               "complete lines are kept")
        if buf.strip() and not skipping:
            yield lineno + 1, buf  # a last line without newline: complete or not, the parser says
        self.sha256 = digest.hexdigest()


def parse_jsonl(path: Path, ingested_at: datetime | None = None,
                on_batch: Callable[[list[dict[str, Any]], list[dict[str, Any]], list[Problem]],
                                   None] | None = None,
                batch_works: int = BATCH_WORKS) -> ParsedUnit:
    """Read and parse one snapshot file (JSONL, gzip'd or not). Never raises on bad data.

    Without `on_batch` the returned unit holds every row. With it, rows and problems are handed to
    `on_batch(papers, mentions, problems)` every `batch_works` works and at the end, so memory
    stays bounded by the batch; the returned unit then carries the header fields only (sha256,
    size, status, records read). An unreadable file yields status "unreadable".
    """
    path = Path(path)
    name = unit_name(path)
    unit = ParsedUnit(name, str(path), KIND, None, None, "", 0, family=FAMILY_SNAPSHOT)
    stream = _LineStream(path, name)
    parser = WorkParser(unit, ingested_at or datetime.now(UTC))

    def flush() -> None:
        if on_batch is not None and (unit.papers or unit.mentions or unit.problems):
            on_batch(unit.papers, unit.mentions, unit.problems)
            unit.papers, unit.mentions, unit.problems = [], [], []

    try:
        for lineno, line in stream.lines():
            if not line.strip():
                continue
            unit.records_read += 1
            try:
                work = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                unit.problems.append(Problem(RECORD, name, lineno - 1, None, None,
                                             f"line {lineno} is not a complete JSON record ({exc})",
                                             excerpt(line.decode("utf-8", "replace"))))
                continue
            parser.parse(lineno - 1, work, f"line {lineno}")
            if on_batch is not None and len(unit.papers) >= batch_works:
                flush()
    except OSError as exc:
        unit.status = "unreadable"
        unit.papers, unit.mentions = [], []
        unit.problems = [Problem(FILE, name, None, None, None, f"cannot read the file: {exc}")]
        return unit
    unit.sha256 = stream.sha256
    unit.size_bytes = stream.size
    unit.problems[:0] = stream.problems
    if not stream.complete:
        unit.status = "partial"
    flush()
    return unit


def ingest_file(con: Any, path: Path, batch_works: int = BATCH_WORKS) -> Any:
    """Parse and store one snapshot file in one transaction, `batch_works` works at a time."""
    from talentgraph.store.ingest import UnitWriter, write_unit

    with UnitWriter(con, unit_name(path)) as writer:
        unit = parse_jsonl(path, writer.now, on_batch=writer.add, batch_works=batch_works)
        if unit.status != "unreadable":
            return writer.finish(unit)
    return write_unit(con, unit)  # the batches were rolled back: record why the file is missing


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_COUNTS = ("papers", "mentions", "records_dropped", "problems", "kept_elsewhere", "taken_over")


def _new_totals(units: int) -> dict[str, Any]:
    return {"units": units, "ingested": 0, "replaced": 0, "unchanged": 0, "papers": 0,
            "mentions": 0, "records_dropped": 0, "problems": 0, "kept_elsewhere": 0,
            "taken_over": 0}


def ingest_jsonl(con: Any, paths: Iterable[Path], progress: Any = None,
                 batch_works: int = BATCH_WORKS) -> dict[str, Any]:
    """Ingest snapshot files (or folders of them); each file in its own transaction.

    A file whose size and sha256 match what the store holds is skipped before parsing, so
    re-running over an unchanged snapshot only reads the raw bytes once.
    """
    files = discover_jsonl(paths)
    totals = _new_totals(len(files))
    for done, path in enumerate(files, start=1):
        name = unit_name(path)
        row = con.execute("SELECT sha256, size_bytes, papers, mentions, problems FROM sources "
                          "WHERE source_file = ?", [name]).fetchone()
        if row and row[1] == path.stat().st_size and row[0] == _file_sha256(path):
            totals["unchanged"] += 1
            totals["papers"] += row[2]
            totals["mentions"] += row[3]
            totals["problems"] += row[4]
            totals["records_dropped"] += con.execute(
                "SELECT count(*) FROM quarantine WHERE source_file = ? AND level = ?",
                [name, RECORD]).fetchone()[0]
        else:
            result = ingest_file(con, path, batch_works)
            totals[result.outcome] += 1
            for key in _COUNTS:
                totals[key] += getattr(result, key)
        if progress:
            progress("openalex", done, len(files), path.name)
    return totals


# --------------------------------------------------------------------------------------------
# API queries: one unit per query


def query_unit_name(filter: str | None, search: str | None = None) -> str:
    parts = [f"filter={filter}" if filter else "", f"search={search}" if search else ""]
    return "openalex-api/works?" + "&".join(p for p in parts if p)


def fetch_query(client: Any, filter: str | None, search: str | None = None,
                max_results: int | None = None, ingested_at: datetime | None = None,
                progress: Any = None,
                on_batch: Callable[[list[dict[str, Any]], list[dict[str, Any]], list[Problem]],
                                   None] | None = None,
                batch_works: int = BATCH_WORKS) -> ParsedUnit:
    """Fetch every work of one query and parse it into a unit (`on_batch`: as in parse_jsonl).

    The unit's sha256 is taken over the works themselves (each serialised with sorted keys,
    ordered by id), not over the response bodies, whose `meta` changes on every call: re-running
    an unchanged query gives the same sha256. Raises SourceError when the API keeps failing.
    """
    if not filter and not search:
        raise SourceError("an OpenAlex query needs a --filter (e.g. "
                          "'authorships.institutions.lineage:I1299303238')")
    name = query_unit_name(filter, search)
    unit = ParsedUnit(name, client.url("works", {"filter": filter, "search": search}), KIND,
                      None, None, "", 0, family=FAMILY_API)
    parser = WorkParser(unit, ingested_at or datetime.now(UTC))
    digests: list[tuple[str, bytes]] = []  # (work id, sha256 of the work): small per work
    for page in client.pages("works", filter=filter, search=search, max_results=max_results):
        for work in page.results:
            index = unit.records_read
            unit.records_read += 1
            blob = orjson.dumps(work, option=orjson.OPT_SORT_KEYS)
            unit.size_bytes += len(blob) + 1
            wid = work.get("id") if isinstance(work, dict) else None
            digests.append((wid if isinstance(wid, str) else "", hashlib.sha256(blob).digest()))
            parser.parse(index, work, f"page {page.number}")
        if on_batch is not None and len(unit.papers) >= batch_works:
            on_batch(unit.papers, unit.mentions, unit.problems)
            unit.papers, unit.mentions, unit.problems = [], [], []
        if progress:
            total = page.meta.get("count")
            if isinstance(total, int) and max_results is not None:
                total = min(total, max_results)
            progress("openalex", unit.records_read,
                     total if isinstance(total, int) else unit.records_read, f"page {page.number}")
    digest = hashlib.sha256()
    for _, work_digest in sorted(digests):
        digest.update(work_digest)
    unit.sha256 = digest.hexdigest()
    if on_batch is not None and (unit.papers or unit.mentions or unit.problems):
        on_batch(unit.papers, unit.mentions, unit.problems)
        unit.papers, unit.mentions, unit.problems = [], [], []
    return unit


def ingest_query(con: Any, client: Any, filter: str | None, search: str | None = None,
                 max_results: int | None = None, progress: Any = None,
                 batch_works: int = BATCH_WORKS) -> dict[str, Any]:
    """Fetch one API query and store it as one unit (replacing an earlier run of the same query).

    Rows go to the store in batches inside one transaction while pages arrive; when the works
    turn out unchanged, or the API fails for good, the transaction is rolled back.
    """
    from talentgraph.store.ingest import UnitWriter

    with UnitWriter(con, query_unit_name(filter, search)) as writer:
        unit = fetch_query(client, filter, search, max_results, writer.now, progress,
                           on_batch=writer.add, batch_works=batch_works)
        result = writer.unchanged() if unit.sha256 == writer.previous else writer.finish(unit)
    totals = _new_totals(1)
    totals[result.outcome] += 1
    for key in _COUNTS:
        totals[key] += getattr(result, key)
    totals["records_read"] = unit.records_read
    totals["requests"] = client.requests
    return totals
