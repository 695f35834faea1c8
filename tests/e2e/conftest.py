"""Browser tests: the app served on 127.0.0.1 with the demo portfolio, driven by Playwright
through Debian's Chromium (Playwright's own browser download does not work here).

Without Chromium the tests are skipped locally; in CI (`REQUIRE_ALL_TESTS=1`) a skip fails
the run. Screenshots go to test-artifacts/ (not committed).

Signed-in users keep their language on their profile, so a test that reads visible texts
chooses its language first (`choose_language`) instead of trusting what an earlier test left.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# How long a page action may wait: with pytest-xdist two workers each serve and draw pages
# on a 2-core machine, and a busy one needs more than ten seconds for a dashboard.
ACTION_TIMEOUT_MS = 30_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "kokeilu-demo-2026"
DEMO_DOMAIN = "demo.kokeilusalkku.fi"
# The demo users of README.md, by the role each test signs in as.
USERS = {
    "admin": f"admin@{DEMO_DOMAIN}",
    "coordinator": f"koordinaattori@{DEMO_DOMAIN}",
    "council": f"valtuutettu@{DEMO_DOMAIN}",
    "council_tied": f"lempaala@{DEMO_DOMAIN}",
    "vendor": f"toimittaja@{DEMO_DOMAIN}",
}
LANGUAGES = ("fi", "sv", "en")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
# The rules axe-core files under WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def chromium_path() -> str | None:
    """Debian's Chromium, or the one CHROMIUM_PATH names."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is marked e2e (deselect with -m 'not e2e')."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The real app on a SQLite file migrated and loaded with the demo portfolio."""
    from flask_migrate import upgrade

    from pilot_tracker import create_app
    from pilot_tracker.services.seed import seed_demo

    db_path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "LOGIN_RATE_LIMIT": "1000 per minute",
        },
    )
    with app.app_context():
        upgrade()
        seed_demo()
    return app


@pytest.fixture(scope="session")
def live_server(live_app: Any) -> Iterator[str]:
    """The app served from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Demo:
    """Records of the demo portfolio the tests visit, looked up rather than hard-coded."""

    pilot_id: int  # a pilot with KPIs, measurements, status updates and decisions
    vendor_pilot_id: int  # a pilot of toimittaja@'s vendor, with KPIs
    tied_code: str  # lempaala@'s municipality
    council_user_id: int  # valtuutettu@, whose admin page has a history


@pytest.fixture(scope="session")
def demo(live_app: Any) -> Demo:
    """Ids of the demo records the tests use."""
    import sqlalchemy as sa

    from pilot_tracker.extensions import db
    from pilot_tracker.models import Decision, Kpi, Pilot, User

    with live_app.app_context():
        decisions = (
            sa.select(sa.func.count())
            .where(Decision.pilot_id == Pilot.id)
            .correlate(Pilot)
            .scalar_subquery()
        )
        kpis = sa.select(sa.func.count()).where(Kpi.pilot_id == Pilot.id).scalar_subquery()
        rich = db.session.scalar(
            sa.select(Pilot.id).order_by(decisions.desc(), kpis.desc(), Pilot.id).limit(1)
        )
        vendor = db.session.scalar(sa.select(User).where(User.email == USERS["vendor"]))
        tied = db.session.scalar(sa.select(User).where(User.email == USERS["council_tied"]))
        council = db.session.scalar(sa.select(User).where(User.email == USERS["council"]))
        assert vendor is not None and tied is not None and tied.municipality_code
        assert council is not None
        vendor_pilot = db.session.scalar(
            sa.select(Pilot.id)
            .where(Pilot.vendor_id == vendor.vendor_id, kpis > 0)
            .order_by(Pilot.id)
            .limit(1)
        )
        assert rich is not None and vendor_pilot is not None
        return Demo(rich, vendor_pilot, tied.municipality_code, council.id)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium for the whole run."""
    path = chromium_path()
    if not path:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; Finnish unless a test says otherwise."""
    context = browser.new_context(base_url=live_server, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_load_state()


def _csrf(context: Any, path: str) -> str:
    html = context.request.get(path).text()
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token on {path}"
    return match.group(1)


def quick_sign_in(context: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign a context in by posting the sign-in form over HTTP (no page is drawn), for tests
    about something else than signing in."""
    response = context.request.post(
        "/login",
        form={"csrf_token": _csrf(context, "/login"), "email": email, "password": password},
        max_redirects=0,
    )
    assert response.status == 302, f"sign-in of {email} failed ({response.status})"


def choose_language(context: Any, lang: str) -> None:
    """Post the header's language form over HTTP: the cookie, and the profile when signed in."""
    response = context.request.post(
        "/language",
        form={"csrf_token": _csrf(context, "/about"), "lang": lang, "next": "/about"},
        max_redirects=0,
    )
    assert response.status == 302


def new_context(
    browser: Any,
    live_server: str,
    *,
    role: str | None = None,
    lang: str = "fi",
    viewport: dict[str, int] = DESKTOP,
    **options: Any,
) -> Any:
    """A browser context in `lang`, signed in as the demo user of `role` (None: signed out)."""
    context = browser.new_context(
        base_url=live_server,
        locale={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[lang],
        viewport=viewport,
        **options,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    if role:
        quick_sign_in(context, USERS[role])
    choose_language(context, lang)
    return context


def wait_for_charts(page: Any) -> None:
    """Scroll every chart of the page into view, as a reader would (charts.js draws a chart
    when it comes into view), and wait until each is drawn. Pages without the chart script
    (no plotly.js bundle installed) have nothing to wait for."""
    if not page.locator("script[data-plotly]").count():
        return
    plots = page.locator("[data-figure]")
    for n in range(plots.count()):
        plot = plots.nth(n)
        plot.scroll_into_view_if_needed()
        # a busy machine draws eight charts slowly
        plot.locator(".main-svg").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-figure]'))"
        ".every(el => el.classList.contains('js-plotly-plot') && el.querySelector('.main-svg'))",
        timeout=30_000,
    )


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return list(results.response["violations"])


def describe_violations(where: str, violations: list[dict[str, Any]]) -> str:
    """One readable block per rule: id, impact, what it wants, and the first offending nodes."""
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}) {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more nodes")
    return "\n".join(lines)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits), with every <details>
    open so that hidden tables count too."""
    return int(
        page.evaluate(
            "() => { document.querySelectorAll('details').forEach(d => { d.open = true; });"
            " const root = document.documentElement; return root.scrollWidth - root.clientWidth; }"
        )
    )


def squeezed_cells(page: Any) -> list[str]:
    """Words broken across lines inside table cells: the sign of a table that squeezed its
    columns to fit the screen instead of scrolling inside its .table-wrap (the first few).
    Only words of letters count: a hyphen is a fair place to break, and so is the middle of a
    long code such as a timestamp in the audit history."""
    return list(
        page.evaluate(
            """() => {
            const found = [];
            const range = document.createRange();
            for (const cell of document.querySelectorAll('td, th')) {
                if (!cell.offsetParent) continue;
                const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                for (let node = texts.nextNode(); node; node = texts.nextNode()) {
                    for (const word of node.data.matchAll(/\\p{L}{4,20}/gu)) {
                        range.setStart(node, word.index);
                        range.setEnd(node, word.index + word[0].length);
                        const lines = new Set(Array.from(range.getClientRects(), r => r.top));
                        if (lines.size > 1) found.push(word[0]);
                    }
                }
            }
            return found.slice(0, 5);
        }"""
        )
    )


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
