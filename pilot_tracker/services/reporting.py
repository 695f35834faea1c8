"""KPIs, measurements and status updates; each keeps its "latest" mirror up to date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

import sqlalchemy as sa
from flask import current_app, has_app_context

from pilot_tracker.domain.enums import Direction, Rag, Stage
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.kpi import KpiError, validate_kpi_definition
from pilot_tracker.domain.plausibility import measurement_date_refusal
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, Measurement, Pilot, StatusUpdate
from pilot_tracker.services import audit
from pilot_tracker.services.pilots import PilotValidationError, RowsValidationError

MAX_VALUE = Decimal("1e15")
STALE_AFTER_DAYS = 30


def stale_after_days() -> int:
    """Days after which a pilot's newest status update is stale (config STALE_AFTER_DAYS)."""
    if has_app_context():
        return int(current_app.config.get("STALE_AFTER_DAYS", STALE_AFTER_DAYS))
    return STALE_AFTER_DAYS


# Only these stages report status; ideas, plans, scaled and stopped pilots are never stale.
REPORTING_STAGES: tuple[Stage, ...] = (Stage.PILOTING, Stage.EVALUATION)


class StaleFacts(Protocol):
    """What the stale rule reads of a pilot (a Pilot, or a row with these columns)."""

    stage: Stage
    last_status_on: date | None
    piloting_since: date | None
    start_date: date | None


def status_anchor(pilot: StaleFacts) -> date | None:
    """The latest of the newest status update, the day the pilot entered piloting and its
    planned start: the day its status counts from (None when it has none of them)."""
    days = [d for d in (pilot.last_status_on, pilot.piloting_since, pilot.start_date) if d]
    return max(days) if days else None


def status_due_on(pilot: StaleFacts) -> date | None:
    """The last day a status update keeps the pilot from being stale (None: it is stale
    already, having no date at all to count from)."""
    anchor = status_anchor(pilot)
    return anchor + timedelta(days=stale_after_days()) if anchor else None


def is_stale(pilot: StaleFacts, today: date | None = None) -> bool:
    """Piloting or in evaluation, and the latest of (newest status update, the day it
    entered piloting, planned start) more than 30 days ago (PRODUCT.md, "Status update").

    A pilot of those stages with none of the three dates is stale: nothing shows it alive.
    """
    if Stage(pilot.stage) not in REPORTING_STAGES:
        return False
    due_on = status_due_on(pilot)
    return due_on is None or due_on < (today or date.today())


_NEVER = date(1, 1, 1)


def stale_clause(today: date | None = None) -> sa.ColumnElement[bool]:
    """`is_stale` as SQL over the pilot's columns (last_status_on maintained by
    add_status_update, piloting_since by the decision service).

    Each date is compared after COALESCE, so the clause is never NULL and `NOT
    stale_clause()` finds the fresh pilots too.
    """
    today = today or date.today()
    cutoff = today - timedelta(days=stale_after_days())
    return sa.and_(
        Pilot.stage.in_(REPORTING_STAGES),
        sa.func.coalesce(Pilot.last_status_on, _NEVER) < cutoff,
        sa.func.coalesce(Pilot.piloting_since, _NEVER) < cutoff,
        sa.func.coalesce(Pilot.start_date, _NEVER) < cutoff,
    )


def parse_value(raw: object, field: str) -> Decimal:
    """A finite decimal with at most 4 decimals; PilotValidationError otherwise."""
    if isinstance(raw, bool) or raw is None:
        raise PilotValidationError({field: [Message("number_required")]})
    try:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise PilotValidationError({field: [Message("number_format")]}) from None
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        raise PilotValidationError({field: [Message("number_too_many_digits")]})
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise PilotValidationError({field: [Message("number_decimals")]})
    return value


def add_kpi(
    pilot: Pilot,
    name: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    direction: Direction,
    is_savings: bool = False,
    commit: bool = True,
    uid: str | None = None,
) -> Kpi:
    """Define a KPI; refuses a target equal to (or on the wrong side of) the baseline.
    `uid`: the one it has elsewhere (an import keeps the file's)."""
    name = _check_kpi(name, unit, baseline, target, direction)
    kpi = Kpi(
        pilot_id=pilot.id,
        name=name,
        unit=(unit or "").strip(),
        baseline=baseline,
        target=target,
        direction=Direction(direction),
        is_savings=bool(is_savings),
    )
    if uid:
        kpi.uid = uid
    audit.add_new(kpi, "kpi", pilot.id, commit)
    return kpi


def update_kpi(
    kpi: Kpi,
    name: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    direction: Direction,
    is_savings: bool,
    commit: bool = True,
) -> bool:
    """Change a KPI's definition by the same rules as `add_kpi`; audited with old and new
    values. Returns whether anything changed."""
    name = _check_kpi(name, unit, baseline, target, direction)
    wanted = (name, (unit or "").strip(), baseline, target, Direction(direction), bool(is_savings))
    # Compared as numbers: 0 and 0.0000 are the same baseline.
    if wanted == (kpi.name, kpi.unit, kpi.baseline, kpi.target, kpi.direction, kpi.is_savings):
        return False
    before = audit.row_values(kpi)
    kpi.name, kpi.unit = name, (unit or "").strip()
    kpi.baseline, kpi.target = baseline, target
    kpi.direction, kpi.is_savings = Direction(direction), bool(is_savings)
    db.session.flush()
    after = audit.row_values(kpi)
    if after == before:
        return False
    audit.record("update", "kpi", kpi.id, old=before, new=after, pilot_id=kpi.pilot_id)
    if commit:
        db.session.commit()
    return True


