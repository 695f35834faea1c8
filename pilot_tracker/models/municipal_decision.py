"""Each municipality's own decision at a gate of a joint pilot (kunnan päätös)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain.enums import Gate, Outcome
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, uid_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.municipality import Municipality
    from pilot_tracker.models.user import User


class MunicipalDecision(Base):
    """What one municipality's body decided at one gate; a participant's no_go made it
    leave, a newcomer's go at scale_up made it join (the participation records the dates)."""

    __tablename__ = "municipal_decisions"
    __table_args__ = (
        sa.Index("ix_municipal_decisions_pilot_gate", "pilot_id", "gate", "municipality_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilots.id", ondelete="CASCADE"))
    municipality_code: Mapped[str] = mapped_column(sa.ForeignKey("municipalities.code"), index=True)
    gate: Mapped[Gate] = mapped_column(enum_column(Gate, "gate"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    body: Mapped[Body] = mapped_column(enum_column(Body, "body"))
    decided_on: Mapped[date] = mapped_column(sa.Date)
    section: Mapped[str] = mapped_column(sa.String(40), default="")
    minutes_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship(lazy="raise")
    recorded_by: Mapped[User | None] = relationship(lazy="raise")
