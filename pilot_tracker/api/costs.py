"""Cost entries of a pilot and a municipality's billing (PRODUCT.md, "Actual costs")."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, jsonify
from sqlalchemy.orm import selectinload

from pilot_tracker.api.core import ID, api_user, bp, invalid
from pilot_tracker.api.docs import ERRORS_READ, ERRORS_WRITE, errors_doc
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import (
    BillingArgsSchema,
    BillingSchema,
    CostCreateSchema,
    CostPageSchema,
    CostPatchSchema,
    CostSchema,
    PageArgsSchema,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import CostEntry, Municipality
from pilot_tracker.permissions import can_edit_costs, can_view_costs, visible_pilot_or_404
from pilot_tracker.services.cost_queries import billing, last_quarter
from pilot_tracker.services.costs import (
    CostData,
    CostValidationError,
    delete_cost,
    load_entry,
    record_cost,
    update_cost,
)

# The service's field names as the API calls them.
_FIELD = {"entry_date": "date", "amount_cents": "amount_eur"}

EXAMPLE = {
    "date": "2026-03-31",
    "amount_eur": "12500.00",
    "kind": "vendor_invoice",
    "reference": "INV-2026-031",
    "description": "March licence and support",
}


_COST_SCHEMA = CostSchema()


def _refused(error: CostValidationError) -> Response:
    db.session.rollback()
    return invalid({_FIELD.get(k, k): list(v) for k, v in error.errors.items()})


bp.register_error_handler(CostValidationError, _refused)


def _cost_pilot_or_404(pilot_id: int) -> Any:
    """The pilot if the user may see it and its costs; vendors get 404 as for no pilot."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user)
    if not can_view_costs(user, pilot):
        abort(404)
    return pilot


def _entry_or_404(cost_id: int) -> CostEntry:
    entry = load_entry(cost_id)
    if entry is None:
        abort(404)
    _cost_pilot_or_404(entry.pilot_id)
    if not can_edit_costs(api_user()):
        abort(403)
    return entry


def _fresh(cost_id: int) -> CostEntry:
    db.session.expire_all()
    entry = load_entry(cost_id)
    assert entry is not None
    return entry


@bp.route(f"/pilots/<{ID}:pilot_id>/costs", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, CostPageSchema)
@errors_doc(*ERRORS_READ, 404)
def list_costs(pilot_id: int, **args: Any) -> dict[str, Any]:
    """The pilot's cost entries, oldest first (not for vendors: 404)."""
    _cost_pilot_or_404(pilot_id)
    query = (
        sa.select(CostEntry)
        .where(CostEntry.pilot_id == pilot_id)
        .order_by(CostEntry.entry_date, CostEntry.id)
        .options(selectinload(CostEntry.shares))
    )
    return page_of(query, args, list)


@bp.route(f"/pilots/<{ID}:pilot_id>/costs", methods=["POST"])
@bp.arguments(CostCreateSchema, example=EXAMPLE)
@bp.response(201, CostSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_cost(data: dict[str, Any], pilot_id: int) -> tuple[Response, int]:
    """Record a cost entry (coordinators, admins); a negative amount is a credit note."""
    pilot = _cost_pilot_or_404(pilot_id)
    user = api_user()
    if not can_edit_costs(user, pilot):
        abort(403)
    entry = record_cost(pilot, CostData(**data), recorded_by_id=user.id, commit=False)
    # Written and flushed: what it answers is what is committed, without reading it back
    # (the commit expires the entry), so dumped here rather than by the response decorator.
    body = jsonify(_COST_SCHEMA.dump(entry))
    db.session.commit()
    return body, 201


@bp.route(f"/costs/<{ID}:cost_id>", methods=["PATCH"])
@bp.arguments(CostPatchSchema)
@bp.response(200, CostSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def patch_cost(data: dict[str, Any], cost_id: int) -> CostEntry:
    """Correct an entry; the entries from it on are recomputed, those that moved audited."""
    entry = _entry_or_404(cost_id)
    update_cost(entry, data)
    return _fresh(cost_id)


@bp.route(f"/costs/<{ID}:cost_id>", methods=["DELETE"])
@bp.response(204)
@errors_doc(401, 403, 404)
def delete_cost_entry(cost_id: int) -> Response:
    """Delete an entry (coordinators, admins); the audit log keeps it."""
    entry = _entry_or_404(cost_id)
    delete_cost(entry)
    return Response(status=204)


@bp.route("/municipalities/<string:code>/billing", methods=["GET"])
@bp.arguments(BillingArgsSchema, location="query", as_kwargs=True)
@bp.response(200, BillingSchema)
@errors_doc(*ERRORS_READ, 403, 404)
def get_billing(code: str, **args: Any) -> dict[str, Any]:
    """The municipality's shares of cost entries in a period (default: last quarter)."""
    if not can_view_costs(api_user()):
        abort(403)
    if db.session.get(Municipality, code) is None:
        abort(404)
    start, end = _period(args.get("start"), args.get("end"))
    lines = billing(code, start, end)
    return {
        "code": code,
        "start": start,
        "end": end,
        "items": lines,
        "total_cents": sum(line.share_cents for line in lines),
    }


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    """From and to, the missing ends from the last calendar quarter."""
    default_start, default_end = last_quarter(date.today())
    if start is None and end is None:
        return default_start, default_end
    if start is None:
        start = date(end.year, 1, 1) if end else default_start  # type: ignore[union-attr]
    if end is None:
        end = max(start, date.today())
    if end < start:
        abort(422)
    return start, end
