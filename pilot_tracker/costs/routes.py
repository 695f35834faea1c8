"""The cost entries of a pilot (record, correct, delete) and a municipality's billing."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from pilot_tracker.catalogue import render
from pilot_tracker.costs import bp
from pilot_tracker.costs.forms import KIND_LABELS, BillingForm, ConfirmForm, CostForm, signed_cents
from pilot_tracker.domain.enums import CostKind
from pilot_tracker.domain.money import cents_to_decimal
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import Municipality
from pilot_tracker.permissions import can_edit_costs, can_view_costs, visible_pilot_or_404
from pilot_tracker.services import exchange
from pilot_tracker.services.cost_queries import billing, last_quarter, pilot_cost_figures
from pilot_tracker.services.costs import (
    CostData,
    CostValidationError,
    budget_against_actual,
    delete_cost,
    load_entries,
    load_entry,
    record_cost,
    update_cost,
)

FORM_FIELD = {"date": "entry_date", "amount_eur": "amount"}


def cost_section(pilot: Any) -> dict[str, Any] | None:
    """What the pilot page shows of costs (None for vendors); `pilot` comes with its
    participations and their municipalities, so this costs one query (entries + shares)."""
    if not can_view_costs(current_user):
        return None
    entries = load_entries(pilot.id, one_query=True)
    return {
        "entries": entries,
        "summary": budget_against_actual(pilot, entries),
        "may_edit": can_edit_costs(current_user),
        "kinds": KIND_LABELS,
        "delete_form": ConfirmForm(),
    }


@bp.app_template_global("cost_section")
def _cost_section_global(pilot: Any) -> dict[str, Any] | None:
    return cost_section(pilot)


def _pilot_for_edit(pilot_id: int) -> Any:
    pilot = visible_pilot_or_404(pilot_id, current_user)
    if not can_view_costs(current_user):
        abort(404)
    if not can_edit_costs(current_user):
        abort(403)
    return pilot


def _apply_errors(form: CostForm, error: CostValidationError) -> None:
    for key, messages in error.errors.items():
        field = getattr(form, FORM_FIELD.get(key, key), None)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            field.errors = target  # type: ignore[union-attr]
        target.extend(render(m) for m in messages)


def _data(form: CostForm) -> CostData:
    return CostData(
        entry_date=form.entry_date.data,  # type: ignore[arg-type]
        amount_cents=signed_cents(form.amount.data or ""),
        kind=CostKind(form.kind.data),
        reference=form.reference.data or "",
        description=form.description.data or "",
    )


@bp.route("/pilots/<int:pilot_id>/costs/new", methods=["GET", "POST"])
@login_required
def create(pilot_id: int) -> Any:
    """Record a cost entry (coordinators, admins); ?credit=<id> prefills a credit note."""
    pilot = _pilot_for_edit(pilot_id)
    form = CostForm()
    form.setup()
    credit_of = request.args.get("credit", type=int)
    if request.method == "GET" and credit_of:
        original = load_entry(credit_of)
        if original is None or original.pilot_id != pilot.id:
            abort(404)
        form.amount.data = f"-{cents_to_decimal(original.amount_cents)}".replace(".", ",")
        form.reference.data = original.reference
        form.kind.data = original.kind.value
        form.entry_date.data = date.today()
    if form.validate_on_submit():
        try:
            record_cost(pilot, _data(form), recorded_by_id=current_user.id)
        except CostValidationError as error:
            db.session.rollback()
            _apply_errors(form, error)
        else:
            flash(_("The cost entry was recorded."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="actual-costs"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("costs/form.html", pilot=pilot, form=form, entry=None), status


@bp.route("/costs/<int:cost_id>/edit", methods=["GET", "POST"])
@login_required
def edit(cost_id: int) -> Any:
    """Correct a cost entry; every later entry's funding is recomputed."""
    entry = load_entry(cost_id)
    if entry is None:
        abort(404)
    pilot = _pilot_for_edit(entry.pilot_id)
    form = CostForm()
    form.setup()
    if request.method == "GET":
        form.entry_date.data = entry.entry_date
        form.amount.data = str(cents_to_decimal(entry.amount_cents)).replace(".", ",")
        form.kind.data = entry.kind.value
        form.reference.data = entry.reference
        form.description.data = entry.description
    if form.validate_on_submit():
        data = _data(form)
        try:
            update_cost(
                entry,
                {
                    k: getattr(data, k)
                    for k in ("entry_date", "amount_cents", "kind", "reference", "description")
                },
            )
        except CostValidationError as error:
            db.session.rollback()
            _apply_errors(form, error)
        else:
            flash(_("The cost entry was corrected."), "success")
            return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="actual-costs"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("costs/form.html", pilot=pilot, form=form, entry=entry), status


