"""Importing pilots from the files the export writes (CSV files or one XLSX workbook).

All or nothing: every row is checked, every problem is reported with its sheet, row and
column, and the database changes only when there is not a single problem (and it is not a
dry run). The dry run does exactly the same work and then rolls it back, so it finds what
the real import would find, including what only the services' own checks catch.

Decisions are imported as the records they are, with the snapshot the deciders saw; the
stage rules are replayed over them as a check (each decision must be a move the rules
allow from its `stage_before`, and the stages between decisions and up to the pilot's
stage must be plain forward moves). See README.md, "Import and export column format".
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pilot_tracker.catalogue import render
from pilot_tracker.domain.business_id import business_id_error, normalise_business_id
from pilot_tracker.domain.cost_split import CostSplitError, parse_manual_percentages
from pilot_tracker.domain.email import normalise_email
from pilot_tracker.domain.enums import (
    CostKind,
    Direction,
    Gate,
    Goal,
    Outcome,
    Rag,
    Role,
    SplitMethod,
    Stage,
    Theme,
    Track,
    default_track,
)
from pilot_tracker.domain.errors import DomainError, Message
from pilot_tracker.domain.errors import joined as joined_messages
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.domain.money import MoneyError, cents_to_decimal, parse_eur, parse_hundredths
from pilot_tracker.domain.municipal_decisions import (
    Body,
)
from pilot_tracker.domain.plausibility import (
    Finding,
)
from pilot_tracker.domain.stages import FINAL, TransitionError, check_plain_update
from pilot_tracker.domain.stages import stage_after_decision as rule_stage_after
from pilot_tracker.domain.text import column_letters
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    CostEntry,
    Decision,
    Kpi,
    Measurement,
    MunicipalDecision,
    Municipality,
    Participation,
    Pilot,
    StatusUpdate,
    User,
    Vendor,
)
from pilot_tracker.models.follow_up import FollowUpComment, FollowUpItem, Lesson
from pilot_tracker.services import audit
from pilot_tracker.services.decisions import (
    DecisionRecord,
    add_decision_records,
    decision_errors,
)
from pilot_tracker.services.exchange import (
    COSTS,
    DECISIONS,
    FOLLOW_UP_COMMENTS,
    FOLLOW_UP_ITEMS,
    KPIS,
    LESSONS,
    MEASUREMENTS,
    MUNICIPAL_DECISIONS,
    PARTICIPANTS,
    PILOTS,
    SHEETS,
    SHEETS_BY_NAME,
    STATUS_UPDATES,
    FileFormatError,
    Sheet,
    Table,
    iter_records,
    read_csv,
    read_xlsx,
    sheet_for_header,
)
from pilot_tracker.services.follow_up import (
    Owner,
    comment_errors,
    item_text_errors,
    lesson_errors,
    owner_errors,
)
from pilot_tracker.services.municipal_decisions import municipal_decision_fields
from pilot_tracker.services.pilots import (
    WRITABLE,
    PilotData,
    PilotValidationError,
    RowsValidationError,
    change_membership,
    data_from_pilot,
    field_errors,
    load_pilot_for_update,
    pilot_options,
    pilot_values,
    save_new_pilot,
    save_pilot_changes,
)
from pilot_tracker.services.reporting import (
    NewMeasurement,
    NewStatusUpdate,
    add_kpi,
    add_measurements,
    add_status_updates,
    kpi_errors,
    measurement_errors,
    parse_value,
    refresh_latest,
    status_update_errors,
    update_kpi,
)
from pilot_tracker.services.vendors import create_vendor

T = TypeVar("T")
# The costs service's field names as the costs table's columns.
_COST_COLUMN = {"entry_date": "date", "amount_eur": "amount_eur"}
Progress = Callable[[str, int], Any]

ENUMS: dict[str, type] = {
    "theme": Theme,
    "track": Track,
    "stage": Stage,
    "split_method": SplitMethod,
    "direction": Direction,
    "rag": Rag,
    "gate": Gate,
    "outcome": Outcome,
    "stage_before": Stage,
    "stage_after": Stage,
    "latest_rag": Rag,
    "kind": CostKind,
    "body": Body,
    "owner": OwnerKind,
    "status": ItemStatus,
}
TRUE_WORDS = {"true", "1", "yes", "kyllä", "tosi", "ja", "sant", "x"}
FALSE_WORDS = {"false", "0", "no", "ei", "epätosi", "nej", "falskt"}
_FINNISH_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


# --- the report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem: where (sheet or file, spreadsheet row, column) and what."""

    source: str
    row: int | None
    column: str | None
    message: str

    def where(self) -> str:
        """Where, in the reader's language (see `catalogue.render`)."""
        parts = [self.source]
        if self.row is not None:
            parts.append(render(Message("import_where_row", row=self.row)))
        if self.column:
            parts.append(render(Message("import_where_column", column=self.column)))
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {render(self.message)}"


@dataclass(frozen=True)
class ImportWarning:
    """A plausibility warning about a pilot row: where, and the finding (rendered by the
    caller: the web in the page's language, the command line in English)."""

    source: str
    row: int | None
    column: str | None
    finding: Finding

    def where(self) -> str:
        return Problem(self.source, self.row, self.column, "").where()

    def __str__(self) -> str:
        text = render(self.finding.message)
        if self.finding.code == "duplicate_name":
            text += f" (pilot {self.finding.params['pilot_id']})"
        return f"{self.where()}: {text}"


# The tables whose rows have a uid of their own (participants are a pilot and a code).
UID_TABLES = ("kpis", "measurements", "status_updates", "decisions", "costs")
# The joint life of a pilot: each municipality's decisions, the follow-up plan, the lessons.
JOINT_UID_TABLES = ("municipal_decisions", "follow_up_items", "follow_up_comments", "lessons")


@dataclass
class PilotOutcome:
    """What the import does to one pilot: `created`, `updated` (with each changed field, old
    → new, and the child rows created or updated) or `unchanged`; `kept` counts the rows the
    database has and the file does not, which are kept (an import never deletes)."""

    ref: str
    name: str
    created: bool = False
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, what: str, n: int = 1) -> None:
        if n:
            counts = self.rows.setdefault(table, {})
            counts[what] = counts.get(what, 0) + n

    @property
    def action(self) -> str:
        if self.created:
            return "created"
        return "updated" if self.changes or self.rows else "unchanged"


@dataclass
class ImportReport:
    """What an import found and did; `imported` only when the database was changed."""

    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    new_vendors: list[tuple[str, str]] = field(default_factory=list)
    imported: bool = False
    # Plausibility warnings (PRODUCT.md): listed, never a reason to refuse the import.
    warnings: list[ImportWarning] = field(default_factory=list)
    outcomes: list[PilotOutcome] = field(default_factory=list)

    def pilots(self, action: str) -> int:
        """How many pilots the import creates, updates or leaves unchanged."""
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Collector:
    """Problems, at most one per cell (the first found is the one to fix first)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._cells: set[tuple[str, int | None, str | None]] = set()

    def add(self, source: str, row: int | None, column: str | None, message: str) -> None:
        key = (source, row, column)
        if row is not None and column is not None and key in self._cells:
            return
        self._cells.add(key)
        self.problems.append(Problem(source, row, column, message))

    def has(self, source: str, row: int, column: str) -> bool:
        return (source, row, column) in self._cells


# --- reading the upload ------------------------------------------------------------------


def read_upload(files: list[tuple[str, bytes]], out: _Collector) -> dict[str, Table]:
    """The tables of one workbook or of several CSV files, by sheet name."""
    tables: dict[str, Table] = {}
    workbooks = [f for f in files if f[0].lower().endswith(".xlsx")]
    if workbooks and len(files) > 1:
        out.add(
            workbooks[0][0],
            None,
            None,
            Message("import_upload_one_xlsx_workbook_csv"),
        )
        return tables
    for name, data in files:
        try:
            if name.lower().endswith(".xlsx"):
                for table in read_xlsx(data):
                    key = table.source.strip().lower()
                    if key not in SHEETS_BY_NAME:
                        out.add(
                            table.source,
                            None,
                            None,
                            Message(
                                "import_unknown_sheet_sheets_are_names",
                                names=", ".join(s.name for s in SHEETS),
                            ),
                        )
                    elif key in tables:
                        out.add(table.source, None, None, Message("import_sheet_appears_twice"))
                    else:
                        tables[key] = table
                continue
            if not name.lower().endswith(".csv"):
                out.add(name, None, None, Message("import_only_csv_xlsx_files_can"))
                continue
            table = read_csv(name, data)
        except FileFormatError as exc:
            out.add(name, None, None, Message("import_file_cannot_read_reason", reason=exc.message))
            continue
        sheet = sheet_for_header(table.header)
        if sheet is None:
            out.add(
                name,
                1,
                None,
                Message(
                    "import_header_row_matches_none_tables", names=", ".join(s.name for s in SHEETS)
                ),
            )
        elif sheet.name in tables:
            out.add(
                name,
                None,
                None,
                Message(
                    "import_both_first_second_hold_sheet",
                    first=tables[sheet.name].source,
                    second=name,
                    sheet=sheet.name,
                ),
            )
        else:
            tables[sheet.name] = table
    if not out.problems and PILOTS.name not in tables:
        out.add(
            files[0][0] if files else "-",
            None,
            None,
            Message("import_there_no_pilots_table_pilots"),
        )
    return tables


def _check_header(sheet: Sheet, table: Table, out: _Collector) -> bool:
    """Unknown, repeated and missing columns; False when rows cannot be read."""
    seen: set[str] = set()
    readable = True
    for index, name in enumerate(table.header):
        if name == "":
            out.add(table.source, 1, column_letters(index), Message("import_column_has_no_name"))
        elif name in seen:
            out.add(table.source, 1, name, Message("import_column_appears_twice"))
            readable = False
        elif sheet.column(name) is None:
            out.add(
                table.source,
                1,
                name,
                Message(
                    "import_unknown_column_columns_sheet_are",
                    sheet=sheet.name,
                    names=", ".join(sheet.header),
                ),
            )
        seen.add(name)
    for column in sheet.columns:
        if column.required and column.name not in seen:
            out.add(table.source, 1, column.name, Message("import_column_missing"))
            readable = False
    return readable


# --- cells -------------------------------------------------------------------------------


class CellError(DomainError):
    """A cell value that cannot be read as its column's kind."""


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def parse_cell(column: str, kind: str, value: Any) -> Any:
    """A cell as the domain value of its column; None when empty. Raises CellError."""
    if value is None:
        return None
    parser = _PARSERS.get(kind)
    if parser is None:
        raise AssertionError(f"unknown column kind {kind}")
    return parser(column, value)


