"""The everyday workflows in a real browser: a coordinator creates a pilot through the form,
a vendor reports on one of their pilots, a council member reads their municipality's charts."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import (
    USERS,
    Demo,
    choose_language,
    new_context,
    sign_in,
    wait_for_charts,
)


def cents(text: str) -> int:
    """Money as the Finnish interface shows it (`30 318,75 €`) in cents."""
    digits = re.sub(r"[^\d,-]", "", text)
    euros, _, decimals = digits.partition(",")
    return int(euros) * 100 + int((decimals + "00")[:2])


def test_coordinator_creates_a_pilot_with_a_per_capita_split_of_three_municipalities(
    browser: Any, live_server: str
) -> None:
    # Without JavaScript: the form's own buttons do everything (the picker is
    # tests/e2e/test_participant_picker_browser.py).
    context = new_context(
        browser, live_server, role="coordinator", lang="fi", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/pilots/new")
    page.fill("#name", "E2E: yhteinen tilavaraus")
    page.select_option("#theme", "facility_booking")

    # The search needs no JavaScript: each button posts the form and the page comes back.
    page.fill("#municipality_q", "Lempäälä")
    with page.expect_navigation():
        page.click("button[name=action][value=search]")
    page.check("#hit-418")
    with page.expect_navigation():
        page.click("button[name=action][value=add]")
    page.fill("#municipality_q", "536, 980")
    with page.expect_navigation():
        page.click("button[name=action][value=search]")
    page.check("#hit-536")
    page.check("#hit-980")
    with page.expect_navigation():
        page.click("button[name=action][value=add]")
    assert page.locator("table.participants tbody tr").count() == 3

    page.check("#lead-418")
    page.check("input[name=split_method][value=per_capita]")
    page.fill("#budget", "120000")
    page.fill("#external_funding", "30000")
    with page.expect_navigation():
        page.click("button[name=action][value=preview]")
    preview = page.locator("table.participants tbody tr")
    assert preview.count() == 3
    assert cents(page.locator("table.participants tfoot td.num").last.inner_text()) == 9_000_000

    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert re.search(r"/pilots/\d+$", page.url), page.url
    assert page.locator("h1").inner_text() == "E2E: yhteinen tilavaraus"
    rows = page.locator("#costs table.shares tbody tr")
    assert rows.count() == 3
    codes = sorted(
        re.search(r"\((\d{3})\)", name).group(1) for name in rows.locator("th").all_inner_texts()
    )
    assert codes == ["418", "536", "980"]
    shares = [cents(rows.nth(i).locator("td").nth(2).inner_text()) for i in range(3)]
    assert all(share > 0 for share in shares)
    assert sum(shares) == 9_000_000  # the net cost: budget − external funding
    # The overview's net cost is the same 90 000,00 €.
    facts = page.locator("#overview .facts dd").all_inner_texts()
    assert 9_000_000 in [cents(text) for text in facts if text.strip().endswith("€")]
    # Per capita: every municipality pays the same per resident (to the cent's rounding).
    per_resident = [
        float(rows.nth(i).locator("td").nth(3).inner_text().split()[0].replace(",", "."))
        for i in range(3)
    ]
    assert max(per_resident) - min(per_resident) <= 0.01
    context.close()


def test_vendor_posts_a_status_update_and_a_measurement_on_their_pilot(
    page: Any, demo: Demo
) -> None:
    sign_in(page, USERS["vendor"])
    assert page.url.endswith("/my-pilots")
    choose_language(page.context, "fi")
    page.goto(f"/pilots/{demo.vendor_pilot_id}")

    with page.expect_navigation():
        page.click(f"a[href$='/pilots/{demo.vendor_pilot_id}/status/new']")
    page.check("input[name=rag][value=amber]")
    page.fill("#progress_percent", "55")
    page.fill("#text", "E2E: reitit testattu kolmessa kunnassa, yksi integraatio myöhässä.")
    with page.expect_navigation():
        page.click("form.narrow button.primary")
    assert page.url.split("#")[0].endswith(f"/pilots/{demo.vendor_pilot_id}")
    newest = page.locator("#status tbody tr").first
    assert "E2E: reitit testattu kolmessa kunnassa" in newest.inner_text()
    assert "55 %" in newest.inner_text()
    # The status is named in text and drawn as a shape, not by colour alone.
    badge = newest.locator(".rag.rag-amber")
    assert badge.inner_text().strip() != ""
    assert badge.locator(".rag-dot").count() == 1

    with page.expect_navigation():
        page.click(f"a[href$='/pilots/{demo.vendor_pilot_id}/measurements/new']")
    kpi = page.locator("#kpi_id option:not([value=''])").first  # after the empty "Choose…"
    kpi_id, kpi_label = kpi.get_attribute("value"), kpi.inner_text()
    page.select_option("#kpi_id", kpi_id)
    page.fill("#value", "12,5")
    page.fill("#note", "E2E: mitattu selaintestissä")
    with page.expect_navigation():
        page.click("form.narrow button.primary")
    kpi_name = kpi_label.split(" (")[0]
    row = page.locator("#kpis tbody tr", has=page.locator(f"th:has-text('{kpi_name}')"))
    assert "12,5" in row.locator("td").nth(2).inner_text()
    measurements = page.locator("details.measurements", has_text=kpi_name)
    measurements.locator("summary").click()
    assert "E2E: mitattu selaintestissä" in measurements.locator("tbody tr").first.inner_text()


def test_council_member_lands_on_their_municipality_and_its_charts_draw_every_trace(
    page: Any, demo: Demo
) -> None:
    sign_in(page, USERS["council_tied"])
    assert page.url.endswith(f"/municipalities/{demo.tied_code}")
    wait_for_charts(page)
    plots = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
            chart: el.closest('section.chart').id,
            traces: el.data.length,
            expected: JSON.parse(document.getElementById(el.dataset.figure).textContent)
                .data.length,
            drawn: el.querySelectorAll('.main-svg .trace').length,
        }))"""
    )
    by_chart = {p["chart"]: p for p in plots}
    assert sorted(by_chart) == [
        "chart-actual-forecast",
        "chart-by-year",
        "chart-kpi-attainment",
        "chart-pilot-costs",
        "chart-savings",
        "chart-stages",
    ]
    for plot in plots:
        assert plot["traces"] == plot["expected"] >= 1, plot
        assert plot["drawn"] >= plot["traces"], plot
    # Its committed and proposed cost beside its shares of the estimated savings (committed
    # and proposed pilots apart) and of the realised savings.
    assert by_chart["chart-savings"]["traces"] == 5
    # By year: committed, proposed and actual side by side.
    assert by_chart["chart-by-year"]["traces"] == 3
    # Its actual costs and forecast by year side by side.
    assert by_chart["chart-actual-forecast"]["traces"] == 2
