"""One migration chain builds the schema on SQLite and PostgreSQL, matching the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from pilot_tracker import create_app
from pilot_tracker.extensions import db
from pilot_tracker.models import Base
from pilot_tracker.models.base import include_in_autogenerate


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, of the kind under test."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"kokeilu_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(sa.make_url(url).set(database=name))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated_app(url: str) -> Flask:
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})


def test_upgrade_from_empty_matches_models(empty_database: str) -> None:
    app = _migrated_app(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_object": include_in_autogenerate,
                },
            )
            diff = compare_metadata(context, Base.metadata)
        db.engine.dispose()
    assert diff == []


def test_upgrade_loads_all_308_municipalities(empty_database: str) -> None:
    app = _migrated_app(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            count, total = conn.execute(
                sa.text("SELECT count(*), sum(population) FROM municipalities")
            ).one()
        db.engine.dispose()
    assert (count, total) == (308, 5_563_970)


def test_downgrade_to_base_and_upgrade_again(empty_database: str) -> None:
    app = _migrated_app(empty_database)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            tables = {t for t in tables if not t.startswith("sqlite_")}
        assert tables == set()
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM municipalities")).scalar() == 308
        db.engine.dispose()


def test_constraint_names_follow_the_convention(app: Flask) -> None:
    with app.app_context():
        inspector = sa.inspect(db.engine)
        fks = inspector.get_foreign_keys("pilots")
    assert {fk["name"] for fk in fks} >= {
        "fk_pilots_lead_municipality_code_municipalities",
        "fk_pilots_vendor_id_vendors",
    }


def test_suite_runs_on_postgres_when_required(app: Flask) -> None:
    """CI sets REQUIRE_POSTGRES=1 for its PostgreSQL pass: it must really be PostgreSQL."""
    with app.app_context():
        dialect = db.engine.dialect.name
    expected = (
        {"postgresql"} if os.environ.get("REQUIRE_POSTGRES") == "1" else {"sqlite", "postgresql"}
    )
    assert dialect in expected


def test_postgres_connections_plan_with_the_configured_random_page_cost(app: Flask) -> None:
    """POSTGRES_RANDOM_PAGE_COST (config.py) reaches every connection as a libpq start-up
    option; None leaves the server's own setting. SQLite gets no such option."""
    from pilot_tracker.database import configure_engine_options

    def options(uri: str, **config: Any) -> dict[str, Any]:
        app = Flask("probe")
        app.config.update({"POSTGRES_RANDOM_PAGE_COST": 1.1, **config})
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
        configure_engine_options(app)
        return dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])

    pg = "postgresql+psycopg://u@h/d"
    assert options(pg)["connect_args"] == {"options": "-c random_page_cost=1.1"}
    assert "connect_args" not in options(pg, POSTGRES_RANDOM_PAGE_COST=None)
    assert "connect_args" not in options(pg, POSTGRES_RANDOM_PAGE_COST="server")
    assert options(pg, POSTGRES_RANDOM_PAGE_COST="2")["connect_args"] == {
        "options": "-c random_page_cost=2.0"
    }
    with pytest.raises(ValueError):  # a typo stops the start, it does not plan silently
        options(pg, POSTGRES_RANDOM_PAGE_COST="fast")
    assert "options" not in options("sqlite:///x.db")["connect_args"]

    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # the suite's own engine, as configured
            assert db.session.execute(sa.text("SHOW random_page_cost")).scalar() == "1.1"
