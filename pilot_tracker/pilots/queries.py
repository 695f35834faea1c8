"""Loading what the pilot pages show, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from pilot_tracker.domain.enums import Role
from pilot_tracker.domain.stages import ORDER
from pilot_tracker.extensions import db
from pilot_tracker.language.labels import region_name
from pilot_tracker.models import (
    AuditEntry,
    Decision,
    Kpi,
    Measurement,
    Municipality,
    Participation,
    Pilot,
    StatusUpdate,
    User,
    Vendor,
)
from pilot_tracker.permissions import scope_pilots
from pilot_tracker.services.pilot_filters import PilotFilters, apply_pilot_filters

HISTORY_ON_PAGE = 20


def detail_options() -> list[Any]:
    """Everything the pilot page shows, one query per relationship whatever the sizes."""
    # Many-to-one rows join into the pilot's own query; collections load one query each.
    return [
        joinedload(Pilot.lead_municipality),
        joinedload(Pilot.vendor),
        joinedload(Pilot.coordinator),
        selectinload(Pilot.goals),
        selectinload(Pilot.participations).selectinload(Participation.municipality),
        # Who recorded each row joins into that collection's query (no query per kind).
        selectinload(Pilot.kpis).selectinload(Kpi.measurements).joinedload(Measurement.recorded_by),
        selectinload(Pilot.status_updates).joinedload(StatusUpdate.author),
        selectinload(Pilot.decisions).joinedload(Decision.recorded_by),
    ]


def recent_history(pilot_id: int, limit: int = HISTORY_ON_PAGE) -> list[AuditEntry]:
    """The newest audit entries of a pilot and of what belongs to it."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.pilot_id == pilot_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def history_page(pilot_id: int) -> Pagination:
    """A pilot's whole audit trail, newest first, a page at a time (?page=)."""
    return db.paginate(
        sa.select(AuditEntry)
        .where(AuditEntry.pilot_id == pilot_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        per_page=50,
        error_out=False,
    )


def reference_names(wanted: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """Names of the vendors, users and municipalities audit values refer to: one statement,
    always (a UNION of the three lookups), so a page's statement count does not depend on
    what its history holds, and it costs one round trip, not three."""
    vendor_ids = [int(v) for v in wanted.get("vendor", ()) if v.isdigit()]
    user_ids = [int(u) for u in wanted.get("user", ()) if u.isdigit()]
    codes = list(wanted.get("municipality", ()))
    text = sa.String()
    lookups = sa.union_all(
        sa.select(
            sa.literal("vendor", text), sa.cast(Vendor.id, text), Vendor.name, sa.null()
        ).where(Vendor.id.in_(vendor_ids)),
        sa.select(sa.literal("user", text), sa.cast(User.id, text), User.name, User.email).where(
            User.id.in_(user_ids)
        ),
        sa.select(
            sa.literal("municipality", text), Municipality.code, Municipality.name_fi, sa.null()
        ).where(Municipality.code.in_(codes)),
    )
    names: dict[tuple[str, str], str] = {}
    for kind, key, name, email in db.session.execute(lookups):
        if kind == "user":
            names[(kind, key)] = name or email
        elif kind == "municipality":
            names[(kind, key)] = f"{name} ({key})"
        else:
            names[(kind, key)] = name
    return names


# --- the pilot list --------------------------------------------------------------------------


@dataclass
class ListFilters:
    """The list's filters (the one `PilotFilters`) and its sorting (checked against its
    choices already)."""

    filters: PilotFilters = field(default_factory=PilotFilters)
    sort: str = "name"
    order: str = "asc"


def _participant_count_expression() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .select_from(Participation)
        .where(Participation.pilot_id == Pilot.id)
        .correlate(Pilot)
        .scalar_subquery()
    )


def _order_by(sort: str) -> tuple[Any, bool]:
    """The sort key and whether it can be NULL (only those get NULLS LAST: an ordering the
    database must not special-case can be read straight from an index)."""
    if sort == "stage":
        return sa.case({stage: i for i, stage in enumerate(ORDER)}, value=Pilot.stage), False
    if sort == "net_cost":
        return Pilot.net_cost_cents, False
    if sort == "participants":
        return _participant_count_expression(), False
    if sort == "start_date":
        return Pilot.start_date, True
    if sort == "last_status":
        return Pilot.last_status_on, True
    if sort == "updated":
        return Pilot.updated_at, False
    # The default, served by ix_pilots_name_lower (lower(name), id).
    return sa.func.lower(Pilot.name), False


def pilot_list_select(filters: ListFilters, user: Any, today: date | None = None) -> sa.Select[Any]:
    """The filtered, sorted pilots `user` may see, with lead and vendor joined in."""
    query = sa.select(Pilot).options(joinedload(Pilot.lead_municipality), joinedload(Pilot.vendor))
    query = apply_pilot_filters(query, filters.filters, user, today)
    key, nullable = _order_by(filters.sort)
    ordered = key.desc() if filters.order == "desc" else key.asc()
    if nullable:
        ordered = ordered.nulls_last()
    tie = Pilot.id.desc() if filters.order == "desc" else Pilot.id
    return query.order_by(ordered, tie)


def participant_counts(pilot_ids: Iterable[int]) -> dict[int, int]:
    """Participants per pilot, counted by the database (one GROUP BY query)."""
    ids = list(pilot_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Participation.pilot_id, sa.func.count())
        .where(Participation.pilot_id.in_(ids))
        .group_by(Participation.pilot_id)
    )
    return {pilot_id: count for pilot_id, count in rows}


