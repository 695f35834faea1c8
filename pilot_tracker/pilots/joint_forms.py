"""Forms of the joint life of a pilot: municipal decisions, follow-up items, lessons."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pilot_tracker.domain.enums import Outcome
from pilot_tracker.domain.follow_up import ItemStatus
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.pilots.forms import enum_choices

EMPTY = _l("Choose…")


class MunicipalDecisionForm(FlaskForm):
    """What one municipality's body decided at a gate."""

    municipality = SelectField(_l("Municipality"), validators=[InputRequired()])
    gate = SelectField(_l("Gate"), validators=[InputRequired()])
    outcome = SelectField(_l("Outcome"), validators=[InputRequired()])
    body = SelectField(_l("Decided by (body)"), validators=[InputRequired()])
    decided_on = DateField(_l("Date of the decision"), validators=[InputRequired()])
    section = StringField(_l("Section (§)"), validators=[Optional(), Length(max=40)])
    minutes_url = StringField(_l("Minutes (web address)"), validators=[Length(max=2000)])
    note = TextAreaField(_l("Note"), validators=[Length(max=10_000)])

    def setup(self, municipalities: list[tuple[str, str]], gates: list[object]) -> None:
        self.municipality.choices = [("", str(EMPTY)), *municipalities]
        self.gate.choices = enum_choices(gates, empty=EMPTY)
        self.outcome.choices = enum_choices(Outcome, empty=EMPTY)
        self.body.choices = enum_choices(Body, empty=EMPTY)
        if self.decided_on.data is None and not self.is_submitted():
            self.decided_on.data = date.today()


class FollowUpForm(FlaskForm):
    """A new item of the follow-up plan."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    owner = SelectField(_l("Owner"), validators=[InputRequired()])
    due_on = DateField(_l("Due date"), validators=[Optional()])

    def setup(self, owners: list[tuple[str, str]]) -> None:
        self.owner.choices = [("", str(EMPTY)), *owners]


class FollowUpStatusForm(FlaskForm):
    """The status of an item and a comment (the vendor on its own items, editors on all)."""

    status = SelectField(_l("Status"), validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=10_000)])

    def setup(self) -> None:
        self.status.choices = enum_choices(ItemStatus)


class LessonForm(FlaskForm):
    """What the pilot taught."""

    lesson = TextAreaField(_l("Lessons learned"), validators=[DataRequired(), Length(max=10_000)])
