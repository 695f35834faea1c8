"""The portfolio's "others" row counts each pilot with a participant outside the shown
municipalities once (dashboards/queries.distinct_pilots_outside): the unfiltered count,
read as "pilots with participants less those whose every participant is shown", equals the
plain count of distinct pilots over every participation outside the shown ones, for every
choice of shown municipalities; and the filtered count (the other formulation) agrees."""

from __future__ import annotations

from itertools import combinations

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.dashboards.queries import distinct_pilots_outside
from pilot_tracker.domain.enums import SplitMethod, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Participation, Pilot
from pilot_tracker.services.pilot_filters import PilotFilters
from tests.conftest import Actors
from tests.factories import make_pilot

CODES = ("418", "536", "980", "091", "049")
# Participant sets: one alone, pairs inside and across, all five, and a pilot whose only
# participation is removed below (no participants at all: never counted).
PARTICIPANTS = (
    ("418",),
    ("091",),
    ("418", "536"),
    ("536", "049"),
    ("980", "091", "049"),
    CODES,
    ("049",),
)


def _brute_force(shown: tuple[str, ...]) -> int:
    rows = db.session.execute(sa.select(Participation.pilot_id, Participation.municipality_code))
    return len({pilot for pilot, code in rows if code not in shown})


def test_the_others_count_equals_the_distinct_pilots_outside_for_every_shown_set(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        for index, participants in enumerate(PARTICIPANTS):
            make_pilot(
                participants,
                method=SplitMethod.EQUAL,
                stage=Stage.PILOTING if index % 2 else Stage.PLANNING,
                budget_cents=10_000,
                funding_cents=0,
            )
        emptied = make_pilot(("536",), method=SplitMethod.EQUAL, budget_cents=100, funding_cents=0)
        db.session.execute(sa.delete(Participation).where(Participation.pilot_id == emptied.id))
        db.session.flush()
        unfiltered = PilotFilters()
        piloting_only = PilotFilters(stage=Stage.PILOTING)  # a condition: the other path
        checked = 0
        for size in range(len(CODES) + 1):
            for shown in combinations(CODES, size):
                want = _brute_force(shown)
                assert distinct_pilots_outside(unfiltered, actors.coordinator, shown) == want
                # The filtered path, against its own brute force over the piloting pilots.
                rows = db.session.execute(
                    sa.select(Participation.pilot_id, Participation.municipality_code)
                    .join(Pilot, Pilot.id == Participation.pilot_id)
                    .where(Pilot.stage == Stage.PILOTING)
                ).all()
                piloting = len({p for p, code in rows if code not in shown})
                assert distinct_pilots_outside(piloting_only, actors.coordinator, shown) == piloting
                checked += 1
        assert checked == 2 ** len(CODES)
        assert _brute_force(()) == len(PARTICIPANTS)  # the emptied pilot is in no count
