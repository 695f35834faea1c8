"""The pilot endpoints of the API: the API.md example, filters, paging, locking, deletion."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Rag, Stage, Theme
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Pilot
from pilot_tracker.services.reporting import add_status_update
from tests.api_helpers import API_MD_PILOT, ApiCaller, assert_problem
from tests.conftest import Actors
from tests.factories import make_pilot

PILOTS = "/api/v1/pilots"


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def example_body(actors: Actors, **changes: Any) -> dict[str, Any]:
    return {**API_MD_PILOT, "vendor_id": actors.vendor_a.id, **changes}


def pilot_in_db(app: Flask, pilot_id: int) -> Pilot | None:
    with app.app_context():
        db.session.expire_all()
        return db.session.get(Pilot, pilot_id)


# ---------------------------------------------------------------- create and read


def test_api_md_example_creates_pilot_with_exact_shares(api: ApiCaller, actors: Actors) -> None:
    response = api.post("coordinator", PILOTS, json=example_body(actors))

    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"{PILOTS}/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    lead = body["participants"][0]
    assert lead == {
        "code": "418",
        "name": "Lempäälä",
        "share_percent": "26.28",
        "share_eur": "23651.55",
        "is_lead": True,
        # API.md, "The joint life of a pilot": membership dates, actual and forecast.
        "joined_on": None,
        "left_on": None,
        "actual_eur": "0.00",
        "forecast_eur": "23651.55",
    }
    assert [p["share_eur"] for p in body["participants"]] == ["23651.55", "34010.88", "32337.57"]
    assert body["net_cost_eur"] == "90000.00"
    assert body["budget_eur"] == "120000.00" and body["external_funding_eur"] == "30000.00"
    assert body["version"] == 1 and body["stage"] == "planning" and body["public"] is True
    assert body["cost_split"] == {"method": "per_capita"}
    assert body["latest_status"] is None and body["stale"] is False


def test_created_pilot_reads_back_at_its_location(api: ApiCaller, actors: Actors) -> None:
    created = api.post("admin", PILOTS, json=example_body(actors))

    again = api.get("council", created.headers["Location"])

    assert again.status_code == 200
    # The same pilot; only the answer of the save lists its plausibility warnings.
    assert created.get_json().pop("warnings") == []
    assert again.get_json() == {k: v for k, v in created.get_json().items() if k != "warnings"}


def test_track_and_stage_default_from_theme_and_idea(api: ApiCaller, actors: Actors) -> None:
    body = example_body(actors, theme="geodata")
    del body["track"], body["stage"]

    created = api.post("coordinator", PILOTS, json=body).get_json()

    assert created["track"] == "slow" and created["stage"] == "idea"


def test_money_sent_as_json_numbers_is_exact(api: ApiCaller, actors: Actors) -> None:
    body = example_body(actors)
    raw = '{"budget_eur": 120000.10, "external_funding_eur": 0.2, '
    raw += ", ".join(
        f'"{k}": {v!r}'.replace("'", '"').replace("True", "true")
        for k, v in body.items()
        if k not in ("budget_eur", "external_funding_eur")
    )
    raw = raw.replace('"goals": ["cut_costs", "resident_satisfaction"]', '"goals": []')
    response = api.post(
        "coordinator", PILOTS, data=raw + "}", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["budget_eur"] == "120000.10"
    assert response.get_json()["net_cost_eur"] == "119999.90"


def test_manual_split_shows_the_given_percentages(api: ApiCaller, actors: Actors) -> None:
    split = {"method": "manual", "shares": {"418": "50.00", "536": 30, "980": "20"}}

    body = api.post("coordinator", PILOTS, json=example_body(actors, cost_split=split)).get_json()

    assert body["cost_split"] == {
        "method": "manual",
        "shares": {"418": "50.00", "536": "30.00", "980": "20.00"},
    }
    assert [p["share_eur"] for p in body["participants"]] == ["45000.00", "27000.00", "18000.00"]


def test_pilot_shows_its_newest_status_and_staleness(app: Flask, api: ApiCaller) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PILOTING)
        add_status_update(pilot, Rag.AMBER, 30, "Vanha.", reported_on=date(2020, 1, 1))
        add_status_update(pilot, Rag.RED, 35, "Uusin vanha.", reported_on=date(2020, 2, 1))
        quiet = make_pilot(stage=Stage.PILOTING)

    body = api.get("council", f"{PILOTS}/{pilot.id}").get_json()

    assert body["latest_status"]["text"] == "Uusin vanha."
    assert body["latest_status"]["rag"] == "red" and body["latest_status"]["date"] == "2020-02-01"
    assert body["stale"] is True
    assert api.get("council", f"{PILOTS}/{quiet.id}").get_json()["stale"] is True


# ---------------------------------------------------------------- refusals on create


def test_create_names_each_bad_field(api: ApiCaller, actors: Actors) -> None:
    body = example_body(
        actors,
        theme="teleportation",
        participants=["418", "41"],
        budget_eur="12,345",
        cost_split={"method": "equal", "shares": {"418": "100"}},
        start_date="15.1.2026",
    )

    errors = assert_problem(api.post("coordinator", PILOTS, json=body), 422)["errors"]

    assert set(errors) == {
        "theme",
        "participants.1",
        "budget_eur",
        "cost_split.shares",
        "start_date",
    }
    assert "two decimals" in errors["budget_eur"][0]


def test_create_reports_the_services_field_errors_by_api_name(
    api: ApiCaller, actors: Actors
) -> None:
    body = example_body(
        actors, lead_municipality="091", cost_split={"method": "manual", "shares": {"418": "99"}}
    )

    errors = assert_problem(api.post("coordinator", PILOTS, json=body), 422)["errors"]

    assert set(errors) == {"lead_municipality", "cost_split"}


def test_create_refuses_unknown_municipality_and_vendor(api: ApiCaller, actors: Actors) -> None:
    body = example_body(actors, participants=["418", "999"], vendor_id=999_999)

    errors = assert_problem(api.post("admin", PILOTS, json=body), 422)["errors"]

    assert "999" in errors["participants"][0] and "999999" in errors["vendor_id"][0]


def test_create_refuses_money_as_a_negative_or_float_like_text(
    api: ApiCaller, actors: Actors
) -> None:
    body = example_body(actors, budget_eur="-5.00", external_funding_eur=True)

    errors = assert_problem(api.post("admin", PILOTS, json=body), 422)["errors"]

    assert set(errors) == {"budget_eur", "external_funding_eur"}


def test_create_refuses_unknown_fields(api: ApiCaller, actors: Actors) -> None:
    errors = assert_problem(
        api.post("admin", PILOTS, json=example_body(actors, colour="blue")), 422
    )["errors"]

    assert errors == {"colour": ["Unknown field."]}


@pytest.mark.parametrize(
    "raw",
    ['{"name": "x",', "NaN", '{"budget_eur": NaN}', '{"budget_eur": Infinity}', "\xff", "   "],
    ids=["truncated", "bare-nan", "nan", "infinity", "not-utf8", "blank"],
)
def test_malformed_json_is_400(api: ApiCaller, raw: str) -> None:
    data = raw.encode("latin-1")

    response = api.post("coordinator", PILOTS, data=data, content_type="application/json")

    assert_problem(response, 400)


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_a_json_body_is_read_whatever_its_content_type(
    api: ApiCaller, content_type: str | None
) -> None:
    """The parser's `load_json` reads every non-empty body: a vendor sent as text/plain is
    created; a malformed one is the documented 400 problem, an empty one a 422 by field."""
    body = '{"name": "Tekstitoimittaja Oy", "business_id": "0204819-8"}'
    kwargs = {"content_type": content_type} if content_type else {}

    created = api.post("coordinator", "/api/v1/vendors", data=body, **kwargs)
    malformed = api.post("coordinator", "/api/v1/vendors", data="{bad", **kwargs)
    empty = api.post("coordinator", "/api/v1/vendors", data="", **kwargs)

    assert created.status_code == 201
    assert created.get_json()["name"] == "Tekstitoimittaja Oy"
    assert assert_problem(malformed, 400)["detail"]
    assert set(assert_problem(empty, 422)["errors"]) == {"name", "business_id"}


def test_body_that_is_not_an_object_is_422(api: ApiCaller) -> None:
    errors = assert_problem(api.post("coordinator", PILOTS, json=[1, 2]), 422)["errors"]

    assert list(errors) == ["body"]


def test_deeply_nested_json_is_not_a_server_error(api: ApiCaller) -> None:
    data = "[" * 100_000 + "]" * 100_000

    response = api.post("coordinator", PILOTS, data=data, content_type="application/json")

    assert response.status_code in (400, 422)


def test_huge_integer_is_a_field_error(api: ApiCaller, actors: Actors) -> None:
    raw = '{"vendor_id": ' + "9" * 5000 + "}"

    response = api.patch("coordinator", f"{PILOTS}/1", data=raw, content_type="application/json")

    assert response.status_code in (404, 422)


@pytest.mark.parametrize("actor", ["council", "vendor_user"])
def test_only_coordinators_and_admins_create(api: ApiCaller, actors: Actors, actor: str) -> None:
    assert_problem(api.post(actor, PILOTS, json=example_body(actors)), 403)


# ---------------------------------------------------------------- list, filters, paging


@pytest.fixture
def three_pilots(app: Flask, actors: Actors) -> dict[str, int]:
    with app.app_context():
        a = make_pilot(
            ("418", "536"),
            vendor=actors.vendor_a,
            name="Tilavaraus Pirkanmaa",
            stage=Stage.PILOTING,
        )
        b = make_pilot(
            ("091", "049"),
            vendor=actors.vendor_b,
            name="Lupapalvelu",
            summary="Rakennusluvat 100% verkossa",
            theme=Theme.PERMITS,
        )
        c = make_pilot(("980",), vendor=None, name="Paikkatieto", theme=Theme.GEODATA)
        return {"a": a.id, "b": b.id, "c": c.id}


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


def test_readers_list_every_pilot_in_id_order(api: ApiCaller, three_pilots: dict) -> None:
    body = api.get("council", PILOTS).get_json()

    assert [p["id"] for p in body["items"]] == sorted(three_pilots.values())
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 3)


def test_vendor_lists_only_its_own_pilots(api: ApiCaller, three_pilots: dict) -> None:
    assert names(api.get("vendor_user", PILOTS)) == ["Tilavaraus Pirkanmaa"]
    assert names(api.get("other_vendor_user", PILOTS)) == ["Lupapalvelu"]
    assert names(api.get("vendor_user", f"{PILOTS}?vendor_id=999")) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=piloting", ["Tilavaraus Pirkanmaa"]),
        ("theme=permits", ["Lupapalvelu"]),
        ("track=slow", ["Paikkatieto"]),
        ("municipality=536", ["Tilavaraus Pirkanmaa"]),
        ("region=01", ["Lupapalvelu"]),
        ("q=tilaVARAUS", ["Tilavaraus Pirkanmaa"]),
        ("q=100%25", ["Lupapalvelu"]),
        ("q=luvat verkossa", ["Lupapalvelu"]),
        ("stage=idea&theme=geodata", ["Paikkatieto"]),
    ],
)
def test_list_filters(api: ApiCaller, three_pilots: dict, query: str, expected: list) -> None:
    assert names(api.get("coordinator", f"{PILOTS}?{query}")) == expected


def test_list_filters_by_vendor(api: ApiCaller, actors: Actors, three_pilots: dict) -> None:
    found = names(api.get("admin", f"{PILOTS}?vendor_id={actors.vendor_b.id}"))

    assert found == ["Lupapalvelu"]


def test_list_pages(api: ApiCaller, three_pilots: dict) -> None:
    second = api.get("admin", f"{PILOTS}?page=2&per_page=2").get_json()

    assert [p["id"] for p in second["items"]] == [three_pilots["c"]]
    assert (second["page"], second["per_page"], second["total"]) == (2, 2, 3)


def test_list_refuses_bad_filters_and_paging(api: ApiCaller) -> None:
    response = api.get("admin", f"{PILOTS}?stage=done&per_page=201&page=0&municipality=1")

    errors = assert_problem(response, 422)["errors"]

    assert set(errors) == {"stage", "per_page", "page", "municipality"}


def test_list_runs_a_fixed_number_of_queries(
    app: Flask, api: ApiCaller, three_pilots: dict
) -> None:
    api.token("council")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with app.app_context():
        engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        api.get("council", PILOTS)  # the token's first use records when it was used
        statements.clear()
        api.get("council", PILOTS)
        few = len(statements)
        statements.clear()
        with app.app_context():
            for n in range(5):
                make_pilot(("091", "049", "418"), name=f"More {n}")
        statements.clear()
        api.get("council", PILOTS)
        many = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert many == few


# ---------------------------------------------------------------- other vendor's pilot


def test_other_vendors_pilot_answers_exactly_like_a_missing_one(
    api: ApiCaller, three_pilots: dict
) -> None:
    hidden = api.get("vendor_user", f"{PILOTS}/{three_pilots['b']}")
    missing = api.get("vendor_user", f"{PILOTS}/987654")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert hidden.mimetype == missing.mimetype == "application/problem+json"


def test_vendor_reads_its_own_pilot(api: ApiCaller, three_pilots: dict) -> None:
    assert api.get("vendor_user", f"{PILOTS}/{three_pilots['a']}").status_code == 200


def test_path_id_beyond_the_database_range_is_404(api: ApiCaller) -> None:
    assert_problem(api.get("admin", f"{PILOTS}/{2**40}"), 404)


# ---------------------------------------------------------------- PATCH and locking


def test_patch_with_version_changes_and_bumps_the_version(
    app: Flask, api: ApiCaller, three_pilots: dict
) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"

    response = api.patch(
        "coordinator",
        path,
        json={
            "version": 1,
            "name": "Paikkatieto 2",
            "budget_eur": "1000",
            "external_funding_eur": "0",
        },
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["budget_eur"], body["version"]) == ("Paikkatieto 2", "1000.00", 2)
    assert response.headers["ETag"] == '"2"'
    stored = pilot_in_db(app, three_pilots["c"])
    assert stored is not None and stored.name == "Paikkatieto 2" and stored.budget_cents == 100_000


def test_patch_with_if_match_header(api: ApiCaller, three_pilots: dict) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"

    response = api.patch("admin", path, json={"summary": "Uusi"}, headers={"If-Match": '"1"'})

    assert response.status_code == 200 and response.get_json()["version"] == 2


def test_stale_version_is_409_and_changes_nothing(
    app: Flask, api: ApiCaller, three_pilots: dict
) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"
    assert api.patch("coordinator", path, json={"version": 1, "name": "First"}).status_code == 200

    stale = api.patch("admin", path, json={"version": 1, "name": "Second", "summary": "Lost"})

    body = assert_problem(stale, 409)
    assert body["current_version"] == 2 and "name" in body["changed"]
    stored = pilot_in_db(app, three_pilots["c"])
    assert stored is not None and (stored.name, stored.summary, stored.version) == ("First", "", 2)


def test_stale_if_match_is_409(api: ApiCaller, three_pilots: dict) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"

    response = api.patch("admin", path, json={"name": "X"}, headers={"If-Match": '"7"'})

    assert assert_problem(response, 409)["current_version"] == 1


def test_patch_without_version_is_422(api: ApiCaller, three_pilots: dict) -> None:
    response = api.patch("admin", f"{PILOTS}/{three_pilots['c']}", json={"name": "X"})

    assert list(assert_problem(response, 422)["errors"]) == ["version"]


def test_patch_with_conflicting_versions_is_422(api: ApiCaller, three_pilots: dict) -> None:
    response = api.patch(
        "admin",
        f"{PILOTS}/{three_pilots['c']}",
        json={"name": "X", "version": 1},
        headers={"If-Match": '"2"'},
    )

    assert list(assert_problem(response, 422)["errors"]) == ["version"]


def test_patch_that_changes_nothing_keeps_the_version(api: ApiCaller, three_pilots: dict) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"

    first = api.patch("admin", path, json={"version": 1, "name": "Paikkatieto"})
    second = api.patch("coordinator", path, json={"version": 1})

    assert first.status_code == second.status_code == 200
    assert second.get_json()["version"] == 1


def test_patch_moves_stage_forward_but_not_to_scaling(
    app: Flask, api: ApiCaller, three_pilots: dict
) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"
    assert api.patch("admin", path, json={"version": 1, "stage": "planning"}).status_code == 200

    refused = api.patch("admin", path, json={"version": 2, "stage": "scaling"})

    assert "decision" in assert_problem(refused, 422)["errors"]["stage"][0]
    stored = pilot_in_db(app, three_pilots["c"])
    assert stored is not None and stored.stage is Stage.PLANNING and stored.version == 2


def test_patch_field_errors_change_nothing(app: Flask, api: ApiCaller, three_pilots: dict) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"

    response = api.patch(
        "admin",
        path,
        json={"version": 1, "name": "Ok", "end_date": "2020-01-01", "start_date": "2021-01-01"},
    )

    assert list(assert_problem(response, 422)["errors"]) == ["end_date"]
    stored = pilot_in_db(app, three_pilots["c"])
    assert stored is not None and stored.name == "Paikkatieto" and stored.version == 1


@pytest.mark.parametrize(("actor", "status"), [("council", 403), ("vendor_user", 403)])
def test_readers_and_vendors_cannot_patch(
    api: ApiCaller, three_pilots: dict, actor: str, status: int
) -> None:
    path = f"{PILOTS}/{three_pilots['a']}"

    assert_problem(api.patch(actor, path, json={"version": 1, "name": "X"}), status)


def test_other_vendor_patching_gets_404(api: ApiCaller, three_pilots: dict) -> None:
    path = f"{PILOTS}/{three_pilots['a']}"

    assert_problem(api.patch("other_vendor_user", path, json={"version": 1}), 404)


# ---------------------------------------------------------------- DELETE


def test_admin_deletes_and_the_audit_log_keeps_the_record(
    app: Flask, api: ApiCaller, three_pilots: dict
) -> None:
    path = f"{PILOTS}/{three_pilots['a']}"

    response = api.delete("admin", path)

    assert response.status_code == 204 and response.get_data() == b""
    assert pilot_in_db(app, three_pilots["a"]) is None
    assert_problem(api.get("admin", path), 404)
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "delete", AuditEntry.entity == "pilot")
        ).one()
        assert entry.old is not None and entry.old["name"] == "Tilavaraus Pirkanmaa"
        assert entry.actor_email == "admin@example.com"


@pytest.mark.parametrize(("actor", "status"), [("coordinator", 403), ("other_vendor_user", 404)])
def test_only_admins_delete(
    app: Flask, api: ApiCaller, three_pilots: dict, actor: str, status: int
) -> None:
    assert_problem(api.delete(actor, f"{PILOTS}/{three_pilots['a']}"), status)

    assert pilot_in_db(app, three_pilots["a"]) is not None


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"], ids=["nul", "surrogate"])
def test_text_no_database_can_store_is_a_field_error(
    api: ApiCaller, actors: Actors, text: str
) -> None:
    errors = assert_problem(
        api.post("coordinator", PILOTS, json=example_body(actors, summary=text)), 422
    )["errors"]

    assert list(errors) == ["summary"]


def test_nul_in_a_search_is_a_field_error(api: ApiCaller) -> None:
    assert list(assert_problem(api.get("council", f"{PILOTS}?q=a%00b"), 422)["errors"]) == ["q"]


@pytest.mark.parametrize("header", ['"²"', '"1", "2"', "*", 'W/"1"', '"x"'])
def test_if_match_that_is_not_one_version_is_422(
    api: ApiCaller, three_pilots: dict, header: str
) -> None:
    path = f"{PILOTS}/{three_pilots['c']}"

    response = api.patch("admin", path, json={"name": "X"}, headers={"If-Match": header})

    assert list(assert_problem(response, 422)["errors"]) == ["If-Match"]
