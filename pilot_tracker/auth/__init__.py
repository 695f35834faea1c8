"""Sign-in, sign-out and the user's own profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from pilot_tracker.auth import routes  # noqa: E402,F401
