"""The municipality directory (`/municipalities`) and a council member's chosen home."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.dashboards import directory
from pilot_tracker.domain.enums import Gate, Outcome, Role, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, User
from pilot_tracker.services import money
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.municipalities import name_order
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot, make_user
from tests.test_dashboards import counting_queries

TODAY = date.today()
EN = {"Accept-Language": "en"}
FI = {"Accept-Language": "fi"}
SV = {"Accept-Language": "sv"}


def _rows(html: str) -> list[str]:
    """The municipality codes of the directory's rows, in page order."""
    return re.findall(r'<tr data-search="[^"]*" data-code="(\d{3})">', html)


def _two_pilots(actors: Actors) -> tuple[int, int]:
    committed = make_pilot(
        ("418", "091"),
        vendor=actors.vendor_a,
        stage=Stage.PILOTING,
        budget_cents=10_000_000,
        start_date=TODAY - timedelta(days=10),
        end_date=TODAY + timedelta(days=100),
    )
    proposed = make_pilot(
        ("418",), vendor=actors.vendor_a, stage=Stage.IDEA, budget_cents=5_000, funding_cents=0
    )
    return committed.id, proposed.id


def test_directory_lists_all_308_grouped_by_region(client: FlaskClient, actors: Actors) -> None:
    html = login_as(client, actors.council).get("/municipalities", headers=EN).text
    codes = _rows(html)
    assert len(codes) == 308 == len(set(codes))
    # 19 regions (Åland included), each a heading of its own.
    assert len(re.findall(r'<section class="directory-region"', html)) == 19
    assert ">Uusimaa</h2>" in html


