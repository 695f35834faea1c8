"""Decision support: "has someone already piloted this?" and "what would scaling save?".

Candidates come from the database's own text search (migration 0003), kept up to date by the
database on every change of a pilot: FTS5 with the trigram tokenizer on SQLite; the trigram
index (pg_trgm) and the tsvector index in the pilot's language on PostgreSQL. Each significant
word of the query becomes a *stem* (its first 60 %, 4 to 8 letters), searched as a substring:
"lupapalvelujen" → "lupapalv" finds "Sähköiset lupapalvelut" and "rakennuslupapalvelu",
"tilavarausjärjestelmä" → "tilavara" finds "Tilavaraus verkossa". On PostgreSQL each word is
also matched through the tsvector index, stemmed as Finnish, Swedish and English.

One SQL statement ranks the matching pilots by the stems they contain (longer stems and the
name's words weigh more, a stem in more than PER_STEM pilots nothing; same theme, shared
municipalities and region break ties), applies the user's visibility before the limit, and
returns the best CANDIDATES with what the ranking in Python (domain.similarity: trigram
similarity of the words) needs. A substring search per
stem reads each index once, where one big OR of trigrams or a relevance rank over every match
(FTS5's bm25, ts_rank) would score thousands of rows: 10 000 pilots take a few milliseconds.
Each stem reads at most PER_STEM + 1 of its matches, its texts' and its lessons' apart
before they are united: a stem in every pilot reads 101 rows, not the portfolio.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pilot_tracker.domain.enums import NATIONAL_POTENTIAL_EUR, Direction, Theme, Track
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.kpi import KpiError, kpi_progress
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.domain.projection import Projection, choose_basis, project
from pilot_tracker.domain.similarity import (
    PilotTraits,
    query_words,
    similarity_score,
    words,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Kpi, Municipality, Participation, Pilot, Vendor
from pilot_tracker.models.follow_up import Lesson
from pilot_tracker.permissions import scope_pilots

CANDIDATES = 40
PER_STEM = 100
MIN_SCORE = 0.12
MAX_STEMS = 6
MIN_STEM, MAX_STEM = 4, 8
# Ranking weights in SQL: a stem counts its length (twice for the name's words); the
# tie-breakers are about the size of one short stem.
NAME_FACTOR = 2
THEME_BONUS = 6
MUNICIPALITY_BONUS = 4
REGION_BONUS = 2
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
    # The language the name is written in (fi, sv, en): pages mark it (WCAG 3.1.2).
    language: str = "fi"
    outcomes: list[str] = field(default_factory=list)
    kpi_progress: list[tuple[str, Decimal | None]] = field(default_factory=list)


# --- the search --------------------------------------------------------------------------


def stem(word: str) -> str:
    """The part of a word searched as a substring: its first 60 %, 4 to 8 letters.

    Finnish inflects and compounds at the end ("tilavaraus", "tilavarausten",
    "tilavarausjärjestelmä"), so the beginning of a word is what its forms share.
    """
    length = max(MIN_STEM, min(MAX_STEM, -(-len(word) * 6 // 10)))
    return word[:length]


def search_stems(name: str, text: str) -> list[tuple[str, str, int]]:
    """(word, stem, weight) to search for: the name's words first, at most MAX_STEMS."""
    out: dict[str, tuple[str, str, int]] = {}
    name_words = set(words(name))
    for word in query_words(f"{name} {text}"):
        s = stem(word)
        weight = len(s) * (NAME_FACTOR if word in name_words else 1)
        if s not in out or out[s][2] < weight:
            out[s] = (word, s, weight)
    kept: list[tuple[str, str, int]] = []
    for item in sorted(out.values(), key=lambda item: -item[2]):
        # A stem inside another (or containing one) finds the same pilots again.
        if not any(item[1] in k[1] or k[1] in item[1] for k in kept):
            kept.append(item)
    return kept[:MAX_STEMS]


