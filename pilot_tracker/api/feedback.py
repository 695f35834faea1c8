"""Residents' feedback on a pilot: the satisfaction KPI (as pilot), the approved texts
(coordinators, admins). Hidden texts are erased, so no answer can hold one."""

from __future__ import annotations

from typing import Any

from flask import abort
from marshmallow import Schema, fields

from pilot_tracker.api.core import ID, api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, errors_doc
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import PageArgsSchema, out
from pilot_tracker.permissions import can_edit_pilot, visible_pilot_or_404
from pilot_tracker.services import feedback

DISTRIBUTION = {
    "description": "How many answers gave each rating, keyed '1' to '5'.",
    "example": {"1": 0, "2": 1, "3": 2, "4": 5, "5": 4},
}


class RatingsSchema(Schema):
    count = out(fields.Integer, metadata={"minimum": 0})
    mean = out(
        fields.String,
        allow_none=True,
        metadata={"description": "Mean rating 1-5, two decimals (half up); null without answers."},
    )
    distribution = out(
        fields.Dict, keys=fields.String(), values=fields.Integer(), metadata=DISTRIBUTION
    )


class MunicipalityRatingsSchema(RatingsSchema):
    code = out(fields.String, metadata={"example": "418"})


class FeedbackSummarySchema(Schema):
    """The derived resident-satisfaction KPI of a pilot."""

    pilot_id = out(fields.Integer)
    count = out(fields.Integer, metadata={"minimum": 0})
    mean = out(fields.String, allow_none=True, metadata={"description": "Mean rating 1-5."})
    distribution = out(
        fields.Dict, keys=fields.String(), values=fields.Integer(), metadata=DISTRIBUTION
    )
    municipalities = out(
        fields.List,
        fields.Nested(MunicipalityRatingsSchema),
        metadata={
            "description": "Each participating municipality with at least `min_group` answers "
            "(fewer are counted only in the totals, so no small group can be singled out)."
        },
    )
    min_group = out(fields.Integer, metadata={"example": 10})


class FeedbackTextSchema(Schema):
    id = out(fields.Integer)
    rating = out(fields.Integer, metadata={"minimum": 1, "maximum": 5})
    text = out(fields.String)
    municipality = out(
        fields.String, allow_none=True, metadata={"description": "Code, or null: elsewhere."}
    )
    language = out(fields.String, metadata={"enum": ["fi", "sv", "en"]})
    date = out(fields.Date)


class FeedbackTextPageSchema(Schema):
    items = out(fields.List, fields.Nested(FeedbackTextSchema))
    page = out(fields.Integer)
    per_page = out(fields.Integer)
    total = out(fields.Integer)


@bp.route(f"/pilots/<{ID}:pilot_id>/feedback/summary", methods=["GET"])
@bp.response(200, FeedbackSummarySchema)
@errors_doc(*ERRORS_READ, 404)
def get_feedback_summary(pilot_id: int) -> dict[str, Any]:
    """The residents' satisfaction KPI: mean, count, distribution, and per participating
    municipality once it has at least 10 answers."""
    pilot = visible_pilot_or_404(pilot_id, api_user())
    codes = feedback.current_codes(pilot.id)
    return {"pilot_id": pilot.id, **feedback.as_plain(feedback.summary(pilot.id, codes))}


@bp.route(f"/pilots/<{ID}:pilot_id>/feedback/texts", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, FeedbackTextPageSchema)
@errors_doc(*ERRORS_READ, 403, 404)
def list_feedback_texts(pilot_id: int, **args: Any) -> dict[str, Any]:
    """The approved texts, newest first (coordinators, admins: 403 for others); texts waiting
    for approval or hidden are never here."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user)
    if not can_edit_pilot(user, pilot):
        abort(403)
    return page_of(
        feedback.approved_texts_query(pilot.id),
        args,
        lambda rows: [
            {
                "id": r.id,
                "rating": r.rating,
                "text": r.text,
                "municipality": r.municipality_code,
                "language": r.language,
                "date": r.submitted_on,
            }
            for r in rows
        ],
    )
