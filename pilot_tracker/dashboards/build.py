"""From query results to charts: each dashboard's charts by key, each query run at most once.

A CSV download builds only its own chart, so it runs only the queries that chart needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from pilot_tracker.charts import municipality, portfolio
from pilot_tracker.charts.base import Chart, Texts
from pilot_tracker.charts.pilot import PilotCharts, pilot_charts_from
from pilot_tracker.dashboards import queries
from pilot_tracker.domain.commitment import Commitment, commitment
from pilot_tracker.domain.enums import Gate, Outcome, Rag, Stage, Theme, Track
from pilot_tracker.models import Municipality
from pilot_tracker.services import cost_overview, due, money
from pilot_tracker.services.pilot_filters import PilotFilters, pilot_conditions

TIMELINE_LIMIT = 40
MUNICIPALITY_TOP = 15
MUNICIPALITY_PILOT_ROWS = 50
PILOT_COST_TOP = 10
DUE_DAYS = 90
DUE_REVIEW_ROWS = 100
DUE_SECTION_ROWS = 20


# --- portfolio ---------------------------------------------------------------------------


class PortfolioData:
    """The portfolio's query results for `user` (permissions.py scopes them), fetched when
    first needed."""

    def __init__(self, filters: PilotFilters, user: Any, today: date, language: str) -> None:
        self.filters = filters
        self.user = user
        self.today = today
        self.language = language

    @cached_property
    def groups(self) -> list[queries.PilotGroup]:
        return queries.pilot_groups(self.filters, self.user, self.today)

    @cached_property
    def realised(self) -> dict[Track, int]:
        return queries.realised_savings_by_track(self.filters, self.user)

    @cached_property
    def municipalities(self) -> list[portfolio.MunicipalityCost]:
        return queries.net_cost_by_municipality(self.filters, self.user, self.language)

    @cached_property
    def others_pilots(self) -> int:
        """The distinct pilots of the municipalities the cost chart sums as "others"."""
        # Asked even when every municipality is shown (the answer is 0 then): the page makes
        # the same queries whatever the portfolio's size.
        shown, _rest = portfolio.top_municipalities(self.municipalities, MUNICIPALITY_TOP)
        return queries.distinct_pilots_outside(self.filters, self.user, [m.code for m in shown])

    @cached_property
    def timeline(self) -> tuple[list[portfolio.TimelineItem], int]:
        stages = queries.timeline_stages(self.filters)
        total = sum(g.dated for g in self.groups if g.stage in stages)
        return queries.timeline(self.filters, self.user, TIMELINE_LIMIT), total

    @cached_property
    def decisions(self) -> dict[Any, int]:
        return queries.decisions_by_quarter(self.filters, self.user)

    @cached_property
    def attainment(self) -> dict[str, int]:
        return queries.portfolio_kpi_attainment(self.filters, self.user)

    @cached_property
    def money(self) -> money.PortfolioMoney:
        conditions = pilot_conditions(self.filters, self.user)
        return money.portfolio_money(lambda query: query.where(*conditions))

    @cached_property
    def budget_by_year(self) -> tuple[list[cost_overview.YearBudget], int]:
        conditions = pilot_conditions(self.filters, self.user)
        return cost_overview.budget_by_year(lambda query: query.where(*conditions))

    @cached_property
    def over_budget(self) -> tuple[list[cost_overview.OverBudget], int]:
        conditions = pilot_conditions(self.filters, self.user)
        return cost_overview.most_over_budget(lambda query: query.where(*conditions))

    def summary(self) -> dict[str, int]:
        """Headline figures for the cards above the charts: committed and proposed side by
        side, never added (services.money)."""
        groups = self.groups
        figures = self.money
        return {
            "pilots": sum(g.pilots for g in groups),
            "committed_cents": figures.committed_cents,
            "proposed_cents": figures.proposed_cents,
            "actual_cents": figures.actual_cents,
            "estimated_committed_cents": figures.estimated_savings.committed,
            "estimated_proposed_cents": figures.estimated_savings.proposed,
            "realised_savings_cents": sum(self.realised.values()),
            "stale": sum(g.stale for g in groups),
        }


def _stage_counts(groups: list[Any]) -> Counter[Stage]:
    counts: Counter[Stage] = Counter()
    for g in groups:
        counts[g.stage] += g.pilots
    return counts


def _theme_track_counts(groups: list[queries.PilotGroup]) -> Counter[tuple[Theme, Track]]:
    counts: Counter[tuple[Theme, Track]] = Counter()
    for g in groups:
        counts[(g.theme, g.track)] += g.pilots
    return counts


def _rag_counts(groups: list[queries.PilotGroup]) -> Counter[tuple[Rag | None, bool]]:
    counts: Counter[tuple[Rag | None, bool]] = Counter()
    for g in groups:
        counts[(g.rag, True)] += g.stale
        counts[(g.rag, False)] += g.pilots - g.stale
    return counts


def _savings(data: PortfolioData) -> dict[Track, portfolio.TrackSavings]:
    """Estimates by track, committed and proposed apart; stopped pilots estimate nothing."""
    estimated: Counter[tuple[Commitment, Track]] = Counter()
    for g in data.groups:
        estimated[(commitment(g.stage), g.track)] += g.estimated_savings_cents
    return {
        track: portfolio.TrackSavings(
            estimated[(Commitment.COMMITTED, track)],
            data.realised.get(track, 0),
            estimated[(Commitment.PROPOSED, track)],
        )
        for track in Track
    }


def year_amounts(rows: list[money.YearMoney]) -> list[municipality.YearAmounts]:
    """The money service's years as chart input."""
    return [
        municipality.YearAmounts(
            r.year, r.planned_committed_cents, r.planned_proposed_cents, r.actual_cents
        )
        for r in rows
    ]


