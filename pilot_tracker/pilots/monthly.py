"""A vendor's month in one form: the status update and every KPI measurement that is due,
saved together (services.reporting.record_monthly_report: all of them or none).

Which KPIs are due comes from the one "what is due" rule (services.due), narrowed to the
pilot; a KPI left blank is not measured this time and stays due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import FieldList, FormField, HiddenField, TextAreaField
from wtforms.fields import DateField
from wtforms.form import Form
from wtforms.validators import Length, StopValidation

from pilot_tracker.domain.enums import Rag, Role
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import Kpi, Pilot
from pilot_tracker.permissions import (
    ALL_ROLES,
    can_report_on,
    has_role,
    role_required,
    visible_pilot_or_404,
)
from pilot_tracker.pilots import bp
from pilot_tracker.pilots.forms import (
    DecimalTextField,
    StatusForm,
    add_service_errors,
    not_in_future,
)
from pilot_tracker.services.due import DueKind, due_items
from pilot_tracker.services.pilots import PilotValidationError
from pilot_tracker.services.reporting import latest_progress, record_monthly_report

MAX_KPIS = 200  # more due KPIs than any pilot has; the due query's page size here


class OptionalDecimalField(DecimalTextField):
    """A number that may be left blank (the KPI is then not measured this time)."""

    def pre_validate(self, form: Form) -> None:
        if (self.data or "").strip():
            super().pre_validate(form)
        else:
            raise StopValidation()


def date_with_value(form: Form, date_field: DateField) -> None:
    """A measurement's date is needed once it has a value; a blank one is no error else."""
    if not (date_field.raw_data and date_field.raw_data[0].strip()):
        date_field.errors[:] = []
        if (form.value.data or "").strip():
            raise StopValidation(_("Give the date of the measurement."))
        raise StopValidation()


class MonthlyMeasurementForm(Form):
    """One due KPI's measurement in the monthly report (CSRF is the outer form's)."""

    kpi_id = HiddenField()
    value = OptionalDecimalField(_l("Value"))
    measured_on = DateField(_l("Date"), validators=[date_with_value, not_in_future])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class MonthlyReportForm(StatusForm):
    """The status update's fields, then one entry per due KPI."""

    measurements = FieldList(FormField(MonthlyMeasurementForm))


@dataclass(frozen=True)
class _Entry:
    kpi: Kpi
    measured_on: date
    value: Decimal
    note: str


def _due_kpi_ids(pilot: Pilot, today: date) -> list[int]:
    due = due_items(
        current_user, today, kinds=[DueKind.MEASUREMENT], pilot_id=pilot.id, limit=MAX_KPIS
    )
    return [item.ref_id for item in due.items if item.ref_id is not None]


def _back(pilot: Pilot) -> str:
    if has_role(current_user, Role.VENDOR):
        return url_for("pilots.vendor_home")
    return url_for("pilots.detail", pilot_id=pilot.id, _anchor="status")


@bp.route("/pilots/<int:pilot_id>/monthly-report", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def monthly_report(pilot_id: int) -> str | Response:
    """The month's status update and due measurements of one pilot, in one form."""
    pilot = visible_pilot_or_404(pilot_id, current_user, [selectinload(Pilot.kpis)])
    if not can_report_on(current_user, pilot):
        abort(403)
    today = date.today()
    kpis = {kpi.id: kpi for kpi in pilot.kpis}
    form = MonthlyReportForm()
    form.setup()
    if request.method == "GET":
        form.rag.data = pilot.last_rag.value if pilot.last_rag else None
        form.progress_percent.data = latest_progress(pilot.id)
        for kpi_id in _due_kpi_ids(pilot, today):
            form.measurements.append_entry({"kpi_id": str(kpi_id), "measured_on": today})
    posted = [entry.form for entry in form.measurements]
    # Only this pilot's KPIs can be reported on here; anything else is a forged form.
    if any(not (f.kpi_id.data or "").isdigit() or int(f.kpi_id.data) not in kpis for f in posted):
        abort(400)
    rows = [(f, kpis[int(f.kpi_id.data)]) for f in posted]
    for f, kpi in rows:
        # The entry's legend names the KPI; the value's label says its unit.
        f.value.label.text = f"{_('Value')} ({kpi.unit})" if kpi.unit else _("Value")
    general: list[str] = []
    if form.validate_on_submit():
        filled = [(i, f, kpi) for i, (f, kpi) in enumerate(rows) if (f.value.data or "").strip()]
        entries = [
            _Entry(kpi, f.measured_on.data, f.value.value(), f.note.data or "")  # type: ignore[arg-type]
            for _i, f, kpi in filled
        ]
        try:
            record_monthly_report(
                pilot,
                Rag(form.rag.data),
                form.progress_percent.data,  # type: ignore[arg-type]
                form.text.data or "",
                entries,  # type: ignore[arg-type]
                reported_on=form.reported_on.data,
                author_id=current_user.id,
                today=today,
            )
        except PilotValidationError as exc:
            pilot = visible_pilot_or_404(pilot_id, current_user, [selectinload(Pilot.kpis)])
            general = _place_errors(form, [f for _i, f, _k in filled], exc.errors)
        else:
            flash(
                ngettext(
                    "The monthly report of %(name)s was saved: a status update and "
                    "%(num)d measurement.",
                    "The monthly report of %(name)s was saved: a status update and "
                    "%(num)d measurements.",
                    len(entries),
                    name=pilot.name,
                ),
                "success",
            )
            return redirect(_back(pilot))
    return render_template(
        "pilots/monthly_report.html",
        form=form,
        pilot=pilot,
        rows=rows,
        summary=general + _summary(form, rows),
        back=_back(pilot),
    )


def _summary(
    form: MonthlyReportForm, rows: list[tuple[MonthlyMeasurementForm, Kpi]]
) -> list[tuple[str, str]]:
    """Every field error as (field id, "label: message") for the summary at the top; the
    entries' fields by the KPI they measure."""
    fields = [(f, "") for f in form if f.name not in ("csrf_token", "measurements")]
    for entry, kpi in rows:
        fields += [(f, f"{kpi.name} – ") for f in (entry.value, entry.measured_on, entry.note)]
    out: list[tuple[str, str]] = []
    for f, prefix in fields:
        for message in f.errors:
            out.append((f.id, f"{prefix}{f.label.text}: {message}"))
    return out


def _place_errors(
    form: MonthlyReportForm, filled: list[MonthlyMeasurementForm], errors: dict[str, list[str]]
) -> list[str]:
    """Each refusal next to its field: the status update's on the outer form, a
    measurement's (`measurements-<i>-<key>`, i among the filled ones) on its own entry."""
    own: dict[str, list[str]] = {}
    rest: list[str] = []
    for key, messages in errors.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == "measurements" and parts[1].isdigit():
            rest += add_service_errors(
                filled[int(parts[1])], {parts[2]: messages}, {"date": "measured_on"}
            )
        else:
            own[key] = messages
    return rest + add_service_errors(form, own, {"date": "reported_on"})
