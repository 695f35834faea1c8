"""Browser sessions kept server-side: started at sign-in, checked on every request, ended at
sign-out or after the idle timeout or the absolute lifetime (`SESSION_IDLE_MINUTES`,
`SESSION_LIFETIME_HOURS`).

The signed session cookie carries a random key (`SESSION_KEY`); the table `user_sessions`
holds its SHA-256. Any app server finds the row or does not, so a sign-out on one server ends
the session on all of them, and a cookie copied before the sign-out opens nothing afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from pilot_tracker.domain.sessions import SessionPolicy, SessionState, needs_touch, session_state
from pilot_tracker.extensions import db
from pilot_tracker.models import User, UserSession
from pilot_tracker.models.base import utcnow

SESSION_KEY = "_sid"  # the key's name in Flask's signed session cookie


def now() -> datetime:
    """The clock (tests move it forward instead of sleeping)."""
    return utcnow()


def hash_key(key: str) -> str:
    """SHA-256 hex of a session key: a long random string needs no slow hash."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def policy() -> SessionPolicy:
    """The app's session policy, from its configuration."""
    config = current_app.config
    return SessionPolicy(
        idle_timeout=timedelta(minutes=float(config["SESSION_IDLE_MINUTES"])),
        lifetime=timedelta(hours=float(config["SESSION_LIFETIME_HOURS"])),
    )


def start(user_id: int) -> str:
    """A new session for the user; returns the key for the cookie (stored only hashed).

    The user's sessions that have already ended by time are removed on the way.
    """
    moment = now()
    rules = policy()
    db.session.execute(
        sa.delete(UserSession).where(
            UserSession.user_id == user_id,
            sa.or_(
                UserSession.created_at < moment - rules.lifetime,
                UserSession.last_seen_at < moment - rules.idle_timeout,
            ),
        )
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(user_id=user_id, key_hash=hash_key(key), created_at=moment, last_seen_at=moment)
    )
    db.session.commit()
    return key


def end(key: str | None) -> None:
    """End the session with this key (sign-out); nothing happens for an unknown key."""
    if not key:
        return
    db.session.execute(sa.delete(UserSession).where(UserSession.key_hash == hash_key(key)))
    db.session.commit()


def load(user_id: int, key: str | None) -> User | None:
    """The user of a live session with this key, in one statement; None when it has ended.

    An idle or expired session's row is deleted. A live one records the request as its latest
    activity at most once per `SessionPolicy.touch_every`.
    """
    if not key:
        return None
    row = db.session.execute(
        sa.select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.key_hash == hash_key(key))
    ).first()
    if row is None:
        return None
    user, user_session = row
    moment = now()
    rules = policy()
    state = session_state(rules, user_session.created_at, user_session.last_seen_at, moment)
    if state is not SessionState.LIVE:
        db.session.delete(user_session)
        db.session.commit()
        return None
    if needs_touch(rules, user_session.last_seen_at, moment):
        user_session.last_seen_at = moment
        try:
            db.session.commit()
        except sa.exc.OperationalError as error:
            if not _lost_to_a_concurrent_write(error):
                raise
            # Another request committed a write after this one read the session (the same
            # session's next request, touching it too): SQLite refuses a write from the
            # older snapshot at once, whatever its busy timeout. The session is live and
            # its latest activity a moment old either way; the request goes on without the
            # touch (it was a 503 under gunicorn with 8 connections of one signed-in user).
            db.session.rollback()
            return db.session.get(User, user_id)
    return user


def _lost_to_a_concurrent_write(error: sa.exc.OperationalError) -> bool:
    """SQLite's SQLITE_BUSY (5) or one of its extended codes (SQLITE_BUSY_SNAPSHOT, 517)."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_BUSY
