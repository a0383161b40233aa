"""Career stage from all the evidence (issue #15 item 1): one stray role title must not outvote a
whole career, the deciding evidence is named, and thin evidence says 'unknown'."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sourcing_world as sw

from talentgraph.sourcing.rank import Filters, search
from talentgraph.sourcing.stage import Record, career_stage

# a Darrell-like career: 251 papers since 2008, mostly last author, faculty titles, and one
# record (a coauthor's title, mis-aligned) saying 'PhD student' as the latest
SENIOR = Record(n_papers=251, first_year=2008, last_year=2024, n_multi=245, n_last=120)


def test_a_long_career_outweighs_a_latest_phd_title() -> None:
    titles = [(2021, "Professor"), (2021, "Full Professor"), (2023, "Full Professor"),
              (2023, "Postdoc"), (2024, "PhD student")]
    cs = career_stage(titles, SENIOR)
    assert cs.stage == "professor"
    assert "251 papers" in cs.evidence and "say professor" in cs.evidence


def test_student_titles_only_lose_to_the_record_itself() -> None:
    # every recent title says PhD student, but nobody publishes 17 years as a student
    cs = career_stage([(2023, "PhD student"), (2024, "PhD student")], SENIOR)
    assert (cs.stage, cs.decided_by) == ("senior", "record")
    assert "a record no student has" in cs.evidence and "PhD student" in cs.evidence


def test_a_phd_student_with_a_short_record_is_a_phd_student() -> None:
    cs = career_stage([(2022, "PhD student"), (2023, "PhD student")],
                      Record(n_papers=5, first_year=2021, last_year=2023, n_multi=5, n_last=0))
    assert (cs.stage, cs.decided_by) == ("phd", "titles+record")


def test_a_recent_title_beats_an_old_one() -> None:
    cs = career_stage([(2016, "PhD student"), (2017, "PhD student"), (2022, "Research Scientist")],
                      Record(n_papers=15, first_year=2016, last_year=2023, n_multi=15, n_last=2))
    assert cs.stage == "researcher"


def test_thin_or_split_evidence_is_unknown() -> None:
    short = Record(n_papers=3, first_year=2022, last_year=2023, n_multi=3, n_last=0)
    assert career_stage([], short).stage == "unknown"
    assert "no recent role title" in career_stage([], short).evidence
    split = career_stage([(2023, "PhD student"), (2023, "Research Scientist")],
                         Record(n_papers=9, first_year=2017, last_year=2023, n_multi=9, n_last=3))
    assert split.stage == "unknown" and "split" in split.evidence


def test_a_long_record_without_titles_is_senior_by_the_record() -> None:
    cs = career_stage([], Record(n_papers=40, first_year=2005, last_year=2023, n_multi=38,
                                 n_last=10))
    assert (cs.stage, cs.decided_by) == ("senior", "record")


def test_a_lab_heads_record_outweighs_the_student_titles_of_their_papers() -> None:
    """133 papers over 11 years, last author of 61: his students' 'PhD student' titles (4 of 6
    recent ones) must not make him a PhD student; his own faculty title names the stage."""
    titles = [(2022, "PhD student"), (2023, "PhD student"), (2024, "PhD student"),
              (2024, "PhD student"), (2023, "Assistant Professor"), (2024, "Assistant Professor")]
    cs = career_stage(titles, Record(n_papers=133, first_year=2015, last_year=2025, n_multi=133,
                                     n_last=61))
    assert (cs.stage, cs.decided_by) == ("professor", "record")
    assert "last author of 61 of 133" in cs.evidence


@pytest.fixture
def hal_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture world plus Hal Hill: 32 papers 2008-2023 as last author (faculty titles in
    2021-2022), and a 2024 paper whose record gives him 'PhD student' (his student's title)."""
    monkeypatch.setitem(sw.PEOPLE, "~Hal_Hill1", ("Hal Hill", "M"))
    monkeypatch.setitem(sw.PEOPLE, "~Ivy_Ito1", ("Ivy Ito", "F"))
    monkeypatch.setitem(sw.PEOPLE, "~Jay_Jones1", ("Jay Jones", "M"))
    extra = []
    for year in range(2008, 2024):
        for i in range(2):
            role = "Full Professor" if year >= 2021 else ""
            student = "~Ivy_Ito1" if year >= 2021 else "~Jay_Jones1"
            extra.append((f"corl{year}", f"h{year}{i}", f"Human feedback study {year} {i}",
                          "Learning from human feedback.", "human feedback", "Poster", 3, 5.0,
                          [(student, "Uni B", "PhD student"), ("~Hal_Hill1", "Uni B", role)]))
    extra.append(("corl2024", "h2024", "Human feedback for agents", "Human feedback again.",
                  "human feedback", "Poster", 0, 5.0,
                  [("~Ivy_Ito1", "Uni B", "PhD student"), ("~Hal_Hill1", "Uni B", "PhD student")]))
    monkeypatch.setattr(sw, "PAPERS", sw.PAPERS + extra)
    return sw.make_store(tmp_path, "hal")


def test_the_role_filter_does_not_list_a_professor_as_phd(hal_store: Path) -> None:
    con = duckdb.connect(str(hal_store), read_only=True)
    try:
        phd = {p.name for p in search(con, "human feedback", Filters(role="phd")).people}
        assert "Hal Hill" not in phd
        assert "Ivy Ito" in phd  # the student herself still is
        prof = search(con, "human feedback", Filters(role="professor")).people
        hal = next(p for p in prof if p.name == "Hal Hill")
        assert hal.career_stage == "professor"
        assert "33 papers" in hal.stage_evidence
        # the explanation of the seniority component names the deciding evidence
        sen = next(c for c in hal.components if c.name == "seniority")
        assert "career stage professor" in sen.evidence
    finally:
        con.close()


def test_an_index_built_before_career_stages_is_refused_clearly(store_path: Path) -> None:
    from talentgraph.errors import StoreError

    con = duckdb.connect(str(store_path))
    try:
        con.execute("DELETE FROM sourcing_meta WHERE key = 'index_version'")
        with pytest.raises(StoreError, match="older talentgraph"):
            search(con, "human feedback", Filters(role="phd"))
    finally:
        con.close()
