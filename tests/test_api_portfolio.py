"""The portfolio summary: counts and sums in SQL, per-municipality cost per resident."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Direction, Rag, SplitMethod, Stage, Theme
from pilot_tracker.extensions import db
from pilot_tracker.models import Pilot
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors
from tests.factories import make_pilot

SUMMARY = "/api/v1/portfolio/summary"


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


@pytest.fixture
def portfolio(app: Flask, actors: Actors) -> None:
    with app.app_context():
        a = make_pilot(
            vendor=actors.vendor_a,
            stage=Stage.PILOTING,
            estimated_annual_savings_cents=4_500_000,
        )
        add_status_update(a, Rag.GREEN, 20, "Vanha.", reported_on=date(2020, 1, 1))
        savings = add_kpi(a, "Säästö", "€", Decimal(0), Decimal(20000), Direction.INCREASE, True)
        add_measurement(savings, date(2026, 1, 1), Decimal("10000.25"))
        other = add_kpi(a, "Käyttäjät", "kpl", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(other, date(2026, 1, 1), Decimal(999))

        b = make_pilot(
            ("091", "418"),
            method=SplitMethod.EQUAL,
            budget_cents=1_000_000,
            funding_cents=1_000_000,
            theme=Theme.PERMITS,
            vendor=actors.vendor_b,
        )
        # Funded beyond its budget: refused since the plausibility rules, but a pilot saved
        # before them may hold it, and the summary must add it up right.
        db.session.execute(
            sa.update(Pilot).where(Pilot.id == b.id).values(external_funding_cents=2_000_000)
        )
        db.session.commit()
        late = add_kpi(b, "Säästö", "€", Decimal(0), Decimal(9000), Direction.INCREASE, True)
        add_measurement(late, date(2026, 2, 1), Decimal("5000.10"))
        add_measurement(late, date(2026, 1, 1), Decimal(1))  # older: not the latest

        make_pilot(
            ("980",),
            budget_cents=100_100,
            funding_cents=0,
            theme=Theme.GEODATA,
            stage=Stage.PLANNING,
        )


def test_summary_counts_and_sums_the_portfolio(api: ApiCaller, portfolio: None) -> None:
    body = api.get("coordinator", SUMMARY).get_json()

    assert body["pilot_count"] == 3
    assert body["by_stage"] == {
        "idea": 1,
        "planning": 1,
        "piloting": 1,
        "evaluation": 0,
        "scaling": 0,
        "stopped": 0,
    }
    assert body["by_theme"]["facility_booking"] == 1 and body["by_theme"]["permits"] == 1
    assert body["by_theme"]["geodata"] == 1 and sum(body["by_theme"].values()) == 3
    assert body["by_track"] == {"quick": 2, "slow": 1}
    assert body["budget_eur"] == "131001.00"
    assert body["external_funding_eur"] == "50000.00"
    # Funding above a budget makes that pilot's net cost 0, not negative.
    assert body["net_cost_eur"] == "91001.00"
    assert body["estimated_annual_savings_eur"] == "45000.00"
    assert body["realised_annual_savings_eur"] == "15000.35"
    assert body["stale_count"] == 1


def test_summary_lists_what_each_municipality_pays(api: ApiCaller, portfolio: None) -> None:
    municipalities = api.get("council", SUMMARY).get_json()["municipalities"]
    old_fields = ("code", "name", "pilot_count", "net_cost_eur", "eur_per_resident")
    municipalities = [{k: m[k] for k in old_fields} for m in municipalities]

    assert municipalities == [
        {
            "code": "091",
            "name": "Helsinki",
            "pilot_count": 1,
            "net_cost_eur": "0.00",
            "eur_per_resident": "0.00",
        },
        {
            "code": "418",
            "name": "Lempäälä",
            "pilot_count": 2,
            "net_cost_eur": "23651.55",
            "eur_per_resident": "0.96",
        },
        {
            "code": "536",
            "name": "Nokia",
            "pilot_count": 1,
            "net_cost_eur": "34010.88",
            "eur_per_resident": "0.96",
        },
        {
            "code": "980",
            "name": "Ylöjärvi",
            "pilot_count": 2,
            "net_cost_eur": "33338.57",
            "eur_per_resident": "0.99",
        },
    ]


def test_cost_per_resident_rounds_half_up(app: Flask, api: ApiCaller) -> None:
    # Nokia has 35 346 residents: 176.73 € is exactly 0.005 € each, which rounds up to 0.01.
    with app.app_context():
        make_pilot(("536",), budget_cents=17_673, funding_cents=0)

    (nokia,) = api.get("admin", SUMMARY).get_json()["municipalities"]

    assert nokia["net_cost_eur"] == "176.73" and nokia["eur_per_resident"] == "0.01"


@pytest.mark.parametrize(
    ("query", "count", "codes"),
    [
        ("theme=permits", 1, ["091", "418"]),
        ("municipality=980", 2, ["418", "536", "980"]),
        ("region=01", 1, ["091", "418"]),
        ("stage=stopped", 0, []),
    ],
)
def test_summary_takes_the_list_filters(
    api: ApiCaller, portfolio: None, query: str, count: int, codes: list[str]
) -> None:
    body = api.get("admin", f"{SUMMARY}?{query}").get_json()

    assert body["pilot_count"] == count
    assert [m["code"] for m in body["municipalities"]] == codes


def test_empty_portfolio_sums_to_zero(api: ApiCaller) -> None:
    body = api.get("admin", SUMMARY).get_json()

    assert body["pilot_count"] == 0 and body["municipalities"] == []
    assert body["net_cost_eur"] == body["realised_annual_savings_eur"] == "0.00"


def test_summary_refuses_bad_filters(api: ApiCaller) -> None:
    errors = assert_problem(api.get("admin", f"{SUMMARY}?track=fast"), 422)["errors"]

    assert list(errors) == ["track"]


@pytest.mark.parametrize(("actor", "status"), [("vendor_user", 403), ("anonymous", 401)])
def test_vendors_get_no_summary(api: ApiCaller, actor: str, status: int) -> None:
    assert_problem(api.get(actor, SUMMARY), status)


def test_summary_query_count_does_not_grow_with_pilots(
    app: Flask, api: ApiCaller, portfolio: None
) -> None:
    statements: list[Any] = []
    with app.app_context():
        engine = db.session.get_bind()
    api.get("admin", SUMMARY)  # the token's first use records when it was used

    def count(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        api.get("admin", SUMMARY)
        few = len(statements)
        with app.app_context():
            for _ in range(4):
                make_pilot(("049", "091"))
        statements.clear()
        api.get("admin", SUMMARY)
        many = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert many == few
