"""The import/export file format: sheets, columns, and how cells are written and read.

No database here. `export.py` fills these sheets from the database and `importer.py` reads
them back; both go through this module so that a file the app writes is one it reads.
README.md ("Import and export column format") documents the format for people.

- CSV: UTF-8 with a byte-order mark, `;` between fields, CRLF line ends; numbers with a
  decimal comma and no thousands separators (what Finnish Excel reads as numbers), dates
  as ISO 8601 (YYYY-MM-DD), booleans as `true` / `false`.
- XLSX: one sheet per table, numbers and dates as real number and date cells; a number
  a spreadsheet float cannot hold exactly (more than 15 significant digits) is written as
  text instead, so nothing is rounded.
- Text that a spreadsheet could take for a formula (starting with = + - @, a tab or a
  carriage return, possibly after apostrophes) gets one leading apostrophe; the reader
  removes exactly that apostrophe again, so round trips are exact.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pilot_tracker.domain.errors import DomainError
from pilot_tracker.domain.text import column_letters, decimal_text, neutralise, unneutralise

# --- the format ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: `derived` ones are written for readers and ignored on import."""

    name: str
    # text, ref, uid, enum, list, code, money, signed_money (a credit note is negative),
    # number, percent, int, date, bool, email, json
    kind: str
    required: bool = False
    derived: bool = False


@dataclass(frozen=True)
class Sheet:
    """A table of the file: a CSV file of its own or a sheet of the workbook."""

    name: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _c(name: str, kind: str, *, required: bool = False, derived: bool = False) -> Column:
    return Column(name, kind, required=required, derived=derived)


PILOTS = Sheet(
    "pilots",
    (
        _c("ref", "ref", required=True),
        _c("uid", "uid"),
        _c("version", "int"),
        _c("name", "text", required=True),
        _c("summary", "text"),
        _c("language", "text"),
        _c("theme", "enum", required=True),
        _c("track", "enum"),
        _c("stage", "enum"),
        _c("goals", "list"),
        _c("lead_municipality", "code", required=True),
        _c("split_method", "enum"),
        _c("equal_percent", "percent"),
        _c("budget_eur", "money"),
        _c("external_funding_eur", "money"),
        _c("external_funding_rate_percent", "percent"),
        _c("net_cost_eur", "money", derived=True),
        _c("estimated_annual_savings_eur", "money"),
        _c("vendor_business_id", "text"),
        _c("vendor_name", "text"),
        _c("coordinator_email", "email"),
        _c("start_date", "date"),
        _c("end_date", "date"),
        _c("public", "bool"),
        _c("latest_rag", "enum", derived=True),
        _c("latest_status_on", "date", derived=True),
    ),
)
PARTICIPANTS = Sheet(
    "participants",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("municipality_code", "code", required=True),
        _c("municipality_name", "text", derived=True),
        _c("is_lead", "bool", derived=True),
        _c("manual_percent", "percent"),
        _c("share_percent", "percent", derived=True),
        _c("share_eur", "money", derived=True),
        # Membership over time: empty joined_on for the founders; left_on once it has left.
        _c("joined_on", "date"),
        _c("left_on", "date"),
    ),
)
KPIS = Sheet(
    "kpis",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("kpi_ref", "ref", required=True),
        _c("uid", "uid"),
        _c("name", "text", required=True),
        _c("unit", "text"),
        _c("baseline", "number", required=True),
        _c("target", "number", required=True),
        _c("direction", "enum", required=True),
        _c("is_savings", "bool"),
        _c("latest_value", "number", derived=True),
        _c("latest_on", "date", derived=True),
        _c("progress_percent", "number", derived=True),
    ),
)
MEASUREMENTS = Sheet(
    "measurements",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("kpi_ref", "ref", required=True),
        _c("kpi_name", "text", derived=True),
        _c("uid", "uid"),
        _c("date", "date", required=True),
        _c("value", "number", required=True),
        _c("note", "text"),
        _c("recorded_by_email", "email"),
    ),
)
STATUS_UPDATES = Sheet(
    "status_updates",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("uid", "uid"),
        _c("date", "date", required=True),
        _c("rag", "enum", required=True),
        _c("progress_percent", "int", required=True),
        _c("text", "text", required=True),
        _c("author_email", "email"),
    ),
)
DECISIONS = Sheet(
    "decisions",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("uid", "uid"),
        _c("date", "date", required=True),
        _c("gate", "enum", required=True),
        _c("outcome", "enum", required=True),
        _c("decided_by", "text", required=True),
        _c("rationale", "text", required=True),
        _c("follow_up", "text"),
        _c("next_review", "date"),
        _c("stage_before", "enum", required=True),
        _c("stage_after", "enum", required=True),
        _c("recorded_by_email", "email"),
        _c("snapshot", "json"),
    ),
)

