"""Importing pilots: every problem named by sheet, row and column; all or nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from openpyxl import Workbook

from pilot_tracker.domain.enums import SplitMethod, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    AuditEntry,
    Decision,
    Kpi,
    Measurement,
    Participation,
    Pilot,
    StatusUpdate,
    Vendor,
)
from pilot_tracker.services.importer import import_pilots
from tests.factories import make_vendor

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def csv(text: str) -> bytes:
    return ("\ufeff" + text.strip().replace("\n", "\r\n") + "\r\n").encode()


GOOD_PILOTS = csv(
    """
ref;name;theme;stage;lead_municipality;split_method;budget_eur;external_funding_eur;vendor_business_id;vendor_name;public
P1;Tilavaraus;facility_booking;piloting;091;manual;120000,00;20000,00;0204819-8;Kuntadigi Oy;true
P2;Lupapalvelu;permits;idea;418;per_capita;5000;;;;false
"""
)
GOOD_PARTICIPANTS = csv(
    """
pilot_ref;municipality_code;manual_percent
P1;091;60,00
P1;049;40,00
P2;418;
P2;536;
"""
)
GOOD_KPIS = csv(
    """
pilot_ref;kpi_ref;name;unit;baseline;target;direction;is_savings
P1;K1;Varaukset;kpl/kk;0;500;increase;false
"""
)
GOOD_MEASUREMENTS = csv(
    f"""
pilot_ref;kpi_ref;date;value;note
P1;K1;{YESTERDAY};120,5;ensimmäinen kuukausi
"""
)
GOOD_FILES = [
    ("pilots.csv", GOOD_PILOTS),
    ("participants.csv", GOOD_PARTICIPANTS),
    ("kpis.csv", GOOD_KPIS),
    ("measurements.csv", GOOD_MEASUREMENTS),
]


def counts() -> dict[str, int]:
    models = (Pilot, Participation, Vendor, Kpi, Measurement, StatusUpdate, Decision, AuditEntry)
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0
        for m in models
    }


def cells(report) -> set[tuple[str, int | None, str | None]]:  # type: ignore[no-untyped-def]
    return {(p.source, p.row, p.column) for p in report.problems}


BROKEN_PILOTS = csv(
    """
ref;name;theme;lead_municipality;split_method;budget_eur;vendor_business_id;vendor_name;start_date
P1;Hyvä;permits;091;manual;1000,00;0201256-6;Kuntadigi Oy;2026-01-15
P2;Huono;parking;999;equal;12,345;1234567-8;Toinen Oy;31.2.2026
P3;Skaalattu;geodata;091;equal;0;;;
"""
)
BROKEN_PARTICIPANTS = csv(
    """
pilot_ref;municipality_code;manual_percent
P1;091;50
P1;049;40
P2;999;
P3;091;
P9;091;
"""
)
BROKEN_KPIS = csv(
    """
pilot_ref;kpi_ref;name;baseline;target;direction
P1;K1;Käyttäjät;0;100;up
P1;K2;Tasan;5;5;increase
"""
)
BROKEN_STATUSES = csv(
    """
pilot_ref;date;rag;progress_percent;text
P1;2026-01-01;purple;50;Etenee
P1;2999-01-01;green;150;Tulevaisuudesta
"""
)
BROKEN_DECISIONS = csv(
    """
