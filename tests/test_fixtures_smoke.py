"""The shared fixtures sign users in as the app expects."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import Actors, login_as


def test_login_as_signs_the_user_in(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.coordinator)
    html = client.get("/about").get_data(as_text=True)
    assert "coordinator@example.com" in html


def test_login_as_none_is_anonymous(client: FlaskClient, actors: Actors) -> None:
    login_as(client, None)
    html = client.get("/about").get_data(as_text=True)
    assert "coordinator@example.com" not in html
