"""GET /api/v1/due and GET /api/v1/municipalities/{code}/summary (API.md, issue 13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from pilot_tracker.domain.enums import Gate, Outcome, SplitMethod, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality
from pilot_tracker.services.decisions import record_decision
from tests.api_helpers import ApiCaller
from tests.conftest import Actors
from tests.factories import make_pilot

TODAY = date.today()
DUE = "/api/v1/due"


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


@pytest.fixture
def money_portfolio(app: Flask, actors: Actors) -> dict[str, int]:
    """418 in a committed, a proposed, a stopped and an undated idea pilot."""
    with app.app_context():
        committed = make_pilot(
            ("418", "536"),
            method=SplitMethod.EQUAL,
            stage=Stage.PLANNING,
            budget_cents=10_000_000,
            funding_cents=0,
            estimated_annual_savings_cents=2_000_000,
            start_date=date(2026, 7, 1),
            end_date=date(2027, 6, 30),
            vendor=actors.vendor_a,
        )
        record_decision(
            committed, Gate.START, Outcome.GO, date(2026, 7, 1), "hallitus", "Aloitetaan.",
            next_review=TODAY - timedelta(days=10),
        )  # fmt: skip
        make_pilot(
            ("418",),
            stage=Stage.PLANNING,
            budget_cents=3_000_000,
            funding_cents=0,
            estimated_annual_savings_cents=500_000,
            start_date=date(2027, 1, 1),
            end_date=date(2027, 12, 31),
        )
        stopped = make_pilot(
            ("418", "536"),
            stage=Stage.PILOTING,
            budget_cents=5_000_000,
            funding_cents=0,
            estimated_annual_savings_cents=1_000_000,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
        )
        record_decision(stopped, Gate.MIDPOINT, Outcome.NO_GO, TODAY, "hallitus", "Lopetetaan.")
        make_pilot(("418",), budget_cents=1_000_000, funding_cents=0)  # an idea, no dates
        population = db.session.get(Municipality, "418").population
    return {"committed": committed.id, "population": population}


def test_municipality_summary_keeps_committed_and_proposed_apart(
    api: ApiCaller, money_portfolio: dict[str, int]
) -> None:
    body = api.get("council", "/api/v1/municipalities/418/summary").get_json()
    population = money_portfolio["population"]
    per_resident = (5_000_000 * 2 + population) // (2 * population)  # half-up, in cents
    assert body["code"] == "418" and body["pilot_count"] == 4
    assert body["committed_eur"] == "50000.00"  # its half of the committed pilot
    assert body["proposed_eur"] == "40000.00"  # 30 000 + 10 000: the plan and the idea
    assert body["actual_eur"] == "0.00"  # the stopped pilot counts only its actual costs
    assert body["forecast_eur"] == "50000.00"
    assert body["committed_eur_per_resident"] == f"{per_resident // 100}.{per_resident % 100:02d}"
    assert body["estimated_annual_savings_eur"] == {"committed": "10000.00", "proposed": "5000.00"}
    assert body["by_year"] == [
        # 50 000 € over 1 Jul 2026 – 30 Jun 2027: 184 and 181 days of 365, the odd cent to 2026.
        {
            "year": 2026,
            "planned_committed_eur": "25205.48",
            "planned_proposed_eur": "0.00",
            "actual_eur": "0.00",
        },
        {
            "year": 2027,
            "planned_committed_eur": "24794.52",
            "planned_proposed_eur": "30000.00",
            "actual_eur": "0.00",
        },
    ]
    assert body["unscheduled"] == {
        "planned_committed_eur": "0.00",
        "planned_proposed_eur": "10000.00",
    }
    due = {(d["kind"], d["pilot_id"], d["overdue"]) for d in body["due"]}
    # The committed pilot: its review 10 days ago, and no status since its start decision.
    assert ("review", money_portfolio["committed"], True) in due
    assert ("status_update", money_portfolio["committed"], True) in due
    assert body["due_total"] == len(body["due"])


def test_portfolio_summary_answers_money_by_commitment_and_year(
    api: ApiCaller, money_portfolio: dict[str, int]
) -> None:
    body = api.get("coordinator", "/api/v1/portfolio/summary").get_json()
    assert body["committed_net_cost_eur"] == "100000.00"
    assert body["proposed_net_cost_eur"] == "40000.00"
    assert body["actual_cost_eur"] == "0.00"
    assert body["net_cost_eur"] == "190000.00"  # as before: every pilot's planned net cost
    assert body["committed_estimated_annual_savings_eur"] == "20000.00"
    assert body["proposed_estimated_annual_savings_eur"] == "5000.00"
    # 100 000 € by days: 50 410.95… and 49 589.04…; the leftover cent to 2026.
    assert [
        (y["year"], y["planned_committed_eur"], y["planned_proposed_eur"]) for y in body["by_year"]
    ] == [
        (2026, "50410.96", "0.00"),
        (2027, "49589.04", "30000.00"),
    ]
    lempaala = next(m for m in body["municipalities"] if m["code"] == "418")
    assert (lempaala["committed_eur"], lempaala["proposed_eur"]) == ("50000.00", "40000.00")


def test_municipality_summary_is_404_for_an_unknown_code_and_403_for_vendors(
    api: ApiCaller,
) -> None:
    assert api.get("council", "/api/v1/municipalities/999/summary").status_code == 404
    assert api.get("vendor_user", "/api/v1/municipalities/418/summary").status_code == 403


def test_due_lists_items_overdue_first_with_the_api_shape(
    api: ApiCaller, money_portfolio: dict[str, int]
) -> None:
    body = api.get("coordinator", DUE).get_json()
    first = next(i for i in body["items"] if i["kind"] == "review")
    assert first == {
        "kind": "review",
        "pilot_id": money_portfolio["committed"],
        "pilot_name": first["pilot_name"],
        "due_on": (TODAY - timedelta(days=10)).isoformat(),
        "overdue": True,
        "detail": "Review planned at the start decision of 2026-07-01.",
    }
    overdue = [i["overdue"] for i in body["items"]]
    assert overdue == sorted(overdue, reverse=True)
    assert body["total"] == len(body["items"]) and body["page"] == 1


def test_vendors_get_only_their_pilots_and_no_reviews(
    api: ApiCaller, money_portfolio: dict[str, int]
) -> None:
    mine = api.get("vendor_user", DUE).get_json()["items"]
    assert {i["pilot_id"] for i in mine} <= {money_portfolio["committed"]}
    assert all(i["kind"] != "review" for i in mine)
    assert api.get("other_vendor_user", DUE).get_json()["items"] == []


def test_due_narrows_by_municipality_and_refuses_a_bad_code(
    api: ApiCaller, money_portfolio: dict[str, int]
) -> None:
    assert api.get("council", f"{DUE}?municipality=091").get_json()["total"] == 0
    assert api.get("council", f"{DUE}?municipality=418").get_json()["total"] >= 1
    assert api.get("council", f"{DUE}?municipality=41").status_code == 422


def test_a_pilot_answers_its_commitment(api: ApiCaller, money_portfolio: dict[str, int]) -> None:
    body = api.get("council", f"/api/v1/pilots/{money_portfolio['committed']}").get_json()
    assert body["commitment"] == "committed"
    stages = {
        p["stage"]: p["commitment"]
        for p in api.get("council", "/api/v1/pilots?per_page=200").get_json()["items"]
    }
    assert stages == {
        "piloting": "committed",
        "planning": "proposed",
        "idea": "proposed",
        "stopped": "stopped",
    }
