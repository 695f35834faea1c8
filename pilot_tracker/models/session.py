"""Server-side records of browser sessions, so that signing out ends a session everywhere."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pilot_tracker.models.base import Base, UTCDateTime, utcnow


class UserSession(Base):
    """One signed-in browser; the cookie holds a random key, only its SHA-256 is stored.

    Every app server checks the row on every request, so deleting it (sign-out, timeout)
    ends the session on all of them at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
