"""One pilot filter: the value the pilot list, the export, the API, the public view and the
dashboards translate their input into, and the one function that applies it for a user.

Each field means the same wherever it is used (README, "One pilot filter"):

- `q`: words; every word (up to `MAX_WORDS`) in the name or the summary, case-insensitive,
  `%` and `_` literal. One word is the old substring search.
- `region`: a participant of the pilot (one that has left counts too) is in the region;
  `region_members` are its codes when the caller knows them (a literal list gives the
  PostgreSQL planner true row estimates), else they are looked up in SQL.
- `municipality`: the municipality is (or was) a participant.
- `theme`, `track`, `stage`, `vendor_id`: equal to the pilot's.
- `rag`: the latest status's RAG, or `NO_STATUS` for a pilot without one.
- `stale`: True for stale pilots only, False for the others (services.reporting's rule).
- `year`: the planned period overlaps the calendar year (without a start, in no year).

Who sees what is not a filter: `apply_pilot_filters` always scopes by the user first
(permissions.pilot_scope: a vendor only its own vendor's pilots, `permissions.PUBLIC`
only the public pilots).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVarTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pilot_tracker.domain.enums import Rag, Stage, Theme, Track
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, Participation, Pilot, Vendor
from pilot_tracker.permissions import READERS, has_role, pilot_scope, scope_pilots
from pilot_tracker.services.reporting import stale_clause

MAX_WORDS = 10  # more words are ignored: each is two LIKEs over every pilot
NO_STATUS: Literal["none"] = "none"
_Columns = TypeVarTuple("_Columns")


@dataclass(frozen=True)
class PilotFilters:
    """What to narrow the pilots to; each empty field means "all"."""

    q: str = ""
    theme: Theme | None = None
    track: Track | None = None
    stage: Stage | None = None
    region: str = ""
    region_members: tuple[str, ...] = ()
    municipality: str = ""
    vendor_id: int | None = None
    rag: Rag | Literal["none"] | None = None
    stale: bool | None = None
    year: int | None = None

    @property
    def words(self) -> list[str]:
        """The words of `q` that are searched for."""
        return self.q.split()[:MAX_WORDS]


def region_codes(filters: PilotFilters) -> Any:
    """The codes of the filtered region's municipalities: the list if known, else a subquery."""
    if filters.region_members:
        return list(filters.region_members)
    return sa.select(Municipality.code).where(Municipality.region_code == filters.region)


# Aliased: a select over participations (the summary's and the dashboards' cost by
# municipality) must not correlate these subqueries with its own rows. Made once: an alias
# costs a copy of every column, and a dashboard asks for its conditions ten times a page.
_MUNICIPALITY_PART = aliased(Participation, name="filter_municipality")
_REGION_PART = aliased(Participation, name="filter_region")


def filter_conditions(filters: PilotFilters, today: date | None = None) -> list[Any]:
    """WHERE conditions on `Pilot` for the filters alone (no scoping: see pilot_conditions)."""
    return [*_pilot_conditions(filters), *_related_conditions(filters, today)]


