"""Numbers, money and dates as each language writes them: fast, and exactly as babel does.

A dashboard or a pilot page formats several hundred numbers and dates. babel's general
formatters parse the pattern and look the locale up on every call (about 20 µs each, a fifth
of a pilot page's time); the app only ever uses a handful of fixed patterns, so the
separators, the currency pattern and the date patterns are read from babel's CLDR data once
per language and applied with plain string work here. Anything outside that handful (NaN,
infinities, values past 28 significant digits, date patterns with other fields) goes to babel
itself. tests/test_formats.py checks these against babel over generated values.

Pure: no Flask, no request. pilot_tracker.language.i18n picks the page's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_compact_currency, format_decimal

# The conventions of each language as written in Finland: Finland-Swedish writes dates as
# 27.11.2026 (not Sweden's 2026-11-27), and English here is British (27/11/2026, not the
# ambiguous 11/27/26). Numbers and money are the same as the plain languages'.
FORMAT_LOCALES: dict[str, str] = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}

# Date patterns made only of these fields and separators are formatted here.
_DATE_FIELD = re.compile(r"d+|M+|y+|[^A-Za-z']+")

_QUANTUMS = {digits: Decimal(1).scaleb(-digits) for digits in range(0, 10)}


def format_locale(language: str) -> str:
    """The babel locale that formats `language` (fi → fi_FI, sv → sv_FI, en → en_GB)."""
    return FORMAT_LOCALES.get(language, language)


@dataclass(frozen=True)
class Style:
    """One language's separators, currency pattern and short date pattern."""

    locale: str
    group: str
    decimal: str
    currency_before: str
    currency_after: str
    short_date: str
    date_fields: tuple[str, ...] | None

    @classmethod
    def of(cls, locale: str) -> Style:
        data = Locale.parse(locale)
        symbols = data.number_symbols["latn"]
        # The standard currency pattern, e.g. "#,##0.00 ¤" or "¤#,##0.00": what stands before
        # and after the number, with the euro sign in place of ¤.
        currency = data.currency_formats["standard"].pattern.split(";")[0]
        before, _, after = re.split(r"([#0,.]+)", currency, maxsplit=1)
        sign = data.currency_symbols.get("EUR", "€")
        short = data.date_formats["short"].pattern
        return cls(
            locale=locale,
            group=symbols["group"],
            decimal=symbols["decimal"],
            currency_before=before.replace("¤", sign),
            currency_after=after.replace("¤", sign),
            short_date=short,
            date_fields=date_fields(short),
        )


def date_fields(pattern: str) -> tuple[str, ...] | None:
    """A date pattern split into day, month and year fields and literal separators; None if
    it has anything else (weekdays, month names, quotes), which babel then formats."""
    parts = tuple(_DATE_FIELD.findall(pattern))
    if "".join(parts) != pattern:
        return None
    # More than two d or M letters mean names ("MMMM": tammikuuta), not numbers.
    if any(p[0] in "dM" and len(p) > 2 for p in parts):
        return None
    return parts


@cache
def style(language: str) -> Style:
    """The style of a language code ("fi", "sv", "en") or of a babel locale name."""
    return Style.of(format_locale(language))


