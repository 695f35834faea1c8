"""A vendor's month in one form, in Chromium: from the vendor home to the monthly report and
back, with the due measurements filled in the same form (issue 19, item 9)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import (
    USERS,
    Demo,
    axe_violations,
    choose_language,
    describe_violations,
    horizontal_overflow,
    screenshot,
    sign_in,
)


def test_vendor_reports_the_month_in_one_form(page: Any, demo: Demo) -> None:
    sign_in(page, USERS["vendor"])
    choose_language(page.context, "fi")
    page.goto("/my-pilots")
    with page.expect_navigation():
        page.click(f"a[href$='/pilots/{demo.vendor_pilot_id}/monthly-report']")
    assert page.locator("h1").inner_text().startswith("Kuukausiraportti")
    violations = axe_violations(page)
    assert not violations, describe_violations("monthly report", violations)
    screenshot(page, "monthly-report-fi")
    # An empty save: every missing field is named once, next to it, and nothing is saved.
    page.fill("#text", "")
    with page.expect_navigation():
        page.click("form.monthly-report button.primary")
    assert page.locator("#text-error").count() == 1
    assert page.locator(".error-summary a[href='#text']").count() == 1
    page.check("input[name=rag][value=green]")
    page.fill("#progress_percent", "60")
    page.fill("#text", "E2E: kuukauden raportti yhdellä lomakkeella.")
    entries = page.locator("input[id$='-value']").count()
    for index in range(entries):
        page.fill(f"#measurements-{index}-value", f"{index + 7},5")
    with page.expect_navigation():
        page.click("form.monthly-report button.primary")
    assert page.url.split("#")[0].endswith("/my-pilots")
    flash = page.locator(".flash, [role=status]").first.inner_text()
    assert "kuukausiraportti tallennettiin" in flash
    assert f"{entries} mittau" in flash


def test_the_monthly_report_fits_a_phone(page: Any, demo: Demo) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, USERS["vendor"])
    choose_language(page.context, "sv")
    page.goto(f"/pilots/{demo.vendor_pilot_id}/monthly-report")
    assert page.locator("h1").inner_text().startswith("Månadsrapport")
    assert horizontal_overflow(page) == 0
    screenshot(page, "monthly-report-sv-390")
