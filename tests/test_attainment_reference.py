"""KPI attainment is counted from the maintained rows: on the demo portfolio (and after a
measurement in the same transaction) the portfolio's and a municipality's counts per bucket
equal the KPIs' own progress (domain.kpi) bucketed one by one, and a KPI whose rounded
progress reaches a bucket's edge is counted in the bucket the pilot page's figure says."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.dashboards.queries import municipality_kpi_attainment, portfolio_kpi_attainment
from pilot_tracker.domain.enums import Direction
from pilot_tracker.domain.kpi import ATTAINMENT_BUCKETS, KpiError, attainment_bucket, kpi_progress
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, Participation
from pilot_tracker.services.pilot_filters import PilotFilters
from pilot_tracker.services.reporting import add_measurement
from pilot_tracker.services.seed import seed_demo
from tests.conftest import Actors
from tests.factories import make_pilot


def _expected(pilot_ids: set[int] | None = None) -> dict[str, int]:
    counts = Counter({bucket: 0 for bucket in ATTAINMENT_BUCKETS})
    for kpi in db.session.scalars(sa.select(Kpi)):
        if pilot_ids is None or kpi.pilot_id in pilot_ids:
            try:
                progress = kpi_progress(kpi.baseline, kpi.target, kpi.latest_value, kpi.direction)
            except KpiError:  # no progress at all: in no bucket
                continue
            counts[attainment_bucket(progress)] += 1
    return dict(counts)


def test_attainment_equals_each_kpis_progress_on_the_demo(app: Flask, actors: Actors) -> None:
    with app.app_context():
        seed_demo(today=date(2026, 12, 2))
        found = portfolio_kpi_attainment(PilotFilters(), actors.coordinator)
        assert found == _expected()
        assert sum(found.values()) == db.session.scalar(sa.select(sa.func.count(Kpi.id)))
        assert len([b for b, n in found.items() if n]) >= 4  # a spread, not one bucket
        lempaala = set(
            db.session.scalars(
                sa.select(Participation.pilot_id).where(Participation.municipality_code == "418")
            )
        )
        assert municipality_kpi_attainment("418") == _expected(lempaala)


def test_a_new_measurement_moves_its_kpi_in_the_same_transaction(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(("091",))
        kpi = Kpi(
            pilot_id=pilot.id,
            name="Sähköiset varaukset",
            baseline=Decimal(0),
            target=Decimal(10000),
            direction=Direction.INCREASE,
        )
        db.session.add(kpi)
        db.session.flush()
        assert portfolio_kpi_attainment(PilotFilters(), actors.coordinator)["none"] == 1
        # 2 496 of 10 000 is 24.96 %, which the pilot page shows as 25.0 %: counted in 25–50 %.
        add_measurement(
            kpi, date(2026, 11, 30), Decimal(2496), today=date(2026, 12, 2), commit=False
        )
        found = portfolio_kpi_attainment(PilotFilters(), actors.coordinator)
        assert kpi_progress(kpi.baseline, kpi.target, kpi.latest_value, kpi.direction) == 25
        assert found["none"] == 0 and found["25_50"] == 1 and found["0_25"] == 0
