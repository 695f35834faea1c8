"""Exports: the pilots a user may see (filtered as on /pilots) as CSV files or one workbook.

Every query goes through `permissions.scope_pilots`, so a vendor's export holds only its own
pilots and everything hanging off them. Pilots are numbered P1, P2... in the order they were
created; that number (`ref`) ties the sheets together in the file. Each pilot, KPI,
measurement, status update, decision, municipal decision, follow-up item and comment, and
lesson also has its `uid`, the same in every database, by
which an import finds the row again; a pilot also has its `version`, by which an import tells
a pilot changed in the app since the export. Database ids and timestamps are not written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.domain.follow_up import OwnerKind
from pilot_tracker.domain.money import cents_to_decimal
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    CostEntry,
    Decision,
    Kpi,
    MunicipalDecision,
    Municipality,
    Pilot,
    StatusUpdate,
    User,
)
from pilot_tracker.models.follow_up import FollowUpItem, Lesson
from pilot_tracker.permissions import can_view_costs, scope_pilots
from pilot_tracker.services.exchange import (
    COSTS,
    DECISIONS,
    FOLLOW_UP_COMMENTS,
    FOLLOW_UP_ITEMS,
    JOINT_SHEETS,
    KPIS,
    LESSONS,
    MEASUREMENTS,
    MUNICIPAL_DECISIONS,
    PARTICIPANTS,
    PILOTS,
    SHEETS,
    STATUS_UPDATES,
    Row,
    Sheet,
    write_csv,
    write_xlsx,
)
from pilot_tracker.services.pilots import pilot_options

ALL_PILOTS: sa.Select[Any] = sa.select(Pilot)
# The days of comments and lessons are written as the pages show them (in Finland).
HELSINKI = ZoneInfo("Europe/Helsinki")


# --- loading -----------------------------------------------------------------------------


@dataclass
class Portfolio:
    """The pilots of an export and what hangs off them, loaded in a fixed number of queries."""

    pilots: list[Pilot]
    refs: dict[int, str]
    kpis: list[Kpi] = field(default_factory=list)
    kpi_refs: dict[int, str] = field(default_factory=dict)
    status_updates: list[StatusUpdate] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    costs: list[CostEntry] = field(default_factory=list)
    emails: dict[int, str] = field(default_factory=dict)
    municipal_decisions: list[MunicipalDecision] = field(default_factory=list)
    follow_up_items: list[FollowUpItem] = field(default_factory=list)
    item_refs: dict[int, str] = field(default_factory=dict)
    lessons: list[Lesson] = field(default_factory=list)
    decision_uids: dict[int, str] = field(default_factory=dict)


def load_portfolio(user: Any, pilots_query: sa.Select[Any], sheets: tuple[Sheet, ...]) -> Portfolio:
    """The pilots of `pilots_query` (a filtered select over Pilot) that `user` may see, in
    the order they were created, and what `sheets` need of them."""
    # Only the ids of the given select count: its own loader options stay out of the way.
    chosen = pilots_query.order_by(None).subquery()
    scoped = scope_pilots(sa.select(Pilot).where(Pilot.id.in_(sa.select(chosen.c.id))), user)
    pilots = list(db.session.scalars(scoped.options(*pilot_options()).order_by(Pilot.id)))
    portfolio = Portfolio(pilots, {p.id: f"P{n}" for n, p in enumerate(pilots, start=1)})
    pilot_ids = scoped.with_only_columns(Pilot.id).order_by(None).scalar_subquery()
    user_ids = {p.coordinator_id for p in pilots}
    if KPIS in sheets or MEASUREMENTS in sheets or DECISIONS in sheets:
        kpi_query = sa.select(Kpi).where(Kpi.pilot_id.in_(pilot_ids))
        if MEASUREMENTS in sheets:
            kpi_query = kpi_query.options(selectinload(Kpi.measurements))
        portfolio.kpis = list(db.session.scalars(kpi_query.order_by(Kpi.pilot_id, Kpi.id)))
        counters: dict[int, int] = {}
        for kpi in portfolio.kpis:
            counters[kpi.pilot_id] = counters.get(kpi.pilot_id, 0) + 1
            portfolio.kpi_refs[kpi.id] = f"K{counters[kpi.pilot_id]}"
        if MEASUREMENTS in sheets:
            user_ids |= {m.recorded_by_id for k in portfolio.kpis for m in k.measurements}
    if STATUS_UPDATES in sheets:
        portfolio.status_updates = list(
            db.session.scalars(
                sa.select(StatusUpdate)
                .where(StatusUpdate.pilot_id.in_(pilot_ids))
                .order_by(StatusUpdate.pilot_id, StatusUpdate.reported_on, StatusUpdate.id)
            )
        )
        user_ids |= {s.author_id for s in portfolio.status_updates}
    if DECISIONS in sheets:
        portfolio.decisions = list(
            db.session.scalars(
                sa.select(Decision)
                .where(Decision.pilot_id.in_(pilot_ids))
                .order_by(Decision.pilot_id, Decision.decided_on, Decision.id)
            )
        )
        user_ids |= {d.recorded_by_id for d in portfolio.decisions}
    # Cost entries are the councils' and coordinators': a vendor's export has none.
    if COSTS in sheets and can_view_costs(user):
        portfolio.costs = list(
            db.session.scalars(
                sa.select(CostEntry)
                .where(CostEntry.pilot_id.in_(pilot_ids))
                .order_by(CostEntry.pilot_id, CostEntry.entry_date, CostEntry.id)
            )
        )
        user_ids |= {c.recorded_by_id for c in portfolio.costs}
    if any(s in sheets for s in JOINT_SHEETS):
        user_ids |= load_joint(portfolio, user, pilot_ids, sheets)
    user_ids.discard(None)
    if user_ids:
        rows = db.session.execute(sa.select(User.id, User.email).where(User.id.in_(user_ids)))
        portfolio.emails = {user_id: email for user_id, email in rows}
    return portfolio


# --- rows --------------------------------------------------------------------------------


def _money(cents: int) -> Decimal:
    return cents_to_decimal(cents)


def _text(value: str | None) -> str | None:
    return value if value else None


def pilot_rows(portfolio: Portfolio) -> list[Row]:
    rows: list[Row] = []
    for pilot in portfolio.pilots:
        vendor = pilot.vendor
        rows.append(
            [
                portfolio.refs[pilot.id],
                pilot.uid,
                pilot.version,
                pilot.name,
                _text(pilot.summary),
                getattr(pilot, "language", None),
                pilot.theme.value,
                pilot.track.value,
                pilot.stage.value,
                _text(", ".join(sorted(g.goal.value for g in pilot.goals))),
                pilot.lead_municipality_code,
                pilot.split_method.value,
                pilot.equal_percent,
                _money(pilot.budget_cents),
                _money(pilot.external_funding_cents),
                pilot.external_funding_rate_percent,
                _money(pilot.net_cost_cents),
                _money(pilot.estimated_annual_savings_cents),
                vendor.business_id if vendor else None,
                vendor.name if vendor else None,
                pilot.coordinator.email if pilot.coordinator else None,
                pilot.start_date,
                pilot.end_date,
                pilot.is_public,
                pilot.last_rag.value if pilot.last_rag else None,
                pilot.last_status_on,
            ]
        )
    return rows


def participant_rows(portfolio: Portfolio) -> list[Row]:
    rows: list[Row] = []
    for pilot in portfolio.pilots:
        percentages = pilot.share_percentages()
        for p in pilot.participations:
            rows.append(
                [
                    portfolio.refs[pilot.id],
                    pilot.name,
                    p.municipality_code,
                    p.municipality.name_fi,
                    p.municipality_code == pilot.lead_municipality_code,
                    p.manual_percent if pilot.split_method is SplitMethod.MANUAL else None,
                    percentages.get(p.municipality_code),
                    _money(p.share_cents),
                    p.joined_on,
                    p.left_on,
                ]
            )
    return rows


def kpi_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[k.pilot_id],
            names[k.pilot_id],
            portfolio.kpi_refs[k.id],
            k.uid,
            k.name,
            _text(k.unit),
            k.baseline,
            k.target,
            k.direction.value,
            k.is_savings,
            k.latest_value,
            k.latest_on,
            k.progress_percent,
        ]
        for k in portfolio.kpis
    ]


def measurement_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[k.pilot_id],
            names[k.pilot_id],
            portfolio.kpi_refs[k.id],
            k.name,
            m.uid,
            m.measured_on,
            m.value,
            _text(m.note),
            portfolio.emails.get(m.recorded_by_id) if m.recorded_by_id else None,
        ]
        for k in portfolio.kpis
        for m in k.measurements
    ]


def status_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[s.pilot_id],
            names[s.pilot_id],
            s.uid,
            s.reported_on,
            s.rag.value,
            s.progress_percent,
            s.text,
            portfolio.emails.get(s.author_id) if s.author_id else None,
        ]
        for s in portfolio.status_updates
    ]


def snapshot_for_file(snapshot: Mapping[str, Any] | None, kpi_refs: Mapping[int, str]) -> str:
    """The snapshot as compact JSON, each KPI's database id replaced by its kpi_ref."""
    data = dict(snapshot or {})
    if isinstance(data.get("kpis"), list):
        data["kpis"] = [
            {**k, "id": kpi_refs.get(k["id"]) if "id" in k else None} if isinstance(k, dict) else k
            for k in data["kpis"]
        ]
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def decision_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[d.pilot_id],
            names[d.pilot_id],
            d.uid,
            d.decided_on,
            d.gate.value,
            d.outcome.value,
            d.decided_by,
            d.rationale,
            _text(d.follow_up),
            d.next_review,
            d.stage_before.value,
            d.stage_after.value,
            portfolio.emails.get(d.recorded_by_id) if d.recorded_by_id else None,
            snapshot_for_file(d.snapshot, portfolio.kpi_refs),
        ]
        for d in portfolio.decisions
    ]


