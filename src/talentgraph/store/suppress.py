"""Erased people stay out of every read of the analytical store, and out of every rebuild.

An erasure (`talentgraph ops erase`) appends to the store's suppression list, a file beside the
store (`<store>.erased`, mode 0600): one SHA-256 per line of a tagged identifier of the person
(`person:<person id>`, `orcid:<id>`, `dblp:<id>`, `openreview:<id>`). Hashes, so that the list
itself does not name who asked to be erased; several identifiers, so that a rebuild that gives
the person another person id still finds them by their ORCID, DBLP or OpenReview id.

Read paths never see an erased person: `apply(con, path)` puts, on a read-only connection,
temporary views in front of every table that holds people (persons, profiles, careers, moves,
mentions, the sourcing tables...), each leaving the erased people's rows out. Temporary views
shadow the tables of the same name for that connection only, so every query of the core (person,
cohorts, flows, source, dossier, exports, the web app) reads through them unchanged. A file
rather than a table: appending to it needs no write lock on the store, so an erasure works while
`talentgraph serve` holds the store open, and the server rereads the file when it changes.
After a build, `pipeline.build` deletes the erased people from the search index again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

SUFFIX = ".erased"
# the strong identifiers in `persons` (list columns) and their tags in the list
ID_COLUMNS = {"orcids": "orcid", "dblp_ids": "dblp", "openreview_ids": "openreview"}

# table -> the condition that keeps a row (`e`: the erased person ids);
# tables without people are not shadowed
_KEEP = {
    "persons": "person_id NOT IN (SELECT person_id FROM e)",
    "person_keys": "person_id NOT IN (SELECT person_id FROM e)",
    "person_profiles": "person_id NOT IN (SELECT person_id FROM e)",
    "mention_person": "person_id NOT IN (SELECT person_id FROM e)",
    "affiliation_obs": "person_id NOT IN (SELECT person_id FROM e)",
    "spells": "person_id NOT IN (SELECT person_id FROM e)",
    "moves": "person_id NOT IN (SELECT person_id FROM e)",
    "career_papers": "person_id NOT IN (SELECT person_id FROM e)",
    "career_coauthors": "person_id NOT IN (SELECT person_id FROM e) "
                        "AND coauthor_id NOT IN (SELECT person_id FROM e)",
    "sourcing_people": "person_id NOT IN (SELECT person_id FROM e)",
    "sourcing_authorship": "person_id NOT IN (SELECT person_id FROM e)",
    "sourcing_person_static": "person_id NOT IN (SELECT person_id FROM e)",
    "move_evidence": "move_id NOT IN (SELECT move_id FROM {db}.main.moves "
                     "WHERE person_id IN (SELECT person_id FROM e))",
    "sourcing_author_keys": "person_key NOT IN (SELECT person_key FROM "
                            "{db}.main.sourcing_person_static "
                            "WHERE person_id IN (SELECT person_id FROM e))",
    # the erased person's author mentions (their name, e-mail, ids on papers)
    "mentions": "(paper_id, position) NOT IN (SELECT (paper_id, position) FROM "
                "{db}.main.mention_person WHERE person_id IN (SELECT person_id FROM e))",
}


def list_path(db_path: Path | str) -> Path:
    """The suppression list of the store at `db_path`."""
    p = Path(db_path)
    return p.with_name(p.name + SUFFIX)


def digest(kind: str, value: str) -> str:
    """The line for one identifier (DuckDB's sha256() gives the same hex)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def identifiers(con: duckdb.DuckDBPyConnection | None, person_id: str) -> list[str]:
    """The digests of a person: their person id, and their strong ids where `con` (a store
    connection) holds the person."""
    out = [digest("person", person_id)]
    if con is None or "persons" not in _tables(con, "main"):
        return out
    cols = [c for c in ID_COLUMNS if c in _columns(con, "persons")]
    if not cols:
        return out
    row = con.execute(f"SELECT {', '.join(cols)} FROM {_db(con)}.main.persons "
                      "WHERE person_id = ?", [person_id]).fetchone()
    for col, values in zip(cols, row or (), strict=False):
        out += [digest(ID_COLUMNS[col], v) for v in values or [] if v]
    return out


def add(db_path: Path | str, lines: Iterable[str]) -> Path:
    """Append digests to the store's list (created 0600), flushed to disk before returning."""
    path = list_path(db_path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, "".join(f"{line}\n" for line in lines).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def load(db_path: Path | str | None) -> frozenset[str]:
    """The digests in the store's list (empty when there is none)."""
    if db_path is None:
        return frozenset()
    try:
        text = list_path(db_path).read_text(encoding="ascii")
    except FileNotFoundError:
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def stamp(db_path: Path | str | None) -> tuple[int, int] | None:
    """What changes when the list changes (mtime, size); None: no list."""
    if db_path is None:
        return None
    try:
        st = list_path(db_path).stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size


def erased_ids(con: duckdb.DuckDBPyConnection, digests: frozenset[str]) -> list[str]:
    """The person ids in the store (its tables, not the views) that the digests name."""
    if not digests or "persons" not in _tables(con, "main"):
        return []
    have = _columns(con, "persons")
    tests = ["sha256('person:' || person_id) IN (SELECT unnest($d))"]
    tests += [f"list_has_any(list_transform(coalesce({c}, []), x -> sha256('{tag}:' || x)), $d)"
              for c, tag in ID_COLUMNS.items() if c in have]
    return [r[0] for r in con.execute(
        f"SELECT person_id FROM {_db(con)}.main.persons WHERE {' OR '.join(tests)} "
        "ORDER BY person_id", {"d": sorted(digests)}).fetchall()]


@dataclass(frozen=True)
class Applied:
    person_ids: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """The store's catalog name and tables (asked once: it costs tens of ms a time)."""

    db: str
    tables: frozenset[str]


def layout(con: duckdb.DuckDBPyConnection) -> Layout:
    return Layout(_db(con), frozenset(_tables(con, "main")))


def apply(con: duckdb.DuckDBPyConnection, db_path: Path | str | None,
          person_ids: Iterable[str] | None = None, where: Layout | None = None) -> Applied:
    """Shadow every table holding people with a view without the erased people (on this
    connection; DuckDB cursors are connections of their own). `person_ids` and `where`: what
    the caller knows already (a server computes them once per change of the list)."""
    ids = list(person_ids) if person_ids is not None else erased_ids(con, load(db_path))
    if not ids:
        return Applied(())
    where = where or layout(con)
    db = where.db
    # the ids inline (quoted as SQL literals) and every view in one statement: a cursor of the
    # web server pays this on every request while the list is not empty
    e = "SELECT unnest([" + ", ".join("'" + i.replace("'", "''") + "'" for i in ids) + \
        "]) AS person_id"
    sql = []
    for table, keep in _KEEP.items():
        if table in where.tables:
            cond = keep.replace("FROM e)", f"FROM ({e}))").format(db=db)
            sql.append(f"CREATE OR REPLACE TEMP VIEW {table} AS "
                       f"SELECT * FROM {db}.main.{table} WHERE {cond}")
    con.execute(";\n".join(sql))
    return Applied(tuple(ids))


def _db(con: duckdb.DuckDBPyConnection) -> str:
    name = con.execute("SELECT current_database()").fetchone()[0]
    return '"' + name.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? "
        "AND database_name = current_database()", [schema]).fetchall()}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
        "AND database_name = current_database()", [table]).fetchall()}
