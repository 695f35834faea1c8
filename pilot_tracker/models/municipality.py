"""The municipality register (Statistics Finland codes) and vendors."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pilot_tracker.models.base import Base


class Municipality(Base):
    """A Finnish municipality, keyed by its official 3-digit code."""

    __tablename__ = "municipalities"
    __table_args__ = (
        sa.CheckConstraint("length(code) = 3", name="code_three_digits"),
        sa.CheckConstraint("population >= 0", name="population_not_negative"),
    )

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    name_fi: Mapped[str] = mapped_column(sa.String(100))
    name_sv: Mapped[str] = mapped_column(sa.String(100))
    region_code: Mapped[str] = mapped_column(sa.String(2), index=True)
    region_name: Mapped[str] = mapped_column(sa.String(100))
    population: Mapped[int] = mapped_column(sa.Integer)
    population_year: Mapped[int] = mapped_column(sa.Integer)
    lat: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    lon: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))

    def name(self, locale: str = "fi") -> str:
        """The name in the interface language (Swedish in the Swedish interface)."""
        return self.name_sv if locale == "sv" else self.name_fi

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name_fi}>"
