"""Pages of the joint life of a pilot: each municipality's decisions, who took part when, the
follow-up plan with the vendor and the lessons learned. Access as everywhere: 404 first for a
pilot the user may not see, then 403 for what the user may not do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from pilot_tracker.domain.enums import Gate, Outcome
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.domain.municipal_decisions import Body, municipal_gates
from pilot_tracker.domain.stages import allowed_gates
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import current_language, day
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import label
from pilot_tracker.models import FollowUpItem, Lesson, MunicipalDecision, Municipality, Pilot
from pilot_tracker.permissions import (
    ALL_ROLES,
    can_edit_pilot,
    can_read_portfolio,
    can_work_on_follow_up,
    role_required,
    visible_pilot_or_404,
)
from pilot_tracker.pilots import bp
from pilot_tracker.pilots.forms import add_service_errors
from pilot_tracker.pilots.joint_forms import (
    FollowUpForm,
    FollowUpStatusForm,
    LessonForm,
    MunicipalDecisionForm,
)
from pilot_tracker.services.follow_up import (
    EDITOR_FIELDS,
    VENDOR_FIELDS,
    Owner,
    create_item,
    is_overdue,
    items_of,
    lessons_of,
    record_lesson,
    update_item,
)
from pilot_tracker.services.municipal_decisions import (
    latest_by_municipality,
    municipal_decisions_for,
    record_municipal_decision,
)
from pilot_tracker.services.pilots import PilotValidationError, pilot_options


@dataclass
class JointSection:
    """What the pilot page shows of the joint life (four queries, whatever the pilot)."""

    decisions: list[MunicipalDecision]
    by_gate: dict[Gate, list[MunicipalDecision]]
    items: list[FollowUpItem]
    overdue: set[int]
    workable: set[int]
    lessons: list[Lesson]
    may_edit: bool
    status_form: FollowUpStatusForm | None
    open_gates: list[Gate]
    undecided_gate: Gate | None
    undecided: list[str]
    names: dict[str, str]
    status_choices: list[tuple[str, str]]
    may_read_costs: bool = False
    # The status form's CSRF field, rendered once for all the items' forms ("" without CSRF).
    csrf_field: str = ""
    # The status select's options with each status selected, rendered once for all items.
    status_options: dict[str, Markup] = field(default_factory=dict)


def joint_section(
    pilot: Pilot, user: Any, similar: list[Any] | None = None, today: date | None = None
) -> JointSection:
    """Municipal decisions, follow-up items and lessons of a pilot loaded with its
    participations, for `user` (who may see the pilot). The similar pilots' rows
    (`pilots.decision_support.SimilarRow`) get what each taught and how its municipalities
    decided from the same two queries. Three queries in all."""
    today = today or date.today()
    similar = similar or []
    ids = [pilot.id, *(row.id for row in similar)]
    by_pilot = municipal_decisions_for(ids)
    all_lessons = lessons_of(ids)
    language = current_language()
    for row in similar:
        row.lessons = [lesson.text for lesson in all_lessons[row.id]]
        row.municipal = [
            f"{d.municipality.name(language)}: {label(d.outcome)}"
            for d in latest_by_municipality(by_pilot[row.id])
        ]
    decisions = by_pilot[pilot.id]
    by_gate: dict[Gate, list[MunicipalDecision]] = {}
    for decision in sorted(decisions, key=lambda d: (d.municipality_code, d.decided_on)):
        by_gate.setdefault(decision.gate, []).append(decision)
    items = items_of(pilot.id)
    workable = {i.id for i in items if can_work_on_follow_up(user, pilot, i.owner_kind.value)}
    status_form = None
    csrf_field: str = Markup("")
    if workable:
        status_form = FollowUpStatusForm(formdata=None)
        status_form.setup()
        token = getattr(status_form, "csrf_token", None)
        if token is not None:
            csrf_field = Markup(token())
    names = {p.municipality_code: p.municipality.name(language) for p in pilot.participations}
    steering = allowed_gates(pilot.stage)
    gate = steering[-1] if steering else None
    decided = {d.municipality_code for d in by_gate.get(gate, [])} if gate else set()
    undecided = [
        names[p.municipality_code]
        for p in pilot.current_participations
        if gate is not None and p.municipality_code not in decided
    ]
    choices = [(s.value, label(s)) for s in ItemStatus]
    return JointSection(
        open_gates=list(municipal_gates(pilot.stage)),
        undecided_gate=gate,
        undecided=undecided,
        names=names,
        status_choices=choices,
        status_options={
            chosen: Markup("").join(
                Markup('<option value="%s"%s>%s</option>')
                % (value, Markup(" selected") if value == chosen else "", text)
                for value, text in choices
            )
            for chosen, _ in choices
        },
        may_read_costs=can_read_portfolio(user),
        decisions=decisions,
        by_gate=by_gate,
        items=items,
        overdue={i.id for i in items if is_overdue(i, today)},
        workable=workable,
        lessons=all_lessons[pilot.id],
        may_edit=can_edit_pilot(user, pilot),
        status_form=status_form,
        csrf_field=csrf_field,
    )


def _editable_pilot(pilot_id: int) -> Pilot:
    pilot = visible_pilot_or_404(pilot_id, current_user, pilot_options())
    if not can_edit_pilot(current_user, pilot):
        abort(403)
    return pilot


def _name(m: Municipality) -> str:
    return f"{m.name(current_language())} ({m.code})"


@bp.route("/pilots/<int:pilot_id>/municipal-decisions/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def municipal_decision_create(pilot_id: int) -> str | Response:
    """Record one municipality's decision: its participants, and at scale-up any municipality
    (a newcomer's go makes it join)."""
    pilot = _editable_pilot(pilot_id)
    gates = list(municipal_gates(pilot.stage))
    current = {p.municipality_code: p.municipality for p in pilot.current_participations}
    choices = [(code, _name(m)) for code, m in sorted(current.items())]
    if Gate.SCALE_UP in gates:
        former = {p.municipality_code for p in pilot.participations}
        others = db.session.scalars(
            sa.select(Municipality)
            .where(Municipality.code.not_in(former))
            .order_by(Municipality.name_fi)
        )
        newcomers = [(m.code, _("%(name)s – joins at scale-up", name=_name(m))) for m in others]
        choices += newcomers
    form = MunicipalDecisionForm()
    form.setup(choices, gates)
    if request.method == "GET" and request.args.get("municipality") in current:
        form.municipality.data = request.args["municipality"]
    general: list[str] = []
    if gates and form.validate_on_submit():
        try:
            decision = record_municipal_decision(
                pilot,
                form.municipality.data or "",
                Gate(form.gate.data),
                Outcome(form.outcome.data),
                Body(form.body.data),
                form.decided_on.data,  # type: ignore[arg-type]
                section=form.section.data or "",
                minutes_url=form.minutes_url.data or "",
                note=form.note.data or "",
                recorded_by_id=current_user.id,
            )
        except PilotValidationError as exc:
            general.extend(add_service_errors(form, exc.errors, {"date": "decided_on"}))
        else:
            flash(_municipal_flash(decision), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="municipal"))
    return render_template(
        "pilots/municipal_decision_form.html",
        form=form,
        pilot=pilot,
        general=general,
        gates=gates,
    )


