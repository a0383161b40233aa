"""A tiny hand-filled store with the identity tables the careers stage reads (the contract of
the organisations and people stages), so careers is tested on its own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from talentgraph.careers.stage import build_careers
from talentgraph.store import db

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class FixtureStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = db.connect(path)
        self.con.execute("""
            CREATE TABLE orgs (org_id VARCHAR, name VARCHAR, kind VARCHAR, country VARCHAR,
                               parent_id VARCHAR, top_parent_id VARCHAR);
            CREATE TABLE org_aliases (alias VARCHAR, org_id VARCHAR, valid_from DATE,
                                      valid_to DATE, source VARCHAR);
            CREATE TABLE mention_orgs (paper_id VARCHAR, position INTEGER, org_id VARCHAR,
                                       rank INTEGER, method VARCHAR, confidence DOUBLE);
            CREATE TABLE paper_orgs (paper_id VARCHAR, org_id VARCHAR, method VARCHAR);
            CREATE TABLE persons (person_id VARCHAR, canonical_name VARCHAR,
                                  name_variants VARCHAR[], openreview_ids VARCHAR[],
                                  orcids VARCHAR[], dblp_ids VARCHAR[], n_mentions INTEGER,
                                  first_year INTEGER, last_year INTEGER);
            CREATE TABLE mention_person (paper_id VARCHAR, position INTEGER, person_id VARCHAR,
                                         method VARCHAR, confidence DOUBLE);
        """)
        self.sources: set[str] = set()
        self.names: dict[str, str] = {}
        self.n = 0

    def org(self, org_id: str, name: str, kind: str = "university", parent: str | None = None,
            top: str | None = None) -> FixtureStore:
        self.con.execute("INSERT INTO orgs VALUES (?, ?, ?, NULL, ?, ?)",
                         [org_id, name, kind, parent, top or parent])
        self.con.execute("INSERT INTO org_aliases VALUES (?, ?, NULL, NULL, 'test')",
                         [name, org_id])
        return self

    def alias(self, alias: str, org_id: str, valid_from: str) -> FixtureStore:
        self.con.execute("INSERT INTO org_aliases VALUES (?, ?, ?, NULL, 'test')",
                         [alias, org_id, valid_from])
        return self

    def paper(self, year: int, authors: list[tuple], family: str = "C", venue: str = "conf",
              title: str | None = None, paper_orgs: list[str] | None = None,
              keywords: list[str] | None = None) -> str:
        """authors: (person_id, [org_id...], role) or (person_id, [org_id...], role, raw_aff)."""
        self.n += 1
        source = f"{venue}{family.lower()}{year}.json.gz"
        if source not in self.sources:
            self.sources.add(source)
            self.con.execute(
                "INSERT INTO sources VALUES (?, 'paperlists', ?, ?, ?, ?, 'x', 1, 1, 1, 1, 0, "
                "'ok', ?)", [source, source, venue, year, family, NOW])
        record = f"r{self.n}"
        paper_id = f"{source.split('.')[0]}/{record}"
        self.con.execute(
            "INSERT INTO papers (paper_id, source_file, record_id, venue, year, title, keywords, "
            "n_authors, aff_set, id_set, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, [], ?)",
            [paper_id, source, record, venue, year, title or f"Paper {self.n}", keywords or [],
             len(authors), [], NOW])
        for pos, author in enumerate(authors):
            pid, orgs, role = author[:3]
            raw_aff = author[3] if len(author) > 3 else None
            name = self.names.setdefault(pid, pid.replace("_", " ").title())
            self.con.execute(
                "INSERT INTO mentions (paper_id, position, raw_name, raw_affiliation, role, "
                "aff_aligned, source_file, record_id, year, ingested_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [paper_id, pos, name, raw_aff, role, bool(orgs), source, record, year, NOW])
            self.con.execute("INSERT INTO mention_person VALUES (?, ?, ?, 'test', 1.0)",
                             [paper_id, pos, pid])
            for rank, org in enumerate(orgs):
                self.con.execute("INSERT INTO mention_orgs VALUES (?, ?, ?, ?, 'test', 1.0)",
                                 [paper_id, pos, org, rank])
        for org in paper_orgs or []:
            self.con.execute("INSERT INTO paper_orgs VALUES (?, ?, 'test')", [paper_id, org])
        return paper_id

    def build(self) -> duckdb.DuckDBPyConnection:
        self.con.execute("""
            INSERT INTO persons
            SELECT mp.person_id, any_value(m.raw_name), list(DISTINCT m.raw_name),
                   [mp.person_id], [], [], count(*), min(m.year), max(m.year)
            FROM mention_person mp JOIN mentions m USING (paper_id, position)
            GROUP BY mp.person_id
        """)
        self.report = build_careers(self.con)
        return self.con


@pytest.fixture
def store(tmp_path: Path):
    s = FixtureStore(tmp_path / "careers.duckdb")
    yield s
    s.con.close()
