"""GET /api/v1/pilots/{id}/similar and /projection: fields, visibility, figures by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Direction, Gate, Outcome, SplitMethod, Stage, Theme
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.reporting import add_kpi, add_measurement
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors
from tests.factories import make_pilot

V1 = "/api/v1"


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


@pytest.fixture
def pilots(app: Flask, actors: Actors) -> dict[str, int]:
    with app.app_context():
        made = {
            "booking": make_pilot(
                ("418", "536", "980"),
                name="Tilavaraus verkossa",
                summary="Kuntien tilojen varaus ja maksu verkossa.",
                theme=Theme.FACILITY_BOOKING,
                vendor=actors.vendor_a,
                method=SplitMethod.PER_CAPITA,
                budget_cents=12_000_000,
                funding_cents=3_000_000,
                estimated_annual_savings_cents=4_500_000,
                stage=Stage.PLANNING,
            ),
            "same_vendor": make_pilot(
                ("837",),
                name="Sähköinen tilavarausjärjestelmä",
                summary="Liikuntatilojen varaukset.",
                theme=Theme.FACILITY_BOOKING,
                vendor=actors.vendor_a,
            ),
            "other_vendor": make_pilot(
                ("091",),
                name="Tilavarausten hallinta",
                summary="Tilojen varaus kouluille.",
                theme=Theme.FACILITY_BOOKING,
                vendor=actors.vendor_b,
            ),
            "unrelated": make_pilot(
                ("418",),
                name="Kotihoidon ajoreitit",
                summary="Kuljetusten optimointi.",
                theme=Theme.TRANSPORT_OPTIMISATION,
                vendor=actors.vendor_a,
            ),
        }
        return {key: p.id for key, p in made.items()}


def test_similar_lists_related_pilots_with_the_contract_fields(
    api: ApiCaller, pilots: dict[str, int]
) -> None:
    response = api.get("coordinator", f"{V1}/pilots/{pilots['booking']}/similar")

    assert response.status_code == 200
    items = response.get_json()["items"]
    ids = [item["id"] for item in items]
    assert pilots["booking"] not in ids  # never itself
    assert set(ids[:2]) == {pilots["same_vendor"], pilots["other_vendor"]}
    assert set(items[0]) == {"id", "name", "score", "stage", "theme"}
    assert items[0]["theme"] == "facility_booking" and items[0]["stage"] == "idea"
    assert all(0 < item["score"] <= 1 for item in items)
    assert [item["score"] for item in items] == sorted((i["score"] for i in items), reverse=True)


def test_similar_for_a_vendor_holds_only_its_own_vendors_pilots(
    api: ApiCaller, pilots: dict[str, int]
) -> None:
    items = api.get("vendor_user", f"{V1}/pilots/{pilots['booking']}/similar").get_json()["items"]

    assert pilots["other_vendor"] not in [item["id"] for item in items]
    assert [item["id"] for item in items][:1] == [pilots["same_vendor"]]


def test_similar_of_another_vendors_pilot_is_404(api: ApiCaller, pilots: dict[str, int]) -> None:
    assert_problem(api.get("other_vendor_user", f"{V1}/pilots/{pilots['booking']}/similar"), 404)
    assert_problem(api.get("coordinator", f"{V1}/pilots/999999/similar"), 404)


def test_similar_limit_is_validated(api: ApiCaller, pilots: dict[str, int]) -> None:
    path = f"{V1}/pilots/{pilots['booking']}/similar"
    assert len(api.get("council", f"{path}?limit=1").get_json()["items"]) == 1
    body = assert_problem(api.get("council", f"{path}?limit=0"), 422)
    assert "limit" in body["errors"]


def test_projection_onto_the_region_recomputed_by_hand(
    app: Flask, api: ApiCaller, pilots: dict[str, int]
) -> None:
    with app.app_context():
        # Pirkanmaa (06) without Lempäälä, Nokia and Ylöjärvi, the participants.
        others = dict(
            db.session.execute(
                sa.select(Municipality.code, Municipality.population).where(
                    Municipality.region_code == "06",
                    Municipality.code.not_in(["418", "536", "980"]),
                )
            ).all()
        )
    population = sum(others.values())

    body = api.get("council", f"{V1}/pilots/{pilots['booking']}/projection?scope=region").get_json()

    # 45 000 € estimated and 90 000 € net cost over 24 580 + 35 346 + 33 607 = 93 533 residents.
    per_resident = Decimal(45_000) / Decimal(93_533)
    assert body["basis"] == "estimated"
    assert body["scope"] == "region"
    assert body["savings_per_resident_eur"] == str(per_resident.quantize(Decimal("0.01")))
    assert body["municipalities"] == len(others)
    assert body["population"] == population
    assert body["codes"] == sorted(others)
    savings = (Decimal(45_000) * population / Decimal(93_533)).quantize(Decimal("0.01"))
    cost = (Decimal(90_000) * population / Decimal(93_533)).quantize(Decimal("0.01"))
    assert body["projected_annual_savings_eur"] == str(savings)
    assert body["projected_net_cost_eur"] == str(cost)
    assert body["national_potential_eur"] == {"low": "7000000.00", "high": "23000000.00"}


def test_projection_onto_listed_codes_uses_realised_savings(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(
            ("418",), estimated_annual_savings_cents=9_999_900, budget_cents=0, funding_cents=0
        )
        kpi = add_kpi(
            pilot, "Säästö", "€/v", Decimal(0), Decimal(50_000), Direction.INCREASE, is_savings=True
        )
        add_measurement(kpi, date(2026, 1, 1), Decimal("24580.00"))

    body = api.get("admin", f"{V1}/pilots/{pilot.id}/projection?codes=091, 049").get_json()

    # 24 580 € realised over Lempäälä's 24 580 residents: 1 € a resident, onto Helsinki
    # (664 028) and Espoo (305 274).
    assert body["basis"] == "realised"
    assert body["scope"] == "codes"
    assert body["savings_per_resident_eur"] == "1.00"
    assert body["codes"] == ["049", "091"]
    assert body["population"] == 664_028 + 305_274
    assert body["projected_annual_savings_eur"] == "969302.00"
    assert body["projected_net_cost_eur"] == "0.00"


def test_projection_names_a_bad_scope_or_bad_codes(api: ApiCaller, pilots: dict[str, int]) -> None:
    path = f"{V1}/pilots/{pilots['booking']}/projection"

    assert "scope" in assert_problem(api.get("council", f"{path}?scope=galaxy"), 422)["errors"]
    assert "codes" in assert_problem(api.get("council", f"{path}?codes=91;49"), 422)["errors"]
    unknown = assert_problem(api.get("council", f"{path}?codes=091,000"), 422)["errors"]
    assert "000" in unknown["codes"][0]


def test_projection_is_not_for_vendors(api: ApiCaller, pilots: dict[str, int]) -> None:
    path = f"{V1}/pilots/{pilots['booking']}/projection"
    assert_problem(api.get("vendor_user", path), 403)  # even its own vendor's pilot
    assert_problem(api.get("coordinator", f"{V1}/pilots/999999/projection"), 404)


def test_openapi_document_describes_both_endpoints(api: ApiCaller) -> None:
    document = api.get(None, f"{V1}/openapi.json").get_json()
    similar = document["paths"]["/api/v1/pilots/{pilot_id}/similar"]["get"]
    projection = document["paths"]["/api/v1/pilots/{pilot_id}/projection"]["get"]

    assert {"200", "401", "404", "422"} <= set(similar["responses"])
    assert {"200", "401", "403", "404", "422"} <= set(projection["responses"])
    parameters = {p["name"] for p in projection["parameters"]}
    assert {"scope", "codes"} <= parameters
    schema = document["components"]["schemas"]["Projection"]
    assert {
        "basis",
        "savings_per_resident_eur",
        "municipalities",
        "population",
        "projected_annual_savings_eur",
        "projected_net_cost_eur",
    } <= set(schema["required"])


def test_similar_reports_decisions_through_the_stage(
    app: Flask, api: ApiCaller, actors: Actors, pilots: dict[str, int]
) -> None:
    with app.app_context():
        from pilot_tracker.services.pilots import load_pilot_for_update

        other = load_pilot_for_update(pilots["other_vendor"])
        assert other is not None
        record_decision(other, Gate.START, Outcome.GO, date(2026, 1, 5), "hallitus", "Aloitetaan.")

    items = api.get("admin", f"{V1}/pilots/{pilots['booking']}/similar").get_json()["items"]

    assert {"id": pilots["other_vendor"], "stage": "piloting"}.items() <= next(
        i for i in items if i["id"] == pilots["other_vendor"]
    ).items()