def _municipal_flash(decision: MunicipalDecision) -> str:
    municipality = db.session.get(Municipality, decision.municipality_code)
    name = municipality.name(current_language()) if municipality else decision.municipality_code
    if decision.outcome is Outcome.NO_GO:
        return _(
            "The decision was recorded. %(name)s left the pilot on %(date)s; the planned "
            "costs are now shared by the others.",
            name=name,
            date=day(decision.decided_on),
        )
    return _("The decision of %(name)s was recorded.", name=name)


def _owner_choices(pilot: Pilot) -> list[tuple[str, str]]:
    owners = []
    if pilot.vendor is not None:
        owners.append(("vendor", _("The vendor: %(name)s", name=pilot.vendor.name)))
    owners.append(("coordinator", _("The coordinator")))
    owners += [
        (f"municipality:{p.municipality_code}", _name(p.municipality))
        for p in pilot.current_participations
    ]
    return owners


def _owner(value: str) -> Owner:
    kind, _sep, code = value.partition(":")
    return Owner(OwnerKind(kind), code or None)


@bp.route("/pilots/<int:pilot_id>/follow-up/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def follow_up_create(pilot_id: int) -> str | Response:
    """Add an item to the follow-up plan with the vendor (coordinators, admins)."""
    pilot = _editable_pilot(pilot_id)
    form = FollowUpForm()
    owners = _owner_choices(pilot)
    form.setup(owners)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            create_item(
                pilot,
                form.title.data or "",
                _owner(form.owner.data or ""),
                description=form.description.data or "",
                due_on=form.due_on.data,
            )
        except PilotValidationError as exc:
            general.extend(add_service_errors(form, exc.errors, {}))
        else:
            flash(_("The item was added to the follow-up plan."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="follow-up"))
    return render_template("pilots/follow_up_form.html", form=form, pilot=pilot, general=general)


@bp.post("/follow-up/<int:item_id>")
@role_required(*ALL_ROLES)
def follow_up_update(item_id: int) -> Response:
    """Set an item's status and add a comment: the vendor on the items it owns, editors on
    every item. Back to where the form was (the pilot page or the vendor home)."""
    item = db.session.get(FollowUpItem, item_id)
    if item is None:
        abort(404)
    pilot = visible_pilot_or_404(item.pilot_id, current_user, pilot_options())
    if not can_work_on_follow_up(current_user, pilot, item.owner_kind.value):
        abort(403)
    form = FollowUpStatusForm()
    form.setup()
    back = (
        url_for("pilots.vendor_home")
        if request.form.get("back") == "vendor"
        else url_for("pilots.detail", pilot_id=pilot.id, _anchor="follow-up")
    )
    if not form.validate_on_submit():
        flash(_("Choose a status for the item."), "error")
        return redirect(back)
    allowed = EDITOR_FIELDS if can_edit_pilot(current_user, pilot) else VENDOR_FIELDS
    changes: dict[str, Any] = {"status": ItemStatus(form.status.data)}
    if (form.comment.data or "").strip():
        changes["comment"] = form.comment.data
    try:
        update_item(pilot, item, changes, author_id=current_user.id, allowed=allowed)
    except PilotValidationError:
        flash(_("The comment can be at most 10 000 characters."), "error")
        return redirect(back)
    flash(
        _("The item “%(title)s” is now %(status)s.", title=item.title, status=label(item.status)),
        "success",
    )
    return redirect(back)


@bp.route("/pilots/<int:pilot_id>/lessons/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def lesson_create(pilot_id: int) -> str | Response:
    """Record what the pilot taught (coordinators, admins): at evaluation or later, or with a
    decision of the pilot (`?decision=`)."""
    pilot = _editable_pilot(pilot_id)
    decision_id = request.values.get("decision", type=int)
    if decision_id is not None and decision_id not in {d.id for d in _decision_ids(pilot.id)}:
        decision_id = None
    form = LessonForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            record_lesson(
                pilot,
                form.lesson.data or "",
                decision_id=decision_id,
                recorded_by_id=current_user.id,
            )
        except PilotValidationError as exc:
            general.extend(add_service_errors(form, exc.errors, {}))
        else:
            flash(_("The lessons learned were recorded."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="lessons"))
    return render_template(
        "pilots/lesson_form.html", form=form, pilot=pilot, general=general, decision_id=decision_id
    )


def _decision_ids(pilot_id: int) -> list[Any]:
    from pilot_tracker.models import Decision

    return list(db.session.execute(sa.select(Decision.id).where(Decision.pilot_id == pilot_id)))


def vendor_follow_up(pilot_ids: list[int]) -> dict[int, list[FollowUpItem]]:
    """The open items the vendor owns on each of its pilots (one query), soonest due first."""
    result: dict[int, list[FollowUpItem]] = {pid: [] for pid in pilot_ids}
    if not pilot_ids:
        return result
    rows = db.session.scalars(
        sa.select(FollowUpItem)
        .where(
            FollowUpItem.pilot_id.in_(pilot_ids),
            FollowUpItem.owner_kind == OwnerKind.VENDOR,
            FollowUpItem.status.in_([ItemStatus.OPEN, ItemStatus.IN_PROGRESS]),
        )
        .options(selectinload(FollowUpItem.comments))
        .order_by(FollowUpItem.due_on.is_(None), FollowUpItem.due_on, FollowUpItem.id)
    )
    for item in rows:
        result[item.pilot_id].append(item)
    return result


# --- the decision proposal (päätösesitys) ----------------------------------------------------


def _proposal_or_404(pilot_id: int, code: str) -> Any:
    """The proposal for `code` at `?gate=`; readers only (it shows costs): a vendor of the
    pilot gets 403, anyone who may not see the pilot 404."""
    from pilot_tracker.services.proposals import ProposalError, build_proposal

    visible_pilot_or_404(pilot_id, current_user)
    if not can_read_portfolio(current_user):
        abort(403)
    try:
        gate = Gate(request.args["gate"]) if request.args.get("gate") in set(Gate) else None
        return build_proposal(current_user, pilot_id, code, gate)
    except ProposalError:
        abort(404)
    except LookupError:
        abort(404)


@bp.get("/pilots/<int:pilot_id>/proposal/<code>")
@role_required(*ALL_ROLES)
def proposal(pilot_id: int, code: str) -> str:
    """The decision proposal for one municipality at one gate, as a printable page."""
    from pilot_tracker.pilots.decision_support import similar_rows

    found = _proposal_or_404(pilot_id, code)
    return render_template(
        "pilots/proposal.html",
        proposal=found,
        similar=similar_rows(found.similar),
        gates=list(municipal_gates(found.pilot.stage)),
    )


@bp.get("/pilots/<int:pilot_id>/proposal/<code>.pdf")
@role_required(*ALL_ROLES)
def proposal_pdf(pilot_id: int, code: str) -> Response:
    """The same proposal as a tagged PDF (PDF/UA) for the meeting's agenda."""
    from pilot_tracker.pilots.decision_support import similar_rows
    from pilot_tracker.web.pdf import render_pdf

    found = _proposal_or_404(pilot_id, code)
    html = render_template(
        "pilots/proposal_pdf.html",
        proposal=found,
        similar=similar_rows(found.similar),
        proposal_css=_proposal_css(),
    )
    name = f"paatosesitys-{pilot_id}-{found.municipality.code}-{found.gate.value}.pdf"
    return render_pdf(html, name)


def _proposal_css() -> str:
    from pathlib import Path

    from markupsafe import Markup

    path = Path(__file__).resolve().parents[1] / "static" / "css" / "proposal.css"
    return Markup(path.read_text(encoding="utf-8"))  # our own file, not user input
