"""Security headers on real responses, HSTS when configured, CSRF on every form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, User, Vendor
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def assert_security_headers(response: Any) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_headers_on_html_json_redirect_and_error_responses(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    responses = {
        "page": client.get("/login"),
        "json": client.get("/healthz"),
        "static": client.get("/static/css/app.css"),
        "404": client.get("/no-such-page"),
        "redirect": client.get("/profile"),
        "csrf 400": client.post("/login", data={"email": "a@example.com", "password": "x"}),
    }
    login_as(client, actors.council)
    responses["403"] = client.get("/admin/users")
    responses["signed-in page"] = client.get("/profile")
    assert {name: r.status_code for name, r in responses.items()} == {
        "page": 200,
        "json": 200,
        "static": 200,
        "404": 404,
        "redirect": 302,
        "csrf 400": 400,
        "403": 403,
        "signed-in page": 200,
    }
    for response in responses.values():
        assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers
        response.close()


def test_headers_on_a_rate_limited_response(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    for _ in range(2):
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"csrf_token": token, "email": "x@example.com", "password": "y"}
        )
    assert response.status_code == 429
    assert_security_headers(response)
    assert response.headers["Retry-After"].isdigit()


def test_hsts_is_sent_when_configured(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HSTS_ENABLED", True)
    response = client.get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_sends_hsts_and_secure_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    from pilot_tracker import create_app

    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("GUNICORN_WORKERS", "1")  # no shared rate-limit store needed
    production = create_app("production")
    response = production.test_client().get("/about", base_url="https://kokeilu.example")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert_security_headers(response)


def test_our_templates_have_no_inline_scripts_or_event_handlers() -> None:
    """The CSP forbids them; they would silently not run."""
    offenders = []
    for folder in ("auth", "admin"):
        for path in (TEMPLATES / folder).glob("*.html"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"<script(?![^>]*\bsrc=)", text) or re.search(r"\son[a-z]+=", text):
                offenders.append(path.name)
    assert offenders == []


# --- CSRF --------------------------------------------------------------------------------


# One-click unsubscribe (RFC 8058) is posted by mail clients without a session or a form:
# its signed token is the proof (tests/test_mail_reminders.py tests it).
# The residents' feedback form needs no account and no cookie: its signed, time-stamped form
# token is the proof (tests/test_feedback.py refuses a post without one).
CSRF_EXEMPT = {"mail.unsubscribe", "public.give_feedback"}


def _post_routes(app: Flask) -> list[str]:
    """A concrete path for every form route of the app (the JSON API uses bearer tokens)."""
    adapter = app.url_map.bind("localhost")
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.rule.startswith("/api/"):
            continue
        if rule.endpoint in CSRF_EXEMPT:
            continue
        values = {
            name: 1 if isinstance(converter, IntegerConverter) else "418"
            for name, converter in rule._converters.items()
        }
        paths.append(adapter.build(rule.endpoint, values, method="POST"))
    return sorted(paths)


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(AuditEntry.id))),
        db.session.scalar(sa.select(sa.func.count(User.id))),
        db.session.scalar(sa.select(sa.func.count(Vendor.id))),
    )


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["missing", "wrong"])
def test_every_form_refuses_a_missing_or_wrong_csrf_token_and_saves_nothing(
    app: Flask, client: FlaskClient, actors: Actors, token: str | None
) -> None:
    client.set_cookie("lang", "en")
    login_as(client, actors.admin)
    with app.app_context():
        before = _counts()
    paths = _post_routes(app)
    assert "/admin/users/new" in paths and "/profile" in paths and "/login" in paths
    form: dict[str, str] = {
        "email": "csrf-victim@example.com",
        "name": "Forged",
        "role": "admin",
        "business_id": "0204819-8",
        "password": "forged password 2026",
        "confirm": "forged password 2026",
    }
    if token is not None:
        form["csrf_token"] = token
    for path in paths:
        response = client.post(path, data=form)
        assert response.status_code == 400, path
        assert "The form could not be accepted" in response.get_data(as_text=True), path
    with app.app_context():
        assert _counts() == before
    assert client.get("/profile").status_code == 200  # still signed in: logout was refused too


def test_sign_in_without_a_csrf_token_does_not_sign_in(client: FlaskClient, actors: Actors) -> None:
    response = client.post("/login", data={"email": "admin@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/profile").status_code == 302


def test_a_token_from_another_session_is_refused(app: Flask, actors: Actors) -> None:
    attacker, victim = app.test_client(), app.test_client()
    stolen = csrf_token(attacker, "/login")
    login_as(victim, actors.admin)
    response = victim.post(
        "/admin/vendors/new",
        data={"csrf_token": stolen, "name": "Forged Oy", "business_id": "0204819-8"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert (
            db.session.scalars(sa.select(Vendor).where(Vendor.name == "Forged Oy")).first() is None
        )


def test_the_csrf_page_is_a_clear_html_page(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")
    html = client.post("/login", data={}).get_data(as_text=True)
    assert "<h1>The form could not be accepted</h1>" in html
    assert "reload the page and try again" in html


def _address_app(**config: object) -> Flask:
    from flask import request

    from pilot_tracker import security

    bare = Flask("proxy_test")
    bare.config.update(config)
    security.register(bare)
    bare.add_url_rule("/ip", "ip", lambda: request.remote_addr or "")
    return bare


def test_client_address_comes_from_the_proxy_only_when_configured() -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    direct = _address_app().test_client().get("/ip", headers=forwarded)
    assert direct.get_data(as_text=True) == "127.0.0.1"  # a client cannot spoof its address
    proxied = _address_app(TRUSTED_PROXIES="1").test_client().get("/ip", headers=forwarded)
    assert proxied.get_data(as_text=True) == "203.0.113.9"


def test_a_bad_trusted_proxies_setting_is_refused() -> None:
    from pilot_tracker import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        _address_app(TRUSTED_PROXIES="all")
