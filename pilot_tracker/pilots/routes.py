"""The pilot pages. Every view that names a pilot first checks that the user may see it
(404 otherwise, exactly as if it did not exist) and only then what they may do (403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from pilot_tracker.domain.cost_split import CostSplitError
from pilot_tracker.domain.enums import (
    Direction,
    Gate,
    Goal,
    Outcome,
    Rag,
    Role,
    SplitMethod,
    Stage,
    Theme,
    Track,
    default_track,
)
from pilot_tracker.domain.kpi import KpiError, kpi_progress
from pilot_tracker.domain.stages import FINAL, ORDER, allowed_gates
from pilot_tracker.extensions import db
from pilot_tracker.labels import label
from pilot_tracker.models import Kpi, Measurement, Pilot
from pilot_tracker.permissions import (
    ALL_ROLES,
    EDITORS,
    READERS,
    can_delete_pilot,
    can_edit_pilot,
    can_report_on,
    has_role,
    role_required,
    visible_pilot_or_404,
)
from pilot_tracker.pilots import bp
from pilot_tracker.pilots.costs import ShareRow, preview_shares, share_rows
from pilot_tracker.pilots.display import (
    ConflictItem,
    HistoryItem,
    conflict_items,
    history_item,
    referenced,
)
from pilot_tracker.pilots.forms import (
    CREATE_STAGES,
    SERVICE_FIELD,
    DecisionForm,
    DeleteForm,
    FilterForm,
    KpiForm,
    MeasurementForm,
    ParticipantInput,
    PilotForm,
    StatusForm,
)
from pilot_tracker.pilots.messages import translate, translate_all
from pilot_tracker.pilots.queries import (
    ListFilters,
    coordinator_choices,
    detail_options,
    filter_options,
    history_page,
    municipalities_by_code,
    participant_counts,
    pilot_list_select,
    recent_history,
    reference_names,
    search_municipalities,
    vendor_choices,
    vendor_pilots,
)
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.pilots import (
    PilotData,
    PilotValidationError,
    StaleVersionError,
    create_pilot,
    delete_pilot,
    pilot_options,
    update_pilot,
)
from pilot_tracker.services.reporting import (
    add_kpi,
    add_measurement,
    add_status_update,
    is_stale,
    measurement_due,
)

PER_PAGE = 25
# For pilot-form.js, which proposes the track when the theme changes (the server does too).
THEMES = {t.value for t in Theme}
THEME_TRACKS = {t.value: track.value for t in Theme if (track := default_track(t)) is not None}


def _add_errors(form: Any, errors: dict[str, list[str]], mapping: dict[str, str]) -> list[str]:
    """Put service errors next to their fields; returns those no field of `form` shows."""
    rest: list[str] = []
    for key, messages in errors.items():
        name = mapping.get(key, key)
        target = form._fields.get(name) if name else None
        if target is None:
            rest.extend(translate_all(messages))
        else:
            target.errors = [*target.errors, *translate_all(messages)]
    return rest


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


@bp.get("/pilots")
@role_required(*ALL_ROLES)
def index() -> str:
    """Search, filter, sort and page through the pilots the user may see."""
    today = date.today()
    form = FilterForm(request.args)
    form.setup(*filter_options(current_user))
    vendor = form.value("vendor")
    filters = ListFilters(
        q=form.value("q")[:200],
        theme=form.enum_value("theme", Theme),
        track=form.enum_value("track", Track),
        stage=form.enum_value("stage", Stage),
        region=form.value("region"),
        municipality=form.value("municipality"),
        vendor_id=int(vendor) if vendor else None,
        rag=form.value("rag"),
        stale=form.value("stale"),
        sort=form.value("sort") or "name",
        order=form.value("order") or "asc",
    )
    form.sort.data, form.order.data = filters.sort, filters.order
    page = db.paginate(
        pilot_list_select(filters, current_user, today),
        per_page=PER_PAGE,
        max_per_page=100,
        error_out=False,
    )
    counts = participant_counts(p.id for p in page.items)
    rows = [
        ListRow(p, counts.get(p.id, 0), is_stale(p.stage, p.last_status_on, today))
        for p in page.items
    ]
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    filtered = any(v for k, v in args.items() if k not in ("sort", "order", "per_page"))
    return render_template(
        "pilots/index.html",
        form=form,
        page=page,
        rows=rows,
        args=args,
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


def _progress(kpi: Kpi) -> Decimal | None:
    try:
        return kpi_progress(kpi.baseline, kpi.target, kpi.latest_value, kpi.direction)
    except KpiError:
        return None


def _stored_share_rows(pilot: Pilot) -> list[ShareRow]:
    manual = None
    if pilot.split_method is SplitMethod.MANUAL:
        manual = {p.municipality_code: p.manual_percent or Decimal(0) for p in pilot.participations}
    return share_rows(
        {p.municipality_code: p.municipality for p in pilot.participations},
        {p.municipality_code: p.share_cents for p in pilot.participations},
        pilot.split_method,
        pilot.lead_municipality_code,
        manual,
    )


def _history_items(entries: list[Any]) -> list[HistoryItem]:
    """Audit entries for people, with names instead of ids (three more queries, always)."""
    wanted = referenced([e.old for e in entries] + [e.new for e in entries])
    names = reference_names(wanted)
    return [history_item(e, names) for e in entries]


def _charts(pilot_id: int) -> Any:
    """The dashboards' chart section for the pilot page (a fixed five queries), when the
    dashboards are installed; the page works the same without it."""
    if "dashboards.pilot_csv" not in current_app.view_functions:
        return None
    from pilot_tracker.dashboards import pilot_charts

    return pilot_charts(pilot_id)


@bp.get("/pilots/<int:pilot_id>")
@role_required(*ALL_ROLES)
def detail(pilot_id: int) -> str:
    """The pilot with its costs, KPIs, status history, decisions and recent history."""
    pilot = visible_pilot_or_404(pilot_id, current_user, detail_options())
    kpis = [
        KpiRow(
            k,
            _progress(k),
            sorted(k.measurements, key=lambda m: (m.measured_on, m.id), reverse=True),
        )
        for k in pilot.kpis
    ]
    return render_template(
        "pilots/detail.html",
        pilot=pilot,
        pilot_charts=_charts(pilot.id),
        shares=_stored_share_rows(pilot),
        kpis=kpis,
        stale=is_stale(pilot.stage, pilot.last_status_on),
        history=_history_items(recent_history(pilot.id)),
        may_edit=can_edit_pilot(current_user, pilot),
        may_report=can_report_on(current_user, pilot),
        may_delete=can_delete_pilot(current_user, pilot),
        open_gates=allowed_gates(pilot.stage),
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
    status_due: bool
    kpis_due: list[Kpi]


@bp.get("/my-pilots")
@role_required(Role.VENDOR)
def vendor_home() -> str:
    """A vendor user's pilots and what is due on each: a status update, KPI measurements."""
    today = date.today()
    items = []
    for pilot in vendor_pilots(current_user):
        stale = is_stale(pilot.stage, pilot.last_status_on, today)
        # A stopped pilot reports nothing more, though an old status still reads as stale.
        active = pilot.stage is not Stage.STOPPED
        items.append(
            VendorItem(
                pilot=pilot,
                stale=stale,
                status_due=active and stale,
                kpis_due=[k for k in pilot.kpis if active and measurement_due(k.latest_on, today)],
            )
        )
    due_count = sum(1 for i in items if i.status_due or i.kpis_due)
    return render_template("pilots/vendor_home.html", items=items, due_count=due_count, today=today)


