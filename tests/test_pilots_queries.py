"""Pilot pages load in a fixed number of SQL statements, whatever a pilot holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, Stage
from pilot_tracker.extensions import db
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

EIGHT = ("418", "536", "980", "091", "049", "837", "853", "564")


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def build_pilot(
    actors: Actors,
    *,
    participants: tuple[str, ...],
    kpis: int,
    measurements: int,
    statuses: int,
    decisions: int,
    vendor: Any = None,
) -> int:
    """A pilot of the given size; every relation is present at least once (so both sizes
    run the same eager-load queries) and has an author (so the author loads run too)."""
    today = date.today()
    pilot = make_pilot(
        participants,
        stage=Stage.PLANNING,
        vendor=vendor or actors.vendor_a,
        coordinator_id=actors.coordinator.id,
    )
    # One commit at the end keeps building a large pilot fast.
    made = [
        add_kpi(
            pilot, f"KPI {i}", "kpl", Decimal(0), Decimal(100), Direction.INCREASE, commit=False
        )
        for i in range(kpis)
    ]
    for i in range(measurements):
        day = today - timedelta(days=i)
        add_measurement(
            made[i % kpis], day, Decimal(i), recorded_by_id=actors.admin.id, commit=False
        )
    for i in range(statuses):
        day = today - timedelta(days=i)
        author = actors.vendor_user.id
        add_status_update(pilot, Rag.GREEN, 10, f"Viikko {i}", day, author_id=author, commit=False)
    steps = [
        (Gate.START, Outcome.GO),
        (Gate.MIDPOINT, Outcome.CONTINUE),
        (Gate.MIDPOINT, Outcome.GO),
    ]
    for gate, outcome in steps[:decisions]:
        record_decision(
            pilot,
            gate,
            outcome,
            today,
            "ohjausryhmä",
            "Perustelu.",
            recorded_by_id=actors.admin.id,
            commit=False,
        )
    db.session.commit()
    return pilot.id


SMALL = {"participants": EIGHT[:2], "kpis": 1, "measurements": 1, "statuses": 1, "decisions": 1}
LARGE = {"participants": EIGHT, "kpis": 6, "measurements": 30, "statuses": 20, "decisions": 3}

PAGES = [
    "/pilots/{id}",
    "/pilots/{id}/history",
    "/pilots/{id}/edit",
    "/pilots/{id}/kpis/new",
    "/pilots/{id}/measurements/new",
    "/pilots/{id}/status/new",
    "/pilots/{id}/decisions/new",
    "/pilots/{id}/delete",
]


def statements_for(app: Flask, client: FlaskClient, path: str) -> list[str]:
    client.get(path)  # warm caches (compiled statements, templates) outside the count
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


def test_pilot_pages_query_count_does_not_grow_with_the_pilot(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        small = build_pilot(actors, **SMALL)
        large = build_pilot(actors, **LARGE)
    login_as(client, actors.admin)
    counts = {
        page: (
            len(statements_for(app, client, page.format(id=small))),
            len(statements_for(app, client, page.format(id=large))),
        )
        for page in PAGES
    }
    assert {page: small for page, (small, _large) in counts.items()} == {
        page: large for page, (_small, large) in counts.items()
    }
    # A guard against a page quietly starting to load more: the pilot page counts 18
    # statements today, the SAVEPOINT / ROLLBACK TO SAVEPOINT of the test's request-scoped
    # session and 16 queries (issue 5's 15 with the cost entries and their shares, then the
    # joint life's municipal decisions, follow-up plan and lessons, which share their queries
    # with the similar pilots' lessons and decisions), then the residents' satisfaction KPI
    # (one grouped query) and the planned gate meetings (one): 20. The same for a small and a
    # large pilot.
    assert max(small for small, _large in counts.values()) <= 20
    # A vendor's pilot page is scoped by vendor in the same query: still the same count.
    login_as(client, actors.vendor_user)
    assert len(statements_for(app, client, f"/pilots/{small}")) == len(
        statements_for(app, client, f"/pilots/{large}")
    )


def test_pilot_page_loads_the_large_pilot_completely(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        large = build_pilot(actors, **LARGE)
    login_as(client, actors.coordinator)
    html = client.get(f"/pilots/{large}").get_data(as_text=True)
    assert html.count('class="rag rag-green"') >= 20  # every status update, plus the header
    assert html.count('<details class="measurements">') == 6
    assert html.count('<article class="decision"') == 3
    assert 'class="pilot-charts"' in html  # the dashboards' chart section is wired in


def test_list_query_count_does_not_grow_with_the_pilots(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        build_pilot(actors, **SMALL)
    login_as(client, actors.coordinator)
    one = len(statements_for(app, client, "/pilots?sort=participants"))
    with app.app_context():
        for _ in range(7):
            build_pilot(actors, **{**SMALL, "participants": EIGHT}, vendor=actors.vendor_b)
    many = len(statements_for(app, client, "/pilots?sort=participants"))
    assert one == many
    filtered = len(statements_for(app, client, "/pilots?stale=no&region=06&q=Pilot&rag=green"))
    assert filtered == many


def test_vendor_home_query_count_does_not_grow_with_the_pilots(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        build_pilot(actors, **SMALL)
    login_as(client, actors.vendor_user)
    one = len(statements_for(app, client, "/my-pilots"))
    with app.app_context():
        for _ in range(5):
            build_pilot(actors, **{**SMALL, "kpis": 6, "measurements": 6})
    many = len(statements_for(app, client, "/my-pilots"))
    assert one == many


def _plan(sql: str, dialect: str) -> str:
    """The database's plan for `sql`, as text."""
    if dialect == "sqlite":
        rows = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)).all()
        return "\n".join(str(row[-1]) for row in rows)
    # Tiny test tables make a sequential scan and a sort the cheapest plan; forbid those
    # for this transaction so the plan shows whether the index *can* serve the order.
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_sort = off"))
    return "\n".join(row[0] for row in db.session.execute(sa.text("EXPLAIN " + sql)))


