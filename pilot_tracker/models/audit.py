"""The audit log: who changed what, when, with old and new values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pilot_tracker.models.base import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One create, update or delete. Deliberately no foreign keys: the entry outlives its
    record (a deleted pilot's history must stay readable)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_entity", "entity", "entity_id"),
        # A pilot's newest entries (the pilot page's history): read from the pilot's end of
        # the index, not by scanning the whole log in time order (migration 0018).
        sa.Index("ix_audit_log_pilot_at", "pilot_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(16))
    entity: Mapped[str] = mapped_column(sa.String(50))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    pilot_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    old: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
