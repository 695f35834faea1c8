"""The importer on the services: the bulk service functions it writes through (all or none,
each refusal by position) and the services' own rules, which the importer's report places at
the cell they concern."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, Stage, Theme
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Decision, Measurement, StatusUpdate
from pilot_tracker.services.decisions import DecisionRecord, add_decision_records
from pilot_tracker.services.importer import import_pilots
from pilot_tracker.services.pilots import PilotData, RowsValidationError, field_errors
from pilot_tracker.services.reporting import (
    NewMeasurement,
    NewStatusUpdate,
    add_kpi,
    add_measurement,
    add_measurements,
    add_status_updates,
)
from pilot_tracker.services.snapshots import decision_snapshot
from tests.factories import make_pilot
from tests.test_exchange_import import GOOD_FILES, GOOD_PILOTS, YESTERDAY, csv

TODAY = date.today()


def _audited(entity: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity == entity)
    )


def test_add_measurements_writes_each_keeps_the_latest_and_audits_each(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot()
        kpi = add_kpi(pilot, "Varaukset", "kpl", Decimal(0), Decimal(100), Direction.INCREASE)
        days = [TODAY - timedelta(days=n) for n in (3, 1, 2)]
        saved = add_measurements(
            [NewMeasurement(kpi, day, Decimal(n), f" {n} ") for n, day in enumerate(days)],
            commit=False,
        )
        assert [m.note for m in saved] == ["0", "1", "2"]
        assert (kpi.latest_on, kpi.latest_value) == (days[1], Decimal(1))
        assert _audited("measurement") == 3


def test_add_measurements_refuses_all_and_names_each_bad_one_by_position(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot()
        kpi = add_kpi(pilot, "Varaukset", "kpl", Decimal(0), Decimal(100), Direction.INCREASE)
        items = [
            NewMeasurement(kpi, TODAY, Decimal(1)),
            NewMeasurement(kpi, TODAY + timedelta(days=1), Decimal(2), "x" * 2001),
            NewMeasurement(kpi, date(1999, 12, 31), Decimal(3)),
        ]
        with pytest.raises(RowsValidationError) as caught:
            add_measurements(items, commit=False)
        rows = caught.value.rows
        assert sorted(rows) == [1, 2]
        assert [m.code for m in rows[1]["date"]] == ["measurement_in_future"]  # type: ignore[attr-defined]
        assert [m.code for m in rows[1]["note"]] == ["at_most_2000"]  # type: ignore[attr-defined]
        assert [m.code for m in rows[2]["date"]] == ["measurement_too_early"]  # type: ignore[attr-defined]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Measurement)) == 0


def test_add_measurement_is_the_bulk_rule_for_one(app: Flask) -> None:
    from pilot_tracker.services.pilots import PilotValidationError

    with app.app_context():
        pilot = make_pilot()
        kpi = add_kpi(pilot, "Varaukset", "kpl", Decimal(0), Decimal(100), Direction.INCREASE)
        with pytest.raises(PilotValidationError) as caught:
            add_measurement(kpi, TODAY + timedelta(days=1), Decimal(1), commit=False)
        assert not isinstance(caught.value, RowsValidationError)
        assert list(caught.value.errors) == ["date"]


def test_add_status_updates_mirrors_the_newest_and_refuses_all_for_one(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PLANNING)
        older, newer = TODAY - timedelta(days=5), TODAY - timedelta(days=1)
        with pytest.raises(RowsValidationError) as caught:
            add_status_updates(
                pilot,
                [
                    NewStatusUpdate(Rag.GREEN, 10, "Hyvä", older),
                    NewStatusUpdate(Rag.RED, 101, "  ", newer),
                ],
                commit=False,
            )
        assert sorted(caught.value.rows[1]) == ["progress_percent", "text"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusUpdate)) == 0
        add_status_updates(
            pilot,
            [
                NewStatusUpdate(Rag.AMBER, 20, "Uudempi", newer),
                NewStatusUpdate(Rag.GREEN, 10, "Vanhempi", older),
            ],
            commit=False,
        )
        assert (pilot.last_status_on, pilot.last_rag) == (newer, Rag.AMBER)
        assert _audited("status_update") == 2


def test_add_decision_records_keeps_them_as_recorded_and_moves_the_stage(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PLANNING)
        snapshot = decision_snapshot(pilot, [])
        record = DecisionRecord(
            gate=Gate.START,
            outcome=Outcome.GO,
            decided_on=TODAY - timedelta(days=2),
            decided_by=" hallitus ",
            rationale="Aloitetaan",
            stage_before=Stage.PLANNING,
            stage_after=Stage.PILOTING,
            snapshot=snapshot,
        )
        bad = DecisionRecord(**{**_fields(record), "decided_on": TODAY + timedelta(days=1)})
        with pytest.raises(RowsValidationError) as caught:
            add_decision_records(pilot, [record, bad], stage=Stage.PILOTING, commit=False)
        assert list(caught.value.rows) == [1] and list(caught.value.rows[1]) == ["date"]
        assert pilot.stage is Stage.PLANNING
        version = pilot.version
        moved = add_decision_records(pilot, [record], stage=Stage.PILOTING, commit=False)
        decision = db.session.scalars(sa.select(Decision)).one()
        assert moved is Stage.PLANNING
        assert (pilot.stage, pilot.version) == (Stage.PILOTING, version + 1)
        assert decision.decided_by == "hallitus" and decision.snapshot == snapshot
        assert add_decision_records(pilot, [], stage=Stage.PILOTING, commit=False) is None


def _fields(record: DecisionRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in DecisionRecord.__slots__}


def test_field_errors_are_the_pilot_rules_that_need_no_database() -> None:
    data = PilotData(
        name="x" * 201,
        theme=Theme.FACILITY_BOOKING,
        lead_municipality="091",
        participants=["049"],
        budget_cents=100,
        external_funding_cents=200,
        start_date=TODAY,
        end_date=TODAY - timedelta(days=1),
        language="de",
    )
    codes = {key: [m.code for m in messages] for key, messages in field_errors(data).items()}  # type: ignore[attr-defined]
    assert codes == {
        "name": ["name_too_long"],
        "language": ["text_language"],
        "lead_municipality": ["lead_not_participant"],
        "external_funding_cents": ["funding_above_budget"],
        "end_date": ["end_before_start"],
    }


def _codes(report: object) -> dict[tuple[str, int | None, str | None], str]:
    return {
        (p.source, p.row, p.column): getattr(p.message, "code", p.message)
        for p in report.problems  # type: ignore[attr-defined]
    }


def test_the_services_rules_come_back_at_the_cells_they_concern(app: Flask) -> None:
    pilots = GOOD_PILOTS.replace(b"P1;Tilavaraus;", b"P1;" + b"T" * 201 + b";").replace(
        b"P2;Lupapalvelu;permits;idea;418;per_capita;5000;;",
        b"P2;Lupapalvelu;permits;idea;418;per_capita;5000;6000;",
    )
    kpis = csv(
        """
