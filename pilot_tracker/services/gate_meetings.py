"""Planned gate meetings: when the steering group or a municipality's body meets to decide on
the pilot's next gate. Entered on the pilot page and through the API, audited, shown on the
pilot page and in the calendar feeds (services/calendar.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pilot_tracker.domain.enums import Gate
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.domain.stages import allowed_gates
from pilot_tracker.extensions import db
from pilot_tracker.models import GateMeeting, Pilot
from pilot_tracker.services import audit
from pilot_tracker.services.pilots import PilotValidationError

LOCAL_TIME = ZoneInfo("Europe/Helsinki")  # meeting times are entered in Finnish time
MAX_PLACE = 200
HORIZON = timedelta(days=5 * 366)  # a meeting is planned at most about five years ahead
MEETING_LENGTH = timedelta(hours=2)  # a timed meeting's calendar event lasts this long
FIELDS = frozenset({"gate", "meets_on", "starts_at", "municipality", "body", "place"})


@dataclass(frozen=True)
class MeetingData:
    """A meeting as entered: `municipality` None for the steering group."""

    gate: Gate
    meets_on: date
    starts_at: time | None = None
    municipality: str | None = None
    body: Body | None = None
    place: str = ""


def open_gates(pilot: Pilot) -> tuple[Gate, ...]:
    """The gates a meeting may be planned for: those open in the pilot's stage."""
    return allowed_gates(pilot.stage)


def meetings_of(pilot_id: int) -> list[GateMeeting]:
    """The pilot's planned meetings, soonest first (one query)."""
    return list(
        db.session.scalars(
            sa.select(GateMeeting)
            .where(GateMeeting.pilot_id == pilot_id)
            .order_by(GateMeeting.meets_on, GateMeeting.starts_at, GateMeeting.id)
        )
    )


def starts_utc(meeting: Any) -> datetime | None:
    """The start of a timed meeting as an aware UTC datetime (None for an all-day one)."""
    if meeting.starts_at is None:
        return None
    local = datetime.combine(meeting.meets_on, meeting.starts_at, tzinfo=LOCAL_TIME)
    return local.astimezone(ZoneInfo("UTC"))


def _check(
    pilot: Pilot,
    data: MeetingData,
    today: date,
    errors: dict[str, list[str]],
    old_date: date | None = None,
) -> None:
    gates = open_gates(pilot)
    if not gates:
        errors["gate"] = [Message("no_gate_open_for_meeting")]
    elif data.gate not in gates:
        errors["gate"] = [Message("meeting_gate_not_open")]
    # A meeting is planned for today or later; one already held keeps its date when edited.
    if data.meets_on != old_date:
        if data.meets_on < today:
            errors["meets_on"] = [Message("meeting_in_past")]
        elif data.meets_on > today + HORIZON:
            errors["meets_on"] = [Message("meeting_too_far")]
    if data.municipality is not None:
        current = {p.municipality_code for p in pilot.current_participations}
        if data.municipality not in current:
            errors["municipality"] = [Message("meeting_municipality_not_participant")]
    elif data.body is not None:
        errors["body"] = [Message("meeting_body_only_municipal")]
    if len(data.place) > MAX_PLACE:
        errors["place"] = [Message("at_most_200")]


def plan_meeting(
    pilot: Pilot,
    data: MeetingData,
    *,
    created_by_id: int | None = None,
    today: date | None = None,
    commit: bool = True,
) -> GateMeeting:
    """Plan a meeting (editors); PilotValidationError names each bad field, nothing saved
    then. `pilot` needs its participations loaded."""
    errors: dict[str, list[str]] = {}
    data = MeetingData(**{**data.__dict__, "place": (data.place or "").strip()})
    _check(pilot, data, today or date.today(), errors)
    if errors:
        raise PilotValidationError(errors)
    meeting = GateMeeting(
        pilot_id=pilot.id,
        gate=data.gate,
        meets_on=data.meets_on,
        starts_at=data.starts_at,
        municipality_code=data.municipality,
        body=data.body if data.municipality else None,
        place=data.place,
        created_by_id=created_by_id,
    )
    audit.add_new(meeting, "gate_meeting", pilot.id, commit)
    return meeting


def data_of(meeting: GateMeeting) -> MeetingData:
    return MeetingData(
        gate=Gate(meeting.gate),
        meets_on=meeting.meets_on,
        starts_at=meeting.starts_at,
        municipality=meeting.municipality_code,
        body=Body(meeting.body) if meeting.body else None,
        place=meeting.place,
    )


def update_meeting(
    pilot: Pilot,
    meeting: GateMeeting,
    changes: Mapping[str, Any],
    *,
    today: date | None = None,
    commit: bool = True,
) -> GateMeeting:
    """Change a meeting (moved, retimed, another body or place): the calendar event keeps its
    UID and moves. Unknown fields raise PilotValidationError like bad values."""
    unknown = sorted(set(changes) - FIELDS)
    if unknown:
        raise PilotValidationError({key: [Message("unknown_field")] for key in unknown})
    old = data_of(meeting)
    values = {**old.__dict__, **changes}
    values["place"] = (values.get("place") or "").strip()
    if values.get("municipality") is None:
        values["body"] = None if "body" not in changes else values["body"]
    new = MeetingData(**values)
    errors: dict[str, list[str]] = {}
    _check(pilot, new, today or date.today(), errors, old_date=old.meets_on)
    if errors:
        raise PilotValidationError(errors)
    before = audit.row_values(meeting)
    meeting.gate = new.gate
    meeting.meets_on = new.meets_on
    meeting.starts_at = new.starts_at
    meeting.municipality_code = new.municipality
    meeting.body = new.body
    meeting.place = new.place
    db.session.flush()
    after = audit.row_values(meeting, exclude=("updated_at",))
    before.pop("updated_at", None)
    if after != before:
        audit.record(
            "update",
            "gate_meeting",
            meeting.id,
            old={k: v for k, v in before.items() if after[k] != v},
            new={k: v for k, v in after.items() if before[k] != v},
            pilot_id=pilot.id,
        )
    if commit:
        db.session.commit()
    return meeting


def cancel_meeting(pilot: Pilot, meeting: GateMeeting, commit: bool = True) -> None:
    """Cancel (delete) a meeting; the audit log keeps what it was, the feeds drop it."""
    audit.record(
        "delete", "gate_meeting", meeting.id, old=audit.row_values(meeting), pilot_id=pilot.id
    )
    db.session.delete(meeting)
    if commit:
        db.session.commit()