def _group(digits: str, separator: str) -> str:
    """'1234567' → '1 234 567' (groups of three from the right)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]]
    parts.extend(digits[i : i + 3] for i in range(head, len(digits), 3))
    return separator.join(parts)


def _fixed(value: Decimal, least: int, most: int, s: Style) -> str | None:
    """`value` rounded half to even to at most `most` decimals, keeping at least `least`,
    grouped; the sign comes with it. None where babel must do it."""
    if not value.is_finite():
        return None
    try:
        rounded = value.quantize(_QUANTUMS[most], rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # more digits than the context holds
        return None
    sign, digits, exponent = rounded.as_tuple()
    text = "".join(map(str, digits))
    if not isinstance(exponent, int):  # pragma: no cover - finite values have int exponents
        return None
    if exponent >= 0:
        whole, fraction = text + "0" * exponent, ""
    else:
        text = text.rjust(-exponent + 1, "0")
        whole, fraction = text[:exponent], text[exponent:]
    fraction = fraction.rstrip("0").ljust(least, "0")
    out = _group(whole.lstrip("0") or "0", s.group)
    if fraction:
        out += s.decimal + fraction
    return "-" + out if sign else out


def _decimal(value: int | Decimal | float) -> Decimal:
    # As babel does: a float by its shortest repr, so 0.1 stays 0.1.
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def number(value: int | Decimal | float, language: str, digits: int | None = None) -> str:
    """A number: up to three decimals as needed (`digits` None), or exactly `digits`."""
    s = style(language)
    least, most = (0, 3) if digits is None else (digits, digits)
    if 0 <= most < len(_QUANTUMS):
        out = _fixed(_decimal(value), least, most, s)
        if out is not None:
            return out
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=s.locale)


def measured(value: int | Decimal | float, language: str) -> str:
    """A KPI value: up to four decimals, as needed."""
    s = style(language)
    out = _fixed(_decimal(value), 0, 4, s)
    if out is not None:
        return out
    return format_decimal(value, format="#,##0.####", locale=s.locale)


def money(cents: int, language: str, with_symbol: bool = True) -> str:
    """Integer cents as euros: `1 234,50 €` in Finnish, `€1,234.50` in English."""
    s = style(language)
    negative = cents < 0
    whole, part = divmod(abs(cents), 100)
    amount = f"{_group(str(whole), s.group)}{s.decimal}{part:02d}"
    if not with_symbol:
        return "-" + amount if negative else amount
    text = f"{s.currency_before}{amount}{s.currency_after}"
    return "-" + text if negative else text


def compact_money(euros: int | float | Decimal, language: str) -> str:
    """Euros as the language shortens them on a chart's axis (CLDR's short currency format):
    `1,5 milj. €` and `500 t. €` in Finnish, `1,5 mn €` in Swedish, `€1.5m` in English.

    Up to two decimals of the shortened unit, without trailing zeros; an axis' ticks (see
    charts.base.money_ticks) need at most one.
    """
    return format_compact_currency(euros, "EUR", locale=format_locale(language), fraction_digits=2)


def quarter(year: int, number: int, language: str) -> str:
    """A calendar quarter as the language writes it short: `1. nelj. 2026` in Finnish,
    `K1 2026` in Swedish, `Q1 2026` in English (CLDR's year-and-quarter skeleton)."""
    return format_skeleton("yQQQ", date(year, 3 * number - 2, 1), locale=format_locale(language))


def short_date(value: date, language: str) -> str:
    """A date in the language's short form: 5.1.2026 in Finnish and Swedish, 05/01/2026 in
    British English."""
    s = style(language)
    if s.date_fields is None:
        return format_date(value, "short", locale=s.locale)
    out = []
    for part in s.date_fields:
        head = part[0]
        if head == "d":
            out.append(str(value.day).zfill(len(part)))
        elif head == "M":
            out.append(str(value.month).zfill(len(part)))
        elif head == "y":
            # CLDR: "yy" is the year's last two digits; "y", "yyy", "yyyy"... pad to length.
            year = str(value.year)
            out.append(year[-2:].zfill(2) if len(part) == 2 else year.zfill(len(part)))
        else:
            out.append(part)
    return "".join(out)


# --- charts -----------------------------------------------------------------------------

# CLDR date fields → d3-time-format directives (what Plotly formats dates with).
_D3_FIELDS = {
    "d": "%-d",
    "dd": "%d",
    "M": "%-m",
    "MM": "%m",
    "L": "%-m",
    "LL": "%m",
    "MMM": "%b",
    "LLL": "%b",
    "MMMM": "%B",
    "LLLL": "%B",
    "y": "%Y",
    "yyyy": "%Y",
    "yy": "%y",
}
_CLDR_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")


def d3_date_format(pattern: str) -> str | None:
    """A CLDR date pattern ("d.M.y", "LLL y", "d MMM") as a d3 time format ("%-d.%-m.%Y"),
    or None when it has fields d3 cannot write the same way (weekdays, eras, quarters)."""
    out = []
    for match in _CLDR_TOKEN.finditer(pattern):
        token = match.group(0)
        if token.startswith("'"):
            literal = token[1:-1].replace("''", "'") if len(token) > 2 else "'"
            out.append(literal.replace("%", "%%"))
        elif match.group(1):
            directive = _D3_FIELDS.get(token)
            if directive is None:
                return None
            out.append(directive)
        else:
            out.append(token.replace("%", "%%"))
    return "".join(out)


@cache
def plotly_locale(language: str) -> dict[str, object]:
    """Plotly's locale for a language, from CLDR: month and weekday names and the date
    formats of its axis ticks (Plotly's own defaults are English: "Jan 2026")."""
    data = Locale.parse(format_locale(language))

    def skeleton(key: str, fallback: str) -> str:
        pattern = data.datetime_skeletons.get(key)
        converted = d3_date_format(str(pattern)) if pattern is not None else None
        return converted or fallback

    # d3 counts weekdays from Sunday; babel from Monday (0) to Sunday (6).
    days = [str(data.days["stand-alone"]["wide"][(i + 6) % 7]) for i in range(7)]
    short_days = [str(data.days["stand-alone"]["abbreviated"][(i + 6) % 7]) for i in range(7)]
    # Stand-alone forms: a tick says "tammi 2026", not the genitive of a running date.
    months = [str(data.months["stand-alone"]["wide"][m]) for m in range(1, 13)]
    short_months = [str(data.months["stand-alone"]["abbreviated"][m]) for m in range(1, 13)]
    periods = [str(data.periods.get("am", "AM")), str(data.periods.get("pm", "PM"))]
    s = style(language)
    return {
        "name": language,
        "format": {
            "days": days,
            "shortDays": short_days,
            "months": months,
            "shortMonths": short_months,
            "periods": periods,
            "decimal": s.decimal,
            "thousands": s.group,
            "year": skeleton("y", "%Y"),
            "month": skeleton("yMMM", "%b %Y"),
            "dayMonth": skeleton("MMMd", "%b %-d"),
            "dayMonthYear": skeleton("yMMMd", "%b %-d, %Y"),
            "date": d3_date_format(s.short_date) or "%x",
        },
    }


__all__ = [
    "FORMAT_LOCALES",
    "Style",
    "d3_date_format",
    "date_fields",
    "format_locale",
    "measured",
    "money",
    "number",
    "plotly_locale",
    "short_date",
    "style",
]
