"""Decision support on the pilot pages: similar pilots and the scale-up projection.

The pilot page shows both sections (`similar_section`, `projection_section`, a fixed number
of queries: one for the similar pilots, one for the projection's municipality register).
The new-pilot form asks `/pilots/similar` for the similar pilots while a name and summary are
typed (static/js/similar.js), and lists them after any of its own submits without JavaScript.
`/pilots/<id>/projection.csv` is the projection chart's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.form import Form
from wtforms.validators import Length, Optional

from pilot_tracker.charts.base import Chart
from pilot_tracker.charts.projection import Scenario, projection_chart
from pilot_tracker.domain.enums import Outcome, Stage, Theme, Track
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.domain.projection import ProjectionError
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import label
from pilot_tracker.models import Pilot
from pilot_tracker.permissions import (
    ALL_ROLES,
    EDITORS,
    can_read_portfolio,
    role_required,
    visible_pilot_or_404,
)
from pilot_tracker.pilots import bp
from pilot_tracker.services.similar import (
    ScaleUp,
    SimilarPilot,
    find_similar,
    municipality_register,
    scale_up_for,
    similar_to_pilot,
    unknown_codes,
)
from pilot_tracker.web.chart_csv import csv_response
from pilot_tracker.web.chart_texts import FlaskTexts

MAX_CODES = 308
MAX_QUERY_TEXT = 2000
_CODE_SPLIT = re.compile(r"[\s,;]+")


# --- similar pilots ----------------------------------------------------------------------


@dataclass
class SimilarRow:
    """A similar pilot as the pages show it, labels translated."""

    id: int
    name: str
    match_percent: int
    stage: str
    theme: str
    outcomes: list[str]
    vendor: str | None
    kpis: list[tuple[str, Decimal | None]]
    language: str = "fi"
    # What the pilot taught, newest first, and how each municipality decided on it.
    lessons: list[str] = field(default_factory=list)
    municipal: list[str] = field(default_factory=list)


def similar_rows(items: list[SimilarPilot]) -> list[SimilarRow]:
    """Rows for the templates: the score as a percentage, enum values as labels."""
    return [
        SimilarRow(
            id=item.id,
            name=item.name,
            match_percent=int(round_half_up(Decimal(str(item.score)) * 100, 0)),
            stage=str(label(Stage(item.stage))),
            theme=str(label(Theme(item.theme))),
            outcomes=[str(label(Outcome(o))) for o in item.outcomes],
            vendor=item.vendor_name,
            kpis=item.kpi_progress,
            language=item.language,
        )
        for item in items
    ]


def similar_section(pilot: Pilot) -> list[SimilarRow]:
    """The pilots most like `pilot` that the current user may see (one query); `pilot`
    was loaded with its participations and their municipalities. What each taught and how
    its municipalities decided are filled in by pilots.joint.joint_section."""
    return similar_rows(similar_to_pilot(current_user, pilot))


def similar_for_text(
    name: str, summary: str, theme: str = "", exclude: Any = None
) -> list[SimilarRow] | None:
    """Similar pilots for what was typed into the pilot form; None when too little was typed
    for a search (the form then shows nothing rather than "no similar pilots")."""
    name, summary = name.strip()[:200], summary.strip()[:MAX_QUERY_TEXT]
    text = f"{name} {summary}".strip()
    if len(text) < 4:
        return None
    exclude_id = int(exclude) if str(exclude or "").isdigit() else None
    found = find_similar(current_user, text=text, name=name, theme=theme, exclude_id=exclude_id)
    return similar_rows(found)


@bp.get("/pilots/similar")
@role_required(*EDITORS)
def similar() -> str:
    """Similar pilots for the pilot form, as an HTML fragment (static/js/similar.js puts it
    into the form's live region); ?name=&summary=&theme=&exclude=<pilot id>."""
    args = request.args
    items = similar_for_text(
        args.get("name", ""), args.get("summary", ""), args.get("theme", ""), args.get("exclude")
    )
    return render_template("pilots/_similar_list.html", similar=items, fragment=True)


# --- the scale-up projection -------------------------------------------------------------


class ProjectionForm(Form):
    """The projection's scope, in the URL (GET, no CSRF): region, national or listed codes."""

    scope = RadioField(
        _l("Project onto"),
        choices=[
            SelectChoice("region", _l("the other municipalities of the participants' regions")),
            SelectChoice("national", _l("every other municipality in Finland")),
            SelectChoice("codes", _l("the municipalities I list")),
        ],
        default="region",
        validators=[Optional()],
    )
    codes = StringField(
        _l("Municipality codes"),
        validators=[Optional(), Length(max=4 * MAX_CODES)],
    )


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """Codes typed as "091, 49 837" → (["091", "049", "837"], errors); 1–3 digits each."""
    codes: list[str] = []
    errors: list[str] = []
    bad = []
    for part in _CODE_SPLIT.split(text.strip()):
        if not part:
            continue
        if part.isdigit() and len(part) <= 3:
            code = part.zfill(3)
            if code not in codes:
                codes.append(code)
        else:
            bad.append(part)
    if bad:
        errors.append(
            _(
                "These are not municipality codes: %(items)s. Write codes such as 091, 049.",
                items=", ".join(bad[:10]),
            )
        )
    if len(codes) > MAX_CODES:
        errors.append(_("There are only 308 municipalities."))
    return codes, errors


@dataclass
class Formula:
    """The projection's arithmetic written out for one scope, with the pilot's numbers."""

    basis: str
    annual_savings_cents: int
    net_cost_cents: int
    participant_population: int
    savings_per_resident: Decimal  # euros, rounded for display only
    cost_per_resident: Decimal
    target_municipalities: int
    target_population: int
    projected_savings_cents: int
    projected_cost_cents: int
    scope_label: str


@dataclass
class ProjectionView:
    """Everything the projection section shows."""

    form: ProjectionForm
    chart: Chart | None
    formula: Formula | None
    basis: str
    track_label: str
    potential_eur: tuple[int, int]
    csv_args: dict[str, str]
    problem: str = ""


def _display(value: Fraction) -> Decimal:
    return round_half_up(value, 4)


def _formula(result: ScaleUp, scope_label: str) -> Formula:
    p = result.projection
    return Formula(
        basis=p.basis,
        annual_savings_cents=result.annual_savings_cents,
        net_cost_cents=result.net_cost_cents,
        participant_population=result.participant_population,
        savings_per_resident=_display(p.savings_per_resident),
        cost_per_resident=_display(p.net_cost_per_resident),
        target_municipalities=p.municipalities,
        target_population=p.population,
        projected_savings_cents=p.projected_annual_savings_cents,
        projected_cost_cents=p.projected_net_cost_cents,
        scope_label=scope_label,
    )


def _scenario(key: str, text: str, result: ScaleUp) -> Scenario:
    p = result.projection
    return Scenario(
        key,
        text,
        p.municipalities,
        p.population,
        p.projected_annual_savings_cents,
        p.projected_net_cost_cents,
    )


def projection_form(args: MultiDict[str, str]) -> tuple[ProjectionForm, str, list[str] | None]:
    """The form from the URL: (form, scope, codes or None); errors are on the form's fields.

    Listed codes win over the scope buttons (typing codes is choosing them)."""
    form = ProjectionForm(args)
    scope = form.scope.data if form.scope.data in ("region", "national", "codes") else "region"
    if args.get("scope") not in (None, "", "region", "national", "codes"):
        form.scope.errors = [_("Choose the region, the whole country or listed municipalities.")]
    text = (form.codes.data or "").strip()
    codes = None
    if text:
        parsed, errors = parse_codes(text)
        if errors:
            form.codes.errors = errors
        else:
            codes, scope = parsed, "codes"
    elif scope == "codes":
        form.codes.errors = [_("List at least one municipality code, e.g. 091, 049.")]
    if codes is None and scope == "codes":
        scope = "region"
    form.scope.data = "codes" if codes is not None else scope
    return form, scope, codes


def projection_section(pilot: Pilot, args: MultiDict[str, str]) -> ProjectionView:
    """The projection onto the region, the country and the listed municipalities, with the
    formula for the chosen one; one query (the register). `pilot` was loaded with its
    participations and KPIs."""
    t = FlaskTexts()
    form, scope, codes = projection_form(args)
    register = municipality_register()
    if codes is not None:
        unknown = unknown_codes(codes, register)
        if unknown:
            form.codes.errors = [
                _("Unknown municipality code(s): %(codes)s.", codes=", ".join(unknown))
            ]
            codes, scope = None, "region"
            form.scope.data = "region"
    track = Track(pilot.track)
    view = ProjectionView(
        form=form,
        chart=None,
        formula=None,
        basis="estimated",
        track_label=str(label(track)),
        potential_eur=(0, 0),
        csv_args={"codes": ",".join(codes)} if codes else {"scope": scope},
    )
    try:
        region = scale_up_for(pilot, "region", register=register)
        national = scale_up_for(pilot, "national", register=register)
        chosen = scale_up_for(pilot, "codes", codes, register) if codes is not None else None
    except ProjectionError:
        view.problem = _(
            "The projection cannot be made: the participants have no residents in the register."
        )
        return view
    region_text = _("Other municipalities of %(regions)s", regions=", ".join(region.region_names))
    scenarios = [
        Scenario(
            "participants",
            _("The participants now"),
            len(region.participant_codes),
            region.participant_population,
            region.annual_savings_cents,
            region.net_cost_cents,
        ),
        _scenario("region", region_text, region),
        _scenario("national", _("The rest of Finland"), national),
    ]
    selection_text = ""
    if chosen is not None:
        selection_text = _("The municipalities you listed")
        scenarios.append(_scenario("codes", selection_text, chosen))
    view.basis = region.projection.basis
    view.potential_eur = region.national_range_eur
    view.chart = projection_chart(scenarios, view.basis, view.potential_eur, view.track_label, t)
    picked = {"region": (region, region_text), "national": (national, _("The rest of Finland"))}
    if chosen is not None:
        picked["codes"] = (chosen, selection_text)
    result, text = picked.get(scope, picked["region"])
    view.formula = _formula(result, text)
    return view


@bp.get("/pilots/<int:pilot_id>/projection.csv")
@role_required(*ALL_ROLES)
def projection_csv(pilot_id: int) -> Response:
    """The projection chart's data as CSV (?scope= or ?codes= as on the page); 404 for a
    pilot the user may not see, then 403 for vendors (no portfolio figures)."""
    from sqlalchemy.orm import selectinload

    pilot = visible_pilot_or_404(
        pilot_id, current_user, [selectinload(Pilot.participations), selectinload(Pilot.kpis)]
    )
    if not can_read_portfolio(current_user):
        abort(403)
    view = projection_section(pilot, request.args)
    if view.chart is None:
        abort(404)
    return csv_response(view.chart, f"pilot-{pilot_id}-projection.csv")
