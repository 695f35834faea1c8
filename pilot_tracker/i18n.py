"""Language choice and locale-aware formatting of numbers, money and dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

LANG_COOKIE = "lang"
# The conventions of each language as written in Finland: Finland-Swedish writes dates as
# 27.11.2026 (not Sweden's 2026-11-27), and English here is British (27/11/2026, not the
# ambiguous 11/27/26). Numbers and money are the same as the plain languages'.
FORMAT_LOCALES: dict[str, str] = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


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
    amount = Decimal(cents) / 100
    locale = current_language()
    if with_symbol:
        return format_currency(amount, "EUR", locale=locale)
    return format_decimal(amount, format="#,##0.00", locale=locale)


def number(value: int | Decimal | float | None, digits: int | None = None) -> str:
    """A number in the page's language; `digits` fixes the decimals shown."""
    if value is None:
        return "–"
    fmt = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=current_language())


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
    return format_date(value, "short", locale=format_locale())


def register_template_helpers(app: Flask) -> None:
    """Filters `money`, `number`, `day`; global `current_language`."""
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["day"] = day
    app.jinja_env.globals["current_language"] = current_language
    from pilot_tracker.labels import label, region_name
    from pilot_tracker.navigation import has_endpoint, nav_items

    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["region_name"] = region_name
    app.jinja_env.globals["has_endpoint"] = has_endpoint
    app.jinja_env.globals["nav_items"] = nav_items
