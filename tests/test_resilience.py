"""The app survives a database that goes away: a clean 503 meanwhile, normal service after."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from pilot_tracker import create_app
from pilot_tracker.extensions import db


def _signed_in_client(app: Flask):  # type: ignore[no-untyped-def]
    """A client whose session names a user, so each request makes the loader query the DB."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:nonce"
        session["_sid"] = "a-session-key"
    return client


def test_sqlite_missing_database_gives_503_then_recovers(tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db.sqlite'}"})
    client = _signed_in_client(app)

    health = client.get("/healthz")
    page = client.get("/about")
    assert (health.status_code, health.get_json()) == (503, {"status": "unavailable"})
    assert page.status_code == 503
    # The whole page, rendered as signed out (the user loaders do not ask the database again).
    assert page.mimetype == "text/html"
    assert "logout" not in page.get_data(as_text=True)
    assert "Palvelu on tilapäisesti poissa käytöstä" in page.get_data(as_text=True) or (
        "Service temporarily unavailable" in page.get_data(as_text=True)
    )

    folder.mkdir()
    with app.app_context():
        upgrade()
    assert client.get("/healthz").status_code == 200
    assert client.get("/about").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_unreachable_postgres_gives_503_problem_json_on_the_api() -> None:
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "connect_args": {"connect_timeout": 2},
            },
        },
    )
    client = _signed_in_client(app)
    assert client.get("/healthz").status_code == 503
    response = client.get("/about", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 503


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    url = sa.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"kokeilu_res_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_postgres_connections_cut_are_replaced_transparently(scratch_postgres: str) -> None:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_postgres})
    with app.app_context():
        upgrade()
    client = _signed_in_client(app)
    assert client.get("/healthz").status_code == 200
    assert client.get("/about").status_code == 200

    name = sa.make_url(scratch_postgres).database
    admin = sa.create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar()
    admin.dispose()
    assert killed >= 1
    time.sleep(0.1)
    # pool_pre_ping notices the dead connections and opens new ones: no error reaches users.
    assert client.get("/healthz").status_code == 200
    assert client.get("/about").status_code == 200
    with app.app_context():
        db.engine.dispose()
