"""The dashboards' data: SQL aggregates (GROUP BY, SUM), a fixed number of queries per page.

Nothing here loads every pilot into Python. Realised savings read `Kpi.latest_value`, which
the reporting service keeps equal to the newest measurement, so no query scans the
measurements table except the one pilot's series on its own page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pilot_tracker.charts.municipality import PilotCost
from pilot_tracker.charts.pilot import chart_input
from pilot_tracker.charts.portfolio import ACTIVE_STAGES, MunicipalityCost, TimelineItem
from pilot_tracker.domain.commitment import Commitment
from pilot_tracker.domain.cost_split import net_cost_cents
from pilot_tracker.domain.enums import Outcome, Rag, Stage, Theme, Track
from pilot_tracker.domain.kpi import ATTAINMENT_BUCKETS
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    Decision,
    Kpi,
    KpiAttainment,
    Measurement,
    MoneyYear,
    Municipality,
    Participation,
    Pilot,
    StatusUpdate,
)
from pilot_tracker.services import aggregates
from pilot_tracker.services.pilot_filters import PilotFilters, pilot_conditions, region_codes
from pilot_tracker.services.reporting import stale_clause


def filter_args(filters: PilotFilters) -> dict[str, str]:
    """The portfolio's filters (region, theme, track, stage, year) as URL query arguments,
    only those that are set."""
    values = {
        "region": filters.region,
        "theme": filters.theme.value if filters.theme else None,
        "track": filters.track.value if filters.track else None,
        "stage": filters.stage.value if filters.stage else None,
        "year": str(filters.year) if filters.year else None,
    }
    return {key: value for key, value in values.items() if value}


# --- filter choices ----------------------------------------------------------------------


@dataclass(frozen=True)
class Regions:
    """The regions of the register: (code, name) choices by name, and each one's members."""

    choices: list[tuple[str, str]]
    members: dict[str, tuple[str, ...]]


def regions() -> Regions:
    """Every region with its municipalities (one query over the 308 of the register)."""
    rows = db.session.execute(
        sa.select(Municipality.region_code, Municipality.region_name, Municipality.code).order_by(
            Municipality.region_name, Municipality.region_code, Municipality.code
        )
    ).all()
    names: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for region_code, region_name, code in rows:
        names.setdefault(region_code, region_name)
        members.setdefault(region_code, []).append(code)
    return Regions(
        choices=list(names.items()),
        members={region: tuple(codes) for region, codes in members.items()},
    )


def year_span(today: date) -> tuple[int, int]:
    """The first and last year any pilot's planned period touches (this year if none)."""
    # Two subqueries: each reads one end of its index (one aggregate of both would scan).
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.min(Pilot.start_date)).scalar_subquery(),
            sa.select(sa.func.max(Pilot.end_date)).scalar_subquery(),
        )
    ).one()
    first = row[0].year if row[0] else today.year
    last = row[1].year if row[1] else today.year
    return min(first, today.year), max(last, today.year)


# --- portfolio ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PilotGroup:
    """Pilots sharing a stage, theme, track and RAG: how many, how many stale, their money."""

    stage: Stage
    theme: Theme
    track: Track
    rag: Rag | None
    pilots: int
    stale: int
    budget_cents: int
    funding_cents: int
    net_cost_cents: int
    estimated_savings_cents: int
    dated: int  # how many have both a planned start and end (the timeline's pilots)


