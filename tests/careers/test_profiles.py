"""The `profiles` stage: the precomputed person page equals the computed one, for every person."""

from __future__ import annotations

import pytest

from talentgraph.careers import person, profiles


@pytest.fixture
def world(store):
    """Moves, a dual affiliation, ties in every sort order, keywords needing trim/lower-case,
    a record with only a primary area, a person without careers data."""
    (store.org("META", "Meta", "industry_lab").org("FAIR", "FAIR", "industry_lab", parent="META")
     .org("OAI", "OpenAI", "industry_lab").org("U", "Uni Alpha").org("V", "Uni Beta"))
    store.paper(2018, [("ann", ["FAIR"], None), ("bob", ["FAIR"], None)], title="Same title",
                keywords=[" Language Models", "RLHF "])
    store.paper(2018, [("ann", ["FAIR"], None), ("bob", ["FAIR"], None)], title="Same title",
                keywords=["language models\t"])
    store.paper(2020, [("ann", ["FAIR"], None), ("bob", ["FAIR"], None),
                       ("cat", ["FAIR"], None), ("dan", ["FAIR"], None)],
                title="Flagship Model", keywords=["language models"])
    store.paper(2022, [("ann", ["OAI"], None), ("cat", ["U"], None)], keywords=["rlhf", "  "])
    store.paper(2023, [("ann", ["OAI"], None), ("bob", ["FAIR"], None)])
    store.paper(2021, [("cat", ["U", "V"], "Professor"), ("dan", ["V"], None)])
    store.paper(2022, [("cat", ["U", "V"], "Professor")])
    store.paper(2023, [("dan", ["U"], None), ("eve", ["U"], None)], family="B")
    for year in (2019, 2020, 2022, 2023):
        store.paper(year, [("fay", ["FAIR" if year < 2021 else "OAI"], None),
                           ("gus", [], None)], keywords=["b topic", "a topic"])
    store.build()
    store.con.execute("UPDATE career_papers SET primary_area = 'Theory' "
                      "WHERE person_id = 'gus' AND year = 2019")
    store.con.execute("UPDATE career_papers SET keywords = [] "
                      "WHERE person_id = 'gus' AND year = 2019")
    return store


def _ids(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]


def test_precomputed_profiles_equal_computed_ones_for_every_person(world):
    con = world.con
    report = profiles.build_profiles(con)
    assert report == {"profiles": len(_ids(con)), "profiles_computed": len(_ids(con))}
    assert profiles.is_fresh(con)
    for pid in _ids(con):
        computed = person.computed_careers(con, pid)
        assert person.person_careers(con, pid) == computed, pid
        assert person.person_careers(con, pid, precomputed=True) == computed, pid
    ann = person.person_careers(con, "ann")
    assert ann["moves"] and ann["move_evidence"]
    assert ann["topics"][0] == {"topic": "language models", "papers": 3}
    gus = person.person_careers(con, "gus")
    assert {"topic": "theory", "papers": 1} in gus["topics"]


def test_profile_header_and_unknown_person(world):
    con = world.con
    profiles.build_profiles(con)
    got = profiles.read_profile(con, "ann")
    assert got["person"]["canonical_name"] == "Ann"
    assert got["person"]["n_mentions"] == 5
    assert profiles.read_profile(con, "nobody") is None


def test_a_careers_rebuild_without_the_stage_falls_back_to_computing(world):
    con = world.con
    profiles.build_profiles(con)
    con.execute("DELETE FROM career_coauthors WHERE person_id = 'ann'")
    assert not profiles.is_fresh(con)
    assert person.person_careers(con, "ann")["coauthors"] == []
    assert profiles.build_profiles(con)["profiles_computed"] == 1  # only ann's changed
    assert profiles.is_fresh(con)
    assert person.person_careers(con, "ann")["coauthors"] == []
    assert person.person_careers(con, "ann", precomputed=True) == \
        person.computed_careers(con, "ann")


def test_stage_is_skipped_without_careers_tables(tmp_path):
    import duckdb

    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    assert "skipped" in profiles.profiles_stage(con, None)


def test_odd_person_ids_are_looked_up_safely(world):
    con = world.con
    profiles.build_profiles(con)
    for odd in ("x' OR '1'='1", "a\x00b", "ann'", "\n", "🙂"):
        assert profiles.read_profile(con, odd) is None
    assert profiles.read_profile(con, "ann")["person_id"] == "ann"
