"""API sign-in: bearer tokens only; session cookies count for nothing, so no CSRF applies."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import session as flask_session
from flask_login import current_user

from pilot_tracker.extensions import db
from pilot_tracker.models import ApiToken, AuditEntry
from pilot_tracker.services.tokens import revoke_token
from pilot_tracker.services.users import deactivate_user
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors, login_as

PILOTS = "/api/v1/pilots"
VENDOR = {"name": "Uusi Oy", "business_id": "0204819-8"}


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def test_no_token_is_401_with_a_bearer_challenge(api: ApiCaller) -> None:
    response = api.get(None, PILOTS)

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer ks_not-a-real-token", "Bearer ", "Basic YWRtaW46YWRtaW4=", "ks_raw"]
)
def test_bad_token_is_401(api: ApiCaller, header: str) -> None:
    response = api.get(None, PILOTS, headers={"Authorization": header})

    assert_problem(response, 401)


def test_revoked_token_is_401(app: Flask, api: ApiCaller) -> None:
    api.token("coordinator")
    with app.app_context():
        revoke_token(db.session.scalars(sa.select(ApiToken)).one())

    assert_problem(api.get("coordinator", PILOTS), 401)


def test_deactivated_users_token_is_401(app: Flask, api: ApiCaller, actors: Actors) -> None:
    api.token("coordinator")
    with app.app_context():
        deactivate_user(actors.coordinator, actor=actors.admin)

    assert_problem(api.get("coordinator", PILOTS), 401)


def test_session_cookie_does_not_sign_in_to_the_api(app: Flask, actors: Actors) -> None:
    client = login_as(app.test_client(), actors.admin)

    assert client.get("/about").status_code == 200  # signed in on the pages
    assert_problem(client.get(PILOTS), 401)
    refused = client.post("/api/v1/vendors", json=VENDOR)
    assert_problem(refused, 401)  # not a CSRF error: the cookie is simply not a credential


def test_bearer_request_needs_no_csrf_token(app: Flask, api: ApiCaller) -> None:
    assert app.config.get("WTF_CSRF_ENABLED", True)

    response = api.post("coordinator", "/api/v1/vendors", json=VENDOR)

    assert response.status_code == 201


def test_token_acts_as_its_user_and_sets_no_cookie(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    client = login_as(app.test_client(), actors.admin)
    headers = api.headers("coordinator")

    response = client.post("/api/v1/vendors", json=VENDOR, headers=headers)

    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "vendor")).one()
        assert entry.actor_email == "coordinator@example.com"


def test_a_remember_cookie_neither_signs_in_nor_hides_the_token(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    """The app sets no remember cookie, but a client may carry one (another app on the host,
    an old browser profile): it is no credential, and the token still counts. Flask-Login
    reads a remember cookie instead of asking the request loader, which made this a 401."""
    from flask_login.utils import encode_cookie

    client = app.test_client()
    with app.app_context():
        cookie = encode_cookie(str(actors.admin.id))  # signed with the app's secret key
    client.set_cookie("remember_token", cookie)
    assert_problem(client.get(PILOTS), 401)  # the cookie alone signs nobody in
    response = client.post("/api/v1/vendors", json=VENDOR, headers=api.headers("coordinator"))
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "vendor")).one()
        assert entry.actor_email == "coordinator@example.com"  # the token's user, not the cookie's


def test_public_endpoints_ignore_credentials(api: ApiCaller) -> None:
    bad = {"Authorization": "Bearer nonsense"}

    assert api.get(None, "/api/v1/public/pilots", headers=bad).status_code == 200
    assert api.get(None, "/api/v1/openapi.json", headers=bad).status_code == 200


def test_unknown_api_path_is_problem_json(api: ApiCaller) -> None:
    assert_problem(api.get("admin", "/api/v1/nothing-here"), 404)


def test_wrong_method_is_problem_json(api: ApiCaller) -> None:
    assert_problem(api.call("PUT", "admin", PILOTS), 405)


def test_request_loader_signs_in_the_tokens_user_and_only_in_the_token_api(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    """Flask-Login's request loader reads the bearer token; `current_user` is its user."""
    headers = api.headers("coordinator")
    with app.test_request_context(PILOTS, headers=headers):
        assert current_user.is_authenticated
        assert current_user.email == actors.coordinator.email
    # The open data and the pages sign nobody in by a token.
    for path in ("/api/v1/public/pilots", "/about"):
        with app.test_request_context(path, headers=headers):
            assert not current_user.is_authenticated


def test_session_user_loader_names_nobody_in_the_api(app: Flask, actors: Actors) -> None:
    """A signed-in browser's session counts on the pages, not in the API's blueprints."""
    client = login_as(app.test_client(), actors.admin)
    with client.session_transaction() as saved:
        session = dict(saved)
    for path, signed_in in ((PILOTS, False), ("/api/v1/openapi.json", False), ("/about", True)):
        with app.test_request_context(path):
            flask_session.update(session)
            assert current_user.is_authenticated is signed_in, path