def test_directory_figures_are_the_money_services(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        _two_pilots(actors)
        expected = {
            code: money.municipality_money(code, db.session.get(Municipality, code).population)
            for code in ("418", "091")
        }
    regions = {r.code: r for r in _directory(app, "en")}
    entries = {e.code: e for r in regions.values() for e in r.entries}
    for code, figures in expected.items():
        assert entries[code].committed_cents == figures.committed_cents > 0
        assert entries[code].per_resident_cents == figures.committed_per_resident_cents
        assert entries[code].pilots == figures.pilot_count
    assert entries["418"].pilots == 2  # the proposed one counts as a pilot, not as committed
    assert entries["536"].pilots == 0 and entries["536"].committed_cents == 0
    html = login_as(client, actors.council).get("/municipalities?q=418", headers=FI).text
    per_resident = money.per_resident_cents(
        expected["418"].committed_cents, expected["418"].population
    )
    assert per_resident is not None
    assert f"{per_resident // 100},{per_resident % 100:02d}\xa0€" in html.replace("&nbsp;", "\xa0")


def _directory(app: Flask, language: str, query: str = "") -> list[directory.DirectoryRegion]:
    with app.test_request_context():
        return directory.directory(language, query)


def test_directory_is_two_queries_whatever_the_pilots(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council)
    with app.app_context():
        _two_pilots(actors)
    with counting_queries() as few:
        client.get("/municipalities")
    with app.app_context():
        for _ in range(5):
            _two_pilots(actors)
    with counting_queries() as more:
        client.get("/municipalities")
    assert len(more) == len(few)
    # The register once, and every municipality's figures from the maintained portfolio
    # totals (with the names they need) instead of summing the participations.
    assert len([s for s in few if "portfolio_totals" not in s and "municipalities" in s]) == 1
    assert len([s for s in few if "portfolio_totals" in s]) == 1
    assert not [s for s in few if "participations" in s or "money_by_year" in s]


def test_search_by_finnish_swedish_name_and_code(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council)
    assert _rows(client.get("/municipalities?q=Helsingfors", headers=FI).text) == ["091"]
    assert _rows(client.get("/municipalities?q=helsinki", headers=SV).text) == ["091"]
    # Without the dots: "hameenlinna" finds Hämeenlinna.
    assert _rows(client.get("/municipalities?q=hameenlinna").text) == ["109"]
    assert _rows(client.get("/municipalities?q=Jakobstad").text) == ["598"]
    assert _rows(client.get("/municipalities?q=091").text) == ["091"]
    # A code prefix: 09x.
    found = set(_rows(client.get("/municipalities?q=09").text))
    assert found == {"090", "091", "092", "097", "098"}
    page = client.get("/municipalities?q=zzzz", headers=EN).text
    assert _rows(page) == [] and "No municipality matches the search." in page
    assert "Municipalities found: 0" in page


def test_names_sort_in_the_languages_alphabet(app: Flask) -> None:
    regions = _directory(app, "fi")
    uusimaa = next(r for r in regions if r.code == "01")
    names = [e.name for e in uusimaa.entries]
    assert names == sorted(names, key=name_order)
    # Finnish and Swedish put å, ä, ö after z: Ähtäri's region ends with it.
    assert name_order("Ähtäri") > name_order("Zeta") > name_order("Alavus")
    assert name_order("Åbo") < name_order("Ähtäri") < name_order("Östra")


def test_search_form_works_without_javascript(client: FlaskClient, actors: Actors) -> None:
    html = login_as(client, actors.council).get("/municipalities", headers=EN).text
    form = re.search(r'<form method="get" action="/municipalities"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'name="q"' in form.group(1) and 'type="submit"' in form.group(1)
    assert "js/directory.js" in html


def test_directory_is_in_the_navigation_of_readers(client: FlaskClient, actors: Actors) -> None:
    html = login_as(client, actors.council).get("/municipalities", headers=EN).text
    assert '<a href="/municipalities" aria-current="page">Municipalities</a>' in html
    vendor_page = login_as(client, actors.vendor_user).get("/pilots", headers=EN).text
    assert 'href="/municipalities"' not in vendor_page


# --- a chosen home ------------------------------------------------------------------------


def _save_profile(client: FlaskClient, **form: str) -> object:
    token = csrf_token(client, "/profile")
    return client.post("/profile", data={"csrf_token": token, "name": "", "language": "", **form})


def test_untied_council_member_chooses_a_home(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council)
    page = client.get("/profile", headers=EN).text
    assert 'name="home_municipality_code"' in page and ">Helsinki (091)</option>" in page
    response = _save_profile(client, home_municipality_code="091")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, actors.council.id).home_municipality_code == "091"
    # The home page is now the municipality's dashboard.
    assert client.get("/").headers["Location"].endswith("/municipalities/091")
    # And back to none.
    _save_profile(client, home_municipality_code="")
    with app.app_context():
        assert db.session.get(User, actors.council.id).home_municipality_code is None
    assert client.get("/").headers["Location"].endswith("/dashboard")


def test_unknown_home_is_refused_next_to_the_field(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council)
    response = _save_profile(client, home_municipality_code="999")
    assert response.status_code == 200
    assert 'id="home_municipality_code-error"' in response.text
    with app.app_context():
        assert db.session.get(User, actors.council.id).home_municipality_code is None


def test_tied_member_and_other_roles_cannot_choose(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    for user in (actors.council_tied, actors.coordinator, actors.vendor_user):
        login_as(client, user)
        assert 'name="home_municipality_code"' not in client.get("/profile").text
        _save_profile(client, home_municipality_code="091")
        with app.app_context():
            assert db.session.get(User, user.id).home_municipality_code is None
    assert client.get("/").status_code == 302


def test_home_ranks_its_due_items_first_as_a_tie_does(app: Flask, actors: Actors) -> None:
    """services.due puts the tied municipality's items first; a chosen home does the same."""
    from pilot_tracker.services.due import due_items

    with app.app_context():
        chooser = make_user(Role.COUNCIL, email="chooser@example.com")
        chooser.home_municipality_code = "091"
        tied = make_user(Role.COUNCIL, email="tied091@example.com", municipality_code="091")
        stale_far = make_pilot(
            ("536",),
            vendor=actors.vendor_a,
            stage=Stage.PILOTING,
            name="Muualla",
            start_date=TODAY - timedelta(days=300),
            end_date=TODAY + timedelta(days=30),
        )
        stale_home = make_pilot(
            ("091",),
            vendor=actors.vendor_a,
            stage=Stage.PILOTING,
            name="Kotona",
            start_date=TODAY - timedelta(days=60),
            end_date=TODAY + timedelta(days=30),
        )
        db.session.flush()
        for user in (chooser, tied):
            found = due_items(user, TODAY, limit=10)
            ids = [i.pilot_id for i in found.items]
            assert stale_home.id in ids and stale_far.id in ids
            assert ids.index(stale_home.id) < ids.index(stale_far.id)
        plain = make_user(Role.COUNCIL, email="plain@example.com")
        ids = [i.pilot_id for i in due_items(plain, TODAY, limit=10).items]
        assert ids.index(stale_far.id) < ids.index(stale_home.id)


def test_leaving_the_council_role_clears_the_home(app: Flask, actors: Actors) -> None:
    from pilot_tracker.services.users import update_user

    with app.app_context():
        user = db.session.get(User, actors.council.id)
        user.home_municipality_code = "091"
        db.session.flush()
        update_user(user, actor=None, name="", role=Role.COORDINATOR, commit=False)
        db.session.flush()
        assert (
            db.session.scalar(sa.select(User.home_municipality_code).where(User.id == user.id))
            is None
        )


def test_reminders_of_a_chosen_home_are_its_pilots_as_for_a_tie(app: Flask, actors: Actors) -> None:
    """The reminder digest (services.due_items) of a council member: a chosen home works as a
    tie does; with neither, there is nothing to remind of."""
    from pilot_tracker.services.due_items import due_items_for

    with app.app_context():
        chooser = make_user(Role.COUNCIL, email="digest@example.com")
        home_pilot = make_pilot(
            ("091",),
            vendor=actors.vendor_a,
            stage=Stage.PLANNING,
            name="Kotikunnan kokeilu",
            start_date=TODAY - timedelta(days=60),
            end_date=TODAY + timedelta(days=30),
        )
        # A start decision whose review date has passed: a review is overdue.
        record_decision(
            home_pilot,
            Gate.START,
            Outcome.GO,
            decided_on=TODAY - timedelta(days=40),
            decided_by="ohjausryhmä",
            rationale="Aloitetaan.",
            next_review=TODAY - timedelta(days=3),
            commit=False,
        )
        db.session.flush()
        assert due_items_for(chooser, TODAY) == []
        chooser.home_municipality_code = "091"
        db.session.flush()
        assert {i.pilot_id for i in due_items_for(chooser, TODAY)} == {home_pilot.id}
