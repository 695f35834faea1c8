"""The printable municipality brief: print styles on the three pages, and its PDF (the
decision proposal's engine: WeasyPrint, PDF/UA tagged, language and title)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from pilot_tracker.domain.enums import Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality
from pilot_tracker.services import money
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

TODAY = date.today()
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
APP_CSS = Path(__file__).resolve().parents[1] / "pilot_tracker" / "static" / "css" / "app.css"


@pytest.fixture
def pilot_id(app: Flask, actors: Actors) -> int:
    with app.app_context():
        pilot = make_pilot(
            ("418", "536"),
            vendor=actors.vendor_a,
            name="Yhteinen tilavaraus",
            stage=Stage.PILOTING,
            budget_cents=8_000_000,
            funding_cents=1_000_000,
            start_date=TODAY - timedelta(days=30),
            end_date=TODAY + timedelta(days=300),
        )
        return pilot.id


def _pdf_text(reader: PdfReader) -> str:
    return "".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def _save_pages_as_png(data: bytes, name: str) -> list[Path]:
    """Each page of the PDF as a PNG in test-artifacts/, for a reviewer to look at."""
    import pypdfium2

    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(data)
    paths = []
    for number in range(len(document)):
        path = ARTIFACTS / f"{name}-page{number + 1}.png"
        document[number].render(scale=1.5).to_pil().save(path)
        paths.append(path)
    document.close()
    return paths


@pytest.mark.parametrize(
    ("language", "lang", "title", "label"),
    [
        ("fi", "fi", "Kuntakatsaus", "Päätetty asukasta kohden"),
        ("sv", "sv", "Kommunöversikt", "Beslutat per invånare"),
        ("en", "en", "Municipality brief", "Committed per resident"),
    ],
)
def test_the_brief_pdf_is_tagged_in_its_language_with_the_figures(
    app: Flask,
    client: FlaskClient,
    actors: Actors,
    pilot_id: int,
    language: str,
    lang: str,
    title: str,
    label: str,
) -> None:
    login_as(client, actors.council)
    client.set_cookie("lang", language)
    response = client.get("/municipalities/418/brief.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == lang
    assert title in str(reader.metadata.title) and "(418)" in str(reader.metadata.title)
    text = _pdf_text(reader)
    with app.app_context():
        place = db.session.get(Municipality, "418")
        figures = money.municipality_money("418", place.population)
        assert place.name(language) in text
    assert label in text
    assert "Yhteinen tilavaraus" in text  # its pilots table
    # The committed share, formatted in the language (the money service's figure).
    euros = f"{figures.committed_cents // 100:,}".replace(",", " " if lang != "en" else ",")
    assert euros in text and figures.committed_cents > 0
    # An "as of" line with the date and the time.
    assert re.search(r"\d{1,2}[.:]\d{2}", text)
    pages = _save_pages_as_png(response.data, f"brief-pdf-418-{language}")
    assert pages and all(p.stat().st_size > 10_000 for p in pages)


def test_the_brief_pdf_holds_every_charts_table(
    client: FlaskClient, actors: Actors, pilot_id: int
) -> None:
    login_as(client, actors.council)
    client.set_cookie("lang", "en")
    page = client.get("/municipalities/418").text
    titles = re.findall(r'<h2 id="chart-[^"]+-title">([^<]+)</h2>', page)
    assert len(titles) >= 4
    text = _pdf_text(PdfReader(io.BytesIO(client.get("/municipalities/418/brief.pdf").data)))
    flat = " ".join(text.split())
    for title in titles:
        assert " ".join(title.replace("&#39;", "'").split()) in flat


def test_the_municipality_page_links_its_brief(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    page = client.get("/municipalities/418", headers={"Accept-Language": "en"}).text
    assert 'href="/municipalities/418/brief.pdf"' in page


@pytest.mark.parametrize(
    ("path", "subject"),
    [
        ("/municipalities/418", "Lempäälä (418)"),
        (
            "/dashboard?theme=facility_booking",
            "Portfolio dashboard: Booking of municipal facilities",
        ),
        ("/pilots/{pilot_id}", "Yhteinen tilavaraus – Lempäälä"),
    ],
)
def test_each_page_has_a_print_header_with_its_subject_and_time(
    client: FlaskClient, actors: Actors, pilot_id: int, path: str, subject: str
) -> None:
    login_as(client, actors.coordinator)
    page = client.get(path.format(pilot_id=pilot_id), headers={"Accept-Language": "en"}).text
    header = re.search(r'<div class="print-header">(.*?)</div>', page, re.S)
    assert header is not None
    assert subject in header.group(1)
    assert re.search(r"Figures as of \d+/\d+/\d+,? \d+:\d+", header.group(1))


def test_print_styles_hide_controls_and_keep_tables_whole() -> None:
    css = APP_CSS.read_text(encoding="utf-8")
    block = css[css.index("@media print") :]
    for selector in (".site-header", ".lang-form", ".chart-download", "form", "summary"):
        assert selector in block.split("{", 1)[0] + block.split("display: none !important")[0]
    assert "break-inside: avoid" in block
    assert "::details-content" in block  # the charts' tables print although closed
