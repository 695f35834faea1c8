"""Forms of the pilot pages: the pilot itself, its participants, KPIs, reports and decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.form import Form
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from pilot_tracker.catalogue import render, render_all
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
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.money import (
    MoneyError,
    cents_to_decimal,
    format_cents,
    parse_eur,
    parse_hundredths,
)
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.services.pilots import PilotValidationError
from pilot_tracker.services.reporting import parse_value
from pilot_tracker.web.forms import enum_choices

CODE = re.compile(r"[0-9]{3}")


# The empty first option of a required choice: nothing is chosen for the user unseen, and a
# form sent without a choice is refused with "This field is required".
CHOOSE = _l("Choose…")


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: "" means none."""
    if value in (None, ""):
        return None
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes, one per choice (strategic goals)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _money_message(reason: str) -> str:
    # The form's own wording by the kind of problem (the domain's says more than a form
    # field beside its label needs): each from the catalogue.
    code = {
        "too_many_decimals": "decimal_comma",
        "negative": "amount_negative",
        "too_large": "amount_too_large",
    }.get(reason, "amount_format")
    return render(Message(code))


class EuroField(StringField):
    """Euros typed as text, Finnish or plain ("12 500,50", "12500.50"); empty is 0 €."""

    def cents(self) -> int | None:
        """The amount in cents, or None when the text is not an amount."""
        text = (self.data or "").strip()
        if not text:
            return 0
        try:
            return parse_eur(text)
        except MoneyError:
            return None

    def set_cents(self, cents: int) -> None:
        """Show an amount in the input, in a form every language reads back the same."""
        self.data = format_cents(cents)

    def pre_validate(self, form: Form) -> None:
        text = (self.data or "").strip()
        if not text:
            return
        try:
            parse_eur(text)
        except MoneyError as exc:
            raise StopValidation(_money_message(exc.reason)) from None


class DecimalTextField(StringField):
    """A number typed as text (decimal comma allowed), at most four decimals."""

    def value(self) -> Decimal | None:
        """The number, or None when the text is not one."""
        try:
            return parse_value(self.data, self.name)
        except PilotValidationError:
            return None

    def pre_validate(self, form: Form) -> None:
        if not (self.data or "").strip():
            raise StopValidation(render(Message("number_required")))
        try:
            parse_value(self.data, self.name)
        except PilotValidationError as exc:
            raise StopValidation(render(exc.errors[self.name][0])) from None


def not_in_future(form: Form, date_field: DateField) -> None:
    """Refuse a date after today (measurements and status updates report the past)."""
    if date_field.data is not None and date_field.data > date.today():
        raise ValidationError(_("The date cannot be in the future."))


# The languages of a pilot's name and summary, each by its own name (as the header's
# language buttons write them).
TEXT_LANGUAGE_NAMES = (("fi", "Suomi"), ("sv", "Svenska"), ("en", "English"))


def _percent(text: str | None) -> Decimal | None:
    """0 to 100 with at most two decimals (decimal comma allowed), or None."""
    from pilot_tracker.domain.cost_split import CostSplitError, parse_equal_percent

    if not (text or "").strip():
        return None
    try:
        return parse_equal_percent((text or "").strip())
    except CostSplitError:
        return None


# Stages a new pilot may start in; scaling and stopped are reached only by decisions.
CREATE_STAGES = (Stage.IDEA, Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION)


