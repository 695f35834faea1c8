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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import gettext

from pilot_tracker.domain.business_id import business_id_error, normalise_business_id
from pilot_tracker.domain.cost_split import CostSplitError, parse_manual_percentages
from pilot_tracker.domain.enums import (
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
from pilot_tracker.domain.kpi import KpiError, validate_kpi_definition
from pilot_tracker.domain.money import MoneyError, cents_to_decimal, parse_eur, parse_hundredths
from pilot_tracker.domain.stages import FINAL, TransitionError, check_plain_update
from pilot_tracker.domain.stages import stage_after_decision as rule_stage_after
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    Decision,
    Kpi,
    Measurement,
    Municipality,
    Pilot,
    StatusUpdate,
    User,
    Vendor,
)
from pilot_tracker.services import audit
from pilot_tracker.services.exchange import (
    DECISIONS,
    KPIS,
    MEASUREMENTS,
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
from pilot_tracker.services.pilots import (
    PilotData,
    PilotValidationError,
    create_pilot,
    load_pilot_for_update,
)
from pilot_tracker.services.reporting import add_kpi, parse_value

T = TypeVar("T")
Progress = Callable[[str, int], Any]

LANGUAGES = ("fi", "sv", "en")
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
}
TRUE_WORDS = {"true", "1", "yes", "kyllä", "tosi", "ja", "sant", "x"}
FALSE_WORDS = {"false", "0", "no", "ei", "epätosi", "nej", "falskt"}
_FINNISH_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _(message: str, **values: Any) -> str:
    """Translated while serving a request; plain English in the CLI."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


# --- the report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem: where (sheet or file, spreadsheet row, column) and what."""

    source: str
    row: int | None
    column: str | None
    message: str

    def where(self) -> str:
        parts = [self.source]
        if self.row is not None:
            parts.append(_("row %(row)s", row=self.row))
        if self.column:
            parts.append(_("column %(column)s", column=self.column))
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


