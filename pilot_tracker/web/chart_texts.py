"""The charts' words and number formats in the page's language.

Formats exactly as the app's `money`, `number` and `day` filters (`language.i18n`), through
the same fast formatters (`language.formats`), with the language looked up once per chart: a
dashboard formats hundreds of cells.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from markupsafe import Markup, escape

from pilot_tracker.charts.base import Chart
from pilot_tracker.language import formats, i18n
from pilot_tracker.language.i18n import gettext
from pilot_tracker.language.labels import label


class FlaskTexts:
    """`charts.base.Texts` for the current request: translated, formatted as the language wants."""

    def __init__(self, language: str | None = None) -> None:
        self.language = language or i18n.current_language()
        # Plotly's separators: decimal mark, then thousands separator (a no-break space).
        self.separators = ".," if self.language == "en" else ",\u00a0"

    def gettext(self, msgid: str, **variables: Any) -> str:
        return gettext(msgid, **variables)

    def label(self, value: Enum | None) -> str:
        return label(value)

    def money(self, cents: int | None) -> str:
        if cents is None:
            return "–"
        return formats.money(cents, self.language)

    def number(self, value: int | Decimal | float | None, digits: int | None = None) -> str:
        if value is None:
            return "–"
        return formats.number(value, self.language, digits)

    def day(self, value: date | None) -> str:
        if value is None:
            return "–"
        return formats.short_date(value, self.language)

    def compact_money(self, euros: float) -> str:
        return formats.compact_money(euros, self.language)

    def quarter(self, year: int, number: int) -> str:
        return formats.quarter(year, number, self.language)

    def cell(self, value: Any, kind: str) -> str:
        """A table cell's text by its column kind (see charts.base.Column)."""
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


def table_rows(
    chart: Chart, t: FlaskTexts, link: Any
) -> list[list[tuple[str, Any, bool, str | None]]]:
    """The chart's rows as (text, href or None, numeric, language or None) cells, formatted
    for the page; the language (of a pilot's name) only on the link column.

    Done here rather than cell by cell in Jinja macros: it is most of a dashboard's time.
    """
    kinds = [c.kind for c in chart.columns]
    link_index = next((i for i, c in enumerate(chart.columns) if c.key == chart.link_column), None)
    languages = chart.link_languages
    out = []
    for row_index, row in enumerate(chart.rows):
        cells = []
        for index, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            linked = index == link_index
            href = link(chart, row_index) if linked else None
            language = languages[row_index] if linked and row_index < len(languages) else None
            cells.append((t.cell(value, kind), href, kind in NUMERIC_KINDS, language))
        out.append(cells)
    return out


def table_body(cells_by_row: list[list[tuple[str, Any, bool, str | None]]]) -> Markup:
    """The `<tr>` rows of a chart's data table (the first cell of each a row header), every
    text escaped; `lang` (i18n.lang_attr) on a cell whose text is in another language.

    Written here rather than as a Jinja loop: a municipality's page has some 700 cells in its
    chart tables, and the loop's per-cell work (conditions, a `lang_attr` call, escaping
    through the template's context) was a fifth of the page's time.
    """
    parts: list[str] = []
    for cells in cells_by_row:
        parts.append("<tr>")
        for index, (text, href, numeric, language) in enumerate(cells):
            tag = "th" if index == 0 else "td"
            attrs = ' scope="row"' if index == 0 else (' class="num"' if numeric else "")
            if language:  # only the link column names one
                attrs += str(i18n.lang_attr(language))
            body = Markup('<a href="%s">%s</a>') % (href, text) if href else escape(text)
            parts.append(f"<{tag}{attrs}>{body}</{tag}>")
        parts.append("</tr>\n")
    return Markup("".join(parts))


__all__ = ["NUMERIC_KINDS", "FlaskTexts", "table_body", "table_rows"]
