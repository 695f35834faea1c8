"""The one pilot filter (services.pilot_filters): each field's meaning, the scoping by user,
and the pages and the API that translate their query parameters into it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Rag, Stage, Theme, Track
from pilot_tracker.extensions import db
from pilot_tracker.models import Participation, Pilot, User
from pilot_tracker.permissions import PUBLIC
from pilot_tracker.services.pilot_filters import (
    MAX_WORDS,
    NO_STATUS,
    PilotFilters,
    apply_pilot_filters,
)
from pilot_tracker.services.reporting import add_status_update
from tests.api_helpers import ApiCaller
from tests.conftest import Actors, login_as
from tests.factories import make_pilot
from tests.test_dashboards import EN, get_csv

PIRKANMAA = ("418", "536", "980", "837")  # Lempäälä, Nokia, Ylöjärvi, Tampere: region 06


def found(filters: PilotFilters, user: Any) -> list[str]:
    """The names of the pilots `filters` leave to `user`, by name."""
    query = apply_pilot_filters(sa.select(Pilot.name), filters, user).order_by(Pilot.name)
    return list(db.session.scalars(query))


def reload(user: Any) -> User:
    found_user = db.session.get(User, user.id)
    assert found_user is not None
    return found_user


def test_q_is_words_each_in_the_name_or_the_summary(app: Flask, actors: Actors) -> None:
    with app.app_context():
        make_pilot(name="Tilavaraus verkossa", summary="Salit ja kentät")
        make_pilot(name="Kuljetukset", summary="Reittien TILAVARAUS ja optimointi")
        make_pilot(name="Verkkokauppa", summary="Ei varauksia")
        admin = reload(actors.admin)
        # Both words, in either order, not as one substring: the old list found nothing here.
        assert found(PilotFilters(q="verkossa tila"), admin) == ["Tilavaraus verkossa"]
        # One word in the name, the other in the summary.
        assert found(PilotFilters(q="kuljetukset optimointi"), admin) == ["Kuljetukset"]
        # One word is the substring search, case-insensitive, over both fields.
        assert found(PilotFilters(q="TilaVaraus"), admin) == ["Kuljetukset", "Tilavaraus verkossa"]
        # Every word must be found.
        assert found(PilotFilters(q="tilavaraus kauppa"), admin) == []
        assert found(PilotFilters(q="   "), admin) == [
            "Kuljetukset",
            "Tilavaraus verkossa",
            "Verkkokauppa",
        ]


def test_q_treats_percent_and_underscore_literally(app: Flask, actors: Actors) -> None:
    with app.app_context():
        make_pilot(name="Säästö 10 % kuluista")
        make_pilot(name="Muu 100 kuluista")
        make_pilot(name="tieto_kanta")
        make_pilot(name="tietoXkanta")
        admin = reload(actors.admin)
        assert found(PilotFilters(q="10 %"), admin) == ["Säästö 10 % kuluista"]
        assert found(PilotFilters(q="o_k"), admin) == ["tieto_kanta"]


def test_q_searches_at_most_ten_words(app: Flask, actors: Actors) -> None:
    with app.app_context():
        make_pilot(name="a b c d e f g h i j")
        admin = reload(actors.admin)
        words = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
        assert len(words) == MAX_WORDS
        assert found(PilotFilters(q=" ".join([*words, "puuttuu"])), admin) == [
            "a b c d e f g h i j"
        ]
        assert found(PilotFilters(q=" ".join(["puuttuu", *words])), admin) == []


def test_theme_track_stage_and_vendor_are_equal_to_the_pilots(app: Flask, actors: Actors) -> None:
    with app.app_context():
        make_pilot(name="A", theme=Theme.GEODATA, stage=Stage.PILOTING, vendor=actors.vendor_a)
        make_pilot(name="B", theme=Theme.PERMITS, stage=Stage.PILOTING, vendor=actors.vendor_b)
        make_pilot(name="C", theme=Theme.GEODATA, stage=Stage.IDEA)
        admin = reload(actors.admin)
        assert found(PilotFilters(theme=Theme.GEODATA), admin) == ["A", "C"]
        assert found(PilotFilters(track=Track.QUICK), admin) == ["B"]
        assert found(PilotFilters(stage=Stage.PILOTING, track=Track.SLOW), admin) == ["A"]
        assert found(PilotFilters(vendor_id=actors.vendor_b.id), admin) == ["B"]


def test_region_and_municipality_mean_any_participant_also_one_that_has_left(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        make_pilot(("418", "536"), name="Pirkanmaa")
        make_pilot(("091", "049"), name="Uusimaa")
        left = make_pilot(("091", "853"), name="Molemmat")  # Helsinki, Turku: regions 01, 02
        db.session.execute(
            sa.update(Participation)
            .where(Participation.pilot_id == left.id, Participation.municipality_code == "853")
            .values(left_on=date(2026, 1, 1))
        )
        admin = reload(actors.admin)
        # Members known (a literal list) or looked up in SQL: the same pilots.
        assert found(PilotFilters(region="06"), admin) == ["Pirkanmaa"]
        assert found(PilotFilters(region="06", region_members=PIRKANMAA), admin) == ["Pirkanmaa"]
        assert found(PilotFilters(region="02"), admin) == ["Molemmat"]
        assert found(PilotFilters(region="01", municipality="853"), admin) == ["Molemmat"]
        assert found(PilotFilters(municipality="091"), admin) == ["Molemmat", "Uusimaa"]
        assert found(PilotFilters(region="99"), admin) == []


def test_rag_and_stale_follow_the_latest_status(app: Flask, actors: Actors) -> None:
    today = date.today()
    with app.app_context():
        green = make_pilot(name="Vihreä", stage=Stage.PILOTING)
        add_status_update(green, Rag.GREEN, 50, "Hyvin.")
        old = make_pilot(name="Vanha", stage=Stage.PILOTING)
        add_status_update(old, Rag.RED, 5, "Seis.", reported_on=today - timedelta(days=31))
        make_pilot(name="Idea", stage=Stage.IDEA)
        admin = reload(actors.admin)
        assert found(PilotFilters(rag=Rag.RED), admin) == ["Vanha"]
        assert found(PilotFilters(rag=NO_STATUS), admin) == ["Idea"]
        assert found(PilotFilters(stale=True), admin) == ["Vanha"]
        assert found(PilotFilters(stale=False), admin) == ["Idea", "Vihreä"]


def test_year_is_an_overlap_with_the_planned_period(app: Flask, actors: Actors) -> None:
    with app.app_context():
        make_pilot(name="2025", start_date=date(2025, 3, 1), end_date=date(2025, 12, 31))
        make_pilot(name="2025-2027", start_date=date(2025, 6, 1), end_date=date(2027, 1, 1))
        make_pilot(name="Open end", start_date=date(2026, 6, 1))
        make_pilot(name="Undated")
        admin = reload(actors.admin)
        assert found(PilotFilters(year=2026), admin) == ["2025-2027", "Open end"]
        assert found(PilotFilters(year=2025), admin) == ["2025", "2025-2027"]


def test_the_user_scopes_before_any_filter(app: Flask, actors: Actors) -> None:
    with app.app_context():
        make_pilot(name="A:n julkinen", vendor=actors.vendor_a, is_public=True)
        make_pilot(name="A:n oma", vendor=actors.vendor_a)
        make_pilot(name="B:n oma", vendor=actors.vendor_b)
        everything = ["A:n julkinen", "A:n oma", "B:n oma"]
        for reader in (actors.admin, actors.coordinator, actors.council, actors.council_tied):
            assert found(PilotFilters(), reload(reader)) == everything
        vendor = reload(actors.vendor_user)
        assert found(PilotFilters(), vendor) == ["A:n julkinen", "A:n oma"]
        # Another vendor's id as a filter finds nothing, it does not widen the scope.
        assert found(PilotFilters(vendor_id=actors.vendor_b.id), vendor) == []
        assert found(PilotFilters(q="oma"), reload(actors.other_vendor_user)) == ["B:n oma"]
        # The open data: public pilots only, whatever the filters.
        assert found(PilotFilters(), PUBLIC) == ["A:n julkinen"]
        assert found(PilotFilters(vendor_id=actors.vendor_a.id), PUBLIC) == ["A:n julkinen"]
        # Signed out: nothing (a vendor user always has a vendor: ck_users_vendor_iff_vendor_role).
        assert found(PilotFilters(), None) == []


def test_a_select_over_participations_keeps_each_matched_pilots_rows(
    app: Flask, actors: Actors
) -> None:
    """The summary and the dashboards sum participations of the filtered pilots: the filter's
    subqueries must not correlate with the outer participations."""
    with app.app_context():
        make_pilot(("418", "091"), name="Kaksi")
        make_pilot(("536",), name="Yksi")
        query = (
            sa.select(Participation.municipality_code)
            .join(Pilot, Pilot.id == Participation.pilot_id)
            .order_by(Participation.municipality_code)
        )
        admin = reload(actors.admin)
        for filters in (PilotFilters(municipality="418"), PilotFilters(region="06")):
            codes = list(db.session.scalars(apply_pilot_filters(query, filters, admin)))
            expected = ["091", "418"] if filters.municipality else ["091", "418", "536"]
            assert codes == expected, filters


# --- the translators ---------------------------------------------------------------------


def _listed(client: FlaskClient, path: str) -> list[str]:
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'<th scope="row"><a href="/pilots/\d+">([^<]+)</a>', html)


def _words_portfolio(actors: Actors) -> None:
    make_pilot(name="Tilavaraus verkossa", vendor=actors.vendor_a, is_public=True)
    make_pilot(name="Verkkotila", vendor=actors.vendor_b, is_public=True)
    make_pilot(name="Tilavaraus paperilla", vendor=actors.vendor_b)


def test_the_list_and_the_export_search_words(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        _words_portfolio(actors)
    login_as(client, actors.coordinator)
    assert _listed(client, "/pilots?q=verkossa+tilavaraus") == ["Tilavaraus verkossa"]
    html = client.get("/export?q=verkossa+tilavaraus", headers=EN).get_data(as_text=True)
    assert "1 pilot matches the filters." in html
    csv = client.get("/export/pilots.csv?q=verkossa+tilavaraus").get_data(as_text=True)
    assert "Tilavaraus verkossa" in csv and "paperilla" not in csv and "Verkkotila" not in csv


def test_the_public_view_searches_words_in_public_pilots_only(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        _words_portfolio(actors)
    html = client.get("/public?q=tilavaraus+verkossa").get_data(as_text=True)
    main = html.split('<main id="main"', 1)[1]
    assert "Tilavaraus verkossa" in main and "Verkkotila" not in main
    html = client.get("/public?q=paperilla").get_data(as_text=True)
    assert "Tilavaraus paperilla" not in html.split('<main id="main"', 1)[1]


def test_the_api_searches_words_and_scopes_by_the_tokens_user(app: Flask, actors: Actors) -> None:
    with app.app_context():
        _words_portfolio(actors)
    api = ApiCaller(app, actors)
    body = api.get("coordinator", "/api/v1/pilots?q=tila+verkossa").get_json()
    assert [p["name"] for p in body["items"]] == ["Tilavaraus verkossa"]
    body = api.get("vendor_user", "/api/v1/pilots?q=tilavaraus").get_json()
    assert [p["name"] for p in body["items"]] == ["Tilavaraus verkossa"]
    summary = api.get("council", "/api/v1/portfolio/summary?q=tilavaraus").get_json()
    assert summary["pilot_count"] == 2


def test_the_dashboard_counts_the_region_filters_pilots(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        make_pilot(("418",), name="Pirkanmaa")
        make_pilot(("091",), name="Uusimaa")
        make_pilot(("091", "536"), name="Molemmat")
    login_as(client, actors.council)
    for region, pilots in (("06", 2), ("01", 2), ("02", 0)):
        rows = get_csv(client, f"/dashboard/data/stages.csv?region={region}")
        assert sum(int(r[1]) for r in rows[1:]) == pilots, region
