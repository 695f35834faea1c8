"""The pilot import fuzzed, and the exports' defence against spreadsheet formula injection.

Import (pilot_tracker/services/importer.py, the /import page, `flask import-pilots`): random
and garbled files, wrong encodings, huge cells, formulas and control characters never give
a 5xx or a traceback; a broken file gets a report that names the bad cell, and nothing is
written. Export: text that starts with = + - @, a tab or a carriage return comes out of
every CSV file and every workbook with one leading apostrophe (checked on the bytes and on
the cells as a spreadsheet reads them), numbers never do, and importing the export gives
back exactly the text that was stored.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from pilot_tracker.domain.enums import CostKind, Direction, Gate, Outcome, Rag, Stage
from pilot_tracker.domain.follow_up import OwnerKind
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    AuditEntry,
    CostEntry,
    Decision,
    Kpi,
    MunicipalDecision,
    Pilot,
    StatusUpdate,
    Vendor,
)
from pilot_tracker.models.follow_up import FollowUpComment, FollowUpItem, Lesson
from pilot_tracker.services.costs import CostData, record_cost
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.exchange import SHEETS, SHEETS_BY_NAME
from pilot_tracker.services.export import export_csv, export_xlsx
from pilot_tracker.services.follow_up import Owner, create_item, record_lesson, update_item
from pilot_tracker.services.importer import import_pilots
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import load_pilot_for_update
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot, make_vendor
from tests.hostile_helpers import FORMULAS, fingerprint, hostile_text, multipart, workbook_cells

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
DECISION_UID = "5f0c6a7e-3b7d-4c1e-9a52-0d6c1f6e2a10"

# A small valid portfolio, one table a file, as lists of cells (header first).
GOOD: dict[str, list[list[str]]] = {
    "pilots": [
        [
            *("ref", "name", "summary", "theme", "stage", "lead_municipality", "split_method"),
            *("budget_eur", "external_funding_eur", "vendor_business_id", "vendor_name", "public"),
        ],
        [
            *("P1", "Tilavaraus", "Tilat verkossa", "facility_booking", "piloting", "091"),
            *("manual", "120000,00", "20000,00", "0204819-8", "Kuntadigi Oy", "true"),
        ],
        ["P2", "Lupapalvelu", "", "permits", "idea", "418", "per_capita", "5000", "", "", "", "0"],
    ],
    "participants": [
        ["pilot_ref", "municipality_code", "manual_percent", "joined_on", "left_on"],
        ["P1", "091", "60,00", "", ""],
        ["P1", "049", "40,00", "", ""],
        ["P1", "092", "", "", YESTERDAY],
        ["P2", "418", "", "", ""],
        ["P2", "536", "", "", ""],
    ],
    "kpis": [
        ["pilot_ref", "kpi_ref", "name", "unit", "baseline", "target", "direction", "is_savings"],
        ["P1", "K1", "Varaukset", "kpl/kk", "0", "500", "increase", "false"],
    ],
    "measurements": [
        ["pilot_ref", "kpi_ref", "date", "value", "note"],
        ["P1", "K1", YESTERDAY, "120,5", "ensimmäinen kuukausi"],
    ],
    "status_updates": [
        ["pilot_ref", "date", "rag", "progress_percent", "text"],
        ["P1", YESTERDAY, "green", "40", "Etenee"],
    ],
    "decisions": [
        [
            *("pilot_ref", "date", "gate", "outcome", "decided_by", "rationale"),
            *("stage_before", "stage_after", "uid"),
        ],
        [
            *("P1", YESTERDAY, "midpoint", "continue", "hallitus", "Jatketaan", "piloting"),
            *("piloting", DECISION_UID),
        ],
    ],
    "municipal_decisions": [
        [
            *("pilot_ref", "municipality_code", "gate", "outcome", "body", "date", "section"),
            *("minutes_url", "note"),
        ],
        [
            *("P1", "092", "midpoint", "no_go", "council", YESTERDAY, "§ 45"),
            *("https://www.vantaa.fi/poytakirja/45", "Vantaa jättäytyy pois"),
        ],
        ["P1", "049", "midpoint", "continue", "board", YESTERDAY, "12", "", ""],
    ],
    "follow_up_items": [
        [
            *("pilot_ref", "item_ref", "title", "description", "owner"),
            *("owner_municipality_code", "due_on", "status", "decision_uid"),
        ],
        ["P1", "F1", "Rajapinta", "Toimittaja tekee", "vendor", "", YESTERDAY, "open", ""],
        ["P1", "F2", "Koulutus", "", "municipality", "049", "", "in_progress", DECISION_UID],
    ],
    "follow_up_comments": [
        ["pilot_ref", "item_ref", "date", "text", "author_email"],
        ["P1", "F1", YESTERDAY, "Aloitettu", ""],
    ],
    "lessons": [
        ["pilot_ref", "date", "text", "decision_uid"],
        ["P1", YESTERDAY, "Varaukset siirtyivät verkkoon nopeasti", DECISION_UID],
    ],
}
# Cells of a kind that takes only a narrow set of values: any hostile text there is a problem.
TYPED_KINDS = {"enum", "code", "money", "percent", "number", "int", "date", "bool"}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding, "surrogatepass")


def xlsx_bytes(tables: dict[str, list[list[Any]]]) -> bytes:
    """A workbook written by openpyxl, as a spreadsheet program would: text starting with
    `=` becomes a formula cell (without a cached value, as no program computed it)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_csv_files() -> list[tuple[str, bytes]]:
    return [(f"{name}.csv", csv_bytes(rows)) for name, rows in GOOD.items()]


