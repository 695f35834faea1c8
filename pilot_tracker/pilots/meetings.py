"""Planned gate meetings on the pilot page: plan, move or cancel the steering group's or a
municipality's meeting for the pilot's next gate (editors). 404 first for a pilot the user
may not see, then 403 for a user who may not edit it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from pilot_tracker.domain.enums import Gate
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import GateMeeting, Pilot
from pilot_tracker.permissions import (
    ALL_ROLES,
    can_edit_pilot,
    role_required,
    visible_pilot_or_404,
)
from pilot_tracker.pilots import bp
from pilot_tracker.pilots.forms import add_service_errors, enum_choices
from pilot_tracker.services.gate_meetings import (
    MeetingData,
    cancel_meeting,
    open_gates,
    plan_meeting,
    update_meeting,
)
from pilot_tracker.services.pilots import PilotValidationError, pilot_options

STEERING = ""  # the "who meets" choice of the joint steering group


class GateMeetingForm(FlaskForm):
    """A planned meeting for a gate: who meets, when, optionally at what time and where."""

    gate = SelectField(_l("Gate"), validators=[InputRequired()])
    who = SelectField(_l("Who meets"), validators=[Optional()])
    body = SelectField(_l("Body (a municipality's meeting)"), validators=[Optional()])
    meets_on = DateField(_l("Date of the meeting"), validators=[InputRequired()])
    starts_at = TimeField(_l("Starts at (Finnish time, optional)"), validators=[Optional()])
    place = StringField(_l("Place or meeting link"), validators=[Optional(), Length(max=200)])

    def setup(self, pilot: Pilot) -> None:
        language = current_language()
        self.gate.choices = enum_choices(open_gates(pilot))
        self.who.choices = [
            (STEERING, _("The steering group")),
            *(
                (p.municipality_code, p.municipality.name(language))
                for p in sorted(pilot.current_participations, key=lambda p: p.municipality_code)
            ),
        ]
        self.body.choices = enum_choices(Body, empty=_l("–"))

    def data_of(self) -> MeetingData:
        who = self.who.data or None
        return MeetingData(
            gate=Gate(self.gate.data),
            meets_on=self.meets_on.data,  # type: ignore[arg-type]
            starts_at=self.starts_at.data,
            municipality=who,
            body=Body(self.body.data) if self.body.data else None,
            place=self.place.data or "",
        )


FIELD_OF = {"municipality": "who", "meets_on": "meets_on", "body": "body", "gate": "gate"}


def _editable(pilot_id: int) -> Pilot:
    pilot = visible_pilot_or_404(pilot_id, current_user, pilot_options())
    if not can_edit_pilot(current_user, pilot):
        abort(403)
    return pilot


def _meeting_or_404(meeting_id: int) -> tuple[GateMeeting, Pilot]:
    meeting = db.session.get(GateMeeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting, _editable(meeting.pilot_id)


def _back(pilot: Pilot) -> Response:
    return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="meetings"))


@bp.route("/pilots/<int:pilot_id>/meetings/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def meeting_create(pilot_id: int) -> str | Response:
    """Plan a meeting for one of the gates open in the pilot's stage."""
    pilot = _editable(pilot_id)
    form = GateMeetingForm()
    form.setup(pilot)
    general: list[str] = []
    if not open_gates(pilot):
        general.append(_("No gate is open for this pilot, so no meeting can be planned."))
    elif form.validate_on_submit():
        try:
            plan_meeting(pilot, form.data_of(), created_by_id=current_user.id)
        except PilotValidationError as exc:
            general.extend(add_service_errors(form, exc.errors, FIELD_OF))
        else:
            flash(_("The meeting was planned; it is in the calendar feeds now."), "success")
            return _back(pilot)
    return render_template(
        "pilots/meeting_form.html", form=form, pilot=pilot, general=general, meeting=None
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def meeting_edit(meeting_id: int) -> str | Response:
    """Move or change a planned meeting; its calendar event moves with it."""
    meeting, pilot = _meeting_or_404(meeting_id)
    form = GateMeetingForm(obj=meeting)
    form.setup(pilot)
    if request.method == "GET":
        form.who.data = meeting.municipality_code or STEERING
        form.body.data = meeting.body.value if meeting.body else ""
        form.gate.data = meeting.gate.value
    general: list[str] = []
    if form.validate_on_submit():
        data = form.data_of()
        try:
            update_meeting(
                pilot,
                meeting,
                {key: getattr(data, key) for key in MeetingData.__dataclass_fields__},
            )
        except PilotValidationError as exc:
            db.session.rollback()
            general.extend(add_service_errors(form, exc.errors, FIELD_OF))
        else:
            flash(_("The meeting was changed."), "success")
            return _back(pilot)
    return render_template(
        "pilots/meeting_form.html", form=form, pilot=pilot, general=general, meeting=meeting
    )


@bp.post("/meetings/<int:meeting_id>/cancel")
@role_required(*ALL_ROLES)
def meeting_cancel(meeting_id: int) -> Response:
    """Cancel a planned meeting: it leaves the page and the calendar feeds."""
    meeting, pilot = _meeting_or_404(meeting_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    cancel_meeting(pilot, meeting)
    flash(_("The meeting was cancelled."), "success")
    return _back(pilot)


def meetings_section(pilot_id: int) -> list[GateMeeting]:
    """The pilot page's planned meetings, soonest first: one query."""
    return list(
        db.session.scalars(
            sa.select(GateMeeting)
            .where(GateMeeting.pilot_id == pilot_id)
            .order_by(GateMeeting.meets_on, GateMeeting.starts_at, GateMeeting.id)
        )
    )
