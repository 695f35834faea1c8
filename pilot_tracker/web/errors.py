"""Error pages: HTML for people, application/problem+json (RFC 9457) under /api/."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import format_time, ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, TooManyRequests

from pilot_tracker.extensions import db, limiter
from pilot_tracker.language.i18n import gettext as _

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """API paths and clients that prefer JSON get problem+json."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail or title
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _render(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def handle_http(error: HTTPException) -> Any:
    """Every HTTP error, in the form the client asked for."""
    status = error.code or 500
    title = TITLES.get(status, error.name)
    detail = error.description or ""
    if wants_json():
        return problem(status, str(title), detail)
    return _render(status, str(title), str(DETAILS.get(status, "")))


def handle_csrf(error: CSRFError) -> Any:
    """A missing or stale CSRF token: a clear page asking to retry."""
    detail = _(
        "The form had expired or did not come from this site. "
        "Go back, reload the page and try again."
    )
    if wants_json():
        return problem(400, "CSRF token missing or invalid", error.description)
    return _render(400, _("The form could not be accepted"), detail)


def retry_after_seconds() -> int:
    """Seconds until the breached rate limit's window resets (at least 1).

    Rounded down like Flask-Limiter's own `Retry-After`, so the page and the header agree.
    """
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def handle_rate_limit(error: TooManyRequests) -> Any:
    """Too many tries: 429 saying when to try again, with a `Retry-After` header."""
    seconds = retry_after_seconds()
    if wants_json():
        response = problem(
            429,
            "Too many requests",
            f"Too many attempts; try again in {seconds} seconds.",
            retry_after=seconds,
        )
    else:
        at = format_time(datetime.fromtimestamp(time.time() + seconds, UTC), "short")
        detail = ngettext(
            "Too many attempts. Try again in %(num)s second (at %(time)s).",
            "Too many attempts. Try again in %(num)s seconds (at %(time)s).",
            seconds,
            time=at,
        )
        body, status = _render(429, _("Too many attempts"), detail)
        response = Response(body, status=status, mimetype="text/html")
    response.headers["Retry-After"] = str(seconds)
    return response


def database_unavailable() -> bool:
    """True once this request has found the database away (`handle_db_unavailable`).

    The user loaders (auth/loader.py) then answer None, Flask-Login's documented "no user":
    the error page renders as signed out instead of querying the database again."""
    return bool(g.get("database_unavailable", False))


# A user loaded before the database went away has its attributes expired by the rollback,
# so the page cannot read it: then a plain answer, in the three languages, without the page.
_UNAVAILABLE_TEXT = (
    "Palvelu on tilapäisesti poissa käytöstä. "
    "Tjänsten är tillfälligt otillgänglig. "
    "Service temporarily unavailable.\n"
)


def handle_db_unavailable(error: OperationalError) -> Any:
    """The database is away: a clean 503, never a stack trace."""
    db.session.rollback()
    g.database_unavailable = True
    log.warning("database unavailable: %s", error)
    if wants_json():
        return problem(503, "Service unavailable", "The database is not reachable; try again.")
    try:
        return _render(
            503, _("Service temporarily unavailable"), _("Please try again in a moment.")
        )
    except OperationalError:
        return Response(_UNAVAILABLE_TEXT, status=503, mimetype="text/plain")


def handle_unexpected(error: Exception) -> Any:
    """A bug: roll back so nothing is half-saved, log it, answer 500."""
    db.session.rollback()
    log.exception("unhandled error")
    if wants_json():
        return problem(500, "Internal server error", "An unexpected error occurred.")
    return _render(
        500, _("Something went wrong"), _("The error has been logged. Nothing was saved.")
    )


TITLES: dict[int, Any] = {}
DETAILS: dict[int, Any] = {}


def register(app: Flask) -> None:
    """Install the handlers and the translated titles."""
    from flask_babel import lazy_gettext as _l

    TITLES.update(
        {
            400: _l("Bad request"),
            401: _l("Sign-in required"),
            403: _l("Forbidden"),
            404: _l("Page not found"),
            405: _l("Method not allowed"),
            409: _l("Conflict"),
            413: _l("Request too large"),
            422: _l("Invalid input"),
            429: _l("Too many attempts"),
            500: _l("Something went wrong"),
            503: _l("Service temporarily unavailable"),
        }
    )
    DETAILS.update(
        {
            400: _l("The request could not be understood."),
            403: _l("You do not have permission to do this."),
            404: _l("The page you asked for does not exist or you may not see it."),
            405: _l("This address does not accept that kind of request."),
            413: _l("The file or form you sent is too large."),
        }
    )
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(TooManyRequests, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_db_unavailable)
    if not app.config.get("TESTING") or app.config.get("HANDLE_UNEXPECTED"):
        app.register_error_handler(Exception, handle_unexpected)