@dataclass
class ImportReport:
    """What an import found and did; `imported` only when the database was changed."""

    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    new_vendors: list[tuple[str, str]] = field(default_factory=list)
    imported: bool = False

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
            _("Upload one XLSX workbook, or CSV files, not both or several workbooks."),
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
                            _(
                                "Unknown sheet; the sheets are %(names)s. Rename or remove it.",
                                names=", ".join(s.name for s in SHEETS),
                            ),
                        )
                    elif key in tables:
                        out.add(table.source, None, None, _("This sheet appears twice."))
                    else:
                        tables[key] = table
                continue
            if not name.lower().endswith(".csv"):
                out.add(name, None, None, _("Only .csv and .xlsx files can be imported."))
                continue
            table = read_csv(name, data)
        except FileFormatError as exc:
            out.add(name, None, None, _("The file cannot be read: %(reason)s", reason=str(exc)))
            continue
        sheet = sheet_for_header(table.header)
        if sheet is None:
            out.add(
                name,
                1,
                None,
                _(
                    "The header row matches none of the tables (%(names)s); "
                    "its first row must name the columns.",
                    names=", ".join(s.name for s in SHEETS),
                ),
            )
        elif sheet.name in tables:
            out.add(
                name,
                None,
                None,
                _(
                    "Both %(first)s and %(second)s hold the %(sheet)s table; upload it once.",
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
            _("There is no pilots table (a pilots sheet or pilots CSV file)."),
        )
    return tables


def _check_header(sheet: Sheet, table: Table, out: _Collector) -> bool:
    """Unknown, repeated and missing columns; False when rows cannot be read."""
    seen: set[str] = set()
    readable = True
    for index, name in enumerate(table.header):
        if name == "":
            out.add(table.source, 1, _column_letter(index), _("A column has no name."))
        elif name in seen:
            out.add(table.source, 1, name, _("This column appears twice."))
            readable = False
        elif sheet.column(name) is None:
            out.add(
                table.source,
                1,
                name,
                _(
                    "Unknown column; the columns of %(sheet)s are %(names)s.",
                    sheet=sheet.name,
                    names=", ".join(sheet.header),
                ),
            )
        seen.add(name)
    for column in sheet.columns:
        if column.required and column.name not in seen:
            out.add(table.source, 1, column.name, _("This column is missing."))
            readable = False
    return readable


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- cells -------------------------------------------------------------------------------


class CellError(ValueError):
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
    if kind in ("text", "ref"):
        return _as_text(value).strip() if kind == "ref" else _as_text(value)
    if kind == "enum":
        enum_cls = ENUMS[column]
        text = _as_text(value).strip().lower()
        try:
            return enum_cls(text)
        except ValueError:
            raise CellError(
                _(
                    "%(value)s is not one of %(allowed)s.",
                    value=_as_text(value),
                    allowed=", ".join(m.value for m in enum_cls),  # type: ignore[attr-defined]
                )
            ) from None
    if kind == "list":
        goals = []
        for word in re.split(r"[\s,;]+", _as_text(value).strip().lower()):
            if not word:
                continue
            try:
                goals.append(Goal(word))
            except ValueError:
                raise CellError(
                    _(
                        "%(value)s is not a strategic goal; the goals are %(allowed)s.",
                        value=word,
                        allowed=", ".join(g.value for g in Goal),
                    )
                ) from None
        return goals
    if kind == "code":
        text = _as_text(value).strip()
        if isinstance(value, int | Decimal) and text.isdigit() and len(text) < 3:
            text = text.zfill(3)  # 91 is what a spreadsheet makes of 091
        if not re.fullmatch(r"[0-9]{3}", text):
            raise CellError(_("A municipality code has three digits, such as 091."))
        return text
    if kind == "money":
        if isinstance(value, bool | date):
            raise CellError(_("Enter an amount in euros, such as 12500,00."))
        try:
            return parse_eur(value)
        except MoneyError as exc:
            raise CellError(exc.message) from None
    if kind == "percent":
        if isinstance(value, bool | date):
            raise CellError(_("Enter a percentage from 0 to 100, such as 33,33."))
        try:
            return cents_to_decimal(parse_hundredths(value, 100 * 100))
        except MoneyError as exc:
            if exc.reason in ("negative", "too_large"):
                raise CellError(_("A percentage is from 0 to 100.")) from None
            raise CellError(exc.message) from None
    if kind == "number":
        if isinstance(value, bool | date):
            raise CellError(_("Enter a number, such as 12,5."))
        try:
            return parse_value(value, column)
        except PilotValidationError as exc:
            raise CellError(" ".join(exc.errors[column])) from None
    if kind == "int":
        text = _as_text(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]+(\.0*)?", text):
            raise CellError(_("Enter a whole number."))
        return int(Decimal(text))
    if kind == "date":
        return _parse_date(value)
    if kind == "bool":
        text = _as_text(value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise CellError(_("Enter true or false."))
    if kind == "email":
        text = _as_text(value).strip().lower()
        if "@" not in text or " " in text:
            raise CellError(_("%(value)s is not an e-mail address.", value=_as_text(value)))
        return text
    if kind == "json":
        try:
            data = json.loads(_as_text(value))
        except ValueError:
            raise CellError(_("The snapshot is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise CellError(_("The snapshot must be a JSON object ({...})."))
        return data
    raise AssertionError(f"unknown column kind {kind}")


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise CellError(_("Enter a date without a time of day, such as 2026-01-15."))
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
    raise CellError(_("%(value)s is not a date; write it as 2026-01-15.", value=text))


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
    for row, raw in iter_records(table):
        record = Record(table.source, row, {})
        if "" in raw:
            out.add(table.source, row, None, _("The row has more cells than the header."))
            record.bad.add("")
        for column in sheet.columns:
            if column.derived or column.name not in raw:
                continue
            try:
                record.values[column.name] = parse_cell(column.name, column.kind, raw[column.name])
            except CellError as exc:
                out.add(table.source, row, column.name, str(exc))
                record.bad.add(column.name)
                continue
            if column.required and record.values[column.name] in (None, ""):
                out.add(table.source, row, column.name, _("This cell is required."))
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

    @property
    def ref(self) -> str:
        return str(self.record.values["ref"])


@dataclass
class _Context:
    codes: set[str]
    vendors: dict[str, Vendor]
    users: dict[str, User]
    today: date
    new_vendors: dict[str, tuple[str, Record]] = field(default_factory=dict)


def _limit(out: _Collector, record: Record, column: str, limit: int) -> None:
    value = record.values.get(column)
    if isinstance(value, str) and len(value.strip()) > limit:
        _flag(out, record, column, _("At most %(limit)s characters.", limit=limit))


def _check_user(out: _Collector, record: Record, column: str, ctx: _Context) -> None:
    email = record.values.get(column)
    if email and email not in ctx.users:
        _flag(
            out,
            record,
            column,
            _("No user has the e-mail %(email)s; create the user or clear the cell.", email=email),
        )


def _check_pilot(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    r = plan.record
    _limit(out, r, "name", 200)
    if len(r.get("summary", "")) > 10_000:
        _flag(out, r, "summary", _("At most %(limit)s characters.", limit=10_000))
    language = r.get("language")
    if language is not None and language.strip().lower() not in LANGUAGES:
        _flag(out, r, "language", _("The language is fi, sv or en."))
    theme = r.get("theme")
    if theme is not None and r.get("track") is None and default_track(theme) is None:
        _flag(out, r, "track", _("Choose a track: this theme has no default track."))
    start, end = r.get("start_date"), r.get("end_date")
    if start and end and end < start:
        _flag(out, r, "end_date", _("The end date cannot be before the start date."))
    lead = r.get("lead_municipality")
    if lead and lead not in ctx.codes:
        _flag(out, r, "lead_municipality", _("Unknown municipality code %(code)s.", code=lead))
    _check_vendor(r, out, ctx)
    email = r.get("coordinator_email")
    if email and email in ctx.users and ctx.users[email].role not in (Role.COORDINATOR, Role.ADMIN):
        _flag(out, r, "coordinator_email", _("%(email)s is not a coordinator.", email=email))
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
                _("Name the vendor by its business ID (Y-tunnus) too, such as 0201256-6."),
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
            _("%(id)s is a new vendor: give its name to create it.", id=business_id),
        )
    elif len(name) > 200:
        _flag(out, r, "vendor_name", _("At most %(limit)s characters.", limit=200))
    elif business_id in ctx.new_vendors and ctx.new_vendors[business_id][0] != name:
        first = ctx.new_vendors[business_id][1]
        _flag(
            out,
            r,
            "vendor_name",
            _(
                "Row %(row)s names the new vendor %(id)s differently (%(name)s).",
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
            _(
                "No participants: the participants table has no rows for %(ref)s "
                "(list at least the lead municipality).",
                ref=plan.ref,
            ),
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
                _(
                    "%(code)s is already a participant on row %(row)s.",
                    code=code,
                    row=codes[code].row,
                ),
            )
        elif code not in ctx.codes:
            _flag(out, p, "municipality_code", _("Unknown municipality code %(code)s.", code=code))
        codes.setdefault(code, p)
    lead = r.get("lead_municipality")
    if lead and not r.bad & {"lead_municipality"} and lead not in codes:
        _flag(
            out,
            r,
            "lead_municipality",
            _("The lead municipality must be one of the participants."),
        )
    method = r.get("split_method", SplitMethod.EQUAL)
    if "split_method" in r.bad:
        return
    if method is not SplitMethod.MANUAL:
        for p in plan.participants:
            if p.get("manual_percent") is not None:
                _flag(
                    out,
                    p,
                    "manual_percent",
                    _("Manual percentages are only for the split method manual."),
                )
        return
    missing = [p for p in plan.participants if p.get("manual_percent") is None]
    for p in missing:
        if "manual_percent" not in p.bad:
            _flag(out, p, "manual_percent", _("A manual split needs a percentage here."))
    if missing or any("manual_percent" in p.bad for p in plan.participants):
        return
    try:
        parse_manual_percentages({c: p.values["manual_percent"] for c, p in codes.items()})
    except CostSplitError as exc:
        _flag(out, plan.participants[0], "manual_percent", exc.message)


def _check_kpis(plan: PilotPlan, out: _Collector) -> dict[str, Record]:
    refs: dict[str, Record] = {}
    for k in plan.kpis:
        ref = k.get("kpi_ref")
        if ref is not None and ref in refs:
            _flag(
                out,
                k,
                "kpi_ref",
                _(
                    "%(ref)s is already a KPI of this pilot on row %(row)s.",
                    ref=ref,
                    row=refs[ref].row,
                ),
            )
        elif ref is not None:
            refs[ref] = k
        _limit(out, k, "name", 200)
        _limit(out, k, "unit", 50)
        if not k.bad & {"baseline", "target", "direction"}:
            try:
                validate_kpi_definition(
                    k.values["baseline"], k.values["target"], k.values["direction"]
                )
            except KpiError as exc:
                _flag(out, k, "target", exc.message)
    return refs


def _check_children(plan: PilotPlan, out: _Collector, ctx: _Context) -> None:
    kpi_refs = _check_kpis(plan, out)
    for m in plan.measurements:
        ref = m.get("kpi_ref")
        if ref is not None and ref not in kpi_refs:
            _flag(
                out,
                m,
                "kpi_ref",
                _("%(pilot)s has no KPI %(ref)s in the kpis table.", pilot=plan.ref, ref=ref),
            )
        if m.get("date") and m.values["date"] > ctx.today:
            _flag(out, m, "date", _("A measurement cannot be dated in the future."))
        if len(m.get("note", "")) > 2000:
            _flag(out, m, "note", _("At most %(limit)s characters.", limit=2000))
        _check_user(out, m, "recorded_by_email", ctx)
    for s in plan.status_updates:
        if s.get("date") and s.values["date"] > ctx.today:
            _flag(out, s, "date", _("A status update cannot be dated in the future."))
        progress = s.get("progress_percent")
        if progress is not None and not 0 <= progress <= 100:
            _flag(out, s, "progress_percent", _("Progress is a whole number from 0 to 100."))
        if len(s.get("text", "")) > 10_000:
            _flag(out, s, "text", _("At most %(limit)s characters.", limit=10_000))
        _check_user(out, s, "author_email", ctx)
    for d in plan.decisions:
        _limit(out, d, "decided_by", 200)
        if d.get("date") and d.get("next_review") and d.values["next_review"] < d.values["date"]:
            _flag(out, d, "next_review", _("The next review cannot be before the decision."))
        _check_user(out, d, "recorded_by_email", ctx)
        for kpi in (d.get("snapshot") or {}).get("kpis") or []:
            ref = kpi.get("id") if isinstance(kpi, dict) else None
            if ref is not None and ref not in kpi_refs:
                _flag(
                    out,
                    d,
                    "snapshot",
                    _(
                        "The snapshot names KPI %(ref)s, which is not in the kpis table "
                        "for %(pilot)s.",
                        ref=ref,
                        pilot=plan.ref,
                    ),
                )
                break
    _check_stages(plan, out)


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
                    _(
                        "The previous decision left the pilot in %(stage)s: %(reason)s",
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
                _(
                    "By the stage rules this decision takes the pilot from %(before)s to "
                    "%(allowed)s, not to %(after)s.",
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
                _(
                    "A pilot is %(stage)s only through a decision; the decisions table has "
                    "none for %(ref)s.",
                    stage=stage.value,
                    ref=plan.ref,
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
            _(
                "The last decision left the pilot in %(stage)s: %(reason)s",
                stage=previous.value,
                reason=exc.message,
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


def _user_id(ctx: _Context, email: str | None) -> int | None:
    user = ctx.users.get(email or "")
    return user.id if user else None


class _Writer:
    """Creates the checked rows through the services; their refusals become problems."""

    def __init__(self, ctx: _Context, out: _Collector) -> None:
        self.ctx = ctx
        self.out = out
        self.vendors = dict(ctx.vendors)

    def refused(
        self, record: Record, exc: PilotValidationError, fields: dict[str, str] | None = None
    ) -> None:
        for key, messages in exc.errors.items():
            column = (fields or {}).get(key, key if key in record.values else None)
            if column is None or not self.out.has(record.source, record.row, column):
                self.out.add(record.source, record.row, column, " ".join(messages))

    def write(self, plans: list[PilotPlan], progress: Progress | None) -> None:
        for business_id, (name, _record) in sorted(self.ctx.new_vendors.items()):
            vendor = Vendor(name=name, business_id=business_id)
            db.session.add(vendor)
            db.session.flush()
            audit.record("create", "vendor", vendor.id, new=audit.row_values(vendor))
            self.vendors[business_id] = vendor
        for plan in _track(plans, progress, _("Importing pilots")):
            if not plan.record.clean or any(not p.clean for p in plan.participants):
                continue
            business_id = plan.record.get("vendor_business_id")
            if business_id and business_id not in self.vendors:
                continue
            pilot = self.pilot(plan)
            if pilot is None:
                continue
            kpis = self.kpis(plan, pilot)
            self.measurements(plan, kpis)
            self.status_updates(plan, pilot)
            if all(d.clean for d in plan.decisions):
                self.decisions(plan, pilot, kpis)

    def pilot(self, plan: PilotPlan) -> Pilot | None:
        r = plan.record
        stage: Stage = r.get("stage", Stage.IDEA)
        decisions = _sorted_by_date(plan.decisions)
        # A final stage is reached by the last decision: create the pilot in the stage before.
        initial = decisions[-1].values["stage_before"] if stage in FINAL and decisions else stage
        method = r.get("split_method", SplitMethod.EQUAL)
        business_id = r.get("vendor_business_id")
        manual = None
        if method is SplitMethod.MANUAL:
            manual = {
                p.values["municipality_code"]: p.values["manual_percent"] for p in plan.participants
            }
        values: dict[str, Any] = {
            "name": r.get("name", ""),
            "summary": r.get("summary", ""),
            "theme": r.values["theme"],
            "track": r.get("track"),
            "stage": initial,
            "goals": r.get("goals", []),
            "lead_municipality": r.values["lead_municipality"],
            "participants": [p.values["municipality_code"] for p in plan.participants],
            "split_method": method,
            "manual_shares": manual,
            "budget_cents": r.get("budget_eur", 0),
            "external_funding_cents": r.get("external_funding_eur", 0),
            "estimated_annual_savings_cents": r.get("estimated_annual_savings_eur", 0),
            "vendor_id": self.vendors[business_id].id if business_id else None,
            "coordinator_id": _user_id(self.ctx, r.get("coordinator_email")),
            "start_date": r.get("start_date"),
            "end_date": r.get("end_date"),
            "is_public": r.get("public", False),
        }
        language = str(r.get("language", "fi")).strip().lower()
        takes_language = "language" in PilotData.__dataclass_fields__
        if takes_language:
            values["language"] = language
        try:
            pilot = create_pilot(PilotData(**values), commit=False)
        except PilotValidationError as exc:
            self.refused(r, exc, PILOT_FIELDS)
            return None
        if not takes_language and getattr(pilot, "language", language) != language:
            old = pilot.language
            pilot.language = language
            audit.record(
                "update",
                "pilot",
                pilot.id,
                old={"language": old},
                new={"language": language},
                pilot_id=pilot.id,
            )
        return pilot

    def kpis(self, plan: PilotPlan, pilot: Pilot) -> dict[str, Kpi]:
        kpis: dict[str, Kpi] = {}
        for k in plan.kpis:
            if not k.clean:
                continue
            try:
                kpis[k.values["kpi_ref"]] = add_kpi(
                    pilot,
                    k.values["name"],
                    k.get("unit", ""),
                    k.values["baseline"],
                    k.values["target"],
                    k.values["direction"],
                    k.get("is_savings", False),
                    commit=False,
                )
            except PilotValidationError as exc:
                self.refused(k, exc)
        return kpis

    # Measurements and status updates are the bulk of a portfolio: they are written in one
    # flush per pilot instead of one per row (add_measurement / add_status_update flush each),
    # with the same checks (done above, row by row), mirrors and audit entries.

    def measurements(self, plan: PilotPlan, kpis: dict[str, Kpi]) -> None:
        created: list[tuple[Kpi, Measurement]] = []
        for m in plan.measurements:
            kpi = kpis.get(m.get("kpi_ref", ""))
            if kpi is None or not m.clean:
                continue
            measurement = Measurement(
                kpi_id=kpi.id,
                measured_on=m.values["date"],
                value=m.values["value"],
                note=m.get("note", "").strip(),
                recorded_by_id=_user_id(self.ctx, m.get("recorded_by_email")),
            )
            db.session.add(measurement)
            created.append((kpi, measurement))
        if not created:
            return
        db.session.flush()
        for kpi, measurement in created:
            if kpi.latest_on is None or measurement.measured_on >= kpi.latest_on:
                kpi.latest_value = measurement.value
                kpi.latest_on = measurement.measured_on
            audit.record(
                "create",
                "measurement",
                measurement.id,
                new=audit.row_values(measurement),
                pilot_id=kpi.pilot_id,
            )

    def status_updates(self, plan: PilotPlan, pilot: Pilot) -> None:
        created: list[StatusUpdate] = []
        for s in plan.status_updates:
            if not s.clean:
                continue
            update = StatusUpdate(
                pilot_id=pilot.id,
                reported_on=s.values["date"],
                rag=s.values["rag"],
                progress_percent=s.values["progress_percent"],
                text=s.values["text"].strip(),
                author_id=_user_id(self.ctx, s.get("author_email")),
            )
            db.session.add(update)
            created.append(update)
        if not created:
            return
        db.session.flush()
        for update in created:
            if pilot.last_status_on is None or update.reported_on >= pilot.last_status_on:
                pilot.last_status_on = update.reported_on
                pilot.last_rag = update.rag
            audit.record(
                "create",
                "status_update",
                update.id,
                new=audit.row_values(update),
                pilot_id=pilot.id,
            )

    def decisions(self, plan: PilotPlan, pilot: Pilot, kpis: dict[str, Kpi]) -> None:
        from pilot_tracker.services.snapshots import decision_snapshot

        ids = {ref: kpi.id for ref, kpi in kpis.items()}
        computed: dict[str, Any] | None = None
        for d in _sorted_by_date(plan.decisions):
            snapshot = d.get("snapshot")
            if snapshot is None:
                # No snapshot in the file: freeze the pilot as imported.
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
            decision = Decision(
                pilot_id=pilot.id,
                gate=d.values["gate"],
                outcome=d.values["outcome"],
                decided_on=d.values["date"],
                decided_by=d.values["decided_by"].strip(),
                rationale=d.values["rationale"].strip(),
                follow_up=d.get("follow_up", "").strip(),
                next_review=d.get("next_review"),
                stage_before=d.values["stage_before"],
                stage_after=d.values["stage_after"],
                snapshot=snapshot,
                recorded_by_id=_user_id(self.ctx, d.get("recorded_by_email")),
            )
            db.session.add(decision)
            db.session.flush()
            audit.record(
                "create", "decision", decision.id, new=audit.row_values(decision), pilot_id=pilot.id
            )
        stage: Stage = plan.record.get("stage", Stage.IDEA)
        if pilot.stage is not stage:
            old = pilot.stage
            pilot.stage = stage
            pilot.version = pilot.version + 1
            db.session.flush()
            audit.record(
                "update",
                "pilot",
                pilot.id,
                old={"stage": old.value},
                new={"stage": stage.value, "version": pilot.version},
                pilot_id=pilot.id,
            )


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
                _("%(ref)s is already used on row %(row)s.", ref=ref, row=plans[ref].record.row),
            )
            continue
        plans[ref] = PilotPlan(r)
    children = (
        (PARTICIPANTS, "participants"),
        (KPIS, "kpis"),
        (MEASUREMENTS, "measurements"),
        (STATUS_UPDATES, "status_updates"),
        (DECISIONS, "decisions"),
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
                    _("No pilot has the ref %(ref)s in the pilots table.", ref=ref),
                )
                continue
            getattr(plans[ref], attr).append(r)
    return list(plans.values())


def _context(plans: list[PilotPlan], today: date) -> _Context:
    emails: set[str] = set()
    business_ids: set[str] = set()
    for plan in plans:
        for r in (plan.record, *plan.measurements, *plan.status_updates, *plan.decisions):
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
    return _Context(codes=codes, vendors=vendors, users=users, today=today)


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
            _(
                "The files have %(total)s rows; an import on this page takes at most %(max)s. "
                "Split the files, or import them with the command flask import-pilots.",
                total=total,
                max=max_rows,
            ),
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
    for plan in plans:
        _check_pilot(plan, out, ctx)
        _check_children(plan, out, ctx)
    report.counts = {s.name: len(records.get(s.name, [])) for s in SHEETS}
    report.new_vendors = sorted((bid, name) for bid, (name, _r) in ctx.new_vendors.items())

    try:
        _Writer(ctx, out).write(plans, progress)
    except BaseException:
        db.session.rollback()
        raise
    report.problems = out.problems
    if report.problems or dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        report.imported = True
    return report
