"""KPIs and their measurements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain.enums import Direction
from pilot_tracker.domain.kpi import KpiError, kpi_progress
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, uid_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.pilot import Pilot
    from pilot_tracker.models.user import User

VALUE = sa.Numeric(20, 4)


class Kpi(Base):
    """A KPI of a pilot. `latest_value`/`latest_on` mirror the newest measurement (by date),
    maintained by the KPI service so dashboards never scan every measurement."""

    __tablename__ = "kpis"
    __table_args__ = (
        sa.CheckConstraint("target <> baseline", name="target_differs"),
        # Realised savings: the savings KPIs' latest values by pilot, from the index alone.
        sa.Index("ix_kpis_savings", "is_savings", "pilot_id", "latest_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(50), default="")
    baseline: Mapped[Decimal] = mapped_column(VALUE)
    target: Mapped[Decimal] = mapped_column(VALUE)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    is_savings: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    latest_value: Mapped[Decimal | None] = mapped_column(VALUE)
    latest_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pilot: Mapped[Pilot] = relationship(back_populates="kpis", lazy="raise")
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="kpi",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(Measurement.measured_on, Measurement.id)",
    )

    @property
    def progress_percent(self) -> Decimal | None:
        """Percent of the way from baseline to target of the latest value (domain.kpi, one
        place, not clamped); None before the first measurement, and for a definition the
        formula cannot use (the schema refuses target = baseline, so only a row not saved)."""
        try:
            return kpi_progress(self.baseline, self.target, self.latest_value, self.direction)
        except KpiError:
            return None


class Measurement(Base):
    """One measured value of a KPI."""

    __tablename__ = "measurements"
    __table_args__ = (sa.Index("ix_measurements_kpi_date", "kpi_id", "measured_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    kpi_id: Mapped[int] = mapped_column(sa.ForeignKey("kpis.id", ondelete="CASCADE"))
    measured_on: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[Decimal] = mapped_column(VALUE)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    kpi: Mapped[Kpi] = relationship(back_populates="measurements", lazy="raise")
    recorded_by: Mapped[User | None] = relationship(lazy="raise")
