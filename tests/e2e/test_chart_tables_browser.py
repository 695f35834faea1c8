"""Every chart's "Show as table" alternative: a <details> that opens by mouse or keyboard with
JavaScript, and that holds the same data when JavaScript is off (the plots then stay hidden)."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import USERS, Demo, new_context, quick_sign_in, wait_for_charts


def figure_points(page: Any, chart: str) -> int:
    """How many categories the chart's figure data (its JSON block) has on its first trace."""
    figure = json.loads(page.locator(f"#chart-{chart}-figure").text_content())
    trace = figure["data"][0]
    return len(trace.get("y") if trace.get("orientation") == "h" else trace.get("x"))


def test_show_as_table_opens_by_mouse_and_keyboard_with_javascript(
    browser: Any, live_server: str, demo: Demo
) -> None:
    context = new_context(browser, live_server, role="council", lang="fi")
    try:
        page = context.new_page()
        page.goto(f"/municipalities/{demo.tied_code}")
        wait_for_charts(page)
        section = page.locator("#chart-stages")
        assert section.locator(".chart-plot").is_visible()
        table = section.locator("table.chart-data")
        assert not table.is_visible()

        section.locator("summary").click()
        assert table.is_visible()
        assert table.locator("caption").text_content() == section.locator("h2").inner_text()
        assert table.locator("thead th[scope=col]").count() >= 2
        assert table.locator("tbody tr").count() == figure_points(page, "stages")

        # The keyboard reaches the next chart's summary and Enter opens it.
        savings = page.locator("#chart-savings")
        savings.locator("summary").focus()
        page.keyboard.press("Enter")
        assert savings.locator("table.chart-data").is_visible()
        assert savings.locator("details").get_attribute("open") is not None
    finally:
        context.close()


def test_without_javascript_the_pilot_page_shows_its_charts_as_tables(
    browser: Any, live_server: str, demo: Demo
) -> None:
    context = new_context(browser, live_server, lang="fi", java_script_enabled=False)
    try:
        quick_sign_in(context, USERS["council"])
        page = context.new_page()
        page.goto(f"/pilots/{demo.pilot_id}")
        charts = page.locator(".pilot-charts section.chart")
        assert charts.count() >= 3
        assert page.locator(".chart-plot:visible").count() == 0
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.locator("summary").click()
            table = chart.locator("table.chart-data")
            assert table.is_visible(), chart.get_attribute("id")
            assert table.locator("tbody tr").count() >= 1
            assert table.locator("tbody td[colspan]").count() == 0  # not the "No data." row
        # The cost shares chart's table lists the pilot's participants, as the costs table does.
        shares_chart = page.locator("#chart-cost-shares table.chart-data tbody tr")
        assert shares_chart.count() == page.locator("#costs table.shares tbody tr").count()
    finally:
        context.close()
