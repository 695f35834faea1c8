"""What we pay and what we get back: the money figures of the dashboards and the API.

Every "what do we pay" figure is computed here, once, by the rule of
`pilot_tracker.domain.commitment`: the planned net cost of proposed pilots (idea,
planning) and of committed ones (piloting, evaluation, scaling) side by side, never added;
a stopped pilot counts only its actual costs (`services.actuals`). Estimated savings are
split the same way and never count for stopped pilots. `by_year` spreads planned money over
calendar years (`pilot_tracker.domain.by_year`). The portfolio dashboard, the municipality
page, their charts and CSVs, and both API summaries read these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pilot_tracker.domain.by_year import add_years, spread_by_year
from pilot_tracker.domain.commitment import (
    COMMITTED_STAGES,
    PROPOSED_STAGES,
    Commitment,
    commitment,
)
from pilot_tracker.domain.enums import Stage, Track
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, MoneyYear, Participation, Pilot
from pilot_tracker.services import actuals, aggregates
from pilot_tracker.services.actuals import PilotScope
from pilot_tracker.services.cost_queries import every_pilot

# --- SQL pieces shared with the other aggregate queries ----------------------------------


def committed_sum(amount: Any) -> sa.ColumnElement[Any]:
    """SUM of `amount` over the committed pilots of a group (0 when none)."""
    return sa.func.coalesce(sa.func.sum(sa.case((Pilot.stage.in_(COMMITTED_STAGES), amount))), 0)


def proposed_sum(amount: Any) -> sa.ColumnElement[Any]:
    """SUM of `amount` over the proposed pilots of a group (0 when none)."""
    return sa.func.coalesce(sa.func.sum(sa.case((Pilot.stage.in_(PROPOSED_STAGES), amount))), 0)


# --- plain results -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A figure for committed and for proposed pilots, kept apart (never added)."""

    committed: int = 0
    proposed: int = 0


@dataclass(frozen=True)
class YearMoney:
    """One calendar year: planned money of committed and proposed pilots, actual costs."""

    year: int
    planned_committed_cents: int
    planned_proposed_cents: int
    actual_cents: int


@dataclass
class _Spread:
    """Planned money spread over years, per commitment; undated pilots are unscheduled.
    (The pages sum the maintained rows of services.aggregates; `add` is the same rule for
    one pilot at a time.)"""

    years: dict[Commitment, dict[int, int]] = field(
        default_factory=lambda: {Commitment.COMMITTED: {}, Commitment.PROPOSED: {}}
    )
    unscheduled: dict[Commitment, int] = field(
        default_factory=lambda: {Commitment.COMMITTED: 0, Commitment.PROPOSED: 0}
    )

    def add(self, kind: Commitment, cents: int, start: date | None, end: date | None) -> None:
        if kind is Commitment.STOPPED:
            return  # only its actual costs count, and those fall in their own years
        if start is None or end is None or end < start:
            self.unscheduled[kind] += cents
            return
        into = self.years[kind]
        if start.year == end.year:  # no arithmetic needed
            into[start.year] = into.get(start.year, 0) + cents
            return
        if end.year == start.year + 1:
            # Over one New Year (most multi-year pilots): spread_by_year's rule written out
            # for two years, since the portfolio spreads every pilot on each request.
            first = (date(end.year, 1, 1) - start).days
            total = (end - start).days + 1
            head, head_rest = divmod(cents * first, total)
            tail, tail_rest = divmod(cents * (total - first), total)
            if head + tail < cents:  # one cent left: the larger remainder, ties earlier
                if head_rest >= tail_rest:
                    head += 1
                else:
                    tail += 1
            into[start.year] = into.get(start.year, 0) + head
            into[end.year] = into.get(end.year, 0) + tail
            return
        add_years(into, spread_by_year(cents, start, end))

    def rows(self, actual: Mapping[int, int]) -> list[YearMoney]:
        committed = self.years[Commitment.COMMITTED]
        proposed = self.years[Commitment.PROPOSED]
        return year_rows(committed, proposed, actual)

    def unscheduled_pair(self) -> Pair:
        return Pair(self.unscheduled[Commitment.COMMITTED], self.unscheduled[Commitment.PROPOSED])


def year_rows(
    committed: Mapping[int, int], proposed: Mapping[int, int], actual: Mapping[int, int]
) -> list[YearMoney]:
    """Every calendar year from the first to the last with money, in order (gaps as zeros)."""
    years = set(committed) | set(proposed) | set(actual)
    if not years:
        return []
    return [
        YearMoney(year, committed.get(year, 0), proposed.get(year, 0), actual.get(year, 0))
        for year in range(min(years), max(years) + 1)
    ]


def per_resident_cents(cents: int, population: int | None) -> int | None:
    """An amount per resident in cents, rounded half-up; None without a population."""
    if not population or population <= 0:
        return None
    return int(round_half_up(Fraction(cents, population), 0))


# --- the portfolio -----------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioMoney:
    """What the pilots of a portfolio (filtered, scoped) cost and are expected to save."""

    committed_cents: int
    proposed_cents: int
    actual_cents: int
    estimated_savings: Pair
    by_year: list[YearMoney]
    unscheduled: Pair


