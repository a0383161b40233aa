"""People search, cohort and the typo'd organisation on a world with namesakes (issue #15,
items 6 and 8), through the app's pages and API."""

from __future__ import annotations

import duckdb

from . import readux_world

# this module's world and app (namesakes, a misspelt organisation), not the default ones
world, app = readux_world.world, readux_world.app


def test_namesakes_are_told_apart_by_organisation(client_for) -> None:
    c = client_for("recruiter")
    found = c.get("/api/people", params={"q": "Qiang Liu"}).json()
    assert len(found) == 2
    now = sorted((p["current_organisation"]["organisation"], p["current_organisation"]
                  ["first_year"], p["current_organisation"]["last_year"]) for p in found)
    assert now == [("The University of Texas at Austin", 2019, 2024),
                   ("Tsinghua University", 2019, 2024)]
    html = c.get("/people", params={"q": "Qiang Liu"}).text
    assert html.count("Tsinghua University") == 1 and "University of Texas at Austin" in html
    assert "2 people found" in html


def test_misspelt_organisation_is_one_organisation(world) -> None:
    con = duckdb.connect(str(world["db"]), read_only=True)
    orgs = con.execute("SELECT org_id, name FROM orgs WHERE name ILIKE 'physical intel%'"
                       ).fetchall()
    aliases = {a for (a,) in con.execute(
        "SELECT alias FROM org_aliases WHERE org_id = 'physical-intelligence'").fetchall()}
    con.close()
    assert orgs == [("physical-intelligence", "Physical Intelligence")]
    assert "Physical Intelliigence" in aliases


def test_cohort_summary_first_left_first_others_collapsed(client_for) -> None:
    c = client_for("recruiter")
    params = {"org": "DeepMind", "year_from": "2019", "year_to": "2021"}
    d = c.get("/api/cohort", params=params).json()
    dest = {x["to"]: x["n"] for x in d["summary"]["destinations"]}
    assert dest.get("Physical Intelligence") == 2 and "Physical Intelliigence" not in dest
    html = c.get("/cohort", params=params).text
    summary, left, stayed = (html.index('id="cohort-summary"'), html.index('id="members-left"'),
                             html.index('id="members-stayed"'))
    assert summary < left < stayed
    assert '<details id="members-stayed">' in html  # closed: no "open" attribute
    left_rows = html[left:html.index("</table>", left)]
    assert "Ivan Jones" in left_rows and "Jia Kim" in left_rows and "Eve Fong" not in left_rows
