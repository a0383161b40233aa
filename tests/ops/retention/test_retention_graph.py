import duckdb
import pytest

from talentgraph.errors import StoreError
from talentgraph.ops.retention.graph import collaborators_left


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("CREATE TABLE mentions (paper_id VARCHAR, position INTEGER, year INTEGER)")
    c.execute("CREATE TABLE mention_person (paper_id VARCHAR, position INTEGER, "
              "person_id VARCHAR)")
    c.execute("CREATE TABLE moves (person_id VARCHAR, from_org_id VARCHAR, to_org_id VARCHAR, "
              "last_year_at_from INTEGER, first_year_at_to INTEGER, kind VARCHAR)")
    papers = {"p1": (2023, ["ada", "bo", "cy"]), "p2": (2024, ["ada", "di"]),
              "p3": (2018, ["ada", "ed"]), "p4": (2024, ["bo", "fe"])}
    for pid, (year, people) in papers.items():
        for pos, person in enumerate(people):
            c.execute("INSERT INTO mentions VALUES (?, ?, ?)", [pid, pos, year])
            c.execute("INSERT INTO mention_person VALUES (?, ?, ?)", [pid, pos, person])
    c.executemany("INSERT INTO moves VALUES (?, ?, ?, ?, ?, ?)", [
        ("bo", "us", "rival", 2023, 2024, "job_change"),
        ("cy", "uni", "us", 2022, 2023, "graduation_hire"),
        ("di", "us", "lab", 2024, 2024, "internship"),    # internships do not count
        ("ed", "us", "rival", 2018, 2019, "job_change"),  # not a close collaborator now
        ("fe", "us", "rival", 2023, 2024, "job_change"),  # bo's coauthor, not ada's
    ])
    return c


def test_recent_departures_of_close_collaborators(con):
    r = collaborators_left(con, "ada", 2024)
    assert r.close == 3  # bo, cy, di (ed's paper is outside the 3-year window)
    assert [d.person_id for d in r.left] == ["bo", "cy"] and r.count == 2
    ours = collaborators_left(con, "ada", 2024, org_ids=["us"])
    assert [(d.person_id, d.to_org_id) for d in ours.left] == [("bo", "rival")]


def test_nobody_and_missing_tables(con):
    assert collaborators_left(con, "nobody", 2024).close == 0
    empty = duckdb.connect()
    empty.execute("CREATE TABLE mentions (x INTEGER)")
    empty.execute("CREATE TABLE mention_person (x INTEGER)")
    with pytest.raises(StoreError, match="no moves table"):
        collaborators_left(empty, "ada", 2024)