def _money_rows(*where: Any) -> sa.Select[Any, Any, Any, Any]:
    """The maintained `money_by_year` rows summed by commitment and year, tagged "m"."""
    return (
        sa.select(
            sa.literal("m").label("tag"),
            MoneyYear.commitment.label("key"),
            MoneyYear.year.label("year"),
            sa.func.sum(MoneyYear.cents).label("amount"),
        )
        .select_from(MoneyYear)
        .where(*where)
        .group_by(MoneyYear.commitment, MoneyYear.year)
    )


def _add_money_row(spread: _Spread, kind: str, year: int | None, cents: Any) -> None:
    commitment_ = Commitment(kind)
    if year is None:
        spread.unscheduled[commitment_] += int(cents)
    else:
        spread.years[commitment_][int(year)] = int(cents)


def _filtered_money(scope: PilotScope) -> Any:
    """The money rows and the estimated savings by stage of the pilots `scope` selects."""
    aggregates.sync(db.session())
    planned = scope(
        _money_rows(MoneyYear.municipality_code.is_(None)).join(
            Pilot, Pilot.id == MoneyYear.pilot_id
        )
    )
    savings_by_stage = scope(
        sa.select(
            sa.literal("s").label("tag"),
            Pilot.stage.label("key"),
            sa.cast(sa.null(), sa.Integer).label("year"),
            sa.func.sum(Pilot.estimated_annual_savings_cents).label("amount"),
        )
        .where(Pilot.stage != Stage.STOPPED)
        .group_by(Pilot.stage)
    )
    return sa.union_all(planned, savings_by_stage)


def portfolio_money(scope: PilotScope) -> PortfolioMoney:
    """The money of the pilots `scope` selects: one query (plus the actual costs). The
    spread by year sums the maintained rows (services.aggregates); a pilot's years add up to
    its net cost exactly, so they give the totals as well."""
    spread = _Spread()
    savings = {Commitment.COMMITTED: 0, Commitment.PROPOSED: 0}
    if every_pilot(scope):  # the maintained totals
        session = db.session()
        cents_by_year = aggregates.totals(session, aggregates.YEAR_CENTS)
        # Every year with a row, zero sums too (the range of years is the rows').
        for key in aggregates.totals(session, aggregates.YEAR_ROWS):
            kind, year = key.split("|")
            _add_money_row(spread, kind, int(year) if year else None, cents_by_year.get(key, 0))
        for stage, cents in aggregates.totals(session, aggregates.STAGE_SAVINGS).items():
            savings[commitment(Stage(stage))] += cents
    else:  # filtered: through the pilots
        for tag, key, year, amount in db.session.execute(_filtered_money(scope)):
            if tag == "m":
                _add_money_row(spread, key, year, amount)
            else:
                savings[commitment(key)] += int(amount or 0)
    totals = {
        kind: sum(spread.years[kind].values()) + spread.unscheduled[kind]
        for kind in (Commitment.COMMITTED, Commitment.PROPOSED)
    }
    return PortfolioMoney(
        committed_cents=totals[Commitment.COMMITTED],
        proposed_cents=totals[Commitment.PROPOSED],
        actual_cents=actuals.actual_cost_cents(scope),
        estimated_savings=Pair(savings[Commitment.COMMITTED], savings[Commitment.PROPOSED]),
        by_year=spread.rows(actuals.actual_cost_by_year(scope)),
        unscheduled=spread.unscheduled_pair(),
    )


# --- a municipality ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrackMoney:
    """A municipality's money on one track."""

    committed_cents: int = 0
    proposed_cents: int = 0
    estimated_committed_cents: int = 0
    estimated_proposed_cents: int = 0
    realised_cents: int = 0


@dataclass(frozen=True)
class MunicipalityMoney:
    """What one municipality pays (its shares) and its share of the savings."""

    code: str
    population: int
    pilot_count: int
    by_stage: dict[Stage, int]
    committed_cents: int
    proposed_cents: int
    actual_cents: int
    forecast_cents: int
    estimated_savings: Pair
    realised_savings_cents: int
    by_track: dict[Track, TrackMoney]
    by_year: list[YearMoney]
    unscheduled: Pair
    # Every planned share, stopped pilots' too: only for the table of its share per pilot.
    all_shares_cents: int = 0

    @property
    def committed_per_resident_cents(self) -> int | None:
        return per_resident_cents(self.committed_cents, self.population)


def _savings_fraction(savings: int, share: int, net: int, participants: int) -> Fraction:
    """A participant's part of a pilot-wide amount, in proportion to its cost share; split
    equally when the pilot costs nothing (there is no proportion to follow then)."""
    if net > 0:
        return Fraction(savings * share, net)
    return Fraction(savings, max(participants, 1))


# The participations counted beside a municipality's own: made once (an alias copies every
# column).
_OTHERS = aliased(Participation, name="others")