# --- creating and editing a pilot ------------------------------------------------------------


@dataclass
class PilotFormState:
    """Everything the pilot form shows besides its WTForms fields."""

    participants: ParticipantInput
    rows: list[ShareRow]
    search_hits: list[Any]
    net_cents: int | None
    manual: dict[str, Decimal] | None
    previewed: bool
    general_errors: list[str]
    conflict: list[ConflictItem] | None = None

    def summary_items(self) -> list[str | tuple[str, str]]:
        """Errors outside the WTForms fields, for the summary (with the anchor to jump to)."""
        p = self.participants
        items: list[str | tuple[str, str]] = list(self.general_errors)
        items += [("participants-section", e) for e in p.errors + p.lead_errors]
        items += [("cost-split", e) for e in p.split_errors]
        return items


def _edit_stages(current: Stage) -> list[Stage]:
    """The stage itself and the forward moves a plain edit may make (decisions do the rest)."""
    if current in FINAL:
        return [current]
    return [
        s
        for s in ORDER[: ORDER.index(Stage.EVALUATION) + 1]
        if ORDER.index(s) >= ORDER.index(current)
    ]


def _method(form: PilotForm) -> SplitMethod | None:
    try:
        return SplitMethod(form.split_method.data)
    except ValueError:
        return None


