"""Net cost has one definition: `Pilot.net_cost_cents`, the same in Python and in SQL (on
SQLite and PostgreSQL: run this file with TEST_DATABASE_URL too), NULLs included."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.money import MAX_CENTS
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, Pilot
from pilot_tracker.models.pilot import net_cost_sql
from tests.factories import make_pilot

CENTS = st.none() | st.integers(min_value=0, max_value=MAX_CENTS)


def _in_sql(budget: int | None, funding: int | None) -> int:
    def value(cents: int | None) -> sa.ColumnElement[int]:
        return sa.cast(sa.literal(cents), sa.BigInteger)

    return int(db.session.execute(sa.select(net_cost_sql(value(budget), value(funding)))).one()[0])


def test_python_side_is_budget_less_funding_never_negative() -> None:
    assert Pilot(budget_cents=100_000, external_funding_cents=30_000).net_cost_cents == 70_000
    assert Pilot(budget_cents=100_000, external_funding_cents=100_000).net_cost_cents == 0
    assert Pilot(budget_cents=100_000, external_funding_cents=150_000).net_cost_cents == 0
    # Not yet flushed (no defaults applied): no funding is none, no budget nothing.
    assert Pilot(budget_cents=100_000).net_cost_cents == 100_000
    assert Pilot(external_funding_cents=5).net_cost_cents == 0
    assert Pilot().net_cost_cents == 0


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=CENTS, funding=CENTS)
def test_sql_side_equals_python_side(app: Flask, budget: int | None, funding: int | None) -> None:
    with app.app_context():
        python = Pilot(budget_cents=budget, external_funding_cents=funding).net_cost_cents
        assert _in_sql(budget, funding) == python


def test_sql_edges(app: Flask) -> None:
    with app.app_context():
        assert _in_sql(100, None) == 100
        assert _in_sql(None, 100) == 0
        assert _in_sql(None, None) == 0
        assert _in_sql(100, 100) == 0
        assert _in_sql(100, 101) == 0
        assert _in_sql(MAX_CENTS, 0) == MAX_CENTS


def test_stored_pilots_filter_sort_and_sum_by_the_expression(app: Flask) -> None:
    with app.app_context():
        funded = make_pilot(budget_cents=12_000_000, funding_cents=3_000_000)
        unfunded = make_pilot(budget_cents=500_000, funding_cents=0)
        # More funding than budget: the service refuses it, the schema does not (an old row).
        over = make_pilot(budget_cents=200_000, funding_cents=100_000)
        db.session.execute(
            sa.update(Pilot).where(Pilot.id == over.id).values(external_funding_cents=900_000)
        )
        ids = (funded.id, unfunded.id, over.id)
        rows = db.session.execute(
            sa.select(Pilot.id, Pilot.net_cost_cents)
            .where(Pilot.id.in_(ids))
            .order_by(Pilot.net_cost_cents.desc())
        ).all()
        assert [(i, int(n)) for i, n in rows] == [
            (funded.id, 9_000_000),
            (unfunded.id, 500_000),
            (over.id, 0),
        ]
        db.session.expire_all()
        for pilot_id, cents in rows:
            assert db.session.get(Pilot, pilot_id).net_cost_cents == cents
        total = db.session.execute(
            sa.select(sa.func.sum(Pilot.net_cost_cents)).where(Pilot.id.in_(ids))
        ).scalar_one()
        assert int(total) == 9_500_000
        positive = db.session.execute(
            sa.select(Pilot.id).where(Pilot.id.in_(ids), Pilot.net_cost_cents > 0)
        ).scalars()
        assert sorted(positive) == sorted((funded.id, unfunded.id))


def test_outer_join_without_a_pilot_gives_zero(app: Flask) -> None:
    with app.app_context():
        row = db.session.execute(
            sa.select(Municipality.code, Pilot.net_cost_cents)
            .outerjoin(Pilot, sa.false())
            .order_by(Municipality.code)
            .limit(1)
        ).one()
        assert row[1] is not None and int(row[1]) == 0
