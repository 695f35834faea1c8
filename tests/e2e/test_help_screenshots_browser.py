"""The screenshots of the in-app guides (issue 19, item 10), made in Chromium from the demo
data: one per step that shows one, in fi, sv and en, 1280 × 720 JPEG.

The run saves them under test-artifacts/help/; `make help-screenshots` runs this file with
HELP_SCREENSHOTS_DIR=pilot_tracker/static/help to refresh the committed ones."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pilot_tracker.help.routes import SCREENSHOTS
from tests.e2e.conftest import ARTIFACTS, Demo, new_context

SIZE = {"width": 1280, "height": 720}
OUT = Path(os.environ.get("HELP_SCREENSHOTS_DIR") or ARTIFACTS / "help")
ROLE = {
    "coordinator-dashboard": "coordinator",
    "coordinator-participants": "coordinator",
    "council-municipality": "council_tied",
    "vendor-home": "vendor",
    "vendor-monthly-report": "vendor",
}


def _shoot(page: Any, key: str, demo: Demo) -> float:
    """Open the page of the screenshot; the y of its top edge on the page."""
    if key == "coordinator-dashboard":
        page.goto("/dashboard")
        return 0
    if key == "coordinator-participants":
        page.goto("/pilots/new")
        page.fill("#name", "Tilavaraus verkossa, vaihe 2")
        page.locator("#municipality_q").focus()
        for typed in ("Lempä", "Nokia", "Pirkk"):
            page.keyboard.type(typed)
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
        page.check("#lead-418")
        page.locator("#municipality_q").focus()
        page.keyboard.type("Tam")
        page.keyboard.press("ArrowDown")
        box = page.locator(".municipality-search").bounding_box()
        return max(0.0, float(box["y"]) + page.evaluate("() => window.scrollY") - 24)
    if key == "council-municipality":
        page.goto(f"/municipalities/{demo.tied_code}")
        return 0
    if key == "vendor-home":
        page.goto("/my-pilots")
        return 0
    if key == "vendor-monthly-report":
        page.goto(f"/pilots/{demo.vendor_pilot_id}/monthly-report")
        return 0
    raise AssertionError(key)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_guides_screenshots_are_made_from_the_demo(
    browser: Any, live_server: str, demo: Demo, lang: str
) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    keys = [key for keys in SCREENSHOTS.values() for key in keys]
    assert sorted(keys) == sorted(ROLE)
    for key in keys:
        context = new_context(browser, live_server, role=ROLE[key], lang=lang, viewport=SIZE)
        page = context.new_page()
        top = _shoot(page, key, demo)
        path = OUT / f"{lang}-{key}.jpg"
        page.screenshot(
            path=str(path),
            type="jpeg",
            quality=70,
            full_page=True,
            clip={"x": 0, "y": top, **SIZE},
        )
        assert path.stat().st_size > 10_000, path  # a page, not a blank
        context.close()
