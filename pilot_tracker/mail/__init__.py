"""Mail and feeds: password links, reminder settings and unsubscribe, calendar feeds, the
outbox page for admins."""

from flask import Blueprint

bp = Blueprint("mail", __name__)

from pilot_tracker.mail import routes  # noqa: E402,F401