def _check_kpi(
    name: str, unit: str, baseline: Decimal, target: Decimal, direction: Direction
) -> str:
    """The KPI's name, stripped; raises PilotValidationError for a bad definition."""
    errors = kpi_errors(name, unit, baseline, target, direction)
    if errors:
        raise PilotValidationError(errors)
    return (name or "").strip()


def kpi_errors(
    name: str, unit: str, baseline: Decimal, target: Decimal, direction: Direction
) -> dict[str, list[str]]:
    """The refusals of a KPI definition, by field (empty: it can be saved)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [Message("name_required")]
    elif len(name) > 200:
        errors["name"] = [Message("at_most_200")]
    if len(unit or "") > 50:
        errors["unit"] = [Message("at_most_50")]
    try:
        validate_kpi_definition(baseline, target, direction)
    except KpiError as exc:
        errors["target"] = [exc.message]
    return errors


def refresh_latest(kpi: Kpi) -> None:
    """Recompute the KPI's mirrored latest value from its measurements."""
    latest = db.session.execute(
        sa.select(Measurement.value, Measurement.measured_on)
        .where(Measurement.kpi_id == kpi.id)
        .order_by(Measurement.measured_on.desc(), Measurement.id.desc())
        .limit(1)
    ).first()
    kpi.latest_value = latest.value if latest else None
    kpi.latest_on = latest.measured_on if latest else None


@dataclass(slots=True)
class NewMeasurement:
    """One measurement to record (`uid`: the one it has elsewhere; an import keeps it)."""

    kpi: Kpi
    measured_on: date
    value: Decimal
    note: str = ""
    recorded_by_id: int | None = None
    uid: str | None = None


def measurement_errors(measured_on: date, note: str, today: date) -> dict[str, list[str]]:
    """The refusals of a measurement, by field: dated from 2000-01-01 to today, a note of
    at most 2000 characters (empty: it can be recorded)."""
    errors: dict[str, list[str]] = {}
    refusal = measurement_date_refusal(measured_on, today)
    if refusal is not None:
        errors[refusal.field] = [refusal.message]
    if len(note or "") > 2000:
        errors["note"] = [Message("at_most_2000")]
    return errors


def add_measurement(
    kpi: Kpi,
    measured_on: date,
    value: Decimal,
    note: str = "",
    recorded_by_id: int | None = None,
    today: date | None = None,
    commit: bool = True,
) -> Measurement:
    """Record a measurement (dated from 2000-01-01 to today) and update the KPI's latest
    value."""
    item = NewMeasurement(kpi, measured_on, value, note, recorded_by_id)
    try:
        return add_measurements([item], today=today, commit=commit)[0]
    except RowsValidationError as exc:
        raise PilotValidationError(exc.rows[0]) from None


def add_measurements(
    items: Sequence[NewMeasurement], *, today: date | None = None, commit: bool = True
) -> list[Measurement]:
    """Record many measurements with one flush (the bulk of an import): each checked as
    `add_measurement` checks one, all or none (RowsValidationError by position), each KPI's
    latest value kept up to date and each measurement audited."""
    today = today or date.today()
    refused = {
        index: errors
        for index, item in enumerate(items)
        if (errors := measurement_errors(item.measured_on, item.note, today))
    }
    if refused:
        raise RowsValidationError(refused)
    saved = []
    for item in items:
        measurement = Measurement(
            kpi_id=item.kpi.id,
            measured_on=item.measured_on,
            value=item.value,
            note=(item.note or "").strip(),
            recorded_by_id=item.recorded_by_id,
        )
        if item.uid:
            measurement.uid = item.uid
        db.session.add(measurement)
        saved.append(measurement)
    db.session.flush()
    for item, measurement in zip(items, saved, strict=True):
        kpi = item.kpi
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
    if commit:
        db.session.commit()
    return saved


def delete_measurement(measurement: Measurement, kpi: Kpi, commit: bool = True) -> None:
    """Delete a measurement (audited) and recompute the KPI's latest value."""
    audit.record(
        "delete",
        "measurement",
        measurement.id,
        old=audit.row_values(measurement),
        pilot_id=kpi.pilot_id,
    )
    db.session.delete(measurement)
    db.session.flush()
    refresh_latest(kpi)
    if commit:
        db.session.commit()


@dataclass(slots=True)
class NewStatusUpdate:
    """One status update to post (`uid`: the one it has elsewhere; an import keeps it)."""

    rag: Rag
    progress_percent: int
    text: str
    reported_on: date
    author_id: int | None = None
    uid: str | None = None


