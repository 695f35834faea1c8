"""The export and import pages, the downloads, and the import-pilots command."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, Stage
from pilot_tracker.domain.follow_up import OwnerKind
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import Pilot
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.exchange import SHEETS
from pilot_tracker.services.follow_up import Owner, create_item, record_lesson, update_item
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import load_pilot_for_update
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot
from tests.test_exchange_import import (
    BROKEN_FILES,
    GOOD_FILES,
    counts,
)


def two_vendors_pilots(actors: Actors) -> None:
    """A pilot of each vendor with something on every sheet; B's texts say "SECRET-B"."""
    yesterday = date.today() - timedelta(days=1)
    for vendor, tag in ((actors.vendor_a, "OWN-A"), (actors.vendor_b, "SECRET-B")):
        pilot = make_pilot(("418", "536"), vendor=vendor, name=f"Pilot {tag}", stage=Stage.PILOTING)
        kpi = add_kpi(pilot, f"KPI {tag}", "kpl", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(kpi, yesterday, Decimal(3), f"note {tag}")
        add_status_update(pilot, Rag.GREEN, 30, f"status {tag}", yesterday)
        decision = record_decision(
            pilot, Gate.MIDPOINT, Outcome.GO, yesterday, f"body {tag}", f"why {tag}"
        )
        # The joint life: a municipal decision, the vendor's item with a comment, an item of a
        # participant (not the vendor's), a lesson.
        record_municipal_decision(
            pilot, "536", Gate.MIDPOINT, Outcome.CONTINUE, Body.BOARD, yesterday, note=f"md {tag}"
        )
        loaded = load_pilot_for_update(pilot.id)
        assert loaded is not None
        item = create_item(loaded, f"item {tag}", Owner(OwnerKind.VENDOR))
        update_item(loaded, item, {"comment": f"comment {tag}"}, None)
        loaded = load_pilot_for_update(pilot.id)
        assert loaded is not None
        create_item(loaded, f"council item {tag}", Owner(OwnerKind.MUNICIPALITY, "418"))
        record_lesson(loaded, f"lesson {tag}", decision.id)


def xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    text = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    workbook.close()
    return text


def test_vendors_get_only_their_own_pilots_in_every_export(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        two_vendors_pilots(actors)
    login_as(client, actors.vendor_user)
    for sheet in SHEETS:
        response = client.get(f"/export/{sheet.name}.csv")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "SECRET-B" not in text, sheet.name
        if sheet.name in ("costs", "municipal_decisions"):
            # Cost entries and municipal decisions are not the vendors' (PRODUCT.md, "Actual
            # costs", "What is due"): header only.
            assert len(text.splitlines()) == 1
            continue
        assert "OWN-A" in text, sheet.name
        # Of the follow-up plan, only the items the vendor owns (and their comments).
        assert "council item" not in text, sheet.name
    # Asking for the other vendor by the vendor filter gives nothing either.
    response = client.get(f"/export/portfolio.xlsx?vendor={actors.vendor_b.id}")
    assert "SECRET-B" not in xlsx_text(response.data)
    workbook = xlsx_text(client.get("/export/portfolio.xlsx").data)
    assert "SECRET-B" not in workbook and "OWN-A" in workbook


def test_readers_export_every_pilot(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        two_vendors_pilots(actors)
    login_as(client, actors.council)
    text = client.get("/export/pilots.csv").get_data(as_text=True)
    assert "OWN-A" in text and "SECRET-B" in text


def test_exports_take_the_pilot_lists_filters(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        two_vendors_pilots(actors)
        make_pilot(("091",), name="Idea in Helsinki")
    login_as(client, actors.coordinator)
    text = client.get("/export/pilots.csv?stage=idea").get_data(as_text=True)
    assert "Idea in Helsinki" in text and "OWN-A" not in text
    text = client.get(f"/export/pilots.csv?vendor={actors.vendor_b.id}").get_data(as_text=True)
    assert "SECRET-B" in text and "OWN-A" not in text and "Idea in Helsinki" not in text
    text = client.get("/export/pilots.csv?municipality=091").get_data(as_text=True)
    assert text.count("\r\n") == 2  # header and the one pilot
    # A value the list does not offer filters nothing there, nor here.
    assert client.get("/export/pilots.csv?theme=parking").get_data(as_text=True).count("\r\n") == 4


def test_download_names_and_types(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    response = client.get("/export/kpis.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="kokeilusalkku-kpis-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    assert response.data.startswith("\ufeffpilot_ref;".encode())
    assert client.get("/export/users.csv").status_code == 404
    xlsx = client.get("/export/portfolio.xlsx")
    assert xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")


def test_export_page_links_keep_the_filters(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    html = client.get("/export?stage=piloting&theme=parking").get_data(as_text=True)
    assert 'href="/export/pilots.csv?stage=piloting"' in html
    assert 'href="/export/portfolio.xlsx?stage=piloting"' in html
    assert "/import" not in html.split("<main", 1)[1]


def _upload(files: list[tuple[str, bytes]], field: str = "files") -> list[tuple[Any, str]]:
    return [(io.BytesIO(data), name) for name, data in files]


def test_the_check_lists_every_problem_and_imports_nothing(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/import")
    with app.app_context():
        before = counts()
    response = client.post(
        "/import",
        data={"csrf_token": token, "files": _upload(BROKEN_FILES)},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ongelmaa: mitään ei tuotu" in html
    assert (
        "<td>pilots.csv</td>\n              <td>3</td>\n              <td>budget_eur</td>" in html
    )
    assert 'name="run-checked"' not in html
    with app.app_context():
        assert counts() == before


def test_check_then_import_the_same_files(app: Flask, client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/import")
    html = client.post(
        "/import",
        data={"csrf_token": token, "files": _upload(GOOD_FILES)},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Ongelmia ei löytynyt" in html
    assert "<li>Kuntadigi Oy (0204819-8)</li>" in html
    checked = re.search(r'name="run-checked" type="hidden" value="([^"]+)"', html)
    assert checked
    response = client.post(
        "/import/run",
        data={
            "run-csrf_token": token,
            "run-checked": checked.group(1),
            "run-files": _upload(GOOD_FILES),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        names = sorted(db.session.scalars(sa.select(Pilot.name)))
    assert names == ["Lupapalvelu", "Tilavaraus"]


def test_the_import_refuses_files_other_than_the_checked_ones(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.admin)
    token = csrf_token(client, "/import")
    html = client.post(
        "/import",
        data={"csrf_token": token, "files": _upload(GOOD_FILES)},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    checked = re.search(r'name="run-checked" type="hidden" value="([^"]+)"', html)
    assert checked
    other = [(name, data.replace(b"Tilavaraus", b"Muutettu")) for name, data in GOOD_FILES]
    response = client.post(
        "/import/run",
        data={
            "run-csrf_token": token,
            "run-checked": checked.group(1),
            "run-files": _upload(other),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Nämä eivät ole tarkistetut tiedostot" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pilot)) == 0


def test_an_upload_over_5_mb_gets_the_413_page(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/import")
    # The body is built by hand: the test client would spool a big upload to a temporary
    # file of its own and leave it open.
    boundary = "----kokeilu"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="p.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"x" * (5 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413
    assert "liian suuri" in response.get_data(as_text=True)


def test_the_check_reports_each_pilot_new_updated_or_unchanged(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    from tests.test_exchange_roundtrip import export_all
    from tests.test_exchange_update import csv_files, edit_csv

    with app.app_context():
        make_pilot(name="Chatbot", budget_cents=10_000_001, funding_cents=0)
        other = make_pilot(name="Toinen")
        add_status_update(other, Rag.GREEN, 10, "Alkaa", date.today())
        add_status_update(other, Rag.GREEN, 20, "Etenee", date.today())
        files = export_all(actors.admin)
        pilots = edit_csv(
            files["pilots"],
            "pilots",
            lambda r: {**r, "budget_eur": "150000,00"} if r["name"] == "Chatbot" else r,
        )
        dropped = edit_csv(files["status_updates"], "status_updates", lambda r: None)
    upload = [("pilots.csv", pilots), *csv_files(files)[1:4], ("s.csv", dropped)]
    upload.append(csv_files(files)[5])
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/import")

    html = client.post(
        "/import",
        data={"csrf_token": token, "files": _upload(upload)},
        content_type="multipart/form-data",
    ).get_data(as_text=True)

    assert "Kokeilut: uusia 0, päivitettyjä 1, ennallaan 1." in html
    chatbot = html.split('<th scope="row">Chatbot</th>')[1].split("</tr>")[0]
    assert "Muuttunut" in chatbot and "budget_eur:" in chatbot
    assert "100000.01</del>" in chatbot and "150000.00</ins>" in chatbot
    assert "Tilannepäivitykset: tiedostoista puuttuvia 2, säilytetään" in html
    with app.app_context():
        stored = db.session.scalars(sa.select(Pilot.budget_cents).where(Pilot.name == "Chatbot"))
        assert stored.one() == 10_000_001
