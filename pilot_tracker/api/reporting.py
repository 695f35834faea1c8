"""Status updates, KPIs and measurements of a pilot."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort

from pilot_tracker.api import examples
from pilot_tracker.api.core import ID, api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, ERRORS_WRITE, errors_doc
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import (
    KpiCreateSchema,
    KpiPageSchema,
    KpiSchema,
    MeasurementCreateSchema,
    MeasurementSchema,
    PageArgsSchema,
    StatusUpdateCreateSchema,
    StatusUpdatePageSchema,
    StatusUpdateSchema,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, Measurement, StatusUpdate
from pilot_tracker.permissions import can_edit_pilot, can_report_on, visible_pilot_or_404
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update


@bp.route(f"/pilots/<{ID}:pilot_id>/status-updates", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, StatusUpdatePageSchema)
@errors_doc(*ERRORS_READ, 404)
def list_status_updates(pilot_id: int, **args: Any) -> dict[str, Any]:
    """The pilot's status updates, newest first."""
    visible_pilot_or_404(pilot_id, api_user())
    query = (
        sa.select(StatusUpdate)
        .where(StatusUpdate.pilot_id == pilot_id)
        .order_by(StatusUpdate.reported_on.desc(), StatusUpdate.id.desc())
    )
    return page_of(query, args, list)


@bp.route(f"/pilots/<{ID}:pilot_id>/status-updates", methods=["POST"])
@bp.arguments(StatusUpdateCreateSchema, example=examples.STATUS_UPDATE)
@bp.response(201, StatusUpdateSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_status_update(data: dict[str, Any], pilot_id: int) -> StatusUpdate:
    """Report status (the pilot's vendor, coordinators, admins); `date` defaults to today."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user)
    if not can_report_on(user, pilot):
        abort(403)
    return add_status_update(
        pilot,
        data["rag"],
        data["progress_percent"],
        data["text"],
        reported_on=data.get("reported_on"),
        author_id=user.id,
    )


@bp.route(f"/pilots/<{ID}:pilot_id>/kpis", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, KpiPageSchema)
@errors_doc(*ERRORS_READ, 404)
def list_kpis(pilot_id: int, **args: Any) -> dict[str, Any]:
    """The pilot's KPIs with their latest value and progress (null without measurements)."""
    visible_pilot_or_404(pilot_id, api_user())
    query = sa.select(Kpi).where(Kpi.pilot_id == pilot_id).order_by(Kpi.id)
    return page_of(query, args, list)


@bp.route(f"/pilots/<{ID}:pilot_id>/kpis", methods=["POST"])
@bp.arguments(KpiCreateSchema, example=examples.KPI)
@bp.response(201, KpiSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_kpi(data: dict[str, Any], pilot_id: int) -> Kpi:
    """Define a KPI (coordinators and admins)."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user)
    if not can_edit_pilot(user, pilot):
        abort(403)
    return add_kpi(pilot, **data)


@bp.route(f"/kpis/<{ID}:kpi_id>/measurements", methods=["POST"])
@bp.arguments(MeasurementCreateSchema, example=examples.MEASUREMENT)
@bp.response(201, MeasurementSchema)
@errors_doc(*ERRORS_WRITE, 403, 404)
def post_measurement(data: dict[str, Any], kpi_id: int) -> Measurement:
    """Record a measurement (the pilot's vendor, coordinators, admins); not in the future."""
    user = api_user()
    kpi = db.session.get(Kpi, kpi_id)
    if kpi is None:
        abort(404)
    pilot = visible_pilot_or_404(kpi.pilot_id, user)
    if not can_report_on(user, pilot):
        abort(403)
    return add_measurement(
        kpi, data["measured_on"], data["value"], data["note"], recorded_by_id=user.id
    )
