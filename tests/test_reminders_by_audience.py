"""send-reminders reads what is due once per audience (a vendor's users, a municipality's
council members, the coordinators together) and gives each user exactly what is due for
them alone: a coordinator all items of the pilots it coordinates, however many other
coordinators' items come before them in the portfolio's order."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Role, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import ReminderLog, User
from pilot_tracker.services import due_items as due_items_module
from pilot_tracker.services.due_items import due_items_for
from pilot_tracker.services.reminders import send_reminders
from tests.conftest import Actors
from tests.factories import make_pilot, make_user

TODAY = date.today()


def logged(user_id: int) -> set[str]:
    return set(
        db.session.scalars(sa.select(ReminderLog.item_key).where(ReminderLog.user_id == user_id))
    )


def test_every_user_gets_what_is_due_for_them_alone(
    app: Flask, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        other = make_user(Role.COORDINATOR, email="other-coordinator@example.com")
        colleague = make_user(
            Role.VENDOR, email="vendor-a2@example.com", vendor_id=actors.vendor_a.id
        )
        # The other coordinator's three pilots are overdue (stale): first in the portfolio.
        for n in range(3):
            make_pilot(
                ("418", "536"),
                vendor=actors.vendor_b,
                name=f"Toisen kokeilu {n}",
                stage=Stage.PILOTING,
                start_date=TODAY - timedelta(days=60),
                coordinator_id=other.id,
            )
        # The coordinator's one pilot has a status update due in five days: after them.
        mine = make_pilot(
            ("418",),
            vendor=actors.vendor_a,
            name="Oma kokeilu",
            stage=Stage.PILOTING,
            start_date=TODAY - timedelta(days=25),
            coordinator_id=actors.coordinator.id,
        )
        # A digest holds at most two items here: the old portfolio-wide page of two would
        # have held only the other coordinator's pilots.
        monkeypatch.setattr(due_items_module, "MAX_ITEMS", 2)
        users = list(db.session.scalars(sa.select(User).where(User.active.is_(True))))
        expected = {user.id: {item.key for item in due_items_for(user, TODAY)} for user in users}
        assert {key.split(":")[1] for key in expected[actors.coordinator.id]} == {str(mine.id)}
        assert len(expected[other.id]) == 2
        assert expected[colleague.id] == expected[actors.vendor_user.id] != set()
        assert expected[actors.other_vendor_user.id]
        report = send_reminders(TODAY)
        assert report.users == len(users)
        for user in users:
            assert logged(user.id) == expected[user.id], user.email
        assert report.items == sum(len(keys) for keys in expected.values())
