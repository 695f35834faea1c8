"""Administration: users (admins) and vendors (coordinators and admins)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from pilot_tracker.admin import routes  # noqa: E402,F401
