"""Open data (pilots marked public, CC BY 4.0) and the OpenAPI document: no token needed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from pilot_tracker.api.core import public_bp
from pilot_tracker.api.docs import errors_doc
from pilot_tracker.api.pagination import page_of
from pilot_tracker.api.schemas import PageArgsSchema, PublicPilotPageSchema, Shown
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Participation, Pilot
from pilot_tracker.permissions import PUBLIC
from pilot_tracker.services.pilot_filters import PilotFilters, apply_pilot_filters

CC_BY = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
LICENSE_LINK = f'<{CC_BY["url"]}>; rel="license"'
ATTRIBUTION = "Kokeilusalkku, joint digital pilots of Finnish municipalities (CC BY 4.0)"


def _by_pilot(rows: Iterable[tuple[int, Any]]) -> Mapping[int, list[Any]]:
    """Group (pilot_id, value) rows, keeping their order."""
    grouped: dict[int, list[Any]] = {}
    for pilot_id, value in rows:
        grouped.setdefault(pilot_id, []).append(value)
    return grouped


@public_bp.route("/public/pilots", methods=["GET"])
@public_bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@public_bp.response(
    200,
    PublicPilotPageSchema,
    headers={"Link": {"schema": {"type": "string"}, "description": "rel=license"}},
)
@public_bp.doc(security=[])
@errors_doc(422)
def public_pilots(**args: Any) -> ResponseReturnValue:
    """Pilots marked public, open to anyone under CC BY 4.0: only the fields named in
    API.md (no ids, people, KPIs or cost shares)."""
    query = (
        apply_pilot_filters(sa.select(Pilot), PilotFilters(), PUBLIC)
        .options(
            selectinload(Pilot.participations).selectinload(Participation.municipality),
            selectinload(Pilot.vendor),
        )
        .order_by(Pilot.id)
    )

    def items(pilots: Any) -> list[Shown]:
        outcomes = _by_pilot(
            db.session.execute(
                sa.select(Decision.pilot_id, Decision.outcome)
                .where(Decision.pilot_id.in_([p.id for p in pilots]))
                .order_by(Decision.pilot_id, Decision.decided_on.desc(), Decision.id.desc())
            ).all()
        )
        return [
            Shown(
                p,
                vendor_name=p.vendor.name if p.vendor else None,
                decision_outcomes=outcomes.get(p.id, []),
            )
            for p in pilots
        ]

    body = {"license": CC_BY, "attribution": ATTRIBUTION, **page_of(query, args, items)}
    return body, 200, {"Link": LICENSE_LINK}


@public_bp.route("/openapi.json", methods=["GET"])
@public_bp.response(200, description="This OpenAPI 3 document.")
@public_bp.doc(security=[], summary="This OpenAPI 3 document")
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3 document, generated from the schemas that validate the requests."""
    api = current_app.extensions["kokeilusalkku_api"]
    cached = current_app.extensions.get("kokeilusalkku_openapi")
    if cached is None:
        cached = current_app.extensions["kokeilusalkku_openapi"] = api.spec.to_dict()
    return jsonify(cached)
