"""Positions as careers evidence: linking to people (ids, corroborated names, never a guess),
spells bounded by dates, interns and advisers never making a job move, "now", the spells
contract, and name look-ups that ignore accents, case and punctuation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talentgraph.careers.cohorts import cohort_report
from talentgraph.careers.export import SPELLS_COLUMNS, export_spells
from talentgraph.careers.lookup import find_persons
from talentgraph.careers.now import now_of
from talentgraph.careers.person import person_careers
from talentgraph.careers.positions import positions_stage, unlinked
from talentgraph.careers.stage import build_careers
from talentgraph.cli import app
from talentgraph.sources.positions.model import PositionUnit, RowBuilder
from talentgraph.store.positions import write_positions


def add_positions(store, rows: list[dict], unit: str = "csv:test.csv") -> None:
    """rows: person_name/orcid/openreview_id, org_raw, title, start, end, seen, url."""
    u = PositionUnit(unit, unit.split(":")[0], unit, f"sha-{len(rows)}-{unit}", 1)
    for i, r in enumerate(rows, start=1):
        b = RowBuilder(u, i)
        for k in ("person_name", "orcid", "openreview_id", "org_raw", "title",
                  "employment_type", "url"):
            b.row[k] = r.get(k)
        for which in ("start", "end", "seen"):
            if r.get(which):
                b.when(which, r[which], which)
        b.finish()
    write_positions(store.con, u)


def build(store, names: dict[str, str] | None = None, ids: dict[str, list[str]] | None = None):
    """Persons from the mentions (as FixtureStore.build), the positions stage, careers."""
    store.con.execute("""
        INSERT INTO persons
        SELECT mp.person_id, any_value(m.raw_name), list(DISTINCT m.raw_name),
               [mp.person_id], [], [], count(*), min(m.year), max(m.year)
        FROM mention_person mp JOIN mentions m USING (paper_id, position)
        GROUP BY mp.person_id""")
    for pid, orcids in (ids or {}).items():
        store.con.execute("UPDATE persons SET orcids = ? WHERE person_id = ?", [orcids, pid])
    store.positions_report = positions_stage(store.con)
    store.report = build_careers(store.con)
    return store.con


def link_of(con, name: str) -> list[tuple]:
    return con.execute("""
        SELECT l.person_id, l.link, l.org_id, l.reason FROM position_links l
        JOIN positions p USING (position_id) WHERE p.person_name = ? ORDER BY p.start_date""",
                       [name]).fetchall()


def world(store):
    store.org("openai", "OpenAI", "industry_lab").org("anthropic", "Anthropic", "industry_lab")
    store.org("stanford-university", "Stanford University")
    store.org("mila", "Mila", "institute")
    store.names.update({"ada": "Ada Lovelace", "ada2": "Ada Lovelace", "bo": "Bo Byron",
                        "cy": "Cy Rozière", "zed": "Zed Orcid"})
    # two persons named Ada Lovelace: one at Stanford, one at Mila
    store.paper(2016, [("ada", ["stanford-university"], None), ("bo", ["openai"], None)])
    store.paper(2018, [("ada", ["stanford-university"], None)])
    store.paper(2019, [("ada2", ["mila"], None)])
    store.paper(2020, [("ada2", ["mila"], None)])
    # Bo: OpenAI on papers to 2021
    store.paper(2019, [("bo", ["openai"], None)])
    store.paper(2021, [("bo", ["openai"], None)])
    # Cy: a unique name, papers at Stanford
    store.paper(2017, [("cy", ["stanford-university"], None)])
    store.paper(2018, [("cy", ["stanford-university"], None)])
    store.paper(2019, [("zed", ["mila"], None)])
    store.paper(2020, [("zed", ["mila"], None)])


def test_linking_ids_first_names_only_when_corroborated(store):
    world(store)
    add_positions(store, [
        # the Stanford Ada: her organisation is in her papers in the position's years
        {"person_name": "Ada Lovelace", "org_raw": "Stanford University", "title": "PhD student",
         "start": "2015-09", "end": "2019-06"},
        # a namesake with no paper at the organisation: two persons share the name -> unlinked
        {"person_name": "Ada Lovelace", "org_raw": "Anthropic", "title": "Engineer",
         "start": "2023-01"},
        # unique name (accents and case aside) -> linked, weakly
        {"person_name": "CY ROZIERE", "org_raw": "Anthropic", "title": "Researcher",
         "start": "2022-01"},
        # an ORCID held by one person links whatever the name
        {"person_name": "Z. Orcid-Someone", "orcid": "0000-0002-1825-0097",
         "org_raw": "OpenAI", "title": "Engineer", "start": "2021-01"},
        # nobody of that name
        {"person_name": "No Such Person", "org_raw": "OpenAI", "start": "2020"},
        # organisation unknown to the store: kept, unresolved
        {"person_name": "Bo Byron", "org_raw": "Acme Widgets Ltd", "start": "2010",
         "end": "2012"},
    ])
    con = build(store, ids={"zed": ["0000-0002-1825-0097"]})
    assert link_of(con, "Ada Lovelace")[0][:3] == ("ada", "name_org", "stanford-university")
    ada_anthropic = link_of(con, "Ada Lovelace")[1]
    assert ada_anthropic[0] is None and "2 persons share the name" in ada_anthropic[3]
    assert link_of(con, "CY ROZIERE")[0] == ("cy", "name_unique", "anthropic", None)
    assert link_of(con, "Z. Orcid-Someone")[0][:2] == ("zed", "orcid")
    assert link_of(con, "No Such Person")[0][0] is None
    bo = link_of(con, "Bo Byron")[0]
    assert bo[:3] == ("bo", "name_unique", None)  # kept, organisation unresolved
    assert con.execute("SELECT count(*) FROM positions").fetchone()[0] == 6
    listed = {(r["person_name"], r["org_raw"]) for r in unlinked(con)}
    assert listed == {("Ada Lovelace", "Anthropic"), ("No Such Person", "OpenAI")}
    assert store.positions_report["unlinked"] == 2
    from talentgraph.store.stats import _positions
    assert _positions(con) == [{"source": "csv", "positions": 6, "linked_by_id": 1,
                                "linked_by_name_and_org": 1, "linked_by_unique_name": 2,
                                "unlinked": 2, "org_unresolved": 1}]


def test_id_held_by_two_persons_links_nobody(store):
    world(store)
    add_positions(store, [{"person_name": "Zed Orcid", "orcid": "0000-0002-1825-0097",
                           "org_raw": "OpenAI", "start": "2021"}])
    con = build(store, ids={"zed": ["0000-0002-1825-0097"], "bo": ["0000-0002-1825-0097"]})
    pid, link, _org, reason = link_of(con, "Zed Orcid")[0]
    assert pid is None and link is None and "held by 2 persons" in reason


def test_positions_bound_spells_and_make_moves_with_their_evidence(store):
    world(store)
    add_positions(store, [
        {"person_name": "Bo Byron", "orcid": "0000-0001-0000-0001", "org_raw": "OpenAI",
         "title": "Member of Technical Staff", "start": "2016-01", "end": "2022-05",
         "url": "https://example.org/openai"},
        {"person_name": "Bo Byron", "orcid": "0000-0001-0000-0001", "org_raw": "Anthropic",
         "title": "Research Scientist", "start": "2022-06", "seen": "2025-03-01",
         "url": "https://example.org/anthropic"},
    ], unit="aiwatch:positions.csv")
    con = build(store, ids={"bo": ["0000-0001-0000-0001"]})
    spells = con.execute("SELECT org_id, start_year, end_year, kind, sources, corroborated "
                         "FROM spells WHERE person_id = 'bo' ORDER BY start_year").fetchall()
    # the OpenAI spell ends with the position (2022), not with the last paper (2021)
    assert spells == [("openai", 2016, 2022, "home", ["aiwatch", "papers"], True),
                      ("anthropic", 2022, 2025, "home", ["aiwatch"], True)]
    move = con.execute("SELECT from_org_id, to_org_id, kind, evidence, move_id FROM moves "
                       "WHERE person_id = 'bo'").fetchall()
    assert [(m[0], m[1], m[2]) for m in move] == [("openai", "anthropic", "job_change")]
    assert "position" in move[0][3]
    ev = con.execute("SELECT side, evidence, source_file FROM move_evidence WHERE move_id = ? "
                     "AND evidence = 'position'", [move[0][4]]).fetchall()
    assert ("to", "position", "aiwatch:positions.csv") in ev
    # now: the open position, newer than the last paper (2021), last seen 2025
    now = now_of(con, "bo")
    assert (now["org_id"], now["since_year"], now["seen_year"], now["basis"]) == \
        ("anthropic", 2022, 2025, "open_position")
    assert "aiwatch" in now["evidence"] and "https://example.org/anthropic" in now["evidence"]
    page = person_careers(con, "bo")
    assert page["now"]["org"] == "Anthropic"
    assert [p["url"] for p in page["positions"]] == ["https://example.org/anthropic",
                                                     "https://example.org/openai"]
    # cohort: Bo left OpenAI for Anthropic, and the record names the position
    f = store.path.parent / "cohort.txt"
    f.write_text("bo byron\n")
    rep = cohort_report(con, file=f, org="OpenAI")
    bo = rep["members"][0]
    assert bo["status"] == "left" and bo["to_org_id"] == "anthropic"
    assert any(p["url"] == "https://example.org/anthropic" for p in bo["positions"])


def test_intern_and_adviser_positions_never_make_a_job_move(store):
    world(store)
    add_positions(store, [
        {"person_name": "Cy Rozière", "org_raw": "OpenAI", "title": "Research Intern",
         "start": "2019-06", "end": "2019-09"},
        {"person_name": "Cy Rozière", "org_raw": "OpenAI", "title": "Summer internship",
         "start": "2020-06", "end": "2020-09"},
        {"person_name": "Cy Rozière", "org_raw": "Anthropic", "title": "Advisor",
         "employment_type": "advisor", "start": "2021", "end": "2023"},
        {"person_name": "Cy Rozière", "org_raw": "Mila", "title": "Director of International "
         "Relations", "start": "2024-01"},
    ])
    store.paper(2019, [("cy", ["stanford-university"], None)])
    store.paper(2020, [("cy", ["stanford-university"], None)])
    con = build(store)
    kinds = dict(con.execute("SELECT org_id, kind FROM spells WHERE person_id = 'cy'"
                             ).fetchall())
    assert kinds["openai"] == "internship" and kinds["anthropic"] == "affiliate"
    assert kinds["mila"] == "home"  # "International" is no intern
    moves = con.execute("SELECT to_org_id, kind FROM moves WHERE person_id = 'cy'").fetchall()
    assert ("anthropic", "job_change") not in moves
    assert all(k != "job_change" for o, k in moves if o == "openai")


def test_now_is_the_latest_corroborated_spell_when_papers_are_newer(store):
    world(store)
    add_positions(store, [{"person_name": "Bo Byron", "orcid": "0000-0001-0000-0001",
                           "org_raw": "Stanford University", "start": "2014", "seen": "2015",
                           "url": "https://example.org/old"}])
    con = build(store, ids={"bo": ["0000-0001-0000-0001"]})
    now = now_of(con, "bo")
    assert (now["org_id"], now["basis"], now["seen_year"]) == ("openai", "spell", 2021)
    assert "independent record" in now["evidence"]


def test_export_spells_contract(store, tmp_path: Path):
    world(store)
    add_positions(store, [{"person_name": "Bo Byron", "orcid": "0000-0001-0000-0001",
                           "org_raw": "Anthropic", "start": "2022-06"}],
                  unit="aiwatch:positions.csv")
    con = build(store, ids={"bo": ["0000-0001-0000-0001"]})
    out = tmp_path / "spells.csv"
    n = export_spells(con, out)
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == SPELLS_COLUMNS and len(rows) == n > 0
    bo = [r for r in rows if r["person_id"] == "bo"]
    assert {(r["org_id"], r["source"], r["ror_id"]) for r in bo} == {
        ("openai", "papers", ""), ("anthropic", "aiwatch", "")}
    # where orgs carries ROR ids (the ROR branch), they are exported
    con.execute("ALTER TABLE orgs ADD COLUMN ror_id VARCHAR")
    con.execute("UPDATE orgs SET ror_id = 'https://ror.org/05wx9n238' WHERE org_id = 'openai'")
    export_spells(con, out)
    with out.open() as fh:
        assert {r["ror_id"] for r in csv.DictReader(fh) if r["org_id"] == "openai"} == \
            {"https://ror.org/05wx9n238"}


def test_name_lookups_ignore_accents_case_and_punctuation(store, tmp_path: Path):
    store.org("meta-fair", "FAIR", "industry_lab")
    store.names.update({"br": "Baptiste Roziere", "jr": "Jean-Rémi King", "sh": "Søren Hauberg"})
    store.paper(2022, [("br", ["meta-fair"], None), ("jr", ["meta-fair"], None),
                       ("sh", ["meta-fair"], None)])
    store.paper(2023, [("br", ["meta-fair"], None), ("jr", ["meta-fair"], None)])
    con = build(store)
    for query, pid in (("Baptiste Rozière", "br"), ("baptiste ROZIERE", "br"),
                       ("Jean Remi King", "jr"), ("jean-rémi king.", "jr"),
                       ("Soren Hauberg", "sh"), ("Søren Hauberg", "sh")):
        assert [p["person_id"] for p in find_persons(con, query)] == [pid], query
    f = tmp_path / "cohort.txt"
    f.write_text("Baptiste Rozière\nJEAN-REMI KING\nNobody Atall\n")
    rep = cohort_report(con, file=f, org="FAIR")
    assert [m["person_id"] for m in rep["members"]] == ["br", "jr", None]
    assert rep["summary"]["not_found"] == 1


def test_person_command_finds_accented_names(store):
    # the candidates step of `talentgraph person` (the fixture lacks the people stage's
    # mention_person.evidence that the full answer lists)
    from talentgraph.resolve.people.query import _candidates

    store.org("meta-fair", "FAIR", "industry_lab")
    store.names.update({"sh": "Søren Hauberg"})
    store.paper(2022, [("sh", ["meta-fair"], None)])
    con = build(store)
    assert _candidates(con, "Soren Hauberg", 5) == ["sh"]


def test_cli_positions_unlinked_and_export(store, tmp_path: Path):
    world(store)
    add_positions(store, [{"person_name": "No Such Person", "org_raw": "OpenAI",
                           "start": "2020"}])
    build(store)
    store.con.close()
    runner = CliRunner()
    res = runner.invoke(app, ["positions", "unlinked", "--db", str(store.path), "--json"])
    assert res.exit_code == 0, res.output
    assert '"unlinked": 1' in res.output and "no person of this name" in res.output
    out = tmp_path / "s.csv"
    res = runner.invoke(app, ["export", "spells", "--db", str(store.path), "--out", str(out)])
    assert res.exit_code == 0 and out.read_text().startswith(",".join(SPELLS_COLUMNS))
    store.con = __import__("duckdb").connect(str(store.path))


@pytest.mark.parametrize("title,kind", [("Research Intern", "intern"),
                                        ("Visiting Scholar", "visitor"),
                                        ("Board Member", "affiliate"),
                                        ("Head of International Programs", "staff"),
                                        ("Assistant Professor", "faculty")])
def test_position_role_kinds(title, kind):
    import duckdb

    from talentgraph.careers.position_obs import POSITION_ROLE_KIND_SQL

    con = duckdb.connect()
    got = con.execute(f"SELECT {POSITION_ROLE_KIND_SQL} FROM (SELECT ? AS title, "
                      "NULL::VARCHAR AS employment_type)", [title]).fetchone()[0]
    assert got == kind


def test_flows_name_the_positions_behind_a_flow(store):
    from talentgraph.careers.flows import flows

    world(store)
    add_positions(store, [
        {"person_name": "Bo Byron", "orcid": "0000-0001-0000-0001", "org_raw": "OpenAI",
         "start": "2016-01", "end": "2022-05"},
        {"person_name": "Bo Byron", "orcid": "0000-0001-0000-0001", "org_raw": "Anthropic",
         "start": "2022-06", "url": "https://example.org/anthropic"}],
        unit="aiwatch:positions.csv")
    con = build(store, ids={"bo": ["0000-0001-0000-0001"]})
    data = flows(con, 2020, 2024)
    row = [r for r in data["top_flows"] if r["to_id"] == "anthropic"][0]
    assert row["evidence"]["moves_with_positions"] == 1
    assert {"source": "aiwatch", "url": "https://example.org/anthropic"} in [
        {k: p[k] for k in ("source", "url")} for p in row["evidence"]["positions"]]


def test_name_lookup_on_a_store_built_before_name_keys(store):
    """Without person_name_keys (a store built before the positions stage) the look-up still
    ignores accents, case and punctuation, in SQL."""
    store.org("meta-fair", "FAIR", "industry_lab")
    store.names.update({"br": "Baptiste Roziere"})
    store.paper(2022, [("br", ["meta-fair"], None)])
    store.build()
    assert store.con.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'person_name_keys'").fetchone()[0] == 0
    for q in ("Baptiste Rozière", "baptiste roziere.", "BAPTISTE  ROZIERE"):
        assert [p["person_id"] for p in find_persons(store.con, q)] == ["br"], q


def test_cohort_counts_an_open_position_elsewhere_as_leaving(store, tmp_path: Path):
    world(store)
    # Cy: papers at Stanford to 2018, then an open position at Anthropic since 2020 (linked by
    # the unique name: too weak for a move, but it is "now", newer than every paper)
    add_positions(store, [{"person_name": "Cy Rozière", "org_raw": "Anthropic",
                           "title": "Researcher", "start": "2020-02",
                           "url": "https://example.org/cy"}], unit="aiwatch:positions.csv")
    con = build(store)
    assert con.execute("SELECT count(*) FROM moves WHERE person_id = 'cy'").fetchone()[0] == 0
    f = tmp_path / "c.txt"
    f.write_text("Cy Roziere\n")
    cy = cohort_report(con, file=f, org="Stanford University", year=2019)["members"][0]
    assert (cy["status"], cy["to_org_id"], cy["first_year_at_new"]) == ("left", "anthropic", 2020)
    assert cy["positions"][0]["url"] == "https://example.org/cy"
    assert "https://example.org/cy" in cy["detail"]
    # a cohort date after the position began: not a departure from the cohort's home
    later = cohort_report(con, file=f, org="Stanford University", year=2021)["members"][0]
    assert later["status"] != "left"
