"""The pilot pages. Every view that names a pilot first checks that the user may see it
(404 otherwise, exactly as if it did not exist) and only then what they may do (403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from pilot_tracker.catalogue import render_all
from pilot_tracker.charts.pilot import pilot_charts_for
from pilot_tracker.domain.enums import (
    Direction,
    Gate,
    Outcome,
    Rag,
    Role,
)
from pilot_tracker.domain.stages import allowed_gates
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import label
from pilot_tracker.models import Kpi, Measurement, Pilot
from pilot_tracker.permissions import (
    ALL_ROLES,
    EDITORS,
    READERS,
    can_delete_pilot,
    can_edit_pilot,
    can_read_portfolio,
    can_report_on,
    has_role,
    role_required,
    visible_pilot_or_404,
)
from pilot_tracker.pilots import bp
from pilot_tracker.pilots.costs import ShareRow, share_rows
from pilot_tracker.pilots.decision_support import projection_section, similar_section
from pilot_tracker.pilots.display import (
    HistoryItem,
    history_item,
    referenced,
)
from pilot_tracker.pilots.editing import pilot_form_page
from pilot_tracker.pilots.forms import (
    DecisionForm,
    DeleteForm,
    KpiForm,
    MeasurementForm,
    StatusForm,
    add_service_errors,
)
from pilot_tracker.pilots.joint import joint_section, vendor_follow_up
from pilot_tracker.pilots.joint_forms import FollowUpStatusForm
from pilot_tracker.pilots.meetings import meetings_section
from pilot_tracker.pilots.queries import (
    ListFilters,
    detail_options,
    history_page,
    participant_counts,
    pilot_list_select,
    recent_history,
    reference_names,
    vendor_pilots,
)
from pilot_tracker.services import feedback
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.due import due_items
from pilot_tracker.services.pilot_filters import filter_choices
from pilot_tracker.services.pilots import (
    PilotValidationError,
    delete_pilot,
    pilot_options,
)
from pilot_tracker.services.reporting import (
    add_kpi,
    add_measurement,
    add_status_update,
    is_stale,
)
from pilot_tracker.web.chart_texts import FlaskTexts
from pilot_tracker.web.due_view import due_rows
from pilot_tracker.web.filter_form import FilterForm

PER_PAGE = 25


def _require(allowed: bool) -> None:
    """403 unless allowed (call it after the pilot was found visible, so 404 comes first)."""
    if not allowed:
        abort(403)


# --- the list --------------------------------------------------------------------------------


@dataclass
class ListRow:
    pilot: Pilot
    participants: int
    stale: bool


def _export_args(form: FilterForm) -> dict[str, str]:
    """The filters in effect, for the link to the export page (which reads the same
    parameters): every field but the sorting, and only values the list used, not ignored."""
    values = {f.name: form.value(f.name) for f in form if f.name not in ("sort", "order")}
    return {name: value for name, value in values.items() if value}


@bp.get("/pilots")
@role_required(*ALL_ROLES)
def index() -> str:
    """Search, filter, sort and page through the pilots the user may see."""
    today = date.today()
    form = FilterForm(request.args)
    form.setup(filter_choices(current_user, current_language()))
    filters = ListFilters(
        form.filters(), sort=form.value("sort") or "name", order=form.value("order") or "asc"
    )
    form.sort.data, form.order.data = filters.sort, filters.order
    page = db.paginate(
        pilot_list_select(filters, current_user, today),
        per_page=PER_PAGE,
        max_per_page=100,
        error_out=False,
    )
    counts = participant_counts(p.id for p in page.items)
    rows = [ListRow(p, counts.get(p.id, 0), is_stale(p, today)) for p in page.items]
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    filtered = any(v for k, v in args.items() if k not in ("sort", "order", "per_page"))
    return render_template(
        "pilots/index.html",
        form=form,
        page=page,
        rows=rows,
        args=args,
        export_args=_export_args(form),
        filtered=filtered,
        may_create=can_edit_pilot(current_user),
        vendor_filter=has_role(current_user, *READERS),
    )


# --- the pilot page --------------------------------------------------------------------------


@dataclass
class KpiRow:
    kpi: Kpi
    progress: Decimal | None
    measurements: list[Measurement]


def _stored_share_rows(pilot: Pilot) -> list[ShareRow]:
    current = pilot.current_participations
    return share_rows(
        {p.municipality_code: p.municipality for p in current},
        {p.municipality_code: p.share_cents for p in current},
        pilot.split_method,
        pilot.lead_municipality_code,
        percents=pilot.share_percentages(),
    )


def _history_items(entries: list[Any]) -> list[HistoryItem]:
    """Audit entries for people, with names instead of ids (three more queries, always)."""
    wanted = referenced([e.old for e in entries] + [e.new for e in entries])
    names = reference_names(wanted)
    return [history_item(e, names) for e in entries]


def _charts(pilot: Pilot) -> Any:
    """The dashboards' chart section for the pilot page, built from the pilot already loaded
    with its participants, KPIs, measurements and status updates (no further query)."""
    if "dashboards.pilot_csv" not in current_app.view_functions:
        return None
    t = FlaskTexts()
    return pilot_charts_for(pilot, t, t.language)


@bp.get("/pilots/<int:pilot_id>")
@role_required(*ALL_ROLES)
def detail(pilot_id: int) -> str:
    """The pilot with its costs, KPIs, status history, decisions and recent history."""
    pilot = visible_pilot_or_404(pilot_id, current_user, detail_options())
    kpis = [
        KpiRow(
            k,
            k.progress_percent,
            sorted(k.measurements, key=lambda m: (m.measured_on, m.id), reverse=True),
        )
        for k in pilot.kpis
    ]
    similar = similar_section(pilot)
    return render_template(
        "pilots/detail.html",
        pilot=pilot,
        pilot_charts=_charts(pilot),
        shares=_stored_share_rows(pilot),
        kpis=kpis,
        stale=is_stale(pilot),
        history=_history_items(recent_history(pilot.id)),
        may_edit=can_edit_pilot(current_user, pilot),
        may_report=can_report_on(current_user, pilot),
        may_delete=can_delete_pilot(current_user, pilot),
        open_gates=allowed_gates(pilot.stage),
        # The residents' satisfaction KPI beside the others: one query.
        satisfaction=feedback.summary(
            pilot.id, {p.municipality_code for p in pilot.current_participations}
        ),
        joint=joint_section(pilot, current_user, similar),
        meetings=meetings_section(pilot.id),  # one query
        # Decision support: one query for the similar pilots, one for the projection.
        similar=similar,
        projection=(
            projection_section(pilot, request.args) if can_read_portfolio(current_user) else None
        ),
    )


@bp.get("/pilots/<int:pilot_id>/history")
@role_required(*ALL_ROLES)
def history(pilot_id: int) -> str:
    """A pilot's whole audit trail, newest first."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    page = history_page(pilot.id)
    return render_template(
        "pilots/history.html",
        pilot=pilot,
        page=page,
        items=_history_items(page.items),
    )


