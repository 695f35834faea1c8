"""Text users wrote in another language than the page's is marked with its language
(WCAG 3.1.2, language of parts): a Swedish pilot's name and summary on a Finnish page carry
lang="sv", so screen readers pronounce them as Swedish."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Theme
from pilot_tracker.extensions import db
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

SWEDISH_NAME = "Bokning av lokaler på nätet"
SWEDISH_SUMMARY = "Invånarna bokar kommunens lokaler på nätet."


def _swedish_pilot(app: Flask, actors: Actors, **kwargs: object) -> int:
    with app.app_context():
        pilot = make_pilot(
            ("418", "536"),
            name=SWEDISH_NAME,
            summary=SWEDISH_SUMMARY,
            theme=Theme.FACILITY_BOOKING,
            vendor=actors.vendor_a,
            coordinator_id=actors.coordinator.id,
            is_public=True,
            **kwargs,
        )
        pilot.language = "sv"
        db.session.commit()
        return pilot.id


def _marked(html: str, tag: str, text: str) -> str | None:
    """The lang attribute of the first `tag` element whose text (maybe inside a link) begins
    with `text` (None: not marked)."""
    match = re.search(rf"<{tag}\b([^>]*)>\s*(?:<a\b[^>]*>\s*)?" + re.escape(text), html)
    assert match, f"no <{tag}> holding {text!r} on the page"
    lang = re.search(r'\slang="([^"]+)"', match.group(1))
    return lang.group(1) if lang else None


def _page(client: FlaskClient, path: str, language: str) -> str:
    client.set_cookie("lang", language)
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_pilot_page_marks_a_swedish_name_and_summary_on_finnish_and_english_pages(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    pilot_id = _swedish_pilot(app, actors)
    login_as(client, actors.coordinator)
    for language in ("fi", "en"):
        html = _page(client, f"/pilots/{pilot_id}", language)
        assert _marked(html, "h1", SWEDISH_NAME) == "sv"
        assert _marked(html, "p", SWEDISH_SUMMARY) == "sv"
    # On a Swedish page it is the page's own language: nothing to mark.
    html = _page(client, f"/pilots/{pilot_id}", "sv")
    assert _marked(html, "h1", SWEDISH_NAME) is None
    assert _marked(html, "p", SWEDISH_SUMMARY) is None


def test_a_finnish_pilot_is_marked_on_a_swedish_page(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot_id = make_pilot(("418",), name="Tilavaraus verkossa").id  # Finnish by default
        db.session.commit()
    login_as(client, actors.coordinator)
    assert _marked(_page(client, f"/pilots/{pilot_id}", "sv"), "h1", "Tilavaraus verkossa") == "fi"
    assert _marked(_page(client, f"/pilots/{pilot_id}", "fi"), "h1", "Tilavaraus verkossa") is None


def test_lists_mark_the_name_public_view_list_municipality_vendor_home_similar(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    pilot_id = _swedish_pilot(app, actors)
    with app.app_context():
        # A Finnish pilot like it, so the Swedish one is listed among its similar pilots.
        other = make_pilot(
            ("418", "536"),
            name="Tilavaraus verkossa",
            summary="Bokning av lokaler på nätet, tilavaraus",
            theme=Theme.FACILITY_BOOKING,
            coordinator_id=actors.coordinator.id,
        ).id
        db.session.commit()

    assert _marked(_page(client, "/public", "fi"), "h2", SWEDISH_NAME) == "sv"

    login_as(client, actors.coordinator)
    assert _marked(_page(client, "/pilots", "en"), "a", SWEDISH_NAME) == "sv"
    assert _marked(_page(client, "/pilots", "sv"), "a", SWEDISH_NAME) is None

    login_as(client, actors.council)
    # Its row in the municipality's pilot table (the chart tables above it are unmarked).
    html = _page(client, "/municipalities/418", "fi")
    assert f'<th scope="row" lang="sv"><a href="/pilots/{pilot_id}">{SWEDISH_NAME}' in html
    assert _marked(_page(client, f"/pilots/{other}", "en"), "a", SWEDISH_NAME) == "sv"

    login_as(client, actors.vendor_user)
    assert _marked(_page(client, "/my-pilots", "fi"), "a", SWEDISH_NAME) == "sv"


def test_only_the_apps_languages_are_ever_written_into_the_attribute(app: Flask) -> None:
    from pilot_tracker.language.i18n import lang_attr

    with app.test_request_context("/", headers={"Cookie": "lang=fi"}):
        app.preprocess_request()
        assert str(lang_attr("sv")) == ' lang="sv"'
        assert str(lang_attr("fi")) == ""
        assert str(lang_attr('"><script>')) == ""
        assert str(lang_attr(None)) == ""


def test_chart_tables_mark_pilot_names_timeline_costs_and_decisions_due(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    """The tables behind the charts ("Show as table") list pilots by name too."""
    from datetime import date, timedelta

    from pilot_tracker.domain.enums import Gate, Outcome, Stage
    from pilot_tracker.services.decisions import record_decision
    from pilot_tracker.services.pilots import load_pilot_for_update

    today = date.today()
    pilot_id = _swedish_pilot(
        app,
        actors,
        stage=Stage.PLANNING,
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=200),
    )
    with app.app_context():
        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        record_decision(
            pilot,
            Gate.START,
            Outcome.GO,
            today - timedelta(days=5),
            "kommunstyrelsen",
            "Vi börjar.",
            next_review=today + timedelta(days=30),
        )
    link = f'<a href="/pilots/{pilot_id}">{SWEDISH_NAME}</a>'
    login_as(client, actors.council)
    timeline = _page(client, "/dashboard", "fi").split('id="chart-timeline"', 1)[1]
    assert f'<th scope="row" lang="sv">{link}</th>' in timeline.split("</section>", 1)[0]
    html = _page(client, "/municipalities/418", "fi")
    costs = html.split('id="chart-pilot-costs"', 1)[1].split("</section>", 1)[0]
    assert f'<th scope="row" lang="sv">{link}</th>' in costs
    due = html.split('id="chart-decisions-due"', 1)[1].split("</section>", 1)[0]
    assert f'<td lang="sv">{link}</td>' in due
    # On a Swedish page the same cells are unmarked; the other cells never are.
    html = _page(client, "/municipalities/418", "sv")
    costs = html.split('id="chart-pilot-costs"', 1)[1].split("</section>", 1)[0]
    assert f'<th scope="row">{link}</th>' in costs
    assert 'lang="sv"' not in costs and 'lang="fi"' not in costs
