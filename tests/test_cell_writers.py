"""Every writer of spreadsheet cells uses the one formula rule, and never on numbers: the
export files' CSV and XLSX (services.exchange) and the charts' CSV downloads in both
dialects (web.chart_csv)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.text import neutralise
from pilot_tracker.services.exchange import KPIS, csv_cell, write_xlsx
from pilot_tracker.web.chart_csv import csv_value, spreadsheet_value

FORMULA_STARTS = "=+-@\t\r"
# Apostrophes before the character too: the dashboards' own rule let "'=1" through as it was.
formula_like = st.builds(
    lambda quotes, start, rest: "'" * quotes + start + rest,
    st.integers(min_value=0, max_value=2),
    st.sampled_from(FORMULA_STARTS),
    st.text(),
)
# Amounts as the columns hold them (Numeric(20, 4), cents): negative ones too, which start
# with the same "-" a formula may.
numbers = st.decimals(
    min_value=Decimal("-99999999999.9999"),
    max_value=Decimal("99999999999.9999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
cents = st.integers(min_value=-(10**13), max_value=10**13)


@given(formula_like)
def test_text_is_neutralised_by_every_writer(text: str) -> None:
    want = neutralise(text)
    assert want.startswith("'")
    assert csv_cell(text, "text") == want
    assert spreadsheet_value(text, "text") == want
    assert csv_value(text, "text") == want


@given(numbers)
def test_numbers_are_written_as_numbers_by_every_csv_writer(value: Decimal) -> None:
    assert Decimal(str(csv_value(value, "number"))) == value
    assert Decimal(csv_cell(value, "number").replace(",", ".")) == value
    assert Decimal(spreadsheet_value(value, "number").replace(",", ".")) == value


@given(cents)
def test_money_is_written_as_a_number_by_every_csv_writer(amount: int) -> None:
    assert Decimal(str(csv_value(amount, "money"))) * 100 == amount
    assert Decimal(spreadsheet_value(amount, "money").replace(",", ".")) * 100 == amount
    assert csv_value(amount, "count") == amount


def test_the_workbook_keeps_numbers_as_numbers_and_neutralises_text() -> None:
    row = ["P1", "", "K1", None, "=HYPERLINK(1)", "-kg", Decimal("-12.5"), Decimal("-1")]
    row += ["decrease", False, None, None, None]
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx([(KPIS, [row])]))).active
    name, unit, baseline, target = (sheet.cell(2, column).value for column in (5, 6, 7, 8))
    assert (name, unit) == ("'=HYPERLINK(1)", "'-kg")
    assert baseline == -12.5 and target == -1
