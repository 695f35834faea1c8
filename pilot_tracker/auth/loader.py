"""Flask-Login wiring: sessions name the user and a nonce, so they can be ended."""

from __future__ import annotations

from flask import session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from pilot_tracker.models import User
from pilot_tracker.services import sessions


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


def configure(login_manager: LoginManager) -> None:
    """Register the loader and the sign-in view."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