def pilot_groups(filters: PilotFilters, user: Any, today: date) -> list[PilotGroup]:
    """One GROUP BY over pilots feeds the stage, theme/track, RAG/stale charts and totals."""
    # Stale as the pilot pages say it (reporting.stale_clause): one definition.
    stale = sa.case((stale_clause(today), 1), else_=0)
    dated = sa.case(
        (sa.and_(Pilot.start_date.is_not(None), Pilot.end_date.is_not(None)), 1), else_=0
    )
    query = (
        sa.select(
            Pilot.stage,
            Pilot.theme,
            Pilot.track,
            Pilot.last_rag,
            sa.func.count(),
            sa.func.sum(stale),
            sa.func.sum(Pilot.budget_cents),
            sa.func.sum(Pilot.external_funding_cents),
            sa.func.sum(Pilot.net_cost_cents),
            sa.func.sum(Pilot.estimated_annual_savings_cents),
            sa.func.sum(dated),
        )
        .where(*pilot_conditions(filters, user, today))
        .group_by(Pilot.stage, Pilot.theme, Pilot.track, Pilot.last_rag)
    )
    return [
        PilotGroup(
            stage=row[0],
            theme=row[1],
            track=row[2],
            rag=row[3],
            pilots=int(row[4]),
            stale=int(row[5] or 0),
            budget_cents=int(row[6] or 0),
            funding_cents=int(row[7] or 0),
            net_cost_cents=int(row[8] or 0),
            estimated_savings_cents=int(row[9] or 0),
            dated=int(row[10] or 0),
        )
        for row in db.session.execute(query)
    ]


def round_cents(value: Decimal | float | int | None) -> int:
    """A fractional number of cents from SQL, rounded half-up to a whole cent."""
    if value is None:
        return 0
    # str() first: a float from SQLite becomes the decimal it prints as, not its binary value.
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def euros_to_cents(value: Decimal | float | int | None) -> int:
    """A euro amount (e.g. a KPI value in €/year) as cents, rounded half-up."""
    if value is None:
        return 0
    return round_cents(Decimal(str(value)) * 100)


def realised_savings_by_track(filters: PilotFilters, user: Any) -> dict[Track, int]:
    """Cents per track: the sum of the latest value of every savings KPI (€/year); of every
    pilot from the maintained portfolio totals (exact: in 1/10 000 euros, as stored)."""
    conditions = pilot_conditions(filters, user)
    if not conditions:
        found = aggregates.totals(db.session(), aggregates.TRACK_SAVINGS)
        scale = Decimal(aggregates.SAVINGS_SCALE)
        return {Track(track): euros_to_cents(Decimal(v) / scale) for track, v in found.items()}
    query = (
        sa.select(Pilot.track, sa.func.sum(Kpi.latest_value))
        .join(Kpi, Kpi.pilot_id == Pilot.id)
        .where(Kpi.is_savings.is_(True), Kpi.latest_value.is_not(None))
        .where(*conditions)
        .group_by(Pilot.track)
    )
    return {row[0]: euros_to_cents(row[1]) for row in db.session.execute(query)}


def kpi_attainment(pilot_condition: sa.ColumnElement[bool] | None) -> dict[str, int]:
    """KPI counts per attainment bucket (domain.kpi.attainment_bucket of the progress the
    pilot page shows), summed from the maintained `kpi_attainment` rows (of every pilot:
    the maintained portfolio totals)."""
    counts = dict.fromkeys(ATTAINMENT_BUCKETS, 0)
    if pilot_condition is None:
        counts.update(aggregates.totals(db.session(), aggregates.ATTAINMENT))
        return counts
    aggregates.sync(db.session())
    query = sa.select(KpiAttainment.bucket, sa.func.sum(KpiAttainment.kpis)).group_by(
        KpiAttainment.bucket
    )
    query = query.join(Pilot, Pilot.id == KpiAttainment.pilot_id).where(pilot_condition)
    for bucket, kpis in db.session.execute(query):
        counts[bucket] = int(kpis or 0)
    return counts


def portfolio_kpi_attainment(filters: PilotFilters, user: Any) -> dict[str, int]:
    """KPI attainment of the filtered pilots."""
    conditions = pilot_conditions(filters, user)
    return kpi_attainment(sa.and_(*conditions) if conditions else None)