COSTS = Sheet(
    "costs",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("uid", "uid"),
        _c("date", "date", required=True),
        _c("amount_eur", "signed_money", required=True),
        _c("kind", "enum", required=True),
        _c("reference", "text"),
        _c("description", "text"),
        _c("recorded_by_email", "email"),
        _c("funded_eur", "signed_money", derived=True),
    ),
)

# The joint life of a pilot (PRODUCT.md): each municipality's own decisions, the follow-up
# plan with the vendor (items, tied together by item_ref, and their comments), the lessons.
MUNICIPAL_DECISIONS = Sheet(
    "municipal_decisions",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("uid", "uid"),
        _c("municipality_code", "code", required=True),
        _c("municipality_name", "text", derived=True),
        _c("gate", "enum", required=True),
        _c("outcome", "enum", required=True),
        _c("body", "enum", required=True),
        _c("date", "date", required=True),
        _c("section", "text"),
        _c("minutes_url", "text"),
        _c("note", "text"),
        _c("recorded_by_email", "email"),
    ),
)
FOLLOW_UP_ITEMS = Sheet(
    "follow_up_items",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("item_ref", "ref", required=True),
        _c("uid", "uid"),
        _c("title", "text", required=True),
        _c("description", "text"),
        _c("owner", "enum", required=True),
        _c("owner_municipality_code", "code"),
        _c("due_on", "date"),
        _c("status", "enum"),
        _c("decision_uid", "uid"),
    ),
)
FOLLOW_UP_COMMENTS = Sheet(
    "follow_up_comments",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("item_ref", "ref", required=True),
        _c("item_title", "text", derived=True),
        _c("uid", "uid"),
        _c("date", "date"),
        _c("text", "text", required=True),
        _c("author_email", "email"),
    ),
)
LESSONS = Sheet(
    "lessons",
    (
        _c("pilot_ref", "ref", required=True),
        _c("pilot_name", "text", derived=True),
        _c("uid", "uid"),
        _c("date", "date"),
        _c("text", "text", required=True),
        _c("decision_uid", "uid"),
        _c("recorded_by_email", "email"),
    ),
)
JOINT_SHEETS: tuple[Sheet, ...] = (
    MUNICIPAL_DECISIONS,
    FOLLOW_UP_ITEMS,
    FOLLOW_UP_COMMENTS,
    LESSONS,
)

SHEETS: tuple[Sheet, ...] = (
    PILOTS,
    PARTICIPANTS,
    KPIS,
    MEASUREMENTS,
    STATUS_UPDATES,
    DECISIONS,
    COSTS,
    *JOINT_SHEETS,
)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}

# --- writing ---------------------------------------------------------------------------

Row = Sequence[Any]  # cells as Python values: str, int, Decimal, date, bool or None

DATE_FORMAT = "yyyy-mm-dd"