def cost_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[c.pilot_id],
            names[c.pilot_id],
            c.uid,
            c.entry_date,
            _money(c.amount_cents),
            c.kind.value,
            _text(c.reference),
            _text(c.description),
            portfolio.emails.get(c.recorded_by_id) if c.recorded_by_id else None,
            _money(c.funded_cents),
        ]
        for c in portfolio.costs
    ]


# --- the joint life of a pilot: municipal decisions, the follow-up plan, lessons ------------


def load_joint(
    portfolio: Portfolio, user: Any, pilot_ids: Any, sheets: tuple[Sheet, ...]
) -> set[int | None]:
    """The joint tables `sheets` need (one query each); the ids of the users they name.
    Municipal decisions are the councils' and coordinators' (not in a vendor's export), and
    a vendor's export has only the follow-up items it owns."""
    user_ids: set[int | None] = set()
    if MUNICIPAL_DECISIONS in sheets and can_view_costs(user):
        portfolio.municipal_decisions = list(
            db.session.scalars(
                sa.select(MunicipalDecision)
                .where(MunicipalDecision.pilot_id.in_(pilot_ids))
                .order_by(
                    MunicipalDecision.pilot_id, MunicipalDecision.decided_on, MunicipalDecision.id
                )
            )
        )
        user_ids |= {d.recorded_by_id for d in portfolio.municipal_decisions}
    if FOLLOW_UP_ITEMS in sheets or FOLLOW_UP_COMMENTS in sheets:
        items = sa.select(FollowUpItem).where(FollowUpItem.pilot_id.in_(pilot_ids))
        if not can_view_costs(user):
            items = items.where(FollowUpItem.owner_kind == OwnerKind.VENDOR)
        if FOLLOW_UP_COMMENTS in sheets:
            items = items.options(selectinload(FollowUpItem.comments))
        portfolio.follow_up_items = list(
            db.session.scalars(items.order_by(FollowUpItem.pilot_id, FollowUpItem.id))
        )
        counters: dict[int, int] = {}
        for item in portfolio.follow_up_items:
            counters[item.pilot_id] = counters.get(item.pilot_id, 0) + 1
            portfolio.item_refs[item.id] = f"F{counters[item.pilot_id]}"
        if FOLLOW_UP_COMMENTS in sheets:
            user_ids |= {c.author_id for i in portfolio.follow_up_items for c in i.comments}
    if LESSONS in sheets:
        portfolio.lessons = list(
            db.session.scalars(
                sa.select(Lesson)
                .where(Lesson.pilot_id.in_(pilot_ids))
                .order_by(Lesson.pilot_id, Lesson.created_at, Lesson.id)
            )
        )
        user_ids |= {lesson.recorded_by_id for lesson in portfolio.lessons}
    decision_ids = {i.decision_id for i in portfolio.follow_up_items if FOLLOW_UP_ITEMS in sheets}
    decision_ids |= {lesson.decision_id for lesson in portfolio.lessons}
    decision_ids.discard(None)
    if decision_ids:
        rows = db.session.execute(
            sa.select(Decision.id, Decision.uid).where(Decision.id.in_(decision_ids))
        )
        portfolio.decision_uids = {decision_id: uid for decision_id, uid in rows}
    return user_ids


