"""The charts' words and number formats in the page's language.

Formats exactly as the app's `money`, `number` and `day` filters (pilot_tracker.i18n), but
with the babel Locale parsed once per language: a dashboard formats hundreds of cells, and
parsing the locale name on every call costs several times the formatting itself.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask_babel import gettext

from pilot_tracker import i18n
from pilot_tracker.charts import Chart
from pilot_tracker.labels import label


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(i18n.format_locale(language))


class FlaskTexts:
    """`charts.Texts` for the current request: translated, formatted as the language wants."""

    def __init__(self, language: str | None = None) -> None:
        self.language = language or i18n.current_language()
        self.locale = _locale(self.language)
        # Plotly's separators: decimal mark, then thousands separator (a no-break space).
        self.separators = ".," if self.language == "en" else ",\u00a0"

    def gettext(self, msgid: str, **variables: Any) -> str:
        return gettext(msgid, **variables)

    def label(self, value: Enum | None) -> str:
        return label(value)

    def money(self, cents: int | None) -> str:
        if cents is None:
            return "–"
        return format_currency(Decimal(cents) / 100, "EUR", locale=self.locale)

    def number(self, value: int | Decimal | float | None, digits: int | None = None) -> str:
        if value is None:
            return "–"
        fmt = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=fmt, locale=self.locale)

    def day(self, value: date | None) -> str:
        if value is None:
            return "–"
        return format_date(value, "d.M.yyyy" if self.language == "fi" else "short", self.locale)

    def cell(self, value: Any, kind: str) -> str:
        """A table cell's text by its column kind (see charts.Column)."""
        if value is None:
            return "–"
        if kind == "money":
            return self.money(value)
        if kind in ("count", "percent", "number"):
            return self.number(value)
        if kind == "date":
            return self.day(value)
        return str(value)


NUMERIC_KINDS = frozenset({"money", "count", "percent", "number"})


def table_rows(chart: Chart, t: FlaskTexts, link: Any) -> list[list[tuple[str, Any, bool]]]:
    """The chart's rows as (text, href or None, numeric) cells, formatted for the page.

    Done here rather than cell by cell in Jinja macros: it is most of a dashboard's time.
    """
    kinds = [c.kind for c in chart.columns]
    link_index = next((i for i, c in enumerate(chart.columns) if c.key == chart.link_column), None)
    out = []
    for row_index, row in enumerate(chart.rows):
        cells = []
        for index, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            href = link(chart, row_index) if index == link_index else None
            cells.append((t.cell(value, kind), href, kind in NUMERIC_KINDS))
        out.append(cells)
    return out


__all__ = ["NUMERIC_KINDS", "FlaskTexts", "table_rows"]
