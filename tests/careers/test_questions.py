"""cohort, flows, export moves and the person page on a small hand-made store."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from talentgraph.careers.cohorts import cohort_report
from talentgraph.careers.export import MOVES_COLUMNS, export_moves
from talentgraph.careers.flows import flows
from talentgraph.careers.person import person_careers
from talentgraph.cli import app
from talentgraph.errors import NotFoundError, OpsInputError


@pytest.fixture
def lab(store):
    """A 2020 paper from FAIR by four people whose later records tell four different stories."""
    (store.org("META", "Meta", "industry_lab").org("FAIR", "FAIR", "industry_lab", parent="META")
     .org("GENAI", "Meta GenAI", "industry_lab", parent="META")
     .org("OAI", "OpenAI", "industry_lab").org("U", "Uni Alpha"))
    store.paper(2018, [("ann", ["FAIR"], None), ("bob", ["FAIR"], None)])
    store.paper(2020, [("ann", ["FAIR"], None), ("bob", ["FAIR"], None),
                       ("cat", ["FAIR"], None), ("dan", ["FAIR"], None)],
                title="Flagship Model", keywords=["language models"])
    # ann: left for OpenAI (two papers there).
    store.paper(2022, [("ann", ["OAI"], None)], keywords=["language models", "rlhf"])
    store.paper(2023, [("ann", ["OAI"], None), ("bob", ["FAIR"], None)])
    # bob: stayed (seen at FAIR in 2023). cat: nothing after. dan: one profile record elsewhere.
    # (eve has no other record, so that profile record cannot be checked against coauthors)
    store.paper(2023, [("dan", ["U"], None), ("eve", ["U"], None)], family="B")
    # fay moves inside Meta: FAIR -> Meta GenAI.
    store.paper(2019, [("fay", ["FAIR"], None)])
    store.paper(2020, [("fay", ["FAIR"], None)])
    store.paper(2022, [("fay", ["GENAI"], None)])
    store.paper(2023, [("fay", ["GENAI"], None)])
    store.build()
    return store


def test_paper_cohort_statuses_and_conservative_sentence(lab):
    rep = cohort_report(lab.con, paper="flagship model")
    status = {m["person_id"]: m["status"] for m in rep["members"]}
    assert status == {"ann": "left", "bob": "stayed", "cat": "unknown", "dan": "unknown"}
    s = rep["summary"]
    assert s["sentence"].startswith("At least 1 of 4 have left")
    assert s["people"]["left"] == ["ann"]
    assert s["destinations"] == [{"to": "OpenAI", "to_id": "OAI", "n": 1, "people": ["ann"]}]
    ann = next(m for m in rep["members"] if m["person_id"] == "ann")
    assert (ann["last_year_at_home"], ann["first_year_at_new"]) == (2020, 2022)
    dan = next(m for m in rep["members"] if m["person_id"] == "dan")
    assert "not enough to call it a move" in dan["detail"]


def test_org_cohort_counts_moves_inside_the_parent_as_leaving_the_unit_only(lab):
    rep = cohort_report(lab.con, org="FAIR", year_from=2019, year_to=2020)
    status = {m["person_id"]: m["status"] for m in rep["members"]}
    assert status["fay"] == "left" and status["ann"] == "left"
    meta = cohort_report(lab.con, org="Meta", year_from=2019, year_to=2020)
    status = {m["person_id"]: m["status"] for m in meta["members"]}
    assert status["fay"] == "stayed"  # GenAI is inside Meta
    assert status["ann"] == "left"


def test_cohort_from_file_reports_unknown_names(lab, tmp_path):
    f = tmp_path / "people.txt"
    f.write_text("# our team\nann\nnobody here\n", encoding="utf-8")
    rep = cohort_report(lab.con, file=f, org="FAIR")
    got = {m["name"]: m["status"] for m in rep["members"]}
    assert got == {"Ann": "left", "nobody here": "not_found"}
    with pytest.raises(OpsInputError):
        cohort_report(lab.con, file=f)


def test_cohort_needs_a_definition_and_a_known_paper(lab):
    with pytest.raises(OpsInputError):
        cohort_report(lab.con)
    with pytest.raises(NotFoundError):
        cohort_report(lab.con, paper="no such title anywhere")


def test_flows_net_and_rollup(lab):
    f = flows(lab.con, 2021, 2023)
    pairs = {(r["from_org"], r["to_org"]): r["moves"] for r in f["top_flows"]}
    assert pairs == {("FAIR", "OpenAI"): 1, ("FAIR", "Meta GenAI"): 1}
    net = {r["org"]: r["net"] for r in f["net"]}
    assert net["FAIR"] == -2 and net["OpenAI"] == 1
    up = flows(lab.con, 2021, 2023, org="FAIR", rollup=True)
    assert {(r["from_org"], r["to_org"]) for r in up["top_flows"]} == {("Meta", "OpenAI")}
    assert up["org"]["name"] == "Meta" and up["left"] == 1 and up["joined"] == 0
    assert up["destinations"][0]["people"] == ["ann"]
    assert flows(lab.con, 2010, 2012)["moves"] == 0


def test_export_moves_contract(lab, tmp_path):
    out = tmp_path / "moves.csv"
    assert export_moves(lab.con, out) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == MOVES_COLUMNS
    ann = next(r for r in rows if r["person_id"] == "ann")
    assert (ann["from_org"], ann["from_parent"], ann["to_org"], ann["to_parent"]) == (
        "FAIR", "Meta", "OpenAI", "OpenAI")
    assert (ann["last_year_at_from"], ann["first_year_at_to"], ann["kind"]) == (
        "2020", "2022", "job_change")


def test_person_careers_page(lab):
    page = person_careers(lab.con, "ann")
    assert [(t["org"], t["start_year"], t["end_year"]) for t in page["timeline"]] == [
        ("FAIR", 2018, 2020), ("OpenAI", 2022, 2023)]
    assert page["moves"][0]["to_org"] == "OpenAI"
    assert {e["side"] for e in page["move_evidence"]} == {"from", "to"}
    assert page["coauthors"][0] == {"person_id": "bob", "name": "Bob", "papers": 3,
                                    "last_year": 2023}
    assert page["topics"][0] == {"topic": "language models", "papers": 2}


def test_cli_cohort_flows_export_json(lab, tmp_path):
    lab.con.close()
    runner = CliRunner()
    db = str(lab.path)
    res = runner.invoke(app, ["cohort", "--paper", "Flagship Model", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"]["left"] == 1
    res = runner.invoke(app, ["flows", "--from", "2021", "--to", "2023", "--org", "FAIR",
                              "--db", db])
    assert res.exit_code == 0 and "OpenAI" in res.stdout
    out = tmp_path / "m.csv"
    res = runner.invoke(app, ["export", "moves", "--db", db, "--out", str(out)])
    assert res.exit_code == 0 and out.read_text().startswith("person_id,from_org_id,")
    lab.con = __import__("duckdb").connect(db)


def test_paper_cohort_does_not_count_a_move_inside_the_company_as_leaving(lab):
    lab.con.execute("DELETE FROM papers")  # keep the built careers; only find the paper below
    lab.con.execute("INSERT INTO papers (paper_id, source_file, record_id, venue, year, title, "
                    "n_authors, ingested_at) SELECT paper_id, source_file, record_id, 'conf', "
                    "year, 'Side Project', 1, now() FROM mentions "
                    "WHERE raw_name = 'Fay' AND year = 2020")
    rep = cohort_report(lab.con, paper="Side Project")
    (fay,) = rep["members"]
    assert fay["status"] == "stayed"
    assert "moved inside: FAIR -> Meta GenAI (2022)" in fay["detail"]
    assert fay["home"] == "FAIR (within Meta)"


def test_person_command_gets_the_careers_part(lab):
    from talentgraph.cli.careers import attach_careers

    found = [{"person_id": "ann"}, {"person_id": "bob"}]
    attach_careers(lab.con, found)
    assert [m["to_org"] for m in found[0]["careers"]["moves"]] == ["OpenAI"]
    assert found[1]["careers"]["moves"] == []
    lab.con.execute("DROP TABLE spells")
    again = [{"person_id": "ann"}]
    attach_careers(lab.con, again)
    assert again[0]["careers"] is None


def test_export_to_an_unwritable_place_is_a_clear_error(lab, tmp_path):
    from talentgraph.errors import StoreError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot write"):
        export_moves(lab.con, blocker / "moves.csv")


def test_paper_cohort_takes_home_from_timelines_when_the_record_gives_a_set(store):
    """A record whose affiliations are a set for the whole paper (ICLR 2021 style) attributes
    none to its authors: each one's home is their own spell that year, inside the set first."""
    (store.org("OAI", "OpenAI", "industry_lab").org("DM", "DeepMind", "industry_lab")
     .org("U", "Uni Alpha"))
    for year in (2019, 2020):
        store.paper(year, [("gil", ["DM"], None), ("hal", ["U"], None)])
        store.paper(year, [("hal", ["DM"], None)])  # hal: professor also at the lab
    store.paper(2022, [("gil", ["OAI"], None)])
    store.paper(2023, [("gil", ["OAI"], None)])
    store.paper(2022, [("hal", ["U"], None)])
    store.paper(2023, [("hal", ["U"], None)])
    store.paper(2021, [("gil", [], None), ("hal", [], None), ("ivy", [], None)],
                title="Set Paper", paper_orgs=["DM"])
    store.build()
    rep = cohort_report(store.con, paper="Set Paper")
    by = {m["person_id"]: m for m in rep["members"]}
    assert by["gil"]["home"] == "DeepMind (from their timeline)"
    assert by["gil"]["status"] == "left" and "OpenAI" in by["gil"]["detail"]
    # hal's spells around 2021 are at DeepMind and Uni Alpha; the record lists DeepMind only.
    assert by["hal"]["home"] == "DeepMind (from their timeline)"
    assert "timeline" in by["hal"]["note"]
    # ivy has no other record: her only spell is the one the set itself implies, and nothing
    # later tells whether she stayed.
    assert (by["ivy"]["home"], by["ivy"]["status"]) == ("DeepMind (from their timeline)",
                                                          "unknown")
