"""What every response promises about caching and transport, and the favicon.

- Signed-in pages and data (chart CSVs, exports, API answers to a bearer token) are
  `Cache-Control: private, no-store`: no shared cache keeps them and no browser writes them to
  disk, so the next person at a shared computer cannot page back to them.
- A production server (`REQUIRE_HTTPS`) answers plain http with a page that says so, instead
  of letting a sign-in fail later as a "form expired" (the browser keeps no `Secure` cookie
  over http, so the CSRF token's session never comes back). `/healthz` stays reachable for
  the load balancer's checks.
- `/favicon.ico`, which browsers ask for whatever the page links.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, render_template, request, session
from werkzeug.wrappers import Response

from pilot_tracker.language.i18n import gettext as _

PRIVATE = "private, no-store"
# Reachable over plain http on a production server: the load balancer's health check.
HTTP_ALLOWED_ENDPOINTS = frozenset({"main.healthz"})


def carries_credentials() -> bool:
    """Whether the request was made by a signed-in user or with an API token."""
    if request.headers.get("Authorization"):
        return True
    # The signed session names a user: read without loading the user, which would cost a
    # query on pages that need none (and fail /healthz when the database is down).
    return "_user_id" in session


def private_caching(response: Response) -> Response:
    """`private, no-store` on whatever a signed-in user or token holder gets (not static)."""
    if request.endpoint in ("static", "favicon"):
        return response
    if carries_credentials():
        response.headers["Cache-Control"] = PRIVATE
        response.headers.pop("Expires", None)
    return response


def refuse_plain_http() -> Response | tuple[str, int] | None:
    """On a production server, a clear 403 page for a request that came over plain http."""
    if not current_app.config.get("REQUIRE_HTTPS") or request.is_secure:
        return None
    if request.endpoint in HTTP_ALLOWED_ENDPOINTS:
        return None
    secure_url = "https://" + request.host + request.full_path.rstrip("?")
    title = _("Use a secure connection (HTTPS)")
    detail = _(
        "This service works only over an encrypted connection. Open the address beginning "
        "with https:// instead. Nothing you sent over this connection was saved."
    )
    from pilot_tracker.web.errors import problem, wants_json

    if wants_json():
        return problem(403, title, detail)
    html = render_template(
        "errors/https_required.html", title=title, detail=detail, secure_url=secure_url
    )
    return html, 403


FAVICON = Path(__file__).parent.parent / "static" / "favicon.ico"


def favicon() -> Response:
    """The site icon (222 bytes, kept in memory), cached for a day."""
    response = Response(current_app.extensions["favicon"], mimetype="image/x-icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def register(app: Flask) -> None:
    """Attach the hooks and the favicon route."""
    # First of all hooks: before the CSRF check, whose "form expired" is what a sign-in over
    # http would otherwise get (the browser never sends the Secure session cookie back).
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_plain_http)
    app.after_request(private_caching)
    app.extensions["favicon"] = FAVICON.read_bytes()
    app.add_url_rule("/favicon.ico", "favicon", favicon)