def problem_cells(report: Any) -> set[tuple[str, int | None, str | None]]:
    return {(p.source, p.row, p.column) for p in report.problems}


def assert_imported_or_nothing_written(app: Flask, files: list[tuple[str, bytes]]) -> Any:
    """Import for real; either it imports, or it reports problems and writes nothing."""
    with app.app_context():
        before = fingerprint()
        report = import_pilots(files, dry_run=False)
        after = fingerprint()
        if report.problems:
            assert not report.imported
            assert after == before
            for problem in report.problems:
                assert problem.source and problem.message
        else:
            assert report.imported
        db.session.rollback()
    return report


# --- import: the service -------------------------------------------------------------------


GARBAGE = st.one_of(
    st.binary(max_size=3_000),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf",
            b"PK\x03\x04" + b"\x00" * 200,
            b"\x00" * 64,
            b"ref;name;theme\r\n" + b"\xff\xfe" * 50,
            "ref;name\r\nP1;Äö\r\n".encode("utf-16"),
            "ref,name,theme,lead_municipality\r\nP1,ÄÖ,permits,091\r\n".encode("cp1252"),
            b'"unterminated;\r\nref;name',
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
        ]
    ),
)
NAMES = st.sampled_from(["pilots.csv", "portfolio.xlsx", "p.CSV", "notes.txt", ".csv", "😀.csv"])


@settings(FUZZ, max_examples=40)
@given(files=st.lists(st.tuples(NAMES, GARBAGE), min_size=1, max_size=3))
def test_garbage_files_are_reported_and_nothing_is_written(
    app: Flask, files: list[tuple[str, bytes]]
) -> None:
    report = assert_imported_or_nothing_written(app, files)
    assert report.problems


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_a_hostile_cell_anywhere_is_reported_at_its_cell_or_imported_as_text(
    app: Flask, data: st.DataObject
) -> None:
    tables = {name: [list(row) for row in rows] for name, rows in GOOD.items()}
    name = data.draw(st.sampled_from(sorted(tables)), label="table")
    rows = tables[name]
    row = data.draw(st.integers(1, len(rows) - 1), label="row")
    column = data.draw(st.sampled_from(rows[0]), label="column")
    value = data.draw(hostile_text(60_000, surrogates=False), label="value")
    rows[row][rows[0].index(column)] = value
    encoding = data.draw(st.sampled_from(["utf-8-sig", "utf-8", "cp1252"]), label="encoding")
    try:
        files = [(f"{n}.csv", csv_bytes(r, encoding)) for n, r in tables.items()]
    except UnicodeEncodeError:
        files = [(f"{n}.csv", csv_bytes(r)) for n, r in tables.items()]
    report = assert_imported_or_nothing_written(app, files)
    kind = SHEETS_BY_NAME[name].column(column).kind  # type: ignore[union-attr]
    plain = value.strip()
    if "\x00" in value:
        # No text file holds NUL: the whole file is refused, by its name.
        assert (f"{name}.csv", None, None) in problem_cells(report), report.problems
    elif kind in TYPED_KINDS and plain and not re.fullmatch(r"[0-9 ,.+-]*", plain):
        # Not a number, a date or a choice by any reading: reported at its very cell.
        assert (f"{name}.csv", row + 1, column) in problem_cells(report), report.problems


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_hostile_workbooks_are_reported_and_nothing_is_written(
    app: Flask, data: st.DataObject
) -> None:
    tables = {name: [list(row) for row in rows] for name, rows in GOOD.items()}
    name = data.draw(st.sampled_from(sorted(tables)), label="sheet")
    rows = tables[name]
    row = data.draw(st.integers(1, len(rows) - 1), label="row")
    column = data.draw(st.integers(0, len(rows[0]) - 1), label="column")
    cell: Any = data.draw(
        st.one_of(
            st.sampled_from(FORMULAS),
            hostile_text(30_000, surrogates=False).filter(_xml_can_hold),
            st.floats(allow_nan=True),
            st.integers(-(2**70), 2**70),
            st.datetimes(),
        ),
        label="cell",
    )
    rows[row][column] = cell
    content = xlsx_bytes(tables)
    mangle = data.draw(st.sampled_from(["none", "truncate", "flip"]), label="mangle")
    # Where to cut or flip, drawn independently of the file's length: the workbook's size
    # varies between runs (openpyxl stamps the time it was written), and hypothesis needs
    # the same draws when it replays an example.
    if mangle == "truncate":
        content = content[: data.draw(st.integers(0, 2**31), label="cut") % len(content)]
    elif mangle == "flip":
        at = data.draw(st.integers(0, 2**31), label="flip") % len(content)
        content = content[:at] + bytes([content[at] ^ 0xFF]) + content[at + 1 :]
    report = assert_imported_or_nothing_written(app, [("portfolio.xlsx", content)])
    if mangle == "truncate":
        assert report.problems


