"""Finnish, Swedish and English in the browser: the header's buttons switch the language of
the page and the choice sticks; the portfolio dashboard is laid out for a desktop and for a
360 px phone in each language (screenshots saved under test-artifacts/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    LANGUAGES,
    PHONE,
    choose_language,
    horizontal_overflow,
    new_context,
    screenshot,
    wait_for_charts,
)


def switch_to(page: Any, lang: str) -> None:
    """Press the header's button of `lang` (a form post that comes back to the same page)."""
    with page.expect_navigation():
        page.click(f"header form.lang-form button[value={lang}]")


def pressed(page: Any) -> list[str]:
    """The languages whose header button is shown as the current one."""
    buttons = page.locator("header form.lang-form button[aria-pressed=true]")
    return [b.get_attribute("value") for b in buttons.all()]


def test_header_buttons_switch_fi_sv_en_and_the_choice_sticks_across_pages(page: Any) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert pressed(page) == ["fi"]
    headings = {"fi": page.locator("h1").inner_text()}
    skip_links = {"fi": page.locator(".skip-link").inner_text()}
    assert headings["fi"] == "Kuntien yhteiset digikokeilut"

    for lang in ("sv", "en"):
        switch_to(page, lang)
        assert page.url.endswith("/"), "the language form returns to the same page"
        assert page.locator("html").get_attribute("lang") == lang
        assert pressed(page) == [lang]
        headings[lang] = page.locator("h1").inner_text()
        skip_links[lang] = page.locator(".skip-link").inner_text()

    assert len(set(headings.values())) == 3, headings
    assert len(set(skip_links.values())) == 3, skip_links
    assert headings["en"] == "Joint digital pilots of municipalities"

    # The choice sticks: a link followed, a page typed in, a new tab of the same browser.
    with page.expect_navigation():
        page.click("footer a[href='/about']")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "About the data"
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "en"
    other_tab = page.context.new_page()
    other_tab.goto("/public")
    assert other_tab.locator("html").get_attribute("lang") == "en"

    switch_to(page, "fi")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert pressed(page) == ["fi"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_portfolio_dashboard_fits_a_desktop_and_a_360px_phone(
    browser: Any, live_server: str, lang: str
) -> None:
    context = new_context(browser, live_server, role="council", lang=lang)
    try:
        page = context.new_page()
        for name, viewport in (("desktop", DESKTOP), ("360px", PHONE)):
            page.set_viewport_size(viewport)
            page.goto("/dashboard")
            wait_for_charts(page)
            assert page.locator("html").get_attribute("lang") == lang
            shot = screenshot(page, f"dashboard-portfolio-{lang}-{name}")
            assert shot.stat().st_size > 10_000
            # Nothing sticks out sideways (tables scroll inside their own box), and the
            # charts are as wide as the page allows, not wider.
            assert horizontal_overflow(page) == 0, f"{lang} {name}: the page scrolls sideways"
            widths = page.evaluate(
                "() => Array.from(document.querySelectorAll('.chart-plot'))"
                ".map(el => el.getBoundingClientRect().right)"
            )
            assert widths and max(widths) <= viewport["width"]
    finally:
        choose_language(context, "fi")  # the council member's profile keeps the language
        context.close()