def _parse_uid(_column: str, value: Any) -> str:
    text = _as_text(value).strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise CellError(Message("import_value_not_uid_uuid_export", value=text)) from None


def _parse_enum(column: str, value: Any) -> Any:
    enum_cls = ENUMS[column]
    text = _as_text(value).strip().lower()
    try:
        return enum_cls(text)
    except ValueError:
        raise CellError(
            Message(
                "import_value_not_one_allowed",
                value=_as_text(value),
                allowed=", ".join(m.value for m in enum_cls),  # type: ignore[attr-defined]
            )
        ) from None


def _parse_goals(_column: str, value: Any) -> list[Goal]:
    goals = []
    for word in re.split(r"[\s,;]+", _as_text(value).strip().lower()):
        if not word:
            continue
        try:
            goals.append(Goal(word))
        except ValueError:
            raise CellError(
                Message(
                    "import_value_not_strategic_goal_goals",
                    value=word,
                    allowed=", ".join(g.value for g in Goal),
                )
            ) from None
    return goals


def _parse_code(_column: str, value: Any) -> str:
    text = _as_text(value).strip()
    if isinstance(value, int | Decimal) and text.isdigit() and len(text) < 3:
        text = text.zfill(3)  # 91 is what a spreadsheet makes of 091
    if not re.fullmatch(r"[0-9]{3}", text):
        raise CellError(Message("import_municipality_code_shape"))
    return text


def _parse_money(_column: str, value: Any) -> int:
    if isinstance(value, bool | date):
        raise CellError(Message("import_amount_format"))
    try:
        return parse_eur(value)
    except MoneyError as exc:
        raise CellError(exc.message) from None


def _parse_signed_money(column: str, value: Any) -> int:
    if isinstance(value, bool | date):
        raise CellError(Message("import_amount_format"))
    negative = False
    if isinstance(value, str):
        value = value.strip()
        negative = value.startswith(("-", "\u2212"))
        value = value[1:] if negative else value
    elif isinstance(value, int | Decimal) and value < 0:
        negative, value = True, -value
    cents = _parse_money(column, value)
    return -cents if negative else cents


def _parse_percent(_column: str, value: Any) -> Decimal:
    if isinstance(value, bool | date):
        raise CellError(Message("import_percentage_format"))
    try:
        return cents_to_decimal(parse_hundredths(value, 100 * 100))
    except MoneyError as exc:
        if exc.reason in ("negative", "too_large"):
            raise CellError(Message("import_percentage_range")) from None
        raise CellError(exc.message) from None


def _parse_number(column: str, value: Any) -> Decimal:
    if isinstance(value, bool | date):
        raise CellError(Message("import_number_format"))
    try:
        return parse_value(value, column)
    except PilotValidationError as exc:
        raise CellError(joined_messages(exc.errors[column])) from None


def _parse_int(_column: str, value: Any) -> int:
    text = _as_text(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]+(\.0*)?", text):
        raise CellError(Message("import_whole_number"))
    return int(Decimal(text))


def _parse_bool(_column: str, value: Any) -> bool:
    text = _as_text(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(Message("import_boolean"))


def _parse_email(_column: str, value: Any) -> str:
    address = normalise_email(_as_text(value))
    if address is None:
        raise CellError(Message("import_not_an_email", value=_as_text(value)))
    return address


def _parse_json(_column: str, value: Any) -> dict[str, Any]:
    try:
        data = json.loads(_as_text(value))
    except ValueError:
        raise CellError(Message("import_snapshot_not_valid_json")) from None
    if not isinstance(data, dict):
        raise CellError(Message("import_snapshot_must_json_object"))
    return data


def _parse_date(_column: str, value: Any) -> date:
    if isinstance(value, datetime):
        raise CellError(Message("import_date_has_time"))
    if isinstance(value, date):
        return value
    text = _as_text(value).strip()
    match = _ISO_DATE.fullmatch(text)
    parts = (match[1], match[2], match[3]) if match else None
    if parts is None and (match := _FINNISH_DATE.fullmatch(text)):
        parts = (match[3], match[2], match[1])
    if parts is not None:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise CellError(Message("import_not_a_date", value=text))


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "uid": _parse_uid,
    "text": lambda _column, value: value if isinstance(value, str) else _as_text(value),
    "ref": lambda _column, value: (value if isinstance(value, str) else _as_text(value)).strip(),
    "enum": _parse_enum,
    "list": _parse_goals,
    "code": _parse_code,
    "money": _parse_money,
    "signed_money": _parse_signed_money,
    "percent": _parse_percent,
    "number": _parse_number,
    "int": _parse_int,
    "date": _parse_date,
    "bool": _parse_bool,
    "email": _parse_email,
    "json": _parse_json,
}


@dataclass
class Record:
    """A parsed row: its row number and the values of the columns it has."""

    source: str
    row: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def get(self, column: str, default: Any = None) -> Any:
        value = self.values.get(column)
        return default if value is None else value

    @property
    def clean(self) -> bool:
        return not self.bad


def _parse_table(sheet: Sheet, table: Table, out: _Collector) -> list[Record]:
    records = []
    # Each column's parser looked up once per sheet, not once per cell (parse_cell's work).
    parsers = [(c, _PARSERS[c.kind]) for c in sheet.columns if not c.derived]
    for row, raw in iter_records(table):
        record = Record(table.source, row, {})
        if "" in raw:
            out.add(table.source, row, None, Message("import_row_has_more_cells_than"))
            record.bad.add("")
        for column, parser in parsers:
            if column.name not in raw:
                continue
            value = raw[column.name]
            try:
                record.values[column.name] = None if value is None else parser(column.name, value)
            except CellError as exc:
                out.add(table.source, row, column.name, exc.message)
                record.bad.add(column.name)
                continue
            if column.required and record.values[column.name] in (None, ""):
                out.add(table.source, row, column.name, Message("import_cell_required"))
                record.bad.add(column.name)
        records.append(record)
    return records


def _flag(out: _Collector, record: Record, column: str, message: str) -> None:
    out.add(record.source, record.row, column, message)
    record.bad.add(column)


# --- checking across rows ----------------------------------------------------------------


@dataclass
class PilotPlan:
    """A pilot row with everything that hangs off it in the file."""

    record: Record
    participants: list[Record] = field(default_factory=list)
    kpis: list[Record] = field(default_factory=list)
    measurements: list[Record] = field(default_factory=list)
    status_updates: list[Record] = field(default_factory=list)
    decisions: list[Record] = field(default_factory=list)
    costs: list[Record] = field(default_factory=list)
    municipal_decisions: list[Record] = field(default_factory=list)
    follow_up_items: list[Record] = field(default_factory=list)
    follow_up_comments: list[Record] = field(default_factory=list)
    lessons: list[Record] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return str(self.record.values["ref"])


@dataclass
class _Existing:
    """The rows of the database that the file names by uid (child rows with their pilot's
    id), loaded in one query per table."""

    pilots: dict[str, Pilot] = field(default_factory=dict)
    kpis: dict[str, Kpi] = field(default_factory=dict)
    measurements: dict[str, tuple[Measurement, int]] = field(default_factory=dict)
    status_updates: dict[str, StatusUpdate] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    costs: dict[str, CostEntry] = field(default_factory=dict)
    municipal_decisions: dict[str, MunicipalDecision] = field(default_factory=dict)
    follow_up_items: dict[str, FollowUpItem] = field(default_factory=dict)
    follow_up_comments: dict[str, tuple[FollowUpComment, int]] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)

    def pilot_of(self, table: str, uid: str) -> int | None:
        """The id of the pilot a child row of the database belongs to, or None if no row."""
        if table in JOINT_UID_TABLES:
            return self.joint_pilot_of(table, uid)
        if table == "kpis":
            return self.kpis[uid].pilot_id if uid in self.kpis else None
        if table == "measurements":
            return self.measurements[uid][1] if uid in self.measurements else None
        if table == "status_updates":
            return self.status_updates[uid].pilot_id if uid in self.status_updates else None
        if table == "costs":
            return self.costs[uid].pilot_id if uid in self.costs else None
        return self.decisions[uid].pilot_id if uid in self.decisions else None

    def joint_pilot_of(self, table: str, uid: str) -> int | None:
        if table == "follow_up_comments":
            return self.follow_up_comments[uid][1] if uid in self.follow_up_comments else None
        rows: dict[str, Any] = getattr(self, table)
        return rows[uid].pilot_id if uid in rows else None


@dataclass
class _Context:
    codes: set[str]
    vendors: dict[str, Vendor]
    users: dict[str, User]
    today: date
    new_vendors: dict[str, tuple[str, Record]] = field(default_factory=dict)
    existing: _Existing = field(default_factory=_Existing)


def _limit(out: _Collector, record: Record, column: str, limit: int) -> None:
    value = record.values.get(column)
    if isinstance(value, str) and len(value.strip()) > limit:
        _flag(out, record, column, Message("at_most_characters", limit=limit))


def _check_user(out: _Collector, record: Record, column: str, ctx: _Context) -> None:
    email = record.values.get(column)
    if email and email not in ctx.users:
        _flag(
            out,
            record,
            column,
            Message("import_no_user_with_email", email=email),
        )