def _evaluate(form: PilotForm, participants: ParticipantInput, show_errors: bool) -> PilotFormState:
    """Look the participants up, check them and compute the cost shares a save would store."""
    municipalities = municipalities_by_code(participants.codes)
    unknown = [c for c in participants.codes if c not in municipalities]
    if unknown:
        participants.errors.append(
            _("Unknown municipality code(s): %(codes)s.", codes=", ".join(unknown))
        )
        participants.codes = [c for c in participants.codes if c in municipalities]
    method = _method(form)
    manual = None
    if method is SplitMethod.MANUAL and participants.codes:
        manual = participants.manual_percentages()
    if show_errors:
        if not participants.codes:
            participants.errors.append(_("Choose at least one participating municipality."))
        elif participants.lead not in participants.codes:
            participants.lead_errors.append(
                _("Choose the lead municipality among the participants.")
            )
    else:
        participants.split_errors.clear()
        participants.manual_errors.clear()
    budget, funding = form.budget.cents(), form.external_funding.cents()
    net = None if budget is None or funding is None else max(0, budget - funding)
    shares = None
    ready = method is not None and (method is not SplitMethod.MANUAL or manual is not None)
    if participants.codes and net is not None and ready:
        try:
            shares = preview_shares(
                method,  # type: ignore[arg-type]
                net,
                {c: municipalities[c].population for c in participants.codes},
                manual,
            )
        except CostSplitError as exc:
            if show_errors:
                participants.split_errors.append(exc.message)
    rows = share_rows(
        {c: municipalities[c] for c in participants.codes},
        shares,
        method or SplitMethod.EQUAL,
        participants.lead,
        manual,
    )
    return PilotFormState(
        participants=participants,
        rows=rows,
        search_hits=[],
        net_cents=net,
        manual=manual,
        previewed=shares is not None,
        general_errors=[],
    )


def _pilot_data(form: PilotForm, state: PilotFormState) -> PilotData:
    track = form.track.data
    return PilotData(
        name=(form.name.data or "").strip(),
        summary=(form.summary.data or "").strip(),
        theme=Theme(form.theme.data),
        track=Track(track) if track else None,
        stage=Stage(form.stage.data),
        goals=[Goal(g) for g in form.goals.data or []],
        lead_municipality=state.participants.lead,
        participants=list(state.participants.codes),
        split_method=SplitMethod(form.split_method.data),
        manual_shares=state.manual,
        budget_cents=form.budget.cents() or 0,
        external_funding_cents=form.external_funding.cents() or 0,
        estimated_annual_savings_cents=form.estimated_annual_savings.cents() or 0,
        vendor_id=form.vendor_id.data,
        coordinator_id=form.coordinator_id.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        is_public=bool(form.is_public.data),
    )


def _check_more(form: PilotForm) -> bool:
    """Rules across fields that WTForms validators cannot see; True when all hold."""
    ok = True
    theme = form.theme.data
    if theme in THEMES and not form.track.data and default_track(Theme(theme)) is None:
        form.track.errors = [
            *form.track.errors,
            _("Choose a track: this theme does not propose one."),
        ]
        ok = False
    start, end = form.start_date.data, form.end_date.data
    if start and end and end < start:
        form.end_date.errors = [
            *form.end_date.errors,
            _("The planned end cannot be before the start."),
        ]
        ok = False
    return ok


def _save(form: PilotForm, state: PilotFormState, pilot: Pilot | None) -> Response | None:
    """Create or update; None when refused (the errors are on the form and the state)."""
    valid = form.validate()
    valid = _check_more(form) and valid
    if not valid or state.participants.has_errors():
        return None
    data = _pilot_data(form, state)
    try:
        if pilot is None:
            saved = create_pilot(data)
            flash(_("The pilot was created."), "success")
        else:
            expected = form.expected_version()
            if expected is None:
                state.general_errors.append(
                    _("The form did not say which version it edits; open the edit page again.")
                )
                return None
            changes = {k: getattr(data, k) for k in data.__dataclass_fields__}
            if data.track is None:
                # Leaving the track to the theme: the service proposes it from the theme.
                del changes["track"]
            saved = update_pilot(pilot, changes, expected_version=expected)
            flash(_("The changes were saved."), "success")
    except StaleVersionError as exc:
        values = {key: (info or {}).get("value") for key, info in exc.changed.items()}
        state.conflict = conflict_items(exc.changed, reference_names(referenced([values])))
        return None
    except PilotValidationError as exc:
        mapped = dict(SERVICE_FIELD)
        errors = dict(exc.errors)
        for key, target in (
            ("participants", state.participants.errors),
            ("lead_municipality", state.participants.lead_errors),
            ("cost_split", state.participants.split_errors),
        ):
            target.extend(translate_all(errors.pop(key, [])))
        state.general_errors.extend(_add_errors(form, errors, mapped))
        return None
    return redirect(url_for("pilots.detail", pilot_id=saved.id))


