"""The pilot register pages: list, pilot page, vendor home and the coordinators' workflows."""

from flask import Blueprint

bp = Blueprint("pilots", __name__)

from pilot_tracker.pilots import decision_support, feedback, filters, joint, routes  # noqa: E402,F401