def local_day(moment: datetime) -> date:
    """The day of a timestamp in Finland (what the pages show)."""
    return moment.astimezone(HELSINKI).date()


def municipal_decision_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    municipalities = {
        p.municipality_code: p.municipality.name_fi
        for pilot in portfolio.pilots
        for p in pilot.participations
    }
    missing = {d.municipality_code for d in portfolio.municipal_decisions} - set(municipalities)
    if missing:  # a newcomer that did not join: not among the loaded participations
        rows = db.session.execute(
            sa.select(Municipality.code, Municipality.name_fi).where(Municipality.code.in_(missing))
        )
        municipalities.update((code, name) for code, name in rows)
    return [
        [
            portfolio.refs[d.pilot_id],
            names[d.pilot_id],
            d.uid,
            d.municipality_code,
            municipalities.get(d.municipality_code),
            d.gate.value,
            d.outcome.value,
            d.body.value,
            d.decided_on,
            _text(d.section),
            _text(d.minutes_url),
            _text(d.note),
            portfolio.emails.get(d.recorded_by_id) if d.recorded_by_id else None,
        ]
        for d in portfolio.municipal_decisions
    ]


def follow_up_item_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[i.pilot_id],
            names[i.pilot_id],
            portfolio.item_refs[i.id],
            i.uid,
            i.title,
            _text(i.description),
            i.owner_kind.value,
            i.owner_municipality_code,
            i.due_on,
            i.status.value,
            portfolio.decision_uids.get(i.decision_id) if i.decision_id else None,
        ]
        for i in portfolio.follow_up_items
    ]