def test_the_pilot_lists_default_order_is_read_from_an_index(app: Flask, actors: Actors) -> None:
    """At 10 000 pilots sorting every row for the first page cost most of the list's time;
    ix_pilots_name_lower (migration 0007) serves the default order, both ways."""
    from pilot_tracker.pilots.queries import ListFilters, pilot_list_select

    with app.app_context():
        for name in ("Beta", "alpha", "Gamma"):
            make_pilot(("418",), name=name, coordinator_id=actors.coordinator.id)
        db.session.flush()
        dialect = db.engine.dialect.name
        coordinator = db.session.get(type(actors.coordinator), actors.coordinator.id)
        for order in ("asc", "desc"):
            query = pilot_list_select(ListFilters(order=order), coordinator).limit(25)
            sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = _plan(sql, dialect)
            assert "ix_pilots_name_lower" in plan, plan
            assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
            names = [p.name for p in db.session.scalars(query).unique()]
            expected = ["alpha", "Beta", "Gamma"]
            assert names == (expected if order == "asc" else expected[::-1])


def test_history_names_the_vendors_users_and_municipalities_its_values_refer_to(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    """Audit values hold ids and codes; the history shows names, looked up in one statement."""
    from pilot_tracker.services.pilots import load_pilot_for_update, update_pilot

    with app.app_context():
        pilot = make_pilot(("418", "536"), vendor=actors.vendor_a)
        pilot_id = pilot.id
        loaded = load_pilot_for_update(pilot_id)
        assert loaded is not None
        update_pilot(
            loaded,
            {
                "vendor_id": actors.vendor_b.id,
                "coordinator_id": actors.coordinator.id,
                "participants": ["418", "536", "980"],
            },
            expected_version=1,
        )
    login_as(client, actors.admin)
    with counted(app) as statements:
        html = client.get(f"/pilots/{pilot_id}/history").get_data(as_text=True)
    for name in ("Vendor A Oy", "Vendor B Oy", "Lempäälä (418)", "Ylöjärvi (980)"):
        assert name in html, name
    assert (actors.coordinator.name or actors.coordinator.email) in html
    lookups = [s for s in statements if "UNION ALL" in s]
    assert len(lookups) == 1 and "vendors" in lookups[0] and "municipalities" in lookups[0]
