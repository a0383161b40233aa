"""In a real browser (Debian's chromium through Playwright): the offer page gives the approver
the whole picture, the pipeline board keeps a refused card where it was and says why, the
counter-offer overview and the admin pages work. Screenshots go to screenshots/."""

from __future__ import annotations

import pytest

from talentgraph.ops import candidates, counter_service, offer_service, users
from talentgraph.ops.compstore import package_from_options
from talentgraph.ops.models import Candidate

from .test_browser import _chart_drawn, browser, login_as, server, shot  # noqa: F401

pytestmark = pytest.mark.browser


def test_offer_page_shows_the_whole_picture(login_as, world) -> None:  # noqa: F811
    ex_page = login_as("executive")
    with world["ops"].session() as s:
        exe = users.actor_for(users.get_user(s, "executive"))
        cid = candidates.create_candidate(s, exe, "Rosa Exception").id
    ex_page.goto(ex_page.url.rstrip("/") + f"/offers/new?candidate_id={cid}")
    ex_page.fill("input[name=level]", "L5")
    ex_page.check("input[name=beat]")
    ex_page.fill("input[name=rival_company]", "OpenAI")
    ex_page.fill("input[name=rival_base]", "260000")
    ex_page.fill("input[name=rival_equity]", "2400000")
    ex_page.check("input[name=rival_private]")
    ex_page.fill("input[name=rival_liquidity_probability]", "0.8")
    ex_page.fill("textarea[name=dossier]",
                 "Five first-author orals on reward modelling since 2021; see the dossier.")
    ex_page.click("button:text('Build offer')")
    ex_page.wait_for_selector("h1:has-text('Offer #')")
    _chart_drawn(ex_page, "offer")
    text = " ".join(ex_page.locator("main").inner_text().split())
    assert "For Rosa Exception" in text and "candidate #" not in text
    assert "bonus 15,000 USD" in text and "bonus 0%" not in text
    assert "2,400,000 USD on paper" in text
    assert "discount 50%, liquidity probability 80%, 4 years to liquidity" in text
    assert "Dossier justifying the offer without interviews" in text
    assert "Five first-author orals" in text
    shot(ex_page, "offer_without_interviews")
    ex_page.click("header nav a:text('Offers')")
    assert "Rosa Exception" in ex_page.locator("main table").inner_text()
    shot(ex_page, "offers")


def _hired_without_answer(world: dict, name: str) -> int:
    with world["ops"].session() as s:
        exe = users.actor_for(users.get_user(s, "executive"))
        c = candidates.create_candidate(s, exe, name)
        candidates.move_stage(s, exe, c.id, "interviewing")
        o = offer_service.build_offer(s, exe, c.id, "L5", package=package_from_options(
            "USD", 200000, bonus_pct=10, equity=400000))
        offer_service.approve_offer(s, exe, o.id)
        cid = c.id
    with world["ops"].session() as s:  # a stage set by hand before the rule existed
        s.get(Candidate, cid).stage = "hired"
    return cid


def test_pipeline_card_follows_its_offer_and_a_refused_move_says_why(
        login_as, server, world) -> None:  # noqa: F811
    cid = _hired_without_answer(world, "Hugo Waiting")
    page = login_as("recruiting_lead")
    page.goto(f"{server}/pipeline")
    card = page.locator(f".ticket[data-candidate='{cid}']")
    assert card.locator("xpath=ancestor::div[@class='column']").get_attribute(
        "data-stage") == "offer"
    assert "offer approved" in card.inner_text()
    card.locator("select").select_option("contacted")
    page.wait_for_selector("#board-error")
    error = page.locator("#board-error").inner_text()
    assert "Hugo Waiting was not moved to contacted" in error and "hired" in error
    card = page.locator(f".ticket[data-candidate='{cid}']")
    assert card.locator("xpath=ancestor::div[@class='column']").get_attribute(
        "data-stage") == "offer"
    assert card.locator("select").input_value() == "hired"  # not the refused choice
    with world["ops"].session() as s:
        assert s.get(Candidate, cid).stage == "hired"
    shot(page, "pipeline_refused_move")


def test_counter_offers_overview_and_admin_pages(login_as, server, world) -> None:  # noqa: F811
    with world["ops"].session() as s:
        cpa = users.actor_for(users.get_user(s, "comp_partner"))
        rid = offer_service.add_competing_offer(
            s, cpa, "Anthropic", package_from_options("USD", 320000, equity=1600000),
            employee_email="eve@ourlab.example").id
        counter_service.counter_options(s, cpa, rid)
    cp = login_as("comp_partner")
    cp.goto(f"{server}/counter-offers")
    open_rows = cp.locator("#open-counters").inner_text()
    assert "Eve Fong" in open_rows and "Anthropic" in open_rows
    assert "awaiting decision" in cp.locator("#rival-holders").inner_text()
    shot(cp, "counter_offers")
    cp.click("header nav a:text('Retention')")
    assert "holds a competing offer: Anthropic" in cp.locator("main table").inner_text()
    shot(cp, "retention_rival")
    cp.click("header nav a:text('Bands')")
    assert "Google DeepMind" in cp.locator("#bands").inner_text()
    admin = login_as("admin")
    admin.goto(f"{server}/admin/users")
    assert admin.locator("select[name=role]").last.input_value() == "viewer"
    shot(admin, "users")
    admin.goto(f"{server}/requisitions")
    assert "Research Scientist, RLHF" in admin.locator("#requisitions").inner_text()