class PilotForm(FlaskForm):
    """Every field of a pilot except its participants, which `ParticipantInput` reads."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=10_000)])
    theme = SelectField(_l("Theme"), validators=[DataRequired()])
    track = SelectField(_l("Track"))
    stage = SelectField(_l("Stage"), validators=[DataRequired()])
    goals = MultiCheckboxField(_l("Strategic goals"))
    vendor_id = SelectField(_l("Vendor"), coerce=optional_int)
    coordinator_id = SelectField(_l("Coordinator"), coerce=optional_int)
    start_date = DateField(_l("Planned start"), validators=[Optional()])
    end_date = DateField(_l("Planned end"), validators=[Optional()])
    budget = EuroField(_l("Total budget (€)"))
    external_funding = EuroField(_l("External funding (€)"))
    estimated_annual_savings = EuroField(_l("Estimated annual savings (€ per year)"))
    split_method = RadioField(_l("Cost-split method"), validators=[DataRequired()])
    # Checked by validate_equal_percent / validate_external_funding_rate (Optional() would
    # stop before them on an empty value, which hybrid must refuse).
    equal_percent = StringField(_l("Part shared equally (%)"))
    external_funding_rate = StringField(_l("External funding's rate of each cost (%)"))
    is_public = BooleanField(_l("Public: shown in the open data"))
    # Checked by the service (its message shows here); a form sent without it (an older
    # page) takes the page's language.
    language = SelectField(_l("Language of the name and summary"), validate_choice=False)
    municipality_q = StringField(_l("Find a municipality by name or code"))
    version = HiddenField()
    # Shown only with plausibility warnings: saving needs it checked then.
    confirm_warnings = BooleanField(_l("Save anyway: I have checked the warnings above"))

    def setup(
        self,
        stages: tuple[Stage, ...] | list[Stage],
        vendors: list[tuple[int, str]],
        coordinators: list[tuple[int, str]],
    ) -> None:
        """Fill the choices (translated, and the vendors and coordinators of the register)."""
        self.theme.choices = enum_choices(Theme, empty=CHOOSE)
        self.track.choices = enum_choices(Track, empty=_l("Proposed by the theme"))
        self.stage.choices = enum_choices(stages, empty=CHOOSE)
        self.goals.choices = enum_choices(Goal)
        self.split_method.choices = enum_choices(SplitMethod)
        self.vendor_id.choices = [SelectChoice(value="", label=_("No vendor yet"))] + [
            SelectChoice(value=str(i), label=name) for i, name in vendors
        ]
        self.coordinator_id.choices = [SelectChoice(value="", label=_("No coordinator"))] + [
            SelectChoice(value=str(i), label=name) for i, name in coordinators
        ]
        if self.split_method.data is None:
            self.split_method.data = SplitMethod.PER_CAPITA.value
        # Each language by its own name, as language pickers write them.
        self.language.choices = [
            SelectChoice(value=code, label=name, render_kw={"lang": code})
            for code, name in TEXT_LANGUAGE_NAMES
        ]

    def fill_from(self, pilot: Any) -> None:
        """Show a stored pilot (the edit form's first view)."""
        from pilot_tracker.domain.enums import default_track

        self.name.data = pilot.name
        self.summary.data = pilot.summary
        self.theme.data = pilot.theme.value
        # The empty choice keeps "the theme proposes the track" working on later theme changes.
        proposed = default_track(pilot.theme)
        self.track.data = "" if proposed is pilot.track else pilot.track.value
        self.stage.data = pilot.stage.value
        self.goals.data = [g.goal.value for g in pilot.goals]
        self.vendor_id.data = pilot.vendor_id
        self.coordinator_id.data = pilot.coordinator_id
        self.start_date.data = pilot.start_date
        self.end_date.data = pilot.end_date
        self.budget.set_cents(pilot.budget_cents)
        self.external_funding.set_cents(pilot.external_funding_cents)
        self.estimated_annual_savings.set_cents(pilot.estimated_annual_savings_cents)
        self.split_method.data = pilot.split_method.value
        self.equal_percent.data = (
            "" if pilot.equal_percent is None else f"{pilot.equal_percent:.2f}".replace(".", ",")
        )
        rate = pilot.external_funding_rate_percent
        self.external_funding_rate.data = "" if rate is None else f"{rate:.2f}".replace(".", ",")
        self.is_public.data = pilot.is_public
        self.language.data = pilot.language
        self.version.data = str(pilot.version)

    def equal_percent_value(self) -> Decimal | None:
        """The hybrid method's equal part, or None (empty or not a percentage)."""
        return _percent(self.equal_percent.data)

    def funding_rate_value(self) -> Decimal | None:
        """The funding rate, or None (empty: funding ÷ budget; or not a percentage)."""
        return _percent(self.external_funding_rate.data)

    def validate_equal_percent(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if self.split_method.data == SplitMethod.HYBRID.value and not text:
            raise ValidationError(_l("Give the part shared equally, e.g. 30."))
        if text and _percent(text) is None:
            raise ValidationError(_l("A percentage from 0 to 100 with at most two decimals."))

    def validate_external_funding_rate(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if text and _percent(text) is None:
            raise ValidationError(_l("A percentage from 0 to 100 with at most two decimals."))

    def expected_version(self) -> int | None:
        """The version the editor loaded, from the hidden field."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


def add_service_errors(
    form: Any, errors: dict[str, list[str]], mapping: dict[str, str]
) -> list[str]:
    """Put a service's errors next to their fields (`mapping`: service key → field name);
    returns, translated, those no field of `form` shows."""
    rest: list[str] = []
    for key, messages in errors.items():
        target = form._fields.get(mapping.get(key, key))
        if target is None:
            rest.extend(render_all(messages))
        else:
            target.errors = [*target.errors, *render_all(messages)]
    return rest


# Service error keys → the form field that shows them.
SERVICE_FIELD = {
    "name": "name",
    "summary": "summary",
    "theme": "theme",
    "track": "track",
    "stage": "stage",
    "goals": "goals",
    "vendor_id": "vendor_id",
    "coordinator_id": "coordinator_id",
    "start_date": "start_date",
    "end_date": "end_date",
    "budget_cents": "budget",
    "external_funding_cents": "external_funding",
    "estimated_annual_savings_cents": "estimated_annual_savings",
    "split_method": "split_method",
    "equal_percent": "equal_percent",
    "external_funding_rate_percent": "external_funding_rate",
    "is_public": "is_public",
    "language": "language",
}


@dataclass
class ParticipantInput:
    """The participants part of the pilot form, read from checkboxes and inputs by hand
    because its fields come and go with the municipalities picked."""

    codes: list[str] = field(default_factory=list)
    lead: str = ""
    manual_raw: dict[str, str] = field(default_factory=dict)
    query: str = ""
    errors: list[str] = field(default_factory=list)
    lead_errors: list[str] = field(default_factory=list)
    split_errors: list[str] = field(default_factory=list)
    manual_errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_formdata(cls, formdata: Any) -> ParticipantInput:
        """Checked `participants` boxes (search hits included), the `lead_municipality`
        radio and one `share-<code>` input per participant."""
        codes: list[str] = []
        for raw in formdata.getlist("participants"):
            code = (raw or "").strip()
            if CODE.fullmatch(code) and code not in codes:
                codes.append(code)
        codes.sort()
        lead = (formdata.get("lead_municipality") or "").strip()
        # The lead is chosen explicitly, never as a side effect of adding a municipality.
        return cls(
            codes=codes,
            lead=lead,
            manual_raw={c: (formdata.get(f"share-{c}") or "").strip() for c in codes},
            query=(formdata.get("municipality_q") or "").strip()[:100],
        )

    @classmethod
    def from_pilot(cls, pilot: Any) -> ParticipantInput:
        """The stored participants of a pilot."""
        return cls(
            codes=[p.municipality_code for p in pilot.participations],
            lead=pilot.lead_municipality_code,
            manual_raw={
                p.municipality_code: ("" if p.manual_percent is None else str(p.manual_percent))
                for p in pilot.participations
            },
        )

    def has_errors(self) -> bool:
        return bool(self.errors or self.lead_errors or self.split_errors or self.manual_errors)

    def manual_percentages(self) -> dict[str, Decimal] | None:
        """Each participant's percentage; sets errors (per field, and the sum) if they are bad."""
        values: dict[str, int] = {}
        for code in self.codes:
            try:
                values[code] = parse_hundredths(self.manual_raw.get(code, ""), 100 * 100)
            except MoneyError:
                self.manual_errors[code] = _(
                    "Enter a percentage from 0 to 100 with at most two decimals, e.g. 33.33."
                )
        if self.manual_errors:
            self.split_errors.append(_("Give every participant a percentage."))
            return None
        total = sum(values.values())
        if total != 100 * 100:
            from pilot_tracker.language.i18n import number

            self.split_errors.append(
                _(
                    "The shares add up to %(sum)s %%; they must add up to exactly 100.00 %%.",
                    sum=number(cents_to_decimal(total), 2),
                )
            )
            return None
        return {code: cents_to_decimal(v) for code, v in values.items()}


class KpiForm(FlaskForm):
    """A KPI's definition."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Length(max=50)])
    baseline = DecimalTextField(_l("Baseline"))
    target = DecimalTextField(_l("Target"))
    direction = RadioField(_l("Better when the value"), validators=[DataRequired()])
    is_savings = BooleanField(_l("Measures savings (€ per year)"))

    def setup(self) -> None:
        self.direction.choices = enum_choices(Direction)


class MeasurementForm(FlaskForm):
    """A measured value of one of the pilot's KPIs."""

    kpi_id = SelectField(_l("KPI"), coerce=optional_int, validators=[InputRequired()])
    measured_on = DateField(_l("Date"), validators=[InputRequired(), not_in_future])
    value = DecimalTextField(_l("Value"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])

    def setup(self, kpis: list[Any]) -> None:
        self.kpi_id.choices = [SelectChoice(value="", label=str(CHOOSE))] + [
            SelectChoice(value=str(k.id), label=f"{k.name} ({k.unit})" if k.unit else k.name)
            for k in kpis
        ]
        if self.measured_on.data is None and not self.is_submitted():
            self.measured_on.data = date.today()


PROGRESS_MESSAGE = _l("Enter the progress as a whole number from 0 to 100.")


class WholeNumberField(IntegerField):
    """An integer field whose one message for any bad input is its own (WTForms would give
    "not a valid integer" and then the range check's message too, for 50.5)."""

    def __init__(self, *args: Any, message: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        # A value that is not a whole number is reported once, by its own message.
        if self.process_errors:
            self.errors = [self.message]


class StatusForm(FlaskForm):
    """A status report: RAG, progress and a few words."""

    rag = RadioField(_l("Status"), validators=[InputRequired()])
    progress_percent = WholeNumberField(
        _l("Progress (%)"),
        validators=[
            InputRequired(message=PROGRESS_MESSAGE),
            NumberRange(min=0, max=100, message=PROGRESS_MESSAGE),
        ],
        message=PROGRESS_MESSAGE,
    )
    text = TextAreaField(_l("What is happening"), validators=[DataRequired(), Length(max=10_000)])
    reported_on = DateField(_l("Date"), validators=[InputRequired(), not_in_future])

    def setup(self) -> None:
        self.rag.choices = enum_choices(Rag)
        if self.reported_on.data is None and not self.is_submitted():
            self.reported_on.data = date.today()


def known_gate(form: Form, gate_field: SelectField) -> None:
    """A gate of the rules at all (whether it is open is the service's to say)."""
    if gate_field.data not in {g.value for g in Gate}:
        raise StopValidation(_("Choose a gate."))


class DecisionForm(FlaskForm):
    """A go / no-go decision at a stage gate."""

    # Offers only the gates open in the pilot's stage; a gate posted from an older page is
    # left to the service, whose refusal says why it is not open (not "not a valid choice").
    gate = SelectField(_l("Gate"), validators=[InputRequired(), known_gate], validate_choice=False)
    outcome = RadioField(_l("Outcome"), validators=[InputRequired()])
    back_to_planning = BooleanField(_l("Send the pilot back to planning (continue only)"))
    decided_on = DateField(_l("Date of the decision"), validators=[InputRequired()])
    decided_by = StringField(_l("Decided by (body)"), validators=[DataRequired(), Length(max=200)])
    rationale = TextAreaField(_l("Rationale"), validators=[DataRequired(), Length(max=10_000)])
    follow_up = TextAreaField(_l("Follow-up plan with the vendor"), validators=[Length(max=10_000)])
    next_review = DateField(_l("Next review"), validators=[Optional()])

    def setup(self, open_gates: tuple[Gate, ...] | list[Gate]) -> None:
        # Only the gates open in the pilot's stage, and nothing chosen for the user.
        self.gate.choices = enum_choices(open_gates, empty=CHOOSE)
        self.outcome.choices = enum_choices(Outcome)
        if self.decided_on.data is None and not self.is_submitted():
            self.decided_on.data = date.today()


class DeleteForm(FlaskForm):
    """Only the CSRF token: the confirmation page is the confirmation."""
