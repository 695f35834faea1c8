"""Planned gate meetings of a pilot (an addition to API.md's "joint life" endpoints):

    GET    /api/v1/pilots/{id}/gate-meetings   as pilot; soonest first, paginated
    POST   /api/v1/pilots/{id}/gate-meetings   coordinator, admin → 201
    PATCH  /api/v1/gate-meetings/{id}          coordinator, admin → 200 (moved, retimed, ...)
    DELETE /api/v1/gate-meetings/{id}          coordinator, admin → 204 (cancelled)

`municipality` null (or left out) is the joint steering group's meeting; `time` is local
time in Finland (`HH:MM`), null for an all-day entry.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, abort
from marshmallow import Schema, fields

from pilot_tracker.api.core import ID, api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, ERRORS_WRITE, errors_doc
from pilot_tracker.api.fields import Length, Text, code_field
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import PageArgsSchema, enum, out, page_schema
from pilot_tracker.domain.enums import Gate
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import GateMeeting, Pilot
from pilot_tracker.permissions import can_edit_pilot, visible_pilot_or_404
from pilot_tracker.services.gate_meetings import (
    MeetingData,
    cancel_meeting,
    plan_meeting,
    update_meeting,
)
from pilot_tracker.services.pilots import pilot_options

TIME_FORMAT = "%H:%M"


class GateMeetingCreateSchema(Schema):
    gate = enum(Gate, required=True)
    meets_on = fields.Date(required=True, data_key="date")
    starts_at = fields.Time(allow_none=True, load_default=None, data_key="time", format=TIME_FORMAT)
    municipality = code_field(allow_none=True, load_default=None)
    body = enum(Body, allow_none=True, load_default=None)
    place = Text(load_default="", validate=Length(max=200))


class GateMeetingPatchSchema(Schema):
    gate = enum(Gate)
    meets_on = fields.Date(data_key="date")
    starts_at = fields.Time(allow_none=True, data_key="time", format=TIME_FORMAT)
    municipality = code_field(allow_none=True)
    body = enum(Body, allow_none=True)
    place = Text(validate=Length(max=200))


class GateMeetingSchema(Schema):
    """Dumps a GateMeeting."""

    id = out(fields.Integer)
    pilot_id = out(fields.Integer)
    gate = out(enum, Gate)
    date = out(fields.Date, attribute="meets_on")
    time = out(fields.Time, attribute="starts_at", allow_none=True, format=TIME_FORMAT)
    municipality = out(
        fields.String,
        attribute="municipality_code",
        allow_none=True,
        metadata={"description": "null: the joint steering group meets."},
    )
    body = out(enum, Body, allow_none=True)
    place = out(fields.String)
    created_at = out(fields.AwareDateTime)
    updated_at = out(fields.AwareDateTime)


GateMeetingPageSchema = page_schema(GateMeetingSchema, "GateMeetingPage")


def _query(pilot_id: int) -> sa.Select[Any]:
    return (
        sa.select(GateMeeting)
        .where(GateMeeting.pilot_id == pilot_id)
        .order_by(GateMeeting.meets_on, GateMeeting.starts_at, GateMeeting.id)
    )


def _editable_meeting(meeting_id: int) -> tuple[GateMeeting, Pilot]:
    user = api_user()
    meeting = db.session.get(GateMeeting, meeting_id)
    if meeting is None:
        abort(404)
    pilot = visible_pilot_or_404(meeting.pilot_id, user, pilot_options())
    if not can_edit_pilot(user, pilot):
        abort(403)
    return meeting, pilot


@bp.route(f"/pilots/<{ID}:pilot_id>/gate-meetings", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, GateMeetingPageSchema)
@errors_doc(*ERRORS_READ, 404)
def list_gate_meetings(pilot_id: int, **args: Any) -> dict[str, Any]:
    """The pilot's planned gate meetings, soonest first."""
    visible_pilot_or_404(pilot_id, api_user())
    return page_of(_query(pilot_id), args, list)


@bp.route(f"/pilots/<{ID}:pilot_id>/gate-meetings", methods=["POST"])
@bp.arguments(GateMeetingCreateSchema)
@bp.response(201, GateMeetingSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_gate_meeting(data: dict[str, Any], pilot_id: int) -> GateMeeting:
    """Plan a meeting for a gate open in the pilot's stage (coordinators, admins); a date
    in the past, a gate not open or a municipality not taking part is a 422."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user, pilot_options())
    if not can_edit_pilot(user, pilot):
        abort(403)
    return plan_meeting(pilot, MeetingData(**data), created_by_id=user.id)


@bp.route(f"/gate-meetings/<{ID}:meeting_id>", methods=["PATCH"])
@bp.arguments(GateMeetingPatchSchema)
@bp.response(200, GateMeetingSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def patch_gate_meeting(changes: dict[str, Any], meeting_id: int) -> GateMeeting:
    """Move or change a meeting; its calendar event keeps its UID and moves."""
    meeting, pilot = _editable_meeting(meeting_id)
    return update_meeting(pilot, meeting, changes)


@bp.route(f"/gate-meetings/<{ID}:meeting_id>", methods=["DELETE"])
@bp.response(204)
@errors_doc(*ERRORS_WRITE, 403, 404)
def delete_gate_meeting(meeting_id: int) -> Response:
    """Cancel a meeting; the audit log keeps what it was."""
    meeting, pilot = _editable_meeting(meeting_id)
    cancel_meeting(pilot, meeting)
    return Response(status=204)
