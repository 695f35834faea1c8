"""Pilots, their strategic goals and their participating municipalities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilot_tracker.domain import cost_split
from pilot_tracker.domain.enums import Goal, Rag, SplitMethod, Stage, Theme, Track
from pilot_tracker.models.base import Base, UTCDateTime, enum_column, uid_column, utcnow

if TYPE_CHECKING:
    from pilot_tracker.models.decision import Decision
    from pilot_tracker.models.kpi import Kpi
    from pilot_tracker.models.municipality import Municipality
    from pilot_tracker.models.status import StatusUpdate
    from pilot_tracker.models.user import User
    from pilot_tracker.models.vendor import Vendor


def net_cost_sql(
    budget: sa.ColumnElement[int], funding: sa.ColumnElement[int]
) -> sa.ColumnElement[int]:
    """domain.cost_split.net_cost_cents as SQL, the same on SQLite and PostgreSQL (a CASE,
    no GREATEST): a NULL funding is none (the budget), a NULL budget nothing (0)."""
    unfunded = budget - sa.func.coalesce(funding, 0)
    return sa.case((budget > sa.func.coalesce(funding, 0), unfunded), else_=0)


class Pilot(Base):
    """A joint pilot. Money is in integer cents; `version` guards concurrent edits.

    `last_status_on` and `last_rag` mirror the newest status update, maintained by the
    status service, so lists and dashboards need no "latest row per pilot" query.
    """

    __tablename__ = "pilots"
    __table_args__ = (
        sa.CheckConstraint("budget_cents >= 0", name="budget_not_negative"),
        sa.CheckConstraint("external_funding_cents >= 0", name="funding_not_negative"),
        sa.CheckConstraint("estimated_annual_savings_cents >= 0", name="savings_not_negative"),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name="end_after_start",
        ),
        sa.Index("ix_pilots_stage_theme", "stage", "theme"),
        # The pilots ending soonest first (the due entries' past-end checks, a stage-free
        # timeline), and within each stage (the timeline of the active stages): both stop early.
        sa.Index("ix_pilots_end_date", "end_date"),
        sa.Index("ix_pilots_stage_end_date", "stage", "end_date"),
        # The first planned start of all (the dashboards' span of years) from one index end.
        sa.Index("ix_pilots_start_date", "start_date"),
        # The portfolio dashboard groups pilots by these four and sums the rest: SQLite reads
        # it all from this index in group order, with no table lookups and no sort.
        sa.Index(
            "ix_pilots_dashboard",
            "stage",
            "theme",
            "track",
            "last_rag",
            "last_status_on",
            "piloting_since",
            "budget_cents",
            "external_funding_cents",
            "estimated_annual_savings_cents",
            "start_date",
            "end_date",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = uid_column()
    name: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    theme: Mapped[Theme] = mapped_column(enum_column(Theme, "theme"))
    track: Mapped[Track] = mapped_column(enum_column(Track, "track"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"), default=Stage.IDEA)
    lead_municipality_code: Mapped[str] = mapped_column(
        sa.ForeignKey("municipalities.code"), index=True
    )
    vendor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vendors.id"), index=True)
    coordinator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    budget_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    external_funding_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    estimated_annual_savings_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    split_method: Mapped[SplitMethod] = mapped_column(
        enum_column(SplitMethod, "split_method"), default=SplitMethod.EQUAL
    )
    # The hybrid method's part shared equally (0-100, two decimals); None for other methods.
    equal_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    # The share of each actual cost the external funding pays; None: funding ÷ budget.
    external_funding_rate_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    is_public: Mapped[bool] = mapped_column(sa.Boolean, default=False, index=True)
    # The language the name and summary are written in (fi, sv, en; checked by the service,
    # since SQLite cannot add a CHECK to an existing table without rebuilding it); it picks
    # the PostgreSQL text-search configuration.
    language: Mapped[str] = mapped_column(sa.String(2), default="fi", server_default="fi")
    last_status_on: Mapped[date | None] = mapped_column(sa.Date)
    # The day the pilot entered `piloting` (the date of its start `go` decision, or of the
    # plain update that moved it there): one of the three dates of the stale rule.
    piloting_since: Mapped[date | None] = mapped_column(sa.Date)
    last_rag: Mapped[Rag | None] = mapped_column(enum_column(Rag, "last_rag"))
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lead_municipality: Mapped[Municipality] = relationship(lazy="raise")
    vendor: Mapped[Vendor | None] = relationship(lazy="raise")
    coordinator: Mapped[User | None] = relationship(lazy="raise")
    goals: Mapped[list[PilotGoal]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PilotGoal.goal"
    )
    participations: Mapped[list[Participation]] = relationship(
        back_populates="pilot",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Participation.municipality_code",
    )
    kpis: Mapped[list[Kpi]] = relationship(
        back_populates="pilot", lazy="raise", cascade="all, delete-orphan", order_by="Kpi.id"
    )
    status_updates: Mapped[list[StatusUpdate]] = relationship(
        back_populates="pilot",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(StatusUpdate.reported_on.desc(), StatusUpdate.id.desc())",
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="pilot",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(Decision.decided_on.desc(), Decision.id.desc())",
    )

    # Edits bump `version` themselves (status updates and measurements do not), and every
    # UPDATE of the row carries `WHERE version = <loaded>`, so a racing save is refused.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    @hybrid_property
    def net_cost_cents(self) -> int:
        """Budget minus external funding, never negative (domain.cost_split.net_cost_cents);
        in SQL too, as `Pilot.net_cost_cents`. No value (a pilot not yet flushed, a row of
        an outer join) counts as zero in both."""
        return cost_split.net_cost_cents(self.budget_cents or 0, self.external_funding_cents or 0)

    @net_cost_cents.inplace.expression
    @classmethod
    def _net_cost_cents_sql(cls) -> sa.ColumnElement[int]:
        return net_cost_sql(cls.budget_cents, cls.external_funding_cents)

    @property
    def current_participations(self) -> list[Participation]:
        """The participants taking part now; those that have left keep their row (their
        history) but no planned share. Needs `participations` loaded."""
        return [p for p in self.participations if p.left_on is None]

    @property
    def manual_shares(self) -> dict[str, Decimal] | None:
        """The manual split's percentages of the current participants (by code; a missing
        one as 0); None for the other methods. Needs `participations` loaded."""
        if self.split_method is not SplitMethod.MANUAL:
            return None
        return {
            p.municipality_code: p.manual_percent or Decimal(0) for p in self.current_participations
        }

    def share_percentages(self) -> dict[str, Decimal]:
        """Display percentages of the current participants' planned shares (by code, as
        domain.cost_split.share_percentages); empty when the stored shares no longer fit the
        register (a population since zeroed). Needs `participations` and their
        municipalities loaded."""
        current = self.current_participations
        try:
            return cost_split.share_percentages(
                {p.municipality_code: p.share_cents for p in current},
                self.split_method,
                {p.municipality_code: p.municipality.population for p in current},
                self.manual_shares,
                self.equal_percent,
            )
        except cost_split.CostSplitError:
            return {}

    def __repr__(self) -> str:
        return f"<Pilot {self.id} {self.stage}>"


class PilotGoal(Base):
    """One strategic goal of a pilot (a pilot has several)."""

    __tablename__ = "pilot_goals"

    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True
    )
    goal: Mapped[Goal] = mapped_column(enum_column(Goal, "goal"), primary_key=True)


class Participation(Base):
    """A municipality in a pilot with its cost share in cents (largest-remainder split)."""

    __tablename__ = "participations"
    __table_args__ = (
        sa.CheckConstraint("share_cents >= 0", name="share_not_negative"),
        sa.CheckConstraint(
            "manual_percent IS NULL OR (manual_percent >= 0 AND manual_percent <= 100)",
            name="manual_percent_range",
        ),
        # Net cost by municipality sums shares per municipality from this index alone, and
        # finds each share's pilot (its stage) without reading the participation's row.
        sa.Index(
            "ix_participations_municipality_pilot_share",
            "municipality_code",
            "pilot_id",
            "share_cents",
        ),
    )

    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_code: Mapped[str] = mapped_column(
        sa.ForeignKey("municipalities.code"), primary_key=True, index=True
    )
    share_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # None for a founding participant (from the beginning); left_on: no costs from that day.
    joined_on: Mapped[date | None] = mapped_column(sa.Date)
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    manual_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))

    pilot: Mapped[Pilot] = relationship(back_populates="participations", lazy="raise")
    municipality: Mapped[Municipality] = relationship(lazy="raise")