def net_cost_by_municipality(
    filters: PilotFilters, user: Any, locale: str
) -> list[MunicipalityCost]:
    """Every municipality in a filtered pilot: its summed cost shares of committed and of
    proposed pilots (services.money's rule) and its pilot count (stopped pilots too).

    With a region filter only the region's municipalities are listed. One query: the shares
    summed from the maintained `money_by_year` rows by municipality and commitment (a
    covering index; stopped pilots have none), the pilots counted from the participations,
    both through the pilots only when filtered, then joined to the 308 names.
    """
    codes = region_codes(filters) if filters.region else None
    return _costs_by_municipality(pilot_conditions(filters, user), codes, locale)


def every_municipality_cost(locale: str) -> list[MunicipalityCost]:
    """net_cost_by_municipality over every pilot (the directory: a page for the readers,
    who see every pilot)."""
    return _costs_by_municipality([], None, locale)


def _costs_by_municipality(
    conditions: list[Any], codes: Any, locale: str
) -> list[MunicipalityCost]:
    if not conditions and codes is None:
        return _costs_from_totals(locale)
    aggregates.sync(db.session())
    shares = (
        sa.select(
            MoneyYear.municipality_code.label("code"),
            MoneyYear.commitment.label("kind"),
            sa.func.sum(MoneyYear.cents).label("amount"),
        )
        .where(MoneyYear.municipality_code.is_not(None))
        .group_by(MoneyYear.municipality_code, MoneyYear.commitment)
    )
    counts = sa.select(
        Participation.municipality_code.label("code"),
        sa.literal("pilots").label("kind"),
        sa.func.count().label("amount"),
    ).group_by(Participation.municipality_code)
    if conditions:
        shares = shares.join(Pilot, Pilot.id == MoneyYear.pilot_id).where(*conditions)
        counts = counts.where(_participation_in(conditions, by_region=codes is not None))
    if codes is not None:
        shares = shares.where(MoneyYear.municipality_code.in_(codes))
        counts = counts.where(Participation.municipality_code.in_(codes))
    totals = sa.union_all(shares, counts).subquery()
    name = Municipality.name_sv if locale == "sv" else Municipality.name_fi
    query = (
        sa.select(Municipality.code, name, totals.c.kind, totals.c.amount)
        .join(totals, totals.c.code == Municipality.code)
        .order_by(Municipality.code)
    )
    figures: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for code, name_, kind, amount in db.session.execute(query):
        names[code] = name_
        figures.setdefault(code, {})[kind] = int(amount or 0)
    return _municipality_costs(figures, names)


def _costs_from_totals(locale: str) -> list[MunicipalityCost]:
    """Every pilot's figures by municipality from the maintained portfolio totals (a few
    hundred rows, whatever the portfolio's size), with the names of the municipalities."""
    session = db.session()
    figures: dict[str, dict[str, int]] = {}
    for key, cents in aggregates.totals(session, aggregates.MUNICIPALITY_CENTS).items():
        code, kind = key.split("|")
        figures.setdefault(code, {})[kind] = cents
    for code, pilots in aggregates.totals(session, aggregates.MUNICIPALITY_PILOTS).items():
        figures.setdefault(code, {})["pilots"] = pilots
    both = aggregates.municipality_names(session)
    names = {code: both[code][1 if locale == "sv" else 0] for code in figures if code in both}
    return _municipality_costs({code: figures[code] for code in sorted(names)}, names)


def _municipality_costs(
    figures: dict[str, dict[str, int]], names: dict[str, str]
) -> list[MunicipalityCost]:
    # Actual costs: services.actuals (zero until cost entries exist).
    return [
        MunicipalityCost(
            code=code,
            name=names[code],
            committed_cents=figures[code].get(Commitment.COMMITTED.value, 0),
            pilots=figures[code].get("pilots", 0),
            proposed_cents=figures[code].get(Commitment.PROPOSED.value, 0),
        )
        for code in figures
        if "pilots" in figures[code]
    ]


