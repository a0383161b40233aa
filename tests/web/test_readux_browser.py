"""In chromium (issue #15, items 6, 7 and 8): people search tells namesakes apart, the cohort page
summarises first, the dashboard says its roll-up, and the API docs render from our own origin.
Screenshots go to screenshots/ (people_search, cohort_org, dashboard_rollup, api_docs)."""

from __future__ import annotations

import json

import pytest

from . import readux_world, test_browser

pytestmark = pytest.mark.browser

# this module's world and app (namesakes, a misspelt organisation), served and driven by the
# fixtures of test_browser
world, app = readux_world.world, readux_world.app
server, browser, login_as = test_browser.server, test_browser.browser, test_browser.login_as
shot = test_browser.shot


def test_people_search_shows_each_namesakes_organisation(login_as, server) -> None:
    page = login_as("recruiter")
    page.click("header nav a:text('People')")
    page.fill("input[name=q]", "Qiang Liu")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#people")
    rows = page.locator("#people tr").all_inner_texts()[1:]
    assert len(rows) == 2
    assert any("Tsinghua University (2019–2024)" in r for r in rows)
    assert any("University of Texas at Austin (2019–2024)" in r for r in rows)
    shot(page, "people_search")


def test_cohort_summary_first_and_one_bar_per_organisation(login_as, server) -> None:
    page = login_as("recruiter")
    page.goto(f"{server}/cohort?org=DeepMind&year_from=2019&year_to=2021")
    page.wait_for_selector("#chart-destinations svg", timeout=15000)
    spec = json.loads(page.locator("#spec-destinations").text_content())
    bars = {r["to"]: r["people"] for r in spec["data"]["values"]}
    assert bars["Physical Intelligence"] == 2 and "Physical Intelliigence" not in bars
    assert page.locator("#cohort-summary").is_visible()
    assert page.locator("#members-left").is_visible()
    assert not page.locator("#table-stayed").is_visible()  # collapsed until asked for
    shot(page, "cohort_org")
    page.click("#members-stayed summary")
    assert page.locator("#table-stayed").is_visible()


def test_dashboard_rollup_is_named_and_chosen(login_as, server) -> None:
    page = login_as("executive")
    assert "Google DeepMind itself" in page.locator("#rollup-shown").inner_text()
    page.select_option("#rollup select", "parent")
    page.click("#rollup button")
    page.wait_for_url(f"{server}/?rollup=parent")
    assert "the top parent of Google DeepMind" in page.locator("#rollup-shown").inner_text()
    shot(page, "dashboard_rollup")


def test_api_docs_render_from_our_origin(browser, server) -> None:
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    try:
        page = ctx.new_page()
        seen: list[str] = []
        blocked: list[str] = []
        page.on("request", lambda r: seen.append(r.url))
        page.on("console", lambda m: blocked.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.goto(f"{server}/api/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
        assert "talentgraph" in page.locator(".swagger-ui .info .title").inner_text()
        page.wait_for_selector(".opblock-tag", timeout=15000)  # the operations are listed
        assert any(u.endswith("/swagger-ui-bundle.js") for u in seen)
        assert seen and all(u.startswith(server) for u in seen), seen
        assert not blocked, blocked
        shot(page, "api_docs")
    finally:
        ctx.close()
