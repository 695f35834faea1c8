"""Residents' feedback: storing an answer, moderating its text, and the satisfaction KPI.

A rating counts at once; a free text waits (`pending`) until a coordinator approves it.
Hiding erases the text for good (the rating still counts); deleting removes the whole answer
(a rating that is plainly abuse). Both are audited without the text itself, so that a hidden
text cannot come back through the pilot's history either."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from pilot_tracker.domain.enums import TextStatus
from pilot_tracker.domain.feedback import (
    MIN_GROUP,
    RATINGS,
    Distribution,
    Satisfaction,
    distribution,
    satisfaction,
    text_problem,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import Participation, Pilot, ResidentFeedback
from pilot_tracker.models.base import utcnow
from pilot_tracker.services import audit

ELSEWHERE = "elsewhere"
ACTIONS = ("approve", "hide", "delete")
AUDIT_ENTITY = "resident_feedback"


class FeedbackRefused(ValueError):
    """The answer is not stored; `reason` is for tests and logs, never for the answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def current_codes(pilot_id: int) -> set[str]:
    """The municipalities taking part now (those a respondent may name)."""
    return set(
        db.session.scalars(
            sa.select(Participation.municipality_code).where(
                Participation.pilot_id == pilot_id, Participation.left_on.is_(None)
            )
        )
    )


def submit(
    pilot_id: int,
    rating: int,
    text: str,
    municipality: str,
    language: str,
    participants: set[str],
    today: date | None = None,
) -> ResidentFeedback:
    """Store one answer; FeedbackRefused for a rating outside 1-5, a municipality that is
    not a participant (nor "elsewhere"), or a text that is too long or has a link."""
    if rating not in RATINGS:
        raise FeedbackRefused("rating")
    if municipality != ELSEWHERE and municipality not in participants:
        raise FeedbackRefused("municipality")
    text = text.strip()
    problem = text_problem(text)
    if problem:
        raise FeedbackRefused(problem)
    answer = ResidentFeedback(
        pilot_id=pilot_id,
        rating=rating,
        text=text,
        text_status=TextStatus.PENDING if text else TextStatus.NONE,
        municipality_code=None if municipality == ELSEWHERE else municipality,
        language=language if language in ("fi", "sv", "en") else "fi",
        submitted_on=today or date.today(),
    )
    db.session.add(answer)
    db.session.commit()
    return answer


def _rows(pilot_ids: list[int]) -> list[tuple[int, str | None, int, int]]:
    return [
        (pid, code, rating, n)
        for pid, code, rating, n in db.session.execute(
            sa.select(
                ResidentFeedback.pilot_id,
                ResidentFeedback.municipality_code,
                ResidentFeedback.rating,
                sa.func.count(),
            )
            .where(ResidentFeedback.pilot_id.in_(pilot_ids))
            .group_by(
                ResidentFeedback.pilot_id,
                ResidentFeedback.municipality_code,
                ResidentFeedback.rating,
            )
        )
    ]


def summary(pilot_id: int, participants: set[str]) -> Satisfaction | None:
    """The pilot's satisfaction KPI (one query), or None before any answer."""
    rows = [(code, rating, n) for _pid, code, rating, n in _rows([pilot_id])]
    return satisfaction(rows, participants) if rows else None


def summaries(pilots: list[Pilot]) -> dict[int, Satisfaction]:
    """The satisfaction KPI of each pilot that has answers (one query for them all); the
    pilots must be loaded with their participations."""
    by_pilot: dict[int, list[tuple[str | None, int, int]]] = {}
    for pid, code, rating, n in _rows([p.id for p in pilots]):
        by_pilot.setdefault(pid, []).append((code, rating, n))
    return {
        p.id: satisfaction(by_pilot[p.id], {c.municipality_code for c in p.current_participations})
        for p in pilots
        if p.id in by_pilot
    }


def approved_texts(pilot_id: int, limit: int | None = None) -> list[ResidentFeedback]:
    """Approved texts, newest first: the only texts anyone but a coordinator reads."""
    query = approved_texts_query(pilot_id)
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def approved_texts_query(pilot_id: int) -> sa.Select[ResidentFeedback]:
    """The approved texts as a query, for paginating."""
    return (
        sa.select(ResidentFeedback)
        .where(
            ResidentFeedback.pilot_id == pilot_id,
            ResidentFeedback.text_status == TextStatus.APPROVED,
        )
        .order_by(ResidentFeedback.submitted_on.desc(), ResidentFeedback.id.desc())
    )