def distinct_pilots_outside(filters: PilotFilters, user: Any, codes: Sequence[str]) -> int:
    """How many filtered pilots have a participant (of the region, with a region filter)
    other than the municipalities `codes`: the pilots of the cost chart's "others" row, each
    once however many of those municipalities take part in it. Read from the participations'
    covering index; through the pilots only when filtered."""
    conditions = pilot_conditions(filters, user)
    if not conditions and not filters.region:
        return _pilots_outside_everywhere(codes)
    query = sa.select(sa.func.count(sa.distinct(Participation.pilot_id))).where(
        Participation.municipality_code.not_in(list(codes))
    )
    if conditions:
        query = query.where(_participation_in(conditions, by_region=bool(filters.region)))
    if filters.region:
        query = query.where(Participation.municipality_code.in_(region_codes(filters)))
    return int(db.session.execute(query).scalar_one())


# The participations of the pilot being counted, apart from the row that found it.
_OTHER_PART = aliased(Participation, name="other_part")


def _pilots_outside_everywhere(codes: Sequence[str]) -> int:
    """`distinct_pilots_outside` unfiltered, as the pilots that have participants less those
    whose every participant is one of `codes`: the first is a walk of the participations'
    primary key (ordered by pilot), the second reads only the participations of `codes` and
    probes each of their pilots' own. Counting the distinct pilots of every participation
    outside `codes` read nearly all of them (296 ms at 100 000 pilots)."""
    listed = list(codes)
    with_participants = sa.select(sa.func.count(sa.distinct(Participation.pilot_id)))
    other = _OTHER_PART
    only_listed = sa.select(sa.func.count(sa.distinct(Participation.pilot_id))).where(
        Participation.municipality_code.in_(listed),
        ~sa.exists().where(
            other.pilot_id == Participation.pilot_id, other.municipality_code.not_in(listed)
        ),
    )
    return int(
        db.session.execute(
            sa.select(with_participants.scalar_subquery() - only_listed.scalar_subquery())
        ).scalar_one()
    )


def _participation_in(conditions: list[Any], *, by_region: bool) -> Any:
    """The participation's pilot is one of the filtered pilots. With a region the region's
    participations are walked from their index and each pilot is looked up in the filtered
    set (`+ 0` keeps SQLite from probing the index once per municipality and pilot: 15 -> 2
    ms at 10 000 pilots); without one, the filtered pilots' participations are joined."""
    filtered = sa.select(Pilot.id).where(*conditions)
    if by_region:
        return (Participation.pilot_id + 0).in_(filtered)
    return Participation.pilot_id.in_(filtered)


def timeline_stages(filters: PilotFilters) -> tuple[Stage, ...]:
    """The stages the timeline shows: the chosen one, or the active ones."""
    return (filters.stage,) if filters.stage else ACTIVE_STAGES


