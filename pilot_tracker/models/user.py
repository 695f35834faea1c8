"""Users, their roles and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain.enums import Role
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.municipality import Municipality
    from pilot_tracker.models.vendor import Vendor


class User(UserMixin, Base):
    """A signed-in person; `session_nonce` changes to end every session of the user."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'vendor') = (vendor_id IS NOT NULL)", name="vendor_iff_vendor_role"
        ),
        sa.CheckConstraint(
            "municipality_code IS NULL OR role = 'council'", name="municipality_only_council"
        ),
        sa.CheckConstraint(
            "home_municipality_code IS NULL OR role = 'council'", name="home_only_council"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    municipality_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("municipalities.code"), index=True
    )
    # A council member not tied to a municipality may choose one as their home (profile).
    home_municipality_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("municipalities.code"), index=True
    )
    vendor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vendors.id"), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    language: Mapped[str | None] = mapped_column(sa.String(5))
    session_nonce: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality | None] = relationship(
        lazy="raise", foreign_keys=[municipality_code]
    )
    vendor: Mapped[Vendor | None] = relationship(lazy="raise")

    @property
    def home_code(self) -> str | None:
        """The municipality whose dashboard is the user's home and whose items come first
        in what is due: the one an admin tied them to, else the one they chose."""
        return self.municipality_code or self.home_municipality_code

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Deactivated users cannot sign in and their sessions end."""
        return self.active

    def get_id(self) -> str:
        """Session id: the nonce makes a deactivation or password reset end old sessions."""
        return f"{self.id}:{self.session_nonce}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(Base):
    """A bearer token; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")
