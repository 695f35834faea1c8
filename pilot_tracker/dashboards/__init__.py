"""Dashboards: the portfolio (/dashboard), each municipality's (/municipalities/<code>), and
CSV downloads of every chart's data, the pilot page's charts' included.

The pilot page builds its charts with `charts.pilot.pilot_charts_for(pilot, ...)` (from the
pilot it loaded, no extra query) and draws them with the template partial
`dashboards/_pilot_charts.html` (see the partial for the variables it reads);
`pilot_charts(pilot_id)` builds the same with five queries (their CSVs, the benchmark).
"""

from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from pilot_tracker.dashboards import assets, routes  # noqa: E402,F401
from pilot_tracker.dashboards.build import pilot_charts  # noqa: E402

__all__ = ["bp", "pilot_charts"]
