"""The app as people meet it: Debian's chromium driven by Playwright against uvicorn on loopback.

Logs in as each role, runs a search, opens a profile, builds an offer; a contract recruiter is
refused pay data in the page and in the API. Screenshots of the main pages go to screenshots/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from services import missing

from .seed import ROLES, password

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(app) -> Iterator[str]:
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        missing("browser", f"{CHROMIUM} is missing: apt-get install -y chromium "
                "(scripts/test.sh does)")
    try:
        from playwright import sync_api
    except ImportError:
        missing("browser", "playwright is not installed: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def login_as(browser, server):
    contexts = []

    def make(role: str):
        ctx = browser.new_context(viewport={"width": 1360, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{server}/")
        assert "/login" in page.url
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", password(role))
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _chart_drawn(page, name: str) -> None:
    page.wait_for_selector(f"#chart-{name} svg", timeout=15000)


def test_every_role_logs_in_and_sees_only_its_pages(login_as, server) -> None:
    for role in ROLES:
        page = login_as(role)
        assert page.locator("header .who").inner_text().startswith(role)
        nav = page.locator("header nav a").all_inner_texts()
        assert "Dashboard" in nav and "Sourcing" in nav
        assert ("Offers" in nav) == (role in ("executive", "comp_partner"))
        assert ("Audit log" in nav) == (role in ("admin", "executive"))
        if role == "executive":
            _chart_drawn(page, "funnel")
            _chart_drawn(page, "market")
            shot(page, "dashboard")
        page.click("header form button")  # log out
        page.wait_for_url(f"{server}/login")


def test_search_then_profile_then_dossier(login_as, server, world) -> None:
    page = login_as("recruiter")
    page.click("header nav a:text('Sourcing')")
    page.fill("input[name=q]", "reinforcement learning from human feedback")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#results table")  # htmx swapped the results in
    assert "q=reinforcement" in page.url  # and pushed the URL
    shown = page.locator("#results").inner_text()
    assert shown.count("the score: ") >= 3 or shown.count("expertise") >= 3
    shot(page, "search")
    page.locator("#results tbody tr td:nth-child(2) a").first.click()
    page.wait_for_selector("h1")
    _chart_drawn(page, "timeline")
    assert "Affiliation timeline" in page.content()
    shot(page, "profile")
    page.goto(f"{server}/people/{world['people']['Bo Chen']}")
    _chart_drawn(page, "timeline")
    assert "OpenAI" in page.locator("section:has(h2:text('Moves'))").inner_text()
    page.click("text=Dossier")
    frame = page.frame_locator("iframe.doc")
    frame.locator("h1").wait_for()
    assert "Dossier: Bo Chen" in frame.locator("h1").inner_text()
    shot(page, "dossier")


def test_offer_builder_charts_ours_against_theirs(login_as, world) -> None:
    page = login_as("comp_partner")
    page.click("header nav a:text('Offers')")
    page.click("text=Build an offer")
    page.select_option("select[name=candidate_id]", str(world["ids"]["carla"]))
    page.fill("input[name=level]", "L5")
    page.fill("input[name=rival_company]", "OpenAI")
    page.fill("input[name=rival_base]", "260000")
    page.fill("input[name=rival_equity]", "2400000")
    page.fill("input[name=rival_private_discount_pct]", "40")
    page.fill("input[name=rival_liquidity_probability]", "0.8")
    page.fill("input[name=rival_years_to_liquidity]", "3")
    page.fill("input[name=our_base]", "245000")
    page.fill("input[name=our_bonus_pct]", "15")
    page.fill("input[name=our_equity]", "700000")
    page.fill("input[name=our_sign_on]", "60000")
    shot(page, "offer_builder")
    page.click("button:text('Build offer')")
    page.wait_for_selector("h1:has-text('Offer #')")
    _chart_drawn(page, "offer")
    text = page.locator("main").inner_text()
    assert "OpenAI" in text and "Cumulative difference" in text
    shot(page, "offer")


def test_contract_recruiter_is_refused_pay_data(login_as, server, world) -> None:
    page = login_as("contract_recruiter")
    page.goto(f"{server}/offers/new?candidate_id={world['ids']['bo']}")
    assert page.locator("h1").inner_text() == "Not allowed"
    assert "may not offer.build" in page.locator(".error").inner_text()
    shot(page, "refused")
    status = page.evaluate("async () => (await fetch('/api/retention')).status")
    assert status == 403
    # but their own pipeline works, with their candidate on the board
    page.click("header nav a:text('Pipeline')")
    assert "Bo Chen" in page.locator("#board").inner_text()
    assert "Carla Diaz" not in page.locator("#board").inner_text()


def test_other_pages_render(login_as, server) -> None:
    page = login_as("executive")
    for url, name, chart in [("/flows?year_from=2019&year_to=2024&org=Google+DeepMind", "flows",
                              "pairs"),
                             ("/cohort?paper=Diffusion+models%3A+study+1+of+2020", "cohort",
                              "destinations"),
                             ("/pipeline", "pipeline", None), ("/retention", "retention", None),
                             ("/audit", "audit", None)]:
        page.goto(f"{server}{url}")
        assert page.locator("h1").count() == 1
        if chart:
            _chart_drawn(page, chart)
        shot(page, name)
    # the pipeline board moves a card with htmx (no full reload)
    page.goto(f"{server}/pipeline")
    card = page.locator(".column:has(h3:text-is('interviewing 1')) select").first
    if card.count():
        card.select_option("offer")
        page.wait_for_selector(".column:has(h3:text('offer')) .ticket")


def test_no_request_leaves_the_machine(login_as, server) -> None:
    page = login_as("viewer")
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(f"{server}/flows?year_from=2019&year_to=2024")
    _chart_drawn(page, "pairs")
    assert seen and all(u.startswith(server) for u in seen), seen


@pytest.fixture(scope="module", autouse=True)
def _fresh_screenshots() -> None:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