def _flag_errors(
    out: _Collector,
    record: Record,
    errors: dict[str, list[str]],
    columns: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """A service's refusals of a row, each at its column: `columns` names, per field, the
    column to flag and then any others its rule reads (the field's own name by default).
    A refusal that reads a cell already found bad is left out (it judged a stand-in)."""
    for key, messages in errors.items():
        column, *reads = (columns or {}).get(key, (key,))
        if (record.bad & {column, *reads}) or out.has(record.source, record.row, column):
            continue
        _flag(out, record, column, joined_messages(messages))


# The pilot service's fields as the pilot row's columns, with the other columns each rule reads.
PILOT_RULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "track": ("track", "theme"),
    "lead_municipality": ("lead_municipality",),
    "budget_cents": ("budget_eur",),
    "external_funding_cents": ("external_funding_eur", "budget_eur"),
    "estimated_annual_savings_cents": ("estimated_annual_savings_eur",),
    "end_date": ("end_date", "start_date"),
}


def _check_pilot_fields(plan: PilotPlan, out: _Collector) -> None:
    """The pilot service's own rules of the row's fields (services/pilots.field_errors), as
    it will apply them to the pilot the row makes; its participants are checked row by row
    below, and a lead among them only when there are any."""
    r = plan.record
    codes = [p.values["municipality_code"] for p in plan.participants if p.get("municipality_code")]
    data = PilotData(
        name=r.get("name", ""),
        summary=r.get("summary", ""),
        theme=r.get("theme", next(iter(Theme))),  # a bad theme: its rule is left out
        track=r.get("track"),
        lead_municipality=r.get("lead_municipality", ""),
        participants=list(dict.fromkeys(codes)),
        budget_cents=r.get("budget_eur", 0),
        external_funding_cents=r.get("external_funding_eur", 0),
        estimated_annual_savings_cents=r.get("estimated_annual_savings_eur", 0),
        external_funding_rate_percent=r.get("external_funding_rate_percent"),
        start_date=r.get("start_date"),
        end_date=r.get("end_date"),
        language=_language(r),
    )
    errors = field_errors(data)
    errors.pop("participants", None)
    if not plan.participants:
        errors.pop("lead_municipality", None)
    _flag_errors(out, r, errors, PILOT_RULE_COLUMNS)


def _language(r: Record) -> str:
    return str(r.get("language", "fi")).strip().lower()


