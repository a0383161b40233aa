"""The offer dossier: sections, links to records, our coauthors, fit, peers, risks, formats."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from sourcing_world import make_store

from talentgraph.errors import NotFoundError, OpsInputError
from talentgraph.sourcing.dossier import build_dossier, render

SECTIONS = ["Summary", "Timeline", "Top papers", "Coauthors", "Peers", "Topic fit", "Risks"]


def test_markdown_has_every_section_and_links_each_claim(con: duckdb.DuckDBPyConnection) -> None:
    d = build_dossier(con, "P~Alice_Adams1", for_role="RLHF reward models from human feedback",
                      ours=["Lab A"])
    md = render(d, "md")
    for s in SECTIONS:
        assert f"## {s}" in md
    assert md.startswith("# Dossier: Alice Adams")
    # timeline from the careers spells, each with the records behind it
    assert "| Uni B | 2021 | 2021 |" in md and "| Lab A | 2022 | 2023 |" in md
    assert "[corl2021/p1](https://openreview.net/forum?id=p1)" in md
    assert "Uni B | Lab A | 2021–2022 | graduation_hire" in md  # the move, with its records
    # external id linked
    assert "[~Alice_Adams1](https://openreview.net/profile?id=~Alice_Adams1)" in md
    # Dan (coauthor) is at Lab A Research, a subsidiary of Lab A: ours
    assert "| Dan Diaz (`P~Dan_Diaz1`) | 1 | 2023 | Lab A Research | **OURS** (Lab A) |" in md
    assert "| Bob Brown (`P~Bob_Brown1`) | 2 | 2022 | Uni B |  |" in md
    # topic fit explained: place, terms found, matching papers with links
    assert "ranks #1 of" in md and "feedback (3)" in md
    assert "Aligning language agents" in md


def test_html_renders_the_same_sections_escaped(con: duckdb.DuckDBPyConnection) -> None:
    d = build_dossier(con, "Alice Adams", for_role="<script>alert(1)</script> feedback",
                      ours=["Lab A"])
    html = render(d, "html")
    assert html.lstrip().startswith("<!DOCTYPE html>")
    for s in SECTIONS:
        assert f"<h2>{s}</h2>" in html
    assert '<a href="https://openreview.net/forum?id=p1">corl2021/p1</a>' in html
    assert '<span class="ours">OURS</span>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_json_format_and_peers(con: duckdb.DuckDBPyConnection) -> None:
    d = json.loads(render(build_dossier(con, "P~Carol_Chen1"), "json"))
    assert d["peers"]["stage"] == "early" and d["peers"]["size"] == 3  # Carol, Finn, Gus
    assert d["peers"]["percentiles"]["papers"] == 1.0  # 3 papers, the most of the early stage
    assert d["topic_fit"] is None
    assert {p["paper_id"] for p in d["top_papers"]} == {"corl2021/p1", "corl2021/p4",
                                                         "corl2023/p7"}
    assert d["top_papers"][0]["decision"] == "oral"


def test_risks_name_their_evidence(con: duckdb.DuckDBPyConnection) -> None:
    listed = build_dossier(con, "P~Gus_Green1")["risks"]
    assert [r["detail"] for r in listed if r["risk"] == "very short spell"] == [
        "Uni D 2020-2020", "Uni B 2021-2021"]  # the current spell is not a short one
    risks = {r["risk"]: r for r in listed}
    assert risks["many moves"]["detail"].startswith("3 moves")
    assert risks["thin record"]["detail"] == "only 1 paper(s)"
    carol = {r["risk"] for r in build_dossier(con, "P~Carol_Chen1")["risks"]}
    assert "no first-author paper" in carol and "many moves" not in carol
    erin = {r["risk"]: r for r in build_dossier(con, "P~Erin_Evans1")["risks"]}
    assert "current place unconfirmed" in erin  # no careers timeline for her


def test_ours_comes_from_the_environment(con: duckdb.DuckDBPyConnection,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTGRAPH_OUR_ORGS", "Uni C; Uni B")
    d = build_dossier(con, "P~Alice_Adams1")
    marks = {c["name"]: c["ours"] for c in d["coauthors"]}
    assert marks == {"Bob Brown": ["Uni B"], "Carol Chen": ["Uni C"], "Dan Diaz": []}


def test_timeline_without_careers_is_by_year_and_flagged(tmp_path: Path) -> None:
    con = duckdb.connect(str(make_store(tmp_path, careers=False)), read_only=True)
    d = build_dossier(con, "P~Alice_Adams1")
    assert d["timeline_kind"] == "affiliations_by_year"
    assert [(r["year"], r["orgs"]) for r in d["timeline"]] == [
        (2021, ["Uni B"]), (2022, ["Lab A"]), (2023, ["Lab A"])]
    assert "No careers timeline" in render(d, "md")


def test_unknown_person_and_format(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(NotFoundError, match="no person named"):
        build_dossier(con, "Nobody Atall")
    with pytest.raises(OpsInputError, match="--format"):
        render(build_dossier(con, "P~Alice_Adams1"), "pdf")


def test_ambiguous_name_lists_the_candidates(tmp_path: Path) -> None:
    path = make_store(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE sourcing_people SET name = 'Alex Smith' "
                "WHERE person_id IN ('P~Finn_Fox1', 'P~Gus_Green1')")
    with pytest.raises(NotFoundError,
                       match="2 people are named 'alex smith'.*P~Finn_Fox1.*P~Gus_Green1"):
        build_dossier(con, "alex smith")
