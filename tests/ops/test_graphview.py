"""The DuckDB graph view reads persons, papers and coauthors' organisations from the store."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from talentgraph.errors import NotFoundError, StoreError
from talentgraph.ops.graphview import DuckDBGraphView, FakeGraphView, GraphView, PersonSummary


def _store(path: Path, with_persons: bool = True) -> Path:
    con = duckdb.connect(str(path))
    con.execute("""CREATE TABLE papers (paper_id VARCHAR, venue VARCHAR, year INTEGER,
                   title VARCHAR, keywords VARCHAR[], status VARCHAR, citations INTEGER)""")
    con.execute("""INSERT INTO papers VALUES
        ('p1', 'iclr', 2023, 'Sparse Mixtures Revisited', ['moe', 'scaling'], 'Poster', 10),
        ('p2', 'nips', 2024, 'Long Context Retrieval', ['retrieval', 'moe'], 'Oral', 3),
        ('p3', 'icml', 2022, 'A Rejected Idea', ['moe'], 'Reject', 500)""")
    if with_persons:
        con.execute("""CREATE TABLE persons (person_id VARCHAR, canonical_name VARCHAR)""")
        con.execute("""INSERT INTO persons VALUES ('A', 'Alice Liddell'), ('B', 'Bob Tables'),
                       ('C', 'Carol Danvers')""")
        con.execute("""CREATE TABLE mention_person (paper_id VARCHAR, position INTEGER,
                       person_id VARCHAR)""")
        con.execute("""INSERT INTO mention_person VALUES ('p1', 0, 'A'), ('p1', 1, 'B'),
                       ('p2', 0, 'A'), ('p2', 1, 'B'), ('p2', 2, 'C'), ('p3', 0, 'A')""")
        con.execute("CREATE TABLE orgs (org_id VARCHAR, name VARCHAR)")
        con.execute("INSERT INTO orgs VALUES ('o1', 'Our Lab'), ('o2', 'Rival AI')")
        con.execute("""CREATE TABLE mention_orgs (paper_id VARCHAR, position INTEGER,
                       org_id VARCHAR, rank INTEGER)""")
        con.execute("""INSERT INTO mention_orgs VALUES ('p1', 1, 'o2', 1), ('p2', 1, 'o1', 1),
                       ('p2', 2, 'o2', 1)""")
    con.close()
    return path


def test_duckdb_summary_needs_the_search_index_to_choose_papers(tmp_path: Path) -> None:
    # The papers come from the dossier's ranking (tests/web/test_letters.py, on a built store):
    # a store without the search index says so instead of ranking them another way.
    view = DuckDBGraphView(_store(tmp_path / "g.duckdb"))
    assert isinstance(view, GraphView)
    with pytest.raises(StoreError, match="no search index"):
        view.person_summary("A")
    with pytest.raises(NotFoundError):
        view.person_summary("nobody")


def test_duckdb_coauthors_with_their_latest_organisation(tmp_path: Path) -> None:
    path = _store(tmp_path / "g.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    coauthors = DuckDBGraphView._coauthors(con, tables, "A", 50)
    con.close()
    bob = next(c for c in coauthors if c.person_id == "B")
    assert (bob.name, bob.org, bob.shared_papers) == ("Bob Tables", "Our Lab", 2)  # latest paper
    assert [c.person_id for c in coauthors] == ["B", "C"]


def test_duckdb_without_person_tables_says_what_to_do(tmp_path: Path) -> None:
    view = DuckDBGraphView(_store(tmp_path / "g.duckdb", with_persons=False))
    with pytest.raises(StoreError, match="persons"):
        view.person_summary("A")


def test_fake() -> None:
    fake = FakeGraphView({"A": PersonSummary("A", "Alice")})
    assert fake.person_summary("A").name == "Alice"
    with pytest.raises(NotFoundError):
        fake.person_summary("B")


def _add_careers(path: Path) -> None:
    """The tables the retention definition reads: mention years, and moves (careers stage)."""
    con = duckdb.connect(str(path))
    con.execute("""CREATE TABLE mentions AS SELECT mp.paper_id, mp.position, p.year
                   FROM mention_person mp JOIN papers p USING (paper_id)""")
    con.execute("""CREATE TABLE moves (person_id VARCHAR, from_org_id VARCHAR, to_org_id VARCHAR,
                   last_year_at_from INTEGER, first_year_at_to INTEGER, kind VARCHAR)""")
    con.execute("""INSERT INTO moves VALUES ('B', 'o1', 'o2', 2024, 2025, 'job_change'),
                   ('C', 'o1', 'o2', 2024, 2025, 'job_change'),
                   ('D', 'o1', 'o2', 2024, 2025, 'internship')""")
    con.execute("INSERT INTO mention_person VALUES ('p2', 3, 'D')")
    con.execute("INSERT INTO mentions VALUES ('p2', 3, 2024)")
    con.close()


def test_collaborators_left_is_the_retention_definition(tmp_path: Path) -> None:
    from datetime import date

    from talentgraph.ops.retention.graph import collaborators_left

    path = _store(tmp_path / "g.duckdb")
    view = DuckDBGraphView(path)
    assert view.collaborators_left("A", date(2025, 6, 1)) == (0, None)  # no moves table yet
    _add_careers(path)
    # Close: a shared paper in 2023-2025 (B: 2, C: 1, D: 1). B and C moved in 2024-2025; D's
    # internship does not count. (The old all-time ">= 2 shared papers" rule gave 1 of 1.)
    assert view.collaborators_left("A", date(2025, 6, 1)) == (2, 3)
    assert DuckDBGraphView(path, our_org_ids=["o9"]).collaborators_left(
        "A", date(2025, 6, 1)) == (0, 3)
    assert DuckDBGraphView(path, our_org_ids=["o1"]).collaborators_left(
        "A", date(2025, 6, 1)) == (2, 3)
    assert view.collaborators_left("A", date(2030, 1, 1)) == (0, 0)  # no paper in 2028-2030
    # The number shown is the number the flight-risk model uses, for every person and year.
    con = duckdb.connect(str(path), read_only=True)
    try:
        for person in ("A", "B", "C", "D"):
            for year in (2022, 2024, 2025, 2026):
                found = collaborators_left(con, person, year)
                assert view.collaborators_left(person, date(year, 3, 1)) == (found.count,
                                                                            found.close)
    finally:
        con.close()