# --- the form's choices ----------------------------------------------------------------------


def coordinator_choices(keep: int | None = None) -> list[tuple[int, str]]:
    """Active coordinators and admins (plus `keep`, a pilot's current coordinator)."""
    condition = sa.and_(User.role.in_((Role.COORDINATOR, Role.ADMIN)), User.active.is_(True))
    if keep is not None:
        condition = sa.or_(condition, User.id == keep)
    return [
        (user_id, f"{name} <{email}>" if name else email)
        for user_id, name, email in db.session.execute(
            sa.select(User.id, User.name, User.email).where(condition).order_by(User.email)
        )
    ]


def municipalities_by_code(codes: Iterable[str]) -> dict[str, Municipality]:
    """The register's rows for `codes` (unknown codes are simply missing)."""
    wanted = list(codes)
    if not wanted:
        return {}
    return {
        m.code: m
        for m in db.session.scalars(sa.select(Municipality).where(Municipality.code.in_(wanted)))
    }


def search_municipalities(
    query: str, exclude: Iterable[str] = (), limit: int = 25
) -> list[Municipality]:
    """Municipalities whose code or Finnish or Swedish name contains `query`; several codes
    may be given at once ("091, 049"). Matched in Python: SQLite folds only ASCII case, and
    the register has only 308 rows."""
    text = query.strip().casefold()
    if not text:
        return []
    skip = set(exclude)
    tokens = [t for t in text.replace(",", " ").split() if t]
    everyone = db.session.scalars(sa.select(Municipality).order_by(Municipality.name_fi)).all()
    if tokens and all(t.isdigit() for t in tokens):
        hits = [
            m for m in everyone if any(m.code == t.zfill(3) or m.code.startswith(t) for t in tokens)
        ]
    else:
        hits = [m for m in everyone if text in m.name_fi.casefold() or text in m.name_sv.casefold()]
    return [m for m in hits if m.code not in skip][:limit]


def picker_options() -> list[dict[str, Any]]:
    """Every municipality of the register for the participant picker (static/js/
    participant-picker.js), which matches them as search_municipalities does: code, both
    names, population and region (its name in the interface language)."""
    rows = db.session.scalars(sa.select(Municipality).order_by(Municipality.name_fi)).all()
    return [
        {
            "code": m.code,
            "fi": m.name_fi,
            "sv": m.name_sv,
            "population": m.population,
            "region": region_name(m.region_code, m.region_name),
        }
        for m in rows
    ]


# --- a vendor's home -------------------------------------------------------------------------


def vendor_pilots(user: Any) -> list[Pilot]:
    """The user's vendor's pilots with their KPIs (what is due is worked out from these)."""
    return list(
        db.session.scalars(
            scope_pilots(sa.select(Pilot), user)
            .options(selectinload(Pilot.kpis))
            .order_by(sa.func.lower(Pilot.name), Pilot.id)
        )
    )
