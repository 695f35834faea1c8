"""The municipality register and the vendors."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort

from pilot_tracker.api import examples
from pilot_tracker.api.core import api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, ERRORS_WRITE, errors_doc
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import (
    MunicipalityArgsSchema,
    MunicipalityPageSchema,
    PageArgsSchema,
    VendorCreateSchema,
    VendorPageSchema,
    VendorSchema,
)
from pilot_tracker.models import Municipality, Vendor
from pilot_tracker.permissions import can_manage_vendors, can_read_portfolio
from pilot_tracker.services.vendors import create_vendor


@bp.route("/municipalities", methods=["GET"])
@bp.arguments(MunicipalityArgsSchema, location="query", as_kwargs=True)
@bp.response(200, MunicipalityPageSchema)
@errors_doc(*ERRORS_READ)
def list_municipalities(**args: Any) -> dict[str, Any]:
    """All municipalities by code (any signed-in user); `?region=06` narrows to a region."""
    query = sa.select(Municipality).order_by(Municipality.code)
    if args.get("region"):
        query = query.where(Municipality.region_code == args["region"])
    return page_of(query, args, list)


@bp.route("/vendors", methods=["GET"])
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, VendorPageSchema)
@errors_doc(*ERRORS_READ, 403)
def list_vendors(**args: Any) -> dict[str, Any]:
    """Vendors by name (coordinators, admins, councils)."""
    if not can_read_portfolio(api_user()):
        abort(403)
    query = sa.select(Vendor).order_by(Vendor.name, Vendor.id)
    return page_of(query, args, list)


@bp.route("/vendors", methods=["POST"])
@bp.arguments(VendorCreateSchema, example=examples.VENDOR)
@bp.response(201, VendorSchema)
@errors_doc(*ERRORS_WRITE, 403)
def post_vendor(data: dict[str, Any]) -> Vendor:
    """Register a vendor (coordinators, admins); the business ID must be valid and new."""
    if not can_manage_vendors(api_user()):
        abort(403)
    return create_vendor(data["name"], data["business_id"], data.get("contact_email"))
