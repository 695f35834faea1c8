"""The accessibility statement (saavutettavuusseloste) of Act 306/2019 at /accessibility."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture
def contact(app: Flask) -> Iterator[None]:
    """An operator-configured feedback address for one test."""
    app.config["ACCESSIBILITY_CONTACT"] = "palaute@kunta.example"
    try:
        yield
    finally:
        app.config.pop("ACCESSIBILITY_CONTACT")


def test_statement_names_status_gaps_evaluation_and_enforcement(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")
    html = client.get("/accessibility").get_data(as_text=True)
    assert "<h1>Accessibility statement</h1>" in html
    assert "partially complies with WCAG 2.1 level AA" in html
    assert "3.1.2 Language of Parts" in html
    assert "axe-core" in html
    assert "27/11/2026" in html or "11/27/26" in html
    assert 'href="https://www.saavutettavuusvaatimukset.fi/"' in html
    assert "Regional State Administrative Agency for Southern Finland" in html
    assert '<span lang="fi">Etelä-Suomen aluehallintovirasto' in html


def test_feedback_goes_to_the_default_example_address(client: FlaskClient) -> None:
    html = client.get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:saavutettavuus@kokeilusalkku.example"' in html


@pytest.mark.usefixtures("contact")
def test_feedback_goes_to_the_configured_address(client: FlaskClient) -> None:
    html = client.get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:palaute@kunta.example"' in html
    assert "kokeilusalkku.example" not in html


def test_every_page_links_the_statement_in_its_footer(client: FlaskClient) -> None:
    for path in ("/", "/login", "/about"):
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index('<footer class="site-footer">') :]
        assert 'href="/accessibility"' in footer, path
