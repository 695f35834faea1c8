"""The exported workbook opens in a real spreadsheet program with every value intact.

The workbook is SpreadsheetML written by the app itself (services/export.py); openpyxl reads
it back in the other tests, but councils open it in Excel or LibreOffice. Here LibreOffice
Calc (Debian's libreoffice-calc-nogui, installed by .ci/run) converts every sheet to CSV,
and each cell must hold the value of the app's own CSV export of the same table: numbers
as numbers (shown without the CSV's decimal comma), true/false as booleans, text exactly
(formula-like text stays text, line breaks and quotes survive).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from flask import Flask

from pilot_tracker.extensions import db
from pilot_tracker.services.exchange import SHEETS
from pilot_tracker.services.export import export_csv, export_xlsx
from tests.test_exchange_joint import build_joint_portfolio

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# LibreOffice's CSV filter: ';' separated, '"' quoted, UTF-8, from row 1, every sheet (-1).
ALL_SHEETS_AS_CSV = "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,false,false,false,-1"


def _value(text: str) -> object:
    """A cell compared by value: numbers by amount, booleans case-blind, text exactly."""
    if text.lower() in ("true", "false"):
        return text.lower()
    try:
        return Decimal(text.replace(",", ".")).normalize()
    except InvalidOperation:
        return text


def _rows(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data), delimiter=";"))


@pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
)
def test_libreoffice_reads_every_cell_of_the_workbook_as_the_csv_holds_it(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        user = build_joint_portfolio()  # every table, the joint ones too
        db.session.commit()
        workbook = export_xlsx(user)
        expected = {t.name: export_csv(user, t).decode("utf-8-sig") for t in SHEETS}
    (tmp_path / "portfolio.xlsx").write_bytes(workbook)
    profile = tmp_path / "profile"  # its own LibreOffice profile: no clash with another run
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            ALL_SHEETS_AS_CSV,
            "--outdir",
            str(tmp_path / "out"),
            str(tmp_path / "portfolio.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    cells = 0
    for table in SHEETS:
        ours = _rows(expected[table.name])
        theirs = _rows((tmp_path / "out" / f"portfolio-{table.name}.csv").read_text("utf-8"))
        assert len(theirs) == len(ours), table.name
        for row, (mine, read) in enumerate(zip(ours, theirs, strict=True)):
            # LibreOffice leaves trailing empty cells out of a row.
            read = read + [""] * (len(mine) - len(read))
            assert [_value(v) for v in read] == [_value(v) for v in mine], (table.name, row)
            cells += len(mine)
    assert cells > 200  # the portfolio really was there to compare
    pilots = _rows((tmp_path / "out" / "portfolio-pilots.csv").read_text("utf-8"))
    names = [row[pilots[0].index("name")] for row in pilots[1:]]
    # Text, with the export's neutralising apostrophe, never run as a formula (a formula
    # would have been exported as its result, the link's address).
    assert '\'=HYPERLINK("http://evil")' in names
