"""A municipality's summary and what is due: GET /municipalities/{code}/summary, GET /due.

The schemas live here rather than in schemas.py: they belong to these two endpoints only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort
from marshmallow import Schema, fields

from pilot_tracker.api.core import api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, errors_doc
from pilot_tracker.api.fields import Range, code_field, money_out
from pilot_tracker.api.schemas import (
    MAX_PAGE,
    MAX_PER_PAGE,
    UnscheduledMoneySchema,
    YearMoneySchema,
    out,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality
from pilot_tracker.permissions import can_read_portfolio
from pilot_tracker.services import due
from pilot_tracker.services.api_portfolio import municipality_summary


class DueItemSchema(Schema):
    kind = out(fields.String, metadata={"enum": [k.value for k in due.DueKind]})
    pilot_id = out(fields.Integer)
    pilot_name = out(fields.String)
    due_on = out(fields.String, metadata={"format": "date", "example": "2026-06-08"})
    overdue = out(fields.Boolean)
    municipality = fields.String(
        metadata={"description": "Whose item it is, where it belongs to one municipality."}
    )
    detail = out(fields.String, metadata={"description": "What is due, in English."})


class DueListSchema(Schema):
    items = out(
        fields.List,
        fields.Nested(DueItemSchema),
        metadata={
            "description": "Overdue first, then by date (a council member's own "
            "municipality's pilots before the rest)."
        },
    )
    page = out(fields.Integer)
    per_page = out(fields.Integer)
    total = out(fields.Integer)
    overdue_total = out(fields.Integer)


class DueArgsSchema(Schema):
    """`?municipality=418` narrows the items to its pilots; paged like every list."""

    municipality = code_field(metadata={"description": "A participant's code, e.g. 418."})
    page = fields.Integer(load_default=1, validate=Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=Range(1, MAX_PER_PAGE))


class SavingsPairSchema(Schema):
    committed = money_out()
    proposed = money_out()


class MunicipalitySummarySchema(Schema):
    code = out(fields.String)
    name = out(fields.String)
    population = out(fields.Integer)
    pilot_count = out(fields.Integer)
    committed_eur = money_out()
    proposed_eur = money_out()
    actual_eur = money_out()
    # Actual to date plus its share of what is left of the committed planned net cost.
    forecast_eur = money_out()
    committed_eur_per_resident = out(fields.String, allow_none=True, metadata={"example": "2.20"})
    estimated_annual_savings_eur = out(fields.Nested, SavingsPairSchema)
    realised_annual_savings_eur = money_out()
    by_year = out(fields.List, fields.Nested(YearMoneySchema))
    unscheduled = out(fields.Nested, UnscheduledMoneySchema)
    due = out(fields.List, fields.Nested(DueItemSchema))
    due_total = out(fields.Integer)
    overdue_total = out(fields.Integer)


@bp.route("/municipalities/<code>/summary", methods=["GET"])
@bp.response(200, MunicipalitySummarySchema)
@errors_doc(*ERRORS_READ, 403, 404)
def municipality_summary_view(code: str) -> dict[str, Any]:
    """What the municipality pays (committed and proposed side by side, actual, forecast,
    per resident), its savings, by year and what is due (coordinators, admins, councils);
    404 for an unknown code."""
    user = api_user()
    if not can_read_portfolio(user):
        abort(403)
    place = db.session.get(Municipality, code) if len(code) == 3 and code.isdigit() else None
    if place is None:
        abort(404)
    return municipality_summary(user, place, date.today())


@bp.route("/due", methods=["GET"])
@bp.arguments(DueArgsSchema, location="query", as_kwargs=True)
@bp.response(200, DueListSchema)
@errors_doc(*ERRORS_READ)
def due_list(**args: Any) -> dict[str, Any]:
    """What is due for the caller, overdue first (vendors: their pilots' status updates,
    measurements and planned ends only); `?municipality=` narrows it."""
    user = api_user()
    page, per_page = args["page"], args["per_page"]
    found = due.due_items(
        user,
        date.today(),
        municipality=args.get("municipality"),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return {
        "items": [due.item_json(item) for item in found.items],
        "page": page,
        "per_page": per_page,
        "total": found.total,
        "overdue_total": found.overdue_total,
    }
