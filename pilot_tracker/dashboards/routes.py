"""Dashboard pages and the CSV download of each chart's data.

Dashboards are for coordinators, admins and councils; vendors get 403 (they see only their
own pilots' pages, never portfolio figures). The pilot charts' CSVs follow the pilot page:
whoever may see the pilot may download them, anyone else gets 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, current_app, g, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from pilot_tracker.charts.base import Chart
from pilot_tracker.dashboards import bp, directory, queries
from pilot_tracker.dashboards.build import (
    DUE_DAYS,
    DUE_SECTION_ROWS,
    MUNICIPALITY_CHARTS,
    PORTFOLIO_CHARTS,
    MunicipalityData,
    PortfolioData,
    municipality_charts,
    pilot_charts,
    pilot_rows,
    portfolio_charts,
)
from pilot_tracker.dashboards.forms import filter_form
from pilot_tracker.permissions import ALL_ROLES, READERS, role_required, visible_pilot_or_404
from pilot_tracker.services import feedback
from pilot_tracker.services.due import due_items
from pilot_tracker.web.chart_csv import csv_response
from pilot_tracker.web.chart_texts import FlaskTexts, table_body, table_rows
from pilot_tracker.web.due_view import due_rows
from pilot_tracker.web.navigation import pilot_url


def _today() -> date:
    return date.today()


def _portfolio_data() -> tuple[Any, PortfolioData]:
    today = _today()
    form, filters = filter_form(request.args, queries.regions(), queries.year_span(today))
    t = FlaskTexts()
    return form, PortfolioData(filters, current_user, today, t.language)


@bp.get("/dashboard")
@role_required(*READERS)
def portfolio() -> str:
    """The portfolio dashboard, filtered by the URL's region/theme/track/stage/year."""
    form, data = _portfolio_data()
    t = FlaskTexts()
    due = due_items(current_user, data.today, limit=DUE_SECTION_ROWS)
    return render_template(
        "dashboards/portfolio.html",
        form=form,
        filters=data.filters,
        filter_args=queries.filter_args(data.filters),
        due=due,
        due_rows=due_rows(due, current_user),
        summary=data.summary(),
        charts=portfolio_charts(data, t),
        csv_url=lambda key: url_for(
            "dashboards.portfolio_csv", chart=key, **queries.filter_args(data.filters)
        ),
    )


@bp.get("/dashboard/data/<chart>.csv")
@role_required(*READERS)
def portfolio_csv(chart: str) -> Response:
    """One portfolio chart's data as CSV, with the same filters as the page; 404 if unknown."""
    build = PORTFOLIO_CHARTS.get(chart)
    if build is None:
        abort(404)
    _form, data = _portfolio_data()
    return csv_response(build(data, FlaskTexts()), f"portfolio-{chart}.csv")


@bp.get("/municipalities")
@role_required(*READERS)
def municipalities() -> str:
    """Every municipality by region, searchable by Finnish or Swedish name and by code
    (`?q=`), with its pilots, committed cost and committed cost per resident."""
    query = (request.args.get("q") or "").strip()[: directory.MAX_QUERY]
    t = FlaskTexts()
    regions = directory.directory(t.language, query)
    return render_template(
        "dashboards/municipalities.html",
        query=query,
        regions=regions,
        found=sum(len(r.entries) for r in regions),
        home=getattr(current_user, "home_code", None),
    )


def _municipality_or_404(code: str) -> MunicipalityData:
    place = queries.municipality(code) if len(code) == 3 and code.isdigit() else None
    if place is None:
        abort(404)
    return MunicipalityData(place, _today(), current_user)


@bp.get("/municipalities/<code>")
@role_required(*READERS)
def municipality(code: str) -> str:
    """A municipality's dashboard (a tied council user's home); 404 for an unknown code."""
    data = _municipality_or_404(code)
    t = FlaskTexts()
    items, total = data.pilots
    due = due_items(current_user, data.today, municipality=code, limit=DUE_SECTION_ROWS)
    return render_template(
        "dashboards/municipality.html",
        due=due,
        due_rows=due_rows(due, current_user),
        place=data.place,
        name=data.place.name(t.language),
        summary=data.summary(),
        charts=municipality_charts(data, t),
        pilots=pilot_rows(items, t),
        pilot_total=total,
        over_budget_ids=data.costs.over_budget_ids,
        due_days=DUE_DAYS,
        csv_url=lambda key: url_for("dashboards.municipality_csv", code=code, chart=key),
        satisfaction=feedback.for_municipality(code),
    )


@bp.get("/municipalities/<code>/brief.pdf")
@role_required(*READERS)
def municipality_brief_pdf(code: str) -> Response:
    """The municipality's page as a brief for a meeting: a tagged PDF (PDF/UA) with its
    figures, what is due, every chart as its table and its pilots; 404 for an unknown code."""
    from pilot_tracker.web.pdf import render_pdf

    data = _municipality_or_404(code)
    t = FlaskTexts()
    items, total = data.pilots
    due = due_items(current_user, data.today, municipality=code, limit=DUE_SECTION_ROWS)
    html = render_template(
        "dashboards/brief_pdf.html",
        due=due,
        due_rows=due_rows(due, current_user),
        place=data.place,
        name=data.place.name(t.language),
        summary=data.summary(),
        charts=municipality_charts(data, t),
        pilots=pilot_rows(items, t),
        pilot_total=total,
        brief_css=_brief_css(),
    )
    return render_pdf(html, f"kuntakatsaus-{code}-{data.today.isoformat()}.pdf")


def _brief_css() -> str:
    from pathlib import Path

    from markupsafe import Markup

    path = Path(__file__).resolve().parents[1] / "static" / "css" / "brief.css"
    return Markup(path.read_text(encoding="utf-8"))  # our own file, not user input


@bp.get("/municipalities/<code>/data/<chart>.csv")
@role_required(*READERS)
def municipality_csv(code: str, chart: str) -> Response:
    """One municipality chart's data as CSV; 404 for an unknown municipality or chart."""
    build = MUNICIPALITY_CHARTS.get(chart)
    if build is None:
        abort(404)
    data = _municipality_or_404(code)
    return csv_response(build(data, FlaskTexts()), f"municipality-{code}-{chart}.csv")


@bp.get("/dashboard/pilots/<int:pilot_id>/data/<chart>.csv")
@role_required(*ALL_ROLES)
def pilot_csv(pilot_id: int, chart: str) -> Response:
    """One pilot chart's data as CSV; 404 if the user may not see the pilot."""
    visible_pilot_or_404(pilot_id, current_user)
    found = pilot_charts(pilot_id).get(chart)
    if found is None:
        abort(404)
    return csv_response(found, f"pilot-{pilot_id}-{chart}.csv")


@bp.app_template_global()
def chart_link(chart: Chart, index: int) -> str | None:
    """The URL a table row links to (a municipality's dashboard, a pilot's page), if the user
    may follow it."""
    if not chart.links or index >= len(chart.links) or chart.links[index] is None:
        return None
    target = chart.links[index]
    views = current_app.view_functions
    if chart.link_kind == "municipality":
        if getattr(current_user, "role", None) in READERS:
            return url_for("dashboards.municipality", code=target)
        return None
    if chart.link_kind == "pilot" and "pilots.detail" in views:
        return pilot_url(int(str(target)))
    return None


@bp.app_template_global()
def chart_table_body(chart: Chart) -> Markup:
    """The chart's table rows, formatted in the page's language (for _chart.html)."""
    texts = g.get("_dashboard_texts")
    if texts is None:
        texts = g._dashboard_texts = FlaskTexts()
    return table_body(table_rows(chart, texts, chart_link))
