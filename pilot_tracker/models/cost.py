"""Cost entries of a pilot (actual costs) with their funded part and municipalities' shares."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain.enums import CostKind
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, uid_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.pilot import Pilot
    from pilot_tracker.models.user import User


class CostEntry(Base):
    """An invoice or booking in cents excluding VAT; negative for a credit note.

    `funded_cents` and the share rows are derived (domain/actual_costs.py) and stored, kept
    current by the costs service whenever an entry, the funding or the membership changes,
    so billing and sums are plain indexed queries.
    """

    __tablename__ = "cost_entries"
    __table_args__ = (
        sa.Index("ix_cost_entries_pilot_date", "pilot_id", "entry_date", "id"),
        sa.Index("ix_cost_entries_date", "entry_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilots.id", ondelete="CASCADE"))
    entry_date: Mapped[date] = mapped_column(sa.Date)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[CostKind] = mapped_column(enum_column(CostKind, "cost_kind"))
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    funded_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pilot: Mapped[Pilot] = relationship(lazy="raise")
    recorded_by: Mapped[User | None] = relationship(lazy="raise")
    shares: Mapped[list[CostShare]] = relationship(
        back_populates="entry",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="CostShare.municipality_code",
    )


class CostShare(Base):
    """A municipality's share of a cost entry's unfunded part, in cents."""

    __tablename__ = "cost_shares"
    __table_args__ = (
        # Billing: one municipality's shares in a period, read from this index in date order.
        sa.Index(
            "ix_cost_shares_billing",
            "municipality_code",
            "entry_date",
            "cost_entry_id",
            "share_cents",
        ),
    )

    cost_entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cost_entries.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_code: Mapped[str] = mapped_column(
        sa.ForeignKey("municipalities.code"), primary_key=True
    )
    # Copied from the entry (kept equal by the service) so billing never joins to filter.
    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), index=True
    )
    entry_date: Mapped[date] = mapped_column(sa.Date)
    share_cents: Mapped[int] = mapped_column(sa.BigInteger)

    entry: Mapped[CostEntry] = relationship(back_populates="shares", lazy="raise")
