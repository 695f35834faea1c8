"""Decision support on the pages: similar pilots and the scale-up projection on the pilot
page, similar pilots while the new-pilot form is filled in."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from babel.numbers import format_currency, format_decimal
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction, Gate, Outcome, SplitMethod, Stage, Theme
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.reporting import add_kpi, add_measurement
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot


def fi_money(cents: int) -> str:
    return format_currency(Decimal(cents) / 100, "EUR", locale="fi")


def fi_number(value: int | Decimal, digits: int | None = None) -> str:
    fmt = None if digits is None else "#,##0." + "0" * digits
    return format_decimal(value, format=fmt, locale="fi")


def text(app: Flask, msgid: str) -> str:
    """`msgid` as the pages show it to a user without a language choice (Finnish)."""
    from flask_babel import gettext

    with app.test_request_context():
        return gettext(msgid)


def section(html: str, section_id: str) -> str:
    """The HTML of one <section id=...> of the page (up to the next top-level section)."""
    start = html.index(f'<section id="{section_id}"')
    end = html.find('\n<section id="', start + 1)
    return html[start : end if end > 0 else len(html)]


@pytest.fixture
def pilots(app: Flask, actors: Actors) -> dict[str, int]:
    """A booking pilot of vendor A, a similar one of vendor B (piloting after a go decision,
    with a KPI half-way), a similar one of vendor A and an unrelated one."""
    with app.app_context():
        booking = make_pilot(
            ("418", "536", "980"),
            name="Tilavaraus verkossa",
            summary="Kuntien tilojen varaus ja maksu verkossa.",
            theme=Theme.FACILITY_BOOKING,
            vendor=actors.vendor_a,
            method=SplitMethod.PER_CAPITA,
            budget_cents=12_000_000,
            funding_cents=3_000_000,
            estimated_annual_savings_cents=4_500_000,
        )
        other = make_pilot(
            ("091",),
            name="Tilavarausten hallinta",
            summary="Koulujen tilojen varaus.",
            theme=Theme.FACILITY_BOOKING,
            vendor=actors.vendor_b,
            stage=Stage.PLANNING,
        )
        record_decision(other, Gate.START, Outcome.GO, date(2026, 1, 5), "hallitus", "Aloitetaan.")
        kpi = add_kpi(other, "Käyttöaste", "%", Decimal(40), Decimal(60), Direction.INCREASE)
        add_measurement(kpi, date(2026, 2, 1), Decimal(50))
        own = make_pilot(
            ("837",),
            name="Sähköinen tilavarausjärjestelmä",
            summary="Liikuntatilojen varaukset.",
            theme=Theme.FACILITY_BOOKING,
            vendor=actors.vendor_a,
        )
        unrelated = make_pilot(
            ("049",),
            name="Kotihoidon ajoreitit",
            summary="Kuljetusten optimointi.",
            theme=Theme.TRANSPORT_OPTIMISATION,
        )
        return {
            "booking": booking.id,
            "other": other.id,
            "own": own.id,
            "unrelated": unrelated.id,
        }


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- similar pilots on the pilot page ----------------------------------------------------


def test_pilot_page_lists_similar_pilots_with_stage_outcomes_vendor_and_kpi_progress(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.coordinator)
    html = section(page(client, f"/pilots/{pilots['booking']}"), "similar")

    assert f'href="/pilots/{pilots["other"]}"' in html
    assert f'href="/pilots/{pilots["own"]}"' in html
    assert f'href="/pilots/{pilots["booking"]}"' not in html  # never itself
    assert html.index(f'/pilots/{pilots["other"]}"') < html.find("Kotihoidon ajoreitit") or (
        "Kotihoidon ajoreitit" not in html
    )
    row = html[html.index(f'/pilots/{pilots["other"]}"') :].split("</tr>")[0]
    with app.test_request_context():
        from pilot_tracker.language.labels import label

        assert str(label(Stage.PILOTING)) in row
        assert str(label(Outcome.GO)) in row
    assert "Vendor B Oy" in row
    assert f"Käyttöaste: {fi_number(Decimal(50), 1)} %" in row


def test_vendor_never_sees_another_vendors_pilot_among_similar_pilots(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.vendor_user)
    html = section(page(client, f"/pilots/{pilots['booking']}"), "similar")

    assert f'href="/pilots/{pilots["own"]}"' in html
    assert f'href="/pilots/{pilots["other"]}"' not in html
    assert "Vendor B Oy" not in html


# --- the projection ----------------------------------------------------------------------


def test_projection_is_labelled_estimated_and_writes_out_the_formula(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.council)
    html = section(page(client, f"/pilots/{pilots['booking']}"), "projection")

    assert f'class="notice"><strong>{text(app, "Estimated.")}</strong>' in html
    assert text(app, "Annual savings (estimated)") in html  # the chart's and table's column
    # 45 000 € over 93 533 residents = 0,4811 € a resident; 90 000 € = 0,9622 €.
    assert f"{fi_money(4_500_000)} ÷ {fi_number(93_533)} = {fi_number(Decimal('0.4811'), 4)} €" in (
        html
    )
    assert f"{fi_money(9_000_000)} ÷ {fi_number(93_533)} = {fi_number(Decimal('0.9622'), 4)} €" in (
        html
    )
    assert f"{fi_money(700_000_000)} – {fi_money(2_300_000_000)}" in html  # quick track
    assert f"<h4>{text(app, 'Assumptions')}</h4>" in html
    assert 'id="chart-projection"' in html and "<details" in html  # the chart partial


def test_projection_uses_realised_savings_once_a_savings_kpi_is_measured(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    with app.app_context():
        from pilot_tracker.services.pilots import load_pilot_for_update

        pilot = load_pilot_for_update(pilots["booking"])
        kpi = add_kpi(pilot, "Säästö", "€", Decimal(0), Decimal(90_000), Direction.INCREASE, True)
        add_measurement(kpi, date(2026, 3, 1), Decimal("93533.00"))
    login_as(client, actors.coordinator)
    html = section(page(client, f"/pilots/{pilots['booking']}?scope=national"), "projection")

    assert text(app, "Annual savings (realised)") in html
    assert text(app, "Annual savings (estimated)") not in html
    assert 'class="notice"' not in html
    # 93 533 € over 93 533 residents: exactly 1 € a resident, onto the rest of Finland.
    assert f"= {fi_number(Decimal(1), 4)} €" in html
    assert fi_number(5_563_970 - 93_533) in html


def test_projection_onto_listed_codes_from_the_url(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.admin)
    html = section(page(client, f"/pilots/{pilots['booking']}?codes=091 49"), "projection")

    # 45 000 € / 93 533 × (664 028 + 305 274), rounded half-up to the cent.
    population = 664_028 + 305_274
    cents = (Decimal(4_500_000) * population / 93_533).quantize(Decimal(1), "ROUND_HALF_UP")
    assert fi_money(int(cents)) in html
    assert re.search(r'<input checked id="scope-\d" name="scope" type="radio" value="codes">', html)
    assert fi_number(population) in html


def test_region_and_national_projections_exclude_the_participants(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    with app.app_context():
        region = db.session.execute(
            sa.select(sa.func.count(), sa.func.sum(Municipality.population)).where(
                Municipality.region_code == "06", Municipality.code.not_in(["418", "536", "980"])
            )
        ).one()
    login_as(client, actors.council)
    response = client.get(f"/pilots/{pilots['booking']}/projection.csv?format=plain")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert len(rows[0]) == 6
    participants, in_region, national = rows[1], rows[2], rows[3]
    assert participants[1:5] == ["3", "93533", "45000.00", "90000.00"]
    assert in_region[1:3] == [str(region[0]), str(region[1])]
    assert national[1:3] == ["305", str(5_563_970 - 93_533)]
    assert rows[-2][3] == "7000000.00" and rows[-1][3] == "23000000.00"


def test_bad_codes_are_named_next_to_the_field(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.council)
    html = section(page(client, f"/pilots/{pilots['booking']}?codes=091,000"), "projection")

    assert 'id="codes-error"' in html and "000" in html.split('id="codes-error"')[1][:200]
    assert 'aria-invalid="true"' in html
    assert 'id="chart-projection"' in html  # the region and the country are still shown


def test_vendors_get_no_projection(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.vendor_user)
    html = page(client, f"/pilots/{pilots['booking']}")

    assert 'id="projection"' not in html
    assert client.get(f"/pilots/{pilots['booking']}/projection.csv").status_code == 403


def test_chart_scripts_load_once_with_the_projection(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.coordinator)
    html = page(client, f"/pilots/{pilots['booking']}")

    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert len(scripts) == len(set(scripts))
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", html)


# --- a fixed number of queries -----------------------------------------------------------


def counted_statements(app: Flask, client: FlaskClient, path: str) -> int:
    from tests.test_pilots_queries import statements_for

    return len(statements_for(app, client, path))


def test_pilot_page_queries_do_not_grow_with_the_similar_pilots(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.coordinator)
    before = counted_statements(app, client, f"/pilots/{pilots['booking']}")
    with app.app_context():
        for i in range(6):
            more = make_pilot(
                ("418", "091", "049", "837"),
                name=f"Tilavaraus {i}",
                summary="Tilojen varaus verkossa.",
                stage=Stage.PLANNING,
                vendor=actors.vendor_b,
            )
            record_decision(more, Gate.START, Outcome.GO, date(2026, 1, 5), "hallitus", "Kyllä.")
            for k in range(3):
                add_kpi(more, f"Mittari {k}", "kpl", Decimal(0), Decimal(10), Direction.INCREASE)
    after = counted_statements(app, client, f"/pilots/{pilots['booking']}")
    unrelated = counted_statements(app, client, f"/pilots/{pilots['unrelated']}")

    assert before == after == unrelated


def test_pilot_page_with_similar_pilots_keeps_to_the_query_budget(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    from tests.test_pilots_queries import statements_for

    login_as(client, actors.council)
    statements = statements_for(app, client, f"/pilots/{pilots['booking']}")
    queries = [s for s in statements if not s.startswith(("SAVEPOINT", "ROLLBACK", "RELEASE"))]
    html = page(client, f"/pilots/{pilots['booking']}")

    assert f'href="/pilots/{pilots["other"]}"' in section(html, "similar")  # it did search
    # Issue 5's budget for a page: 15 queries. Decision support takes two of them: the
    # similar pilots with everything shown about them, and the municipality register.
    # issue 5's 15, with the joint life's sections (issue 16), the planned gate meetings (issue
    # 18) and the residents' satisfaction KPI (issue 21, one grouped query).
    assert len(queries) <= 18


# --- the pilot form ----------------------------------------------------------------------


def test_form_lookup_answers_a_fragment_for_the_typed_text(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.coordinator)
    response = client.get(
        "/pilots/similar",
        query_string={"name": "Tilavarausjärjestelmä", "summary": "Tilojen varaus kouluille"},
    )
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<html" not in html and "<table" in html
    assert f'href="/pilots/{pilots["booking"]}"' in html
    assert f'href="/pilots/{pilots["unrelated"]}"' not in html


def test_form_lookup_leaves_out_the_pilot_being_edited_and_waits_for_text(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.admin)
    edited = client.get(
        "/pilots/similar",
        query_string={"name": "Tilavaraus verkossa", "exclude": str(pilots["booking"])},
    ).get_data(as_text=True)
    empty = client.get("/pilots/similar", query_string={"name": "ab"}).get_data(as_text=True)

    assert f'href="/pilots/{pilots["booking"]}"' not in edited
    assert f'href="/pilots/{pilots["other"]}"' in edited
    assert empty.strip() == ""


def test_new_pilot_form_has_the_live_region_and_its_script(
    client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    html = page(client, "/pilots/new")

    region = html[html.index('class="similar-live"') :]
    assert 'data-similar-url="/pilots/similar"' in region
    assert 'id="similar-results" aria-live="polite"' in region
    assert re.search(r'<script src="/static/js/similar\.js[^"]*" defer>', html)


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Tilavarausjärjestelmä kouluille",
        "summary": "Koulujen tilojen varaus verkossa",
        "theme": "facility_booking",
        "track": "",
        "stage": "idea",
        "participants": ["418"],
        "lead_municipality": "418",
        "split_method": "equal",
        "budget": "1000",
        "external_funding": "0",
        "estimated_annual_savings": "0",
        "vendor_id": "",
        "coordinator_id": "",
        "action": "preview",
    }
    data.update(overrides)
    return data


def test_preview_without_javascript_lists_similar_pilots(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/pilots/new")
    response = client.post("/pilots/new", data={**form_data(), "csrf_token": token})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    region = html[html.index('id="similar-results"') :]
    assert f'href="/pilots/{pilots["booking"]}"' in region


def test_after_the_first_save_the_pilot_page_shows_similar_pilots(
    app: Flask, client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/pilots/new")
    response = client.post("/pilots/new", data={**form_data(action="save"), "csrf_token": token})
    assert response.status_code == 302

    html = section(page(client, response.headers["Location"]), "similar")

    assert f'href="/pilots/{pilots["booking"]}"' in html


def test_form_lookup_is_for_those_who_create_pilots(
    client: FlaskClient, actors: Actors, pilots: dict[str, int]
) -> None:
    login_as(client, actors.council)
    assert client.get("/pilots/similar?name=Tilavaraus").status_code == 403
    login_as(client, actors.vendor_user)
    assert client.get("/pilots/similar?name=Tilavaraus").status_code == 403
