"""The browser reaches the app and can sign in."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in


def test_landing_page_renders_in_finnish(page: Any) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("h1").inner_text() == "Kuntien yhteiset digikokeilut"


def test_coordinator_signs_in_through_the_form(page: Any) -> None:
    sign_in(page, "koordinaattori@demo.kokeilusalkku.fi")
    assert "koordinaattori@demo.kokeilusalkku.fi" in page.locator("header").inner_text()
