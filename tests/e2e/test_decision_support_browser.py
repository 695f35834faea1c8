"""Decision support in a real browser: similar pilots appear in the new-pilot form's live
region while the name is typed (static/js/similar.js under the CSP), and the pilot page's
projection chart draws."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import USERS, Demo, sign_in


def test_similar_pilots_appear_while_the_name_is_typed(page: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, USERS["coordinator"])
    page.goto("/pilots/new")
    results = page.locator("#similar-results")
    assert results.get_attribute("aria-live") == "polite"
    assert results.locator("table").count() == 0

    page.locator("#name").press_sequentially("Tilavarausjärjestelmä kouluille", delay=10)

    link = results.locator("table a", has_text="Tilavaraus verkossa")
    link.first.wait_for(timeout=10_000)
    assert link.first.get_attribute("href").startswith("/pilots/")
    assert not [e for e in errors if "Content Security Policy" in e]


def test_pilot_page_draws_the_projection_chart(page: Any, demo: Demo) -> None:
    sign_in(page, USERS["council"])
    page.goto(f"/pilots/{demo.pilot_id}#projection")
    plot = page.locator("#chart-projection .chart-plot")
    plot.locator("svg").first.wait_for(timeout=10_000)
    assert plot.is_visible()
    page.locator("#codes").fill("091, 049")
    with page.expect_navigation():
        page.locator(".projection-form button").click()
    assert "codes=091" in page.url
    assert page.locator("#chart-projection table tbody tr").count() == 6  # 4 scenarios + range
