"""Imports that update: a file whose pilots the database has (by uid) updates them, reports
each pilot created / updated (old → new) / unchanged, refuses a change based on an older
version, keeps the rows the file does not have, and changes nothing the second time."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Decision, Kpi, Measurement, Pilot, StatusUpdate
from pilot_tracker.services.exchange import SHEETS, read_csv, write_csv
from pilot_tracker.services.importer import import_pilots
from pilot_tracker.services.pilots import load_pilot_for_update, update_pilot
from tests.test_exchange_roundtrip import TODAY, build_portfolio, export_all

TABLES = (Pilot, Kpi, Measurement, StatusUpdate, Decision, AuditEntry)


def counts() -> dict[str, int]:
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0
        for m in TABLES
    }


def versions() -> dict[str, int]:
    rows = db.session.execute(sa.select(Pilot.name, Pilot.version))
    return {name: version for name, version in rows}


def csv_files(files: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [(f"{s.name}.csv", files[s.name]) for s in SHEETS]


def edit_csv(data: bytes, sheet_name: str, change: Any) -> bytes:
    """The CSV file with `change(record)` applied to each row (None drops the row)."""
    sheet = next(s for s in SHEETS if s.name == sheet_name)
    table = read_csv(f"{sheet_name}.csv", data)
    rows = []
    for _number, cells in table.rows:
        record = dict(zip(table.header, cells, strict=False))
        record = change(record)
        if record is not None:
            rows.append([record.get(c.name) for c in sheet.columns])
    return write_csv(sheet, rows)


def test_every_pilot_and_child_row_is_exported_with_its_uid(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        uids = set(db.session.scalars(sa.select(Pilot.uid)))
        kpi_uids = set(db.session.scalars(sa.select(Kpi.uid)))
    pilots = read_csv("p.csv", files["pilots"])
    assert pilots.header[:3] == ["ref", "uid", "version"]
    assert {cells[1] for _n, cells in pilots.rows} == uids and len(uids) == 3
    kpis = read_csv("k.csv", files["kpis"])
    assert {cells[kpis.header.index("uid")] for _n, cells in kpis.rows} == kpi_uids
    for sheet in ("measurements", "status_updates", "decisions"):
        table = read_csv(f"{sheet}.csv", files[sheet])
        column = table.header.index("uid")
        assert all(len(cells[column]) == 36 for _n, cells in table.rows), sheet
    workbook = load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    assert next(workbook["pilots"].iter_rows(values_only=True))[:3] == ("ref", "uid", "version")
    workbook.close()


def test_export_then_import_into_the_same_database_changes_nothing(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        before = export_all(user)
        state = counts(), versions()
        for files in (csv_files(before), [("portfolio.xlsx", before["xlsx"])]):
            report = import_pilots(files, dry_run=False)
            assert report.problems == [] and report.imported
            assert [o.action for o in report.outcomes] == ["unchanged"] * 3
            assert (counts(), versions()) == state
        assert export_all(user) == before


def test_an_edited_budget_updates_the_pilot_and_the_second_import_changes_nothing(
    app: Flask,
) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        pilots = edit_csv(
            files["pilots"],
            "pilots",
            lambda r: {**r, "budget_eur": "150000,00"} if r["name"] == "Chatbot" else r,
        )
        edited = [("pilots.csv", pilots), *csv_files(files)[1:]]
        audit_before = counts()["AuditEntry"]

        first = import_pilots(edited, dry_run=False)

        assert first.problems == [] and first.imported
        outcome = {o.name: o for o in first.outcomes}
        assert outcome["Chatbot"].action == "updated"
        assert outcome["Chatbot"].changes == [("budget_eur", "100000.01", "150000.00")]
        assert {o.action for n, o in outcome.items() if n != "Chatbot"} == {"unchanged"}
        chatbot = db.session.scalars(sa.select(Pilot).where(Pilot.name == "Chatbot")).one()
        assert (chatbot.budget_cents, chatbot.version) == (15_000_000, 2)
        # Audited like an edit in the app: one update entry, old and new values.
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id)
        ).all()
        assert len(entries) == audit_before + 1
        assert entries[-1].action == "update" and entries[-1].entity == "pilot"
        assert (entries[-1].old["budget_cents"], entries[-1].new["budget_cents"]) == (
            10_000_001,
            15_000_000,
        )
        state = counts(), versions()

        second = import_pilots(edited, dry_run=False)

        assert second.problems == [] and [o.action for o in second.outcomes] == ["unchanged"] * 3
        assert (counts(), versions()) == state


def test_a_pilot_changed_in_the_app_since_the_export_is_a_conflict(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        chatbot = db.session.scalars(sa.select(Pilot).where(Pilot.name == "Chatbot")).one()
        loaded = load_pilot_for_update(chatbot.id)
        assert loaded is not None
        update_pilot(loaded, {"summary": "Muutettu sovelluksessa"}, loaded.version)
        pilots = edit_csv(
            files["pilots"],
            "pilots",
            lambda r: (
                {**r, "budget_eur": "1,00", "external_funding_eur": "0"}
                if r["name"] == "Chatbot"
                else r
            ),
        )
        state = counts(), versions()

        report = import_pilots([("pilots.csv", pilots), *csv_files(files)[1:]], dry_run=False)

        assert not report.imported
        ((problem,),) = [[p for p in report.problems if p.column == "version"]]
        assert (problem.source, problem.row) == ("pilots.csv", 3)
        assert "version 2" in problem.message and "nothing was overwritten" in problem.message
        db.session.expire_all()
        assert (counts(), versions()) == state
        stored = db.session.get(Pilot, chatbot.id)
        assert stored.summary == "Muutettu sovelluksessa" and stored.budget_cents == 10_000_001


def test_an_older_file_that_changes_nothing_is_no_conflict(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        chatbot = db.session.scalars(sa.select(Pilot).where(Pilot.name == "Chatbot")).one()
        loaded = load_pilot_for_update(chatbot.id)
        assert loaded is not None
        update_pilot(loaded, {"summary": "Muutettu"}, loaded.version)
        fresh = export_all(user)
        # The fresh export, with the older version number in it: the same values as stored.
        pilots = edit_csv(
            fresh["pilots"],
            "pilots",
            lambda r: {**r, "version": 1} if r["name"] == "Chatbot" else r,
        )

        report = import_pilots([("pilots.csv", pilots), *csv_files(fresh)[1:]], dry_run=True)

        assert report.problems == [] and {o.action for o in report.outcomes} == {"unchanged"}
        assert files is not None


def test_rows_missing_from_the_file_are_kept_and_reported(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        dropped = edit_csv(
            files["measurements"], "measurements", lambda r: None if r["value"] == "10" else r
        )
        no_status = edit_csv(files["status_updates"], "status_updates", lambda r: None)
        upload = {**dict(csv_files(files)), "measurements.csv": dropped}
        upload["status_updates.csv"] = no_status
        state = counts()

        report = import_pilots(list(upload.items()), dry_run=False)

        assert report.problems == []
        kept = {o.name: o.kept for o in report.outcomes}
        assert kept['=HYPERLINK("http://evil")'] == {"measurements": 1, "status_updates": 2}
        assert counts() == state


def test_new_rows_are_added_and_changed_rows_updated_by_their_uid(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        measurements = read_csv("m.csv", files["measurements"])
        extra = dict(zip(measurements.header, measurements.rows[0][1], strict=False))
        extra.update(uid=None, date=(TODAY - timedelta(days=1)).isoformat(), value="77")
        sheet = next(s for s in SHEETS if s.name == "measurements")
        rows = [[r.get(c.name) for c in sheet.columns] for r in (extra,)]
        old_rows = [cells for _n, cells in measurements.rows]
        added = write_csv(sheet, [*old_rows, *rows])
        statuses = edit_csv(
            files["status_updates"],
            "status_updates",
            lambda r: {**r, "text": "Etenee hyvin"} if r["text"] == "Etenee" else r,
        )
        upload = {**dict(csv_files(files)), "measurements.csv": added}
        upload["status_updates.csv"] = statuses

        report = import_pilots(list(upload.items()), dry_run=False)

        assert report.problems == []
        first = next(o for o in report.outcomes if o.name.startswith("=HYPERLINK"))
        assert first.action == "updated" and first.changes == []
        assert first.rows == {
            "measurements": {"created": 1},
            "status_updates": {"updated": 1},
        }
        texts = set(db.session.scalars(sa.select(StatusUpdate.text)))
        assert "Etenee hyvin" in texts and "Etenee" not in texts
        kpi = db.session.scalars(sa.select(Kpi).where(Kpi.name == "@käyttäjät")).one()
        assert kpi.latest_value == 77 and kpi.latest_on == TODAY - timedelta(days=1)
        entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.entity == "status_update", AuditEntry.action == "update"
            )
        ).one()
        assert (entry.old["text"], entry.new["text"]) == ("Etenee", "Etenee hyvin")


def test_a_recorded_decision_is_not_changed_by_an_import(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        decisions = edit_csv(
            files["decisions"], "decisions", lambda r: {**r, "decided_by": "Joku muu"}
        )
        upload = {**dict(csv_files(files)), "decisions.csv": decisions}

        report = import_pilots(list(upload.items()), dry_run=True)

    assert not report.imported
    assert {(p.source, p.column) for p in report.problems} == {("decisions.csv", "uid")}


def test_a_child_uid_of_another_pilot_is_a_problem(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        status = read_csv("s.csv", files["status_updates"])
        uid = status.rows[0][1][status.header.index("uid")]
        pilots = edit_csv(files["pilots"], "pilots", lambda r: {**r, "uid": None})
        report = import_pilots([("pilots.csv", pilots), *csv_files(files)[1:]], dry_run=True)
    assert any(p.column == "uid" and p.source == "status_updates.csv" for p in report.problems)
    assert uid


def test_the_api_shows_the_uid_of_the_export(app: Flask, actors: Any) -> None:
    from tests.api_helpers import ApiCaller
    from tests.factories import make_pilot

    with app.app_context():
        pilot = make_pilot(name="Uid-kokeilu")
        uid = db.session.get(Pilot, pilot.id).uid
        files = export_all(actors.admin)
    api = ApiCaller(app, actors)

    body = api.get("coordinator", f"/api/v1/pilots/{pilot.id}").get_json()
    listed = api.get("coordinator", "/api/v1/pilots").get_json()["items"]

    assert body["uid"] == uid and str(uuid.UUID(uid)) == uid
    assert [p["uid"] for p in listed] == [uid]
    assert uid in files["pilots"].decode("utf-8-sig")


def test_a_new_decision_must_start_from_the_stage_the_pilot_has_in_the_app(app: Flask) -> None:
    from pilot_tracker.domain.enums import Gate, Outcome
    from pilot_tracker.services.decisions import record_decision

    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        chatbot = db.session.scalars(sa.select(Pilot).where(Pilot.name == "Chatbot")).one()
        # In the app the pilot is stopped after the export...
        record_decision(chatbot, Gate.MIDPOINT, Outcome.NO_GO, TODAY, "hallitus", "Lopetetaan.")
        # ...while the file adds a midpoint go from piloting.
        decisions = read_csv("d.csv", files["decisions"])
        sheet = next(s for s in SHEETS if s.name == "decisions")
        pilots = read_csv("p.csv", files["pilots"])
        ref = next(c[0] for _n, c in pilots.rows if c[pilots.header.index("name")] == "Chatbot")
        row = {c.name: None for c in sheet.columns}
        row.update(
            pilot_ref=ref,
            date=TODAY,
            gate="midpoint",
            outcome="go",
            decided_by="hallitus",
            rationale="Jatketaan.",
            stage_before="piloting",
            stage_after="piloting",
        )
        added = write_csv(
            sheet, [*[c for _n, c in decisions.rows], [row[c.name] for c in sheet.columns]]
        )
        upload = {**dict(csv_files(files)), "decisions.csv": added}

        report = import_pilots(list(upload.items()), dry_run=True)

    assert not report.imported
    assert [(p.source, p.column) for p in report.problems] == [("decisions.csv", "stage_before")]
    assert "stopped in the app" in report.problems[0].message
