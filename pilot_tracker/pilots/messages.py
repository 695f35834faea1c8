"""Translations of the fixed English messages that services and domain rules raise.

Services speak English (the API sends their messages as they are); pages show them in the
interface language. Each message is written out literally so that extraction finds it;
messages with values in them fall back to English.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

_KNOWN: dict[str, object] = {
    # services/pilots.py
    "A name is required.": _l("A name is required."),
    "The name can be at most 200 characters.": _l("The name can be at most 200 characters."),
    "The summary can be at most 10 000 characters.": _l(
        "The summary can be at most 10 000 characters."
    ),
    "Choose a track: this theme has no default track.": _l(
        "Choose a track: this theme has no default track."
    ),
    "A municipality is listed twice.": _l("A municipality is listed twice."),
    "At least one participating municipality is required.": _l(
        "At least one participating municipality is required."
    ),
    "There are only 308 municipalities.": _l("There are only 308 municipalities."),
    "The lead municipality must be one of the participants.": _l(
        "The lead municipality must be one of the participants."
    ),
    "Must be zero or more.": _l("Must be zero or more."),
    "The amount is too large.": _l("The amount is too large."),
    "The end date cannot be before the start date.": _l(
        "The end date cannot be before the start date."
    ),
    "A new pilot cannot start as scaling or stopped: that takes a decision.": _l(
        "A new pilot cannot start as scaling or stopped: that takes a decision."
    ),
    "This field cannot be changed.": _l("This field cannot be changed."),
    # services/reporting.py
    "A number is required.": _l("A number is required."),
    "Enter a number, e.g. 12.5.": _l("Enter a number, e.g. 12.5."),
    "Enter a finite number below 10^15.": _l("Enter a finite number below 10^15."),
    "At most four decimals.": _l("At most four decimals."),
    "At most 200 characters.": _l("At most 200 characters."),
    "At most 50 characters.": _l("At most 50 characters."),
    "At most 2000 characters.": _l("At most 2000 characters."),
    "At most 10 000 characters.": _l("At most 10 000 characters."),
    "A measurement cannot be dated in the future.": _l(
        "A measurement cannot be dated in the future."
    ),
    "A status update cannot be dated in the future.": _l(
        "A status update cannot be dated in the future."
    ),
    "Progress is a whole number from 0 to 100.": _l("Progress is a whole number from 0 to 100."),
    "Describe the status in a few words.": _l("Describe the status in a few words."),
    # services/decisions.py
    "Name the body that decided (e.g. kunnanhallitus).": _l(
        "Name the body that decided (e.g. kunnanhallitus)."
    ),
    "Write down the rationale of the decision.": _l("Write down the rationale of the decision."),
    "The next review cannot be before the decision.": _l(
        "The next review cannot be before the decision."
    ),
    # domain/kpi.py
    "The target must differ from the baseline; otherwise there is no progress.": _l(
        "The target must differ from the baseline; otherwise there is no progress."
    ),
    "The target is below the baseline, but the KPI should increase; "
    "set a target above the baseline or choose decrease.": _l(
        "The target is below the baseline, but the KPI should increase; "
        "set a target above the baseline or choose decrease."
    ),
    "The target is above the baseline, but the KPI should decrease; "
    "set a target below the baseline or choose increase.": _l(
        "The target is above the baseline, but the KPI should decrease; "
        "set a target below the baseline or choose increase."
    ),
}


def translate(message: str) -> str:
    """The message in the interface language when it is a known one, else as it is."""
    known = _KNOWN.get(message)
    return str(known) if known is not None else message


def translate_all(messages: list[str]) -> list[str]:
    """`translate` over a list of messages."""
    return [translate(m) for m in messages]