# --- a vendor's home -------------------------------------------------------------------------


@dataclass
class VendorItem:
    pilot: Pilot
    stale: bool


VENDOR_DUE_ROWS = 200


@bp.get("/my-pilots")
@role_required(Role.VENDOR)
def vendor_home() -> str:
    """A vendor user's pilots and what is due on them (services.due: status updates,
    measurements, planned ends passed), overdue first."""
    today = date.today()
    items = [VendorItem(pilot=p, stale=is_stale(p, today)) for p in vendor_pilots(current_user)]
    due = due_items(current_user, today, limit=VENDOR_DUE_ROWS)
    return render_template(
        "pilots/vendor_home.html",
        items=items,
        due=due,
        due_rows=due_rows(due, current_user),
        today=today,
        follow_up=vendor_follow_up([i.pilot.id for i in items]),
        status_form=_status_form(),
    )


def _status_form() -> FollowUpStatusForm:
    form = FollowUpStatusForm(formdata=None)
    form.setup()
    return form


# --- creating and editing a pilot (the logic is in editing.py) -------------------------------


@bp.route("/pilots/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create() -> str | Response:
    """Create a pilot: search and add participants, preview the cost shares, save."""
    return pilot_form_page(None)


@bp.route("/pilots/<int:pilot_id>/edit", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def edit(pilot_id: int) -> str | Response:
    """Edit a pilot; a save based on an old version is refused with what changed since."""
    pilot = visible_pilot_or_404(pilot_id, current_user, pilot_options())
    _require(can_edit_pilot(current_user, pilot))
    return pilot_form_page(pilot)


# --- KPIs, measurements, status updates ------------------------------------------------------


@bp.route("/pilots/<int:pilot_id>/kpis/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def kpi_create(pilot_id: int) -> str | Response:
    """Define a KPI (coordinators and admins)."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    _require(can_edit_pilot(current_user, pilot))
    form = KpiForm()
    form.setup()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            add_kpi(
                pilot,
                form.name.data or "",
                form.unit.data or "",
                form.baseline.value(),  # type: ignore[arg-type]
                form.target.value(),  # type: ignore[arg-type]
                Direction(form.direction.data),
                bool(form.is_savings.data),
            )
        except PilotValidationError as exc:
            general = add_service_errors(form, exc.errors, {})
        else:
            flash(_("The KPI was added."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="kpis"))
    return render_template("pilots/kpi_form.html", form=form, pilot=pilot, general=general)


@bp.route("/pilots/<int:pilot_id>/measurements/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def measurement_create(pilot_id: int) -> str | Response:
    """Record a KPI measurement (the pilot's vendor, coordinators, admins); ?kpi= preselects."""
    pilot = visible_pilot_or_404(pilot_id, current_user, [selectinload(Pilot.kpis)])
    _require(can_report_on(current_user, pilot))
    form = MeasurementForm()
    form.setup(pilot.kpis)
    if request.method == "GET" and request.args.get("kpi", "").isdigit():
        form.kpi_id.data = int(request.args["kpi"])
    general: list[str] = []
    if pilot.kpis and form.validate_on_submit():
        kpi = next(k for k in pilot.kpis if k.id == form.kpi_id.data)
        try:
            add_measurement(
                kpi,
                form.measured_on.data,  # type: ignore[arg-type]
                form.value.value(),  # type: ignore[arg-type]
                form.note.data or "",
                recorded_by_id=current_user.id,
            )
        except PilotValidationError as exc:
            general = add_service_errors(form, exc.errors, {"date": "measured_on"})
        else:
            flash(_("The measurement was recorded."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="kpis"))
    return render_template("pilots/measurement_form.html", form=form, pilot=pilot, general=general)


@bp.route("/pilots/<int:pilot_id>/status/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def status_create(pilot_id: int) -> str | Response:
    """Post a status update (the pilot's vendor, coordinators, admins)."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    _require(can_report_on(current_user, pilot))
    form = StatusForm()
    form.setup()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            add_status_update(
                pilot,
                Rag(form.rag.data),
                form.progress_percent.data,  # type: ignore[arg-type]
                form.text.data or "",
                reported_on=form.reported_on.data,
                author_id=current_user.id,
            )
        except PilotValidationError as exc:
            general = add_service_errors(form, exc.errors, {"date": "reported_on"})
        else:
            flash(_("The status update was posted."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="status"))
    return render_template("pilots/status_form.html", form=form, pilot=pilot, general=general)


# --- decisions -------------------------------------------------------------------------------


@bp.route("/pilots/<int:pilot_id>/decisions/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def decision_create(pilot_id: int) -> str | Response:
    """Record a decision; the stage moves by the rules, or the decision is refused with why.

    The form offers only the gates open in the pilot's stage (none in a final stage, and then
    the page says why). A refusal is shown once, on the field it concerns, as the service
    names it: the gate, the send-back, the date or another field."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    _require(can_edit_pilot(current_user, pilot))
    open_gates = allowed_gates(pilot.stage)
    form = DecisionForm()
    form.setup(open_gates)
    general: list[str] = []
    if form.validate_on_submit():
        gate, outcome = Gate(form.gate.data), Outcome(form.outcome.data)
        back = bool(form.back_to_planning.data)
        try:
            decision = record_decision(
                pilot,
                gate,
                outcome,
                form.decided_on.data,  # type: ignore[arg-type]
                form.decided_by.data or "",
                form.rationale.data or "",
                follow_up=form.follow_up.data or "",
                next_review=form.next_review.data,
                back_to_planning=back,
                recorded_by_id=current_user.id,
            )
        except PilotValidationError as exc:
            errors = dict(exc.errors)
            for key in ("gate", "back_to_planning", "outcome"):
                if key in errors:
                    target = form[key]
                    target.errors = [*target.errors, *render_all(errors.pop(key))]
            general.extend(add_service_errors(form, errors, {"date": "decided_on"}))
        else:
            flash(
                _(
                    "The decision was recorded. The pilot's stage is now %(stage)s.",
                    stage=label(decision.stage_after),
                ),
                "success",
            )
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="decisions"))
    return render_template(
        "pilots/decision_form.html",
        form=form,
        pilot=pilot,
        general=general,
        open_gates=open_gates,
        gate_labels=", ".join(label(g) for g in open_gates),
    )


# --- deleting --------------------------------------------------------------------------------


@bp.route("/pilots/<int:pilot_id>/delete", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def delete(pilot_id: int) -> str | Response:
    """Admins only: a confirmation page, then the deletion; the audit log keeps the record."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    _require(can_delete_pilot(current_user, pilot))
    form = DeleteForm()
    if form.validate_on_submit():
        name = pilot.name
        delete_pilot(pilot)
        flash(
            _("The pilot “%(name)s” was deleted. The audit log keeps its record.", name=name),
            "success",
        )
        return redirect(url_for("pilots.index"))
    from pilot_tracker.models import Decision, StatusUpdate

    counts = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).where(Kpi.pilot_id == pilot.id).scalar_subquery(),
            sa.select(sa.func.count())
            .select_from(Measurement)
            .join(Kpi)
            .where(Kpi.pilot_id == pilot.id)
            .scalar_subquery(),
            sa.select(sa.func.count()).where(StatusUpdate.pilot_id == pilot.id).scalar_subquery(),
            sa.select(sa.func.count()).where(Decision.pilot_id == pilot.id).scalar_subquery(),
        )
    ).one()
    return render_template("pilots/delete.html", form=form, pilot=pilot, counts=counts)
