"""Pages as a reader meets them (issue #15, items 6 and 10): people search names each person's
organisations, and errors are pages in words, never raw JSON or CLI flags."""

from __future__ import annotations


def test_api_people_gives_each_person_their_organisations_and_years(client_for, world) -> None:
    c = client_for("recruiter")
    found = c.get("/api/people", params={"q": "Bo Chen"}).json()
    assert [p["person_id"] for p in found] == [world["people"]["Bo Chen"]]
    bo = found[0]
    names = [o["organisation"] for o in bo["organisations"]]
    assert "OpenAI" in names and len(names) >= 2  # DeepMind before
    cur = bo["current_organisation"]
    assert (cur["organisation"], cur["first_year"], cur["last_year"]) == ("OpenAI", 2022, 2024)


def test_cohort_error_is_a_page_without_cli_flags(client_for) -> None:
    c = client_for("recruiter")
    r = c.get("/cohort", params={"org": "Google DeepMind"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert "from year and a to year" in r.text and "--from" not in r.text
    r = c.get("/flows", params={"year_from": "2024", "year_to": "2020"})
    assert r.status_code == 422 and "--from" not in r.text and "from year 2024" in r.text


def test_invalid_path_or_query_is_an_html_page_and_stays_json_under_api(client_for) -> None:
    c = client_for("comp_partner")
    r = c.get("/candidates/abc")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in r.text and "candidate id &#39;abc&#39;" in r.text
    r = c.get("/counter-offers/rivals")  # the form's POST target, opened as a page
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '{"detail"' not in r.text
    r = c.get("/search", params={"q": "x", "limit": "0"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "limit" in r.text
    r = c.get("/api/candidates/abc")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")
    assert r.json()["detail"][0]["loc"] == ["path", "candidate_id"]


def test_dashboard_says_which_rollup_and_lets_the_user_choose(client_for) -> None:
    c = client_for("executive")
    own = c.get("/api/dashboard").json()  # default: the organisation itself
    assert own["scope"]["rollup"] == "org" and own["moves"]["org"]["org_id"] == "google-deepmind"
    assert {"google-deepmind", "deepmind"} <= set(own["scope"]["counted_as_one"])
    assert "OpenAI" in [r["org"] for r in own["moves"]["destinations"]]  # Bo Chen, 2022
    top = c.get("/api/dashboard", params={"rollup": "parent"}).json()
    assert top["scope"]["rollup"] == "parent"
    assert top["moves"]["org"]["org_id"] == own["scope"]["parent_id"] != "google-deepmind"
    html = c.get("/").text
    assert "Shown: <b>Google DeepMind</b> itself" in html
    assert 'option value="parent"' in html and 'option value="org" selected' in html
    html = c.get("/", params={"rollup": "parent"}).text
    assert f"Shown: <b>{top['scope']['parent']}</b>, the top parent of Google DeepMind" in html
    assert c.get("/", params={"rollup": "galaxy"}).status_code == 422