def _pilot_conditions(filters: PilotFilters) -> list[sa.ColumnElement[bool]]:
    """The conditions on the pilot's own columns: theme, track, stage, vendor, year, words."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.theme is not None:
        conditions.append(Pilot.theme == filters.theme)
    if filters.track is not None:
        conditions.append(Pilot.track == filters.track)
    if filters.stage is not None:
        conditions.append(Pilot.stage == filters.stage)
    if filters.vendor_id is not None:
        conditions.append(Pilot.vendor_id == filters.vendor_id)
    if filters.year:
        conditions.append(Pilot.start_date <= date(filters.year, 12, 31))
        conditions.append(
            sa.or_(Pilot.end_date.is_(None), Pilot.end_date >= date(filters.year, 1, 1))
        )
    for word in filters.words:
        conditions.append(
            sa.or_(
                Pilot.name.icontains(word, autoescape=True),
                Pilot.summary.icontains(word, autoescape=True),
            )
        )
    return conditions


def _related_conditions(filters: PilotFilters, today: date | None) -> list[sa.ColumnElement[bool]]:
    """The conditions on what the pilot is related to: participants, region, status, staleness."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.municipality:
        part = _MUNICIPALITY_PART
        conditions.append(
            sa.exists().where(
                part.pilot_id == Pilot.id, part.municipality_code == filters.municipality
            )
        )
    if filters.region:
        part = _REGION_PART
        conditions.append(
            Pilot.id.in_(
                sa.select(part.pilot_id).where(part.municipality_code.in_(region_codes(filters)))
            )
        )
    if filters.rag == NO_STATUS:
        conditions.append(Pilot.last_rag.is_(None))
    elif filters.rag is not None:
        conditions.append(Pilot.last_rag == filters.rag)
    if filters.stale is True:
        conditions.append(stale_clause(today))
    elif filters.stale is False:
        conditions.append(sa.not_(stale_clause(today)))
    return conditions


def pilot_conditions(filters: PilotFilters, user: Any, today: date | None = None) -> list[Any]:
    """WHERE conditions on `Pilot`: what `user` may see, narrowed by the filters."""
    scope = pilot_scope(user)
    return [*([] if scope is None else [scope]), *filter_conditions(filters, today)]


def apply_pilot_filters(
    query: sa.Select[*_Columns], filters: PilotFilters, user: Any, today: date | None = None
) -> sa.Select[*_Columns]:
    """Narrow a select over `Pilot` to the pilots `user` may see that match `filters`."""
    return query.where(*pilot_conditions(filters, user, today))


# --- the choices of the pilot list's (and the export's) filter form --------------------------


@dataclass(frozen=True)
class FilterChoices:
    """Regions (code, name) with their members, participating municipalities (code, name) of
    the pilots the user sees, and vendors (None for a vendor user: only their own)."""

    regions: list[tuple[str, str]]
    region_members: dict[str, tuple[str, ...]]
    municipalities: list[tuple[str, str]]
    vendors: list[tuple[int, str]] | None


def filter_choices(user: Any, language: str) -> FilterChoices:
    """The choices for `user`, municipalities named in `language` (Swedish for "sv", else
    Finnish): three queries (two for a vendor user)."""
    name_column = Municipality.name_sv if language == "sv" else Municipality.name_fi
    names: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for region, region_name, code in db.session.execute(
        sa.select(Municipality.region_code, Municipality.region_name, Municipality.code).order_by(
            Municipality.region_name, Municipality.code
        )
    ):
        names.setdefault(region, region_name)
        members.setdefault(region, []).append(code)
    if has_role(user, *READERS):
        # Readers see every pilot: one index probe per municipality, instead of collecting
        # the municipality of every participation (24 ms at 10 000 pilots).
        taking_part: sa.ColumnElement[bool] = sa.exists().where(
            Participation.municipality_code == Municipality.code
        )
    else:
        visible = scope_pilots(sa.select(Pilot.id), user).subquery()
        taking_part = Municipality.code.in_(
            sa.select(Participation.municipality_code).where(
                Participation.pilot_id.in_(sa.select(visible.c.id))
            )
        )
    municipalities = [
        (code, name)
        for code, name in db.session.execute(
            sa.select(Municipality.code, name_column).where(taking_part).order_by(name_column)
        )
    ]
    return FilterChoices(
        regions=list(names.items()),
        region_members={region: tuple(codes) for region, codes in members.items()},
        municipalities=municipalities,
        vendors=vendor_choices() if has_role(user, *READERS) else None,
    )


def vendor_choices() -> list[tuple[int, str]]:
    """Every vendor, by name."""
    return [
        (vendor_id, name)
        for vendor_id, name in db.session.execute(
            sa.select(Vendor.id, Vendor.name).order_by(sa.func.lower(Vendor.name), Vendor.id)
        )
    ]
