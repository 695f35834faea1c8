"""The words of the reminder settings, shared by the profile page and the tests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pilot_tracker.models.mail import Frequency

KIND_LABELS = {
    "status_update": _l("Status updates"),
    "measurement": _l("KPI measurements"),
    "review": _l("Reviews"),
    "planned_end": _l("Planned ends passed"),
    "follow_up": _l("Follow-up items"),
    "municipal_decision": _l("Municipal decisions"),
}

FREQUENCY_LABELS = {
    Frequency.DAILY: _l("Daily"),
    Frequency.WEEKLY: _l("Weekly (Mondays)"),
    Frequency.NEVER: _l("Never"),
}


def frequency_choices() -> list[tuple[str, str]]:
    return [(f.value, str(FREQUENCY_LABELS[f])) for f in Frequency]


def kind_labels() -> dict[str, str]:
    return {kind: str(text) for kind, text in KIND_LABELS.items()}
