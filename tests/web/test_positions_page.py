"""The person page names where the person is now and the dated positions, with source and URL."""

from __future__ import annotations


def test_person_page_shows_now_and_positions(world, client_for):
    c = client_for("recruiter")
    gus = world["people"]["Gus Hale"]
    html = c.get(f"/people/{gus}").text
    assert "Dated positions" in html and "https://anthropic.example/team" in html
    assert "<strong>Now:</strong> Anthropic" in html
    api = c.get(f"/api/people/{gus}").json()
    assert api["now"]["org_id"] == "anthropic"
    assert api["positions"][0]["source"] == "aiwatch"
    # a person without positions: no positions section, "now" from the papers
    ada = world["people"]["Ada Quill"]
    html = c.get(f"/people/{ada}").text
    assert "Dated positions" not in html and "<strong>Now:</strong>" in html


def test_search_at_names_the_position_behind_now(world, client_for):
    c = client_for("recruiter")
    res = c.get("/api/search", params={"q": "graph neural networks", "at": "Anthropic"}).json()
    gus = [p for p in res["people"] if p["name"] == "Gus Hale"]
    assert gus, [p["name"] for p in res["people"]]
    note = str(gus[0])
    assert "aiwatch" in note and "https://anthropic.example/team" in note
