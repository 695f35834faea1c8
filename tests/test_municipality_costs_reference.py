"""The portfolio's cost by municipality is summed from the maintained money rows: on the demo
portfolio, unfiltered and with each kind of filter, it equals the sum of the participations'
shares by their pilots' commitment (the rule written out here in Python), and the pilot
counts equal the participations, stopped pilots included."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.dashboards.queries import net_cost_by_municipality
from pilot_tracker.domain.commitment import Commitment, commitment
from pilot_tracker.domain.enums import Stage, Theme, Track
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, Participation, Pilot
from pilot_tracker.services.pilot_filters import PilotFilters
from pilot_tracker.services.seed import seed_demo
from tests.conftest import Actors


def _chosen(filters: PilotFilters, p: Pilot, members: set[str], region: set[str]) -> bool:
    """The filters' rule in Python: `members` are the pilot's participants, `region` the
    filtered region's municipalities."""
    if filters.theme and p.theme is not filters.theme:
        return False
    if filters.track and p.track is not filters.track:
        return False
    if filters.stage and p.stage is not filters.stage:
        return False
    if filters.year:
        if p.start_date is None or p.start_date > date(filters.year, 12, 31):
            return False
        if p.end_date is not None and p.end_date < date(filters.year, 1, 1):
            return False
    return not filters.region or bool(members & region)


def _expected(filters: PilotFilters) -> dict[str, tuple[int, int, int]]:
    region = {
        code
        for code, region_code in db.session.execute(
            sa.select(Municipality.code, Municipality.region_code)
        )
        if region_code == filters.region
    }
    pilots = {p.id: p for p in db.session.scalars(sa.select(Pilot))}
    members = defaultdict(set)
    for pilot_id, code in db.session.execute(
        sa.select(Participation.pilot_id, Participation.municipality_code)
    ):
        members[pilot_id].add(code)

    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for pilot_id, code, share in db.session.execute(
        sa.select(
            Participation.pilot_id, Participation.municipality_code, Participation.share_cents
        )
    ):
        pilot = pilots[pilot_id]
        if not _chosen(filters, pilot, members[pilot_id], region) or (
            filters.region and code not in region
        ):
            continue
        kind = commitment(pilot.stage)
        if kind is Commitment.COMMITTED:
            sums[code][0] += share
        elif kind is Commitment.PROPOSED:
            sums[code][1] += share
        sums[code][2] += 1
    return {code: (v[0], v[1], v[2]) for code, v in sums.items()}


@pytest.mark.parametrize(
    "filters",
    [
        PilotFilters(),
        PilotFilters(region="06"),
        PilotFilters(track=Track.QUICK),
        PilotFilters(theme=Theme.FACILITY_BOOKING, year=2026),
        PilotFilters(stage=Stage.STOPPED),
        PilotFilters(region="06", stage=Stage.PILOTING),
    ],
    ids=["all", "region", "track", "theme-year", "stopped", "region-stage"],
)
def test_cost_by_municipality_equals_the_shares_by_commitment(
    app: Flask, actors: Actors, filters: PilotFilters
) -> None:
    with app.app_context():
        seed_demo(today=date(2026, 12, 2))
        found = {
            m.code: (m.committed_cents, m.proposed_cents, m.pilots)
            for m in net_cost_by_municipality(filters, actors.coordinator, "fi")
        }
        expected = _expected(filters)
        assert found and found == expected
        if filters == PilotFilters():
            assert len(found) > 20 and any(c and p for c, p, _ in found.values())
        if filters.stage is Stage.STOPPED:  # counted, but they pay nothing planned
            assert found and all(c == p == 0 for c, p, _ in found.values())
