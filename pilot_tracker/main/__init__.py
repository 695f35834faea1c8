"""Landing page, health check and the about page."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from pilot_tracker.main import routes  # noqa: E402,F401
