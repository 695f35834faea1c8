"""Vendors that deliver pilots."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pilot_tracker.models.base import Base, UTCDateTime, utcnow


class Vendor(Base):
    """A vendor, identified by its Finnish business ID (Y-tunnus)."""

    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    business_id: Mapped[str] = mapped_column(sa.String(9), unique=True)
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Vendor {self.id} {self.business_id}>"
