"""Honest forms and headers: required choices start empty, signed-in answers are not cached,
cookies are Secure in production, plain http gets a clear page, and there is a favicon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker import create_app
from pilot_tracker.domain.enums import Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Pilot, User
from pilot_tracker.services.tokens import create_token
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import PASSWORD, make_pilot

PRIVATE = "private, no-store"
REQUIRED_SELECT = re.compile(
    r"<select(?=[^>]*\brequired\b)[^>]*\bname=\"([^\"]+)\"[^>]*>(.*?)</select>", re.S
)
FIRST_OPTION = re.compile(r"<option([^>]*)>([^<]*)</option>")


def required_selects(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each required select's name → its options' (attributes, text)."""
    return {name: FIRST_OPTION.findall(body) for name, body in REQUIRED_SELECT.findall(html)}


# --- required choices ------------------------------------------------------------------------


@pytest.fixture
def pilot(app: Flask, actors: Actors) -> Pilot:
    with app.app_context():
        return make_pilot(stage=Stage.PLANNING)


@pytest.mark.parametrize(
    ("who", "path", "selects"),
    [
        ("coordinator", "/pilots/new", {"theme", "stage"}),
        ("coordinator", "/pilots/{pilot}/decisions/new", {"gate"}),
        ("admin", "/admin/users/new", {"role"}),
    ],
)
def test_every_required_select_starts_with_an_empty_option_none_chosen(
    client: FlaskClient, actors: Actors, pilot: Pilot, who: str, path: str, selects: set[str]
) -> None:
    login_as(client, getattr(actors, who))
    html = client.get(path.format(pilot=pilot.id)).get_data(as_text=True)
    found = required_selects(html)
    assert selects <= set(found)
    for name, options in found.items():
        assert 'value=""' in options[0][0], name
    for name in selects - {"stage"}:  # a new pilot's stage is shown chosen: idea
        assert not [attrs for attrs, _text in found[name] if "selected" in attrs], name


def test_a_pilot_without_a_theme_is_refused_not_given_one(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    data = {"name": "Ilman teemaa", "theme": "", "stage": "idea", "split_method": "per_capita"}
    data.update({"participants": "418", "csrf_token": csrf_token(client, "/pilots/new")})
    response = client.post("/pilots/new", data=data)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Pilot).where(Pilot.name == "Ilman teemaa")) is None


def test_a_decision_without_a_gate_is_refused(
    app: Flask, client: FlaskClient, actors: Actors, pilot: Pilot
) -> None:
    login_as(client, actors.coordinator)
    data = {
        "gate": "",
        "outcome": "go",
        "decided_on": date.today().isoformat(),
        "decided_by": "kunnanhallitus",
        "rationale": "Hyvä.",
        "csrf_token": csrf_token(client, "/pilots"),
    }
    response = client.post(f"/pilots/{pilot.id}/decisions/new", data=data)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(Decision)).all() == []


def test_a_user_without_a_role_is_refused(app: Flask, client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.admin)
    data = {
        "email": "roolitta@example.com",
        "role": "",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_token(client, "/admin/users/new"),
    }
    assert client.post("/admin/users/new", data=data).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == data["email"])) is None


# --- caching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard",
        "/dashboard/data/stages.csv",
        "/municipalities/418/data/stages.csv",
        "/pilots",
        "/export",
        "/export/pilots.csv",
        "/profile",
    ],
)
def test_signed_in_pages_and_data_are_private_no_store(
    client: FlaskClient, actors: Actors, path: str
) -> None:
    login_as(client, actors.coordinator)
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == PRIVATE


def test_api_answers_to_a_token_are_private_no_store(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        _token, plaintext = create_token(actors.coordinator)
    response = client.get("/api/v1/pilots", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE


def test_public_pages_and_the_hashed_bundle_keep_their_caching(
    client: FlaskClient, actors: Actors, pilot: Pilot
) -> None:
    assert client.get("/about").headers.get("Cache-Control") != PRIVATE
    login_as(client, actors.coordinator)
    html = client.get("/municipalities/418").get_data(as_text=True)
    # charts.js fetches the bundle when a chart comes into view: its URL is on the script tag.
    match = re.search(r'data-plotly="(/static/vendor/plotly-basic\.min\.js\?v=[0-9a-f]+)"', html)
    assert match
    bundle = client.get(match.group(1))
    assert bundle.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    bundle.close()


# --- production: Secure cookies, plain http --------------------------------------------------


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, app: Flask) -> Iterator[Flask]:
    """A production app on the suite's database (rolled back with the test)."""
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("GUNICORN_WORKERS", "1")
    production = create_app("production", {"SERVER_NAME": "kokeilu.example"})
    with production.app_context():
        db.engine.dispose()
    yield production


def set_cookies(response: Any) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_every_cookie_is_secure_in_production(production: Flask, actors: Actors) -> None:
    client = production.test_client()
    https = {"base_url": "https://kokeilu.example"}
    cookies = set_cookies(client.get("/login", **https))
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/login", **https).get_data(as_text=True),
    )
    assert token
    signed_in = client.post(
        "/login",
        data={
            "csrf_token": token.group(1),
            "email": actors.coordinator.email,
            "password": PASSWORD,
        },
        headers={"Referer": "https://kokeilu.example/login"},
        **https,
    )
    assert signed_in.status_code == 302
    cookies += set_cookies(signed_in)
    language = client.post(
        "/language",
        data={"lang": "sv", "next": "/about", "csrf_token": token.group(1)},
        headers={"Referer": "https://kokeilu.example/about"},
        **https,
    )
    assert language.status_code == 302
    cookies += set_cookies(language)
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert {"session", "lang"} <= names
    assert all("; Secure" in cookie for cookie in cookies), cookies


def test_plain_http_in_production_gets_a_clear_page(production: Flask, actors: Actors) -> None:
    client = production.test_client()
    http = {"base_url": "http://kokeilu.example", "headers": {"Accept-Language": "en"}}
    for response in (
        client.get("/login", **http),
        client.post(
            "/login", data={"email": actors.coordinator.email, "password": PASSWORD}, **http
        ),
    ):
        html = response.get_data(as_text=True)
        assert response.status_code == 403
        assert "Use a secure connection (HTTPS)" in html
        assert 'href="https://kokeilu.example/login"' in html
        assert "expired" not in html
    api = client.get("/api/v1/pilots", **http)
    assert (api.status_code, api.mimetype) == (403, "application/problem+json")
    assert client.get("/healthz", **http).status_code == 200  # the load balancer's check


def test_development_serves_plain_http(client: FlaskClient) -> None:
    assert client.get("/login").status_code == 200


# --- favicon ---------------------------------------------------------------------------------


def test_the_favicon_is_served_and_linked(client: FlaskClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/about").get_data(as_text=True)
