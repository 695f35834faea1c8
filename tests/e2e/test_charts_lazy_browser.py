"""Charts on a phone cost nothing until they are seen: plotly.js is fetched when the first
chart comes near the screen, each chart is drawn when it comes into view, and its height is
reserved beforehand, so nothing on the page moves when it is drawn."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import PHONE, Demo, new_context, wait_for_charts

TOPS_JS = """
() => Array.from(document.querySelectorAll('.chart, .chart-plot, footer'))
  .map(el => Math.round(el.getBoundingClientRect().top + window.scrollY))
"""
DRAWN_JS = """
() => Array.from(document.querySelectorAll('[data-figure]'))
  .map(el => !!el.querySelector('.main-svg'))
"""


def test_charts_draw_as_they_come_into_view_and_move_nothing(
    browser: Any, live_server: str
) -> None:
    context = new_context(browser, live_server, role="council", viewport=PHONE)
    bundle_requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: bundle_requests.append(r.url) if "plotly" in r.url else None)
        page.goto("/dashboard")
        page.wait_for_load_state("networkidle")
        drawn = page.evaluate(DRAWN_JS)
        assert len(drawn) == 10  # with by year (issue 13) and budget against actual (17)
        # The last charts are far below a phone's screen: not drawn yet.
        assert drawn[-1] is False, drawn
        before = page.evaluate(TOPS_JS)
        wait_for_charts(page)  # scrolls each into view
        assert all(page.evaluate(DRAWN_JS))
        after = page.evaluate(TOPS_JS)
        # Every chart drawn, and each box, each plot and the footer where they were.
        assert after == before
        assert len(bundle_requests) == 1
    finally:
        context.close()


def test_a_page_read_at_its_top_does_not_fetch_plotly(
    browser: Any, live_server: str, demo: Demo
) -> None:
    """A pilot page's charts are below its facts: on a phone, plotly.js waits for them."""
    context = new_context(browser, live_server, role="council", viewport=PHONE)
    bundle_requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: bundle_requests.append(r.url) if "plotly" in r.url else None)
        page.goto(f"/pilots/{demo.pilot_id}")
        page.wait_for_load_state("networkidle")
        assert not any(page.evaluate(DRAWN_JS))
        assert bundle_requests == []
        wait_for_charts(page)
        assert len(bundle_requests) == 1
        assert all(page.evaluate(DRAWN_JS))
    finally:
        context.close()
