"""Decision support: a pilot's most similar pilots and its scale-up projection.

The schemas live here rather than in schemas.py: they belong to these two endpoints only.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import abort
from marshmallow import Schema, fields
from sqlalchemy.orm import selectinload

from pilot_tracker.api.core import ID, api_user, bp, invalid
from pilot_tracker.api.docs import ERRORS_READ, errors_doc
from pilot_tracker.api.fields import Length, OneOf, Range, Regexp, Text, money_out
from pilot_tracker.api.schemas import enum, out
from pilot_tracker.domain.enums import Stage, Theme
from pilot_tracker.domain.money import format_cents, round_half_up
from pilot_tracker.domain.projection import ProjectionError
from pilot_tracker.models import Participation, Pilot
from pilot_tracker.permissions import can_read_portfolio, visible_pilot_or_404
from pilot_tracker.services.similar import ProjectionInputError, scale_up_for, similar_to_pilot

MAX_SIMILAR = 20
CODES_PATTERN = r"^ *[0-9]{3} *(, *[0-9]{3} *)*$"


class SimilarArgsSchema(Schema):
    """`?limit=5` (at most 20)."""

    limit = fields.Integer(
        load_default=5,
        validate=Range(1, MAX_SIMILAR),
        metadata={"description": "How many similar pilots at most (1-20, default 5)."},
    )


class SimilarPilotSchema(Schema):
    id = out(fields.Integer)
    name = out(fields.String)
    score = out(
        fields.Float,
        metadata={
            "minimum": 0,
            "maximum": 1,
            "description": "0-1: text of name and summary 0.6, same theme 0.2, shared "
            "municipalities 0.15, same region 0.05.",
        },
    )
    stage = out(enum, Stage)
    theme = out(enum, Theme)


class SimilarListSchema(Schema):
    items = out(
        fields.List,
        fields.Nested(SimilarPilotSchema),
        metadata={"description": "Most similar first; only pilots the token's user may see."},
    )


class ProjectionArgsSchema(Schema):
    """`?scope=region|national` or `?codes=091,049` (codes win when both are given)."""

    scope = fields.String(
        load_default="region",
        validate=OneOf(["region", "national"]),
        metadata={
            "description": "region: the other municipalities of the participants' regions; "
            "national: every other municipality."
        },
    )
    codes = Text(
        validate=[
            Length(max=4 * 308),
            Regexp(CODES_PATTERN, "input_municipality_codes"),
        ],
        metadata={"description": "Comma-separated municipality codes, e.g. 091,049."},
    )


class PotentialSchema(Schema):
    low = money_out()
    high = money_out()


class ProjectionSchema(Schema):
    basis = out(
        fields.String,
        validate=OneOf(["realised", "estimated"]),
        metadata={
            "description": "realised: the latest values of the savings KPIs, summed; "
            "estimated: the pilot's estimate (no savings KPI measured yet)."
        },
    )
    scope = out(fields.String, validate=OneOf(["region", "national", "codes"]))
    savings_per_resident_eur = money_out()
    net_cost_per_resident_eur = money_out()
    municipalities = out(
        fields.Integer, metadata={"description": "Target municipalities (participants excluded)."}
    )
    population = out(fields.Integer, metadata={"description": "Residents of the targets."})
    projected_annual_savings_eur = money_out()
    projected_net_cost_eur = money_out()
    codes = out(fields.List, fields.String(), metadata={"description": "The targets' codes."})
    national_potential_eur = out(
        fields.Nested,
        PotentialSchema,
        metadata={"description": "The remaining national savings potential of its track."},
    )


def _per_resident(value: Fraction) -> str:
    return format_cents(int(round_half_up(value * 100, 0)))


@bp.route(f"/pilots/<{ID}:pilot_id>/similar", methods=["GET"])
@bp.arguments(SimilarArgsSchema, location="query", as_kwargs=True)
@bp.response(200, SimilarListSchema)
@errors_doc(*ERRORS_READ, 404)
def similar(pilot_id: int, limit: int) -> dict[str, Any]:
    """The pilots most like this one that the token's user may see (vendors: their own),
    by the text of name and summary, theme, and shared municipalities or region."""
    user = api_user()
    pilot = visible_pilot_or_404(
        pilot_id,
        user,
        [selectinload(Pilot.participations).selectinload(Participation.municipality)],
    )
    found = similar_to_pilot(user, pilot, limit=limit)
    return {
        "items": [
            {
                "id": s.id,
                "name": s.name,
                "score": s.score,
                "stage": Stage(s.stage),
                "theme": Theme(s.theme),
            }
            for s in found
        ]
    }


@bp.route(f"/pilots/<{ID}:pilot_id>/projection", methods=["GET"])
@bp.arguments(ProjectionArgsSchema, location="query", as_kwargs=True)
@bp.response(200, ProjectionSchema)
@errors_doc(*ERRORS_READ, 403, 404)
def projection(pilot_id: int, scope: str, codes: str | None = None) -> Any:
    """The pilot's annual savings and net cost per resident of its participants (realised
    savings, or its estimate when none is measured) projected onto its regions' other
    municipalities, every other municipality, or the listed ones (coordinators, admins,
    councils). Exact arithmetic, rounded half-up to cents once."""
    user = api_user()
    if not can_read_portfolio(user):
        abort(403)
    pilot = visible_pilot_or_404(
        pilot_id, user, [selectinload(Pilot.participations), selectinload(Pilot.kpis)]
    )
    listed = None if codes is None else [c.strip() for c in codes.split(",")]
    try:
        result = scale_up_for(pilot, scope, listed)
    except ProjectionInputError as exc:
        return invalid(exc.errors)
    except ProjectionError as exc:
        return invalid({"participants": [exc.message]})
    p = result.projection
    low, high = result.national_range_eur
    return {
        "basis": p.basis,
        "scope": result.scope,
        "savings_per_resident_eur": _per_resident(p.savings_per_resident),
        "net_cost_per_resident_eur": _per_resident(p.net_cost_per_resident),
        "municipalities": p.municipalities,
        "population": p.population,
        "projected_annual_savings_eur": format_cents(p.projected_annual_savings_cents),
        "projected_net_cost_eur": format_cents(p.projected_net_cost_cents),
        "codes": result.target_codes,
        "national_potential_eur": {
            "low": format_cents(low * 100),
            "high": format_cents(high * 100),
        },
    }
