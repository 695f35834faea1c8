"""The pilot register pages: list, pilot page, vendor home and the coordinators' workflows."""

from flask import Blueprint

bp = Blueprint("pilots", __name__)

from pilot_tracker.pilots import (  # noqa: E402,F401
    decision_support,
    feedback,
    filters,
    joint,
    meetings,
    monthly,
    routes,
)
