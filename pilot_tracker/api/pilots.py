"""`/api/v1/pilots`: list, create, read, change (optimistic locking) and delete pilots."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, request, url_for

from pilot_tracker.api import examples
from pilot_tracker.api.core import API_FIELD, ID, api_user, bp, invalid, stale_version
from pilot_tracker.api.docs import ERRORS_READ, ERRORS_WRITE, errors_doc
from pilot_tracker.api.openapi import ETAG, IF_MATCH, LOCATION
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import (
    PilotCreateSchema,
    PilotListArgsSchema,
    PilotPageSchema,
    PilotPatchSchema,
    PilotSchema,
    Shown,
)
from pilot_tracker.catalogue import render
from pilot_tracker.domain.commitment import commitment
from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.domain.plausibility import Finding
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import Pilot, StatusUpdate
from pilot_tracker.permissions import (
    can_delete_pilot,
    can_edit_pilot,
    can_view_costs,
    visible_pilot_or_404,
)
from pilot_tracker.services.api_portfolio import latest_statuses
from pilot_tracker.services.cost_queries import PilotCostFigures, pilot_cost_figures
from pilot_tracker.services.pilot_filters import PilotFilters, apply_pilot_filters
from pilot_tracker.services.pilots import (
    PilotData,
    changes_since,
    data_from_pilot,
    delete_pilot,
    pilot_options,
    save_new_pilot,
    save_pilot_changes,
)
from pilot_tracker.services.reporting import is_stale


def filters_from_args(args: Mapping[str, Any]) -> PilotFilters:
    """The pilot list's and the summary's query parameters (PilotFilterArgsSchema, validated
    already) as the one pilot filter; `q` is words, as API.md's schema says."""
    return PilotFilters(
        q=args.get("q") or "",
        theme=args.get("theme"),
        track=args.get("track"),
        stage=args.get("stage"),
        region=args.get("region") or "",
        municipality=args.get("municipality") or "",
        vendor_id=args.get("vendor_id"),
    )


def cost_figures_for(user: Any, pilots: Any) -> dict[int, PilotCostFigures]:
    """Actual-cost figures of the pilots for a user who may see them (not vendors)."""
    if not can_view_costs(user):
        return {}
    return pilot_cost_figures(pilots)


def shown_pilot(
    p: Pilot,
    latest: StatusUpdate | None,
    today: date,
    costs: PilotCostFigures | None = None,
    warnings: list[Finding] | None = None,
) -> Shown:
    """A pilot loaded with `pilot_options()` with what PilotSchema shows beside it: its
    newest status update `latest`, its actual-cost figures `costs` (None: hidden from this
    user, e.g. a vendor) and, after a save, its plausibility `warnings`."""
    percents = p.share_percentages()
    actual_by_code = (costs.actual_by_code if costs else None) or {}
    forecast_by_code = (costs.forecast_by_code if costs else None) or {}
    hidden = costs is None
    participants = [
        Shown(
            part,
            share_percent=(
                str(percents[part.municipality_code])
                if part.municipality_code in percents
                else None
            ),
            is_lead=part.municipality_code == p.lead_municipality_code,
            actual_cents=None if hidden else actual_by_code.get(part.municipality_code, 0),
            forecast_cents=(
                None if hidden else forecast_by_code.get(part.municipality_code, part.share_cents)
            ),
        )
        for part in p.participations
    ]
    cost_split = SimpleNamespace(method=p.split_method)
    if p.split_method is SplitMethod.MANUAL:
        cost_split.shares = {
            part.municipality_code: part.manual_percent or Decimal(0)
            for part in p.current_participations
        }
    if p.split_method is SplitMethod.HYBRID:
        cost_split.equal_percent = p.equal_percent or Decimal(0)
    extra: dict[str, Any] = {}
    if warnings is not None:
        extra["warnings"] = [_shown_warning(w) for w in warnings]
    return Shown(
        p,
        goal_values=[g.goal for g in p.goals],
        participants=participants,
        cost_split=cost_split,
        actual_cents=None if costs is None else costs.actual_cents,
        funded_cents=None if costs is None else costs.funded_cents,
        vendor_name=p.vendor.name if p.vendor else None,
        latest_status=latest,
        stale=is_stale(p, today),
        commitment=commitment(p.stage).value,
        **extra,
    )


def _shown_warning(w: Finding) -> Shown:
    """A plausibility warning with the API's field name; a namesake by id and name."""
    extra: dict[str, Any] = {
        "field": API_FIELD.get(w.field, w.field),
        "message": render(w.message),  # in the request's language (the catalogue)
    }
    if w.code == "duplicate_name":
        extra["namesake"] = SimpleNamespace(id=w.params["pilot_id"], name=w.params["name"])
    return Shown(w, **extra)