def municipality_money(code: str, population: int) -> MunicipalityMoney:
    """The municipality's money over the pilots it takes part in: three queries (plus the
    actual costs); its planned shares by year are summed from the maintained rows."""
    others = _OTHERS
    participants = (
        sa.select(sa.func.count())
        .select_from(others)
        .where(others.pilot_id == Pilot.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Pilot.id,
            Pilot.stage,
            Pilot.track,
            Participation.share_cents,
            Pilot.net_cost_cents,
            Pilot.estimated_annual_savings_cents,
            participants,
        )
        .select_from(Participation)
        .join(Pilot, Pilot.id == Participation.pilot_id)
        .where(Participation.municipality_code == code)
    ).all()
    aggregates.sync(db.session())
    spread = _Spread()
    realised: dict[Track, int] = {}
    for tag, key, year, amount in db.session.execute(
        sa.union_all(
            _money_rows(MoneyYear.municipality_code == code), _realised_by_track_query(code)
        )
    ):
        if tag == "m":
            _add_money_row(spread, key, year, amount)
        else:
            realised[Track(key)] = _euros_to_cents(amount)
    actual_by_pilot = actuals.municipality_actual_by_pilot(code)
    by_stage = dict.fromkeys(Stage, 0)
    cost = {(kind, track): 0 for kind in Commitment for track in Track}
    estimated: dict[tuple[Commitment, Track], Fraction] = {k: Fraction(0) for k in cost}
    forecast = 0
    all_shares = 0
    for pilot_id, stage, track, share, net, savings, count in rows:
        kind = commitment(stage)
        by_stage[Stage(stage)] += 1
        share = int(share)
        all_shares += share
        actual = actual_by_pilot.get(pilot_id, 0)
        if kind is Commitment.STOPPED:
            forecast += actual
            continue
        cost[(kind, Track(track))] += share
        estimated[(kind, Track(track))] += _savings_fraction(
            int(savings), share, int(net), int(count)
        )
        if kind is Commitment.COMMITTED:
            # Actual to date plus what is left of its planned share (never below zero).
            forecast += actual + max(0, share - actual)

    def cents(value: Fraction) -> int:
        return int(round_half_up(value, 0))

    by_track = {
        track: TrackMoney(
            committed_cents=cost[(Commitment.COMMITTED, track)],
            proposed_cents=cost[(Commitment.PROPOSED, track)],
            estimated_committed_cents=cents(estimated[(Commitment.COMMITTED, track)]),
            estimated_proposed_cents=cents(estimated[(Commitment.PROPOSED, track)]),
            realised_cents=realised.get(track, 0),
        )
        for track in Track
    }
    committed = sum(cost[(Commitment.COMMITTED, t)] for t in Track)
    proposed = sum(cost[(Commitment.PROPOSED, t)] for t in Track)
    return MunicipalityMoney(
        code=code,
        population=population,
        pilot_count=len(rows),
        by_stage=by_stage,
        committed_cents=committed,
        proposed_cents=proposed,
        actual_cents=sum(actual_by_pilot.values()),
        forecast_cents=forecast,
        estimated_savings=Pair(
            cents(sum((estimated[(Commitment.COMMITTED, t)] for t in Track), Fraction(0))),
            cents(sum((estimated[(Commitment.PROPOSED, t)] for t in Track), Fraction(0))),
        ),
        realised_savings_cents=sum(realised.values()),
        by_track=by_track,
        by_year=spread.rows(actuals.municipality_actual_by_year(code)),
        unscheduled=spread.unscheduled_pair(),
        all_shares_cents=all_shares,
    )


# A literal 1.0 turns integer arithmetic into exact numeric (PostgreSQL) or real (SQLite).
_ONE: sa.ColumnClause[Any] = sa.literal_column("1.0")


def municipality_realised_by_track(code: str) -> dict[Track, int]:
    """Cents per track: its share (as of cost) of the latest values of savings KPIs.

    Realised savings count as measured, whatever the pilot's stage (PRODUCT.md).
    """
    return {
        Track(row[1]): _euros_to_cents(row[3])
        for row in db.session.execute(_realised_by_track_query(code))
    }


def _realised_by_track_query(code: str) -> sa.Select[Any, Any, Any, Any]:
    """Euros per track (tagged "r"), as `municipality_realised_by_track` sums them."""
    others = _OTHERS
    participants = (
        sa.select(sa.func.count())
        .select_from(others)
        .where(others.pilot_id == Pilot.id)
        .scalar_subquery()
    )
    net = Pilot.net_cost_cents
    share = sa.case(
        (net > 0, Kpi.latest_value * _ONE * Participation.share_cents / net),
        else_=Kpi.latest_value * _ONE / participants,
    )
    return (
        sa.select(
            sa.literal("r").label("tag"),
            Pilot.track.label("key"),
            sa.cast(sa.null(), sa.Integer).label("year"),
            sa.func.sum(share).label("amount"),
        )
        .select_from(Participation)
        .join(Pilot, Pilot.id == Participation.pilot_id)
        .join(Kpi, Kpi.pilot_id == Pilot.id)
        .where(Participation.municipality_code == code)
        .where(Kpi.is_savings.is_(True), Kpi.latest_value.is_not(None))
        .group_by(Pilot.track)
    )


def _euros_to_cents(value: Any) -> int:
    if value is None:
        return 0
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
