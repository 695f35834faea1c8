"""Sign-in, sign-out, sessions, the sign-in rate limit, the profile page and create-user."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.models import ApiToken, AuditEntry, User
from pilot_tracker.permissions import home_url
from pilot_tracker.services import tokens as token_service
from pilot_tracker.services import users as user_service
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import PASSWORD

WRONG = "Wrong e-mail or password."


def english(client: FlaskClient) -> FlaskClient:
    """Pages in English, so the assertions read the msgids."""
    client.set_cookie("lang", "en")
    return client


def sign_in(
    client: FlaskClient, email: str, password: str, address: str = "127.0.0.1", **kw: Any
) -> Any:
    """Post the real sign-in form (CSRF token, e-mail, password) from `address`."""
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kw,
    )


def signed_in_email(client: FlaskClient) -> str | None:
    """Who the session belongs to, as the page header shows it."""
    response = client.get("/profile")
    if response.status_code != 200:
        return None
    match = re.search(r'class="user-name">([^ <]+)', response.get_data(as_text=True))
    return match.group(1) if match else None


class Clock:
    """Moves `time.time` forward, so a one-minute window can pass without waiting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


# --- signing in and out ------------------------------------------------------------------


def test_sign_in_through_the_real_form_lands_on_the_users_home(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    response = sign_in(client, "Council418@Example.com ", PASSWORD)
    assert response.status_code == 302
    with app.test_request_context():
        assert response.headers["Location"] == home_url(actors.council_tied)
    assert signed_in_email(client) == "council418@example.com"


def test_sign_in_follows_a_local_next_but_never_another_site(
    client: FlaskClient, actors: Actors
) -> None:
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "email": "admin@example.com", "password": PASSWORD}
    local = client.post("/login?next=/admin/users", data=data)
    assert local.headers["Location"] == "/admin/users"
    login_as(client, None)
    token = csrf_token(client, "/login")
    data["csrf_token"] = token
    foreign = client.post("/login?next=//evil.example/x", data=data)
    assert "evil.example" not in foreign.headers["Location"]


def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: FlaskClient, actors: Actors
) -> None:
    english(client)
    wrong = sign_in(client, "admin@example.com", "not the password")
    unknown = sign_in(client, "nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 200

    def body(response: Any) -> str:
        html = response.get_data(as_text=True)
        html = re.sub(r'value="[^"]*"', 'value=""', html)  # CSRF tokens, the typed e-mail
        return html

    assert WRONG in body(wrong)
    assert body(wrong) == body(unknown)
    assert signed_in_email(client) is None


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, actors: Actors) -> None:
    response = sign_in(client, "admin@example.com", PASSWORD)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    from pilot_tracker import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("GUNICORN_WORKERS", "1")  # no shared rate-limit store needed
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_passwords_are_stored_as_scrypt_hashes_outside_tests(app: Flask, actors: Actors) -> None:
    from config import Config, ProductionConfig

    assert Config.PASSWORD_HASH_METHOD == ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"
    with app.app_context(), app.test_request_context():
        app.config["PASSWORD_HASH_METHOD"] = "scrypt:1024:8:1"  # cheap parameters, same algorithm
        try:
            hashed = user_service.hash_password(PASSWORD)
        finally:
            app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
        stored = db.session.get(User, actors.admin.id).password_hash
    assert hashed.startswith("scrypt:") and PASSWORD not in hashed
    assert PASSWORD not in stored


