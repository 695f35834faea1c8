"""Sessions that end: sign-out (a replayed cookie opens nothing), idle time, absolute lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.sessions import SessionPolicy, SessionState, needs_touch, session_state
from pilot_tracker.extensions import db
from pilot_tracker.models import UserSession
from pilot_tracker.services import sessions
from tests.conftest import Actors, csrf_token
from tests.factories import PASSWORD

POLICY = SessionPolicy(idle_timeout=timedelta(minutes=60), lifetime=timedelta(hours=12))
T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


# --- the pure rule ---------------------------------------------------------------------------


def test_a_fresh_session_is_live() -> None:
    assert session_state(POLICY, T0, T0, T0) is SessionState.LIVE


def test_idle_after_the_idle_timeout_not_at_it() -> None:
    assert session_state(POLICY, T0, T0, T0 + timedelta(minutes=60)) is SessionState.LIVE
    later = T0 + timedelta(minutes=60, seconds=1)
    assert session_state(POLICY, T0, T0, later) is SessionState.IDLE


def test_expired_after_the_lifetime_however_busy() -> None:
    at_limit = T0 + timedelta(hours=12)
    assert session_state(POLICY, T0, at_limit, at_limit) is SessionState.LIVE
    past = at_limit + timedelta(seconds=1)
    assert session_state(POLICY, T0, past, past) is SessionState.EXPIRED


@given(
    age=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    idle=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
)
def test_state_is_live_exactly_within_both_limits(age: timedelta, idle: timedelta) -> None:
    now = T0 + timedelta(days=4)
    state = session_state(POLICY, now - max(age, idle), now - idle, now)
    created_age = max(age, idle)  # a session is never seen before it was created
    if created_age > POLICY.lifetime:
        assert state is SessionState.EXPIRED
    elif idle > POLICY.idle_timeout:
        assert state is SessionState.IDLE
    else:
        assert state is SessionState.LIVE


def test_last_seen_is_written_at_most_once_a_minute() -> None:
    assert not needs_touch(POLICY, T0, T0 + timedelta(seconds=59))
    assert needs_touch(POLICY, T0, T0 + timedelta(minutes=1))


@pytest.mark.parametrize(
    ("idle", "lifetime", "touch"),
    [(0, 60, 1), (60, 0, 1), (-1, 60, 1), (1, 60, 1), (60, 60, -1)],
)
def test_a_policy_that_cannot_work_is_refused(idle: int, lifetime: int, touch: int) -> None:
    with pytest.raises(ValueError):
        SessionPolicy(
            idle_timeout=timedelta(minutes=idle),
            lifetime=timedelta(minutes=lifetime),
            touch_every=timedelta(minutes=touch),
        )


# --- the app ---------------------------------------------------------------------------------


class Clock:
    """The sessions' clock, moved forward by hand instead of sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime.now(UTC)
        monkeypatch.setattr(sessions, "now", lambda: self.now)

    def forward(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def sign_in(client: FlaskClient, email: str) -> None:
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/dashboard")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def session_rows(app: Flask, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user_id)
        )


def copy_cookie(source: FlaskClient, target: FlaskClient) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def test_sign_in_stores_only_a_hash_of_the_session_key(app: Flask, actors: Actors) -> None:
    client = app.test_client()
    sign_in(client, actors.coordinator.email)
    with client.session_transaction() as cookie_session:
        key = cookie_session[sessions.SESSION_KEY]
    with app.app_context():
        row = db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == actors.coordinator.id)
        ).one()
    assert row.key_hash == sessions.hash_key(key) and key not in row.key_hash


def test_a_cookie_replayed_after_sign_out_is_refused(app: Flask, actors: Actors) -> None:
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, actors.coordinator.email)
    copy_cookie(browser, thief)
    assert signed_in(thief)  # the copy works while the session lives

    token = csrf_token(browser, "/profile")
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302

    assert not signed_in(thief)
    assert not signed_in(browser)
    assert session_rows(app, actors.coordinator.id) == 0


def test_sign_out_ends_only_that_session(app: Flask, actors: Actors) -> None:
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, actors.coordinator.email)
    sign_in(phone, actors.coordinator.email)
    laptop.post("/logout", data={"csrf_token": csrf_token(laptop, "/profile")})
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_a_session_ends_after_the_idle_timeout(
    app: Flask, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    client = app.test_client()
    sign_in(client, actors.coordinator.email)
    clock.forward(minutes=59)
    assert signed_in(client)  # activity: the idle time starts again from here
    clock.forward(minutes=59)
    assert signed_in(client)
    clock.forward(minutes=60, seconds=1)
    assert not signed_in(client)
    assert session_rows(app, actors.coordinator.id) == 0


def test_a_busy_session_ends_at_its_absolute_lifetime(
    app: Flask, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    client = app.test_client()
    sign_in(client, actors.coordinator.email)
    for _ in range(14):  # a request every 50 minutes: never idle, 11 h 40 min in all
        clock.forward(minutes=50)
        assert signed_in(client)
    clock.forward(minutes=20, seconds=1)  # 12 h and a second after sign-in
    assert not signed_in(client)


def test_the_timeouts_come_from_the_configuration(
    app: Flask, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    clock = Clock(monkeypatch)
    client = app.test_client()
    sign_in(client, actors.coordinator.email)
    clock.forward(minutes=5, seconds=1)
    assert not signed_in(client)


def test_a_timed_out_session_is_cleared_at_the_next_sign_in(
    app: Flask, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    sign_in(app.test_client(), actors.coordinator.email)  # a browser that never comes back
    clock.forward(hours=13)
    sign_in(app.test_client(), actors.coordinator.email)
    assert session_rows(app, actors.coordinator.id) == 1


def test_a_session_key_of_another_user_opens_nothing(app: Flask, actors: Actors) -> None:
    client = app.test_client()
    sign_in(client, actors.council.email)
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = actors.coordinator.get_id()  # (needs the secret key)
    assert client.get("/pilots/new").status_code == 302