def _xml_can_hold(text: str) -> bool:
    return not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", text)


def test_formula_cells_of_a_workbook_are_read_as_their_values_never_run(app: Flask) -> None:
    tables = {name: [list(row) for row in rows] for name, rows in GOOD.items()}
    tables["pilots"][1][1] = "=cmd|' /C calc'!A0"  # a formula cell with no computed value
    tables["pilots"][1][2] = '=HYPERLINK("http://evil.example","x")'
    report = assert_imported_or_nothing_written(app, [("portfolio.xlsx", xlsx_bytes(tables))])
    # The name is required: a formula without a value is an empty cell, reported as such.
    assert ("pilots", 2, "name") in problem_cells(report)


def test_a_zip_bomb_is_refused_unread(app: Flask) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<x/>")
    # The central directory claims 300 MB unpacked (what a real bomb's would say).
    bomb = bytearray(buffer.getvalue())
    struct.pack_into("<I", bomb, bomb.rfind(b"PK\x01\x02") + 24, 300 * 1024 * 1024)
    report = assert_imported_or_nothing_written(app, [("bomb.xlsx", bytes(bomb))])
    assert [p.source for p in report.problems] == ["bomb.xlsx"]


# --- import: the page and the command ------------------------------------------------------


@settings(FUZZ, max_examples=8)
@given(files=st.lists(st.tuples(NAMES, GARBAGE), min_size=1, max_size=2))
def test_the_import_page_reports_hostile_files_and_imports_nothing(
    app: Flask, actors: Actors, files: list[tuple[str, bytes]]
) -> None:
    client = app.test_client()
    client.set_cookie("lang", "en")
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/import")
    with app.app_context():
        before = fingerprint()
    body, content_type = multipart(
        [("csrf_token", token)], [("files", name or "x.csv", data) for name, data in files]
    )
    response = client.post("/import", data=body, content_type=content_type)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Traceback" not in html
    assert 'name="run-checked"' not in html  # nothing here could pass the check
    with app.app_context():
        assert fingerprint() == before