PORTFOLIO_CHARTS: dict[str, Callable[[PortfolioData, Texts], Chart]] = {
    "stages": lambda d, t: portfolio.stage_chart(_stage_counts(d.groups), t),
    "themes": lambda d, t: portfolio.theme_track_chart(_theme_track_counts(d.groups), t),
    "municipality-costs": lambda d, t: portfolio.municipality_cost_chart(
        d.municipalities, t, top=MUNICIPALITY_TOP, others_pilots=d.others_pilots
    ),
    "savings": lambda d, t: portfolio.savings_chart(_savings(d), t),
    "by-year": lambda d, t: municipality.money_by_year_chart(
        year_amounts(d.money.by_year),
        (d.money.unscheduled.committed, d.money.unscheduled.proposed),
        t,
    ),
    "budget-actual": lambda d, t: portfolio.budget_actual_by_year_chart(
        d.budget_by_year[0], d.budget_by_year[1], t
    ),
    "over-budget": lambda d, t: portfolio.portfolio_over_budget_chart(
        d.over_budget[0], d.over_budget[1], t
    ),
    "status": lambda d, t: portfolio.rag_chart(_rag_counts(d.groups), t),
    "timeline": lambda d, t: portfolio.timeline_chart(
        d.timeline[0], d.timeline[1], t, stages=queries.timeline_stages(d.filters), today=d.today
    ),
    "decisions": lambda d, t: portfolio.decisions_chart(d.decisions, t),
    "kpi-attainment": lambda d, t: portfolio.kpi_attainment_chart(d.attainment, t),
}


def portfolio_charts(data: PortfolioData, t: Texts) -> list[Chart]:
    """Every chart of the portfolio dashboard, in page order."""
    return [build(data, t) for build in PORTFOLIO_CHARTS.values()]


# --- municipality ------------------------------------------------------------------------


class MunicipalityData:
    """One municipality's query results, fetched when first needed; `user` scopes what is
    due (permissions.py)."""

    def __init__(self, place: Municipality, today: date, user: Any = None) -> None:
        self.place = place
        self.code = place.code
        self.today = today
        self.user = user

    @cached_property
    def money(self) -> money.MunicipalityMoney:
        return money.municipality_money(self.code, self.place.population)

    @cached_property
    def costs(self) -> cost_overview.MunicipalityCosts:
        return cost_overview.municipality_costs(self.code, self.today)

    @cached_property
    def pilots(self) -> tuple[list[queries.MunicipalityPilot], int]:
        return queries.municipality_pilots(self.code, MUNICIPALITY_PILOT_ROWS, self.today)

    @cached_property
    def due(self) -> list[municipality.DueDecision]:
        """Its reviews, overdue and due (services.due: the same rule as everywhere)."""
        found = due.due_items(
            self.user,
            self.today,
            municipality=self.code,
            kinds=[due.DueKind.REVIEW],
            limit=DUE_REVIEW_ROWS,
        )
        return [
            municipality.DueDecision(
                pilot_id=i.pilot_id,
                pilot_name=i.pilot_name,
                next_review=i.due_on,
                gate=Gate(i.ref_text),
                outcome=Outcome(i.ref_code),
                decided_on=i.ref_date or i.due_on,
                language=i.pilot_language,
                overdue=i.overdue,
            )
            for i in found.items
        ]

    @cached_property
    def attainment(self) -> dict[str, int]:
        return queries.municipality_kpi_attainment(self.code)

    def by_track(self) -> dict[Track, municipality.MunicipalityTrack]:
        return {
            track: municipality.MunicipalityTrack(
                cost_cents=m.committed_cents,
                estimated_share_cents=m.estimated_committed_cents,
                realised_share_cents=m.realised_cents,
                proposed_cents=m.proposed_cents,
                estimated_proposed_share_cents=m.estimated_proposed_cents,
            )
            for track, m in self.money.by_track.items()
        }

    def summary(self) -> dict[str, Any]:
        """Headline figures for the cards: committed and proposed side by side (never added),
        actual, per resident on the committed amount, savings shares (services.money)."""
        figures = self.money
        return {
            "pilots": figures.pilot_count,
            "committed_cents": figures.committed_cents,
            "proposed_cents": figures.proposed_cents,
            "actual_cents": figures.actual_cents,
            "forecast_cents": figures.forecast_cents,
            "per_resident_cents": figures.committed_per_resident_cents,
            "estimated_share_cents": figures.estimated_savings.committed,
            "estimated_proposed_share_cents": figures.estimated_savings.proposed,
            "realised_share_cents": figures.realised_savings_cents,
        }


