"""Synthetic k-fold copies of the paperlists corpus for the scale benchmark (issue #14).

A k-fold corpus has the same files as the original, each holding its records followed by k - 1
copies of them (copy c = records [c * n, (c + 1) * n) of a file of n records; `copies.json`
records n per file). Keeping the copies in the same file keeps every venue-year rule as it is
(`careers.moves.venue_field`, the venue-year percentiles of the index): a renamed file would be
another venue.

What a copy changes, and why (the people stage blocks on the exact given+family name, on the
swapped name and on family+initial with a shared organisation or coauthor key; its name levels
are in resolve/names.py):
- Every author's family name gets a per-copy suffix of letters ('LeCun' -> 'LeCunzqa' in copy 1,
  'LeCunzqb' in copy 2); given names, middle initials and the name's shape are kept. So:
  - a copy never shares an exact-name, family+initial or fuzzy block with the original (each
    of those rules needs the same family name): "Yann LeCun" of copy 1 is another person;
  - each copy has exactly the original's blocks, of the same sizes (k times as many blocks, no
    block k times as large: the pair count grows k-fold, not k^2-fold);
  - the name ambiguity the model reads (features.py: count(given) * count(family) / mentions)
    is unchanged: the given name is k times as frequent, the family name as frequent as before,
    the mention count k times as large;
  - coauthor keys (full names, or family|initial) are per copy, so a copy's coauthors never
    look shared with the original's.
  The one rule a copy does not keep: given and family swapped ('Wang Wei' / 'Wei Wang' inside a
  copy are 'Wang Weizqa' / 'Wei Wangzqa', no longer each other's swap). Keeping it would mean
  suffixing given names too, which divides the name ambiguity by k and changes the model's
  weights. The benchmark reports the persons per copy, so the effect is measured, not assumed.
  The suffix goes after the last letter of the word that parse() reads as the family name (a
  name parse() cannot read that way is first folded to ASCII: '王伟' -> 'Wang Weizqa'); each is
  checked with resolve.names.parse.
- Person ids are made distinct per copy, keeping the kind the ingest recognises: OpenReview
  '~Yann_LeCun1' -> '~Yann_LeCunzqa1', e-mail local parts get the suffix, ACL Anthology slugs get
  it where the name's family word is ('/y/yann-lecun/' -> '/y/yann-lecunzqa/', so a slug that is
  just the name stays so), IEEE numbers get the prefix 9<copy>, ORCIDs start with the copy's digit
  (real ones start with 0), DBLP, Scholar, homepage and LinkedIn values get the suffix.
- Record ids (`id`, `ssid`, `pid`) get '-zqa'; a record without one is keyed by a hash of its
  title and authors, which the new names make distinct. An author string with HTML entities is
  written decoded (the ingest decodes it before splitting it into names: the same names).
- Titles, abstracts, affiliations, domains, countries, years and review fields are kept: a copy is
  another population of authors writing the same papers at the same places. So the organisations
  stage sees no new affiliation strings in a copy (its per-distinct-name work does not grow),
  and title terms are shared (they are evidence, not a blocking key).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from talentgraph.resolve.names import ascii_fold, parse
from talentgraph.sources.clean import unescape
from talentgraph.sources.paperlists import discover

MANIFEST = "copies.json"
ID_FIELDS = ("id", "ssid", "pid")
NAME_FIELDS = ("author", "authors")
PERSON_ID_FIELDS = ("authorids", "or_profile")
SUFFIXED_FIELDS = ("dblp", "google_scholar", "homepage", "linkedin")
_LETTER = re.compile(r"[^\W\d_]")
_ORCID = re.compile(r"(\d)(\d{3}-\d{4}-\d{4}-\d{3}[\dX])")
_IEEE = re.compile(r"^(\s*/)(\d+)(/?\s*)$")
_EMAIL = re.compile(r"^(\s*[^@\s;]+)(@[^@\s;]+\.[^@\s;]+\s*)$")
_ACL = re.compile(r"^(\s*/[a-z]/)([a-z0-9-]+)(/?\s*)$")


class CopyError(Exception):
    """A corpus file cannot be copied (unreadable, not a JSON array)."""


def tag(copy: int) -> str:
    """The suffix of copy `copy` (1, 2, ...): letters only, so parse() keeps it in the word."""
    if not 1 <= copy <= 26:
        raise ValueError(f"copy {copy} out of range 1..26")
    return "zq" + chr(ord("a") + copy - 1)


@dataclass
class CopyStats:
    """What a generator run changed: names suffixed, names folded to ASCII first, names left as
    they were (no family name: the people stage ignores them) and names it could not suffix."""

    names: int = 0
    folded: int = 0
    no_family: int = 0
    failed: list[str] = field(default_factory=list)
    unaligned_ids: int = 0
    # original family names that already end like a copy's suffix: a copy could meet them
    like_suffix: int = 0

    def merge(self, other: CopyStats) -> None:
        self.names += other.names
        self.folded += other.folded
        self.no_family += other.no_family
        self.failed += other.failed[: max(0, 20 - len(self.failed))]
        self.unaligned_ids += other.unaligned_ids
        self.like_suffix += other.like_suffix


def perturb_name(raw: str, suffix: str, stats: CopyStats | None = None
                 ) -> tuple[str, str | None]:
    """(the name with `suffix` on its family name, the family word suffixed, lower-case ASCII).
    A name without a family name comes back as it was, with None."""
    stats = stats if stats is not None else CopyStats()
    core = raw.strip()
    p = parse(core)
    if p.empty:
        stats.no_family += 1
        return raw, None
    stats.like_suffix += int(re.search(r"zq[a-z]$", p.family) is not None)
    want = (p.given, p.middle, p.family + suffix)
    for i, text in enumerate((core, ascii_fold(core).strip())):
        for word in reversed(list(re.finditer(r"\S+", text))):
            letters = list(_LETTER.finditer(word.group()))
            if not letters:
                continue
            at = word.start() + letters[-1].end()
            cand = text[:at] + suffix + text[at:]
            q = parse(cand)
            if (q.given, q.middle, q.family) == want:
                stats.names += 1
                stats.folded += i
                lead = raw[: len(raw) - len(raw.lstrip())]
                trail = raw[len(raw.rstrip()):]
                run = re.findall(r"[a-z]+", ascii_fold(word.group()).lower())
                return lead + cand + trail, (run[-1] if run else None)
    stats.failed.append(raw)
    return raw, None


def _split_keep(text: str, sep: str) -> list[str]:
    """`text` split on `sep`, separators kept at odd indexes (so ''.join gives it back)."""
    return re.split(f"({re.escape(sep)})", text)


def name_separator(author: str) -> str:
    """How the ingest splits an author string, its entities decoded (paperlists_sql: ';' if
    present, else ',')."""
    return ";" if ";" in author else ","


def perturb_id(value: str, suffix: str, copy: int, family_word: str | None = None) -> str:
    """A person id of copy `copy`, of the same kind as `value` (see the module docstring)."""
    if not value.strip():
        return value
    if value.strip().startswith("~"):
        return re.sub(r"(\d*)(\s*)$", suffix + r"\1\2", value, count=1)
    if m := _EMAIL.match(value):
        return m[1] + suffix + m[2]
    if m := _IEEE.match(value):
        return f"{m[1]}9{copy}{m[2]}{m[3]}"
    if m := _ACL.match(value):
        parts = m[2].split("-")
        hit = [i for i, part in enumerate(parts) if family_word and part == family_word]
        if hit:
            parts[hit[-1]] += suffix
        else:
            parts.append(suffix)
        return m[1] + "-".join(parts) + m[3]
    if _ORCID.search(value):
        return _ORCID.sub(lambda o: f"{copy % 10}{o[2]}", value)
    return value + suffix


def copy_record(rec: Any, copy: int, stats: CopyStats) -> Any:
    """Copy `copy` (>= 1) of one corpus record; a record that is not an object is kept as is
    (the ingest quarantines it, once per copy)."""
    if not isinstance(rec, dict):
        return rec
    suffix = tag(copy)
    out = dict(rec)
    for f in ID_FIELDS:
        v = rec.get(f)
        if isinstance(v, str) and v.strip():
            out[f] = v + "-" + suffix
        elif isinstance(v, int) and not isinstance(v, bool):
            out[f] = v + copy * 10**12
    words: list[str | None] = []
    for f in NAME_FIELDS:
        v = rec.get(f)
        if not isinstance(v, str):
            continue
        if "&" in v:  # split as the ingest does, after decoding entities ('&amp;#x27;' has a ;)
            v = unescape(v)
        parts = _split_keep(v, name_separator(v))
        fam: list[str | None] = []
        for i in range(0, len(parts), 2):
            parts[i], word = perturb_name(parts[i], suffix, stats)
            fam.append(word)
        out[f] = "".join(parts)
        words = words or fam
    for f in PERSON_ID_FIELDS:
        v = rec.get(f)
        if not isinstance(v, str):
            continue
        parts = _split_keep(v, ";")
        values = parts[0::2]
        aligned = len(values) == len(words)
        stats.unaligned_ids += int(not aligned and bool(v.strip()))
        for n, i in enumerate(range(0, len(parts), 2)):
            parts[i] = perturb_id(parts[i], suffix, copy, words[n] if aligned else None)
        out[f] = "".join(parts)
    for f in SUFFIXED_FIELDS:
        v = rec.get(f)
        if isinstance(v, str) and v.strip():
            out[f] = "".join(perturb_id(p, suffix, copy) if i % 2 == 0 else p
                             for i, p in enumerate(_split_keep(v, ";")))
    v = rec.get("orcid")
    if isinstance(v, str) and v.strip():
        out["orcid"] = _ORCID.sub(lambda o: f"{copy % 10}{o[2]}", v)
    return out


def read_records(path: Path) -> list[Any]:
    """The records of one corpus file (a JSON array, gzip'd or not)."""
    try:
        raw = path.read_bytes()
        data = gzip.decompress(raw) if path.name.endswith(".gz") else raw
    except OSError as exc:
        raise CopyError(f"{path}: cannot read ({exc})") from exc
    try:
        records = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:  # bare NaN / Infinity elements: the standard parser reads them
            records = json.loads(data)
        except ValueError as exc:
            raise CopyError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(records, list):
        raise CopyError(f"{path}: expected a JSON array of records")
    return records


def write_records(path: Path, records: list[Any]) -> None:
    """One record a line, like the corpus; gzip'd when the name ends in .gz."""
    def dump(r: Any) -> bytes:
        try:
            return orjson.dumps(r)
        except TypeError:
            return json.dumps(r, ensure_ascii=False).encode()
    data = b"[\n" + b",\n".join(dump(r) for r in records) + b"\n]\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, compresslevel=6) if path.name.endswith(".gz") else data)


def make_corpus(src: Path, dest: Path, k: int, fraction: float = 1.0,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write the k-fold corpus of `src` (the first `fraction` of each file's records) to `dest`;
    returns the manifest (also written to dest/copies.json)."""
    if k < 1 or not 0 < fraction <= 1:
        raise ValueError("k must be >= 1 and fraction in (0, 1]")
    stats = CopyStats()
    files: dict[str, int] = {}
    for path in discover([src]):
        records = read_records(path)
        n = len(records) if fraction >= 1 else math.ceil(len(records) * fraction)
        records = records[:n]
        out = list(records)
        for c in range(1, k):
            one = CopyStats()
            out += [copy_record(r, c, one) for r in records]
            stats.merge(one)
        write_records(dest / path.relative_to(src), out)
        files[path.name] = n
        if progress:
            progress(path.name)
    manifest = {"source": str(src), "k": k, "fraction": fraction, "files": files,
                "names_suffixed": stats.names, "names_folded_to_ascii": stats.folded,
                "names_without_family": stats.no_family, "names_not_suffixed": len(stats.failed),
                "examples_not_suffixed": stats.failed, "unaligned_id_fields": stats.unaligned_ids,
                "original_families_like_a_suffix": stats.like_suffix}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def load_manifest(corpus: Path) -> dict[str, Any]:
    return json.loads((corpus / MANIFEST).read_text(encoding="utf-8"))


def copy_of_sql(files: dict[str, int]) -> str:
    """A SQL expression giving the copy of a `papers` row (p.source_file, p.record_index)."""
    cases = " ".join(f"WHEN '{name}' THEN {n}" for name, n in files.items() if "'" not in name)
    return f"(p.record_index // (CASE p.source_file {cases} END))"


def spanning_persons(db_path: Path, files: dict[str, int]) -> dict[str, int]:
    """Persons whose mentions lie in two or more copies (should be 0), persons, and mentions
    per copy, read from a built store."""
    from talentgraph.store import db

    con = db.connect(db_path, read_only=True)
    try:
        copy = copy_of_sql(files)
        row = con.execute(f"""
            WITH mc AS (SELECT mp.person_id, {copy} AS copy FROM mention_person mp
                          JOIN papers p USING (paper_id))
            SELECT count(*) FILTER (WHERE n > 1), count(*)
              FROM (SELECT person_id, count(DISTINCT copy) AS n FROM mc GROUP BY ALL)""").fetchone()
        per_copy = con.execute(f"""
            SELECT {copy} AS copy, count(DISTINCT mp.person_id)
              FROM mention_person mp JOIN papers p USING (paper_id) GROUP BY ALL ORDER BY 1
            """).fetchall()
    finally:
        con.close()
    return {"persons_spanning_copies": int(row[0]), "persons": int(row[1]),
            **{f"persons_in_copy_{int(c)}": int(n) for c, n in per_copy}}