def follow_up_comment_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[i.pilot_id],
            names[i.pilot_id],
            portfolio.item_refs[i.id],
            i.title,
            c.uid,
            local_day(c.created_at),
            c.text,
            portfolio.emails.get(c.author_id) if c.author_id else None,
        ]
        for i in portfolio.follow_up_items
        for c in i.comments
    ]


def lesson_rows(portfolio: Portfolio) -> list[Row]:
    names = {p.id: p.name for p in portfolio.pilots}
    return [
        [
            portfolio.refs[lesson.pilot_id],
            names[lesson.pilot_id],
            lesson.uid,
            local_day(lesson.created_at),
            lesson.text,
            portfolio.decision_uids.get(lesson.decision_id) if lesson.decision_id else None,
            portfolio.emails.get(lesson.recorded_by_id) if lesson.recorded_by_id else None,
        ]
        for lesson in portfolio.lessons
    ]


ROW_BUILDERS = {
    PILOTS.name: pilot_rows,
    PARTICIPANTS.name: participant_rows,
    KPIS.name: kpi_rows,
    MEASUREMENTS.name: measurement_rows,
    STATUS_UPDATES.name: status_rows,
    DECISIONS.name: decision_rows,
    COSTS.name: cost_rows,
    MUNICIPAL_DECISIONS.name: municipal_decision_rows,
    FOLLOW_UP_ITEMS.name: follow_up_item_rows,
    FOLLOW_UP_COMMENTS.name: follow_up_comment_rows,
    LESSONS.name: lesson_rows,
}


def export_csv(user: Any, sheet: Sheet, pilots_query: sa.Select[Any] = ALL_PILOTS) -> bytes:
    """One sheet of the pilots of `pilots_query` that the user may see, as a CSV file."""
    portfolio = load_portfolio(user, pilots_query, (sheet,))
    return write_csv(sheet, ROW_BUILDERS[sheet.name](portfolio))


def export_xlsx(user: Any, pilots_query: sa.Select[Any] = ALL_PILOTS) -> bytes:
    """Every sheet of the pilots of `pilots_query` that the user may see, as one workbook."""
    portfolio = load_portfolio(user, pilots_query, SHEETS)
    return write_xlsx((s, ROW_BUILDERS[s.name](portfolio)) for s in SHEETS)
