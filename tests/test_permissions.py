"""The permissions module: role decorators, per-object checks and query scoping."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin

from pilot_tracker import permissions as p
from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.models import Pilot
from pilot_tracker.services import users as user_service
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

ANONYMOUS = AnonymousUserMixin()


@pytest.fixture
def pilots(app: Flask, actors: Actors) -> tuple[Pilot, Pilot]:
    with app.app_context():
        return make_pilot(vendor=actors.vendor_a), make_pilot(vendor=actors.vendor_b)


def test_readers_see_every_pilot_and_vendors_only_their_own(
    app: Flask, actors: Actors, pilots: tuple[Pilot, Pilot]
) -> None:
    pilot_a, pilot_b = pilots
    with app.app_context():
        for reader in (actors.admin, actors.coordinator, actors.council, actors.council_tied):
            assert p.can_view_pilot(reader, pilot_a) and p.can_view_pilot(reader, pilot_b)
        assert p.can_view_pilot(actors.vendor_user, pilot_a)
        assert not p.can_view_pilot(actors.vendor_user, pilot_b)
        assert not p.can_view_pilot(actors.other_vendor_user, pilot_a)
        assert not p.can_view_pilot(ANONYMOUS, pilot_a)


def test_reporting_is_for_the_pilots_vendor_and_editors_only(
    app: Flask, actors: Actors, pilots: tuple[Pilot, Pilot]
) -> None:
    pilot_a, _pilot_b = pilots
    with app.app_context():
        allowed = {
            name
            for name in (
                "admin",
                "coordinator",
                "council",
                "council_tied",
                "vendor_user",
                "other_vendor_user",
            )
            if p.can_report_on(getattr(actors, name), pilot_a)
        }
    assert allowed == {"admin", "coordinator", "vendor_user"}


def test_edit_delete_and_admin_checks_by_role(app: Flask, actors: Actors) -> None:
    with app.app_context():
        table = {
            name: (
                p.can_edit_pilot(user),
                p.can_delete_pilot(user),
                p.can_manage_users(user),
                p.can_manage_vendors(user),
                p.can_read_portfolio(user),
            )
            for name, user in (
                ("anonymous", ANONYMOUS),
                ("council", actors.council),
                ("vendor", actors.vendor_user),
                ("coordinator", actors.coordinator),
                ("admin", actors.admin),
            )
        }
    assert table == {
        "anonymous": (False, False, False, False, False),
        "council": (False, False, False, False, True),
        "vendor": (False, False, False, False, False),
        "coordinator": (True, False, False, True, True),
        "admin": (True, True, True, True, True),
    }


def test_scope_pilots_limits_vendors_to_their_own_in_any_query(
    app: Flask, actors: Actors, pilots: tuple[Pilot, Pilot]
) -> None:
    pilot_a, pilot_b = pilots
    with app.app_context():

        def visible(user: object) -> set[int]:
            return set(db.session.scalars(p.scope_pilots(sa.select(Pilot.id), user)))

        everyone = {pilot_a.id, pilot_b.id}
        assert visible(actors.council) >= everyone
        assert pilot_a.id in visible(actors.vendor_user)
        assert pilot_b.id not in visible(actors.vendor_user)
        assert visible(actors.other_vendor_user) & everyone == {pilot_b.id}
        assert visible(ANONYMOUS) == set()


def test_a_pilot_the_user_may_not_see_is_a_404(
    app: Flask, actors: Actors, pilots: tuple[Pilot, Pilot]
) -> None:
    from werkzeug.exceptions import NotFound

    pilot_a, pilot_b = pilots
    with app.test_request_context():
        assert p.visible_pilot_or_404(pilot_a.id, actors.vendor_user).id == pilot_a.id
        with pytest.raises(NotFound):
            p.visible_pilot_or_404(pilot_b.id, actors.vendor_user)
        with pytest.raises(NotFound):
            p.visible_pilot_or_404(999_999, actors.admin)


def test_role_required_sends_strangers_to_sign_in_and_refuses_other_roles(
    client: FlaskClient, actors: Actors
) -> None:
    anonymous = client.get("/admin/vendors")
    assert anonymous.status_code == 302 and "/login?next=" in anonymous.headers["Location"]
    login_as(client, actors.council)
    assert client.get("/admin/vendors").status_code == 403
    login_as(client, actors.coordinator)
    assert client.get("/admin/vendors").status_code == 200
    assert client.get("/admin/users").status_code == 403


def test_a_deactivated_user_has_no_role_left(app: Flask, actors: Actors) -> None:
    """Deactivation works through the session loader: the user is simply not signed in."""
    from flask import session

    from pilot_tracker.auth.loader import load_user
    from pilot_tracker.services import sessions

    with app.app_context():
        key = sessions.start(actors.admin.id)
    with app.test_request_context():
        session[sessions.SESSION_KEY] = key  # the browser's session, as /login leaves it
        session_id = actors.admin.get_id()
        assert load_user(session_id) is not None
        user_service.deactivate_user(actors.admin, actor=None)
        assert load_user(session_id) is None
        assert load_user("not-a-session") is None


def test_home_page_depends_on_the_role(app: Flask, actors: Actors) -> None:
    with app.test_request_context():
        homes = {
            role: p.home_url(user)
            for role, user in (
                (Role.COUNCIL, actors.council_tied),
                (Role.VENDOR, actors.vendor_user),
                (Role.COORDINATOR, actors.coordinator),
            )
        }
        views = app.view_functions
        if "dashboards.municipality" in views:
            assert homes[Role.COUNCIL].endswith("/municipalities/418")
        if "pilots.vendor_home" in views:
            assert homes[Role.VENDOR] != homes[Role.COORDINATOR]
    assert all(url.startswith("/") for url in homes.values())


def test_navigation_shows_admin_pages_only_to_their_roles(
    client: FlaskClient, actors: Actors
) -> None:
    pages = {}
    for name in ("council", "vendor_user", "coordinator", "admin"):
        login_as(client, getattr(actors, name))
        html = client.get("/profile").get_data(as_text=True)
        pages[name] = ('href="/admin/users"' in html, 'href="/admin/vendors"' in html)
    assert pages == {
        "council": (False, False),
        "vendor_user": (False, False),
        "coordinator": (False, True),
        "admin": (True, True),
    }
