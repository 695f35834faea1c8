"""Browser tests: the app served on 127.0.0.1 with the demo portfolio, driven by Playwright
through Debian's Chromium (Playwright's own browser download does not work here).

Without Chromium the tests are skipped locally; in CI (`REQUIRE_ALL_TESTS=1`) a skip fails
the run. Screenshots go to test-artifacts/ (not committed).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
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
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app with the demo data, served from a thread; yields its base URL."""
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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


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
    page.set_default_timeout(10_000)
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


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
