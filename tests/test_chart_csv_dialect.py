"""The charts' CSVs: in Finnish and Swedish the export dialect (`;`, decimal comma, BOM)
that Excel opens in columns, `?format=plain` for the plain machine form, and the same column
headers as the chart's table in every form."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Stage
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

TODAY = date.today()
PATH = "/municipalities/418/data/pilot-costs.csv"


@pytest.fixture
def pilot(app: Flask, actors: Actors) -> int:
    with app.app_context():
        return make_pilot(
            ("418", "536"),
            vendor=actors.vendor_a,
            name="=Kaava ja taulukko",  # a name a spreadsheet could run as a formula
            stage=Stage.PILOTING,
            budget_cents=10_000_001,
            funding_cents=0,
            start_date=TODAY - timedelta(days=5),
            end_date=TODAY + timedelta(days=50),
        ).id


def _table_headers(html: str, key: str) -> list[str]:
    section = html[html.index(f'id="chart-{key}"') :]
    head = section[section.index("<thead>") : section.index("</thead>")]
    return re.findall(r"<th[^>]*>([^<]*)</th>", head)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_csvs_are_in_the_export_dialect(
    client: FlaskClient, actors: Actors, pilot: int, lang: str
) -> None:
    login_as(client, actors.council)
    client.set_cookie("lang", lang)
    response = client.get(PATH)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    headers = _table_headers(client.get("/municipalities/418").text, "pilot-costs")
    assert rows[0] == headers and len(headers) >= 2
    name, share = rows[1][0], rows[1][-1]
    assert name == "'=Kaava ja taulukko"  # neutralised, as in the exports
    assert re.fullmatch(r"\d+,\d{2}", share), share  # decimal comma, no thousands separator
    assert "." not in share


def test_plain_form_in_any_language(client: FlaskClient, actors: Actors, pilot: int) -> None:
    login_as(client, actors.council)
    client.set_cookie("lang", "fi")
    data = client.get(PATH + "?format=plain").get_data()
    assert not data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    headers = _table_headers(client.get("/municipalities/418").text, "pilot-costs")
    assert rows[0] == headers  # the Finnish headers, in the machine form
    assert re.fullmatch(r"\d+\.\d{2}", rows[1][-1])
    fi = list(
        csv.reader(io.StringIO(client.get(PATH).get_data().decode("utf-8-sig")), delimiter=";")
    )
    assert rows[1][-1].replace(".", ",") == fi[1][-1]  # the same figure in both forms


def test_english_is_plain_unless_asked(client: FlaskClient, actors: Actors, pilot: int) -> None:
    login_as(client, actors.council)
    client.set_cookie("lang", "en")
    plain = client.get(PATH).get_data(as_text=True)
    assert not plain.startswith("\ufeff") and plain.splitlines()[0].count(",") >= 1
    sheet = client.get(PATH + "?format=spreadsheet").get_data()
    assert sheet.startswith("\ufeff".encode()) and b";" in sheet.splitlines()[0]


def test_portfolio_and_pilot_csvs_use_the_dialect(
    client: FlaskClient, actors: Actors, pilot: int
) -> None:
    login_as(client, actors.coordinator)
    client.set_cookie("lang", "sv")
    for path in (
        "/dashboard/data/municipality-costs.csv",
        f"/dashboard/pilots/{pilot}/data/cost-shares.csv",
    ):
        data = client.get(path).get_data()
        assert data.startswith("\ufeff".encode()), path
        first = data.decode("utf-8-sig").splitlines()
        assert ";" in first[0] and re.search(r";\d+,\d{2}(;|$)", first[1]), (path, first[:2])


def test_an_unknown_format_is_not_found(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    assert client.get(PATH + "?format=xml").status_code == 404
