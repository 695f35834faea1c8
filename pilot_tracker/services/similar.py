"""Decision support: "has someone already piloted this?" and "what would scaling save?".

Candidates come from the database's own text search (migration 0003): FTS5 with the trigram
tokenizer on SQLite; pg_trgm word similarity plus a tsvector in the pilot's language on
PostgreSQL. Only those few candidates are ranked in Python (domain.similarity).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from pilot_tracker.domain.enums import NATIONAL_POTENTIAL_EUR, Track
from pilot_tracker.domain.kpi import kpi_progress
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.domain.projection import Projection, choose_basis, project
from pilot_tracker.domain.similarity import PilotTraits, query_words, similarity_score
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Kpi, Municipality, Participation, Pilot, Vendor
from pilot_tracker.permissions import scope_pilots

CANDIDATES = 60
MIN_SCORE = 0.12
PG_DOCUMENT = "(coalesce(name, '') || ' ' || coalesce(summary, ''))"
PG_CONFIG = (
    "(CASE language WHEN 'sv' THEN 'swedish'::regconfig "
    "WHEN 'en' THEN 'english'::regconfig ELSE 'finnish'::regconfig END)"
)


@dataclass
class SimilarPilot:
    """One similar pilot with what the user needs to judge it."""

    id: int
    name: str
    score: float
    stage: str
    theme: str
    vendor_name: str | None
    outcomes: list[str] = field(default_factory=list)
    kpi_progress: list[tuple[str, Decimal | None]] = field(default_factory=list)


def _sqlite_candidates(words: list[str], exclude_id: int | None) -> list[int]:
    grams = sorted({w[i : i + 3] for w in words for i in range(len(w) - 2)})[:120]
    if not grams:
        return []
    match = " OR ".join(f'"{g}"' for g in grams)
    rows = db.session.execute(
        sa.text(
            "SELECT rowid FROM pilot_search_fts WHERE pilot_search_fts MATCH :match "
            "ORDER BY rank LIMIT :limit"
        ),
        {"match": match, "limit": CANDIDATES + 1},
    ).scalars()
    return [r for r in rows if r != exclude_id][:CANDIDATES]


def _postgres_candidates(words: list[str], exclude_id: int | None) -> list[int]:
    params: dict[str, Any] = {f"w{i}": w for i, w in enumerate(words)}
    trigram_hits = " OR ".join(f":w{i} <% {PG_DOCUMENT}" for i in range(len(words)))
    best = (
        "GREATEST("
        + ", ".join(f"word_similarity(:w{i}, {PG_DOCUMENT})" for i in range(len(words)))
        + ")"
    )
    params["tsq"] = " | ".join(words)
    params["limit"] = CANDIDATES
    params["exclude"] = exclude_id or 0
    db.session.execute(sa.text("SET LOCAL pg_trgm.word_similarity_threshold = 0.3"))
    rows = db.session.execute(
        sa.text(
            f"SELECT id FROM pilots WHERE id <> :exclude AND (({trigram_hits}) OR "
            f"to_tsvector({PG_CONFIG}, {PG_DOCUMENT}) @@ to_tsquery({PG_CONFIG}, :tsq)) "
            f"ORDER BY {best} DESC, id LIMIT :limit"
        ),
        params,
    ).scalars()
    return list(rows)


def candidate_ids(text: str, exclude_id: int | None = None) -> tuple[list[str], list[int]]:
    """The query words and the ids of pilots whose text matches them, best first."""
    words = query_words(text)
    if not words:
        return words, []
    if db.session.get_bind().dialect.name == "postgresql":
        return words, _postgres_candidates(words, exclude_id)
    return words, _sqlite_candidates(words, exclude_id)


def _places(pilot_ids: list[int]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    codes: dict[int, set[str]] = defaultdict(set)
    regions: dict[int, set[str]] = defaultdict(set)
    if not pilot_ids:
        return codes, regions
    for pilot_id, code, region in db.session.execute(
        sa.select(Participation.pilot_id, Participation.municipality_code, Municipality.region_code)
        .join(Municipality, Municipality.code == Participation.municipality_code)
        .where(Participation.pilot_id.in_(pilot_ids))
    ):
        codes[pilot_id].add(code)
        regions[pilot_id].add(region)
    return codes, regions


def find_similar(
    user: Any,
    *,
    text: str,
    name: str = "",
    theme: str = "",
    municipalities: set[str] | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[SimilarPilot]:
    """The pilots most like the description that `user` may see, best first.

    A fixed number of queries whatever the portfolio size: candidates, their pilots, places,
    decisions and KPIs.
    """
    words, ids = candidate_ids(text, exclude_id)
    if not ids:
        return []
    rows = db.session.execute(
        scope_pilots(
            sa.select(Pilot.id, Pilot.name, Pilot.summary, Pilot.theme, Pilot.stage, Vendor.name)
            .outerjoin(Vendor, Vendor.id == Pilot.vendor_id)
            .where(Pilot.id.in_(ids)),
            user,
        )
    ).all()
    visible = [r[0] for r in rows]
    codes, regions = _places(visible + ([exclude_id] if exclude_id else []))
    own_codes = set(municipalities or ()) | (codes.get(exclude_id, set()) if exclude_id else set())
    own_regions = set(regions.get(exclude_id, set())) if exclude_id else set()
    if municipalities:
        own_regions |= set(
            db.session.scalars(
                sa.select(Municipality.region_code).where(Municipality.code.in_(municipalities))
            )
        )
    me = PilotTraits(
        name or text, text, str(theme or ""), frozenset(own_codes), frozenset(own_regions)
    )
    scored = []
    for pilot_id, other_name, summary, pilot_theme, stage, vendor_name in rows:
        other = PilotTraits(
            other_name,
            f"{other_name} {summary}",
            pilot_theme.value,
            frozenset(codes.get(pilot_id, ())),
            frozenset(regions.get(pilot_id, ())),
        )
        score = similarity_score(words, me, other)
        if score >= MIN_SCORE:
            scored.append(
                SimilarPilot(
                    pilot_id, other_name, score, stage.value, pilot_theme.value, vendor_name
                )
            )
    scored.sort(key=lambda s: (-s.score, s.id))
    top = scored[:limit]
    _attach_outcomes_and_kpis(top)
    return top


def _attach_outcomes_and_kpis(items: list[SimilarPilot]) -> None:
    by_id = {item.id: item for item in items}
    if not by_id:
        return
    for pilot_id, outcome in db.session.execute(
        sa.select(Decision.pilot_id, Decision.outcome)
        .where(Decision.pilot_id.in_(by_id))
        .order_by(Decision.decided_on, Decision.id)
    ):
        by_id[pilot_id].outcomes.append(outcome.value)
    for kpi in db.session.scalars(sa.select(Kpi).where(Kpi.pilot_id.in_(by_id)).order_by(Kpi.id)):
        progress = kpi_progress(kpi.baseline, kpi.target, kpi.latest_value, kpi.direction)
        by_id[kpi.pilot_id].kpi_progress.append((kpi.name, progress))


@dataclass
class ScaleUp:
    """A projection with its inputs, for the page, the chart and the API."""

    projection: Projection
    scope: str
    participant_population: int
    annual_savings_cents: int
    net_cost_cents: int
    national_range_eur: tuple[int, int]
    target_codes: list[str]


class ProjectionInputError(ValueError):
    """Bad scope or codes; `errors` maps the parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def scale_up(pilot_id: int, scope: str = "region", codes: list[str] | None = None) -> ScaleUp:
    """Project the pilot's per-resident savings and cost onto a region, the nation or `codes`.

    Four queries: the pilot, its participants, its savings KPIs and the target register rows.
    """
    pilot = db.session.get(Pilot, pilot_id)
    if pilot is None:
        raise LookupError(pilot_id)
    participants = db.session.execute(
        sa.select(Municipality.code, Municipality.population, Municipality.region_code)
        .join(Participation, Participation.municipality_code == Municipality.code)
        .where(Participation.pilot_id == pilot_id)
    ).all()
    # Summed here, not in SQL: SQLite would sum NUMERIC values as floats.
    latest = [
        value
        for value in db.session.scalars(
            sa.select(Kpi.latest_value).where(Kpi.pilot_id == pilot_id, Kpi.is_savings.is_(True))
        )
        if value is not None
    ]
    realised_cents = int(round_half_up(sum(latest, Decimal(0))) * 100) if latest else None
    basis, savings_cents = choose_basis(realised_cents, pilot.estimated_annual_savings_cents)
    own = {code for code, _pop, _region in participants}
    query = sa.select(Municipality.code, Municipality.population).where(
        Municipality.code.not_in(own)
    )
    if codes is not None:
        unknown = sorted(
            set(codes)
            - set(
                db.session.scalars(sa.select(Municipality.code).where(Municipality.code.in_(codes)))
            )
        )
        if unknown:
            raise ProjectionInputError(
                {"codes": [f"Unknown municipality code(s): {', '.join(unknown)}."]}
            )
        query = query.where(Municipality.code.in_(codes))
        scope = "codes"
    elif scope == "region":
        query = query.where(Municipality.region_code.in_({r for _c, _p, r in participants}))
    elif scope != "national":
        raise ProjectionInputError({"scope": ["Use region, national or a list of codes."]})
    targets = {code: pop for code, pop in db.session.execute(query.order_by(Municipality.code))}
    population = sum(p for _c, p, _r in participants)
    projection = project(savings_cents, pilot.net_cost_cents, population, targets, basis)
    return ScaleUp(
        projection=projection,
        scope=scope,
        participant_population=population,
        annual_savings_cents=savings_cents,
        net_cost_cents=pilot.net_cost_cents,
        national_range_eur=NATIONAL_POTENTIAL_EUR[Track(pilot.track)],
        target_codes=sorted(targets),
    )
