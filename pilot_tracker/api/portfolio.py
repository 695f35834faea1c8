"""The portfolio summary: counts and sums over the filtered pilots, computed in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort

from pilot_tracker.api.core import api_user, bp
from pilot_tracker.api.docs import ERRORS_READ, errors_doc
from pilot_tracker.api.pilots import filters_from_args
from pilot_tracker.api.schemas import PilotFilterArgsSchema, PortfolioSummarySchema
from pilot_tracker.permissions import can_read_portfolio
from pilot_tracker.services.api_portfolio import portfolio_summary


@bp.route("/portfolio/summary", methods=["GET"])
@bp.arguments(PilotFilterArgsSchema, location="query", as_kwargs=True)
@bp.response(200, PortfolioSummarySchema)
@errors_doc(*ERRORS_READ, 403)
def summary(**filters: Any) -> dict[str, Any]:
    """Pilot counts by stage, theme and track, money totals, stale pilots and what each
    municipality pays (coordinators, admins, councils); the same filters as the list."""
    user = api_user()
    if not can_read_portfolio(user):
        abort(403)
    return portfolio_summary(user, filters_from_args(filters), date.today())