def test_the_command_lists_the_bad_cells_without_a_traceback(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    tables = {name: [list(row) for row in rows] for name, rows in GOOD.items()}
    tables["pilots"][1][7] = "=cmd|' /C calc'!A0"  # budget_eur
    tables["participants"][2][1] = "\x1b[31m"  # municipality_code
    paths = []
    for name, rows in tables.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(csv_bytes(rows))
        paths.append(str(path))
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04\xff\xfe" * 100)
    with app.app_context():
        before = fingerprint()
    result = runner.invoke(args=["import-pilots", *paths])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "pilots.csv, row 2, column budget_eur" in result.output
    assert "participants.csv, row 3, column municipality_code" in result.output
    result = runner.invoke(args=["import-pilots", str(garbage)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "garbage.xlsx: The file cannot be read" in result.output
    with app.app_context():
        assert fingerprint() == before


# --- export: formula injection -------------------------------------------------------------

FORMULA_START = re.compile(r"[=+\-@\t\r]")
CSV_NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?")
PREFIXES = "=+-@"


def hostile_portfolio(text: str, coordinator: Any = None) -> None:
    """A pilot whose name, summary, KPI name, unit, measurement note, status text and decision
    texts all start with `text` (a vendor named so too); a KPI with negative numbers."""
    vendor = make_vendor(f"{text} Oy", "2077474-0")
    pilot = make_pilot(("418", "536"), vendor=vendor, name=text, summary=text, stage=Stage.PILOTING)
    yesterday = date.today() - timedelta(days=1)
    kpi = add_kpi(pilot, text, text[:50], Decimal("-3.5"), Decimal("-10"), Direction.DECREASE)
    add_measurement(kpi, yesterday, Decimal("-4.25"), text)
    add_status_update(pilot, Rag.AMBER, 40, text, yesterday)
    decision = record_decision(
        pilot, Gate.MIDPOINT, Outcome.CONTINUE, yesterday, text, text, follow_up=text
    )
    record_cost(pilot, CostData(yesterday, 100_000, CostKind.OTHER, text[:100], text))
    # The joint life: a municipal decision's note, the vendor's item and its comment, a lesson.
    record_municipal_decision(
        pilot, "536", Gate.MIDPOINT, Outcome.CONTINUE, Body.BOARD, yesterday, note=text
    )
    loaded = load_pilot_for_update(pilot.id)
    assert loaded is not None
    title = text.strip()[:200] or "x"
    item = create_item(loaded, title, Owner(OwnerKind.VENDOR), description=text)
    update_item(loaded, item, {"comment": text}, None)
    loaded = load_pilot_for_update(pilot.id)
    assert loaded is not None
    if text.strip():
        record_lesson(loaded, text, decision.id)


def assert_csv_neutralised(data: bytes) -> list[list[str]]:
    """No field of a CSV export starts as a formula unless it is a number."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    for row in rows:
        for cell in row:
            if FORMULA_START.match(cell):
                assert CSV_NUMBER.fullmatch(cell), f"formula-like CSV field {cell!r}"
    return rows


def assert_xlsx_neutralised(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """No formula elements in any sheet, and no text cell a spreadsheet would run."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    cells = workbook_cells(data)
    for sheet, rows in cells.items():
        for row in rows:
            for value in row:
                if isinstance(value, str):
                    assert not FORMULA_START.match(value), f"{sheet}: {value!r}"
    return cells


@settings(FUZZ, max_examples=12)
@given(
    text=st.builds(
        lambda apostrophes, prefix, rest: "'" * apostrophes + prefix + rest,
        st.integers(0, 2),
        st.sampled_from(PREFIXES),
        st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30),
    )
)
@example(text="=\uffff\ufffe")  # noncharacters XML cannot hold: left out of the workbook
@example(text="'\r=x")  # a lone CR after the apostrophe (the API takes it)
@example(text="@x\u2028y\r\nz\x1f")
def test_exports_neutralise_formulas_and_the_import_restores_the_text(
    app: Flask, actors: Actors, text: str
) -> None:
    with app.app_context():
        _empty_the_pilots()
        hostile_portfolio(text)
        stored = _texts()
        csvs = {s.name: export_csv(actors.council, s) for s in SHEETS}
        workbook = export_xlsx(actors.council)
    for data in csvs.values():
        rows = assert_csv_neutralised(data)
        for cell in (c for row in rows[1:] for c in row):
            if (
                cell.lstrip("'")
                and cell.lstrip("'")[0] in PREFIXES
                and not CSV_NUMBER.fullmatch(cell)
            ):
                assert cell.startswith("'")
    assert_xlsx_neutralised(workbook)
    in_workbook = {k: sorted(_as_workbook_keeps(t) for t in v) for k, v in stored.items()}
    for files, expected in (
        ([(f"{name}.csv", data) for name, data in csvs.items()], stored),
        ([("portfolio.xlsx", workbook)], in_workbook),
    ):
        with app.app_context():
            _empty_the_pilots()
            report = import_pilots(files, dry_run=False)
            assert report.problems == []
            assert _texts() == expected
            db.session.rollback()


def _as_workbook_keeps(text: str) -> str:
    """What a workbook keeps of a text (README): line breaks as LF, no characters XML cannot
    hold; the import's services then strip it as they strip everything."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text).strip()


def _texts() -> dict[str, list[str]]:
    """Every text of the portfolio that a person wrote, by where it is stored."""
    return {
        "pilot": sorted(
            t for row in db.session.execute(sa.select(Pilot.name, Pilot.summary)) for t in row
        ),
        "vendor": sorted(db.session.scalars(sa.select(Vendor.name))),
        "kpi": sorted(t for row in db.session.execute(sa.select(Kpi.name, Kpi.unit)) for t in row),
        "status": sorted(db.session.scalars(sa.select(StatusUpdate.text))),
        "decision": sorted(
            t
            for row in db.session.execute(
                sa.select(Decision.decided_by, Decision.rationale, Decision.follow_up)
            )
            for t in row
        ),
        "municipal_decision": sorted(db.session.scalars(sa.select(MunicipalDecision.note))),
        "follow_up": sorted(
            t
            for row in db.session.execute(sa.select(FollowUpItem.title, FollowUpItem.description))
            for t in row
        )
        + sorted(db.session.scalars(sa.select(FollowUpComment.text))),
        "lesson": sorted(db.session.scalars(sa.select(Lesson.text))),
    }


def _empty_the_pilots() -> None:
    db.session.execute(sa.delete(Pilot))
    db.session.execute(sa.delete(Vendor).where(~Vendor.id.in_(_vendors_with_users())))
    db.session.execute(sa.delete(AuditEntry))
    db.session.flush()


def _vendors_with_users() -> sa.Select[Any]:
    from pilot_tracker.models import User

    return sa.select(User.vendor_id).where(User.vendor_id.is_not(None))


def test_text_starting_with_a_tab_or_carriage_return_is_neutralised_in_every_export(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    """The services strip such text, but a database may hold it (an older import, an SQL
    fix by hand): the export must not trust the database either."""
    with app.app_context():
        hostile_portfolio("plain")
        for column in (Pilot.name, Pilot.summary):
            db.session.execute(sa.update(Pilot).values({column: "\t=cmd|' /C calc'!A0"}))
        db.session.execute(sa.update(Kpi).values(name="\r+SUM(1)"))
        db.session.execute(sa.update(StatusUpdate).values(text="\r\n@x"))
        db.session.execute(sa.update(Decision).values(rationale="\t-2+3"))
        db.session.execute(sa.update(CostEntry).values(description="\t=1+1"))
        db.session.execute(sa.update(MunicipalDecision).values(note="\t=2+2"))
        db.session.execute(sa.update(FollowUpItem).values(title="\r=3+3"))
        db.session.execute(sa.update(FollowUpComment).values(text="\t@4"))
        db.session.execute(sa.update(Lesson).values(text="\t-5"))
        db.session.commit()
    login_as(client, actors.council)
    for sheet in SHEETS:
        response = client.get(f"/export/{sheet.name}.csv")
        assert response.status_code == 200
        rows = assert_csv_neutralised(response.data)
        assert any(c.startswith(("'\t", "'\r")) for row in rows for c in row), sheet.name
    response = client.get("/export/portfolio.xlsx")
    cells = assert_xlsx_neutralised(response.data)
    name = cells["pilots"][0].index("name")
    assert cells["pilots"][1][name] == "'\t=cmd|' /C calc'!A0"

    def cell(sheet: str, column: str) -> Any:
        return cells[sheet][1][cells[sheet][0].index(column)]

    assert cell("decisions", "rationale") == "'\t-2+3"
    # A workbook holds line breaks as LF (README): the CR is one, and nothing runs.
    assert cell("kpis", "name") == "\n+SUM(1)"
    assert cell("status_updates", "text") == "\n@x"
    assert cell("municipal_decisions", "note") == "'\t=2+2"
    assert cell("follow_up_items", "title") == "\n=3+3"
    assert cell("lessons", "text") == "'\t-5"


def test_every_export_page_neutralises_formulas_for_every_reader(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        hostile_portfolio("=cmd|' /C calc'!A0")
        db.session.execute(sa.update(Pilot).values(vendor_id=actors.vendor_a.id))
        db.session.commit()
    for user in (actors.council, actors.coordinator, actors.admin, actors.vendor_user):
        login_as(client, user)
        for sheet in SHEETS:
            data = client.get(f"/export/{sheet.name}.csv").data
            rows = assert_csv_neutralised(data)
            if sheet.name in ("costs", "municipal_decisions") and user is actors.vendor_user:
                assert len(rows) == 1  # cost entries and municipal decisions are not the vendors'
                continue
            assert any("'=cmd|' /C calc'!A0" in c for row in rows for c in row), sheet.name
        cells = assert_xlsx_neutralised(client.get("/export/portfolio.xlsx").data)
        name = cells["pilots"][0].index("name")
        assert cells["pilots"][1][name] == "'=cmd|' /C calc'!A0"
