"""Two requests of one signed-in user at once on SQLite: the one whose touch of the session
loses to the other's commit is still served (it was a 503 "database unavailable" under
gunicorn, 2 workers and 8 connections: bench.ratios saw one per run on the portfolio)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from pilot_tracker import create_app
from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.models import UserSession
from pilot_tracker.services import sessions
from tests.factories import make_user


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    """An app of its own on a SQLite file: the race needs two real connections to it."""
    path = tmp_path / "race.sqlite"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
    yield app, path
    with app.app_context():
        db.engine.dispose()


def _signed_in(app: Flask) -> tuple[Any, int]:
    """A coordinator's client whose session is due for its touch, and the session's id."""
    with app.app_context():
        user = make_user(Role.COORDINATOR)
        key = sessions.start(user.id)
        row = db.session.scalars(
            sa.select(UserSession).where(UserSession.key_hash == sessions.hash_key(key))
        ).one()
        row.last_seen_at = row.last_seen_at - timedelta(minutes=5)
        db.session.commit()
        user_id, session_id = user.get_id(), row.id
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session[sessions.SESSION_KEY] = key
    return client, session_id


def _last_seen(app: Flask, session_id: int) -> Any:
    with app.app_context():
        return db.session.get(UserSession, session_id).last_seen_at


def test_a_touch_that_loses_to_a_concurrent_commit_still_serves_the_page(
    file_app: tuple[Flask, Path],
) -> None:
    app, path = file_app
    client, session_id = _signed_in(app)
    before = _last_seen(app, session_id)
    other = sqlite3.connect(path, isolation_level=None)
    raced: list[str] = []

    def commit_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # Between this request's read of its session and its touch, another request (a
        # second connection) commits a write: this request's snapshot is now the older one.
        if statement.startswith("UPDATE user_sessions SET last_seen_at") and not raced:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE users SET name = name || ' (edited)'")
            other.execute("COMMIT")
            raced.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", commit_first)
    try:
        page = client.get("/profile")
    finally:
        sa.event.remove(engine, "before_cursor_execute", commit_first)
        other.close()

    assert raced, "the touch never ran: the race was not staged"
    assert page.status_code == 200
    assert "logout" in page.get_data(as_text=True)
    # The touch lost (nothing was written by this request); the session lives on.
    assert _last_seen(app, session_id) == before
    # The next request touches it as usual.
    assert client.get("/profile").status_code == 200
    assert _last_seen(app, session_id) > before


def test_only_sqlites_busy_is_taken_for_a_lost_touch() -> None:
    """Any other database error is not swallowed (a database that is down stays a 503)."""
    error = sa.exc.OperationalError("UPDATE", {}, sqlite3.OperationalError("disk I/O error"))
    assert not sessions._lost_to_a_concurrent_write(error)
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = 517  # type: ignore[attr-defined]  # SQLITE_BUSY_SNAPSHOT
    assert sessions._lost_to_a_concurrent_write(sa.exc.OperationalError("UPDATE", {}, busy))