def pilot_body(pilot_id: int, warnings: list[Finding] | None = None) -> Shown:
    """The pilot as the API shows it, freshly loaded (after a change, too)."""
    db.session.expire_all()
    pilot = visible_pilot_or_404(pilot_id, api_user(), pilot_options())
    latest = latest_statuses([pilot.id]).get(pilot.id)
    costs = cost_figures_for(api_user(), [pilot]).get(pilot.id)
    return shown_pilot(pilot, latest, date.today(), costs, warnings)


def _etag(body: Shown) -> dict[str, str]:
    return {"ETag": f'"{body.version}"'}


@bp.route("/pilots", methods=["GET"])
@bp.arguments(PilotListArgsSchema, location="query", as_kwargs=True)
@bp.response(200, PilotPageSchema)
@errors_doc(*ERRORS_READ)
def list_pilots(**args: Any) -> dict[str, Any]:
    """Pilots the token's user may see (vendors: their own), filtered, oldest first."""
    query = apply_pilot_filters(sa.select(Pilot), filters_from_args(args), api_user())
    query = query.options(*pilot_options()).order_by(Pilot.id)
    today = date.today()

    def items(pilots: Any) -> list[Shown]:
        latest = latest_statuses([p.id for p in pilots])
        costs = cost_figures_for(api_user(), pilots)
        return [shown_pilot(p, latest.get(p.id), today, costs.get(p.id)) for p in pilots]

    return page_of(query, args, items)


@bp.route("/pilots", methods=["POST"])
@bp.arguments(PilotCreateSchema, example=examples.PILOT)
@bp.response(201, PilotSchema, headers={"Location": LOCATION, "ETag": ETAG})
@errors_doc(*ERRORS_WRITE, 403)
def create(data: dict[str, Any]) -> Any:
    """Create a pilot (coordinators and admins); 201 with a `Location` header."""
    if not can_edit_pilot(api_user()):
        abort(403)
    saved = save_new_pilot(PilotData(**data))
    pilot = saved.pilot
    body = pilot_body(pilot.id, saved.warnings)
    location = url_for("api.get_pilot", pilot_id=pilot.id)
    return body, 201, {"Location": location, **_etag(body)}


@bp.route(f"/pilots/<{ID}:pilot_id>", methods=["GET"])
@bp.response(200, PilotSchema, headers={"ETag": ETAG})
@errors_doc(401, 404)
def get_pilot(pilot_id: int) -> Any:
    """One pilot with its participants' shares, net cost, newest status and staleness."""
    body = pilot_body(pilot_id)
    return body, 200, _etag(body)


def _expected_version(body_version: int | None) -> int | Response:
    """The version the client saw: from the body or `If-Match: "<n>"`; 422 if missing."""
    header: int | None = None
    raw = request.headers.get("If-Match")
    if raw is not None:
        tags = list(request.if_match.as_set())
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if len(tags) != 1 or not re.fullmatch(r"[0-9]{1,10}", tags[0]):
            return invalid({"If-Match": [_('Send the version as If-Match: "<version>".')]})
        header = int(tags[0])
    if body_version is not None and header is not None and body_version != header:
        return invalid({"version": [_("The version in the body and in If-Match differ.")]})
    version = body_version if body_version is not None else header
    if version is None:
        return invalid(
            {"version": [_('Send the version you changed, in the body or as If-Match: "<n>".')]}
        )
    return version


@bp.route(f"/pilots/<{ID}:pilot_id>", methods=["PATCH"])
@bp.arguments(PilotPatchSchema, example=examples.PILOT_PATCH)
@bp.response(200, PilotSchema, headers={"ETag": ETAG})
@bp.doc(parameters=[IF_MATCH])
@errors_doc(*ERRORS_WRITE, 403, 404, 409)
def patch_pilot(changes: dict[str, Any], pilot_id: int) -> Any:
    """Change writable fields (coordinators and admins); a stale `version` is a 409."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user, pilot_options())
    if not can_edit_pilot(user, pilot):
        abort(403)
    version = _expected_version(changes.pop("version", None))
    if isinstance(version, Response):
        return version
    if pilot.version != version:
        return stale_version(pilot.version, sorted(changes_since(pilot, version)))
    current = data_from_pilot(pilot)
    warnings = []
    if replace(current, **changes) != current:
        warnings = save_pilot_changes(pilot, changes, version).warnings
    # A change to nothing keeps the version: repeating a PATCH is harmless.
    body = pilot_body(pilot_id, warnings)
    return body, 200, _etag(body)


@bp.route(f"/pilots/<{ID}:pilot_id>", methods=["DELETE"])
@bp.response(204)
@errors_doc(401, 403, 404)
def remove_pilot(pilot_id: int) -> Any:
    """Delete a pilot (admins); the audit log keeps everything it held."""
    user = api_user()
    pilot = visible_pilot_or_404(pilot_id, user)
    if not can_delete_pilot(user, pilot):
        abort(403)
    delete_pilot(pilot)
    return "", 204
