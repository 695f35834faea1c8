"""Residents' feedback on public pilots: a rating, an optional moderated text, a municipality.

Deliberately nothing that identifies anyone: no name, no e-mail, no address, no hash of an
address, no time of day (the day is enough for the figures), no user agent."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pilot_tracker.domain.enums import TextStatus
from pilot_tracker.models.base import Base, UTCDateTime, enum_column


class ResidentFeedback(Base):
    """One resident's answer; `municipality_code` is None for "elsewhere"."""

    __tablename__ = "resident_feedback"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        # The summary: counts by pilot, municipality and rating, from the index alone.
        sa.Index("ix_resident_feedback_summary", "pilot_id", "municipality_code", "rating"),
        sa.Index("ix_resident_feedback_texts", "pilot_id", "text_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilots.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    text_status: Mapped[TextStatus] = mapped_column(enum_column(TextStatus, "text_status"))
    municipality_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("municipalities.code"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(2))
    submitted_on: Mapped[date] = mapped_column(sa.Date)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
