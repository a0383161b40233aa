"""Ranking people for a topic: explanations, gating, filters, errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sourcing_world import make_store

from talentgraph.errors import OpsInputError
from talentgraph.sourcing import model
from talentgraph.sourcing.rank import Filters, search

RLHF = "reinforcement learning from human feedback"


def test_topic_expert_ranks_first_with_explained_score(con: duckdb.DuckDBPyConnection) -> None:
    result = search(con, RLHF, limit=10)
    top = result.people[0]
    assert top.name == "Alice Adams" and top.rank == 1
    assert [c.name for c in top.components] == list(model.WEIGHTS)
    assert sum(c.points for c in top.components) == pytest.approx(top.score)
    for c in top.components:
        assert 0.0 <= c.value <= 1.0 and c.evidence
    assert {p["paper_id"] for p in top.top_papers} == {"corl2021/p1", "corl2022/p2", "corl2023/p3"}
    assert top.top_papers[0]["weight"] >= top.top_papers[-1]["weight"]
    assert all(p["link"].startswith("https://openreview.net/") for p in top.top_papers)
    assert "3 matching paper(s), 3 as first/last author" in top.components[0].evidence
    scores = [p.score for p in result.people]
    assert scores == sorted(scores, reverse=True)
    for p in result.people:
        assert sum(c.points for c in p.components) == pytest.approx(p.score)


def test_a_famous_person_with_one_stray_paper_stays_below_the_experts(
        con: duckdb.DuckDBPyConnection) -> None:
    names = [p.name for p in search(con, "human feedback", limit=10).people]
    # Erin: 5,000 citations and an oral, but "feedback" only in passing in one abstract
    assert names.index("Erin Evans") > names.index("Gus Green")
    assert names.index("Erin Evans") > names.index("Alice Adams")


def test_where_filters_use_the_careers_timeline(con: duckdb.DuckDBPyConnection) -> None:
    at_lab = search(con, RLHF, Filters(at=["Lab A"]))
    # Lab A includes its subsidiary Lab A Research (Dan); Alice is there by her current spell
    assert {p.name for p in at_lab.people} == {"Alice Adams", "Dan Diaz"}
    assert at_lab.org_matches[0].how == "orgs"
    assert all(p.where["source"] == "careers" for p in at_lab.people)
    not_lab = search(con, RLHF, Filters(not_at=["Lab A"]))
    assert not {"Alice Adams", "Dan Diaz"} & {p.name for p in not_lab.people}
    gb = search(con, RLHF, Filters(country="GB"))
    assert {p.name for p in gb.people} == {"Carol Chen", "Gus Green"}
    assert {p.name for p in search(con, RLHF, Filters(country="United Kingdom")).people} == \
        {"Carol Chen", "Gus Green"}


def test_role_and_since_filters(con: duckdb.DuckDBPyConnection) -> None:
    phd = search(con, RLHF, Filters(role="phd"))
    # Finn (PhD student) matches through "feedback" in one abstract, far below
    assert [p.name for p in phd.people] == ["Carol Chen", "Gus Green", "Finn Fox"]
    assert [p.name for p in search(con, RLHF, Filters(role="professor")).people] == \
        ["Bob Brown", "Erin Evans"]
    recent = search(con, RLHF, Filters(since=2023))
    # only 2023 papers count: Bob's are 2021-2022
    assert "Bob Brown" not in {p.name for p in recent.people}
    for p in recent.people:
        assert all(tp["year"] >= 2023 for tp in p.top_papers)


def test_unknown_org_is_matched_as_text_and_said_so(con: duckdb.DuckDBPyConnection) -> None:
    result = search(con, RLHF, Filters(at=["uni"]))
    assert {p.name for p in result.people} == {"Bob Brown", "Carol Chen", "Gus Green",
                                               "Erin Evans", "Finn Fox"}
    # "uni" is no organisation's name: it is matched inside the names, and reported
    assert result.org_matches[0].how == "text"


def test_without_careers_whereabouts_fall_back_to_latest_affiliation(tmp_path: Path) -> None:
    path = make_store(tmp_path, careers=False, orgs=False)
    con = duckdb.connect(str(path), read_only=True)
    result = search(con, RLHF, Filters(at=["Lab A"]))
    assert not result.careers_used
    alice = next(p for p in result.people if p.name == "Alice Adams")
    assert alice.where["source"] == "latest_affiliation"
    assert "not a careers timeline" in alice.where["note"]
    mob = next(c for c in alice.components if c.name == "mobility")
    assert mob.points == 0 and "no careers timeline" in mob.evidence


def test_mobility_uses_time_at_the_current_place(con: duckdb.DuckDBPyConnection) -> None:
    gus = next(p for p in search(con, RLHF).people if p.name == "Gus Green")
    mob = next(c for c in gus.components if c.name == "mobility")
    assert "since 2022" in mob.evidence and "3 earlier move(s)" in mob.evidence
    assert mob.value > 0


def test_rank_of_gives_one_persons_place(con: duckdb.DuckDBPyConnection) -> None:
    full = search(con, RLHF, limit=50)
    one = search(con, RLHF, rank_of="P~Carol_Chen1")
    assert len(one.people) == 1
    carol = next(p for p in full.people if p.person_id == "P~Carol_Chen1")
    assert one.people[0].rank == carol.rank and one.people[0].score == pytest.approx(carol.score)
    assert one.candidates == full.candidates


@pytest.mark.parametrize("query,filters,limit,match", [
    ("  ", Filters(), 5, "search text is empty"),
    ("rl", Filters(role="intern"), 5, "--role must be one of"),
    ("rl", Filters(country="Atlantis"), 5, "--country"),
    ("rl", Filters(), 0, "--limit"),
    ("rl", Filters(at=[" "]), 5, "empty organisation"),
])
def test_bad_input_gives_a_clear_message(con: duckdb.DuckDBPyConnection, query: str,
                                        filters: Filters, limit: int, match: str) -> None:
    with pytest.raises(OpsInputError, match=match):
        search(con, query, filters, limit=limit)


def test_a_query_matching_nothing_is_an_empty_result(con: duckdb.DuckDBPyConnection) -> None:
    result = search(con, "zebra crossing photosynthesis")
    assert result.people == [] and result.candidates == 0 and result.matched_papers == 0