def _stem_match(postgres: bool, index: int) -> Any:
    """The condition "the pilot's name or summary contains stem `index`" (bound later)."""
    if postgres:
        # The trigram index finds the stem inside compounds; the first letter is left out
        # so that a capitalised word matches too (LIKE is much cheaper than ILIKE). The
        # tsvector index finds the word by its Finnish, Swedish or English stem.
        return sa.text(
            f"({PG_DOCUMENT} LIKE :like{index} OR to_tsvector({PG_CONFIG}, {PG_DOCUMENT}) @@ "
            f"(to_tsquery('finnish', :word{index}) || to_tsquery('swedish', :word{index}) "
            f"|| to_tsquery('english', :word{index})))"
        )
    return sa.text(f"pilot_search_fts MATCH :match{index}")


def _stem_params(postgres: bool, stems: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for index, (word, part, weight) in enumerate(stems):
        params[f"w{index}"] = weight
        params[f"lesson{index}"] = "%" + _like_escape(part[1:]) + "%"
        if postgres:
            params[f"like{index}"] = "%" + _like_escape(part[1:]) + "%"
            params[f"word{index}"] = "'" + word.replace("'", "''").replace("\\", "") + "'"
        else:
            params[f"match{index}"] = '"' + part.replace('"', '""') + '"'
    return params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@lru_cache(maxsize=256)
def _candidate_statement(
    postgres: bool,
    stems: int,
    theme: bool,
    codes: bool,
    regions: bool,
    exclude: bool,
    role: Any,
    vendor_id: int | None,
) -> Any:
    """The candidates' statement for one shape of lookup, built once (building it costs more
    than running it) and run with its parameters. Keyed by what scope_pilots reads of the
    user: the role and the vendor."""
    user = _ScopeUser(role, vendor_id)
    fts = sa.table("pilot_search_fts", sa.column("rowid", sa.Integer))
    members = []
    for index in range(stems):
        text: Any = sa.select(
            Pilot.id.label("id"),
            Pilot.theme.label("theme"),
            Pilot.lead_municipality_code.label("lead"),
            sa.bindparam(f"w{index}", type_=sa.Integer).label("w"),
        )
        if not postgres:
            text = text.join(fts, fts.c.rowid == Pilot.id)
        text = text.where(_stem_match(postgres, index))
        if exclude:
            text = text.where(Pilot.id != sa.bindparam("exclude", type_=sa.Integer))
        text = scope_pilots(text, user)
        if postgres:
            # Behind a MATERIALIZED CTE the limit cannot tempt PostgreSQL into a sequential
            # scan that computes to_tsvector for row after row: the CTE is planned for its
            # indexes and still read only as far as the limit below.
            inner: Any = text.cte(f"stem{index}").prefix_with("MATERIALIZED")
            text = sa.select(inner.c.id, inner.c.theme, inner.c.lead, inner.c.w)
        # A stem in thousands of pilots says little about any one of them: reading no more
        # than PER_STEM + 1 of its matches keeps a lookup's cost bounded whatever the
        # portfolio's size. The limit comes before the union with the lessons, whose
        # duplicates are removed by reading (hashing) every row: after it, a stem in every
        # pilot read every pilot.
        found = text.limit(PER_STEM + 1).subquery(f"found{index}")
        # The lessons learned are searched too: a pilot whose lesson has the stem is found
        # (once per stem, whether its text, its lessons or both have it).
        learned = (
            _lesson_member(index, exclude, user).limit(PER_STEM + 1).subquery(f"learned{index}")
        )
        either = sa.union(
            sa.select(found.c.id, found.c.theme, found.c.lead, found.c.w),
            sa.select(learned.c.id, learned.c.theme, learned.c.lead, learned.c.w),
        ).subquery(f"either{index}")
        capped = (
            sa.select(either.c.id, either.c.theme, either.c.lead, either.c.w)
            .limit(PER_STEM + 1)
            .subquery(f"capped{index}")
        )
        # A stem in more than PER_STEM pilots brings the ones read as candidates but adds
        # nothing to their rank: which of its matches were read is arbitrary (the order of
        # the table), and counted they outranked every pilot found by a rarer stem alone.
        common = sa.func.count().over() > PER_STEM
        weight = sa.case((common, 0), else_=capped.c.w)
        members.append(sa.select(capped.c.id, capped.c.theme, capped.c.lead, weight.label("w")))
    hits = sa.union_all(*members).subquery("hits")
    # Theme and lead municipality travel with the hits, so ranking needs no join per match.
    matched = (
        sa.select(hits.c.id, hits.c.theme, hits.c.lead, sa.func.sum(hits.c.w).label("text"))
        .group_by(hits.c.id, hits.c.theme, hits.c.lead)
        .subquery("matched")
    )
    rank: Any = matched.c.text
    if theme:
        same = matched.c.theme == sa.bindparam("theme", type_=Pilot.theme.type)
        rank = rank + sa.case((same, THEME_BONUS), else_=0)
    if codes:
        # Counted per match through the participations' primary key (pilot, municipality):
        # written as EXISTS, PostgreSQL hashes every participation of those municipalities
        # instead, a read that grows with the portfolio (4 600 rows at 10 000 pilots for a
        # pilot of 20 municipalities).
        shared = (
            sa.select(sa.func.count())
            .where(
                Participation.pilot_id == matched.c.id,
                Participation.municipality_code.in_(sa.bindparam("codes", expanding=True)),
            )
            .scalar_subquery()
        )
        rank = rank + sa.case((shared > 0, MUNICIPALITY_BONUS), else_=0)
    if regions:
        # The lead municipality's region: every participant's would cost a join per match.
        near = matched.c.lead.in_(
            sa.select(Municipality.code).where(
                Municipality.region_code.in_(sa.bindparam("regions", expanding=True))
            )
        )
        rank = rank + sa.case((near, REGION_BONUS), else_=0)
    top = (
        sa.select(matched.c.id, rank.label("rank"))
        .order_by(sa.desc("rank"), matched.c.id)
        .limit(CANDIDATES)
        .cte("top")
    )
    # Each candidate's municipalities, decisions and KPIs come along as JSON, so a lookup is
    # one query (the pilot page has a budget of 15).
    # The candidates' municipalities and regions in one grouped join over all 40 (a join
    # per candidate makes PostgreSQL hash the 308 municipalities 40 times).
    place_rows: Any = (
        sa.func.coalesce(
            sa.cast(
                sa.func.json_agg(
                    sa.func.json_build_array(
                        Participation.municipality_code, Municipality.region_code
                    )
                ),
                sa.Text,
            ),
            "[]",
        )
        if postgres
        else sa.func.json_group_array(
            sa.func.json_array(Participation.municipality_code, Municipality.region_code)
        )
    )
    grouped = (
        sa.select(Participation.pilot_id.label("pilot_id"), place_rows.label("rows"))
        .join(Municipality, Municipality.code == Participation.municipality_code)
        .where(Participation.pilot_id.in_(sa.select(top.c.id)))
        .group_by(Participation.pilot_id)
        .subquery("places")
    )
    places = grouped.c.rows
    decisions = _json_rows(
        postgres,
        [Decision.decided_on, Decision.id, Decision.outcome],
        sa.select().select_from(Decision),
        Decision.pilot_id == Pilot.id,
    )
    kpis = _json_rows(
        postgres,
        [Kpi.id, Kpi.name, Kpi.baseline, Kpi.target, Kpi.latest_value, Kpi.direction],
        sa.select().select_from(Kpi),
        Kpi.pilot_id == Pilot.id,
    )
    return (
        sa.select(
            Pilot.id,
            Pilot.name,
            Pilot.summary,
            Pilot.theme,
            Pilot.stage,
            Vendor.name,
            Pilot.language,
            places,
            decisions,
            kpis,
            _lesson_texts(postgres),
        )
        .join(top, top.c.id == Pilot.id)
        .outerjoin(Vendor, Vendor.id == Pilot.vendor_id)
        .outerjoin(grouped, grouped.c.pilot_id == Pilot.id)
        .order_by(top.c.rank.desc(), Pilot.id)
    )


def _lesson_member(index: int, exclude: bool, user: Any) -> Any:
    """The visible pilots with a lesson learned that contains stem `index` (its first letter
    left out, as on PostgreSQL above, so that a capitalised word matches too)."""
    # Each pilot once however many of its lessons match (the limit counts pilots), and the
    # lessons read first: joined to every pilot, SQLite scanned the pilots for lessons.
    learned = sa.select(Lesson.pilot_id).where(
        Lesson.text.like(sa.bindparam(f"lesson{index}"), escape="\\")
    )
    member = sa.select(
        Pilot.id.label("id"),
        Pilot.theme.label("theme"),
        Pilot.lead_municipality_code.label("lead"),
        sa.bindparam(f"w{index}", type_=sa.Integer).label("w"),
    ).where(Pilot.id.in_(learned))
    if exclude:
        member = member.where(Pilot.id != sa.bindparam("exclude", type_=sa.Integer))
    return scope_pilots(member, user)


def _lesson_texts(postgres: bool) -> Any:
    """A correlated subquery: the pilot's lessons learned as one text (for the ranking)."""
    joined = (
        sa.func.string_agg(Lesson.text, sa.literal_column("' '"))
        if postgres
        else sa.func.group_concat(Lesson.text, " ")
    )
    return sa.select(joined).where(Lesson.pilot_id == Pilot.id).scalar_subquery()


def _json_rows(postgres: bool, columns: list[Any], base: Any, where: Any) -> Any:
    """A correlated subquery: the rows of `columns` as a JSON array of arrays (text)."""
    rows: sa.ColumnElement[Any]
    if postgres:
        rows = sa.func.coalesce(
            sa.cast(sa.func.json_agg(sa.func.json_build_array(*columns)), sa.Text), "[]"
        )
    else:
        rows = sa.func.json_group_array(sa.func.json_array(*columns))
    return base.add_columns(rows).where(where).scalar_subquery()


def _loads(text: str | None) -> list[Any]:
    """JSON rows with exact numbers (KPI values are decimals, never floats)."""
    return list(json.loads(text or "[]", parse_float=Decimal, parse_int=Decimal))


@dataclass(frozen=True)
class _ScopeUser:
    """What permissions.scope_pilots reads of a user, for the cached statement."""

    role: Any
    vendor_id: int | None
    is_authenticated: bool = True


def _candidates(
    user: Any,
    stems: Sequence[tuple[str, str, int]],
    theme: Theme | None,
    codes: set[str],
    regions: set[str],
    exclude_id: int | None,
) -> list[Any]:
    """One statement: the visible pilots containing the stems, best CANDIDATES first, with
    their name, summary, theme, stage and vendor."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    signed_in = bool(getattr(user, "is_authenticated", False))
    statement = _candidate_statement(
        postgres,
        len(stems),
        theme is not None,
        bool(codes),
        bool(regions),
        exclude_id is not None,
        getattr(user, "role", None) if signed_in else None,
        getattr(user, "vendor_id", None) if signed_in else None,
    )
    params = _stem_params(postgres, stems)
    params.update(theme=theme, codes=sorted(codes), regions=sorted(regions), exclude=exclude_id)
    return list(db.session.execute(statement, params))


def _places(pilot_ids: Iterable[int]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    codes: dict[int, set[str]] = defaultdict(set)
    regions: dict[int, set[str]] = defaultdict(set)
    ids = list(pilot_ids)
    for pilot_id, code, region in db.session.execute(
        sa.select(Participation.pilot_id, Participation.municipality_code, Municipality.region_code)
        .join(Municipality, Municipality.code == Participation.municipality_code)
        .where(Participation.pilot_id.in_(ids))
    ):
        codes[pilot_id].add(code)
        regions[pilot_id].add(region)
    return codes, regions


def _theme(value: Any) -> Theme | None:
    try:
        return Theme(value) if value else None
    except ValueError:
        return None


def find_similar(
    user: Any,
    *,
    text: str,
    name: str = "",
    theme: str | Theme = "",
    municipalities: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[SimilarPilot]:
    """The pilots most like the description that `user` may see, best first.

    `text` is the name and summary (or whatever was typed), `name` the name alone. One query
    whatever the portfolio's size (none without a searchable word): the candidates with their
    municipalities, decisions and KPIs; one more when `municipalities` are given without
    their `regions`, or for `exclude_id`'s own places when neither is given.
    """
    stems = search_stems(name, text)
    if not stems:
        return []
    own_codes = set(municipalities or ())
    own_regions = set(regions or ())
    if exclude_id is not None and municipalities is None:
        codes_of, regions_of = _places([exclude_id])
        own_codes, own_regions = codes_of[exclude_id], own_regions | regions_of[exclude_id]
    elif own_codes and regions is None:
        own_regions = set(
            db.session.scalars(
                sa.select(Municipality.region_code)
                .where(Municipality.code.in_(own_codes))
                .distinct()
            )
        )
    theme_value = _theme(theme)
    rows = _candidates(user, stems, theme_value, own_codes, own_regions, exclude_id)
    me = PilotTraits(
        name or text,
        text,
        theme_value.value if theme_value else "",
        frozenset(own_codes),
        frozenset(own_regions),
    )
    query = query_words(text)
    scored = []
    details = {}
    for row in rows:
        pilot_id, other_name, summary, pilot_theme, stage, vendor, language = row[:7]
        places, decided, kpis, lessons = row[7:]
        pairs = _loads(places)
        other = PilotTraits(
            other_name,
            f"{other_name} {summary} {lessons}" if lessons else f"{other_name} {summary}",
            pilot_theme.value,
            frozenset(code for code, _region in pairs),
            frozenset(region for _code, region in pairs),
        )
        score = similarity_score(query, me, other)
        if score >= MIN_SCORE:
            scored.append(
                SimilarPilot(
                    pilot_id, other_name, score, stage.value, pilot_theme.value, vendor, language
                )
            )
            details[pilot_id] = (decided, kpis)
    scored.sort(key=lambda s: (-s.score, s.id))
    top = scored[:limit]
    for item in top:
        _attach_outcomes_and_kpis(item, *details[item.id])
    return top


def similar_to_pilot(user: Any, pilot: Pilot, limit: int = 5) -> list[SimilarPilot]:
    """Pilots like `pilot`, whose participations and their municipalities are loaded (the
    pilot page's): one query."""
    places = [p.municipality for p in pilot.current_participations]
    return find_similar(
        user,
        text=f"{pilot.name} {pilot.summary or ''}",
        name=pilot.name,
        theme=pilot.theme,
        municipalities={m.code for m in places},
        regions={m.region_code for m in places},
        exclude_id=pilot.id,
        limit=limit,
    )


def _attach_outcomes_and_kpis(item: SimilarPilot, decisions: str, kpis: str) -> None:
    """Decision outcomes oldest first and each KPI's progress, from the candidate's JSON."""
    for _day, _id, outcome in sorted(_loads(decisions), key=lambda d: (str(d[0]), int(d[1]))):
        item.outcomes.append(str(outcome))
    for _id, name, baseline, target, latest, direction in sorted(
        _loads(kpis), key=lambda k: int(k[0])
    ):
        try:
            progress = kpi_progress(
                Decimal(baseline),
                Decimal(target),
                None if latest is None else Decimal(latest),
                Direction(direction),
            )
        except (KpiError, ValueError):
            progress = None
        item.kpi_progress.append((str(name), progress))


# --- the projection ----------------------------------------------------------------------

SCOPES = ("region", "national")


@dataclass(frozen=True)
class Place:
    """A municipality of the register, as the projection needs it."""

    code: str
    name_fi: str
    name_sv: str
    region_code: str
    region_name: str
    population: int

    def name(self, language: str) -> str:
        """The Swedish name on Swedish pages, else the Finnish one."""
        return self.name_sv if language == "sv" else self.name_fi


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
    participant_codes: list[str] = field(default_factory=list)
    region_names: list[str] = field(default_factory=list)


class ProjectionInputError(ValueError):
    """Bad scope or codes; `errors` maps the parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def municipality_register() -> dict[str, Place]:
    """Every municipality of the register by code (one query, 308 rows)."""
    return {
        row.code: Place(
            row.code, row.name_fi, row.name_sv, row.region_code, row.region_name, row.population
        )
        for row in db.session.execute(
            sa.select(
                Municipality.code,
                Municipality.name_fi,
                Municipality.name_sv,
                Municipality.region_code,
                Municipality.region_name,
                Municipality.population,
            ).order_by(Municipality.code)
        )
    }


def realised_savings_cents(kpis: Iterable[Kpi]) -> int | None:
    """The sum of the latest values of the savings KPIs (€ → cents), None if none measured."""
    # Summed here, not in SQL: SQLite would sum NUMERIC values as floats.
    latest = [k.latest_value for k in kpis if k.is_savings and k.latest_value is not None]
    if not latest:
        return None
    return int(round_half_up(sum(latest, Decimal(0))) * 100)


def unknown_codes(codes: Iterable[str], register: dict[str, Place]) -> list[str]:
    """The codes that name no municipality of the register, sorted."""
    return sorted(set(codes) - set(register))


def scale_up_for(
    pilot: Pilot,
    scope: str = "region",
    codes: Iterable[str] | None = None,
    register: dict[str, Place] | None = None,
) -> ScaleUp:
    """Project the pilot's per-resident savings and cost onto a region, the nation or `codes`.

    `pilot` comes with its participations and KPIs loaded; `register` is
    municipality_register() (loaded here when not given: the only query). The targets never
    include the pilot's own participants.
    """
    places = register if register is not None else municipality_register()
    own = sorted(p.municipality_code for p in pilot.current_participations)
    own_regions = {places[c].region_code for c in own if c in places}
    if codes is not None:
        wanted = set(codes)
        unknown = unknown_codes(wanted, places)
        if unknown:
            raise ProjectionInputError(
                {"codes": [Message("unknown_municipality_codes", codes=tuple(unknown))]}
            )
        targets = [places[c] for c in sorted(wanted - set(own))]
        scope = "codes"
    elif scope == "region":
        targets = [p for p in places.values() if p.region_code in own_regions and p.code not in own]
    elif scope == "national":
        targets = [p for p in places.values() if p.code not in own]
    else:
        raise ProjectionInputError({"scope": [Message("projection_scope")]})
    basis, savings_cents = choose_basis(
        realised_savings_cents(pilot.kpis), pilot.estimated_annual_savings_cents
    )
    population = sum(places[c].population for c in own if c in places)
    projection = project(
        savings_cents,
        pilot.net_cost_cents,
        population,
        {p.code: p.population for p in targets},
        basis,
    )
    return ScaleUp(
        projection=projection,
        scope=scope,
        participant_population=population,
        annual_savings_cents=savings_cents,
        net_cost_cents=pilot.net_cost_cents,
        national_range_eur=NATIONAL_POTENTIAL_EUR[Track(pilot.track)],
        target_codes=sorted(p.code for p in targets),
        participant_codes=own,
        region_names=sorted({places[c].region_name for c in own if c in places}),
    )


def scale_up(pilot_id: int, scope: str = "region", codes: list[str] | None = None) -> ScaleUp:
    """scale_up_for() of the pilot with this id (the caller checks access first).

    Four queries: the pilot, its participations, its KPIs and the register; LookupError for
    a pilot that does not exist.
    """
    pilot = db.session.scalars(
        sa.select(Pilot)
        .where(Pilot.id == pilot_id)
        .options(selectinload(Pilot.participations), selectinload(Pilot.kpis))
    ).first()
    if pilot is None:
        raise LookupError(pilot_id)
    return scale_up_for(pilot, scope, codes)
