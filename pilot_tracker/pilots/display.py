"""Showing audit-log values to people: field names and values in the interface language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l

from pilot_tracker.domain.enums import (
    Direction,
    Gate,
    Goal,
    Outcome,
    Rag,
    SplitMethod,
    Stage,
    Theme,
    Track,
)
from pilot_tracker.language.i18n import day, money
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import label
from pilot_tracker.models import AuditEntry

FIELD_LABELS: dict[str, Any] = {
    "name": _l("Name"),
    "summary": _l("Summary"),
    "theme": _l("Theme"),
    "track": _l("Track"),
    "stage": _l("Stage"),
    "goals": _l("Strategic goals"),
    "lead_municipality_code": _l("Lead municipality"),
    "participants": _l("Participants and shares"),
    "split_method": _l("Cost-split method"),
    "budget_cents": _l("Total budget"),
    "external_funding_cents": _l("External funding"),
    "estimated_annual_savings_cents": _l("Estimated annual savings"),
    "share_cents": _l("Share"),
    "vendor_id": _l("Vendor"),
    "coordinator_id": _l("Coordinator"),
    "start_date": _l("Planned start"),
    "end_date": _l("Planned end"),
    "is_public": _l("Public"),
    "last_status_on": _l("Latest status"),
    "last_rag": _l("Latest RAG"),
    "unit": _l("Unit"),
    "baseline": _l("Baseline"),
    "target": _l("Target"),
    "direction": _l("Direction"),
    "is_savings": _l("Measures savings"),
    "latest_value": _l("Latest value"),
    "latest_on": _l("Latest measured"),
    "kpi_id": _l("KPI"),
    "measured_on": _l("Date"),
    "value": _l("Value"),
    "note": _l("Note"),
    "reported_on": _l("Date"),
    "rag": _l("Status"),
    "progress_percent": _l("Progress (%)"),
    "text": _l("Text"),
    "gate": _l("Gate"),
    "outcome": _l("Outcome"),
    "decided_on": _l("Date of the decision"),
    "decided_by": _l("Decided by"),
    "rationale": _l("Rationale"),
    "follow_up": _l("Follow-up plan"),
    "next_review": _l("Next review"),
    "stage_before": _l("Stage before"),
    "stage_after": _l("Stage after"),
}

ENTITY_LABELS: dict[str, Any] = {
    "pilot": _l("Pilot"),
    "kpi": _l("KPI"),
    "measurement": _l("Measurement"),
    "status_update": _l("Status update"),
    "decision": _l("Decision"),
    "participation": _l("Participation"),
}

ACTION_LABELS: dict[str, Any] = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
}

_ENUMS: dict[str, type[Enum]] = {
    "theme": Theme,
    "track": Track,
    "stage": Stage,
    "stage_before": Stage,
    "stage_after": Stage,
    "split_method": SplitMethod,
    "rag": Rag,
    "last_rag": Rag,
    "direction": Direction,
    "gate": Gate,
    "outcome": Outcome,
}
_DATES = {
    "start_date",
    "end_date",
    "last_status_on",
    "latest_on",
    "measured_on",
    "reported_on",
    "decided_on",
    "next_review",
}
# What a create or delete entry shows of its record; the rest stays in the log.
_SUMMARY_KEYS: dict[str, tuple[str, ...]] = {
    "pilot": ("name", "stage"),
    "kpi": ("name", "baseline", "target", "unit"),
    "measurement": ("measured_on", "value"),
    "status_update": ("reported_on", "rag", "progress_percent"),
    "decision": ("gate", "outcome", "decided_on", "stage_after"),
}
# Bookkeeping columns people do not need to see in a change list.
_HIDDEN = {"id", "version", "created_at", "updated_at", "pilot_id", "snapshot"}
_MAX_TEXT = 300


def field_label(key: str) -> str:
    text = FIELD_LABELS.get(key)
    return str(text) if text is not None else key


# Keys whose values are ids or codes of other records, and the kind of record they name.
REFERENCES: dict[str, str] = {
    "vendor_id": "vendor",
    "coordinator_id": "user",
    "recorded_by_id": "user",
    "author_id": "user",
    "lead_municipality_code": "municipality",
}

Names = dict[tuple[str, str], str]


def referenced(values: list[dict[str, Any] | None]) -> dict[str, set[str]]:
    """The vendors, users and municipalities that audit values name, by kind."""
    wanted: dict[str, set[str]] = {"vendor": set(), "user": set(), "municipality": set()}
    for record in values:
        for key, value in (record or {}).items():
            if key in REFERENCES and value not in (None, ""):
                wanted[REFERENCES[key]].add(str(value))
            elif key == "participants" and isinstance(value, dict):
                wanted["municipality"].update(str(code) for code in value)
    return wanted


def format_value(key: str, value: Any, names: Names | None = None) -> str:
    """An audit-log value as people read it (money, dates, labels, names for ids)."""
    if value is None or value == "":
        return "–"
    names = names or {}
    if key in REFERENCES:
        return names.get((REFERENCES[key], str(value)), str(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key.endswith("_cents") and isinstance(value, int):
        return money(value)
    if key in _ENUMS:
        try:
            return label(_ENUMS[key](value))
        except ValueError:
            return str(value)
    if key == "goals" and isinstance(value, list):
        goals = {g.value: g for g in Goal}
        return ", ".join(label(goals[g]) if g in goals else str(g) for g in value)
    if key == "participants" and isinstance(value, dict):
        return _participants_text(value, names)
    if key in _DATES and isinstance(value, str):
        try:
            return day(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, datetime | date):
        return day(value)
    text = str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _participants_text(value: dict[str, Any], names: Names) -> str:
    """Participating municipalities by name, each with its share when the value has one."""
    parts = []
    for code in sorted(value):
        share = value[code] or {}
        cents = share.get("share_cents") if isinstance(share, dict) else None
        name = names.get(("municipality", str(code)), code)
        parts.append(f"{name}: {money(cents)}" if isinstance(cents, int) else name)
    return "; ".join(parts)


@dataclass
class Change:
    """One field of an audit entry: its label and old and new values, formatted."""

    field: str
    old: str
    new: str


@dataclass
class HistoryItem:
    """An audit entry ready for a template."""

    at: datetime
    actor: str
    what: str
    changes: list[Change]


def history_item(entry: AuditEntry, names: Names | None = None) -> HistoryItem:
    """What an audit entry says, in the interface language."""
    entity = ENTITY_LABELS.get(entry.entity)
    action = ACTION_LABELS.get(entry.action)
    what = _(
        "%(entity)s %(action)s",
        entity=str(entity) if entity else entry.entity,
        action=str(action) if action else entry.action,
    )
    old = entry.old or {}
    new = entry.new or {}
    if entry.action == "update":
        keys = [k for k in sorted(set(old) | set(new)) if k not in _HIDDEN]
    else:
        record = new if entry.action == "create" else old
        keys = [k for k in _SUMMARY_KEYS.get(entry.entity, ()) if k in record]
    changes = [
        Change(
            field_label(k), format_value(k, old.get(k), names), format_value(k, new.get(k), names)
        )
        for k in keys
    ]
    return HistoryItem(
        at=entry.at, actor=entry.actor_email or _("the system"), what=what, changes=changes
    )


@dataclass
class ConflictItem:
    """A field another editor changed after this editor loaded the pilot."""

    field: str
    value: str
    by: str
    at: datetime | None


def conflict_items(changed: dict[str, Any], names: Names | None = None) -> list[ConflictItem]:
    """StaleVersionError.changed, formatted for the refused editor."""
    items = []
    for key in sorted(changed):
        if key in _HIDDEN:
            continue
        info = changed[key] or {}
        items.append(
            ConflictItem(
                field=field_label(key),
                value=format_value(key, info.get("value"), names),
                by=info.get("by") or _("someone"),
                at=info.get("at"),
            )
        )
    return items
