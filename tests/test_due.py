"""What is due: the one service behind the pages and GET /api/v1/due (PRODUCT.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask

from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, Stage
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.due import DueKind, due_items
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.conftest import Actors
from tests.factories import make_pilot

TODAY = date(2026, 12, 2)


def _decide(pilot, gate, outcome, on, next_review=None):  # type: ignore[no-untyped-def]
    return record_decision(
        pilot, gate, outcome, on, "kunnanhallitus", "Perustelu.", next_review=next_review
    )


def test_an_overdue_review_a_due_review_and_none_after_a_newer_decision(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        overdue = make_pilot(("418", "536"), stage=Stage.PLANNING, name="Myöhässä")
        _decide(
            overdue, Gate.START, Outcome.GO, TODAY - timedelta(days=200), TODAY - timedelta(days=20)
        )
        soon = make_pilot(("418",), stage=Stage.PLANNING, name="Pian")
        _decide(
            soon, Gate.START, Outcome.GO, TODAY - timedelta(days=10), TODAY + timedelta(days=30)
        )
        far = make_pilot(("418",), stage=Stage.PLANNING, name="Kaukana")
        _decide(far, Gate.START, Outcome.GO, TODAY - timedelta(days=10), TODAY + timedelta(days=91))
        resolved = make_pilot(("418",), stage=Stage.PLANNING, name="Ratkaistu")
        _decide(
            resolved,
            Gate.START,
            Outcome.GO,
            TODAY - timedelta(days=200),
            TODAY - timedelta(days=20),
        )
        _decide(resolved, Gate.MIDPOINT, Outcome.CONTINUE, TODAY - timedelta(days=5))
        due = due_items(actors.coordinator, TODAY)
        reviews = [
            (i.pilot_name, i.overdue, i.due_on) for i in due.items if i.kind is DueKind.REVIEW
        ]
    assert reviews == [
        ("Myöhässä", True, TODAY - timedelta(days=20)),
        ("Pian", False, TODAY + timedelta(days=30)),
    ]


def test_status_updates_overdue_when_stale_due_a_week_before(app: Flask, actors: Actors) -> None:
    with app.app_context():
        stale = make_pilot(
            ("418",), stage=Stage.PILOTING, name="Hiljainen", start_date=TODAY - timedelta(days=100)
        )
        add_status_update(
            stale, Rag.GREEN, 10, "Hyvin.", reported_on=TODAY - timedelta(days=31), today=TODAY
        )
        soon = make_pilot(
            ("418",), stage=Stage.PILOTING, name="Pian", start_date=TODAY - timedelta(days=100)
        )
        add_status_update(
            soon, Rag.GREEN, 10, "Hyvin.", reported_on=TODAY - timedelta(days=24), today=TODAY
        )
        fresh = make_pilot(
            ("418",), stage=Stage.PILOTING, name="Tuore", start_date=TODAY - timedelta(days=100)
        )
        add_status_update(
            fresh, Rag.GREEN, 10, "Hyvin.", reported_on=TODAY - timedelta(days=10), today=TODAY
        )
        make_pilot(
            ("418",),
            stage=Stage.PLANNING,
            name="Suunnitteilla",
            start_date=TODAY - timedelta(days=100),
        )
        due = due_items(actors.coordinator, TODAY)
        updates = [
            (i.pilot_name, i.overdue, i.due_on)
            for i in due.items
            if i.kind is DueKind.STATUS_UPDATE
        ]
    assert updates == [
        ("Hiljainen", True, TODAY - timedelta(days=1)),
        ("Pian", False, TODAY + timedelta(days=6)),
    ]


def test_past_end_and_measurements(app: Flask, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(
            ("418",),
            stage=Stage.PILOTING,
            name="Ohi",
            start_date=TODAY - timedelta(days=300),
            end_date=TODAY - timedelta(days=3),
        )
        add_status_update(pilot, Rag.GREEN, 10, "Hyvin.", reported_on=TODAY, today=TODAY)
        missed = add_kpi(pilot, "Käyttäjät", "hlöä", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(missed, date(2026, 10, 15), Decimal(3), today=TODAY)
        this_month = add_kpi(pilot, "Varaukset", "kpl", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(this_month, date(2026, 11, 20), Decimal(3), today=TODAY)
        done = add_kpi(pilot, "Valmis", "kpl", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(done, date(2026, 12, 1), Decimal(3), today=TODAY)
        due = due_items(actors.coordinator, TODAY)
        got = [(i.kind, i.overdue, i.due_on, i.ref_text) for i in due.items]
    assert got == [
        (DueKind.PAST_END, True, TODAY - timedelta(days=3), ""),
        (DueKind.MEASUREMENT, True, date(2026, 11, 30), "Käyttäjät"),
        (DueKind.MEASUREMENT, False, date(2026, 12, 31), "Varaukset"),
    ]
    assert (due.total, due.overdue_total) == (3, 2)


def test_vendors_see_only_their_pilots_and_kinds(app: Flask, actors: Actors) -> None:
    with app.app_context():
        mine = make_pilot(("418",), stage=Stage.PLANNING, vendor=actors.vendor_a, name="Oma")
        _decide(
            mine, Gate.START, Outcome.GO, TODAY - timedelta(days=200), TODAY - timedelta(days=20)
        )
        theirs = make_pilot(("418",), stage=Stage.PLANNING, vendor=actors.vendor_b, name="Muiden")
        _decide(
            theirs, Gate.START, Outcome.GO, TODAY - timedelta(days=200), TODAY - timedelta(days=20)
        )
        vendor = due_items(actors.vendor_user, TODAY)
        coordinator = due_items(actors.coordinator, TODAY)
    assert {(i.pilot_name, i.kind) for i in vendor.items} == {("Oma", DueKind.STATUS_UPDATE)}
    assert {(i.pilot_name, i.kind) for i in coordinator.items} == {
        ("Oma", DueKind.STATUS_UPDATE),
        ("Oma", DueKind.REVIEW),
        ("Muiden", DueKind.STATUS_UPDATE),
        ("Muiden", DueKind.REVIEW),
        # 418 has no decision of its own at the midpoint gate the overdue reviews lead to.
        ("Oma", DueKind.MUNICIPAL_DECISION),
        ("Muiden", DueKind.MUNICIPAL_DECISION),
    }


def test_a_council_members_municipality_comes_first_and_the_filter_narrows(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        other = make_pilot(("091",), stage=Stage.PLANNING, name="Helsinki")
        _decide(
            other, Gate.START, Outcome.GO, TODAY - timedelta(days=300), TODAY - timedelta(days=100)
        )
        home = make_pilot(("418",), stage=Stage.PLANNING, name="Lempäälä")
        _decide(
            home, Gate.START, Outcome.GO, TODAY - timedelta(days=200), TODAY - timedelta(days=10)
        )
        tied = [i.pilot_name for i in due_items(actors.council_tied, TODAY).items]
        untied = [i.pilot_name for i in due_items(actors.council, TODAY).items]
        narrowed = due_items(actors.council, TODAY, municipality="091")
    # Lempäälä's review, status update and its own decision at the gate, then Helsinki's.
    assert tied[:3] == ["Lempäälä"] * 3 and set(tied[3:]) == {"Helsinki"}
    assert untied[0] == "Helsinki"
    assert {i.pilot_name for i in narrowed.items} == {"Helsinki"}


def test_nothing_for_the_signed_out(app: Flask) -> None:
    with app.app_context():
        assert due_items(None, TODAY).total == 0


@pytest.mark.parametrize("limit", [1, 2])
def test_pages_of_items_and_the_total(app: Flask, actors: Actors, limit: int) -> None:
    with app.app_context():
        for n in range(3):
            make_pilot(
                ("418",),
                stage=Stage.PILOTING,
                name=f"P{n}",
                start_date=TODAY - timedelta(days=90 + n),
            )
        first = due_items(actors.coordinator, TODAY, limit=limit)
        rest = due_items(actors.coordinator, TODAY, limit=10, offset=limit)
    assert first.total == 3 and len(first.items) == limit
    assert [i.pilot_name for i in first.items + rest.items] == ["P2", "P1", "P0"]


def test_narrowed_to_a_municipality_only_its_own_decisions_are_due(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        shared = make_pilot(("418", "536"), stage=Stage.PLANNING, name="Yhteinen")
        _decide(
            shared, Gate.START, Outcome.GO, TODAY - timedelta(days=200), TODAY - timedelta(days=20)
        )
        everyone = due_items(actors.council, TODAY, kinds=[DueKind.MUNICIPAL_DECISION])
        narrowed = due_items(
            actors.council, TODAY, municipality="418", kinds=[DueKind.MUNICIPAL_DECISION]
        )
    assert sorted(i.municipality for i in everyone.items) == ["418", "536"]
    assert [i.municipality for i in narrowed.items] == ["418"]
