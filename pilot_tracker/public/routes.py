"""`/public`: pilots marked public, with only the fields API.md lists for the public API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from pilot_tracker.domain.enums import Stage, Theme, Track
from pilot_tracker.extensions import db
from pilot_tracker.i18n import current_language
from pilot_tracker.labels import label
from pilot_tracker.models import Decision, Municipality, Participation, Pilot, Vendor
from pilot_tracker.public import bp
from pilot_tracker.services.follow_up import lessons_of

E = TypeVar("E", bound=Enum)
PER_PAGE = 20
PUBLIC_API_PATH = "/api/v1/public/pilots"


@dataclass
class PublicFilters:
    """Search, theme, track, stage and municipality; status and vendor are not public."""

    q: str = ""
    theme: Theme | None = None
    track: Track | None = None
    stage: Stage | None = None
    municipality: str = ""

    @classmethod
    def from_args(cls, args: Any) -> PublicFilters:
        """From the query string; a value that is not one of the choices filters nothing."""

        def one(key: str) -> str:
            return str(args.get(key) or "").strip()

        def enum(key: str, enum_cls: type[E]) -> E | None:
            return next((m for m in enum_cls if m.value == one(key)), None)

        code = one("municipality")
        return cls(
            q=one("q")[:200],
            theme=enum("theme", Theme),
            track=enum("track", Track),
            stage=enum("stage", Stage),
            municipality=code if len(code) == 3 and code.isdigit() else "",
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query parameters, the empty ones left out."""
        args = {
            "q": self.q,
            "theme": self.theme.value if self.theme else "",
            "track": self.track.value if self.track else "",
            "stage": self.stage.value if self.stage else "",
            "municipality": self.municipality,
        }
        return {k: v for k, v in args.items() if v}


def public_pilots_query(filters: PublicFilters) -> sa.Select[Any]:
    """Public pilots only, with just what the page shows loaded (fixed number of queries)."""
    query = sa.select(Pilot).where(Pilot.is_public.is_(True))
    if filters.q:
        query = query.where(
            sa.or_(
                Pilot.name.icontains(filters.q, autoescape=True),
                Pilot.summary.icontains(filters.q, autoescape=True),
            )
        )
    for column, value in (
        (Pilot.theme, filters.theme),
        (Pilot.track, filters.track),
        (Pilot.stage, filters.stage),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.municipality:
        query = query.where(
            sa.exists().where(
                Participation.pilot_id == Pilot.id,
                Participation.municipality_code == filters.municipality,
            )
        )
    return query.order_by(Pilot.name, Pilot.id).options(
        selectinload(Pilot.participations).selectinload(Participation.municipality),
        selectinload(Pilot.vendor).load_only(Vendor.id, Vendor.name),
        selectinload(Pilot.decisions).load_only(
            Decision.id, Decision.pilot_id, Decision.outcome, Decision.decided_on
        ),
    )


@bp.get("/public")
def index() -> str:
    """The open-data list of public pilots; anyone, no sign-in."""
    filters = PublicFilters.from_args(request.args)
    page = db.paginate(
        public_pilots_query(filters), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    municipalities = db.session.execute(
        sa.select(Municipality.code, Municipality.name_fi, Municipality.name_sv)
        .where(
            Municipality.code.in_(
                sa.select(Participation.municipality_code)
                .join(Pilot, Pilot.id == Participation.pilot_id)
                .where(Pilot.is_public.is_(True))
            )
        )
        .order_by(Municipality.name_fi)
    ).all()
    sv = current_language() == "sv"
    selects = [
        ("theme", _("Theme"), _enum_options(Theme), [filters.as_args().get("theme")]),
        ("track", _("Track"), _enum_options(Track), [filters.as_args().get("track")]),
        ("stage", _("Stage"), _enum_options(Stage), [filters.as_args().get("stage")]),
        (
            "municipality",
            _("Municipality"),
            [(c, n_sv if sv else n_fi) for c, n_fi, n_sv in municipalities],
            [filters.municipality],
        ),
    ]
    has_api = any(rule.rule == PUBLIC_API_PATH for rule in current_app.url_map.iter_rules())
    return render_template(
        "public/index.html",
        page=page,
        filters=filters,
        selects=selects,
        args=filters.as_args(),
        api_path=PUBLIC_API_PATH if has_api else None,
        municipality_name=(lambda m: m.name_sv if sv else m.name_fi),
        # What each public pilot taught: open data like the rest (one query for the page).
        lessons=lessons_of([p.id for p in page.items]),
    )


def _enum_options(enum_cls: type) -> list[tuple[str, str]]:
    return [(m.value, label(m)) for m in enum_cls]  # type: ignore[attr-defined]