MUNICIPALITY_CHARTS: dict[str, Callable[[MunicipalityData, Texts], Chart]] = {
    "stages": lambda d, t: portfolio.stage_chart(
        Counter(d.money.by_stage), t, title=t.gettext("Its pilots by stage")
    ),
    "pilot-costs": lambda d, t: municipality.pilot_cost_chart(
        queries.pilot_costs(d.pilots[0]),
        d.money.all_shares_cents,
        d.pilots[1],
        t,
        top=PILOT_COST_TOP,
    ),
    "savings": lambda d, t: municipality.municipality_savings_chart(
        d.by_track(), d.place.population, t
    ),
    "by-year": lambda d, t: municipality.money_by_year_chart(
        year_amounts(d.money.by_year),
        (d.money.unscheduled.committed, d.money.unscheduled.proposed),
        t,
        title=t.gettext("Its planned and actual costs by year"),
    ),
    "actual-forecast": lambda d, t: municipality.actual_forecast_by_year_chart(
        d.costs.by_year, d.costs.actual_cents, d.costs.forecast_cents, t
    ),
    "over-budget": lambda d, t: municipality.municipality_over_budget_chart(
        d.costs.over_budget, t, top=MUNICIPALITY_TOP
    ),
    "decisions-due": lambda d, t: municipality.decisions_due_table(d.due, DUE_DAYS, t),
    "kpi-attainment": lambda d, t: portfolio.kpi_attainment_chart(
        d.attainment, t, title=t.gettext("KPI attainment of its pilots")
    ),
}


def municipality_charts(data: MunicipalityData, t: Texts) -> list[Chart]:
    """Every chart of the municipality dashboard, in page order."""
    return [build(data, t) for build in MUNICIPALITY_CHARTS.values()]


@dataclass(frozen=True)
class PilotRow:
    """A row of the municipality's pilot table, formatted for the page."""

    pilot_id: int
    name: str
    stage: str
    track: str
    rag: str  # the RAG value for the badge's class, "" without a status
    rag_label: str
    last_status_on: str
    stale: bool
    share: str
    language: str = "fi"  # of the name, for its lang attribute


def pilot_rows(items: list[queries.MunicipalityPilot], t: Any) -> list[PilotRow]:
    """The pilot table's rows, each label translated once per page rather than per row."""
    labels: dict[Any, str] = {}

    def label(value: Any) -> str:
        if value not in labels:
            labels[value] = t.label(value)
        return labels[value]

    return [
        PilotRow(
            pilot_id=item.pilot_id,
            name=item.name,
            stage=label(item.stage),
            track=label(item.track),
            rag=item.rag.value if item.rag else "",
            rag_label=label(item.rag) if item.rag else "",
            last_status_on=t.day(item.last_status_on) if item.last_status_on else "",
            stale=item.stale,
            share=t.money(item.share_cents),
            language=item.language,
        )
        for item in items
    ]


# --- pilot -------------------------------------------------------------------------------


def pilot_charts(pilot_id: int) -> PilotCharts:
    """The pilot page's charts in the current request's language (five queries), for their
    CSV downloads; the pilot page itself builds them from the pilot it has loaded
    (charts.pilot.pilot_charts_for).

    The caller checks access first (permissions.visible_pilot_or_404); LookupError if the
    pilot does not exist.
    """
    from pilot_tracker.web.chart_texts import FlaskTexts

    t = FlaskTexts()
    return pilot_charts_from(queries.pilot_dashboard_data(pilot_id), t, t.language)
