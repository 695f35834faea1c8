"""In-app help (issue 19, item 10): a guide per role in fi, sv and en, open to everyone, linked
from every page's header, with the screenshots the browser tests make."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.help.routes import GUIDES, SCREENSHOTS
from tests.conftest import Actors, login_as

STATIC = Path(__file__).resolve().parents[1] / "pilot_tracker" / "static"


def _get(client: FlaskClient, path: str, lang: str) -> str:
    client.set_cookie("lang", lang)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("name", sorted(GUIDES))
def test_each_guide_is_written_in_each_language_with_its_screenshots(
    client: FlaskClient, name: str, lang: str
) -> None:
    html = _get(client, f"/help/{name}", lang)
    assert f'<html lang="{lang}">' in html
    steps = re.findall(r"<li><h2>([^<]+)</h2>", html)
    assert len(steps) >= 4, steps
    images = re.findall(r'<img src="/static/(help/[^"]+)"', html)
    assert images == [f"help/{lang}-{key}.jpg" for key in SCREENSHOTS[name]]
    for image in images:
        assert (STATIC / image).stat().st_size > 10_000, image
    # Each screenshot has its caption; the image itself is decoration beside it.
    assert html.count("<figcaption>") == len(images)


def test_the_guides_differ_by_language(client: FlaskClient) -> None:
    texts = {lang: _get(client, "/help/vendor", lang) for lang in ("fi", "sv", "en")}
    assert "Kuukausiraportti" in texts["fi"]
    assert "Månadsrapport" in texts["sv"]
    assert "Monthly report" in texts["en"]


def test_an_unknown_guide_is_404(client: FlaskClient) -> None:
    assert client.get("/help/admin").status_code == 404


def test_the_index_puts_the_users_own_guide_first(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.vendor_user)
    html = _get(client, "/help", "en")
    links = re.findall(r'<li><a href="/help/(\w+)">', html)
    assert links[0] == "vendor" and sorted(links) == sorted(GUIDES)
    assert "(your role)" in html


@pytest.mark.parametrize("path", ["/", "/public", "/login", "/pilots", "/dashboard"])
def test_every_page_links_to_help_from_its_header(
    client: FlaskClient, actors: Actors, path: str
) -> None:
    if path in ("/pilots", "/dashboard"):
        login_as(client, actors.coordinator)
    html = _get(client, path, "fi")
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<a href="/help">Ohje</a>' in header
