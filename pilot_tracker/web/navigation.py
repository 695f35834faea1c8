"""The main navigation, by role; only endpoints that exist are shown."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pilot_tracker.domain.enums import Role

# (endpoint, label, roles that see it; None = everybody incl. anonymous)
NAV: list[tuple[str, Any, tuple[Role, ...] | None]] = [
    ("dashboards.portfolio", _l("Dashboard"), (Role.ADMIN, Role.COORDINATOR, Role.COUNCIL)),
    (
        "dashboards.municipalities",
        _l("Municipalities"),
        (Role.ADMIN, Role.COORDINATOR, Role.COUNCIL),
    ),
    ("pilots.vendor_home", _l("My pilots"), (Role.VENDOR,)),
    ("pilots.index", _l("Pilots"), (Role.ADMIN, Role.COORDINATOR, Role.COUNCIL, Role.VENDOR)),
    (
        "exchange.export_index",
        _l("Export"),
        (Role.ADMIN, Role.COORDINATOR, Role.COUNCIL, Role.VENDOR),
    ),
    ("exchange.import_form", _l("Import"), (Role.ADMIN, Role.COORDINATOR)),
    ("public.index", _l("Open data"), None),
    ("admin.users", _l("Users"), (Role.ADMIN,)),
    ("admin.vendors", _l("Vendors"), (Role.ADMIN, Role.COORDINATOR)),
    ("auth.profile", _l("Profile"), (Role.ADMIN, Role.COORDINATOR, Role.COUNCIL, Role.VENDOR)),
    ("help.index", _l("Help"), None),
]


def has_endpoint(name: str) -> bool:
    """True when a route with this endpoint is registered."""
    return name in current_app.view_functions


def id_url(endpoint: str, argument: str, value: int) -> str:
    """`url_for(endpoint, **{argument: value})` for a rule that ends in that integer, for the
    tables and lists that link a hundred rows: the URL is built once per request and only
    its last segment changes after that (Werkzeug's URL building is some 10 µs a link)."""
    prefixes: dict[tuple[str, str], str] = g.setdefault("_id_url_prefixes", {})
    prefix = prefixes.get((endpoint, argument))
    if prefix is None:
        probe = url_for(endpoint, **{argument: 1})
        assert probe.endswith("/1"), probe  # the rule ends in the id
        prefix = prefixes[(endpoint, argument)] = probe[:-1]
    return f"{prefix}{int(value)}"


def pilot_url(pilot_id: int) -> str:
    """A pilot's page (id_url of `pilots.detail`)."""
    return id_url("pilots.detail", "pilot_id", pilot_id)


def nav_items() -> list[tuple[str, str]]:
    """The links the current user may follow."""
    role = current_user.role if current_user.is_authenticated else None
    return [
        (endpoint, str(text))
        for endpoint, text, roles in NAV
        if has_endpoint(endpoint) and (roles is None or role in roles)
    ]