def _pilot_form(pilot: Pilot | None) -> str | Response:
    form = PilotForm()
    stages = list(CREATE_STAGES) if pilot is None else _edit_stages(pilot.stage)
    form.setup(
        stages,
        vendor_choices(),
        coordinator_choices(keep=pilot.coordinator_id if pilot else None),
    )
    action = None
    if request.method == "GET":
        if pilot is not None:
            form.fill_from(pilot)
            participants = ParticipantInput.from_pilot(pilot)
        else:
            participants = ParticipantInput()
            form.coordinator_id.data = current_user.id
            form.stage.data = Stage.IDEA.value
        state = _evaluate(form, participants, show_errors=False)
    else:
        action = request.form.get("action", "preview")
        if action not in ("search", "add", "preview", "save"):
            action = "preview"
        participants = ParticipantInput.from_formdata(request.form)
        state = _evaluate(form, participants, show_errors=action in ("preview", "save"))
        if action == "save":
            done = _save(form, state, pilot)
            if done is not None:
                return done
        elif action == "search":
            state.search_hits = search_municipalities(
                participants.query, exclude=participants.codes
            )
        elif action == "add":
            form.municipality_q.data = ""
    return render_template(
        "pilots/form.html",
        form=form,
        pilot=pilot,
        state=state,
        action=action,
        theme_tracks=THEME_TRACKS,
    )


@bp.route("/pilots/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create() -> str | Response:
    """Create a pilot: search and add participants, preview the cost shares, save."""
    return _pilot_form(None)


@bp.route("/pilots/<int:pilot_id>/edit", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def edit(pilot_id: int) -> str | Response:
    """Edit a pilot; a save based on an old version is refused with what changed since."""
    pilot = visible_pilot_or_404(pilot_id, current_user, pilot_options())
    _require(can_edit_pilot(current_user, pilot))
    return _pilot_form(pilot)


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
            general = _add_errors(form, exc.errors, {})
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
            general = _add_errors(form, exc.errors, {"date": "measured_on"})
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
            general = _add_errors(form, exc.errors, {"date": "reported_on"})
        else:
            flash(_("The status update was posted."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="status"))
    return render_template("pilots/status_form.html", form=form, pilot=pilot, general=general)


# --- decisions -------------------------------------------------------------------------------


def _refusal(stage: Stage, gate: Gate, outcome: Outcome, back: bool, fallback: str) -> str:
    """Why the rules refuse a decision, in the interface language and with labels; the rules
    themselves live in domain.stages, which made the refusal."""
    if stage in FINAL:
        return _(
            "The pilot is in its final stage, %(stage)s: no further decisions can be recorded.",
            stage=label(stage),
        )
    gates = allowed_gates(stage)
    if gate not in gates:
        message = _(
            "A %(gate)s decision cannot be made while the pilot is in %(stage)s. "
            "Gates open in this stage: %(gates)s.",
            gate=label(gate),
            stage=label(stage),
            gates=", ".join(label(g) for g in gates),
        )
        if gate is Gate.SCALE_UP:
            message += " " + _("Scale-up is decided in evaluation: evaluate the pilot first.")
        return message
    if back and outcome is not Outcome.CONTINUE:
        return _("Only a continue decision can send a pilot back to planning.")
    return translate(fallback)


@bp.route("/pilots/<int:pilot_id>/decisions/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def decision_create(pilot_id: int) -> str | Response:
    """Record a decision; the stage moves by the rules, or the decision is refused with why."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    _require(can_edit_pilot(current_user, pilot))
    form = DecisionForm()
    form.setup()
    general: list[str] = []
    if form.validate_on_submit():
        gate, outcome = Gate(form.gate.data), Outcome(form.outcome.data)
        back = bool(form.back_to_planning.data)
        stage_before = pilot.stage
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
            if "outcome" in errors:
                reason = _refusal(stage_before, gate, outcome, back, errors.pop("outcome")[0])
                form.outcome.errors = [*form.outcome.errors, reason]
                general.append(_("The decision was not recorded: %(reason)s", reason=reason))
            general.extend(_add_errors(form, errors, {}))
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
        open_gates=allowed_gates(pilot.stage),
        gate_labels=", ".join(label(g) for g in allowed_gates(pilot.stage)),
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


# --- template filters for values kept as text (decision snapshots) and KPI values ------------


@bp.app_template_filter("eur_text")
def eur_text(value: str | None) -> str:
    """A snapshot's euro string ("12500.00") as money in the page's language."""
    from pilot_tracker.domain.money import MoneyError, parse_eur
    from pilot_tracker.i18n import money

    if value in (None, ""):
        return "–"
    try:
        return money(parse_eur(str(value)))
    except MoneyError:
        return str(value)


@bp.app_template_filter("kpi_number")
def kpi_number(value: Decimal | str | None) -> str:
    """A KPI value with up to four decimals, in the page's language."""
    from babel.numbers import format_decimal

    from pilot_tracker.i18n import current_language

    if value in (None, ""):
        return "–"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return format_decimal(number, format="#,##0.####", locale=current_language())
