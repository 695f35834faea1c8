"""The Jinja environment's filters and globals: the language helpers of `language/` (the
fast `_`, money, numbers, days, labels) and the page chrome's navigation."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from pilot_tracker.language import formats
from pilot_tracker.language.i18n import (
    current_language,
    day,
    lang_attr,
    money,
    number,
    template_gettext,
)
from pilot_tracker.language.labels import label, region_name
from pilot_tracker.web.navigation import has_endpoint, id_url, nav_items, pilot_url


def register_template_helpers(app: Flask) -> None:
    """Filters `money`, `number`, `day`; global `current_language`; the fast `_`."""
    # After Flask-Babel installed Jinja's i18n extension (its {% trans %} blocks and
    # ngettext stay as they are): `_` and `gettext` straight to the request's catalogue.
    app.jinja_env.globals["gettext"] = template_gettext
    app.jinja_env.globals["_"] = template_gettext
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["day"] = day
    app.jinja_env.globals["current_language"] = current_language
    # The moment a page is made, for the "as of" line of its printed header.
    app.jinja_env.globals["now"] = lambda: datetime.now(UTC)
    app.jinja_env.globals["lang_attr"] = lang_attr
    # The participants' names for a satisfaction table, from the loaded pilot (no query).
    app.jinja_env.globals["satisfaction_names"] = lambda pilot: {
        p.municipality_code: p.municipality.name(current_language())
        for p in pilot.current_participations
    }
    app.jinja_env.globals["plotly_locale"] = lambda: formats.plotly_locale(current_language())
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["region_name"] = region_name
    app.jinja_env.globals["has_endpoint"] = has_endpoint
    app.jinja_env.globals["pilot_url"] = pilot_url
    app.jinja_env.globals["id_url"] = id_url
    app.jinja_env.globals["nav_items"] = nav_items
