"""The joint life of a pilot in the export and import: municipal decisions, the follow-up
plan (items and their comments), lessons learned and the participants' joined_on / left_on.

The round trip of the README with every new table populated, export → import into the same
database changing nothing, importing twice, the update path (created / updated / unchanged,
conflicts by version, rows kept, a recorded municipal decision never changed) and the
problems a bad row gets, each at its cell."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Gate, Outcome
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    AuditEntry,
    Decision,
    MunicipalDecision,
    Participation,
    Pilot,
    User,
)
from pilot_tracker.models.follow_up import FollowUpComment, FollowUpItem, Lesson
from pilot_tracker.services.exchange import SHEETS, read_csv, write_csv
from pilot_tracker.services.follow_up import Owner, create_item, record_lesson, update_item
from pilot_tracker.services.importer import import_pilots
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import load_pilot_for_update, update_pilot
from tests.test_exchange_roundtrip import (
    TODAY,
    build_portfolio,
    cell_values,
    empty_the_database,
    export_all,
)

JOINT_TABLES = (MunicipalDecision, FollowUpItem, FollowUpComment, Lesson, Participation)
FIRST = '=HYPERLINK("http://evil")'


def _pilot(name: str) -> Pilot:
    pilot_id = db.session.scalars(sa.select(Pilot.id).where(Pilot.name == name)).one()
    loaded = load_pilot_for_update(pilot_id)
    assert loaded is not None
    return loaded


def build_joint_portfolio() -> User:
    """The round trip's portfolio with its joint life: at the scale-up of the first pilot one
    founder says no and leaves, a newcomer says go and joins, another newcomer says no; the
    chatbot's municipalities decide at the start (with texts a spreadsheet would run); a
    follow-up plan with the vendor's, a participant's and the coordinator's items and their
    comments; lessons with a decision and without."""
    coordinator = build_portfolio()
    first = _pilot(FIRST)  # scaling; manual split among 418 (lead), 536 and 980
    scale_up = db.session.scalars(
        sa.select(Decision).where(Decision.pilot_id == first.id, Decision.gate == Gate.SCALE_UP)
    ).one()
    decide = record_municipal_decision
    decide(
        first,
        "418",
        Gate.SCALE_UP,
        Outcome.GO,
        Body.COUNCIL,
        TODAY - timedelta(days=2),
        section="§ 45",
        minutes_url="https://www.nokia.fi/poytakirjat/2026/45",
        note="Laajennetaan\nkoko kuntaan",
        recorded_by_id=coordinator.id,
    )
    decide(first, "980", Gate.SCALE_UP, Outcome.NO_GO, Body.BOARD, TODAY - timedelta(days=1))
    decide(first, "091", Gate.SCALE_UP, Outcome.GO, Body.COUNCIL, TODAY - timedelta(days=1))
    decide(first, "049", Gate.SCALE_UP, Outcome.NO_GO, Body.COMMITTEE, TODAY - timedelta(days=1))
    chatbot = _pilot("Chatbot")
    decide(
        chatbot,
        "091",
        Gate.START,
        Outcome.GO,
        Body.BOARD,
        TODAY - timedelta(days=50),
        section="12 a",
        note="=1+1",
    )
    decide(
        chatbot, "049", Gate.MIDPOINT, Outcome.CONTINUE, Body.OFFICIAL, TODAY - timedelta(days=3)
    )
    first = _pilot(FIRST)
    api = create_item(
        first,
        "Rajapinta potilastietoon",
        Owner(OwnerKind.VENDOR),
        description="-toimittaja vastaa",
        due_on=TODAY + timedelta(days=10),
        decision_id=scale_up.id,
    )
    update_item(first, api, {"status": "in_progress", "comment": "Aloitettu"}, coordinator.id)
    update_item(first, api, {"comment": "@toimittaja: testiympäristö valmis"}, None)
    first = _pilot(FIRST)  # the updates committed: load it again
    training = create_item(
        first, "Koulutus", Owner(OwnerKind.MUNICIPALITY, "536"), due_on=TODAY - timedelta(days=3)
    )
    update_item(first, training, {"status": "done"}, coordinator.id)
    first = _pilot(FIRST)
    create_item(first, "Loppuraportti", Owner(OwnerKind.COORDINATOR), description="Rivi 1\nRivi 2")
    first = _pilot(FIRST)
    record_lesson(first, "Kuntalaiset oppivat palvelun nopeasti.", scale_up.id, coordinator.id)
    record_lesson(_pilot(FIRST), "+ Integraatio vei kaksi kuukautta arvioitua kauemmin.")
    record_lesson(_pilot("Lopetettu"), "Ei kannattanut: liian pieni käyttäjäjoukko.")
    db.session.commit()
    return coordinator


def counts() -> dict[str, int]:
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0
        for m in (*JOINT_TABLES, Pilot, Decision, AuditEntry)
    }


def versions() -> dict[str, int]:
    return {
        name: version for name, version in db.session.execute(sa.select(Pilot.name, Pilot.version))
    }


def csv_files(files: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [(f"{s.name}.csv", files[s.name]) for s in SHEETS]


def rows_of(data: bytes) -> list[dict[str, Any]]:
    table = read_csv("x.csv", data)
    return [dict(zip(table.header, cells, strict=False)) for _n, cells in table.rows]


def edit_csv(data: bytes, sheet_name: str, change: Any, extra: list[dict[str, Any]] = ()) -> bytes:  # type: ignore[assignment]
    """The CSV file with `change(row)` applied to each row (None drops it) and `extra` rows."""
    sheet = next(s for s in SHEETS if s.name == sheet_name)
    rows = [change(r) for r in rows_of(data)] + list(extra)
    return write_csv(sheet, [[r.get(c.name) for c in sheet.columns] for r in rows if r])


def membership() -> dict[tuple[str, str], tuple[Any, Any, int]]:
    rows = db.session.execute(
        sa.select(
            Pilot.name,
            Participation.municipality_code,
            Participation.joined_on,
            Participation.left_on,
            Participation.share_cents,
        ).join(Pilot)
    )
    return {(n, c): (j, left, s) for n, c, j, left, s in rows}


# --- the round trip --------------------------------------------------------------------------


def test_the_new_tables_are_exported_with_uids_and_membership_dates(app: Flask) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        uids = set(db.session.scalars(sa.select(MunicipalDecision.uid)))
    decisions = rows_of(files["municipal_decisions"])
    assert {r["uid"] for r in decisions} == uids and len(uids) == 6
    newcomer = next(
        r for r in decisions if r["municipality_code"] == "049" and r["gate"] == "scale_up"
    )
    # A newcomer that said no is no participant: named from the register all the same.
    assert (newcomer["outcome"], newcomer["body"]) == ("no_go", "committee")
    assert newcomer["municipality_name"] == "Espoo"
    first = next(r for r in decisions if r["section"] == "§ 45")
    assert first["minutes_url"] == "https://www.nokia.fi/poytakirjat/2026/45"
    assert next(r for r in decisions if r["section"] == "12 a")["note"] == "=1+1"
    # Text a spreadsheet would run gets its apostrophe in the file (read_csv takes it off).
    assert ";'=1+1;" in files["municipal_decisions"].decode("utf-8-sig")
    assert ";'@toimittaja" in files["follow_up_comments"].decode("utf-8-sig")
    assert ";'+ Integraatio" in files["lessons"].decode("utf-8-sig")
    participants = {
        (r["pilot_ref"], r["municipality_code"]): r for r in rows_of(files["participants"])
    }
    assert participants[("P1", "980")]["left_on"] == (TODAY - timedelta(days=1)).isoformat()
    assert participants[("P1", "091")]["joined_on"] == (TODAY - timedelta(days=1)).isoformat()
    assert participants[("P1", "418")]["joined_on"] is None
    items = rows_of(files["follow_up_items"])
    assert [(r["item_ref"], r["owner"], r["status"]) for r in items] == [
        ("F1", "vendor", "in_progress"),
        ("F2", "municipality", "done"),
        ("F3", "coordinator", "open"),
    ]
    assert items[0]["decision_uid"] and items[1]["owner_municipality_code"] == "536"
    comments = rows_of(files["follow_up_comments"])
    assert [(r["item_ref"], r["text"]) for r in comments] == [
        ("F1", "Aloitettu"),
        ("F1", "@toimittaja: testiympäristö valmis"),
    ]
    assert comments[0]["date"] == TODAY.isoformat() and comments[0]["author_email"]
    lessons = rows_of(files["lessons"])
    assert [r["pilot_ref"] for r in lessons] == ["P1", "P1", "P3"]
    assert lessons[0]["decision_uid"] == items[0]["decision_uid"]
    assert lessons[1]["text"].startswith("+ Integraatio")


def test_csv_round_trip_with_the_joint_tables_gives_identical_files(app: Flask) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        before = export_all(user)
        dates = membership()
        empty_the_database()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MunicipalDecision)) == 0
        report = import_pilots(csv_files(before), dry_run=False)
        assert report.problems == [] and report.imported
        after = export_all(user)
        assert membership() == dates
        assert counts()["MunicipalDecision"] == 6 and counts()["FollowUpComment"] == 2
        # Imported like the app records them: each row's creation is in the audit log.
        entities = set(db.session.scalars(sa.select(AuditEntry.entity)))
    assert {"municipal_decision", "follow_up_item", "follow_up_comment", "lesson"} <= entities
    for sheet in SHEETS:
        assert after[sheet.name] == before[sheet.name], sheet.name
    assert cell_values(after["xlsx"]) == cell_values(before["xlsx"])


def test_xlsx_round_trip_with_the_joint_tables_gives_identical_workbook(app: Flask) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        before = export_all(user)
        empty_the_database()
        report = import_pilots([("portfolio.xlsx", before["xlsx"])], dry_run=False)
        assert report.problems == []
        after = export_all(user)
    assert {"municipal_decisions", "follow_up_items", "follow_up_comments", "lessons"} <= set(
        cell_values(before["xlsx"])
    )
    assert after["xlsx"] == before["xlsx"]
    for sheet in SHEETS:
        assert after[sheet.name] == before[sheet.name], sheet.name


def test_export_then_import_into_the_same_database_changes_nothing(app: Flask) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        before = export_all(user)
        state = counts(), versions(), membership()
        for files in (csv_files(before), [("portfolio.xlsx", before["xlsx"])]):
            report = import_pilots(files, dry_run=False)
            assert report.problems == [] and report.imported
            assert [o.action for o in report.outcomes] == ["unchanged"] * 3
            assert (counts(), versions(), membership()) == state
        assert export_all(user) == before


def test_importing_into_an_empty_database_twice_adds_nothing_the_second_time(app: Flask) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        files = csv_files(export_all(user))
        empty_the_database()
        first = import_pilots(files, dry_run=False)
        assert [o.action for o in first.outcomes] == ["created"] * 3
        state = counts(), versions(), membership()
        second = import_pilots(files, dry_run=False)
        assert second.problems == [] and second.imported
        assert [o.action for o in second.outcomes] == ["unchanged"] * 3
        assert (counts(), versions(), membership()) == state


# --- the update path -------------------------------------------------------------------------


def test_changed_and_new_joint_rows_are_updated_and_created_by_their_uid(app: Flask) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        items = edit_csv(
            files["follow_up_items"],
            "follow_up_items",
            lambda r: {**r, "status": "done"} if r["item_ref"] == "F3" else r,
        )
        comments = edit_csv(
            files["follow_up_comments"],
            "follow_up_comments",
            lambda r: r,
            extra=[{"pilot_ref": "P1", "item_ref": "F3", "text": "Raportti hyväksytty"}],
        )
        lessons = edit_csv(
            files["lessons"],
            "lessons",
            lambda r: {**r, "text": "Ei kannattanut."} if r["pilot_ref"] == "P3" else r,
        )
        upload = dict(csv_files(files))
        upload.update(
            {
                "follow_up_items.csv": items,
                "follow_up_comments.csv": comments,
                "lessons.csv": lessons,
            }
        )
        before = counts()

        report = import_pilots(list(upload.items()), dry_run=False)

        assert report.problems == [] and report.imported
        outcomes = {o.name: o for o in report.outcomes}
        assert outcomes[FIRST].action == "updated" and outcomes[FIRST].changes == []
        assert outcomes[FIRST].rows == {
            "follow_up_items": {"updated": 1},
            "follow_up_comments": {"created": 1},
        }
        assert outcomes["Lopetettu"].rows == {"lessons": {"updated": 1}}
        assert outcomes["Chatbot"].action == "unchanged"
        after = counts()
        assert after["FollowUpItem"] == before["FollowUpItem"]
        assert after["FollowUpComment"] == before["FollowUpComment"] + 1
        assert after["Lesson"] == before["Lesson"]
        report_item = db.session.scalars(
            sa.select(FollowUpItem).where(FollowUpItem.title == "Loppuraportti")
        ).one()
        assert report_item.status is ItemStatus.DONE
        entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.entity == "follow_up_item", AuditEntry.action == "update"
            )
        ).all()[-1]
        assert (entry.old["status"], entry.new["status"]) == ("open", "done")
        lesson_entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.entity == "lesson", AuditEntry.action == "update"
            )
        ).one()
        assert lesson_entry.new["text"] == "Ei kannattanut."
        # The new comment now has a uid of its own: the file still lacks it, but the same
        # upload again would add it again; the fresh export is what comes back unchanged.
        fresh = export_all(user)
        state = counts(), versions()
        again = import_pilots(csv_files(fresh), dry_run=False)
        assert {o.action for o in again.outcomes} == {"unchanged"}
        assert (counts(), versions()) == state


def test_a_participant_leaving_in_the_file_leaves_and_the_shares_are_recomputed(
    app: Flask,
) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        day = TODAY - timedelta(days=1)
        participants = edit_csv(
            files["participants"],
            "participants",
            lambda r: (
                {**r, "left_on": day.isoformat()}
                if (r["pilot_ref"], r["municipality_code"]) == ("P2", "049")
                else r
            ),
        )
        decisions = edit_csv(
            files["municipal_decisions"],
            "municipal_decisions",
            lambda r: r,
            extra=[
                {
                    "pilot_ref": "P2",
                    "uid": str(uuid.uuid4()),  # a new row with its identity: found again
                    "municipality_code": "049",
                    "gate": "midpoint",
                    "outcome": "no_go",
                    "body": "council",
                    "date": day.isoformat(),
                    "section": "§ 7",
                }
            ],
        )
        upload = dict(csv_files(files))
        upload.update({"participants.csv": participants, "municipal_decisions.csv": decisions})

        report = import_pilots(list(upload.items()), dry_run=False)

        assert report.problems == []
        chatbot = next(o for o in report.outcomes if o.name == "Chatbot")
        assert chatbot.changes == [("left_on 049", "", day.isoformat())]
        assert chatbot.rows == {"municipal_decisions": {"created": 1}}
        dates = membership()
        net = (
            db.session.scalars(sa.select(Pilot).where(Pilot.name == "Chatbot")).one().net_cost_cents
        )
        assert dates[("Chatbot", "049")] == (None, day, 0)
        assert dates[("Chatbot", "091")][2] == net  # the one left pays the whole planned cost
        entry = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "pilot", AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        assert entry.old["participants"]["049"]["left_on"] is None
        assert entry.new["participants"]["049"]["left_on"] == day.isoformat()
        state = counts(), versions()
        again = import_pilots(list(upload.items()), dry_run=False)
        assert again.problems == []
        assert (counts(), versions()) == state  # the second time: nothing new


def test_a_membership_change_on_a_pilot_changed_in_the_app_is_a_conflict(app: Flask) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        chatbot = _pilot("Chatbot")
        update_pilot(chatbot, {"summary": "Muutettu sovelluksessa"}, chatbot.version)
        participants = edit_csv(
            files["participants"],
            "participants",
            lambda r: (
                {**r, "left_on": TODAY.isoformat()}
                if (r["pilot_ref"], r["municipality_code"]) == ("P2", "049")
                else r
            ),
        )
        # The file has the pilot's values as they are now, but its older version.
        pilots = edit_csv(
            files["pilots"],
            "pilots",
            lambda r: {**r, "summary": "Muutettu sovelluksessa"} if r["name"] == "Chatbot" else r,
        )
        state = counts(), versions(), membership()

        report = import_pilots(
            [("pilots.csv", pilots), ("participants.csv", participants), *csv_files(files)[2:]],
            dry_run=False,
        )

        assert not report.imported
        assert [(p.source, p.row, p.column) for p in report.problems] == [
            ("pilots.csv", 3, "version")
        ]
        assert "nothing was overwritten" in report.problems[0].message
        db.session.expire_all()
        assert (counts(), versions(), membership()) == state


def test_rows_missing_from_the_file_are_kept_and_a_recorded_municipal_decision_is_not_changed(
    app: Flask,
) -> None:
    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        upload = dict(csv_files(files))
        upload["lessons.csv"] = edit_csv(
            files["lessons"], "lessons", lambda r: None if r["pilot_ref"] == "P1" else r
        )
        upload["follow_up_comments.csv"] = edit_csv(
            files["follow_up_comments"], "follow_up_comments", lambda r: None
        )
        state = counts()
        report = import_pilots(list(upload.items()), dry_run=False)
        assert report.problems == []
        kept = {o.name: o.kept for o in report.outcomes}
        assert kept[FIRST] == {"follow_up_comments": 2, "lessons": 2}
        assert counts() == state

        changed = edit_csv(
            files["municipal_decisions"],
            "municipal_decisions",
            lambda r: {**r, "body": "council"} if r["section"] == "12 a" else r,
        )
        report = import_pilots(
            [*csv_files(files)[:-4], ("municipal_decisions.csv", changed), *csv_files(files)[-3:]],
            dry_run=True,
        )
    assert [(p.source, p.row, p.column) for p in report.problems] == [
        ("municipal_decisions.csv", 6, "uid")
    ]
    assert "recorded differently" in report.problems[0].message


# --- problems, each at its cell ----------------------------------------------------------------


def _problems(
    files: dict[str, Any], sheet: str, rows: list[dict[str, Any]], keep: bool = True
) -> Any:
    """A dry run of the export with `rows` added to `sheet` (or instead of its rows)."""
    edited = edit_csv(files[sheet], sheet, (lambda r: r) if keep else (lambda r: None), rows)
    upload = {**dict(csv_files(files)), f"{sheet}.csv": edited}
    report = import_pilots(list(upload.items()), dry_run=True)
    assert not report.imported
    return {(p.row, p.column): p.message for p in report.problems if p.source == f"{sheet}.csv"}


def test_bad_municipal_decisions_are_reported_at_their_cells(app: Flask) -> None:
    day = (TODAY - timedelta(days=1)).isoformat()
    base = {
        "pilot_ref": "P2",
        "gate": "midpoint",
        "outcome": "continue",
        "body": "board",
        "date": day,
    }
    bad = [
        {**base, "municipality_code": "999"},
        {**base, "municipality_code": "091", "outcome": "maybe"},
        {**base, "municipality_code": "091", "gate": "finish"},
        {**base, "municipality_code": "091", "body": "mayor"},
        {**base, "municipality_code": "091", "minutes_url": "javascript:alert(1)"},
        {**base, "municipality_code": "091", "minutes_url": "https://user:pw@kunta.fi/x"},
        {**base, "municipality_code": "091", "section": "DROP TABLE"},
        {**base, "municipality_code": "091", "date": (TODAY + timedelta(days=1)).isoformat()},
        {**base, "municipality_code": "091", "outcome": "no_go"},  # the lead
        {**base, "municipality_code": "049", "outcome": "no_go"},  # stays in the file
        {**base, "municipality_code": "418"},  # no participant, not at scale_up
        {**base, "municipality_code": "091", "recorded_by_email": "nobody@example.com"},
    ]
    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        before = counts()
        found = _problems(files, "municipal_decisions", bad, keep=False)
        assert counts() == before
    assert "Unknown municipality code 999" in found[(2, "municipality_code")]
    assert "maybe is not one of go, no_go, continue" in found[(3, "outcome")]
    assert "finish is not one of" in found[(4, "gate")]
    assert "mayor is not one of council, board, committee, official" in found[(5, "body")]
    assert "https://" in found[(6, "minutes_url")] and "https://" in found[(7, "minutes_url")]
    assert "section number" in found[(8, "section")]
    assert "today or earlier" in found[(9, "date")]
    assert "lead municipality cannot leave" in found[(10, "outcome")]
    assert f"give 049 left_on {day}" in found[(11, "outcome")]
    assert "418 is not in the participants table for P2" in found[(12, "municipality_code")]
    assert "nobody@example.com" in found[(13, "recorded_by_email")]
    assert len(found) == 12


def test_bad_follow_up_items_comments_and_lessons_are_reported_at_their_cells(
    app: Flask,
) -> None:
    base = {"pilot_ref": "P1", "title": "Uusi", "owner": "coordinator"}
    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        items = _problems(
            files,
            "follow_up_items",
            [
                {**base, "item_ref": "F1"},  # already used
                {
                    **base,
                    "item_ref": "F4",
                    "owner": "municipality",
                    "owner_municipality_code": "980",
                },
                {**base, "item_ref": "F5", "owner": "boss"},
                {**base, "item_ref": "F6", "status": "finished"},
                {**base, "item_ref": "F7", "owner_municipality_code": "536"},
                {**base, "item_ref": "F8", "title": ""},
                {**base, "item_ref": "F9", "title": "x" * 201},
                {**base, "item_ref": "F10", "decision_uid": str(uuid.uuid4())},
                {"pilot_ref": "P2", "item_ref": "F1", "title": "Tuki", "owner": "vendor"},
            ],
        )
        comments = _problems(
            files,
            "follow_up_comments",
            [
                {"pilot_ref": "P1", "item_ref": "F9", "text": "Mihin?"},
                {"pilot_ref": "P1", "item_ref": "F1", "text": ""},
                {"pilot_ref": "P1", "item_ref": "F1", "text": "Ok", "author_email": "x@y.fi"},
            ],
        )
        lessons = _problems(
            files,
            "lessons",
            [
                {"pilot_ref": "P2", "text": "Liian aikaista"},  # piloting, no decision
                {"pilot_ref": "P1", "text": "Opittu", "decision_uid": str(uuid.uuid4())},
                {"pilot_ref": "P9", "text": "Ei pilottia"},
            ],
        )
    assert "F1 is already used on row 2" in items[(5, "item_ref")]
    assert "one of the participants" in items[(6, "owner_municipality_code")]  # 980 has left
    assert "boss is not one of vendor, municipality, coordinator" in items[(7, "owner")]
    assert "finished is not one of open, in_progress, done, dropped" in items[(8, "status")]
    assert "Only a municipality owner" in items[(9, "owner_municipality_code")]
    assert "required" in items[(10, "title")]
    assert "At most 200 characters" in items[(11, "title")]
    assert "No decision of this pilot" in items[(12, "decision_uid")]
    assert "no vendor to own this item" in items[(13, "owner")]  # the chatbot has no vendor
    assert len(items) == 9
    assert "P1 has no follow-up item F9" in comments[(4, "item_ref")]
    assert "required" in comments[(5, "text")]
    assert "x@y.fi" in comments[(6, "author_email")]
    assert "at evaluation or with a decision" in lessons[(5, "text")]
    assert "No decision of this pilot" in lessons[(6, "decision_uid")]
    assert "No pilot has the ref P9" in lessons[(7, "pilot_ref")]


def test_bad_membership_dates_are_reported_at_their_cells(app: Flask) -> None:
    def change(r: dict[str, Any]) -> dict[str, Any]:
        key = (r["pilot_ref"], r["municipality_code"])
        if key == ("P1", "418"):  # the lead
            return {**r, "left_on": TODAY.isoformat()}
        if key == ("P1", "091"):  # joined yesterday, left the day before
            return {**r, "left_on": (TODAY - timedelta(days=2)).isoformat()}
        if key == ("P1", "980"):  # has left: no percentage
            return {**r, "manual_percent": "10,00"}
        if key == ("P2", "049"):
            return {**r, "joined_on": (TODAY + timedelta(days=3)).isoformat()}
        return r

    with app.app_context():
        user = build_joint_portfolio()
        files = export_all(user)
        edited = edit_csv(files["participants"], "participants", change)
        rows = [(r["pilot_ref"], r["municipality_code"]) for r in rows_of(edited)]
        upload = {**dict(csv_files(files)), "participants.csv": edited}
        report = import_pilots(list(upload.items()), dry_run=True)
    found = {
        (p.row, p.column): p.message for p in report.problems if p.source == "participants.csv"
    }

    def row(key: tuple[str, str]) -> int:
        return rows.index(key) + 2

    assert "lead municipality cannot leave" in found[(row(("P1", "418")), "left_on")]
    assert "day after it joined" in found[(row(("P1", "091")), "left_on")]
    assert "has left has no percentage" in found[(row(("P1", "980")), "manual_percent")]
    assert "today or earlier" in found[(row(("P2", "049")), "joined_on")]
    assert not report.imported