def for_moderation(pilot_id: int) -> tuple[list[ResidentFeedback], list[ResidentFeedback], int]:
    """Pending texts (oldest first), approved texts (newest first), and how many were hidden."""
    rows = list(
        db.session.scalars(
            sa.select(ResidentFeedback)
            .where(
                ResidentFeedback.pilot_id == pilot_id,
                ResidentFeedback.text_status != TextStatus.NONE,
            )
            .order_by(ResidentFeedback.submitted_on, ResidentFeedback.id)
        )
    )
    pending = [r for r in rows if r.text_status is TextStatus.PENDING]
    approved = [r for r in rows if r.text_status is TextStatus.APPROVED][::-1]
    hidden = sum(1 for r in rows if r.text_status is TextStatus.HIDDEN)
    return pending, approved, hidden


def moderate(pilot_id: int, feedback_id: int, action: str) -> ResidentFeedback | None:
    """Approve, hide (the text erased, the rating kept) or delete (all of it) one answer of
    the pilot, audited without its text; None when there is no such answer."""
    answer = db.session.scalars(
        sa.select(ResidentFeedback).where(
            ResidentFeedback.id == feedback_id, ResidentFeedback.pilot_id == pilot_id
        )
    ).first()
    if answer is None or action not in ACTIONS:
        return None
    before = {"text_status": answer.text_status, "rating": answer.rating}
    if action == "delete":
        audit.record(
            "delete",
            AUDIT_ENTITY,
            answer.id,
            old={**before, "municipality_code": answer.municipality_code},
            pilot_id=pilot_id,
        )
        db.session.delete(answer)
        db.session.commit()
        return answer
    if answer.text_status in (TextStatus.NONE, TextStatus.HIDDEN):
        return answer  # nothing to approve or hide: the text is not there
    if action == "approve":
        answer.text_status = TextStatus.APPROVED
    else:
        answer.text_status = TextStatus.HIDDEN
        answer.text = ""
    answer.moderated_at = utcnow()
    audit.record(
        "update",
        AUDIT_ENTITY,
        answer.id,
        old=before,
        new={"text_status": answer.text_status, "rating": answer.rating},
        pilot_id=pilot_id,
    )
    db.session.commit()
    return answer


__all__ = [
    "ELSEWHERE",
    "FeedbackRefused",
    "Satisfaction",
    "approved_texts",
    "distribution",
    "for_moderation",
    "moderate",
    "submit",
    "summaries",
    "summary",
]


def municipality_names(codes: set[str]) -> dict[str, str]:
    """Names in the page's language for the given codes (one query)."""
    from pilot_tracker.language.i18n import current_language
    from pilot_tracker.models import Municipality

    language = current_language()
    return {
        m.code: m.name(language)
        for m in db.session.scalars(sa.select(Municipality).where(Municipality.code.in_(codes)))
    }


def _plain(d: Distribution) -> dict[str, Any]:
    return {
        "count": d.count,
        "mean": None if d.mean is None else f"{d.mean:.2f}",
        "distribution": {str(r): d.counts.get(r, 0) for r in RATINGS},
    }


def as_plain(s: Satisfaction | None) -> dict[str, Any]:
    """The KPI as JSON-ready values (mean as a two-decimal string), for the API and the
    decision snapshot; a pilot without answers has count 0 and mean None."""
    overall = s.overall if s is not None else distribution({})
    return {
        **_plain(overall),
        "municipalities": [
            {"code": code, **_plain(d)} for code, d in (s.by_municipality.items() if s else [])
        ],
        "min_group": MIN_GROUP,
    }


def for_municipality(code: str) -> list[tuple[int, str, Satisfaction]]:
    """The satisfaction KPI of each pilot the municipality takes part in that has answers,
    with the municipality's own figures only at MIN_GROUP answers (one query)."""
    member = sa.select(Participation.pilot_id).where(
        Participation.municipality_code == code, Participation.left_on.is_(None)
    )
    rows: dict[int, list[tuple[str | None, int, int]]] = {}
    names: dict[int, str] = {}
    for pid, name, mcode, rating, n in db.session.execute(
        sa.select(
            ResidentFeedback.pilot_id,
            Pilot.name,
            ResidentFeedback.municipality_code,
            ResidentFeedback.rating,
            sa.func.count(),
        )
        .join(Pilot, Pilot.id == ResidentFeedback.pilot_id)
        .where(ResidentFeedback.pilot_id.in_(member))
        .group_by(
            ResidentFeedback.pilot_id,
            Pilot.name,
            ResidentFeedback.municipality_code,
            ResidentFeedback.rating,
        )
    ):
        rows.setdefault(pid, []).append((mcode, rating, n))
        names[pid] = name
    result = [(pid, names[pid], satisfaction(r, {code})) for pid, r in rows.items()]
    return sorted(result, key=lambda item: (item[1].lower(), item[0]))
