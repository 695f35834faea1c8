"""Invitations and password resets: links by real mail, single use, 72 hours, every other
session ended, the same answer for unknown addresses, rate limited like sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.models import AccountLink, OutboxMessage, User
from pilot_tracker.services import account_links, outbox
from pilot_tracker.services import users as user_service
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import PASSWORD, make_user
from tests.mail_helpers import Received, SmtpServer, smtp_server

NEW_PASSWORD = "my very own password"


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    with smtp_server(app) as server:
        yield server


def deliver(app: Flask) -> None:
    with app.app_context():
        report = outbox.deliver()
    assert report.failed == 0, report.errors


def link_of(received: Received) -> str:
    [path] = [p for p in received.links() if p.startswith("/account/")]
    assert path in received.html  # the same link in both parts
    return path


def set_password(
    client: FlaskClient, path: str, password: str, confirm: str | None = None
) -> object:
    return client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "password": password,
            "confirm": confirm if confirm is not None else password,
        },
    )


def invite_through_admin_form(client: FlaskClient, actors: Actors, email: str) -> None:
    login_as(client, actors.admin)
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(client, "/admin/users/new"),
            "email": email,
            "name": "Uusi Henkilö",
            "role": "council",
            "municipality_code": "",
            "vendor_id": "",
        },
    )
    assert response.status_code == 302
    login_as(client, None)


def test_an_invitation_arrives_in_finnish_and_its_link_sets_the_persons_own_password(
    app: Flask, client: FlaskClient, actors: Actors, smtp: SmtpServer
) -> None:
    invite_through_admin_form(client, actors, "uusi@example.com")
    deliver(app)
    [received] = smtp.inbox.to("uusi@example.com")
    assert received.message["Subject"] == "Sinut on kutsuttu Kokeilusalkkuun"
    assert '<html lang="fi">' in received.html and "<h1" in received.html
    path = link_of(received)
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(sa.select(AccountLink.token_hash)).all()
        assert token not in " ".join(stored)  # only its hash is kept
    page = client.get(path)
    assert page.status_code == 200 and "uusi@example.com" in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]  # a secret link: never cached
    response = set_password(client, path, NEW_PASSWORD)
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200  # signed in
    with app.app_context():
        assert user_service.authenticate("uusi@example.com", NEW_PASSWORD) is not None
    assert app.test_client().get(path).status_code == 404  # single use


def test_an_invitation_link_expires_after_72_hours(app: Flask, actors: Actors) -> None:
    with app.app_context():
        user = account_links.invite_user("late@example.com", "council")
        body = db.session.scalars(
            sa.select(OutboxMessage.body_text).where(OutboxMessage.recipient == user.email)
        ).one()
        token = re.search(r"/account/(\S+)", body).group(1)  # type: ignore[union-attr]
        now = datetime.now(UTC)
        assert account_links.find_link(token, now + timedelta(hours=71)) is not None
        assert account_links.find_link(token, now + timedelta(hours=73)) is None
        assert account_links.use_link(token, NEW_PASSWORD, now + timedelta(hours=73)) is None


def test_a_short_password_is_refused_and_the_link_still_works(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        account_links.invite_user("short@example.com", "council")
        body = db.session.scalars(sa.select(OutboxMessage.body_text)).one()
    path = re.search(r"https?://[^/]+(/account/\S+)", body).group(1)  # type: ignore[union-attr]
    client.set_cookie("lang", "en")
    response = set_password(client, path, "too short")
    assert response.status_code == 200
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert set_password(client, path, NEW_PASSWORD, "different password").status_code == 200
    assert set_password(client, path, NEW_PASSWORD).status_code == 302


def forgot(client: FlaskClient, email: str) -> tuple[int, str]:
    response = client.post(
        "/password/forgot",
        data={"csrf_token": csrf_token(client, "/password/forgot"), "email": email},
        follow_redirects=True,
    )
    return response.status_code, response.get_data(as_text=True)


def test_forgot_password_answers_the_same_whether_or_not_the_address_exists(
    app: Flask, actors: Actors
) -> None:
    known = forgot(app.test_client(), "council@example.com")
    unknown = forgot(app.test_client(), "nobody@example.com")
    assert known[0] == unknown[0] == 200

    def neutral(html: str, email: str) -> str:
        return re.sub(r'value="[^"]+"', 'value=""', html.replace(email, "X"))  # CSRF tokens

    assert neutral(known[1], "council@example.com") == neutral(unknown[1], "nobody@example.com")
    assert "72" in known[1]
    with app.app_context():
        recipients = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
    assert recipients == ["council@example.com"]


def test_a_deactivated_user_gets_no_reset_link(app: Flask, actors: Actors) -> None:
    with app.app_context():
        user_service.deactivate_user(actors.council, actor=None)
    forgot(app.test_client(), "council@example.com")
    with app.app_context():
        assert db.session.scalars(sa.select(OutboxMessage)).all() == []


def test_a_reset_link_in_swedish_sets_a_new_password_and_ends_every_other_session(
    app: Flask, actors: Actors, smtp: SmtpServer
) -> None:
    with app.app_context():
        user = make_user(Role.COUNCIL, email="svensk@example.com")
        user_service.update_profile(user, name="Svensk", language="sv")
    elsewhere = login_as(app.test_client(), user)
    assert elsewhere.get("/profile").status_code == 200
    forgot(app.test_client(), "svensk@example.com")
    deliver(app)
    [received] = smtp.inbox.to("svensk@example.com")
    assert received.message["Subject"] == "Välj ett nytt lösenord för Kokeilusalkku"
    assert '<html lang="sv">' in received.html
    path = link_of(received)
    browser = app.test_client()
    assert set_password(browser, path, NEW_PASSWORD).status_code == 302
    assert browser.get("/profile").status_code == 200  # this session goes on
    assert elsewhere.get("/profile").status_code == 302  # every other one ended
    with app.app_context():
        assert user_service.authenticate("svensk@example.com", PASSWORD) is None
        assert user_service.authenticate("svensk@example.com", NEW_PASSWORD) is not None
    assert set_password(app.test_client(), path, "another password 2026").status_code == 404


def test_using_one_reset_link_closes_the_others(app: Flask, actors: Actors) -> None:
    forgot(app.test_client(), "council@example.com")
    forgot(app.test_client(), "council@example.com")
    with app.app_context():
        bodies = db.session.scalars(sa.select(OutboxMessage.body_text)).all()
    first, second = (
        re.search(r"https?://[^/]+(/account/\S+)", body).group(1)  # type: ignore[union-attr]
        for body in bodies
    )
    assert set_password(app.test_client(), second, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(first).status_code == 404


def test_forgot_password_is_rate_limited_like_sign_in(app: Flask, actors: Actors) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    try:
        client = app.test_client()
        assert forgot(client, "council@example.com")[0] == 200
        assert forgot(client, "council@example.com")[0] == 200
        token = csrf_token(client, "/password/forgot")
        response = client.post(
            "/password/forgot", data={"csrf_token": token, "email": "council@example.com"}
        )
        assert response.status_code == 429 and response.headers.get("Retry-After")
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    with app.app_context():
        assert len(db.session.scalars(sa.select(OutboxMessage)).all()) == 2


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 500, "%00", "..%2F..%2Fetc%2Fpasswd"])
def test_an_unknown_or_malformed_link_is_404(client: FlaskClient, token: str) -> None:
    assert client.get(f"/account/{token}").status_code == 404
    assert client.post(f"/account/{token}", data={"password": NEW_PASSWORD}).status_code in (
        400,  # no CSRF token
        404,
    )


def test_the_cli_still_creates_a_user_with_a_password_from_stdin(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "script@example.com", "--role", "council", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert user_service.authenticate("script@example.com", NEW_PASSWORD) is not None
        assert db.session.scalars(sa.select(User).where(User.email == "script@example.com")).one()
