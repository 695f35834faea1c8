"""Dashboards: the portfolio (/dashboard), each municipality's (/municipalities/<code>), the
pilot page's charts, and CSV downloads of every chart's data.

The pilot page wires its charts with `pilot_charts_for(pilot)` (from the pilot it loaded, no
extra query) or `pilot_charts(pilot_id)` (five queries), and the template partial
`dashboards/_pilot_charts.html` (see the partial for the variables it reads).
"""

from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from pilot_tracker.dashboards import assets, routes  # noqa: E402,F401
from pilot_tracker.dashboards.build import pilot_charts, pilot_charts_for  # noqa: E402

__all__ = ["bp", "pilot_charts", "pilot_charts_for"]
