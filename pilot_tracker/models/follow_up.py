"""The follow-up plan agreed with the vendor (jatkosuunnitelma) and the lessons learned."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, uid_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.user import User


class FollowUpItem(Base):
    """One item of the follow-up plan, owned by the vendor, a participant or the coordinator."""

    __tablename__ = "follow_up_items"
    __table_args__ = (
        sa.CheckConstraint(
            "(owner_kind = 'municipality') = (owner_municipality_code IS NOT NULL)",
            name="owner_municipality_iff_kind",
        ),
        sa.Index("ix_follow_up_items_pilot_status", "pilot_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    pilot_id: Mapped[int] = mapped_column(sa.ForeignKey("pilots.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner_kind: Mapped[OwnerKind] = mapped_column(enum_column(OwnerKind, "owner_kind"))
    owner_municipality_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("municipalities.code")
    )
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    status: Mapped[ItemStatus] = mapped_column(
        enum_column(ItemStatus, "item_status"), default=ItemStatus.OPEN
    )
    decision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("decisions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    comments: Mapped[list[FollowUpComment]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="FollowUpComment.id"
    )


class FollowUpComment(Base):
    """A comment on a follow-up item (the vendor's report on its own items, or anyone's)."""

    __tablename__ = "follow_up_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("follow_up_items.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")


class Lesson(Base):
    """What a pilot taught (kokeilun opit): recorded at evaluation or with a decision."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), index=True
    )
    decision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("decisions.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="raise")
