"""The file format on its own: formula neutralisation, cells written and read back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.services.exchange import (
    KPIS,
    PILOTS,
    csv_cell,
    neutralise,
    read_csv,
    read_xlsx,
    sheet_for_header,
    unneutralise,
    write_csv,
    write_xlsx,
)
from pilot_tracker.services.importer import CellError, parse_cell


@pytest.mark.parametrize("text", ["=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''+x"])
def test_text_a_spreadsheet_could_run_gets_one_leading_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "'quoted", "a=b", " =x", "", "'"])
def test_other_text_is_written_as_it_is(text: str) -> None:
    assert neutralise(text) == text


@given(st.text())
def test_reading_undoes_neutralising_exactly(text: str) -> None:
    assert unneutralise(neutralise(text)) == text


def test_csv_is_utf8_with_bom_semicolons_crlf_and_decimal_comma() -> None:
    row = [
        "P1",
        "0b6d5a4e-2f7c-4c1e-9a53-2d8e0f6b7a11",
        3,
        'Nimi; "lainaus"',
        None,
        "fi",
        "permits",
        "quick",
        "idea",
        None,
        "091",
        "equal",
        None,
        Decimal("1234.50"),
        Decimal("0.00"),
        None,
        Decimal("1234.50"),
        Decimal("0.00"),
        None,
        None,
        None,
        date(2026, 1, 15),
        None,
        True,
        None,
        None,
    ]
    data = write_csv(PILOTS, [row])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ref;uid;version;name;summary;")
    assert text.endswith(
        'P1;0b6d5a4e-2f7c-4c1e-9a53-2d8e0f6b7a11;3;"Nimi; ""lainaus""";;fi;permits;quick;idea;;'
        "091;equal;;1234,50;0,00;;1234,50;0,00;"
        ";;;2026-01-15;;true;;\r\n"
    )


def test_numbers_are_never_neutralised_even_when_negative() -> None:
    assert csv_cell(Decimal("-3.5000"), "number") == "-3,5"
    assert csv_cell("-3,5", "text") == "'-3,5"


def test_a_number_a_float_cannot_hold_is_kept_as_text_in_the_workbook() -> None:
    row = [
        "P1",
        "",
        "K1",
        None,
        "n",
        None,
        Decimal("999999999999999.9999"),
        Decimal("-0.5"),
        "increase",
        False,
        None,
        None,
        None,
    ]
    tables = read_xlsx(write_xlsx([(KPIS, [row])]))
    ((_number, cells),) = tables[0].rows
    assert cells[6] == "999999999999999.9999"
    assert cells[7] == Decimal("-0.5")


@pytest.mark.parametrize(
    ("value", "as_number"),
    [
        (Decimal("123456789012.345"), True),  # 15 significant digits: Excel keeps them all
        (Decimal("123456789012.3456"), False),  # 16: Excel and LibreOffice drop the last one
        (Decimal("0.1"), True),
        (Decimal("1234567.8900"), True),  # trailing zeros are not digits a number loses
        (Decimal("-99999999999999.99"), False),
        (10**15 - 1, True),
        (10**15 + 1, False),
    ],
)
def test_numbers_past_fifteen_digits_go_into_the_workbook_as_text(
    value: Decimal | int, as_number: bool
) -> None:
    row = ["P1", "", "K1", None, "n", None, value, Decimal("1"), "increase", False, None, None]
    row.append(None)
    tables = read_xlsx(write_xlsx([(KPIS, [row])]))
    ((_number, cells),) = tables[0].rows
    if as_number:
        assert cells[6] == value and not isinstance(cells[6], str)
    else:
        assert cells[6] == str(value)


def test_csv_written_with_commas_by_another_tool_is_read_too() -> None:
    table = read_csv("p.csv", b"ref,name,theme,lead_municipality\r\nP1,A,permits,91\r\n")
    assert table.header == ["ref", "name", "theme", "lead_municipality"]
    assert table.rows == [(2, ["P1", "A", "permits", "91"])]
    assert sheet_for_header(table.header) is PILOTS


def test_excel_cp1252_csv_is_decoded() -> None:
    table = read_csv("p.csv", "ref;name\r\nP1;Hämeenlinna\r\n".encode("cp1252"))
    assert table.rows == [(2, ["P1", "Hämeenlinna"])]


@pytest.mark.parametrize(
    ("column", "kind", "raw", "value"),
    [
        ("start_date", "date", "15.1.2026", date(2026, 1, 15)),
        ("start_date", "date", "2026-01-15", date(2026, 1, 15)),
        ("lead_municipality", "code", 91, "091"),
        ("budget_eur", "money", "1 234,50", 123450),
        ("budget_eur", "money", Decimal("1234.5"), 123450),
        ("public", "bool", "TOSI", True),
        ("public", "bool", "false", False),
        ("manual_percent", "percent", "33,33", Decimal("33.33")),
        ("baseline", "number", "-1,25", Decimal("-1.25")),
        ("progress_percent", "int", "55", 55),
        ("goals", "list", "cut_costs, brand", ["cut_costs", "brand"]),
    ],
)
def test_cells_are_read_in_the_forms_people_and_spreadsheets_write(
    column: str, kind: str, raw: object, value: object
) -> None:
    assert parse_cell(column, kind, raw) == value


@pytest.mark.parametrize(
    ("column", "kind", "raw"),
    [
        ("start_date", "date", "31.2.2026"),
        ("budget_eur", "money", "12,345"),
        ("budget_eur", "money", "-5"),
        ("theme", "enum", "parking"),
        ("lead_municipality", "code", "91a"),
        ("manual_percent", "percent", "101"),
        ("public", "bool", "maybe"),
        ("snapshot", "json", "[1, 2]"),
    ],
)
def test_bad_cells_are_refused(column: str, kind: str, raw: object) -> None:
    with pytest.raises(CellError):
        parse_cell(column, kind, raw)
