"""Importing cost rows for a pilot the database has: new rows are added, changed rows update
the entry they name by its uid (funding recomputed from there on), unchanged rows stay; the
report counts them; importing the same file again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, CostEntry, Pilot
from pilot_tracker.services.exchange import COSTS, read_csv, write_csv
from pilot_tracker.services.importer import import_pilots
from tests.test_costs_incremental import _full, _stored
from tests.test_exchange_roundtrip import TODAY, build_portfolio, export_all
from tests.test_exchange_update import csv_files


def _entries() -> dict[str, tuple[int, str, int, str]]:
    """Each entry by reference (or kind): id, date, amount, uid."""
    return {
        (e.reference or e.kind.value): (e.id, e.entry_date.isoformat(), e.amount_cents, e.uid)
        for e in db.session.scalars(sa.select(CostEntry).order_by(CostEntry.id))
    }


def test_the_costs_table_carries_each_entry_uid(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        uids = set(db.session.scalars(sa.select(CostEntry.uid)))
    table = read_csv("costs.csv", files["costs"])
    assert table.header[:3] == ["pilot_ref", "pilot_name", "uid"]
    assert {cells[2] for _n, cells in table.rows} == uids and len(uids) == 3


def test_new_changed_and_unchanged_cost_rows_and_the_second_import(app: Flask) -> None:
    with app.app_context():
        user = build_portfolio()
        files = export_all(user)
        before = _entries()
        chatbot = db.session.scalars(sa.select(Pilot).where(Pilot.name == "Chatbot")).one()
        new_day = (TODAY.replace(day=1)).isoformat()
        earlier = before["=SUM(A1)"][1]

        def change(record: dict[str, str]) -> dict[str, str]:
            if record["reference"] == "CR-1":
                return {**record, "amount_eur": "-4000,00"}  # the credit note corrected
            if record["reference"] == "=SUM(A1)":
                return {**record, "date": earlier.replace(earlier[:4], str(int(earlier[:4]) - 1))}
            return record

        table = read_csv("costs.csv", files["costs"])
        records = [change(dict(zip(table.header, cells, strict=True))) for _n, cells in table.rows]
        new_row = {
            **records[0],
            "uid": "",
            "date": new_day,
            "amount_eur": "2000,00",
            "kind": "vendor_invoice",
            "reference": "L-UUSI",
            "description": "",
            "recorded_by_email": "",
            "funded_eur": "",
        }
        costs = write_csv(
            COSTS, [[r.get(c.name) for c in COSTS.columns] for r in [*records, new_row]]
        )
        edited = [(n, costs if n == "costs.csv" else data) for n, data in csv_files(files)]

        first = import_pilots(edited, dry_run=False)

        assert first.problems == [] and first.imported
        outcome = {o.name: o for o in first.outcomes}
        assert outcome["Chatbot"].action == "updated"
        assert outcome["Chatbot"].rows["costs"] == {"updated": 2, "created": 1}
        assert {o.action for n, o in outcome.items() if n != "Chatbot"} == {"unchanged"}
        after = _entries()
        # Changed rows updated in place (same id and uid), the unchanged one as it was.
        assert after["CR-1"][::3] == before["CR-1"][::3] and after["CR-1"][2] == -400_000
        assert after["=SUM(A1)"][0] == before["=SUM(A1)"][0]
        assert after["=SUM(A1)"][1] != before["=SUM(A1)"][1]
        assert after["own_work"] == before["own_work"]
        assert after["L-UUSI"][1:3] == (new_day, 200_000)
        assert len(after) == 4
        # The funding and shares stored are those of a full recomputation.
        assert _stored(chatbot.id) == _full(chatbot.id)
        updates = db.session.scalars(
            sa.select(AuditEntry.entity_id).where(
                AuditEntry.entity == "cost_entry", AuditEntry.action == "update"
            )
        ).all()
        assert sorted(updates) == sorted([str(before["CR-1"][0]), str(before["=SUM(A1)"][0])])

        audits = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
        second = import_pilots(edited, dry_run=False)
        assert second.problems == []
        assert [o.action for o in second.outcomes] == ["unchanged"] * 3
        assert _entries() == after
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audits
