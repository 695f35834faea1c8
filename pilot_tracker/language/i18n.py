"""Language choice and locale-aware formatting of numbers, money and dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_datetime
from babel.support import NullTranslations
from flask import current_app, request
from flask.globals import _cv_app
from flask_babel import get_locale, get_timezone, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from pilot_tracker.language import formats
from pilot_tracker.language.formats import FORMAT_LOCALES

LANG_COOKIE = "lang"


API_PATH = "/api/"


def select_locale() -> str:
    """Pages: the user's profile choice, then the cookie, then Accept-Language, then Finnish.
    The API: Accept-Language alone, English unless it asks for Finnish or Swedish (a client's
    answers do not change with the interface language of whoever made its token)."""
    supported: tuple[str, ...] = current_app.config["LANGUAGES"]
    if request.path.startswith(API_PATH):
        return request.accept_languages.best_match(supported) or "en"
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
    page = _page_language()
    return page[2] if page is not None else "fi"


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


# --- translations, fast -------------------------------------------------------------------
#
# A pilot page translates about a thousand texts. Flask-Babel looks the domain, the locale
# (and its identifier, built anew) and the translation cache up on every call, and Jinja's
# `_` goes through two more context calls before reaching it: some 10 µs a text. The
# translations of the page's language are looked up here once per request (and again only
# if force_locale changes the language mid-request), the rest is a dictionary lookup. The
# texts are exactly Flask-Babel's: the same catalogue object answers.


def _page_language() -> tuple[Any, Any, str] | None:
    """(locale, catalogue, language code) of the page, kept beside Flask-Babel's own
    per-request state and renewed whenever its locale changes (force_locale); None outside
    an application context. Reads the context variable, not the `g` proxy (hundreds of
    calls a page)."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    state = ctx.g.__dict__.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        get_locale()
        state = ctx.g.__dict__.get("_flask_babel")
        locale = getattr(state, "babel_locale", None)
    if state is None:
        return None
    cached: tuple[Any, Any, str] | None = getattr(state, "kokeilu_page", None)
    if cached is not None and cached[0] is locale:
        return cached
    page = (locale, get_translations(), locale.language if locale else "fi")
    state.kokeilu_page = page
    return page


def translations() -> Any:
    """The catalogue of the page's language, as flask_babel.get_translations() returns it."""
    page = _page_language()
    return page[1] if page is not None else NullTranslations()


def gettext(string: str, **variables: Any) -> str:
    """flask_babel.gettext, with the catalogue looked up once per request."""
    text: str = translations().ugettext(string)
    return text if not variables else text % variables


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """Jinja's new-style `_` / `gettext` (jinja2.ext._make_new_gettext) on the catalogue above:
    escaped as Jinja escapes it, formatted as Jinja formats it."""
    text: str = translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    if not variables and "%" not in text:
        return text  # what `% {}` would give, without escaping an empty dict (most calls)
    return text % variables