def timeline(filters: PilotFilters, user: Any, limit: int) -> list[TimelineItem]:
    """Up to `limit` dated pilots of the timeline's stages, ending soonest first (the
    database stops after `limit` rows; PilotGroup.dated counts them all), each with the days
    of its decisions and the next review its newest decision (by date, then id, as
    services.due_items reads it) names: two queries.

    Unfiltered, each stage is walked on ix_pilots_stage_end_date and the walks merged: one
    walk on end_date alone passed every scaled and stopped pilot that ended earlier (linear
    in the portfolio). Filtered, the filter's own conditions pass over most pilots of every
    stage anyway, and one walk on end_date reads fewer rows than three."""
    conditions = pilot_conditions(filters, user)
    columns = (Pilot.id, Pilot.name, Pilot.stage, Pilot.start_date, Pilot.end_date, Pilot.language)

    def ending_soonest(*where: Any) -> Any:
        return (
            sa.select(*columns)
            .where(*conditions, *where)
            .where(Pilot.start_date.is_not(None), Pilot.end_date.is_not(None))
            .order_by(Pilot.end_date, Pilot.id)
            .limit(limit)
        )

    stages = timeline_stages(filters)
    if conditions or len(stages) == 1:
        query = ending_soonest(Pilot.stage.in_(stages))
    else:
        parts = [ending_soonest(Pilot.stage == stage).subquery() for stage in stages]
        union = sa.union_all(*(sa.select(part) for part in parts)).subquery("timeline")
        query = sa.select(union).order_by(union.c.end_date, union.c.id).limit(limit)
    rows = db.session.execute(query).all()
    decided: dict[int, list[date]] = {r[0]: [] for r in rows}
    reviews: dict[int, date | None] = {}
    decisions = db.session.execute(  # also without pilots: as many queries whatever the data
        sa.select(Decision.pilot_id, Decision.decided_on, Decision.next_review)
        .where(Decision.pilot_id.in_(list(decided)))
        .order_by(Decision.pilot_id, Decision.decided_on, Decision.id)
    )
    for pilot_id, decided_on, next_review in decisions:
        decided[pilot_id].append(decided_on)
        reviews[pilot_id] = next_review  # the newest is the last
    return [
        TimelineItem(
            pilot_id=r[0],
            name=r[1],
            stage=r[2],
            start=r[3],
            end=r[4],
            language=r[5],
            decisions=tuple(decided[r[0]]),
            next_review=reviews.get(r[0]),
        )
        for r in rows
    ]


def _year_month(column: Any) -> sa.ColumnElement[str]:
    """'YYYY-MM' of a date column: a substring of SQLite's ISO text (several times cheaper
    than strftime), to_char on PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.substr(column, 1, 7)
    return sa.func.to_char(column, sa.literal_column("'YYYY-MM'"))


def decisions_by_quarter(filters: PilotFilters, user: Any) -> dict[tuple[int, int, Outcome], int]:
    """Decision counts per (year, quarter, outcome); with a year filter, that year's only.
    Unfiltered, from the maintained portfolio totals by month."""
    conditions = pilot_conditions(filters, user)
    if not conditions:
        months = aggregates.totals(db.session(), aggregates.DECIDED)
        rows: Any = [(*key.split("|"), n) for key, n in months.items()]
        if filters.year:
            rows = [row for row in rows if row[0].startswith(f"{filters.year:04d}-")]
        return _by_quarter(rows)
    month = _year_month(Decision.decided_on).label("month")
    query = sa.select(month, Decision.outcome, sa.func.count()).group_by("month", Decision.outcome)
    query = query.join(Pilot, Pilot.id == Decision.pilot_id).where(*conditions)
    if filters.year:
        query = query.where(
            Decision.decided_on >= date(filters.year, 1, 1),
            Decision.decided_on <= date(filters.year, 12, 31),
        )
    return _by_quarter(db.session.execute(query))


def _by_quarter(rows: Any) -> dict[tuple[int, int, Outcome], int]:
    counts: dict[tuple[int, int, Outcome], int] = {}
    for year_month, outcome, count in rows:
        year, month = (int(part) for part in str(year_month).split("-"))
        key = (year, (month - 1) // 3 + 1, Outcome(outcome))
        counts[key] = counts.get(key, 0) + int(count)
    return counts


# --- municipality ------------------------------------------------------------------------


def municipality(code: str) -> Municipality | None:
    """The municipality with this code, or None."""
    return db.session.get(Municipality, code)


@dataclass(frozen=True)
class MunicipalityPilot:
    """A row of the municipality's pilot table."""

    pilot_id: int
    name: str
    stage: Stage
    track: Track
    rag: Rag | None
    last_status_on: date | None
    share_cents: int
    stale: bool
    language: str = "fi"


