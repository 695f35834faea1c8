"""Vendor status updates (RAG, progress)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain.enums import Rag
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, uid_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.pilot import Pilot
    from pilot_tracker.models.user import User


class StatusUpdate(Base):
    """A status report on a pilot."""

    __tablename__ = "status_updates"
    __table_args__ = (
        sa.CheckConstraint(
            "progress_percent >= 0 AND progress_percent <= 100", name="progress_range"
        ),
        sa.Index("ix_status_updates_pilot_date", "pilot_id", "reported_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilots.id", ondelete="CASCADE"))
    reported_on: Mapped[date] = mapped_column(sa.Date)
    rag: Mapped[Rag] = mapped_column(enum_column(Rag, "rag"))
    progress_percent: Mapped[int] = mapped_column(sa.Integer)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pilot: Mapped[Pilot] = relationship(back_populates="status_updates", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