pilot_ref;date;gate;outcome;decided_by;rationale;stage_before;stage_after
P3;2026-01-01;start;go;hallitus;Aloitetaan;idea;scaling
"""
)
BROKEN_FILES = [
    ("pilots.csv", BROKEN_PILOTS),
    ("participants.csv", BROKEN_PARTICIPANTS),
    ("kpis.csv", BROKEN_KPIS),
    ("status_updates.csv", BROKEN_STATUSES),
    ("decisions.csv", BROKEN_DECISIONS),
]
BROKEN_CELLS = {
    ("pilots.csv", 3, "theme"),
    ("pilots.csv", 3, "lead_municipality"),
    ("pilots.csv", 3, "budget_eur"),
    ("pilots.csv", 3, "vendor_business_id"),
    ("pilots.csv", 3, "start_date"),
    ("participants.csv", 2, "manual_percent"),
    ("participants.csv", 4, "municipality_code"),
    ("participants.csv", 6, "pilot_ref"),
    ("kpis.csv", 2, "direction"),
    ("kpis.csv", 3, "target"),
    ("status_updates.csv", 2, "rag"),
    ("status_updates.csv", 3, "date"),
    ("status_updates.csv", 3, "progress_percent"),
    ("decisions.csv", 2, "stage_after"),
}


def test_broken_files_change_nothing_and_the_report_names_each_bad_cell(app: Flask) -> None:
    with app.app_context():
        make_vendor("Kuntadigi Oy", "0201256-6")
        before = counts()
        report = import_pilots(BROKEN_FILES, dry_run=False)
        after = counts()
    assert cells(report) == BROKEN_CELLS
    assert not report.imported
    assert after == before
    messages = {(p.source, p.row, p.column): p.message for p in report.problems}
    assert "100" in messages[("participants.csv", 2, "manual_percent")]
    assert "999" in messages[("participants.csv", 4, "municipality_code")]
    assert "check digit" in messages[("pilots.csv", 3, "vendor_business_id")]


def test_the_same_broken_workbook_gets_the_same_report_by_sheet(app: Flask) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, data in BROKEN_FILES:
        sheet = workbook.create_sheet(name.removesuffix(".csv"))
        for line in data.decode("utf-8-sig").splitlines():
            sheet.append([cell or None for cell in line.split(";")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with app.app_context():
        make_vendor("Kuntadigi Oy", "0201256-6")
        report = import_pilots([("salkku.xlsx", buffer.getvalue())], dry_run=True)
    assert cells(report) == {(s.removesuffix(".csv"), r, c) for s, r, c in BROKEN_CELLS}


def test_one_bad_pilot_keeps_the_good_ones_out_too(app: Flask) -> None:
    participants = GOOD_PARTICIPANTS + b"P2;980;\r\n"  # a third share, no problem
    pilots = GOOD_PILOTS.replace(b"P2;Lupapalvelu;permits", b"P2;Lupapalvelu;parking")
    with app.app_context():
        before = counts()
        report = import_pilots(
            [("pilots.csv", pilots), ("participants.csv", participants)], dry_run=False
        )
        after = counts()
    assert cells(report) == {("pilots.csv", 3, "theme")}
    assert after == before


def test_a_dry_run_reports_what_it_would_create_and_changes_nothing(app: Flask) -> None:
    files = [
        ("pilots.csv", GOOD_PILOTS),
        ("participants.csv", GOOD_PARTICIPANTS),
        ("kpis.csv", GOOD_KPIS),
        ("measurements.csv", GOOD_MEASUREMENTS),
    ]
    with app.app_context():
        before = counts()
        report = import_pilots(files, dry_run=True)
        after = counts()
    assert report.problems == []
    assert not report.imported
    assert report.counts["pilots"] == 2 and report.counts["measurements"] == 1
    assert report.new_vendors == [("0204819-8", "Kuntadigi Oy")]
    assert after == before


def test_the_import_creates_pilots_shares_vendor_and_kpis_in_one_go(app: Flask) -> None:
    files = [
        ("pilots.csv", GOOD_PILOTS),
        ("participants.csv", GOOD_PARTICIPANTS),
        ("kpis.csv", GOOD_KPIS),
        ("measurements.csv", GOOD_MEASUREMENTS),
    ]
    with app.app_context():
        report = import_pilots(files, dry_run=False)
        pilots = {
            p.name: p
            for p in db.session.scalars(
                sa.select(Pilot).options(sa.orm.selectinload(Pilot.participations))
            )
        }
        vendor = db.session.scalars(sa.select(Vendor)).one()
        kpi = db.session.scalars(sa.select(Kpi)).one()
        shares = {p.municipality_code: p.share_cents for p in pilots["Tilavaraus"].participations}
    assert report.imported
    assert (vendor.name, vendor.business_id) == ("Kuntadigi Oy", "0204819-8")
    assert pilots["Tilavaraus"].vendor_id == vendor.id
    assert pilots["Tilavaraus"].stage is Stage.PILOTING
    assert pilots["Tilavaraus"].split_method is SplitMethod.MANUAL
    assert shares == {"049": 4_000_000, "091": 6_000_000}
    assert pilots["Lupapalvelu"].budget_cents == 500_000
    assert str(kpi.latest_value) in ("120.5", "120.5000")


def test_a_known_business_id_uses_the_registered_vendor(app: Flask) -> None:
    with app.app_context():
        vendor = make_vendor("Rekisterin nimi Oy", "0204819-8")
        report = import_pilots(
            [("pilots.csv", GOOD_PILOTS), ("participants.csv", GOOD_PARTICIPANTS)], dry_run=False
        )
        vendor_ids = set(db.session.scalars(sa.select(Pilot.vendor_id)))
        vendor_count = db.session.scalar(sa.select(sa.func.count()).select_from(Vendor))
    assert report.imported and report.new_vendors == []
    assert vendor_ids == {vendor.id, None}
    assert vendor_count == 1


def test_unknown_and_missing_columns_and_sheets_are_problems(app: Flask) -> None:
    pilots = csv("ref;name;theme;budjetti\nP1;A;permits;5")
    with app.app_context():
        report = import_pilots([("pilots.csv", pilots)], dry_run=True)
    assert cells(report) == {
        ("pilots.csv", 1, "budjetti"),
        ("pilots.csv", 1, "lead_municipality"),
    }


def test_a_file_that_is_not_a_table_is_reported_not_crashed_on(app: Flask) -> None:
    with app.app_context():
        report = import_pilots([("pilots.xlsx", b"PK\x03\x04 not really a zip")], dry_run=True)
    assert [(p.source, p.row) for p in report.problems] == [("pilots.xlsx", None)]
    assert "XLSX" in report.problems[0].message


def test_a_pilot_without_participant_rows_is_a_problem_on_its_ref(app: Flask) -> None:
    with app.app_context():
        report = import_pilots([("pilots.csv", GOOD_PILOTS)], dry_run=True)
    assert cells(report) == {("pilots.csv", 2, "ref"), ("pilots.csv", 3, "ref")}


def test_an_unknown_user_email_is_a_problem_not_silently_dropped(app: Flask) -> None:
    statuses = csv(
        f"pilot_ref;date;rag;progress_percent;text;author_email\n"
        f"P1;{YESTERDAY};green;10;Alkoi;nobody@example.com"
    )
    files = [
        ("pilots.csv", GOOD_PILOTS),
        ("participants.csv", GOOD_PARTICIPANTS),
        ("status_updates.csv", statuses),
    ]
    with app.app_context():
        report = import_pilots(files, dry_run=True)
    assert cells(report) == {("status_updates.csv", 2, "author_email")}


def test_more_rows_than_the_limit_are_refused_before_anything_is_checked(app: Flask) -> None:
    with app.app_context():
        report = import_pilots(GOOD_FILES, dry_run=True, max_rows=7)
    assert [(p.row, p.column) for p in report.problems] == [(None, None)]
    assert "8 rows" in report.problems[0].message and "at most 7" in report.problems[0].message