def csv_cell(value: Any, kind: str) -> str:
    """One CSV field: decimal comma for numbers, ISO dates, true/false, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        raise TypeError("datetimes are not written to files; use dates")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        money = kind in ("money", "signed_money", "percent")
        text = f"{value:.2f}" if money else decimal_text(value)
        return text.replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_csv(sheet: Sheet, rows: Iterable[Row]) -> bytes:
    """The sheet as CSV bytes: UTF-8 with BOM, `;`-separated, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(sheet.header)
    kinds = [c.kind for c in sheet.columns]
    for row in rows:
        writer.writerow([csv_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Excel and LibreOffice keep 15 significant digits of a number (a double, shown and saved
# at 15 digits): 123456789012.3456 comes back as 123456789012.346. A number with more
# digits goes into the workbook as text, which keeps every digit (and the importer reads).
SPREADSHEET_DIGITS = 15


def _spreadsheet_keeps(value: Decimal | int) -> bool:
    """True when a spreadsheet program holds `value` exactly as a number."""
    number = Decimal(value)
    if not number.is_finite():
        return False
    digits = len(number.normalize().as_tuple().digits)
    return digits <= SPREADSHEET_DIGITS and Decimal(repr(float(number))) == number


# What XML 1.0 cannot hold at all: control characters other than tab and line breaks,
# surrogates and the noncharacters U+FFFE and U+FFFF (one in a cell made the whole
# workbook unreadable, to openpyxl and to Excel alike).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_text(text: str) -> str:
    """Text for a workbook cell: neutralised, line breaks as LF (a lone CR too: XML reads
    it as LF anyway, and neutralising before that change would leave an apostrophe the
    import no longer recognises), and without the characters XML cannot hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return neutralise(_XML_ILLEGAL.sub("", text))


# The workbook is written directly as SpreadsheetML: openpyxl's writer spends about 40 µs a
# cell (10 s for a 1 000-pilot portfolio), this one a small fraction of that. openpyxl still
# reads workbooks. Fixed zip timestamps make the same data give the same bytes.
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_EPOCH = date(1899, 12, 30)  # day 0 of spreadsheet date serials (1900 system)
# Cell styles (cellXfs): 0 general, 1 date (yyyy-mm-dd), 2 two decimals.
_STYLES = (
    f'<styleSheet xmlns="{_MAIN_NS}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, text: str) -> str:
    text = xlsx_text(text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _xlsx_cell(ref: str, value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        if not _spreadsheet_keeps(value):
            return _text_cell(ref, str(value))
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        raise TypeError("datetimes are not written to files; use dates")
    if isinstance(value, date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, Decimal):
        if not _spreadsheet_keeps(value):  # text keeps every digit a number would lose
            return _text_cell(ref, decimal_text(value))
        style = ' s="2"' if kind in ("money", "signed_money", "percent") else ""
        return f'<c r="{ref}"{style}><v>{decimal_text(value)}</v></c>'
    return _text_cell(ref, str(value))


def _sheet_xml(sheet: Sheet, rows: Iterable[Row]) -> str:
    columns = [column_letters(i) for i in range(len(sheet.columns))]
    kinds = [c.kind for c in sheet.columns]
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN_NS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews><sheetData>",
        '<row r="1">',
        *(_text_cell(f"{c}1", name) for c, name in zip(columns, sheet.header, strict=True)),
        "</row>",
    ]
    for number, row in enumerate(rows, start=2):
        cells = "".join(
            _xlsx_cell(f"{c}{number}", v, k) for c, v, k in zip(columns, row, kinds, strict=True)
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def write_xlsx(tables: Iterable[tuple[Sheet, Iterable[Row]]]) -> bytes:
    """One workbook (Office Open XML) with a sheet per table."""
    buffer = io.BytesIO()
    names: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(path: str, text: str) -> None:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))

        for index, (sheet, rows) in enumerate(tables, start=1):
            names.append(sheet.name)
            add(f"xl/worksheets/sheet{index}.xml", _sheet_xml(sheet, rows))
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
            for i in range(1, len(names) + 1)
        )
        add(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        add(
            "_rels/.rels",
            f'<Relationships xmlns="{_PACKAGE_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{_escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(names, start=1)
        )
        add(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        add(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PACKAGE_REL_NS}">{relations}'
            f'<Relationship Id="rId{len(names) + 1}" Type="{_REL_NS}/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        add("xl/styles.xml", _STYLES)
    return buffer.getvalue()


# --- reading ---------------------------------------------------------------------------


class FileFormatError(DomainError):
    """A file that cannot be read as a table at all (not CSV/XLSX, not text...)."""


@dataclass
class Table:
    """A sheet as read: where it came from, its header and its data rows by row number."""

    source: str  # the sheet name, or the CSV file's name
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


# An XLSX is a zip; refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _clean_cell(value: Any) -> Any:
    """Spreadsheet cell → str (apostrophe undone), int, Decimal, date, bool or None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = unneutralise(value)
        return value if value.strip() else None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        # repr() is the shortest text that reads back as this float: what the user typed.
        return Decimal(repr(value))
    if isinstance(value, datetime):
        return value if (value.hour, value.minute, value.second) != (0, 0, 0) else value.date()
    if isinstance(value, date):
        return value
    return str(value)


def read_xlsx(data: bytes) -> list[Table]:
    """Every sheet of a workbook; values of formulas as the spreadsheet last computed them."""
    # openpyxl warns about parts of real workbooks it skips (validations, styles...).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _read_xlsx(data)


def _read_xlsx(data: bytes) -> list[Table]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileFormatError("xlsx_too_large")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileFormatError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileFormatError("xlsx_unreadable") from exc
    tables = []
    try:
        for worksheet in workbook.worksheets:
            rows = worksheet.iter_rows(values_only=True)
            first = next(rows, None)
            header = [_header_name(v) for v in (first or ())]
            while header and header[-1] == "":
                header.pop()
            table = Table(worksheet.title, header)
            for number, values in enumerate(rows, start=2):
                cells = [_clean_cell(v) for v in values]
                if any(c is not None for c in cells):
                    table.rows.append((number, cells))
            tables.append(table)
    except Exception as exc:  # a damaged sheet part shows only when it is read
        raise FileFormatError("xlsx_unreadable") from exc
    finally:
        workbook.close()
    return tables


def _header_name(value: Any) -> str:
    return "" if value is None else str(value).strip().lower()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1252 for what Excel saves as plain "CSV"."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(name: str, data: bytes) -> Table:
    """A CSV file; the separator (`;` or `,`) is read from the header line."""
    text = decode_text(data)
    if "\x00" in text:
        raise FileFormatError("csv_not_text")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_header_name(v) for v in next(reader, [])]
        table = Table(name, header)
        for number, values in enumerate(reader, start=2):
            cells = [_clean_cell(v) for v in values]
            if any(c is not None for c in cells):
                table.rows.append((number, cells))
    except csv.Error as exc:
        raise FileFormatError("csv_unreadable", reason=str(exc)) from exc
    while table.header and table.header[-1] == "":
        table.header.pop()
    return table


def sheet_for_header(header: Sequence[str]) -> Sheet | None:
    """The table a CSV header belongs to: the one it shares most columns with (at least two),
    preferring one whose required columns are all there; None when nothing fits."""
    names = set(header)

    def score(sheet: Sheet) -> tuple[bool, int, int]:
        complete = all(c.name in names for c in sheet.columns if c.required)
        return complete, len(names & set(sheet.header)), -len(sheet.header)

    best = max(SHEETS, key=score)
    return best if score(best)[1] >= 2 else None


def iter_records(table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
    """Data rows as {column: value}; cells past the header are under "" (reported)."""
    width = len(table.header)
    for number, cells in table.rows:
        record: dict[str, Any] = {}
        for index, value in enumerate(cells):
            key = table.header[index] if index < width else ""
            if key == "" and value is None:
                continue
            record.setdefault(key, value)
        yield number, record