def municipality_pilots(code: str, limit: int, today: date) -> tuple[list[MunicipalityPilot], int]:
    """Its pilots with the largest cost shares first (up to `limit`) and how many in all."""
    query = (
        sa.select(
            Pilot.id,
            Pilot.name,
            Pilot.stage,
            Pilot.track,
            Pilot.last_rag,
            Pilot.last_status_on,
            Participation.share_cents,
            sa.case((stale_clause(today), True), else_=False),
            sa.func.count().over(),
            Pilot.language,
        )
        .select_from(Participation)
        .join(Pilot, Pilot.id == Participation.pilot_id)
        .where(Participation.municipality_code == code)
        .order_by(Participation.share_cents.desc(), Pilot.id)
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    items = [
        MunicipalityPilot(
            pilot_id=r[0],
            name=r[1],
            stage=r[2],
            track=r[3],
            rag=r[4],
            last_status_on=r[5],
            share_cents=int(r[6]),
            stale=bool(r[7]),
            language=r[9],
        )
        for r in rows
    ]
    return items, int(rows[0][8]) if rows else 0


def pilot_costs(items: list[MunicipalityPilot]) -> list[PilotCost]:
    """The pilot-table rows as chart input."""
    return [PilotCost(i.pilot_id, i.name, i.share_cents, i.language) for i in items]


def municipality_kpi_attainment(code: str) -> dict[str, int]:
    """KPI attainment of the pilots the municipality takes part in."""
    mine = sa.select(Participation.pilot_id).where(Participation.municipality_code == code)
    return kpi_attainment(Pilot.id.in_(mine))


# --- pilot -------------------------------------------------------------------------------


def pilot_dashboard_data(pilot_id: int) -> dict[str, Any]:
    """What the pilot page's charts need, in five queries whatever the pilot's size.

    Returns {"pilot": {...}, "participants": [...], "kpis": [... with "measurements"],
    "status_updates": [...]}; raises LookupError for an unknown pilot. Access is the
    caller's to check (permissions.visible_pilot_or_404) before calling.
    """
    pilot = db.session.execute(
        sa.select(
            Pilot.id,
            Pilot.name,
            Pilot.budget_cents,
            Pilot.external_funding_cents,
            Pilot.estimated_annual_savings_cents,
        ).where(Pilot.id == pilot_id)
    ).first()
    if pilot is None:
        raise LookupError(f"no pilot {pilot_id}")
    participants = db.session.execute(
        sa.select(
            Participation.municipality_code,
            Municipality.name_fi,
            Municipality.name_sv,
            Participation.share_cents,
        )
        .join(Municipality, Municipality.code == Participation.municipality_code)
        .where(Participation.pilot_id == pilot_id)
        .order_by(Participation.municipality_code)
    ).all()
    kpis = db.session.execute(
        sa.select(
            Kpi.id,
            Kpi.name,
            Kpi.unit,
            Kpi.baseline,
            Kpi.target,
            Kpi.direction,
            Kpi.is_savings,
            Kpi.latest_value,
            Kpi.latest_on,
        )
        .where(Kpi.pilot_id == pilot_id)
        .order_by(Kpi.id)
    ).all()
    series: dict[int, list[tuple[date, Decimal]]] = {k.id: [] for k in kpis}
    measurements = db.session.execute(
        sa.select(Measurement.kpi_id, Measurement.measured_on, Measurement.value)
        .join(Kpi, Kpi.id == Measurement.kpi_id)
        .where(Kpi.pilot_id == pilot_id)
        .order_by(Measurement.kpi_id, Measurement.measured_on, Measurement.id)
    )
    for kpi_id, measured_on, value in measurements:
        series[kpi_id].append((measured_on, value))
    updates = db.session.execute(
        sa.select(StatusUpdate.reported_on, StatusUpdate.rag, StatusUpdate.progress_percent)
        .where(StatusUpdate.pilot_id == pilot_id)
        .order_by(StatusUpdate.reported_on, StatusUpdate.id)
    ).all()
    net = net_cost_cents(pilot.budget_cents, pilot.external_funding_cents)
    return chart_input(pilot, net, participants, kpis, series, updates)