def _check_pilot(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    r = plan.record
    lead = r.get("lead_municipality")
    if lead and lead not in ctx.codes:  # first: an unknown code is no participant either
        _flag(out, r, "lead_municipality", Message("unknown_municipality_code", code=lead))
    _check_pilot_fields(plan, out)
    _check_vendor(r, out, ctx)
    email = r.get("coordinator_email")
    if email and email in ctx.users and ctx.users[email].role not in (Role.COORDINATOR, Role.ADMIN):
        _flag(out, r, "coordinator_email", Message("import_not_a_coordinator", email=email))
    _check_user(out, r, "coordinator_email", ctx)
    _check_participants(plan, out, ctx)


def _check_vendor(r: Record, out: _Collector, ctx: _Context) -> None:
    raw_id, name = r.get("vendor_business_id"), str(r.get("vendor_name", "")).strip()
    if raw_id is None:
        if name:
            _flag(
                out,
                r,
                "vendor_business_id",
                Message("import_name_vendor_business_id_y"),
            )
        return
    error = business_id_error(raw_id)
    if error is not None:
        _flag(out, r, "vendor_business_id", error)
        return
    business_id = normalise_business_id(raw_id)
    r.values["vendor_business_id"] = business_id
    if business_id in ctx.vendors:
        return
    if not name:
        _flag(
            out,
            r,
            "vendor_name",
            Message("import_new_vendor_needs_name", id=business_id),
        )
    elif business_id in ctx.new_vendors and ctx.new_vendors[business_id][0] != name:
        first = ctx.new_vendors[business_id][1]
        _flag(
            out,
            r,
            "vendor_name",
            Message(
                "import_row_row_names_new_vendor",
                row=first.row,
                id=business_id,
                name=ctx.new_vendors[business_id][0],
            ),
        )
    else:
        ctx.new_vendors.setdefault(business_id, (name, r))


def _check_participants(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    r = plan.record
    if not plan.participants:
        _flag(
            out,
            r,
            "ref",
            Message("import_no_participants_participants_table_has", ref=plan.ref),
        )
        return
    codes: dict[str, Record] = {}
    for p in plan.participants:
        code = p.get("municipality_code")
        if code is None:
            continue
        if code in codes:
            _flag(
                out,
                p,
                "municipality_code",
                Message("import_code_already_participant_row_row", code=code, row=codes[code].row),
            )
        elif code not in ctx.codes:
            _flag(out, p, "municipality_code", Message("unknown_municipality_code", code=code))
        codes.setdefault(code, p)
    _check_membership(plan, out, ctx)
    if "split_method" not in r.bad:
        _check_manual_percentages(plan, codes, out)


def _check_manual_percentages(plan: PilotPlan, codes: dict[str, Record], out: _Collector) -> None:
    """A manual split's percentages are on the participants' rows: one on each current
    participant's row and on no other, adding up to 100 % (at the first row)."""
    if plan.record.get("split_method", SplitMethod.EQUAL) is not SplitMethod.MANUAL:
        for p in plan.participants:
            if p.get("manual_percent") is not None:
                _flag(
                    out,
                    p,
                    "manual_percent",
                    Message("import_manual_percentages_are_only_split"),
                )
        return
    # The planned cost is split among the current participants: those that left have none.
    current = [p for p in plan.participants if p.get("left_on") is None]
    for p in plan.participants:
        if p.get("left_on") is not None and p.get("manual_percent") is not None:
            _flag(out, p, "manual_percent", Message("import_municipality_that_has_left_has"))
    missing = [p for p in current if p.get("manual_percent") is None]
    for p in missing:
        if "manual_percent" not in p.bad:
            _flag(out, p, "manual_percent", Message("import_manual_split_needs_percentage_here"))
    if missing or any("manual_percent" in p.bad for p in plan.participants):
        return
    try:
        parse_manual_percentages(
            {c: p.values["manual_percent"] for c, p in codes.items() if p.get("left_on") is None}
        )
    except CostSplitError as exc:
        _flag(out, plan.participants[0], "manual_percent", exc.message)


def _check_membership(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    """Membership over time: a participant joins (`joined_on`, empty for the founders) and
    leaves (`left_on`) by its own decision, dated today or earlier; the lead cannot leave."""
    lead = plan.record.get("lead_municipality")
    for p in plan.participants:
        joined, left = p.get("joined_on"), p.get("left_on")
        for column, day in (("joined_on", joined), ("left_on", left)):
            if day is not None and day > ctx.today:
                _flag(out, p, column, Message("decision_in_future"))
        if left is None or p.bad & {"joined_on", "left_on"}:
            continue
        if p.get("municipality_code") == lead:
            _flag(
                out,
                p,
                "left_on",
                Message("lead_cannot_leave"),
            )
        elif joined is not None and left <= joined:
            _flag(out, p, "left_on", Message("leave_before_joining"))


def _check_kpis(plan: PilotPlan, out: _Collector) -> dict[str, Record]:
    refs: dict[str, Record] = {}
    for k in plan.kpis:
        ref = k.get("kpi_ref")
        if ref is not None and ref in refs:
            _flag(
                out,
                k,
                "kpi_ref",
                Message("import_ref_already_kpi_pilot_row", ref=ref, row=refs[ref].row),
            )
        elif ref is not None:
            refs[ref] = k
        errors = kpi_errors(
            k.get("name", ""),
            k.get("unit", ""),
            k.get("baseline", Decimal(0)),
            k.get("target", Decimal(1)),
            k.get("direction", Direction.INCREASE),
        )
        _flag_errors(out, k, errors, {"target": ("target", "baseline", "direction")})
    return refs


def _check_children(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    kpi_refs = _check_kpis(plan, out)
    _check_measurements(plan, kpi_refs, out, ctx)
    _check_status_updates(plan, out, ctx)
    _check_decisions(plan, kpi_refs, out, ctx)
    for c in plan.costs:
        _check_user(out, c, "recorded_by_email", ctx)
    _check_stages(plan, out)
    _check_joint(plan, out, ctx)


def _check_measurements(
    plan: PilotPlan, kpi_refs: dict[str, Record], out: _Collector, ctx: _Context
) -> None:
    """Each measurement names a KPI of its pilot in the file, by the reporting service's
    rules (services/reporting.measurement_errors) otherwise."""
    for m in plan.measurements:
        ref = m.get("kpi_ref")
        if ref is not None and ref not in kpi_refs:
            _flag(
                out,
                m,
                "kpi_ref",
                Message("import_pilot_has_no_kpi_ref", pilot=plan.ref, ref=ref),
            )
        errors = measurement_errors(m.get("date", ctx.today), m.get("note", ""), ctx.today)
        _flag_errors(out, m, errors)
        _check_user(out, m, "recorded_by_email", ctx)


def _check_status_updates(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    """Each status update by the reporting service's rules (status_update_errors)."""
    for s in plan.status_updates:
        errors = status_update_errors(
            s.get("date", ctx.today), s.get("progress_percent", 0), s.get("text", "-"), ctx.today
        )
        _flag_errors(out, s, errors)
        _check_user(out, s, "author_email", ctx)


def _check_decisions(
    plan: PilotPlan, kpi_refs: dict[str, Record], out: _Collector, ctx: _Context
) -> None:
    """Each decision by the decision service's rules of its fields (decision_errors); its
    snapshot names KPIs of its pilot in the file."""
    for d in plan.decisions:
        day = d.get("date", ctx.today)
        errors = decision_errors(
            day, d.get("decided_by", "-"), d.get("rationale", "-"), d.get("next_review"), ctx.today
        )
        _flag_errors(out, d, errors, {"next_review": ("next_review", "date")})
        _check_user(out, d, "recorded_by_email", ctx)
        for kpi in (d.get("snapshot") or {}).get("kpis") or []:
            ref = kpi.get("id") if isinstance(kpi, dict) else None
            if ref is not None and ref not in kpi_refs:
                _flag(
                    out,
                    d,
                    "snapshot",
                    Message("import_snapshot_names_kpi_ref_which", ref=ref, pilot=plan.ref),
                )
                break


# --- the joint life of a pilot: checks ---------------------------------------------------


def _check_joint(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    _check_municipal_decisions(plan, out, ctx)
    item_refs = _check_follow_up_items(plan, out)
    for c in plan.follow_up_comments:
        ref = c.get("item_ref")
        if ref is not None and ref not in item_refs:
            _flag(
                out,
                c,
                "item_ref",
                Message("import_pilot_has_no_follow_up", pilot=plan.ref, ref=ref),
            )
        _flag_errors(out, c, comment_errors(c.get("text", "")), {"comment": ("text",)})
        _check_user(out, c, "author_email", ctx)
    stage = plan.record.get("stage", Stage.IDEA)
    for lesson in plan.lessons:
        errors = lesson_errors(
            lesson.get("text", "-"), lesson.get("decision_uid") is not None, stage
        )
        _flag_errors(out, lesson, errors, {"lesson": ("text",)})
        _check_user(out, lesson, "recorded_by_email", ctx)


def _check_municipal_decisions(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    """Each row as the app checks a municipal decision, and the membership it made: a
    participant's no_go made it leave that day (its left_on), a municipality outside the
    participants can only be a newcomer at scale_up that did not say go (a go made it join)."""
    members = {
        p.values["municipality_code"]: p for p in plan.participants if p.get("municipality_code")
    }
    lead = plan.record.get("lead_municipality")
    for d in plan.municipal_decisions:
        code = d.get("municipality_code")
        if code is not None and code not in ctx.codes:
            _flag(out, d, "municipality_code", Message("unknown_municipality_code", code=code))
        clean, errors = municipal_decision_fields(
            d.get("date", ctx.today),
            d.get("section", ""),
            d.get("minutes_url", ""),
            d.get("note", ""),
            ctx.today,
        )
        d.values.update(clean)  # as the service keeps them
        _flag_errors(out, d, errors)
        _check_user(out, d, "recorded_by_email", ctx)
        if d.bad & {"municipality_code", "gate", "outcome", "date"}:
            continue
        member = members.get(code)
        gate, outcome, day = d.values["gate"], d.values["outcome"], d.values["date"]
        if member is None:
            if gate is not Gate.SCALE_UP or outcome is Outcome.GO:
                _flag(
                    out,
                    d,
                    "municipality_code",
                    Message("import_code_not_participants_table_pilot", code=code, pilot=plan.ref),
                )
        elif outcome is Outcome.NO_GO and code == lead:
            _flag(
                out,
                d,
                "outcome",
                Message("lead_cannot_leave"),
            )
        elif outcome is Outcome.NO_GO and member.get("left_on") != day:
            _flag(
                out,
                d,
                "outcome",
                Message("import_no_go_makes_municipality_leave", code=code, date=day.isoformat()),
            )


def _check_follow_up_items(plan: PilotPlan, out: _Collector) -> set[str]:
    """The items' refs; each item as the app checks it: an owner municipality is a current
    participant and only a municipality owner names one; a vendor owner needs the vendor."""
    refs: dict[str, Record] = {}
    current = {
        p.values["municipality_code"]
        for p in plan.participants
        if p.get("municipality_code") and p.get("left_on") is None
    }
    for item in plan.follow_up_items:
        ref = item.get("item_ref")
        if ref is not None and ref in refs:
            _flag(
                out,
                item,
                "item_ref",
                Message("import_ref_already_used_row_row", ref=ref, row=refs[ref].row),
            )
        elif ref is not None:
            refs[ref] = item
        _flag_errors(out, item, item_text_errors(item.get("title", "-"), item.get("description")))
        owner = item.get("owner")
        if owner is None:
            continue
        errors = owner_errors(
            Owner(owner, item.get("owner_municipality_code")),
            current,
            has_vendor=plan.record.get("vendor_business_id") is not None,
        )
        for message in errors.get("owner", []):
            # The service answers for the owner; the file has its kind and its municipality.
            vendor = getattr(message, "code", None) == "no_vendor_to_own"
            column = "owner" if vendor else "owner_municipality_code"
            _flag_errors(out, item, {column: [message]}, {column: (column, "owner")})
    return set(refs)


def _check_identities(plans: list[PilotPlan], out: _Collector, ctx: _Context) -> None:
    """Each uid once per table; a child row's uid, if the database has it, of the same pilot."""
    seen: dict[str, dict[str, Record]] = {}
    for plan in plans:
        records: list[tuple[str, Record]] = [("pilots", plan.record)]
        records += [(t, r) for t in (*UID_TABLES, *JOINT_UID_TABLES) for r in getattr(plan, t)]
        pilot = ctx.existing.pilots.get(plan.record.get("uid") or "")
        for table, r in records:
            uid = r.get("uid")
            if uid is None:
                continue
            first = seen.setdefault(table, {}).get(uid)
            if first is not None:
                _flag(out, r, "uid", Message("import_uid_already_row_row", row=first.row))
                continue
            seen[table][uid] = r
            if table == "pilots":
                continue
            owner = ctx.existing.pilot_of(table, uid)
            if owner is not None and (pilot is None or owner != pilot.id):
                _flag(
                    out,
                    r,
                    "uid",
                    Message("import_uid_belongs_row_another_pilot"),
                )


def _sorted_by_date(records: list[Record], column: str = "date") -> list[Record]:
    return sorted(records, key=lambda r: (r.get(column) or date.min, r.row))


def _check_stages(plan: PilotPlan, out: _Collector) -> None:
    """Replay the stage rules over the decisions, oldest first, then up to the pilot's stage."""
    r = plan.record
    if "stage" in r.bad:
        return
    stage: Stage = r.get("stage", Stage.IDEA)
    columns = ("date", "gate", "outcome", "stage_before", "stage_after")
    decisions = _sorted_by_date(plan.decisions)
    if any(d.bad & set(columns) for d in decisions):
        return
    previous: Stage | None = None
    for d in decisions:
        before, after = d.values["stage_before"], d.values["stage_after"]
        if previous is not None:
            try:
                check_plain_update(previous, before)
            except TransitionError as exc:
                _flag(
                    out,
                    d,
                    "stage_before",
                    Message(
                        "import_previous_decision_left_pilot_stage",
                        stage=previous.value,
                        reason=exc.message,
                    ),
                )
                return
        back = d.values["outcome"] is Outcome.CONTINUE and after is Stage.PLANNING
        try:
            allowed = rule_stage_after(before, d.values["gate"], d.values["outcome"], back)
        except TransitionError as exc:
            _flag(out, d, "outcome", exc.message)
            return
        if allowed is not after:
            _flag(
                out,
                d,
                "stage_after",
                Message(
                    "import_stage_rules_decision_takes_pilot",
                    before=before.value,
                    allowed=allowed.value,
                    after=after.value,
                ),
            )
            return
        previous = after
    if previous is None:
        if stage in FINAL:
            _flag(
                out,
                r,
                "stage",
                Message(
                    "import_pilot_stage_only_through_decision", stage=stage.value, ref=plan.ref
                ),
            )
        return
    try:
        check_plain_update(previous, stage)
    except TransitionError as exc:
        _flag(
            out,
            r,
            "stage",
            Message(
                "import_last_decision_left_pilot_stage", stage=previous.value, reason=exc.message
            ),
        )


# --- writing -----------------------------------------------------------------------------

PILOT_FIELDS = {
    "name": "name",
    "summary": "summary",
    "language": "language",
    "theme": "theme",
    "track": "track",
    "stage": "stage",
    "goals": "goals",
    "lead_municipality": "lead_municipality",
    "participants": "lead_municipality",
    "split_method": "split_method",
    "cost_split": "split_method",
    "manual_shares": "split_method",
    "budget_cents": "budget_eur",
    "external_funding_cents": "external_funding_eur",
    "estimated_annual_savings_cents": "estimated_annual_savings_eur",
    "vendor_id": "vendor_business_id",
    "coordinator_id": "coordinator_email",
    "start_date": "start_date",
    "end_date": "end_date",
    "is_public": "public",
}


# The vendor service's fields as the pilot row's columns (a new vendor is named there).
VENDOR_FIELDS = {"name": "vendor_name", "business_id": "vendor_business_id"}


def _user_id(ctx: _Context, email: str | None) -> int | None:
    user = ctx.users.get(email or "")
    return user.id if user else None


class _Writer:
    """Creates the checked rows through the services, or updates the pilots the database
    already has (by uid); their refusals become problems."""

    def __init__(self, ctx: _Context, out: _Collector) -> None:
        self.ctx = ctx
        self.out = out
        self.vendors = dict(ctx.vendors)
        self.warnings: list[ImportWarning] = []
        self.outcomes: list[PilotOutcome] = []

    def refused(
        self, record: Record, exc: PilotValidationError, fields: dict[str, str] | None = None
    ) -> None:
        for key, messages in exc.errors.items():
            column = (fields or {}).get(key, key if key in record.values else None)
            if column is None or not self.out.has(record.source, record.row, column):
                self.out.add(record.source, record.row, column, joined_messages(messages))

    def warn(self, record: Record, found: list[Finding]) -> None:
        for w in found:
            self.warnings.append(
                ImportWarning(record.source, record.row, PILOT_FIELDS.get(w.field, w.field), w)
            )

    def write(self, plans: list[PilotPlan], progress: Progress | None) -> None:
        for business_id, (name, record) in sorted(self.ctx.new_vendors.items()):
            try:
                self.vendors[business_id] = create_vendor(name, business_id, commit=False)
            except PilotValidationError as exc:
                self.refused(record, exc, VENDOR_FIELDS)
        for plan in _track(plans, progress, Message("import_progress_pilots")):
            if not plan.record.clean or any(not p.clean for p in plan.participants):
                continue
            business_id = plan.record.get("vendor_business_id")
            if business_id and business_id not in self.vendors:
                continue
            existing = self.ctx.existing.pilots.get(plan.record.get("uid") or "")
            if existing is not None:
                self.update(plan, existing)
                continue
            pilot = self.pilot(plan)
            if pilot is None:
                continue
            outcome = PilotOutcome(plan.ref, pilot.name, created=True)
            self.founding_membership(plan, pilot)
            kpis = self.kpis(plan.kpis, pilot, outcome)
            self.measurements(plan.measurements, kpis, outcome)
            self.status_updates(plan.status_updates, pilot, outcome)
            if all(d.clean for d in plan.decisions):
                self.decisions(plan, plan.decisions, pilot, kpis, outcome)
            self.joint(plan, pilot, outcome)
            self.costs(plan, pilot, outcome)
            version = plan.record.get("version")
            if version is not None and version > 0 and pilot.version != version:
                # The pilot carries its version over, so that importing the same file again
                # finds it unchanged and its export is the file it came from.
                pilot.version = version
                db.session.flush()
            self.outcomes.append(outcome)

    def values(self, plan: PilotPlan, stage: Stage) -> dict[str, Any]:
        """The pilot row as the service's input (PilotData's fields)."""
        r = plan.record
        method = r.get("split_method", SplitMethod.EQUAL)
        business_id = r.get("vendor_business_id")
        # The pilot's participants are its current ones (see membership for those that left).
        current = [p for p in plan.participants if p.get("left_on") is None]
        manual = None
        if method is SplitMethod.MANUAL:
            manual = {p.values["municipality_code"]: p.values["manual_percent"] for p in current}
        return {
            "name": r.get("name", ""),
            "summary": r.get("summary", ""),
            "theme": r.values["theme"],
            "track": r.get("track"),
            "stage": stage,
            "goals": r.get("goals", []),
            "lead_municipality": r.values["lead_municipality"],
            "participants": [p.values["municipality_code"] for p in current],
            "split_method": method,
            "manual_shares": manual,
            "equal_percent": r.get("equal_percent") if method is SplitMethod.HYBRID else None,
            "external_funding_rate_percent": r.get("external_funding_rate_percent"),
            "budget_cents": r.get("budget_eur", 0),
            "external_funding_cents": r.get("external_funding_eur", 0),
            "estimated_annual_savings_cents": r.get("estimated_annual_savings_eur", 0),
            "vendor_id": self.vendors[business_id].id if business_id else None,
            "coordinator_id": _user_id(self.ctx, r.get("coordinator_email")),
            "start_date": r.get("start_date"),
            "end_date": r.get("end_date"),
            "is_public": r.get("public", False),
            "language": _language(r),
        }

    def pilot(self, plan: PilotPlan) -> Pilot | None:
        r = plan.record
        stage: Stage = r.get("stage", Stage.IDEA)
        decisions = _sorted_by_date(plan.decisions)
        # A final stage is reached by the last decision: create the pilot in the stage before.
        initial = decisions[-1].values["stage_before"] if stage in FINAL and decisions else stage
        try:
            saved = save_new_pilot(
                PilotData(**self.values(plan, initial), uid=r.get("uid")), commit=False
            )
        except PilotValidationError as exc:
            self.refused(r, exc, PILOT_FIELDS)
            return None
        self.warn(r, saved.warnings)
        return saved.pilot

    # --- a pilot the database has -------------------------------------------------------

    def update(self, plan: PilotPlan, pilot: Pilot) -> None:
        """Update a pilot from its row: a change based on an older version than the
        database's is a conflict (a problem on the row: nothing is overwritten)."""
        r = plan.record
        outcome = PilotOutcome(plan.ref, pilot.name)
        version = pilot.version  # before any membership change the file makes
        if not self.membership_changes(plan, pilot, outcome):
            return
        existing = self.ctx.existing
        new_decisions = [d for d in plan.decisions if d.get("uid") not in existing.decisions]
        changes = self.changes(plan, pilot, bool(new_decisions), outcome)
        if changes:
            if r.get("version") != version:
                _flag(
                    self.out,
                    r,
                    "version",
                    Message(
                        "import_pilot_was_changed_app_after",
                        now=version,
                        file=r.get("version", "–"),
                    ),
                )
                return
            try:
                saved = save_pilot_changes(pilot, changes, pilot.version, commit=False)
            except PilotValidationError as exc:
                self.refused(r, exc, PILOT_FIELDS)
                return
            self.warn(r, saved.warnings)
        if new_decisions and not self.continues(pilot, _sorted_by_date(new_decisions)[0]):
            return
        kpis = self.kpis(plan.kpis, pilot, outcome)
        self.measurements(plan.measurements, kpis, outcome)
        self.status_updates(plan.status_updates, pilot, outcome)
        if all(d.clean for d in plan.decisions):
            for d in plan.decisions:
                self.same_decision(d)
            if new_decisions:
                self.decisions(plan, new_decisions, pilot, kpis, outcome)
        self.joint(plan, pilot, outcome)
        self.costs(plan, pilot, outcome)
        outcome.kept = self.kept(plan, pilot)
        self.outcomes.append(outcome)

    def changes(
        self, plan: PilotPlan, pilot: Pilot, new_decisions: bool, outcome: PilotOutcome
    ) -> dict[str, Any]:
        """The pilot's fields the row changes (each noted in `outcome`); the stage only
        when no new decision moves it (the decisions do, checked over the file)."""
        current = data_from_pilot(pilot)
        wanted = PilotData(**self.values(plan, plan.record.get("stage", Stage.IDEA)))
        if wanted.track is None:
            wanted.track = default_track(wanted.theme) or current.track
        changes: dict[str, Any] = {}
        for key in WRITABLE:
            if key == "stage" and new_decisions:
                continue
            old, new = getattr(current, key), getattr(wanted, key)
            if not _same_value(key, old, new):
                changes[key] = new
                outcome.changes.append(
                    (CHANGE_COLUMNS.get(key, key), _shown(key, old), _shown(key, new))
                )
        return changes

    def continues(self, pilot: Pilot, first: Record) -> bool:
        """A new decision of a pilot the database has starts from the stage it has in the
        app (or one a plain update reaches); else it is a problem on the decision's row."""
        if "stage_before" in first.bad:
            return False
        try:
            check_plain_update(pilot.stage, first.values["stage_before"])
        except TransitionError as exc:
            _flag(
                self.out,
                first,
                "stage_before",
                Message(
                    "import_pilot_stage_app_reason", stage=pilot.stage.value, reason=exc.message
                ),
            )
            return False
        return True

    def same_decision(self, d: Record) -> None:
        """A decision the database has must be the same in the file: a decision is a record
        of what a body decided, with what it saw, not something to edit afterwards."""
        stored = self.ctx.existing.decisions.get(d.get("uid") or "")
        if stored is None:
            return
        file_values = (
            d.values["date"],
            d.values["gate"],
            d.values["outcome"],
            d.values["decided_by"].strip(),
            _lines(d.values["rationale"].strip()),
            _lines(d.get("follow_up", "").strip()),
            d.get("next_review"),
            d.values["stage_before"],
            d.values["stage_after"],
        )
        stored_values = (
            stored.decided_on,
            stored.gate,
            stored.outcome,
            stored.decided_by,
            _lines(stored.rationale),
            _lines(stored.follow_up),
            stored.next_review,
            stored.stage_before,
            stored.stage_after,
        )
        if file_values != stored_values:
            _flag(
                self.out,
                d,
                "uid",
                Message("import_decision_recorded_differently_app_recorded"),
            )

    def kept(self, plan: PilotPlan, pilot: Pilot) -> dict[str, int]:
        """The pilot's rows in the database that the file does not have (kept, not deleted)."""
        in_file = {t: {r.get("uid") for r in getattr(plan, t)} for t in UID_TABLES}
        queries = {
            "kpis": sa.select(Kpi.uid).where(Kpi.pilot_id == pilot.id),
            "measurements": sa.select(Measurement.uid).join(Kpi).where(Kpi.pilot_id == pilot.id),
            "status_updates": sa.select(StatusUpdate.uid).where(StatusUpdate.pilot_id == pilot.id),
            "decisions": sa.select(Decision.uid).where(Decision.pilot_id == pilot.id),
            "costs": sa.select(CostEntry.uid).where(CostEntry.pilot_id == pilot.id),
        }
        queries.update(_joint_uid_queries(pilot.id))
        in_file.update({t: {r.get("uid") for r in getattr(plan, t)} for t in JOINT_UID_TABLES})
        kept = {}
        for table, query in queries.items():
            missing = sum(1 for uid in db.session.scalars(query) if uid not in in_file[table])
            if missing:
                kept[table] = missing
        return kept

    # --- child rows ---------------------------------------------------------------------

    def kpis(self, records: list[Record], pilot: Pilot, outcome: PilotOutcome) -> dict[str, Kpi]:
        kpis: dict[str, Kpi] = {}
        for k in records:
            if not k.clean:
                continue
            definition = (
                k.values["name"],
                k.get("unit", ""),
                k.values["baseline"],
                k.values["target"],
                k.values["direction"],
                k.get("is_savings", False),
            )
            stored = self.ctx.existing.kpis.get(k.get("uid") or "")
            try:
                if stored is None:
                    kpis[k.values["kpi_ref"]] = add_kpi(
                        pilot, *definition, commit=False, uid=k.get("uid")
                    )
                    outcome.count("kpis", "created")
                else:
                    if update_kpi(stored, *definition, commit=False):
                        outcome.count("kpis", "updated")
                    kpis[k.values["kpi_ref"]] = stored
            except PilotValidationError as exc:
                self.refused(k, exc)
        return kpis

    # Measurements and status updates are the bulk of a portfolio: the new ones are written
    # by the service's bulk functions, in one flush per pilot instead of one per row.

    def measurements(
        self, records: list[Record], kpis: dict[str, Kpi], outcome: PilotOutcome
    ) -> None:
        created: list[tuple[Record, NewMeasurement]] = []
        changed: set[int] = set()
        for m in records:
            kpi = kpis.get(m.get("kpi_ref", ""))
            if kpi is None or not m.clean:
                continue
            stored = self.ctx.existing.measurements.get(m.get("uid") or "")
            if stored is None:
                item = NewMeasurement(
                    kpi=kpi,
                    measured_on=m.values["date"],
                    value=m.values["value"],
                    note=m.get("note", ""),
                    recorded_by_id=_user_id(self.ctx, m.get("recorded_by_email")),
                    uid=m.get("uid"),
                )
                created.append((m, item))
                continue
            values = {
                "kpi_id": kpi.id,
                "measured_on": m.values["date"],
                "value": m.values["value"],
                "note": m.get("note", "").strip(),
                "recorded_by_id": _user_id(self.ctx, m.get("recorded_by_email")),
            }
            if self.changed_row(stored[0], values, "measurement", kpi.pilot_id):
                outcome.count("measurements", "updated")
                changed.add(kpi.id)
        if changed:
            db.session.flush()
            for kpi in kpis.values():
                if kpi.id in changed:
                    refresh_latest(kpi)
        if not created:
            return
        try:
            add_measurements([item for _m, item in created], today=self.ctx.today, commit=False)
        except RowsValidationError as exc:
            self.refused_rows([m for m, _item in created], exc)
            return
        outcome.count("measurements", "created", len(created))

    def refused_rows(self, records: list[Record], exc: RowsValidationError) -> None:
        """A bulk service function's refusals, each at its row (by position in `records`)."""
        for index, errors in exc.rows.items():
            _flag_errors(self.out, records[index], errors)

    def changed_row(self, row: Any, values: dict[str, Any], entity: str, pilot_id: int) -> bool:
        """Update a stored child row to `values` (audited like an edit); False if the same.
        Text is compared by its line breaks' meaning (a workbook writes CR LF as LF), numbers
        by their value (0 and 0.0000 are the same)."""
        differs = {
            key: value
            for key, value in values.items()
            if (_lines(value) if isinstance(value, str) else value)
            != (_lines(getattr(row, key)) if isinstance(value, str) else getattr(row, key))
        }
        if not differs:
            return False
        before = audit.row_values(row)
        for key, value in differs.items():
            setattr(row, key, value)
        db.session.flush()
        audit.record(
            "update", entity, row.id, old=before, new=audit.row_values(row), pilot_id=pilot_id
        )
        return True

    def status_updates(self, records: list[Record], pilot: Pilot, outcome: PilotOutcome) -> None:
        created: list[tuple[Record, NewStatusUpdate]] = []
        changed = False
        for s in records:
            if not s.clean:
                continue
            stored = self.ctx.existing.status_updates.get(s.get("uid") or "")
            if stored is None:
                item = NewStatusUpdate(
                    rag=s.values["rag"],
                    progress_percent=s.values["progress_percent"],
                    text=s.values["text"],
                    reported_on=s.values["date"],
                    author_id=_user_id(self.ctx, s.get("author_email")),
                    uid=s.get("uid"),
                )
                created.append((s, item))
                continue
            values = {
                "reported_on": s.values["date"],
                "rag": s.values["rag"],
                "progress_percent": s.values["progress_percent"],
                "text": s.values["text"].strip(),
                "author_id": _user_id(self.ctx, s.get("author_email")),
            }
            if self.changed_row(stored, values, "status_update", pilot.id):
                outcome.count("status_updates", "updated")
                changed = True
        if changed:
            _mirror_newest_status(pilot)
        if not created:
            return
        try:
            add_status_updates(
                pilot, [item for _s, item in created], today=self.ctx.today, commit=False
            )
        except RowsValidationError as exc:
            self.refused_rows([s for s, _item in created], exc)
            return
        outcome.count("status_updates", "created", len(created))

    def costs(self, plan: PilotPlan, pilot: Pilot, outcome: PilotOutcome) -> None:
        """Cost entries through the costs service, oldest first (funding is used up in
        that order, whatever the file's order).

        A row is the entry its uid names, if the database has it: updated if it differs
        (date, amount, kind, reference, description), else left alone. A row without a uid
        is an entry of the pilot with the same date, amount, kind, reference and
        description that no other row names (so importing the same file again changes
        nothing), else a new entry; so is a row with a uid the database does not have.
        """
        from pilot_tracker.services.costs import (
            CostData,
            CostValidationError,
            load_entry,
            record_cost,
            update_cost,
        )

        rows = [c for c in plan.costs if c.clean]
        named = {c.get("uid") for c in rows if c.get("uid")}
        claimed = {self.ctx.existing.costs[u].id for u in named if u in self.ctx.existing.costs}
        unnamed: dict[tuple[Any, ...], list[int]] = {}
        if any(not c.get("uid") for c in rows):
            for entry in db.session.scalars(
                sa.select(CostEntry)
                .where(CostEntry.pilot_id == pilot.id, CostEntry.id.not_in(claimed))
                .order_by(CostEntry.id)
            ):
                unnamed.setdefault(_cost_key(entry), []).append(entry.id)
        for c in sorted(rows, key=lambda r: (r.get("date") or date.min, r.row)):
            data = CostData(
                entry_date=c.values["date"],
                amount_cents=c.values["amount_eur"],
                kind=c.values["kind"],
                reference=c.get("reference", ""),
                description=c.get("description", ""),
            )
            stored = self.ctx.existing.costs.get(c.get("uid") or "")
            if stored is None and not c.get("uid"):
                same = unnamed.get(_cost_key(data))
                if same:
                    same.pop(0)  # this entry, as it is: nothing to do
                    continue
            try:
                if stored is None:
                    record_cost(
                        pilot,
                        data,
                        recorded_by_id=_user_id(self.ctx, c.get("recorded_by_email")),
                        commit=False,
                        uid=c.get("uid"),
                    )
                    outcome.count("costs", "created")
                    continue
                changes = _cost_changes(stored, data)
                if changes:
                    target = load_entry(stored.id)
                    assert target is not None
                    update_cost(target, changes, commit=False)
                    outcome.count("costs", "updated")
            except CostValidationError as exc:
                for key, messages in exc.errors.items():
                    for message in messages:
                        _flag(self.out, c, _COST_COLUMN.get(key, key), message)

    def decisions(
        self,
        plan: PilotPlan,
        records: list[Record],
        pilot: Pilot,
        kpis: dict[str, Kpi],
        outcome: PilotOutcome,
    ) -> None:
        ordered = _sorted_by_date(records)
        snapshots = _decision_snapshots(ordered, pilot, kpis)
        items = [
            DecisionRecord(
                gate=d.values["gate"],
                outcome=d.values["outcome"],
                decided_on=d.values["date"],
                decided_by=d.values["decided_by"],
                rationale=d.values["rationale"],
                stage_before=d.values["stage_before"],
                stage_after=d.values["stage_after"],
                snapshot=snapshot,
                follow_up=d.get("follow_up", ""),
                next_review=d.get("next_review"),
                recorded_by_id=_user_id(self.ctx, d.get("recorded_by_email")),
                uid=d.get("uid"),
            )
            for d, snapshot in zip(ordered, snapshots, strict=True)
        ]
        stage: Stage = plan.record.get("stage", Stage.IDEA)
        try:
            old = add_decision_records(
                pilot, items, stage=stage, today=self.ctx.today, commit=False
            )
        except RowsValidationError as exc:
            self.refused_rows(ordered, exc)
            return
        outcome.count("decisions", "created", len(items))
        if old is not None and not outcome.created:
            outcome.changes.append(("stage", old.value, stage.value))

    # --- the joint life of a pilot ----------------------------------------------------

    def founding_membership(self, plan: PilotPlan, pilot: Pilot) -> None:
        """A new pilot's membership over time: the participants' joined_on and left_on, and
        those that have left (with no planned share), audited with the old and new values."""
        dates = {
            p.values["municipality_code"]: (p.get("joined_on"), p.get("left_on"))
            for p in plan.participants
        }
        if not any(joined or left for joined, left in dates.values()):
            return
        before = pilot_values(pilot)
        by_code = {p.municipality_code: p for p in pilot.participations}
        for code, (joined, left) in sorted(dates.items()):
            participation = by_code.get(code)
            if participation is None:
                participation = Participation(municipality_code=code, share_cents=0)
                pilot.participations.append(participation)
            participation.joined_on, participation.left_on = joined, left
        db.session.flush()
        audit.record(
            "update", "pilot", pilot.id, old=before, new=pilot_values(pilot), pilot_id=pilot.id
        )

    def membership_changes(self, plan: PilotPlan, pilot: Pilot, outcome: PilotOutcome) -> bool:
        """A pilot the database has: a participant with a new left_on leaves on that day, a
        municipality new to the pilot with a joined_on joins on that day (as its decisions
        make it in the app: the shares are recomputed and audited). Any other change of the
        dates is a problem. False when the pilot cannot be updated."""
        stored = {p.municipality_code: p for p in pilot.participations}
        moves: list[tuple[date, str, str]] = []
        ok = True
        for p in plan.participants:
            code = p.values["municipality_code"]
            joined, left = p.get("joined_on"), p.get("left_on")
            have = stored.get(code)
            if have is None:
                if joined is not None:
                    moves.append((joined, "joining", code))
                if left is not None:
                    moves.append((left, "leaving", code))
                if left is not None and joined is None:
                    ok = self.membership_problem(p, "left_on", None)
                continue
            if (have.joined_on, have.left_on) == (joined, left):
                continue
            if have.joined_on == joined and have.left_on is None:
                moves.append((left, "leaving", code))
                continue
            column = "joined_on" if have.joined_on != joined else "left_on"
            ok = self.membership_problem(p, column, have)
        if not ok or not moves:
            return ok
        if plan.record.get("version") != pilot.version:
            _flag(
                self.out,
                plan.record,
                "version",
                Message(
                    "import_pilot_was_changed_app_after",
                    now=pilot.version,
                    file=plan.record.get("version", "–"),
                ),
            )
            return False
        for day, move, code in sorted(moves):
            try:
                change_membership(pilot, on=day, **{move: code})
            except PilotValidationError as exc:
                self.refused(plan.record, exc, {"municipality": "lead_municipality"})
                return False
            column = "joined_on" if move == "joining" else "left_on"
            outcome.changes.append((f"{column} {code}", "", day.isoformat()))
        return True

    def membership_problem(self, record: Record, column: str, have: Participation | None) -> bool:
        if have is None:
            message = Message("import_only_municipality_that_takes_part")
        else:
            message = Message(
                "import_app_code_takes_part_from",
                code=have.municipality_code,
                joined=have.joined_on.isoformat() if have.joined_on else "–",
                left=have.left_on.isoformat() if have.left_on else "–",
            )
        _flag(self.out, record, column, message)
        return False

    def joint(self, plan: PilotPlan, pilot: Pilot, outcome: PilotOutcome) -> None:
        """The pilot's municipal decisions, follow-up items with their comments and lessons:
        new rows created, known ones (by uid) updated, a municipal decision never changed."""
        if not (
            plan.municipal_decisions
            or plan.follow_up_items
            or plan.follow_up_comments
            or plan.lessons
        ):
            return
        decision_ids: dict[str, int] = {
            uid: decision_id
            for uid, decision_id in db.session.execute(
                sa.select(Decision.uid, Decision.id).where(Decision.pilot_id == pilot.id)
            )
        }
        self.municipal_decisions(plan.municipal_decisions, pilot, outcome)
        items = self.follow_up_items(plan.follow_up_items, pilot, decision_ids, outcome)
        self.follow_up_comments(plan.follow_up_comments, pilot, items, outcome)
        self.lessons(plan.lessons, pilot, decision_ids, outcome)

    def decision_id(self, record: Record, decision_ids: dict[str, int]) -> int | None:
        uid = record.get("decision_uid")
        if uid is None:
            return None
        if uid not in decision_ids:
            _flag(
                self.out,
                record,
                "decision_uid",
                Message("import_no_decision_pilot_decisions_table"),
            )
        return decision_ids.get(uid)

    def municipal_decisions(
        self, records: list[Record], pilot: Pilot, outcome: PilotOutcome
    ) -> None:
        for d in _sorted_by_date(records):
            if not d.clean:
                continue
            values = {
                "municipality_code": d.values["municipality_code"],
                "gate": d.values["gate"],
                "outcome": d.values["outcome"],
                "body": d.values["body"],
                "decided_on": d.values["date"],
                "section": d.get("section", ""),
                "minutes_url": d.get("minutes_url", ""),
                "note": d.get("note", "").strip(),
            }
            stored = self.ctx.existing.municipal_decisions.get(d.get("uid") or "")
            if stored is not None:
                if any(
                    _lines(getattr(stored, key)) != _lines(value) for key, value in values.items()
                ):
                    _flag(
                        self.out,
                        d,
                        "uid",
                        Message("import_municipal_decision_recorded_differently_app"),
                    )
                continue
            decision = MunicipalDecision(
                pilot_id=pilot.id,
                recorded_by_id=_user_id(self.ctx, d.get("recorded_by_email")),
                **values,
            )
            if d.get("uid"):
                decision.uid = d.values["uid"]
            audit.add_new(decision, "municipal_decision", pilot.id, commit=False)
            outcome.count("municipal_decisions", "created")

    def follow_up_items(
        self,
        records: list[Record],
        pilot: Pilot,
        decision_ids: dict[str, int],
        outcome: PilotOutcome,
    ) -> dict[str, FollowUpItem]:
        items: dict[str, FollowUpItem] = {}
        for i in records:
            if not i.clean:
                continue
            owner = i.values["owner"]
            values = {
                "title": i.values["title"].strip(),
                "description": i.get("description", "").strip(),
                "owner_kind": owner,
                "owner_municipality_code": (
                    i.get("owner_municipality_code") if owner is OwnerKind.MUNICIPALITY else None
                ),
                "due_on": i.get("due_on"),
                "status": i.get("status", ItemStatus.OPEN),
                "decision_id": self.decision_id(i, decision_ids),
            }
            stored = self.ctx.existing.follow_up_items.get(i.get("uid") or "")
            if stored is not None:
                if self.changed_row(stored, values, "follow_up_item", pilot.id):
                    outcome.count("follow_up_items", "updated")
                items[i.values["item_ref"]] = stored
                continue
            item = FollowUpItem(pilot_id=pilot.id, comments=[], **values)
            if i.get("uid"):
                item.uid = i.values["uid"]
            audit.add_new(item, "follow_up_item", pilot.id, commit=False)
            outcome.count("follow_up_items", "created")
            items[i.values["item_ref"]] = item
        return items

    def follow_up_comments(
        self,
        records: list[Record],
        pilot: Pilot,
        items: dict[str, FollowUpItem],
        outcome: PilotOutcome,
    ) -> None:
        for c in records:
            item = items.get(c.get("item_ref", ""))
            if item is None or not c.clean:
                continue
            values = {
                "item_id": item.id,
                "text": c.values["text"].strip(),
                "author_id": _user_id(self.ctx, c.get("author_email")),
            }
            stored = self.ctx.existing.follow_up_comments.get(c.get("uid") or "")
            if stored is not None:
                if self.changed_row(stored[0], values, "follow_up_comment", pilot.id):
                    outcome.count("follow_up_comments", "updated")
                continue
            comment = FollowUpComment(**values, created_at=_noon(c.get("date")))
            if c.get("uid"):
                comment.uid = c.values["uid"]
            audit.add_new(comment, "follow_up_comment", pilot.id, commit=False)
            outcome.count("follow_up_comments", "created")

    def lessons(
        self,
        records: list[Record],
        pilot: Pilot,
        decision_ids: dict[str, int],
        outcome: PilotOutcome,
    ) -> None:
        for lesson_row in records:
            if not lesson_row.clean:
                continue
            values = {
                "text": lesson_row.values["text"].strip(),
                "decision_id": self.decision_id(lesson_row, decision_ids),
                "recorded_by_id": _user_id(self.ctx, lesson_row.get("recorded_by_email")),
            }
            stored = self.ctx.existing.lessons.get(lesson_row.get("uid") or "")
            if stored is not None:
                if self.changed_row(stored, values, "lesson", pilot.id):
                    outcome.count("lessons", "updated")
                continue
            lesson = Lesson(pilot_id=pilot.id, **values, created_at=_noon(lesson_row.get("date")))
            if lesson_row.get("uid"):
                lesson.uid = lesson_row.values["uid"]
            audit.add_new(lesson, "lesson", pilot.id, commit=False)
            outcome.count("lessons", "created")


def _mirror_newest_status(pilot: Pilot) -> None:
    """The pilot's newest status update mirrored onto it again (after stored ones changed)."""
    newest = db.session.execute(
        sa.select(StatusUpdate.reported_on, StatusUpdate.rag)
        .where(StatusUpdate.pilot_id == pilot.id)
        .order_by(StatusUpdate.reported_on.desc(), StatusUpdate.id.desc())
        .limit(1)
    ).first()
    if newest is not None:
        pilot.last_status_on, pilot.last_rag = newest.reported_on, newest.rag


def _decision_snapshots(
    decisions: list[Record], pilot: Pilot, kpis: dict[str, Kpi]
) -> list[dict[str, Any]]:
    """Each decision's snapshot: the file's, with its KPIs' refs as the imported KPIs' ids,
    or (none in the file) the pilot as imported, in the stage the decision was made in."""
    from pilot_tracker.services.snapshots import decision_snapshot

    ids = {ref: kpi.id for ref, kpi in kpis.items()}
    computed: dict[str, Any] | None = None
    snapshots = []
    for d in decisions:
        snapshot = d.get("snapshot")
        if snapshot is None:
            if computed is None:
                loaded = load_pilot_for_update(pilot.id) or pilot
                computed = decision_snapshot(loaded, sorted(kpis.values(), key=lambda k: k.id))
            snapshot = {**computed, "stage": d.values["stage_before"].value}
        elif isinstance(snapshot.get("kpis"), list):
            snapshot = {
                **snapshot,
                "kpis": [
                    {**k, "id": ids.get(k["id"]) if "id" in k else None}
                    if isinstance(k, dict)
                    else k
                    for k in snapshot["kpis"]
                ],
            }
        snapshots.append(snapshot)
    return snapshots


# Comments and lessons carry their day (as the pages show it, in Finland); imported, they are
# timed at noon of that day there. Without a day they are timed now.
HELSINKI = ZoneInfo("Europe/Helsinki")


def _noon(day: date | None) -> datetime:
    if day is None:
        return datetime.now(UTC)
    return datetime.combine(day, time(12), HELSINKI).astimezone(UTC)


def _joint_uid_queries(pilot_id: int) -> dict[str, sa.Select[Any]]:
    """The uids of a pilot's joint rows in the database, per table (for what is kept)."""
    return {
        "municipal_decisions": sa.select(MunicipalDecision.uid).where(
            MunicipalDecision.pilot_id == pilot_id
        ),
        "follow_up_items": sa.select(FollowUpItem.uid).where(FollowUpItem.pilot_id == pilot_id),
        "follow_up_comments": sa.select(FollowUpComment.uid)
        .join(FollowUpItem, FollowUpItem.id == FollowUpComment.item_id)
        .where(FollowUpItem.pilot_id == pilot_id),
        "lessons": sa.select(Lesson.uid).where(Lesson.pilot_id == pilot_id),
    }


# The file's column for each field a changed pilot reports.
CHANGE_COLUMNS = {
    "budget_cents": "budget_eur",
    "external_funding_cents": "external_funding_eur",
    "estimated_annual_savings_cents": "estimated_annual_savings_eur",
    "vendor_id": "vendor_business_id",
    "coordinator_id": "coordinator_email",
    "is_public": "public",
    "lead_municipality": "lead_municipality",
    "participants": "participants",
    "manual_shares": "manual_percent",
}


def _lines(text: Any) -> Any:
    """Text with its line breaks as LF (a workbook stores CR LF and a lone CR as LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def _same_value(key: str, old: Any, new: Any) -> bool:
    """Whether a pilot field in the file is what the database has (as an edit would see it:
    names and texts stripped, lists as sets, percentages as numbers)."""
    if key in ("name", "summary"):
        return bool(_lines((old or "").strip()) == _lines((new or "").strip()))
    if key in ("goals", "participants"):
        return sorted(old or []) == sorted(new or [])
    return bool(old == new)


def _shown(key: str, value: Any) -> str:
    """A field's value as the report shows it (money in euros, lists joined)."""
    if value is None:
        return ""
    if key.endswith("_cents"):
        return format(cents_to_decimal(value), "f")
    if key in ("goals", "participants"):
        return ", ".join(sorted(str(getattr(v, "value", v)) for v in value))
    if key == "manual_shares":
        return ", ".join(f"{code} {value[code]}" for code in sorted(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


# --- the import --------------------------------------------------------------------------


def _track(items: list[T], progress: Progress | None, label: str) -> Iterator[T]:
    if progress is None:
        yield from items
        return
    with progress(label, len(items)) as bar:
        for item in items:
            yield item
            bar.update(1)


def _plans(records: dict[str, list[Record]], out: _Collector) -> list[PilotPlan]:
    plans: dict[str, PilotPlan] = {}
    for r in records.get(PILOTS.name, []):
        ref = r.get("ref")
        if ref is None:
            continue
        if ref in plans:
            _flag(
                out,
                r,
                "ref",
                Message("import_ref_already_used_row_row", ref=ref, row=plans[ref].record.row),
            )
            continue
        plans[ref] = PilotPlan(r)
    children = (
        (PARTICIPANTS, "participants"),
        (KPIS, "kpis"),
        (MEASUREMENTS, "measurements"),
        (STATUS_UPDATES, "status_updates"),
        (DECISIONS, "decisions"),
        (COSTS, "costs"),
        (MUNICIPAL_DECISIONS, "municipal_decisions"),
        (FOLLOW_UP_ITEMS, "follow_up_items"),
        (FOLLOW_UP_COMMENTS, "follow_up_comments"),
        (LESSONS, "lessons"),
    )
    for sheet, attr in children:
        for r in records.get(sheet.name, []):
            ref = r.get("pilot_ref")
            if ref is None:
                continue
            if ref not in plans:
                _flag(
                    out,
                    r,
                    "pilot_ref",
                    Message("import_no_pilot_has_ref_ref", ref=ref),
                )
                continue
            getattr(plans[ref], attr).append(r)
    return list(plans.values())


def _context(plans: list[PilotPlan], today: date) -> _Context:
    emails: set[str] = set()
    business_ids: set[str] = set()
    for plan in plans:
        for r in (
            plan.record,
            *plan.measurements,
            *plan.status_updates,
            *plan.decisions,
            *plan.costs,
            *plan.municipal_decisions,
            *plan.follow_up_comments,
            *plan.lessons,
        ):
            for column in ("coordinator_email", "recorded_by_email", "author_email"):
                if r.get(column):
                    emails.add(r.values[column])
        if business_id := plan.record.get("vendor_business_id"):
            business_ids.add(normalise_business_id(business_id))
    users = (
        {
            u.email.lower(): u
            for u in db.session.scalars(
                sa.select(User).where(sa.func.lower(User.email).in_(emails))
            )
        }
        if emails
        else {}
    )
    vendors = (
        {
            v.business_id: v
            for v in db.session.scalars(
                sa.select(Vendor).where(Vendor.business_id.in_(business_ids))
            )
        }
        if business_ids
        else {}
    )
    codes = set(db.session.scalars(sa.select(Municipality.code)))
    return _Context(
        codes=codes, vendors=vendors, users=users, today=today, existing=_existing(plans)
    )


# uids looked up per statement: SQLite takes at most 32 766 parameters in one.
UID_CHUNK = 5000


def _chunks(values: set[str]) -> Iterator[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), UID_CHUNK):
        yield ordered[start : start + UID_CHUNK]


_COST_FIELDS = ("entry_date", "amount_cents", "kind", "reference", "description")


def _cost_values(entry: Any) -> dict[str, Any]:
    """A cost entry's (or a file row's CostData) writable fields, text as the service keeps
    it (stripped)."""
    return {
        "entry_date": entry.entry_date,
        "amount_cents": entry.amount_cents,
        "kind": entry.kind,
        "reference": (entry.reference or "").strip(),
        "description": (entry.description or "").strip(),
    }


def _cost_key(entry: Any) -> tuple[Any, ...]:
    values = _cost_values(entry)
    return tuple(values[k] for k in _COST_FIELDS)


def _cost_changes(stored: CostEntry, data: Any) -> dict[str, Any]:
    """The fields of a stored cost entry that the file's row changes."""
    return {k: v for k, v in _cost_values(data).items() if getattr(stored, k) != v}


def _existing(plans: list[PilotPlan]) -> _Existing:
    """The database's rows with the uids of the file (one query per table that names any,
    per 5 000 uids)."""
    uids: dict[str, set[str]] = {t: set() for t in ("pilots", *UID_TABLES, *JOINT_UID_TABLES)}
    for plan in plans:
        if uid := plan.record.get("uid"):
            uids["pilots"].add(uid)
        for table in (*UID_TABLES, *JOINT_UID_TABLES):
            uids[table] |= {r.values["uid"] for r in getattr(plan, table) if r.get("uid")}
    found = _Existing()
    for chunk in _chunks(uids["pilots"]):
        query = sa.select(Pilot).where(Pilot.uid.in_(chunk)).options(*pilot_options())
        found.pilots.update((p.uid, p) for p in db.session.scalars(query))
    for chunk in _chunks(uids["kpis"]):
        found.kpis.update(
            (k.uid, k) for k in db.session.scalars(sa.select(Kpi).where(Kpi.uid.in_(chunk)))
        )
    for chunk in _chunks(uids["measurements"]):
        rows = db.session.execute(
            sa.select(Measurement, Kpi.pilot_id).join(Kpi).where(Measurement.uid.in_(chunk))
        )
        found.measurements.update((m.uid, (m, pilot_id)) for m, pilot_id in rows)
    for chunk in _chunks(uids["status_updates"]):
        updates = sa.select(StatusUpdate).where(StatusUpdate.uid.in_(chunk))
        found.status_updates.update((u.uid, u) for u in db.session.scalars(updates))
    for chunk in _chunks(uids["decisions"]):
        decisions = sa.select(Decision).where(Decision.uid.in_(chunk))
        found.decisions.update((d.uid, d) for d in db.session.scalars(decisions))
    for chunk in _chunks(uids["costs"]):
        costs = sa.select(CostEntry).where(CostEntry.uid.in_(chunk))
        found.costs.update((c.uid, c) for c in db.session.scalars(costs))
    _existing_joint(uids, found)
    return found


def _existing_joint(uids: dict[str, set[str]], found: _Existing) -> None:
    """The municipal decisions, follow-up items and comments and lessons the file names."""
    for chunk in _chunks(uids["municipal_decisions"]):
        query = sa.select(MunicipalDecision).where(MunicipalDecision.uid.in_(chunk))
        found.municipal_decisions.update((d.uid, d) for d in db.session.scalars(query))
    for chunk in _chunks(uids["follow_up_items"]):
        items = sa.select(FollowUpItem).where(FollowUpItem.uid.in_(chunk))
        found.follow_up_items.update((i.uid, i) for i in db.session.scalars(items))
    for chunk in _chunks(uids["follow_up_comments"]):
        rows = db.session.execute(
            sa.select(FollowUpComment, FollowUpItem.pilot_id)
            .join(FollowUpItem, FollowUpItem.id == FollowUpComment.item_id)
            .where(FollowUpComment.uid.in_(chunk))
        )
        found.follow_up_comments.update((c.uid, (c, pilot_id)) for c, pilot_id in rows)
    for chunk in _chunks(uids["lessons"]):
        lessons = sa.select(Lesson).where(Lesson.uid.in_(chunk))
        found.lessons.update((lesson.uid, lesson) for lesson in db.session.scalars(lessons))


def import_pilots(
    files: list[tuple[str, bytes]],
    *,
    dry_run: bool,
    progress: Progress | None = None,
    today: date | None = None,
    max_rows: int | None = None,
) -> ImportReport:
    """Check the files and, when nothing is wrong and it is not a dry run, import them.

    `files` are (file name, content) pairs: one .xlsx, or .csv files (each recognised by
    its header). The database is changed in one transaction or not at all. With `max_rows`,
    files with more data rows than that are refused as a whole (the web's time limit).
    """
    report = ImportReport(dry_run=dry_run)
    out = _Collector()
    tables = read_upload(files, out)
    total = sum(len(t.rows) for t in tables.values())
    if max_rows is not None and total > max_rows:
        out.add(
            ", ".join(name for name, _data in files),
            None,
            None,
            Message("import_files_have_total_rows_import", total=total, max=max_rows),
        )
        report.problems = out.problems
        return report
    records: dict[str, list[Record]] = {}
    for name, table in tables.items():
        sheet = SHEETS_BY_NAME[name]
        if _check_header(sheet, table, out):
            records[name] = _parse_table(sheet, table, out)
    plans = _plans(records, out)
    ctx = _context(plans, today or date.today())
    _check_identities(plans, out, ctx)
    for plan in plans:
        _check_pilot(plan, out, ctx)
        _check_children(plan, out, ctx)
    report.counts = {s.name: len(records.get(s.name, [])) for s in SHEETS}
    report.new_vendors = sorted((bid, name) for bid, (name, _r) in ctx.new_vendors.items())

    writer = _Writer(ctx, out)
    try:
        writer.write(plans, progress)
    except BaseException:
        db.session.rollback()
        raise
    report.problems = out.problems
    report.warnings = writer.warnings
    report.outcomes = writer.outcomes
    if report.problems or dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        report.imported = True
    return report
