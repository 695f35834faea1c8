"""The app shell: landing page, health check, configuration, independence from ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from pilot_tracker import ConfigError, create_app
from pilot_tracker.extensions import db

PACKAGE = Path(__file__).resolve().parents[1] / "pilot_tracker"


def test_healthz_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_is_away(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_landing_page_is_finnish_by_default(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert "Kuntien yhteiset digikokeilut" in html


def test_accept_language_picks_swedish(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "sv-FI,sv;q=0.9"}).get_data(as_text=True)
    assert '<html lang="sv">' in html


def test_about_page_credits_the_register(client: FlaskClient) -> None:
    html = client.get("/about").get_data(as_text=True)
    assert "CC BY 4.0" in html
    assert "Tilastokeskus" in html


def test_unknown_page_is_404_page(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://localhost/x")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_a_short_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://localhost/x")
    with pytest.raises(ConfigError, match="at least 32"):
        create_app("production")


def test_production_refuses_to_start_without_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app("production")


def test_production_starts_with_its_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("GUNICORN_WORKERS", "1")  # no shared rate-limit store needed
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_config_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="APP_CONFIG"):
        create_app("staging")


def test_product_never_reads_shared_folder() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "shared/" in path.read_text(encoding="utf-8")
        or "'shared'" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_wsgi_module_exposes_app() -> None:
    import wsgi

    assert isinstance(wsgi.app, Flask)
