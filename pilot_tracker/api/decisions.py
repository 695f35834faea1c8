"""Go / no-go decisions of a pilot: recording one moves the stage by the product rules."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort

from pilot_tracker.api import examples
from pilot_tracker.api.core import ID, api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, ERRORS_WRITE, errors_doc
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import (
    DecisionCreateSchema,
    DecisionPageSchema,
    DecisionSchema,
    PageArgsSchema,
)
from pilot_tracker.models import Decision
from pilot_tracker.permissions import can_edit_pilot, visible_pilot_or_404
from pilot_tracker.services.decisions import record_decision


@bp.route(f"/pilots/<{ID}:pilot_id>/decisions", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, DecisionPageSchema)
@errors_doc(*ERRORS_READ, 404)
def list_decisions(pilot_id: int, **args: Any) -> dict[str, Any]:
    """The pilot's decisions, newest first, each with the snapshot the deciders saw."""
    visible_pilot_or_404(pilot_id, api_user())
    query = (
        sa.select(Decision)
        .where(Decision.pilot_id == pilot_id)
        .order_by(Decision.decided_on.desc(), Decision.id.desc())
    )
    return page_of(query, args, list)


@bp.route(f"/pilots/<{ID}:pilot_id>/decisions", methods=["POST"])
@bp.arguments(DecisionCreateSchema, example=examples.DECISION)
@bp.response(201, DecisionSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_decision(data: dict[str, Any], pilot_id: int) -> Decision:
    """Record a decision (coordinators, admins); a refused move is a 422 on the field it
    concerns (`gate` when the gate is not open in the pilot's stage, `back_to_planning`,
    `outcome`; `date` after today), and then nothing changes."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user)
    if not can_edit_pilot(user, pilot):
        abort(403)
    return record_decision(pilot, recorded_by_id=user.id, **data)
