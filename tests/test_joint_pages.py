"""The joint life on the web: municipal decisions, membership history, the follow-up plan and
lessons learned, as coordinators, councils and vendors use them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import FollowUpItem, Lesson, MunicipalDecision, Participation, Pilot
from pilot_tracker.services.follow_up import Owner, create_item
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import load_pilot_for_update
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

TODAY = date.today()


def _pilot(app: Flask, actors: Actors, stage: Stage = Stage.EVALUATION) -> Pilot:
    with app.app_context():
        return make_pilot(("418", "536", "980"), vendor=actors.vendor_a, stage=stage)


def test_a_coordinator_records_a_municipal_no_go_on_the_web(
    app: Flask, actors: Actors, client
) -> None:  # type: ignore[no-untyped-def]
    pilot = _pilot(app, actors)
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot.id}/municipal-decisions/new"
    page = client.get(path).get_data(as_text=True)
    assert '<option value="">' in page  # nothing chosen for the coordinator
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "municipality": "980",
            "gate": "scale_up",
            "outcome": "no_go",
            "body": "council",
            "decided_on": TODAY.isoformat(),
            "section": "§ 12",
            "minutes_url": "https://example.org/ylojarvi/12",
            "note": "Ei jatketa.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalars(sa.select(MunicipalDecision)).one()
        assert (stored.municipality_code, stored.outcome) == ("980", Outcome.NO_GO)
        left = db.session.get(Participation, (pilot.id, "980"))
        assert left is not None and left.left_on == TODAY
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    link = re.search(r'<a href="https://example.org/ylojarvi/12"[^>]*>', html)
    assert link is not None
    assert 'rel="noopener noreferrer"' in link.group(0) and "target=" not in link.group(0)
    assert "§ 12" in html
    assert "Ei jatketa." in html


def test_refusals_show_once_on_their_field_and_save_nothing(
    app: Flask, actors: Actors, client
) -> None:  # type: ignore[no-untyped-def]
    pilot = _pilot(app, actors)
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot.id}/municipal-decisions/new"
    html = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "municipality": "418",
            "gate": "scale_up",
            "outcome": "no_go",
            "body": "board",
            "decided_on": TODAY.isoformat(),
            "minutes_url": "javascript:alert(1)",
        },
    ).get_data(as_text=True)
    assert 'id="minutes_url-error"' in html
    assert html.count("javascript:alert(1)") <= 1  # only echoed back in its own field
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MunicipalDecision)) == 0
    html = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "municipality": "418",
            "gate": "scale_up",
            "outcome": "no_go",
            "body": "board",
            "decided_on": TODAY.isoformat(),
        },
    ).get_data(as_text=True)
    errors = re.findall(r'<p class="error" id="([^"]+)">([^<]*)</p>', html)
    assert len(errors) == 1 and errors[0][0] == "outcome-error"  # once, on its own field
    assert "Vastuukunta ei voi jäädä pois" in errors[0][1]  # the page speaks Finnish
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MunicipalDecision)) == 0


def test_the_pilot_page_shows_who_took_part_when(app: Flask, actors: Actors, client) -> None:  # type: ignore[no-untyped-def]
    pilot = _pilot(app, actors)
    with app.app_context():
        loaded = db.session.get(Pilot, pilot.id)
        assert loaded is not None
        record_municipal_decision(
            loaded, "536", Gate.SCALE_UP, Outcome.NO_GO, Body.BOARD, TODAY - timedelta(days=1)
        )
        record_municipal_decision(loaded, "091", Gate.SCALE_UP, Outcome.GO, Body.COUNCIL, TODAY)
    login_as(client, actors.council)
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    membership = html[html.index('id="membership"') : html.index('id="follow-up"')]
    assert "Helsinki (091)" in membership
    assert "alusta asti" in membership and "edelleen mukana" in membership
    assert "jäi pois" in membership
    assert "Ylöjärvi" in html[html.index('id="municipal"') : html.index('id="membership"')]


def test_the_vendor_closes_its_item_from_its_home_page(app: Flask, actors: Actors, client) -> None:  # type: ignore[no-untyped-def]
    pilot = _pilot(app, actors)
    with app.app_context():
        loaded = load_pilot_for_update(pilot.id)
        assert loaded is not None
        own = create_item(
            loaded, "Käyttöraportti", Owner(OwnerKind.VENDOR), due_on=TODAY - timedelta(days=2)
        )
        loaded = load_pilot_for_update(pilot.id)  # the commit expired it
        assert loaded is not None
        theirs = create_item(loaded, "Hankinta", Owner(OwnerKind.MUNICIPALITY, "536"))
        own_id, theirs_id = own.id, theirs.id
    login_as(client, actors.vendor_user)
    home = client.get("/my-pilots").get_data(as_text=True)
    assert "Käyttöraportti" in home and "overdue" in home
    assert "Hankinta" not in home  # not the vendor's to close
    response = client.post(
        f"/follow-up/{own_id}",
        data={
            "csrf_token": csrf_token(client, "/my-pilots"),
            "status": "done",
            "comment": "Raportti toimitettu.",
            "back": "vendor",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-pilots")
    assert (
        client.post(
            f"/follow-up/{theirs_id}",
            data={"csrf_token": csrf_token(client, "/my-pilots"), "status": "done"},
        ).status_code
        == 403
    )
    with app.app_context():
        done = db.session.get(FollowUpItem, own_id)
        other = db.session.get(FollowUpItem, theirs_id)
        assert done is not None and done.status is ItemStatus.DONE
        assert other is not None and other.status is ItemStatus.OPEN
    assert "Käyttöraportti" not in client.get("/my-pilots").get_data(as_text=True)
    login_as(client, actors.other_vendor_user)
    assert client.get(f"/pilots/{pilot.id}").status_code == 404


def test_a_coordinator_adds_an_item_and_records_lessons(app: Flask, actors: Actors, client) -> None:  # type: ignore[no-untyped-def]
    pilot = _pilot(app, actors)
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot.id}/follow-up/new"
    page = client.get(path).get_data(as_text=True)
    assert 'value="municipality:536"' in page and 'value="vendor"' in page
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "title": "Laajennussuunnitelma",
            "owner": "municipality:536",
            "due_on": (TODAY + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    path = f"/pilots/{pilot.id}/lessons/new"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "lesson": "Asukkaat tarvitsivat opastusta ensimmäisellä viikolla.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalars(sa.select(FollowUpItem)).one()
        assert (item.owner_kind, item.owner_municipality_code) == (OwnerKind.MUNICIPALITY, "536")
        assert db.session.scalars(sa.select(Lesson.text)).one().startswith("Asukkaat")
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Laajennussuunnitelma" in html and "Asukkaat tarvitsivat" in html
    # The owner's sentence ends at the name, with no space before its full stop.
    item_html = html[html.index(f'id="item-{item.id}"') :]
    owner = " ".join(item_html[: item_html.index("</p>")].split())
    assert re.search(r"Vastuutaho: Nokia\.", owner), owner


def test_lessons_wait_for_evaluation_or_a_decision(app: Flask, actors: Actors, client) -> None:  # type: ignore[no-untyped-def]
    pilot = _pilot(app, actors, Stage.PILOTING)
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot.id}/lessons/new"
    html = client.post(
        path, data={"csrf_token": csrf_token(client, path), "lesson": "Liian aikaista."}
    ).get_data(as_text=True)
    assert 'id="lesson-error"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Lesson)) == 0


def test_the_public_view_shows_the_lessons_of_public_pilots_only(
    app: Flask, actors: Actors, client
) -> None:  # type: ignore[no-untyped-def]
    from pilot_tracker.services.follow_up import record_lesson

    with app.app_context():
        for public, text in ((True, "Avoin oppi: opastus kannatti."), (False, "Salainen oppi.")):
            pilot = make_pilot(
                ("418", "536"), stage=Stage.EVALUATION, is_public=public, name=f"Julkinen {public}"
            )
            loaded = load_pilot_for_update(pilot.id)
            assert loaded is not None
            record_lesson(loaded, text)
    html = client.get("/public").get_data(as_text=True)
    assert "Avoin oppi: opastus kannatti." in html
    assert "Salainen oppi." not in html
