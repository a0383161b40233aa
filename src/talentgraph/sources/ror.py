"""Connector for the Research Organization Registry (ROR) dump: organisations, not papers.

ROR publishes its registry as JSON records, one organisation per record, in two schemas that both
occur in the dumps (https://ror.readme.io/docs/data-structure):

- v1: `name`, `aliases`, `acronyms`, `labels` [{label, iso639}], `links` [url], `addresses`
  [{city, ...}], `country` {country_code}, `relationships` [{type: Parent|Child|Related|
  Successor|Predecessor, id, label}], `types` ("Education", ...), `status`;
- v2: `names` [{value, types: ror_display|label|alias|acronym, lang}], `domains`, `links`
  [{type, value}], `locations` [{geonames_details: {name, country_code}}], `relationships`
  (lower-case types), `types`, `status`, `admin` {last_modified: {schema_version}}.

The dump read here is gzip'd JSON Lines (one record a line). It is one unit: read in one pass,
written in one transaction into the `ror_*` tables (replacing any earlier dump, which they hold
one at a time) with a `sources` row of kind "ror", so re-reading an unchanged file changes
nothing. A line that is not JSON, or a record without a usable id or name, is quarantined and
skipped; a field of the wrong shape is quarantined and dropped, the record kept. Each problem
names the file, the line and the ROR id.

Every name's comparison key (resolve/orgs/text.key) is computed here once and stored, with the
version of the key rules it was computed with, so that the `orgs` stage need not recompute
150,000 keys on every build (it does when the key rules have changed since).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import orjson
import pyarrow as pa

from talentgraph.errors import SourceError
from talentgraph.sources.clean import excerpt
from talentgraph.sources.model import FIELD, FILE, RECORD, Problem

# The line reader of the OpenAlex connector: hashing, gzip salvage, over-long lines.
from talentgraph.sources.openalex import _LineStream

KIND = "ror"
FAMILY = "ror"
STATUSES = frozenset({"active", "inactive", "withdrawn"})
REL_TYPES = frozenset({"parent", "child", "related", "successor", "predecessor"})
NAME_KINDS = ("ror_display", "label", "alias", "acronym")
_ROR_ID = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}[0-9]{2})$", re.IGNORECASE)
_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
MAX_NAME = 500

DDL = """
CREATE TABLE IF NOT EXISTS ror_orgs (
    ror_id VARCHAR NOT NULL, name VARCHAR NOT NULL, status VARCHAR NOT NULL,
    types VARCHAR[], country VARCHAR, city VARCHAR, established INTEGER,
    schema_version VARCHAR NOT NULL, line INTEGER NOT NULL, source_file VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS ror_names (
    ror_id VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, lang VARCHAR);
CREATE TABLE IF NOT EXISTS ror_domains (ror_id VARCHAR NOT NULL, domain VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS ror_relations (
    ror_id VARCHAR NOT NULL, rel_type VARCHAR NOT NULL, other_id VARCHAR NOT NULL);
-- Derived by `derive_keys` (the resolver's comparison keys, computed once per dump and key
-- rules): every key a name is found by with the records it finds (withdrawn and inactive ones
-- read as their successors, space-separated), the English name, the city's key, registrable
-- domains.
CREATE TABLE IF NOT EXISTS ror_keys (kind VARCHAR NOT NULL, k VARCHAR NOT NULL,
                                     ror_ids VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS ror_facts (ror_id VARCHAR NOT NULL, name_en VARCHAR NOT NULL,
                                      name_en_key VARCHAR, slug VARCHAR, city_key VARCHAR);
CREATE TABLE IF NOT EXISTS ror_reg_domains (domain VARCHAR NOT NULL, ror_ids VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS ror_meta (key_version VARCHAR NOT NULL);
"""
TABLES = ("ror_orgs", "ror_names", "ror_domains", "ror_relations")
DERIVED = ("ror_keys", "ror_facts", "ror_reg_domains", "ror_meta")


def short_id(value: Any) -> str | None:
    """ "https://ror.org/04tsk2644" -> "04tsk2644"; None when it is not a ROR id."""
    if not isinstance(value, str):
        return None
    m = _ROR_ID.match(value.strip())
    return m.group(1).lower() if m else None


def key_version() -> str:
    """A fingerprint of the key rules (resolve/orgs/text.py): stored keys older than it are
    recomputed."""
    from talentgraph.resolve.orgs import text

    return hashlib.sha256(Path(text.__file__).read_bytes()).hexdigest()[:16]


@dataclass
class RorRecord:
    ror_id: str
    name: str
    status: str
    schema_version: str
    line: int
    types: list[str] = field(default_factory=list)
    country: str | None = None
    city: str | None = None
    established: int | None = None
    names: list[tuple[str, str, str | None]] = field(default_factory=list)  # value, kind, lang
    domains: list[str] = field(default_factory=list)
    relations: list[tuple[str, str]] = field(default_factory=list)  # type, other ROR id


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().removeprefix("www.")
    return host if _DOMAIN.match(host) else None


class _Parser:
    """Turns the records of one dump into RorRecords, noting the problems."""

    def __init__(self, source_file: str) -> None:
        self.name = source_file
        self.problems: list[Problem] = []

    def problem(self, level: str, line: int, rid: str | None, fld: str | None, reason: str,
                value: object = "") -> None:
        self.problems.append(Problem(level, self.name, line, rid, fld, f"line {line}: {reason}",
                                     excerpt(value) if value != "" else ""))

    def _list(self, rec: dict[str, Any], fld: str, line: int, rid: str) -> list[Any]:
        value = rec.get(fld)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(FIELD, line, rid, fld,
                         f"expected a list, found {type(value).__name__}; field dropped", value)
            return []
        return value

    def _text(self, value: Any, fld: str, line: int, rid: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME \
                or not value.isprintable():
            self.problem(FIELD, line, rid, fld, "not a printable text of at most "
                         f"{MAX_NAME} characters; value dropped", value)
            return None
        return " ".join(value.split())

    def parse(self, line: int, rec: Any) -> RorRecord | None:
        if not isinstance(rec, dict):
            self.problem(RECORD, line, None, None,
                         f"expected a JSON object, found {type(rec).__name__}; record skipped",
                         rec)
            return None
        rid = short_id(rec.get("id"))
        if rid is None:
            self.problem(RECORD, line, None, "id", "no ROR id (https://ror.org/0xxxxxxNN); "
                         "record skipped", rec.get("id"))
            return None
        v2 = "names" in rec or "locations" in rec or "admin" in rec
        out = self._v2(line, rid, rec) if v2 else self._v1(line, rid, rec)
        if out is None:
            return None
        status = rec.get("status")
        if isinstance(status, str) and status.lower() in STATUSES:
            out.status = status.lower()
        else:
            self.problem(FIELD, line, rid, "status",
                         "not active, inactive or withdrawn; read as active", status)
        types = []
        for t in self._list(rec, "types", line, rid):
            if isinstance(t, str) and t.strip():
                types.append(t.strip().lower())
            else:
                self.problem(FIELD, line, rid, "types", "a type that is not text; dropped", t)
        out.types = types
        est = rec.get("established")
        if isinstance(est, int) and not isinstance(est, bool) and 0 < est < 3000:
            out.established = est
        elif est is not None:
            self.problem(FIELD, line, rid, "established", "not a year; dropped", est)
        for r in self._list(rec, "relationships", line, rid):
            rtype = r.get("type") if isinstance(r, dict) else None
            other = short_id(r.get("id")) if isinstance(r, dict) else None
            if not isinstance(rtype, str) or rtype.lower() not in REL_TYPES or other is None:
                self.problem(FIELD, line, rid, "relationships",
                             "a relationship without a known type and a ROR id; dropped", r)
                continue
            out.relations.append((rtype.lower(), other))
        out.domains = sorted(set(out.domains))
        return out

    def _v2(self, line: int, rid: str, rec: dict[str, Any]) -> RorRecord | None:
        names: list[tuple[str, str, str | None]] = []
        display = None
        for n in self._list(rec, "names", line, rid):
            value = self._text(n.get("value") if isinstance(n, dict) else None, "names", line,
                               rid) if isinstance(n, dict) else None
            kinds = n.get("types") if isinstance(n, dict) else None
            if value is None or not isinstance(kinds, list):
                if not (isinstance(n, dict) and n.get("value") is not None):
                    self.problem(FIELD, line, rid, "names",
                                 "a name without a value and types; dropped", n)
                continue
            lang = n.get("lang") if isinstance(n.get("lang"), str) else None
            known = [k for k in NAME_KINDS if k in kinds]
            if "ror_display" in known and display is None:
                display = value
            for k in known or ["alias"]:
                names.append((value, k, lang))
        if display is None:
            display = next((v for v, k, _ in names if k == "label"), None)
        if display is None:
            self.problem(RECORD, line, rid, "names", "no ror_display or label name; record "
                         "skipped", rec.get("names"))
            return None
        out = RorRecord(rid, display, "active", "v2", line, names=names)
        schema = rec.get("admin", {}).get("last_modified", {}).get("schema_version") \
            if isinstance(rec.get("admin"), dict) and isinstance(
                rec["admin"].get("last_modified"), dict) else None
        if isinstance(schema, str):
            out.schema_version = f"v{schema}"
        for d in self._list(rec, "domains", line, rid):
            host = _host(d) if isinstance(d, str) else None
            if host:
                out.domains.append(host)
            else:
                self.problem(FIELD, line, rid, "domains", "not a domain name; dropped", d)
        for link in self._list(rec, "links", line, rid):
            if isinstance(link, dict) and link.get("type") == "website" and isinstance(
                    link.get("value"), str):
                host = _host(link["value"])
                if host:
                    out.domains.append(host)
            elif not isinstance(link, dict):
                self.problem(FIELD, line, rid, "links", "a link that is not an object; dropped",
                             link)
        for loc in self._list(rec, "locations", line, rid):
            det = loc.get("geonames_details") if isinstance(loc, dict) else None
            if not isinstance(det, dict):
                self.problem(FIELD, line, rid, "locations",
                             "a location without geonames_details; dropped", loc)
                continue
            cc = det.get("country_code")
            if out.country is None and isinstance(cc, str) and len(cc) == 2:
                out.country = cc.upper()
            city = det.get("name")
            if out.city is None and isinstance(city, str) and city.strip():
                out.city = city.strip()
            break
        return out

    def _v1(self, line: int, rid: str, rec: dict[str, Any]) -> RorRecord | None:
        name = self._text(rec.get("name"), "name", line, rid)
        if name is None:
            self.problem(RECORD, line, rid, "name", "no name; record skipped", rec.get("name"))
            return None
        out = RorRecord(rid, name, "active", "v1", line, names=[(name, "ror_display", None)])
        for fld, kind in (("aliases", "alias"), ("acronyms", "acronym")):
            for a in self._list(rec, fld, line, rid):
                value = self._text(a, fld, line, rid)
                if value:
                    out.names.append((value, kind, None))
        for lab in self._list(rec, "labels", line, rid):
            value = self._text(lab.get("label"), "labels", line, rid) \
                if isinstance(lab, dict) else None
            if value:
                lang = lab.get("iso639") if isinstance(lab.get("iso639"), str) else None
                out.names.append((value, "label", lang))
            elif not isinstance(lab, dict):
                self.problem(FIELD, line, rid, "labels", "a label that is not an object; "
                             "dropped", lab)
        for link in self._list(rec, "links", line, rid):
            host = _host(link) if isinstance(link, str) else None
            if host:
                out.domains.append(host)
            else:
                self.problem(FIELD, line, rid, "links", "not a URL; dropped", link)
        country = rec.get("country")
        if isinstance(country, dict) and isinstance(country.get("country_code"), str):
            out.country = country["country_code"].upper()[:2]
        elif country is not None:
            self.problem(FIELD, line, rid, "country", "not {country_code: ...}; dropped",
                         country)
        for addr in self._list(rec, "addresses", line, rid):
            if isinstance(addr, dict) and isinstance(addr.get("city"), str):
                out.city = addr["city"].strip() or None
                break
        return out


@dataclass
class RorDump:
    source_file: str
    path: str
    sha256: str = ""
    size_bytes: int = 0
    records_read: int = 0
    status: str = "ok"
    records: list[RorRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse(path: Path) -> RorDump:
    """Read one ROR dump (JSON Lines, gzip'd or not). Never raises on bad data."""
    path = Path(path)
    dump = RorDump(f"ror/{path.name}", str(path))
    parser = _Parser(dump.source_file)
    stream = _LineStream(path, dump.source_file)
    seen: dict[str, int] = {}
    try:
        for lineno, line in stream.lines():
            if not line.strip():
                continue
            dump.records_read += 1
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                parser.problem(RECORD, lineno, None, None,
                               f"not a complete JSON record ({exc}); skipped",
                               line.decode("utf-8", "replace"))
                continue
            r = parser.parse(lineno, rec)
            if r is None:
                continue
            if r.ror_id in seen:
                parser.problem(RECORD, lineno, r.ror_id, "id", f"ROR id already read on line "
                               f"{seen[r.ror_id]}; this later record replaces it")
                dump.records = [x for x in dump.records if x.ror_id != r.ror_id]
            seen[r.ror_id] = lineno
            dump.records.append(r)
    except OSError as exc:
        dump.status = "unreadable"
        dump.records = []
        dump.problems = [Problem(FILE, dump.source_file, None, None, None,
                                 f"cannot read the file: {exc}")]
        return dump
    dump.sha256, dump.size_bytes = stream.sha256, stream.size
    dump.problems = stream.problems + parser.problems
    if not stream.complete:
        dump.status = "partial"
    return dump


def _tables(dump: RorDump) -> dict[str, pa.Table]:
    recs = dump.records
    return {
        "ror_orgs": pa.table({
            "ror_id": [r.ror_id for r in recs], "name": [r.name for r in recs],
            "status": [r.status for r in recs],
            "types": pa.array([r.types for r in recs], pa.list_(pa.string())),
            "country": pa.array([r.country for r in recs], pa.string()),
            "city": pa.array([r.city for r in recs], pa.string()),
            "established": pa.array([r.established for r in recs], pa.int32()),
            "schema_version": [r.schema_version for r in recs],
            "line": pa.array([r.line for r in recs], pa.int32()),
            "source_file": [dump.source_file] * len(recs)}),
        "ror_names": pa.table({
            "ror_id": [r.ror_id for r in recs for _ in r.names],
            "name": [n[0] for r in recs for n in r.names],
            "kind": [n[1] for r in recs for n in r.names],
            "lang": pa.array([n[2] for r in recs for n in r.names], pa.string())}),
        "ror_domains": pa.table({
            "ror_id": pa.array([r.ror_id for r in recs for _ in r.domains], pa.string()),
            "domain": pa.array([d for r in recs for d in r.domains], pa.string())}),
        "ror_relations": pa.table({
            "ror_id": pa.array([r.ror_id for r in recs for _ in r.relations], pa.string()),
            "rel_type": pa.array([t for r in recs for t, _ in r.relations], pa.string()),
            "other_id": pa.array([o for r in recs for _, o in r.relations], pa.string())}),
    }


def has_ror(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds a ROR dump."""
    return bool(con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_name = 'ror_orgs'").fetchone()[0]) and bool(
        con.execute("SELECT count(*) FROM ror_orgs").fetchone()[0])


def ingest(con: duckdb.DuckDBPyConnection, path: Path, force: bool = False) -> dict[str, Any]:
    """Read the ROR dump at `path` into the store in one transaction (replacing an earlier one).

    An unchanged file (same bytes, keys computed by the same rules) is not read again.
    Raises SourceError when the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"no ROR dump at {path}")
    name = f"ror/{path.name}"
    version = key_version()
    con.execute(DDL)
    row = con.execute("SELECT sha256, size_bytes, records_read, problems FROM sources "
                      "WHERE source_file = ? AND kind = ?", [name, KIND]).fetchone()
    if row and not force and row[1] == path.stat().st_size:
        from talentgraph.sources.openalex import _file_sha256

        if row[0] == _file_sha256(path):
            if stored_key_version(con) != version:
                derive_keys(con)
            n = con.execute("SELECT count(*) FROM ror_orgs").fetchone()[0]
            return {"source_file": name, "outcome": "unchanged", "records_read": row[2],
                    "organisations": n, "problems": row[3]}
    dump = parse(path)
    tables = _tables(dump)
    now = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        old = [r[0] for r in con.execute("SELECT source_file FROM sources WHERE kind = ?",
                                         [KIND]).fetchall()]
        for t in TABLES:
            con.execute(f"DELETE FROM {t}")
        for f in {*old, name}:
            con.execute("DELETE FROM quarantine WHERE source_file = ?", [f])
            con.execute("DELETE FROM sources WHERE source_file = ?", [f])
        for t, _tg_rows in tables.items():  # noqa: B007 (read by DuckDB below)
            con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM _tg_rows")
        if dump.problems:
            _tg_q = pa.table({  # noqa: F841 (read by DuckDB below)
                "source_file": [p.source_file for p in dump.problems],
                "level": [p.level for p in dump.problems],
                "record_index": pa.array([p.record_index for p in dump.problems], pa.int32()),
                "record_id": pa.array([p.record_id for p in dump.problems], pa.string()),
                "field": pa.array([p.field for p in dump.problems], pa.string()),
                "reason": [p.reason for p in dump.problems],
                "excerpt": [p.excerpt for p in dump.problems],
                "ingested_at": [now] * len(dump.problems)})
            con.execute("INSERT INTO quarantine BY NAME SELECT * FROM _tg_q")
        con.execute("INSERT INTO sources VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, 0, 0, ?, ?, ?)",
                    [name, KIND, str(path), FAMILY, dump.sha256, dump.size_bytes,
                     dump.records_read, len(dump.problems), dump.status, now])
        derive_keys(con, transaction=False)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return {"source_file": name, "outcome": "replaced" if row else "ingested",
            "records_read": dump.records_read, "organisations": len(dump.records),
            "problems": len(dump.problems), "status": dump.status}


def canonical(status: dict[str, str], successor: dict[str, str], ror_id: str) -> str | None:
    """The record that stands for `ror_id`: itself, or for a withdrawn or inactive record its
    successor (to the end of the chain); None for an unknown id or a withdrawn record without
    a known successor (an inactive one without a successor stands for itself)."""
    seen: set[str] = set()
    cur = ror_id
    while cur in status and cur not in seen:
        seen.add(cur)
        if status[cur] == "active":
            return cur
        nxt = successor.get(cur)
        if nxt is None or nxt not in status:
            return cur if status[cur] == "inactive" else None
        cur = nxt
    return None


def stored_key_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT max(key_version) FROM ror_meta").fetchone()
    return row[0] if row else None


def derive_keys(con: duckdb.DuckDBPyConnection, transaction: bool = True) -> None:
    """(Re)compute the derived `ror_*` tables from the stored dump with the current key rules:
    the keys each name is found by (resolve/orgs/ror.py), each record's English name and its
    key, the city's key, the registrable domains."""
    from talentgraph.resolve.orgs.resolver import registrable_domain
    from talentgraph.resolve.orgs.ror import loose, strip_paren, variants
    from talentgraph.resolve.orgs.text import compact, key, slug

    con.execute(DDL)
    rid_k: list[str] = []
    kinds: list[str] = []
    ks: list[str] = []

    def put(rid: str, kind: str, k: str) -> None:
        if k:
            rid_k.append(rid)
            kinds.append(kind)
            ks.append(k)

    english: dict[str, str] = {}
    display_lang: dict[str, str | None] = {}
    for rid, name, kind, lang in con.execute(
            "SELECT ror_id, name, kind, lang FROM ror_names ORDER BY ror_id, kind, name"
    ).fetchall():
        if kind == "ror_display":
            display_lang[rid] = lang
        if kind == "label" and lang == "en":
            english.setdefault(rid, name)
        if kind == "acronym":
            put(rid, "acronym", key(name))
            continue
        for k in {key(v) for v in variants(name)}:
            put(rid, "key", k)
            put(rid, "compact", compact(k))
            put(rid, "loose", loose(k))
    facts = []
    for rid, name, city in con.execute("SELECT ror_id, name, city FROM ror_orgs").fetchall():
        if display_lang.get(rid) not in (None, "en") and rid in english:
            name = english[rid]
        k = key(name)
        bare = strip_paren(name)
        facts.append((rid, name, k, slug(key(bare) if bare != name else k),
                      key(city) if city else None))
    doms = [(rid, reg) for rid, d in con.execute("SELECT ror_id, domain FROM ror_domains"
                                                  ).fetchall()
            if (reg := registrable_domain(d))]
    _tg_keys = pa.table({"ror_id": rid_k, "kind": kinds, "k": ks})  # noqa: F841
    status = dict(con.execute("SELECT ror_id, status FROM ror_orgs").fetchall())
    succ = dict(con.execute("SELECT ror_id, min(other_id) FROM ror_relations "
                            "WHERE rel_type = 'successor' GROUP BY 1").fetchall())
    _tg_canon = pa.table({"ror_id": list(status), "target": pa.array(  # noqa: F841
        [canonical(status, succ, r) for r in status], pa.string())})
    _tg_facts = pa.table({  # noqa: F841
        "ror_id": pa.array([f[0] for f in facts], pa.string()),
        "name_en": pa.array([f[1] for f in facts], pa.string()),
        "name_en_key": pa.array([f[2] for f in facts], pa.string()),
        "slug": pa.array([f[3] for f in facts], pa.string()),
        "city_key": pa.array([f[4] for f in facts], pa.string())})
    _tg_doms = pa.table({"ror_id": pa.array([d[0] for d in doms], pa.string()),  # noqa: F841
                         "domain": pa.array([d[1] for d in doms], pa.string())})
    if transaction:
        con.execute("BEGIN TRANSACTION")
    for t in DERIVED:  # dropped, not emptied: their columns may differ in other versions
        con.execute(f"DROP TABLE IF EXISTS {t}")
    con.execute(DDL)
    con.execute("""
        INSERT INTO ror_keys
        SELECT kind, k, string_agg(DISTINCT target, ' ' ORDER BY target)
        FROM _tg_keys JOIN _tg_canon USING (ror_id) WHERE target IS NOT NULL GROUP BY ALL""")
    con.execute("INSERT INTO ror_facts SELECT * FROM _tg_facts")
    con.execute("""
        INSERT INTO ror_reg_domains
        SELECT domain, string_agg(DISTINCT target, ' ' ORDER BY target)
        FROM _tg_doms JOIN _tg_canon USING (ror_id) WHERE target IS NOT NULL GROUP BY ALL""")
    con.execute("INSERT INTO ror_meta VALUES (?)", [key_version()])
    if transaction:
        con.execute("COMMIT")
