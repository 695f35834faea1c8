"""Cost entries on the pilot page and billing per municipality (web)."""

from flask import Blueprint

bp = Blueprint("costs", __name__)

from pilot_tracker.costs import routes  # noqa: E402, F401
