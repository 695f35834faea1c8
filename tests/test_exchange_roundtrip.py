"""Round trip: export a portfolio, import it into an empty database, export again."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from pilot_tracker.domain.enums import (
    CostKind,
    Direction,
    Gate,
    Goal,
    Outcome,
    Rag,
    Role,
    SplitMethod,
    Stage,
    Theme,
    Track,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Pilot, User, Vendor
from pilot_tracker.services.costs import CostData, record_cost
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.exchange import SHEETS
from pilot_tracker.services.export import export_csv, export_xlsx
from pilot_tracker.services.importer import import_pilots
from pilot_tracker.services.pilots import load_pilot_for_update, update_pilot
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.factories import make_pilot, make_user, make_vendor

TODAY = date.today()


def build_portfolio() -> User:
    """Three pilots that use every column: manual, hybrid and equal splits, a vendor,
    text a spreadsheet would run as a formula, decisions up to scaling and stopped, cost
    entries with a credit note and a funding rate."""
    coordinator = make_user(Role.COORDINATOR, email="roundtrip@example.com")
    vendor = make_vendor("Kuntadigi Oy", "0201256-6")
    first = make_pilot(
        ("418", "536", "980"),
        method=SplitMethod.MANUAL,
        manual={"418": Decimal("50.00"), "536": Decimal("33.33"), "980": Decimal("16.67")},
        vendor=vendor,
        name='=HYPERLINK("http://evil")',
        summary='Rivi 1\nRivi 2; puolipiste, "lainaus"\n-alkaa miinuksella',
        stage=Stage.PLANNING,
        goals=[Goal.CUT_COSTS, Goal.BRAND],
        coordinator_id=coordinator.id,
        start_date=TODAY - timedelta(days=200),
        end_date=TODAY + timedelta(days=100),
        estimated_annual_savings_cents=4_500_012,
        is_public=True,
    )
    kpi = add_kpi(
        first, "@käyttäjät", "kpl", Decimal("-3.5"), Decimal("100.25"), Direction.INCREASE
    )
    savings = add_kpi(
        first,
        "Säästö",
        "€/v",
        Decimal("123456789012.3456"),
        Decimal("0"),
        Direction.DECREASE,
        is_savings=True,
    )
    add_measurement(kpi, TODAY - timedelta(days=60), Decimal("10"), "+ hyvä alku", coordinator.id)
    add_measurement(kpi, TODAY - timedelta(days=30), Decimal("40.1234"), "")
    add_measurement(savings, TODAY - timedelta(days=30), Decimal("1000000.5"), "\tsisennys")
    record_decision(
        first,
        Gate.START,
        Outcome.GO,
        TODAY - timedelta(days=90),
        "kunnanhallitus",
        "Aloitetaan.",
        follow_up="Sopimus toimittajan kanssa",
        next_review=TODAY,
        recorded_by_id=coordinator.id,
    )
    add_status_update(first, Rag.AMBER, 40, "Viivettä", TODAY - timedelta(days=20), coordinator.id)
    add_status_update(first, Rag.GREEN, 55, "Etenee", TODAY - timedelta(days=5))
    first = load_pilot_for_update(first.id)
    assert first is not None
    update_pilot(first, {"stage": Stage.EVALUATION}, first.version)
    record_decision(
        first, Gate.SCALE_UP, Outcome.GO, TODAY - timedelta(days=2), "valtuusto", "Laajennetaan."
    )
    chatbot = make_pilot(
        ("091", "049"),
        method=SplitMethod.HYBRID,
        equal_percent=Decimal("30.00"),
        budget_cents=10_000_001,
        funding_cents=4_000_000,
        external_funding_rate_percent=Decimal("85.00"),
        name="Chatbot",
        theme=Theme.E_SERVICES,
        track=Track.SLOW,
        stage=Stage.PILOTING,
    )
    record_cost(chatbot, CostData(TODAY - timedelta(days=40), 4_100_001, reference="=SUM(A1)"))
    record_cost(
        chatbot,
        CostData(TODAY - timedelta(days=20), 1_000_000, CostKind.OWN_WORK, "", "Työ; -tunnit"),
        recorded_by_id=coordinator.id,
    )
    record_cost(chatbot, CostData(TODAY - timedelta(days=10), -500_001, CostKind.OTHER, "CR-1"))
    stopped = make_pilot(("507",), method=SplitMethod.EQUAL, name="Lopetettu", vendor=vendor)
    record_decision(
        stopped, Gate.START, Outcome.NO_GO, TODAY - timedelta(days=10), "lautakunta", "Ei."
    )
    db.session.commit()
    return coordinator


def export_all(user: User) -> dict[str, Any]:
    files: dict[str, Any] = {s.name: export_csv(user, s) for s in SHEETS}
    files["xlsx"] = export_xlsx(user)
    return files


def empty_the_database() -> None:
    db.session.execute(sa.delete(Pilot))
    db.session.execute(sa.delete(Vendor))
    db.session.execute(sa.delete(AuditEntry))
    db.session.commit()


def cell_values(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    values = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    workbook.close()
    return values


def test_csv_round_trip_gives_identical_files(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        before = export_all(user)
        empty_the_database()
        csv_files = [(f"{s.name}.csv", before[s.name]) for s in SHEETS]
        report = import_pilots(csv_files, dry_run=False)
        assert report.problems == []
        after = export_all(user)
    costs = before["costs"].decode("utf-8-sig").splitlines()
    # Three entries; the credit note and funding (85 % of 41 000,01 € = 34 850,01) carried.
    assert len(costs) == 4 and ";-5000,01;other;CR-1;" in costs[3]
    assert costs[1].endswith(";34850,01") and ";'=SUM(A1);" in costs[1]
    for sheet in SHEETS:
        assert after[sheet.name] == before[sheet.name], sheet.name
    assert cell_values(after["xlsx"]) == cell_values(before["xlsx"])


def test_xlsx_round_trip_gives_identical_workbook_and_csv(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        before = export_all(user)
        empty_the_database()
        report = import_pilots([("portfolio.xlsx", before["xlsx"])], dry_run=False)
        assert report.problems == []
        after = export_all(user)
        stages = sorted(s.value for s in db.session.scalars(sa.select(Pilot.stage)))
    assert cell_values(after["xlsx"]) == cell_values(before["xlsx"])
    assert after["xlsx"] == before["xlsx"]  # fixed zip timestamps: even the bytes agree
    for sheet in SHEETS:
        assert after[sheet.name] == before[sheet.name], sheet.name
    assert stages == ["piloting", "scaling", "stopped"]
