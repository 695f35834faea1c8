"""In-app help: first steps for each role (coordinator, council member, vendor) in fi, sv
and en, with screenshots made by tests/e2e/test_help_screenshots_browser.py."""

from flask import Blueprint

bp = Blueprint("help", __name__)

from pilot_tracker.help import routes  # noqa: E402,F401