def status_update_errors(
    reported_on: date, progress_percent: int, text: str, today: date
) -> dict[str, list[str]]:
    """The refusals of a status update, by field (empty: it can be posted)."""
    errors: dict[str, list[str]] = {}
    if reported_on > today:
        errors["date"] = [Message("status_in_future")]
    if isinstance(progress_percent, bool) or not 0 <= int(progress_percent) <= 100:
        errors["progress_percent"] = [Message("progress_range")]
    if not (text or "").strip():
        errors["text"] = [Message("status_text_required")]
    elif len(text) > 10_000:
        errors["text"] = [Message("at_most_10000")]
    return errors


def add_status_update(
    pilot: Pilot,
    rag: Rag,
    progress_percent: int,
    text: str,
    reported_on: date | None = None,
    author_id: int | None = None,
    today: date | None = None,
    commit: bool = True,
) -> StatusUpdate:
    """Post a status update and mirror the newest one onto the pilot."""
    today = today or date.today()
    item = NewStatusUpdate(rag, progress_percent, text, reported_on or today, author_id)
    try:
        return add_status_updates(pilot, [item], today=today, commit=commit)[0]
    except RowsValidationError as exc:
        raise PilotValidationError(exc.rows[0]) from None


def add_status_updates(
    pilot: Pilot,
    items: Sequence[NewStatusUpdate],
    *,
    today: date | None = None,
    commit: bool = True,
) -> list[StatusUpdate]:
    """Post many status updates of one pilot with one flush (the bulk of an import): each
    checked as `add_status_update` checks one, all or none (RowsValidationError by
    position), the newest mirrored onto the pilot and each audited."""
    today = today or date.today()
    refused = {
        index: errors
        for index, item in enumerate(items)
        if (
            errors := status_update_errors(
                item.reported_on, item.progress_percent, item.text, today
            )
        )
    }
    if refused:
        raise RowsValidationError(refused)
    saved = []
    for item in items:
        update = StatusUpdate(
            pilot_id=pilot.id,
            reported_on=item.reported_on,
            rag=Rag(item.rag),
            progress_percent=int(item.progress_percent),
            text=item.text.strip(),
            author_id=item.author_id,
        )
        if item.uid:
            update.uid = item.uid
        db.session.add(update)
        saved.append(update)
    db.session.flush()
    for update in saved:
        if pilot.last_status_on is None or update.reported_on >= pilot.last_status_on:
            pilot.last_status_on = update.reported_on
            pilot.last_rag = update.rag
        audit.record(
            "create", "status_update", update.id, new=audit.row_values(update), pilot_id=pilot.id
        )
    if commit:
        db.session.commit()
    return saved


# --- a vendor's month in one form -------------------------------------------------------------


class MonthlyMeasurement(Protocol):
    """One measurement of a monthly report: the KPI and what was measured."""

    @property
    def kpi(self) -> Kpi: ...
    @property
    def measured_on(self) -> date: ...
    @property
    def value(self) -> Decimal: ...
    @property
    def note(self) -> str: ...


def latest_progress(pilot_id: int) -> int | None:
    """The progress of the pilot's newest status update (what a new report starts from)."""
    return db.session.scalar(
        sa.select(StatusUpdate.progress_percent)
        .where(StatusUpdate.pilot_id == pilot_id)
        .order_by(StatusUpdate.reported_on.desc(), StatusUpdate.id.desc())
        .limit(1)
    )


def record_monthly_report(
    pilot: Pilot,
    rag: Rag,
    progress_percent: int,
    text: str,
    measurements: list[MonthlyMeasurement],
    *,
    reported_on: date | None = None,
    author_id: int | None = None,
    today: date | None = None,
) -> tuple[StatusUpdate, list[Measurement]]:
    """Post a status update and the month's measurements together: all of them or none.

    Refusals are collected from every part before anything is kept: the status update's under
    its own keys (`date`, `progress_percent`, `text`), each measurement's under
    `measurements-<i>-<key>` (its position in `measurements`). A KPI of another pilot is a
    programming error, not a user's (ValueError)."""
    for item in measurements:
        if item.kpi.pilot_id != pilot.id:
            raise ValueError(f"KPI {item.kpi.id} is not a KPI of pilot {pilot.id}")
    errors: dict[str, list[str]] = {}
    update: StatusUpdate | None = None
    saved: list[Measurement] = []
    try:
        update = add_status_update(
            pilot,
            rag,
            progress_percent,
            text,
            reported_on=reported_on,
            author_id=author_id,
            today=today,
            commit=False,
        )
    except PilotValidationError as exc:
        errors.update(exc.errors)
    for index, item in enumerate(measurements):
        try:
            saved.append(
                add_measurement(
                    item.kpi,
                    item.measured_on,
                    item.value,
                    item.note,
                    recorded_by_id=author_id,
                    today=today,
                    commit=False,
                )
            )
        except PilotValidationError as exc:
            for key, messages in exc.errors.items():
                errors[f"measurements-{index}-{key}"] = messages
    if errors or update is None:
        db.session.rollback()
        raise PilotValidationError(errors)
    db.session.commit()
    return update, saved
