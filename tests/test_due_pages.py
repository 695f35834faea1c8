"""What is due and money by year on the pages: the portfolio's "Due and overdue" section, the
municipality page (its reviews, its section, its by-year chart) and the vendor home."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction, Gate, Outcome, SplitMethod, Stage
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.reporting import add_kpi, add_measurement
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

EN = {"Accept-Language": "en"}
TODAY = date.today()


def _section(html: str, marker: str = 'class="due-section"') -> str:
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


def _pilots(app: Flask, actors: Actors) -> dict[str, int]:
    with app.app_context():
        late = make_pilot(
            ("418", "536"),
            method=SplitMethod.EQUAL,
            name="Myöhässä",
            stage=Stage.PLANNING,
            budget_cents=7_300_000,
            funding_cents=0,
            start_date=date(2026, 11, 1),
            end_date=date(2027, 1, 31),
            vendor=actors.vendor_a,
        )
        record_decision(
            late, Gate.START, Outcome.GO, TODAY - timedelta(days=100), "hallitus", "Aloitus.",
            next_review=TODAY - timedelta(days=3),
        )  # fmt: skip
        kpi = add_kpi(late, "Käyttäjät", "hlöä", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(kpi, TODAY - timedelta(days=70), Decimal(2))
        other = make_pilot(("091",), name="Muualla", stage=Stage.PLANNING, vendor=actors.vendor_b)
        record_decision(
            other, Gate.START, Outcome.CONTINUE, TODAY - timedelta(days=5), "hallitus", "Ei vielä.",
            next_review=TODAY + timedelta(days=20),
        )  # fmt: skip
    return {"late": late.id, "kpi": kpi.id, "other": other.id}


def test_the_portfolio_opens_with_due_and_overdue_linking_where_each_is_resolved(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    ids = _pilots(app, actors)
    login_as(client, actors.coordinator)
    html = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert html.index('class="due-section"') < html.index('class="chart-grid"')
    section = _section(html)
    rows = re.findall(r'<tr class="due-(\w+)( overdue)?">(.*?)</tr>', section, re.S)
    kinds = [(kind, bool(overdue)) for kind, overdue, _ in rows]
    # Overdue first (review, status, measurement of the late pilot and its participant's own
    # decision at the gate), then the due review and the other's participant's decision.
    due = [k for k, o in kinds if not o]
    assert sorted(due) == ["municipal_decision", "review"]
    assert kinds[: len(kinds) - 2] == [(k, o) for k, o in kinds if o]
    assert ("review", True) in kinds and ("status_update", True) in kinds
    late_review = next(r for k, o, r in rows if k == "review" and o)
    assert f'href="/pilots/{ids["late"]}/decisions/new"' in late_review
    measurement = next(r for k, o, r in rows if k == "measurement")
    assert f'href="/pilots/{ids["late"]}/measurements/new?kpi={ids["kpi"]}"' in measurement
    overdue = sum(1 for _, o in kinds if o)
    assert f"{overdue} overdue and {len(kinds) - overdue} due." in section


def test_a_council_member_gets_the_pilot_page_not_the_forms(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    ids = _pilots(app, actors)
    login_as(client, actors.council_tied)
    section = _section(client.get("/dashboard", headers=EN).get_data(as_text=True))
    assert "/decisions/new" not in section and "/status/new" not in section
    assert f'href="/pilots/{ids["late"]}">Open the pilot' in section
    # Lempäälä's pilots come first for its council member.
    first = re.search(r'<tr class="due-\w+[^"]*">(.*?)</tr>', section, re.S)
    assert first is not None and "Myöhässä" in first.group(1)


def test_the_municipality_page_lists_its_overdue_review_first_and_its_years(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    ids = _pilots(app, actors)
    login_as(client, actors.council_tied)
    html = client.get("/municipalities/418", headers=EN).get_data(as_text=True)
    reviews = _section(html, 'id="chart-decisions-due"')
    assert "Decisions overdue and due in the next 90 days" in reviews
    assert "1 reviews are overdue" in reviews
    assert f'href="/pilots/{ids["late"]}"' in reviews and "Muualla" not in reviews
    section = _section(html)
    assert "Muualla" not in section and "Myöhässä" in section
    # Its half (36 500 €) spread by days: 61 days of 2026 and 31 of 2027 of 92.
    years = _section(html, 'id="chart-by-year"')
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", years)
    assert cells[4:8] == ["2026", "€24,201.09", "€0.00", "€0.00"]
    assert cells[8:12] == ["2027", "€12,298.91", "€0.00", "€0.00"]
    csv = client.get("/municipalities/418/data/by-year.csv?format=plain").get_data(as_text=True)
    assert csv.splitlines()[1:] == ["2026,24201.09,0.00,0.00", "2027,12298.91,0.00,0.00"]


def test_the_vendor_home_lists_only_its_pilots_items_without_reviews(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    ids = _pilots(app, actors)
    login_as(client, actors.vendor_user)
    section = _section(client.get("/my-pilots", headers=EN).get_data(as_text=True))
    assert "due-review" not in section and "Muualla" not in section
    assert f'href="/pilots/{ids["late"]}/status/new"' in section
    assert f'href="/pilots/{ids["late"]}/measurements/new?kpi={ids["kpi"]}"' in section
    login_as(client, actors.other_vendor_user)
    other = _section(client.get("/my-pilots", headers=EN).get_data(as_text=True))
    assert "Nothing is due or overdue." in other
