"""Flask-Login wiring: sessions name the user and a nonce, so they can be ended."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from pilot_tracker.models import User
from pilot_tracker.services import sessions
from pilot_tracker.web.errors import database_unavailable


def load_user(session_id: str) -> User | None:
    """The user of a session, or None when it was ended: signed out or timed out (its
    server-side row is gone, `services/sessions.py`), or every session of the user ended by
    a deactivation or password reset (the user's nonce changed)."""
    user_id, _sep, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    key = session.get(sessions.SESSION_KEY)
    user = sessions.load(int(user_id), key if isinstance(key, str) else None)
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


class PagesSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, never written by a request of a `sessionless` blueprint.

    Flask-Login's documented way to keep an API from setting the session cookie: its
    session protection still looks at the session there (marking a moved one not fresh),
    but the API's answer carries no Set-Cookie.
    """

    def __init__(self, sessionless: Collection[str]) -> None:
        self.sessionless = frozenset(sessionless)

    def should_set_cookie(self, app: Flask, session: Any) -> bool:
        if request.blueprint in self.sessionless:
            return False
        return super().should_set_cookie(app, session)


def configure(
    app: Flask,
    login_manager: LoginManager,
    *,
    request_loader: Callable[[Request], User | None] | None = None,
    sessionless: Collection[str] = (),
) -> None:
    """Register the loaders and the sign-in view.

    In the blueprints named `sessionless` (the API's) the session cookie signs nobody in and
    is not written; there `request_loader` (the API's bearer token) is the only way in.
    """

    # While the database is away (web/errors.py) neither loader queries it: no user.
    def load_request_user(req: Request) -> User | None:
        if request_loader is None or database_unavailable():
            return None
        return request_loader(req)

    def load_session_user(session_id: str) -> User | None:
        if request.blueprint in sessionless:
            # Only the bearer token signs in here, whatever id the session or a remember
            # cookie names: Flask-Login asks this loader first, and with a remember cookie
            # it never asks the request loader (a stray cookie made a valid token a 401).
            return load_request_user(request)
        if database_unavailable():
            return None
        return load_user(session_id)

    login_manager.user_loader(load_session_user)
    app.session_interface = PagesSessionInterface(sessionless)
    if request_loader is not None:
        login_manager.request_loader(load_request_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
