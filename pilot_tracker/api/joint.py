"""Municipal decisions and the follow-up plan of a pilot (API.md, "The joint life")."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from pilot_tracker.api.core import ID, api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, ERRORS_WRITE, errors_doc
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.pilots import pilot_body
from pilot_tracker.api.schemas import PageArgsSchema
from pilot_tracker.api.schemas_joint import (
    FollowUpCreateSchema,
    FollowUpItemPageSchema,
    FollowUpItemSchema,
    FollowUpPatchSchema,
    MunicipalDecisionCreatedSchema,
    MunicipalDecisionCreateSchema,
    MunicipalDecisionPageSchema,
)
from pilot_tracker.domain.follow_up import OwnerKind
from pilot_tracker.extensions import db
from pilot_tracker.models import FollowUpComment, FollowUpItem, MunicipalDecision
from pilot_tracker.permissions import (
    can_edit_pilot,
    can_view_pilot,
    can_work_on_follow_up,
    visible_pilot_or_404,
)
from pilot_tracker.services.follow_up import (
    EDITOR_FIELDS,
    VENDOR_FIELDS,
    Owner,
    create_item,
    update_item,
)
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import pilot_options


@bp.route(f"/pilots/<{ID}:pilot_id>/municipal-decisions", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, MunicipalDecisionPageSchema)
@errors_doc(*ERRORS_READ, 404)
def list_municipal_decisions(pilot_id: int, **args: Any) -> dict[str, Any]:
    """Each municipality's own decisions on the pilot, newest first."""
    visible_pilot_or_404(pilot_id, api_user())
    query = (
        sa.select(MunicipalDecision)
        .where(MunicipalDecision.pilot_id == pilot_id)
        .options(selectinload(MunicipalDecision.municipality))
        .order_by(MunicipalDecision.decided_on.desc(), MunicipalDecision.id.desc())
    )
    return page_of(query, args, list)


@bp.route(f"/pilots/<{ID}:pilot_id>/municipal-decisions", methods=["POST"])
@bp.arguments(MunicipalDecisionCreateSchema)
@bp.response(201, MunicipalDecisionCreatedSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_municipal_decision(data: dict[str, Any], pilot_id: int) -> _Created:
    """Record a municipality's decision (coordinators, admins): a participant's `no_go` makes
    it leave on that date, a newcomer's `go` at `scale_up` makes it join; `pilot` shows the
    participants after it. A decision the rules refuse is a 422 naming the field."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user, pilot_options())
    if not can_edit_pilot(user, pilot):
        abort(403)
    decision = record_municipal_decision(pilot, recorded_by_id=user.id, **data)
    decision_id = decision.id
    body = pilot_body(pilot_id)  # expires the session: read the decision afresh
    fresh = db.session.scalars(
        sa.select(MunicipalDecision)
        .where(MunicipalDecision.id == decision_id)
        .options(selectinload(MunicipalDecision.municipality))
    ).one()
    return _Created(fresh, body)


class _Created:
    """A recorded decision with the pilot as it is after it (MunicipalDecisionCreatedSchema)."""

    def __init__(self, decision: MunicipalDecision, pilot: Any) -> None:
        self._decision = decision
        self.pilot = pilot

    def __getattr__(self, name: str) -> Any:
        return getattr(self._decision, name)


def _items_query(pilot_id: int) -> sa.Select[Any]:
    return (
        sa.select(FollowUpItem)
        .where(FollowUpItem.pilot_id == pilot_id)
        .options(selectinload(FollowUpItem.comments))
        .order_by(FollowUpItem.due_on.is_(None), FollowUpItem.due_on, FollowUpItem.id)
    )


@bp.route(f"/pilots/<{ID}:pilot_id>/follow-up-items", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, FollowUpItemPageSchema)
@errors_doc(*ERRORS_READ, 404)
def list_follow_up_items(pilot_id: int, **args: Any) -> dict[str, Any]:
    """The pilot's follow-up plan with the vendor, soonest due first."""
    visible_pilot_or_404(pilot_id, api_user())
    return page_of(_items_query(pilot_id), args, list)


@bp.route(f"/pilots/<{ID}:pilot_id>/follow-up-items", methods=["POST"])
@bp.arguments(FollowUpCreateSchema)
@bp.response(201, FollowUpItemSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_follow_up_item(data: dict[str, Any], pilot_id: int) -> FollowUpItem:
    """Add an item to the follow-up plan (coordinators, admins)."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user, pilot_options())
    if not can_edit_pilot(user, pilot):
        abort(403)
    owner = data.pop("owner")
    item = create_item(pilot, owner=Owner(owner["kind"], owner.get("code")), **data)
    return db.session.scalars(_items_query(pilot_id).where(FollowUpItem.id == item.id)).one()


@bp.route(f"/follow-up-items/<{ID}:item_id>", methods=["PATCH"])
@bp.arguments(FollowUpPatchSchema)
@bp.response(200, FollowUpItemSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def patch_follow_up_item(changes: dict[str, Any], item_id: int) -> FollowUpItem:
    """Change an item: coordinators and admins any field; the pilot's vendor only `status`
    and `comment` of the items it owns (403 otherwise). An item of a pilot the caller may
    not see is a 404."""
    user = api_user()
    item = db.session.scalars(
        sa.select(FollowUpItem)
        .where(FollowUpItem.id == item_id)
        .options(selectinload(FollowUpItem.comments).selectinload(FollowUpComment.author))
    ).first()
    if item is None:
        abort(404)
    pilot = visible_pilot_or_404(item.pilot_id, user, pilot_options())
    if not can_view_pilot(user, pilot):
        abort(404)
    if not can_work_on_follow_up(user, pilot, OwnerKind(item.owner_kind).value):
        abort(403)
    allowed = EDITOR_FIELDS if can_edit_pilot(user, pilot) else VENDOR_FIELDS
    try:
        update_item(pilot, item, dict(changes), author_id=user.id, allowed=allowed)
    except PermissionError:
        abort(403)
    db.session.expire_all()
    return db.session.scalars(_items_query(item.pilot_id).where(FollowUpItem.id == item_id)).one()
