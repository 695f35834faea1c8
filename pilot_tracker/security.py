"""Security headers on every response, and trusting the address a proxy passes on."""

from __future__ import annotations

import os

from flask import Flask, Response, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Plotly sets style attributes on the SVG it draws, so styles allow 'unsafe-inline';
# scripts never do: every script is a same-origin file.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    """CSP, no sniffing, no referrer leaks across origins, no framing; HSTS in production."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS_ENABLED"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site that a redirect may go to, else None.

    A path ("/..."), not another host ("//host", or "/\\host", which browsers read the same
    way), and nothing unprintable: a CR or LF cannot go into a Location header (it was a 500).
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return None


def refuse_nul_characters() -> None:
    """400 for a query string or form (outside the API) with a NUL character in it (404 for
    a path with one: no page has such an address).

    No browser sends one, and PostgreSQL cannot store one: unchecked, it reached the database
    from any text field or filter and failed there as a 500. The API answers it field by
    field with a 422 instead (its Text fields refuse NUL).
    """
    if request.path.startswith("/api/"):
        return
    if "\x00" in request.path:
        abort(404)
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)


def trusted_proxies(app: Flask) -> int:
    """How many proxies in front of the app set X-Forwarded-For/-Proto (`TRUSTED_PROXIES`)."""
    raw = app.config.get("TRUSTED_PROXIES", os.environ.get("TRUSTED_PROXIES", "0"))
    try:
        count = int(raw or 0)
    except ValueError:
        count = -1
    if count < 0:
        from config import ConfigError

        raise ConfigError(f"TRUSTED_PROXIES must be a whole number of proxies, not {raw!r}.")
    return count


def register(app: Flask) -> None:
    """Attach the header hook; behind N proxies take the client's address from them.

    Without it every request behind a load balancer has the balancer's address, and the
    per-address sign-in limit would be shared by everybody.
    """
    app.after_request(add_security_headers)
    app.before_request(refuse_nul_characters)
    proxies = trusted_proxies(app)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
