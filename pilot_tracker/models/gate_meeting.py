"""A planned meeting for a pilot's next gate: the steering group's or one municipality's."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pilot_tracker.domain.enums import Gate
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, utcnow


class GateMeeting(Base):
    """When a body meets to decide on a gate of the pilot. No municipality: the joint
    steering group (ohjausryhmä) meets; a municipality: its own body (`body`) does.
    `starts_at` is local time in Finland; without it the meeting is an all-day event."""

    __tablename__ = "gate_meetings"
    __table_args__ = (
        sa.CheckConstraint(
            "municipality_code IS NOT NULL OR body IS NULL", name="body_only_for_municipality"
        ),
        sa.Index("ix_gate_meetings_pilot_meets_on", "pilot_id", "meets_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilots.id", ondelete="CASCADE"))
    gate: Mapped[Gate] = mapped_column(enum_column(Gate, "gate"))
    meets_on: Mapped[date] = mapped_column(sa.Date)
    starts_at: Mapped[time | None] = mapped_column(sa.Time)
    municipality_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("municipalities.code"), index=True
    )
    body: Mapped[Body | None] = mapped_column(enum_column(Body, "body"), nullable=True)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
