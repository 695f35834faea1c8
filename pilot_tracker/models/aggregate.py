"""Maintained aggregates: rows derived from a pilot's stored data, kept current in the same
transaction as every write that changes them (`services.aggregates`).

`DueEntry` is one potential due item (PRODUCT.md, "What is due") with the day it starts to
show (`shows_on`) and its due date where that is a function of stored data alone; the due
service reads `shows_on <= today` through an index and decides overdue vs due at read time.
`MoneyYear` is a pilot's planned net cost (municipality NULL) or one participant's planned
share, spread over calendar years (`year` NULL: unscheduled) by `domain.by_year`, per
commitment (`domain.commitment`); a whole pilot's row also holds its planned budget before
funding spread the same way (`budget_cents`, the portfolio's budget against actual costs).
`KpiAttainment` counts a pilot's KPIs per attainment bucket (`domain.kpi.attainment_bucket`
of the progress the pilot page shows).

`PilotTotal` holds one pilot's contribution to each of the portfolio's totals (a
municipality's shares by commitment and its pilots, the money by commitment and year,
decisions by month and outcome, KPIs by attainment bucket, savings, due items by the day they
show and become overdue); `PortfolioTotal` is their sum over every pilot, kept by adding the
difference of a pilot's contributions whenever its rows are refreshed. The unfiltered
portfolio reads a few hundred total rows instead of summing every pilot's rows. A pilot's
contributions have no foreign key on purpose: when a pilot is deleted they are still there
for the refresh to subtract.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pilot_tracker.models.base import Base


class DueEntry(Base):
    """One potential due item of a pilot; see `services.aggregates.due_rows`."""

    __tablename__ = "due_entries"
    __table_args__ = (
        # Covering what the due service filters, counts and orders by: the page is chosen
        # from the index alone, only its rows are read from the table.
        sa.Index(
            "ix_due_entries_shows_on",
            "shows_on",
            "overdue_from",
            "kind",
            "due_on",
            "pilot_id",
            "ref_id",
            "municipality_code",
            "ref_code",
        ),
        sa.Index("ix_due_entries_municipality", "municipality_code", "shows_on"),
        # The page of a user who sees every entry: each kind's entries in page order, walked
        # from the start (services.due._bounded_page).
        sa.Index(
            "ix_due_entries_order",
            "kind",
            "due_on",
            "pilot_id",
            "ref_id",
            "municipality_code",
            "overdue_from",
            "shows_on",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(24))
    # The first day the item is shown (due or overdue).
    shows_on: Mapped[date] = mapped_column(sa.Date)
    # The first day it is overdue (date.max: never, a KPI never measured).
    overdue_from: Mapped[date] = mapped_column(sa.Date)
    # Its due date; NULL where it moves with today (a status update with nothing to count
    # from: today; a measurement: the month's end, or the previous month's once missed).
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    municipality_code: Mapped[str | None] = mapped_column(sa.String(3))
    ref_id: Mapped[int | None] = mapped_column(sa.Integer)
    ref_text: Mapped[str] = mapped_column(sa.String(200), default="")
    ref_code: Mapped[str] = mapped_column(sa.String(40), default="")
    ref_date: Mapped[date | None] = mapped_column(sa.Date)


class MoneyYear(Base):
    """Planned money of one pilot (or one participant's share) in one calendar year."""

    __tablename__ = "money_by_year"
    __table_args__ = (
        # Covering the sums by commitment and year (municipality_code IS NULL: whole pilots),
        # filtered ones too (the pilot last, for the join to the filtered pilots).
        sa.Index(
            "ix_money_by_year_municipality",
            "municipality_code",
            "commitment",
            "year",
            "cents",
            "budget_cents",
            "pilot_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), index=True
    )
    municipality_code: Mapped[str | None] = mapped_column(sa.String(3))
    commitment: Mapped[str] = mapped_column(sa.String(12))
    year: Mapped[int | None] = mapped_column(sa.Integer)
    cents: Mapped[int] = mapped_column(sa.BigInteger)
    # The budget before external funding over the same years; NULL on a participant's rows.
    budget_cents: Mapped[int | None] = mapped_column(sa.BigInteger)


class KpiAttainment(Base):
    """How many of a pilot's KPIs are in one attainment bucket."""

    __tablename__ = "kpi_attainment"
    # Covering the counts by bucket (the portfolio's), and by pilot (a municipality's).
    __table_args__ = (sa.Index("ix_kpi_attainment_bucket", "bucket", "kpis"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pilots.id", ondelete="CASCADE"), index=True
    )
    bucket: Mapped[str] = mapped_column(sa.String(10))
    kpis: Mapped[int] = mapped_column(sa.Integer)


class PilotTotal(Base):
    """One pilot's contribution `amount` to the portfolio total (`measure`, `key`)."""

    __tablename__ = "pilot_totals"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: a deleted pilot's contributions are subtracted before they go.
    pilot_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    measure: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(48))
    amount: Mapped[int] = mapped_column(sa.BigInteger)


class PortfolioTotal(Base):
    """The sum of every pilot's contribution to (`measure`, `key`); rows at zero are removed."""

    __tablename__ = "portfolio_totals"
    # SQLite: the rows stored in their key's order (a range of one measure's keys is read
    # from the table itself, no second lookup).
    __table_args__ = ({"sqlite_with_rowid": False},)

    measure: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
