"""The CSV download of a chart's data, for every blueprint that draws charts.

Two dialects: the plain machine form (`,`, decimal point, ISO dates, no BOM) and the export
dialect of services.exchange (`;`, decimal comma, UTF-8 with BOM). Text cells go through the
one formula rule (domain.text.neutralise) in both; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, abort, request

from pilot_tracker.charts.base import Chart
from pilot_tracker.domain.money import format_cents
from pilot_tracker.domain.text import decimal_text, neutralise
from pilot_tracker.services import exchange
from pilot_tracker.web.chart_texts import FlaskTexts


def csv_value(value: Any, kind: str) -> str | int:
    """A cell in the API's forms: money "1234.50", dates ISO, numbers as exact decimals."""
    if value is None:
        return ""
    if kind == "money":
        return format_cents(int(value))
    if kind == "count":
        return int(value)
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    if kind in ("percent", "number") and isinstance(value, Decimal):
        # Exact, without the column's trailing zeros: 8000.0000 → 8000, 12.50 → 12.5.
        return decimal_text(value)
    if kind in ("percent", "number") and isinstance(value, int | float):
        return str(value)
    # Names come from users: keep a pasted "=HYPERLINK(...)" from running in Excel.
    return neutralise(str(value))


def csv_rows(chart: Chart) -> list[list[Any]]:
    """The chart's table as CSV rows in the plain machine form, header first."""
    kinds = [c.kind for c in chart.columns]
    body = [[csv_value(v, k) for v, k in zip(row, kinds, strict=True)] for row in chart.rows]
    return [[c.label for c in chart.columns], *body]


def spreadsheet_value(value: Any, kind: str) -> str:
    """A cell in the export dialect (services.exchange): decimal comma, ISO dates,
    neutralised text; money from cents to euros with two decimals."""
    if kind == "money" and value is not None:
        return exchange.csv_cell(Decimal(int(value)) / 100, "money")
    if isinstance(value, float):
        return exchange.csv_cell(Decimal(str(value)), kind)
    return exchange.csv_cell(value, kind)


# Languages whose spreadsheets read `;` and a decimal comma (the export CSVs' dialect).
SPREADSHEET_LANGUAGES = ("fi", "sv")


def csv_response(chart: Chart, filename: str) -> Response:
    """The chart's data as a downloadable CSV with the same column headers as its table.

    In Finnish and Swedish the export dialect (`;`, decimal comma, UTF-8 with BOM), which
    Excel opens in columns; in English, or with `?format=plain` in any language, the plain
    machine form (`,`, decimal point, ISO dates, no BOM). `?format=spreadsheet` asks for the
    export dialect in any language.
    """
    wanted = request.args.get("format")
    if wanted not in (None, "", "plain", "spreadsheet"):
        abort(404)
    spreadsheet = wanted == "spreadsheet" or (
        not wanted and FlaskTexts().language in SPREADSHEET_LANGUAGES
    )
    buffer = io.StringIO()
    if spreadsheet:
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        kinds = [c.kind for c in chart.columns]
        writer.writerow([c.label for c in chart.columns])
        for row in chart.rows:
            writer.writerow([spreadsheet_value(v, k) for v, k in zip(row, kinds, strict=True)])
        body = "\ufeff" + buffer.getvalue()
    else:
        csv.writer(buffer, lineterminator="\r\n").writerows(csv_rows(chart))
        body = buffer.getvalue()
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.charset = "utf-8"
    return response