@bp.route("/costs/<int:cost_id>/delete", methods=["POST"])
@login_required
def delete(cost_id: int) -> Any:
    """Delete a cost entry (coordinators, admins); the audit log keeps it."""
    entry = load_entry(cost_id)
    if entry is None:
        abort(404)
    pilot = _pilot_for_edit(entry.pilot_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        delete_cost(entry)
    except CostValidationError as error:
        db.session.rollback()
        for messages in error.errors.values():
            for message in messages:
                flash(render(message), "error")
    else:
        flash(_("The cost entry was deleted."), "success")
    return redirect(url_for("pilots.detail", pilot_id=pilot.id, _anchor="actual-costs"))


def _billing_context(code: str) -> tuple[Municipality, date, date, list[Any], BillingForm]:
    if not can_view_costs(current_user):
        abort(403)
    municipality = db.session.get(Municipality, code)
    if municipality is None:
        abort(404)
    form = BillingForm(request.args)
    default_start, default_end = last_quarter(date.today())
    start, end = default_start, default_end
    if form.validate():
        start = form.start.data or default_start
        end = form.end.data or (
            default_end if form.start.data is None else max(start, date.today())
        )
        if end < start:
            form.end.errors = [_("The end of the period is before its start.")]
            start, end = default_start, default_end
    form.start.data, form.end.data = start, end
    return municipality, start, end, billing(code, start, end), form


@bp.route("/municipalities/<string:code>/billing")
@login_required
def billing_page(code: str) -> Any:
    """A municipality's shares of cost entries in a period (default: last quarter)."""
    municipality, start, end, lines, form = _billing_context(code)
    return render_template(
        "costs/billing.html",
        municipality=municipality,
        start=start,
        end=end,
        lines=lines,
        total=sum(line.share_cents for line in lines),
        form=form,
        kinds=KIND_LABELS,
    )


BILLING_SHEET = exchange.Sheet(
    "billing",
    (
        exchange.Column("pilot_id", "int"),
        exchange.Column("pilot", "text"),
        exchange.Column("cost_id", "int"),
        exchange.Column("date", "date"),
        exchange.Column("kind", "enum"),
        exchange.Column("reference", "text"),
        exchange.Column("description", "text"),
        exchange.Column("amount_eur", "money"),
        exchange.Column("funded_eur", "money"),
        exchange.Column("share_eur", "money"),
    ),
)


def _rows(lines: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            line.pilot_id,
            line.pilot_name,
            line.cost_id,
            line.on,
            line.kind,
            line.reference,
            line.description,
            cents_to_decimal(line.amount_cents),
            cents_to_decimal(line.funded_cents),
            cents_to_decimal(line.share_cents),
        )
        for line in lines
    ]


def _download(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/municipalities/<string:code>/billing.csv")
@login_required
def billing_csv(code: str) -> Response:
    """The billing as CSV in the export dialect (`;`, decimal comma, BOM)."""
    municipality, start, end, lines, _form = _billing_context(code)
    data = exchange.write_csv(BILLING_SHEET, _rows(lines))
    return _download(
        data, f"billing-{municipality.code}-{start}-{end}.csv", "text/csv; charset=utf-8"
    )


@bp.route("/municipalities/<string:code>/billing.xlsx")
@login_required
def billing_xlsx(code: str) -> Response:
    """The billing as an XLSX workbook (the export's writer)."""
    municipality, start, end, lines, _form = _billing_context(code)
    data = exchange.write_xlsx([(BILLING_SHEET, _rows(lines))])
    return _download(
        data,
        f"billing-{municipality.code}-{start}-{end}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


__all__ = ["cost_section", "pilot_cost_figures"]
