"""`/public`: pilots marked public, with only the fields API.md lists for the public API."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import segno
import sqlalchemy as sa
from flask import Response, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from pilot_tracker.domain.enums import Stage, Theme, Track
from pilot_tracker.domain.feedback import MAX_TEXT
from pilot_tracker.domain.text import neutralise
from pilot_tracker.extensions import csrf, db
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import label
from pilot_tracker.models import Decision, Municipality, Participation, Pilot, Vendor
from pilot_tracker.permissions import PUBLIC
from pilot_tracker.public import bp
from pilot_tracker.services import feedback
from pilot_tracker.services.follow_up import lessons_of
from pilot_tracker.services.pilot_filters import PilotFilters, apply_pilot_filters
from pilot_tracker.web import feedback_guard

E = TypeVar("E", bound=Enum)
PER_PAGE = 20
PUBLIC_TEXTS = 20  # the newest approved texts on a pilot's public page
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

    def pilot_filters(self) -> PilotFilters:
        """As the one pilot filter (services.pilot_filters)."""
        return PilotFilters(
            q=self.q,
            theme=self.theme,
            track=self.track,
            stage=self.stage,
            municipality=self.municipality,
        )


def public_pilots_query(filters: PublicFilters) -> sa.Select[Any]:
    """Public pilots only, with just what the page shows loaded (fixed number of queries)."""
    query = apply_pilot_filters(sa.select(Pilot), filters.pilot_filters(), PUBLIC)
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


# ---------------------------------------------------------------- one public pilot


@dataclass
class PublicKpi:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    latest: Decimal | None
    latest_on: Any
    progress: Decimal | None


def _public_pilot_or_404(pilot_id: int) -> Pilot:
    """A pilot marked public, with what its page shows; 404 for any other (or none)."""
    pilot = db.session.scalars(
        sa.select(Pilot)
        .where(Pilot.id == pilot_id, Pilot.is_public.is_(True))
        .options(
            selectinload(Pilot.participations).selectinload(Participation.municipality),
            selectinload(Pilot.vendor).load_only(Vendor.id, Vendor.name),
            selectinload(Pilot.kpis),
            selectinload(Pilot.decisions).load_only(
                Decision.id, Decision.pilot_id, Decision.gate, Decision.outcome, Decision.decided_on
            ),
        )
    ).first()
    if pilot is None:
        abort(404)
    return pilot


def _public_kpis(pilot: Pilot) -> list[PublicKpi]:
    rows = []
    for k in pilot.kpis:
        rows.append(
            PublicKpi(
                k.name,
                k.unit,
                k.baseline,
                k.target,
                k.latest_value,
                k.latest_on,
                k.progress_percent,
            )
        )
    return rows


def _pilot_page(pilot: Pilot, status: int = 200, refused: bool = False, **form: Any) -> Any:
    """The public page of one pilot, with the feedback form (refilled after a refusal)."""
    sv = current_language() == "sv"
    participants = sorted(
        pilot.current_participations,
        key=lambda p: p.municipality.name_sv if sv else p.municipality.name_fi,
    )
    lessons = lessons_of([pilot.id])[pilot.id]
    by_decision: dict[int | None, list[Any]] = {}
    for lesson in lessons:
        by_decision.setdefault(lesson.decision_id, []).append(lesson)
    decision_ids = {d.id for d in pilot.decisions}
    codes = {p.municipality_code for p in participants}
    body = render_template(
        "public/pilot.html",
        pilot=pilot,
        participants=participants,
        municipality_name=(lambda m: m.name_sv if sv else m.name_fi),
        names={p.municipality_code: p.municipality.name(current_language()) for p in participants},
        kpis=_public_kpis(pilot),
        decisions=sorted(pilot.decisions, key=lambda d: (d.decided_on, d.id), reverse=True),
        lessons_by_decision=by_decision,
        other_lessons=[x for x in lessons if x.decision_id not in decision_ids],
        satisfaction=feedback.summary(pilot.id, codes),
        texts=feedback.approved_texts(pilot.id, limit=PUBLIC_TEXTS),
        token=feedback_guard.form_token(pilot.id),
        honeypot=feedback_guard.HONEYPOT,
        max_text=MAX_TEXT,
        short_url=url_for("public.short_link", pilot_id=pilot.id, _external=True),
        thanks=request.args.get("thanks"),
        refused=refused,
        form=form,
        elsewhere=feedback.ELSEWHERE,
    )
    return body, status


@bp.get("/public/pilots/<int:pilot_id>")
def pilot(pilot_id: int) -> Any:
    """One public pilot: its KPI results, decisions with their lessons, the residents'
    satisfaction and the feedback form; 404 unless the pilot is public."""
    return _pilot_page(_public_pilot_or_404(pilot_id))


@bp.post("/public/pilots/<int:pilot_id>/feedback")
@csrf.exempt  # no account and no cookie needed: the signed form token does that work
def give_feedback(pilot_id: int) -> Any:
    """Store a resident's answer and go back to the page (303); every refusal gets the same
    422 page, whichever check refused (limits, honeypot, fill time, content)."""
    pilot_row = db.session.execute(
        sa.select(Pilot.id).where(Pilot.id == pilot_id, Pilot.is_public.is_(True))
    ).first()
    if pilot_row is None:
        abort(404)
    form = request.form
    raw_rating = form.get("rating", "")
    rating = int(raw_rating) if raw_rating in ("1", "2", "3", "4", "5") else 0
    text = str(form.get("text", ""))[: MAX_TEXT * 4]
    municipality = str(form.get("municipality", ""))[:20]
    try:
        if not feedback_guard.within_limits(pilot_id):
            raise feedback.FeedbackRefused("limit")
        if not feedback_guard.honeypot_empty(form):
            raise feedback.FeedbackRefused("honeypot")
        if not feedback_guard.token_ok(str(form.get("token", "")), pilot_id):
            raise feedback.FeedbackRefused("token")
        answer = feedback.submit(
            pilot_id,
            rating,
            text,
            municipality,
            current_language(),
            feedback.current_codes(pilot_id),
        )
    except feedback.FeedbackRefused:
        db.session.rollback()
        return _refusal_page(pilot_id, rating, text, municipality)
    thanks = "text" if answer.text else "rating"
    return redirect(
        url_for("public.pilot", pilot_id=pilot_id, thanks=thanks, _anchor="feedback"), 303
    )


def _refusal_page(pilot_id: int, rating: int, text: str, municipality: str) -> Any:
    """The same 422 page for every refusal: the form again, refilled, under one message."""
    pilot = db.session.scalars(
        sa.select(Pilot)
        .where(Pilot.id == pilot_id)
        .options(selectinload(Pilot.participations).selectinload(Participation.municipality))
    ).one()
    sv = current_language() == "sv"
    body = render_template(
        "public/feedback_refused.html",
        pilot=pilot,
        participants=sorted(
            pilot.current_participations,
            key=lambda p: p.municipality.name_sv if sv else p.municipality.name_fi,
        ),
        municipality_name=(lambda m: m.name_sv if sv else m.name_fi),
        token=feedback_guard.form_token(pilot.id),
        honeypot=feedback_guard.HONEYPOT,
        max_text=MAX_TEXT,
        short_url=None,
        thanks=None,
        refused=True,
        form={"rating": rating, "text": text[: MAX_TEXT * 2], "municipality": municipality},
        elsewhere=feedback.ELSEWHERE,
        feedback_heading="h1",
    )
    return body, 422


@bp.get("/f/<int:pilot_id>")
def short_link(pilot_id: int) -> Response:
    """The short link for posters and the piloted service: to the pilot's feedback form."""
    _public_pilot_or_404(pilot_id)
    return redirect(url_for("public.pilot", pilot_id=pilot_id, _anchor="feedback"), 302)


