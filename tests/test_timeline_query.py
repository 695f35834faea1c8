"""The portfolio timeline's pilots (dashboards/queries.timeline, read stage by stage from
ix_pilots_stage_end_date): the dated pilots of the timeline's stages that end soonest, ties
by id, at most `limit`, exactly as one sort of every pilot gives them, filtered or not; the
pilots of other stages that ended earlier do not take their places."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.charts.portfolio import ACTIVE_STAGES
from pilot_tracker.dashboards.queries import timeline
from pilot_tracker.domain.enums import SplitMethod, Stage, Track
from pilot_tracker.extensions import db
from pilot_tracker.models import Pilot
from pilot_tracker.services.pilot_filters import PilotFilters
from tests.conftest import Actors
from tests.factories import make_pilot

START = date(2024, 1, 1)


def _reference(stages: tuple[Stage, ...], track: Track | None, limit: int) -> list[int]:
    rows = db.session.execute(
        sa.select(Pilot.id, Pilot.stage, Pilot.track, Pilot.start_date, Pilot.end_date)
    ).all()
    dated = [
        (r.end_date, r.id)
        for r in rows
        if Stage(r.stage) in stages
        and r.start_date is not None
        and r.end_date is not None
        and (track is None or Track(r.track) is track)
    ]
    return [pilot_id for _, pilot_id in sorted(dated)[:limit]]


def test_the_timeline_is_the_soonest_ending_dated_pilots_of_its_stages(
    app: Flask, actors: Actors
) -> None:
    rng = random.Random(20261204)
    with app.app_context():
        for n in range(60):
            stage = rng.choice(list(Stage))
            start = START + timedelta(days=rng.randrange(0, 400))
            # Scaled and stopped pilots ended long ago; the active ones later, some on the
            # same day (ties by id); a few without dates.
            early = stage in (Stage.SCALING, Stage.STOPPED)
            end = start + timedelta(days=rng.randrange(1, 60) if early else rng.choice((90, 200)))
            dated = rng.random() > 0.1
            pilot = make_pilot(
                ("418", "536"),
                method=SplitMethod.EQUAL,
                name=f"Aikajana {n}",
                stage=Stage.PLANNING,
                track=rng.choice(list(Track)),
                budget_cents=10_000,
                funding_cents=0,
                start_date=start if dated else None,
                end_date=end if dated else None,
            )
            pilot.stage = stage  # as its decisions would have left it (no gate in question)
            db.session.flush()
        checked = 0
        for filters, stages, track in (
            (PilotFilters(), ACTIVE_STAGES, None),
            (PilotFilters(track=Track.QUICK.value), ACTIVE_STAGES, Track.QUICK),
            (PilotFilters(stage=Stage.STOPPED), (Stage.STOPPED,), None),
        ):
            for limit in (1, 5, 12, 100):
                got = [item.pilot_id for item in timeline(filters, actors.coordinator, limit)]
                assert got == _reference(stages, track, limit), (filters, limit)
                checked += 1
        assert checked == 12
        # The case the index is for: earlier endings of other stages are passed over.
        first = timeline(PilotFilters(), actors.coordinator, 1)
        ended_earlier = db.session.scalar(
            sa.select(sa.func.count(Pilot.id)).where(
                Pilot.stage.in_([Stage.SCALING, Stage.STOPPED]),
                Pilot.end_date < first[0].end,
            )
        )
        assert ended_earlier
