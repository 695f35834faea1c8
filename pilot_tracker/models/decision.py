"""Go / no-go decisions at stage gates, with the snapshot the deciders saw."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, uid_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.pilot import Pilot
    from pilot_tracker.models.user import User


class Decision(Base):
    """A decision; `snapshot` freezes the pilot's KPIs and costs at the moment of deciding."""

    __tablename__ = "decisions"
    __table_args__ = (sa.Index("ix_decisions_pilot_date", "pilot_id", "decided_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilots.id", ondelete="CASCADE"))
    gate: Mapped[Gate] = mapped_column(enum_column(Gate, "gate"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    decided_on: Mapped[date] = mapped_column(sa.Date, index=True)
    decided_by: Mapped[str] = mapped_column(sa.String(200))
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up: Mapped[str] = mapped_column(sa.Text, default="")
    next_review: Mapped[date | None] = mapped_column(sa.Date, index=True)
    stage_before: Mapped[Stage] = mapped_column(enum_column(Stage, "stage_before"))
    stage_after: Mapped[Stage] = mapped_column(enum_column(Stage, "stage_after"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pilot: Mapped[Pilot] = relationship(back_populates="decisions", lazy="raise")
    recorded_by: Mapped[User | None] = relationship(lazy="raise")
