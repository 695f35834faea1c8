"""The phone layout (issue 19, item 7), in Chromium at 390 px: a compact header, the
dashboard's and the list's filters folded behind a disclosure, the pilot list as cards with
cost and status visible; at 1280 px everything as before; without JavaScript nothing folds."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import (
    DESKTOP,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    new_context,
    screenshot,
)

PHONE = {"width": 390, "height": 844}


def _height(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["height"])


def test_the_header_and_the_dashboard_filters_leave_the_phone_screen_to_the_content(
    browser: Any, live_server: str
) -> None:
    for lang in ("fi", "sv"):
        context = new_context(browser, live_server, role="coordinator", lang=lang, viewport=PHONE)
        page = context.new_page()
        page.goto("/dashboard")
        header, filters = _height(page, ".site-header"), _height(page, "form.filters")
        # Was some 700 px of header and filters before the first chart.
        assert header <= 150, (lang, header)
        assert filters <= 60, (lang, filters)
        assert not page.locator("#region").is_visible()
        # The due items fold to their counts; the first chart is on the second screen at most.
        assert page.locator(".due-section [role=status]").is_visible()
        assert not page.locator(".due-table").is_visible()
        first_chart = page.locator(".chart").first.bounding_box()
        assert first_chart is not None and first_chart["y"] <= 2 * PHONE["height"], first_chart
        page.click("details.filter-disclosure > summary")
        assert page.locator("#region").is_visible()
        page.click("details.filter-disclosure > summary")
        screenshot(page, f"phone-dashboard-{lang}")
        assert horizontal_overflow(page) == 0
        violations = axe_violations(page)
        assert not violations, describe_violations(f"/dashboard at 390 px ({lang})", violations)
        context.close()


def test_the_pilot_list_is_cards_on_a_phone_with_cost_and_status(
    browser: Any, live_server: str
) -> None:
    context = new_context(browser, live_server, role="council", lang="fi", viewport=PHONE)
    page = context.new_page()
    page.goto("/pilots")
    assert not page.locator("#theme").is_visible()  # the filters are folded, the search is not
    assert page.locator("#q").is_visible()
    first = page.locator("table.pilot-list tbody tr").first
    card = first.bounding_box()
    assert card is not None and card["width"] <= PHONE["width"]
    for label in ("Nettokustannus", "Viimeisin tilanne"):
        cell = first.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box is not None and cell.is_visible(), label
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
    cost = first.locator("td[data-label='Nettokustannus']")
    assert "€" in cost.inner_text()
    # Each value is drawn with its column's name before it.
    drawn = cost.evaluate("(td) => getComputedStyle(td, '::before').content")
    assert drawn == '"Nettokustannus"', drawn
    screenshot(page, "phone-pilot-list-fi")
    assert horizontal_overflow(page) == 0
    violations = axe_violations(page)
    assert not violations, describe_violations("/pilots at 390 px", violations)
    # On a desktop the list is a table with its column headers.
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert page.locator("table.pilot-list thead th").first.is_visible()
    assert page.locator("#theme").is_visible()
    context.close()


def test_without_javascript_the_filters_stay_open_on_a_phone(
    browser: Any, live_server: str
) -> None:
    context = new_context(
        browser,
        live_server,
        role="coordinator",
        lang="fi",
        viewport=PHONE,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto("/dashboard")
    assert page.locator("#region").is_visible()
    page.goto("/pilots")
    assert page.locator("#theme").is_visible()
    context.close()
