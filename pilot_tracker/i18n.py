"""Language choice and locale-aware formatting of numbers, money and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_datetime
from flask import Flask, current_app, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup

from pilot_tracker import formats
from pilot_tracker.formats import FORMAT_LOCALES

LANG_COOKIE = "lang"


def select_locale() -> str:
    """The user's profile choice, then the cookie, then Accept-Language, then Finnish."""
    supported: tuple[str, ...] = current_app.config["LANGUAGES"]
    user_lang = getattr(current_user, "language", None) if current_user else None
    if user_lang in supported:
        return user_lang
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported:
        return cookie
    return (
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    """The two-letter code of the page's language."""
    locale = get_locale()
    return locale.language if locale else "fi"


def money(cents: int | None, with_symbol: bool = True) -> str:
    """Cents as money in the page's language: `1 234,50 €` in Finnish."""
    if cents is None:
        return "–"
    return formats.money(cents, current_language(), with_symbol)


def number(value: int | Decimal | float | None, digits: int | None = None) -> str:
    """A number in the page's language; `digits` fixes the decimals shown."""
    if value is None:
        return "–"
    return formats.number(value, current_language(), digits)


def format_locale(language: str | None = None) -> str:
    """The babel locale that formats dates in `language` (default: the page's)."""
    language = language or current_language()
    return FORMAT_LOCALES.get(language, language)


def day(value: date | datetime | str | None) -> str:
    """A date in the page's language: `27.11.2026` in Finnish and Swedish. Also takes the
    ISO 8601 text the audit log stores; other text is returned as it is."""
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(value, "short", tzinfo=get_timezone(), locale=format_locale())
    return formats.short_date(value, current_language())


def lang_attr(language: str | None) -> Markup:
    """` lang="sv"` for text written in another language than the page's (WCAG 3.1.2,
    language of parts), else nothing. Only the app's own language codes pass."""
    if language in current_app.config["LANGUAGES"] and language != current_language():
        return Markup(' lang="%s"') % language
    return Markup("")


def register_template_helpers(app: Flask) -> None:
    """Filters `money`, `number`, `day`; global `current_language`."""
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
    from pilot_tracker.labels import label, region_name
    from pilot_tracker.navigation import has_endpoint, nav_items

    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["region_name"] = region_name
    app.jinja_env.globals["has_endpoint"] = has_endpoint
    app.jinja_env.globals["nav_items"] = nav_items
