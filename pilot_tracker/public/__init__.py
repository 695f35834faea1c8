"""The public open-data view of pilots marked public: no sign-in, CC BY 4.0."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from pilot_tracker.public import routes  # noqa: E402,F401
