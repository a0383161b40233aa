"""Looking people up by a loose name (the people page's fallback when no exact name matches)."""

from __future__ import annotations

from talentgraph.careers.lookup import find_persons_by_name


def test_initials_swapped_names_and_organisations(store):
    store.org("U", "Uni Alpha").org("OAI", "OpenAI", "industry_lab")
    store.paper(2020, [("john_smith", ["U"], None), ("jane_smith", ["OAI"], None)])
    store.paper(2021, [("john_smith", ["U"], None), ("wei_wang", ["OAI"], None)])
    store.paper(2022, [("john_smith", ["OAI"], None)])
    store.build()
    con = store.con
    found = find_persons_by_name(con, "J. Smith")
    assert [p["person_id"] for p in found] == ["john_smith", "jane_smith"]  # most active first
    assert [o["organisation"] for o in found[0]["organisations"]] == ["Uni Alpha", "OpenAI"]
    assert found[0]["n_mentions"] == 3 and found[0]["first_year"] == 2020
    assert [p["person_id"] for p in find_persons_by_name(con, "Wang Wei")] == ["wei_wang"]
    assert find_persons_by_name(con, "Jane Smith")[0]["person_id"] == "jane_smith"
    assert find_persons_by_name(con, "Nobody Here") == []
    assert find_persons_by_name(con, "  ") == []