pilot_ref;kpi_ref;name;unit;baseline;target;direction;is_savings
P1;K1;Varaukset;kpl/kk;0;500;decrease;false
"""
    )
    measurements = csv(
        f"""
pilot_ref;kpi_ref;date;value;note
P1;K1;{YESTERDAY};120,5;{"n" * 2001}
P1;K1;1999-12-31;1;
"""
    )
    statuses = csv(
        """
pilot_ref;date;rag;progress_percent;text
P2;2026-01-01;green;101;Etenee
"""
    )
    files = dict(GOOD_FILES)
    files.update(
        {
            "pilots.csv": pilots,
            "kpis.csv": kpis,
            "measurements.csv": measurements,
            "status_updates.csv": statuses,
        }
    )
    with app.app_context():
        report = import_pilots(list(files.items()), dry_run=True)
    assert _codes(report) == {
        ("pilots.csv", 2, "name"): "name_too_long",
        ("pilots.csv", 3, "external_funding_eur"): "funding_above_budget",
        ("kpis.csv", 2, "target"): "kpi_target_above",
        ("measurements.csv", 2, "note"): "at_most_2000",
        ("measurements.csv", 3, "date"): "measurement_too_early",
        ("status_updates.csv", 2, "progress_percent"): "progress_range",
    }


def test_a_new_vendor_is_made_by_the_vendor_service_and_refused_at_its_cell(app: Flask) -> None:
    long_name = b"V" * 201
    pilots = GOOD_PILOTS.replace(b"0204819-8;Kuntadigi Oy", b"0204819-8;" + long_name)
    with app.app_context():
        refused = import_pilots([*dict(GOOD_FILES, **{"pilots.csv": pilots}).items()], dry_run=True)
        made = import_pilots(GOOD_FILES, dry_run=True)
    assert _codes(refused) == {("pilots.csv", 2, "vendor_name"): "name_too_long_max"}
    assert made.problems == [] and made.new_vendors == [("0204819-8", "Kuntadigi Oy")]


def test_an_unknown_lead_is_named_as_unknown_not_as_no_participant(app: Flask) -> None:
    pilots = GOOD_PILOTS.replace(
        b"P2;Lupapalvelu;permits;idea;418;", b"P2;Lupapalvelu;permits;idea;999;"
    )
    with app.app_context():
        report = import_pilots([*dict(GOOD_FILES, **{"pilots.csv": pilots}).items()], dry_run=True)
    assert _codes(report) == {("pilots.csv", 3, "lead_municipality"): "unknown_municipality_code"}
