"""The municipality directory (`/municipalities`): all 308, grouped by region, each with its
pilots, committed cost and committed cost per resident.

The figures are the money service's (services.money, through the same per-municipality
sums as the portfolio's cost chart); the whole directory is two queries, the register and
the sums, whatever the number of municipalities.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from pilot_tracker.dashboards import queries
from pilot_tracker.extensions import db
from pilot_tracker.language.labels import region_name
from pilot_tracker.models import Municipality
from pilot_tracker.services import money
from pilot_tracker.services.municipalities import name_order

MAX_QUERY = 100


@dataclass(frozen=True)
class DirectoryEntry:
    """One municipality's line in the directory."""

    code: str
    name: str
    other_name: str  # the name in the other national language, when it differs
    population: int
    pilots: int
    committed_cents: int
    per_resident_cents: int | None
    search_text: str  # what the as-you-type filter compares with (folded)


@dataclass(frozen=True)
class DirectoryRegion:
    """A region (maakunta) and its municipalities, by name."""

    code: str
    name: str
    entries: list[DirectoryEntry]


def fold(text: str) -> str:
    """Lower case without accents, so "hameenlinna" finds Hämeenlinna and "jakobstad"
    Jakobstad."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def matches(entry: DirectoryEntry, query: str) -> bool:
    """True when the folded query is part of a name or the start of the code."""
    wanted = fold(query)
    if not wanted:
        return True
    if wanted.isdigit():
        return entry.code.startswith(wanted)
    return wanted in entry.search_text


def directory(language: str, query: str = "") -> list[DirectoryRegion]:
    """The regions, by name in `language`, with the municipalities matching `query` (all
    when empty); regions without a match are left out."""
    places = db.session.scalars(sa.select(Municipality)).all()
    figures = {m.code: m for m in queries.every_municipality_cost(language)}
    regions: dict[str, list[DirectoryEntry]] = {}
    region_names: dict[str, str] = {}
    for place in places:
        cost = figures.get(place.code)
        committed = cost.committed_cents if cost else 0
        name = place.name(language)
        other = place.name_fi if name == place.name_sv else place.name_sv
        entry = DirectoryEntry(
            code=place.code,
            name=name,
            other_name=other if other != name else "",
            population=place.population,
            pilots=cost.pilots if cost else 0,
            committed_cents=committed,
            per_resident_cents=money.per_resident_cents(committed, place.population),
            search_text=fold(f"{place.name_fi} {place.name_sv}"),
        )
        if not matches(entry, query[:MAX_QUERY]):
            continue
        regions.setdefault(place.region_code, []).append(entry)
        region_names[place.region_code] = region_name(
            place.region_code, place.region_name, language
        )
    return sorted(
        (
            DirectoryRegion(
                code, region_names[code], sorted(entries, key=lambda e: name_order(e.name))
            )
            for code, entries in regions.items()
        ),
        key=lambda r: name_order(r.name),
    )