def test_logout_signs_out(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    token = csrf_token(client, "/profile")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert signed_in_email(client) is None


def test_deactivated_user_cannot_sign_in_and_their_sessions_end(app: Flask, actors: Actors) -> None:
    browser = english(app.test_client())
    sign_in(browser, "council@example.com", PASSWORD)
    assert signed_in_email(browser) == "council@example.com"
    with app.app_context():
        user_service.deactivate_user(db.session.get(User, actors.council.id), actor=None)

    response = browser.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    again = sign_in(english(app.test_client()), "council@example.com", PASSWORD)
    assert again.status_code == 200
    assert WRONG in again.get_data(as_text=True)


def test_reactivation_does_not_revive_old_sessions(app: Flask, actors: Actors) -> None:
    browser = app.test_client()
    sign_in(browser, "council@example.com", PASSWORD)
    with app.app_context():
        user = db.session.get(User, actors.council.id)
        user_service.deactivate_user(user, actor=None)
        user_service.reactivate_user(user)
    assert signed_in_email(browser) is None
    fresh = app.test_client()
    assert sign_in(fresh, "council@example.com", PASSWORD).status_code == 302


def test_deactivated_users_api_tokens_stop_working(app: Flask, actors: Actors) -> None:
    with app.app_context():
        user = db.session.get(User, actors.vendor_user.id)
        _token, plaintext = token_service.create_token(user, "tool")
        user_service.deactivate_user(user, actor=None)
        assert token_service.authenticate_token(plaintext) is None


# --- the sign-in rate limit --------------------------------------------------------------


def test_sign_in_rate_limit_kicks_in_after_ten_tries_a_minute_and_recovers(
    client: FlaskClient, actors: Actors, clock: Clock
) -> None:
    english(client)
    for _ in range(10):
        assert sign_in(client, "admin@example.com", "wrong password").status_code == 200
    blocked = sign_in(client, "admin@example.com", PASSWORD)
    assert blocked.status_code == 429
    retry = int(blocked.headers["Retry-After"])
    assert 1 <= retry <= 60
    html = blocked.get_data(as_text=True)
    assert re.search(r"Try again in \d+ seconds? \(at \d{1,2}[.:]\d\d", html)
    assert signed_in_email(client) is None  # the right password did not get through

    clock.advance(retry + 1)
    assert sign_in(client, "admin@example.com", PASSWORD).status_code == 302


def test_rate_limit_counts_tries_per_account_across_addresses(
    client: FlaskClient, actors: Actors, clock: Clock
) -> None:
    for n in range(10):
        sign_in(client, "coordinator@example.com", "wrong password", address=f"10.0.0.{n}")
    blocked = sign_in(client, "coordinator@example.com", PASSWORD, address="10.0.1.1")
    assert blocked.status_code == 429
    # Another account from a fresh address is not affected.
    assert sign_in(client, "admin@example.com", PASSWORD, address="10.0.1.2").status_code == 302


def test_rate_limit_counts_tries_per_address_across_accounts(
    client: FlaskClient, actors: Actors, clock: Clock
) -> None:
    for n in range(10):
        sign_in(client, f"guess{n}@example.com", "wrong password", address="192.0.2.7")
    assert sign_in(client, "admin@example.com", PASSWORD, address="192.0.2.7").status_code == 429
    assert sign_in(client, "admin@example.com", PASSWORD, address="192.0.2.8").status_code == 302


def test_login_rate_limit_is_configurable(
    app: Flask, client: FlaskClient, actors: Actors, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per 10 seconds")
    assert sign_in(client, "admin@example.com", "wrong").status_code == 200
    assert sign_in(client, "admin@example.com", "wrong").status_code == 200
    blocked = sign_in(client, "admin@example.com", PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) <= 10
    clock.advance(11)
    assert sign_in(client, "admin@example.com", PASSWORD).status_code == 302


def test_rate_limited_json_client_gets_problem_json(
    app: Flask, client: FlaskClient, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    sign_in(client, "admin@example.com", "wrong")
    response = sign_in(client, "admin@example.com", "wrong", headers={"Accept": "application/json"})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 429 and body["retry_after"] == int(response.headers["Retry-After"])


def test_viewing_the_sign_in_page_does_not_count_as_a_try(
    app: Flask, client: FlaskClient, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    for _ in range(5):
        assert client.get("/login").status_code == 200
    assert sign_in(client, "admin@example.com", PASSWORD).status_code == 302


# --- the profile -------------------------------------------------------------------------


def test_profile_saves_name_and_language_and_audits_it(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council)
    token = csrf_token(client, "/profile")
    response = client.post(
        "/profile", data={"csrf_token": token, "name": "Valtuutettu Virtanen", "language": "sv"}
    )
    assert response.status_code == 302
    assert '<html lang="sv">' in client.get("/profile").get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, actors.council.id)
        assert (user.name, user.language) == ("Valtuutettu Virtanen", "sv")
        entry = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "user", AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc())
        ).first()
    assert entry.old == {"language": None, "name": ""}
    assert entry.new == {"language": "sv", "name": "Valtuutettu Virtanen"}
    assert entry.actor_email == "council@example.com"


def test_profile_refuses_an_unknown_language(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council)
    token = csrf_token(client, "/profile")
    response = client.post("/profile", data={"csrf_token": token, "name": "", "language": "de"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, actors.council.id).language is None


def change_password(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> Any:
    token = csrf_token(client, "/profile")
    return client.post(
        "/profile/password",
        data={
            "csrf_token": token,
            "pw-current_password": current,
            "pw-new_password": new,
            "pw-confirm": new if confirm is None else confirm,
        },
    )


def test_changing_own_password_keeps_this_session_and_ends_the_others(
    app: Flask, actors: Actors
) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "vendor-a@example.com", PASSWORD)
    sign_in(elsewhere, "vendor-a@example.com", PASSWORD)
    response = change_password(here, PASSWORD, "a much longer new password")
    assert response.status_code == 302
    assert signed_in_email(here) == "vendor-a@example.com"
    assert signed_in_email(elsewhere) is None
    assert sign_in(app.test_client(), "vendor-a@example.com", PASSWORD).status_code == 200
    assert (
        sign_in(app.test_client(), "vendor-a@example.com", "a much longer new password").status_code
        == 302
    )
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "change_password")
        ).one()
    assert entry.entity_id == str(actors.vendor_user.id)
    assert "password_hash" not in (entry.new or {})


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong current password", "a much longer new password", None, "current password is wrong"),
        (PASSWORD, "too short", None, "at least 12 characters"),
        (PASSWORD, "a much longer new password", "something else entirely", "passwords differ"),
    ],
)
def test_password_change_refusals_say_why_and_change_nothing(
    app: Flask,
    client: FlaskClient,
    actors: Actors,
    current: str,
    new: str,
    confirm: str | None,
    message: str,
) -> None:
    english(client)
    login_as(client, actors.coordinator)
    response = change_password(client, current, new, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert signed_in_email(client) == "coordinator@example.com"
    with app.app_context():
        assert user_service.authenticate("coordinator@example.com", PASSWORD) is not None


def test_token_is_shown_once_and_works_until_revoked(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.vendor_user)
    token = csrf_token(client, "/profile")
    created = client.post(
        "/profile/tokens", data={"csrf_token": token, "token-name": "Raportointi"}
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "private, no-store"  # as every signed-in page
    match = re.search(
        r'id="new-token-value"[^>]*value="(ks_[^"]+)"', created.get_data(as_text=True)
    )
    assert match
    plaintext = match.group(1)
    later = client.get("/profile").get_data(as_text=True)
    assert plaintext not in later and "Raportointi" in later
    with app.app_context():
        assert token_service.authenticate_token(plaintext).id == actors.vendor_user.id
        stored = db.session.scalars(sa.select(ApiToken)).one()

    token = csrf_token(client, "/profile")
    revoked = client.post(f"/profile/tokens/{stored.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    with app.app_context():
        assert token_service.authenticate_token(plaintext) is None


def test_nobody_can_revoke_someone_elses_token(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        stored, plaintext = token_service.create_token(
            db.session.get(User, actors.vendor_user.id), "tool"
        )
    login_as(client, actors.admin)
    token = csrf_token(client, "/profile")
    response = client.post(f"/profile/tokens/{stored.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 404
    with app.app_context():
        assert token_service.authenticate_token(plaintext) is not None


def test_token_needs_a_name(app: Flask, client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    token = csrf_token(client, "/profile")
    response = client.post("/profile/tokens", data={"csrf_token": token, "token-name": ""})
    assert response.status_code == 200
    assert "new-token-value" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(ApiToken)).first() is None


# --- create-user -------------------------------------------------------------------------


def test_create_user_reads_the_password_from_stdin(app: Flask, runner: Any, actors: Actors) -> None:
    result = runner.invoke(
        args=["create-user", "New@Example.com", "--role", "council", "--municipality", "418"],
        input=None,
    )
    assert result.exit_code != 0  # no password given: the prompt got nothing
    result = runner.invoke(
        args=[
            "create-user",
            "New@Example.com",
            "--role",
            "council",
            "--municipality",
            "418",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = user_service.authenticate("new@example.com", "a long enough password")
        assert user is not None and user.municipality_code == "418" and user.role == Role.COUNCIL
        assert db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.action == "create")
        ).all()


def test_create_user_prompts_for_the_password_twice(app: Flask, runner: Any) -> None:
    result = runner.invoke(
        args=["create-user", "prompted@example.com", "--role", "coordinator"],
        input="prompted password 1\nprompted password 1\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert user_service.authenticate("prompted@example.com", "prompted password 1") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "council"], "at least 12 characters"),
        (["--role", "vendor"], "must be tied to a vendor"),
        (["--role", "coordinator", "--municipality", "418"], "Only a council user"),
        (["--role", "council", "--municipality", "999"], "No municipality has the code 999"),
    ],
)
def test_create_user_refuses_bad_input_clearly(
    app: Flask, runner: Any, args: list[str], message: str
) -> None:
    password = "short\n" if "council" in args and "999" not in args else "long enough password\n"
    result = runner.invoke(
        args=["create-user", "bad@example.com", *args, "--password-stdin"], input=password
    )
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert (
            db.session.scalars(sa.select(User).where(User.email == "bad@example.com")).first()
            is None
        )


def test_redis_storage_for_the_rate_limit_is_installed() -> None:
    """`RATELIMIT_STORAGE_URI=redis://...` works with what `pip install -e .` installs."""
    from limits.storage import RedisStorage, storage_from_string

    assert isinstance(storage_from_string("redis://127.0.0.1:6379/0"), RedisStorage)