@bp.get("/public/pilots/<int:pilot_id>/qr.svg")
def qr_code(pilot_id: int) -> Response:
    """The short link as a QR code (SVG, prints sharp at any size); 404 unless public."""
    pilot = _public_pilot_or_404(pilot_id)
    url = url_for("public.short_link", pilot_id=pilot.id, _external=True)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=8, border=4, title=url, xmldecl=False, svgns=True
    )
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="feedback-{pilot.id}.svg"'
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


# ---------------------------------------------------------------- open data files

CSV_COLUMNS = (
    "id", "name", "summary", "theme", "track", "stage", "municipalities", "vendor",
    "budget_eur", "net_cost_eur", "decisions", "satisfaction_count", "satisfaction_mean",
)  # fmt: skip


def _public_rows() -> list[list[Any]]:
    """Every public pilot with the fields of the public list and its satisfaction KPI."""
    pilots = list(db.session.scalars(public_pilots_query(PublicFilters())))
    kpis = feedback.summaries(pilots)
    rows = []
    for p in pilots:
        s = kpis.get(p.id)
        rows.append(
            [
                p.id,
                p.name,
                p.summary,
                p.theme.value,
                p.track.value,
                p.stage.value,
                ",".join(sorted(c.municipality_code for c in p.current_participations)),
                p.vendor.name if p.vendor else "",
                Decimal(p.budget_cents) / 100,
                Decimal(p.net_cost_cents) / 100,
                ",".join(d.outcome.value for d in sorted(p.decisions, key=lambda d: d.decided_on)),
                s.overall.count if s else 0,
                s.overall.mean if s else None,
            ]
        )
    return rows


@bp.get("/public/pilots.csv")
def pilots_csv() -> Response:
    """The public pilots as CSV (CC BY 4.0): `;`, decimal comma and a BOM as the exports
    (Finnish and Swedish spreadsheets open it as columns); `?format=plain` for `,` and a
    decimal point, without BOM, for programs."""
    plain = request.args.get("format") == "plain"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if plain else ";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in _public_rows():
        cells = []
        for value in row:
            if value is None:
                cells.append("")
            elif isinstance(value, Decimal):
                text = f"{value:.2f}"
                cells.append(text if plain else text.replace(".", ","))
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(neutralise(str(value)))
        writer.writerow(cells)
    body = buffer.getvalue() if plain else "\ufeff" + buffer.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        'attachment; filename="kokeilusalkku-public-pilots.csv"'
    )
    return response


@bp.get("/public/dataset.jsonld")
def dataset() -> Response:
    """A DCAT-AP description of the open data (JSON-LD) at a stable URL, for harvesters such
    as avoindata.fi: titles in three languages, the CC BY 4.0 licence, the distributions."""
    landing = url_for("public.index", _external=True)
    licence = "http://creativecommons.org/licenses/by/4.0/"
    latest = db.session.scalar(
        sa.select(sa.func.max(Pilot.updated_at)).where(Pilot.is_public.is_(True))
    )

    def distribution(url: str, media: str, title: str) -> dict[str, Any]:
        return {
            "@type": "dcat:Distribution",
            "dcat:accessURL": {"@id": url},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": media,
            "dct:title": title,
            "dct:license": {"@id": licence},
        }

    document = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": url_for("public.dataset", _external=True),
        "@type": "dcat:Dataset",
        "dct:title": [
            {"@language": "fi", "@value": "Kuntien yhteiset digikokeilut"},
            {"@language": "sv", "@value": "Kommunernas gemensamma digitala försök"},
            {"@language": "en", "@value": "Joint digital pilots of Finnish municipalities"},
        ],
        "dct:description": [
            {
                "@language": "en",
                "@value": "The pilots their coordinators have made public: what is tried, by "
                "which municipalities and vendor, what it costs, what was decided, and the "
                "residents' satisfaction.",
            }
        ],
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": "Kokeilusalkku"},
        "dct:license": {"@id": licence},
        "dct:rights": "CC BY 4.0: name the source, Kokeilusalkku.",
        "dcat:landingPage": {"@id": landing},
        "dcat:keyword": ["kokeilu", "digitalisaatio", "kunnat", "försök", "pilots"],
        "dct:modified": latest.date().isoformat() if latest else None,
        "dcat:distribution": [
            distribution(url_for("public.pilots_csv", _external=True), "text/csv", "CSV"),
            distribution(
                url_for("public.pilots_csv", format="plain", _external=True),
                "text/csv",
                "CSV (comma, decimal point)",
            ),
            distribution(
                request.host_url.rstrip("/") + PUBLIC_API_PATH, "application/json", "JSON API"
            ),
        ],
    }
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/ld+json")
