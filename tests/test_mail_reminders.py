"""Reminders: one digest a day per user in their language, of what is due for them, each
item once per due date; settings per kind; one-click unsubscribe that works signed out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Gate, Outcome, Rag, Role, Stage
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import NotificationSetting, OutboxMessage, Pilot, ReminderLog, User
from pilot_tracker.models.mail import Frequency
from pilot_tracker.services import outbox, reminders
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.due_items import DueKind, due_items_for, kinds_for
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import load_pilot_for_update
from pilot_tracker.services.reporting import add_status_update
from pilot_tracker.services.users import update_profile
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot
from tests.mail_helpers import SmtpServer, smtp_server

TODAY = date.today()


@dataclass
class Portfolio:
    pilot_a: int
    pilot_b: int


def build(actors: Actors) -> Portfolio:
    """Pilot A (vendor A, coordinated by the coordinator): review in 10 days, planned end
    passed, status 40 days old. Pilot B (vendor B, nobody's): the same, 45 days old."""
    ids = []
    for key, vendor, coordinator, age in (
        ("A", actors.vendor_a, actors.coordinator.id, 40),
        ("B", actors.vendor_b, None, 45),
    ):
        pilot = make_pilot(
            ("418", "536"),
            vendor=vendor,
            name=f"Muistutuskokeilu {key}",
            stage=Stage.PILOTING,
            coordinator_id=coordinator,
            start_date=TODAY - timedelta(days=200),
            end_date=TODAY - timedelta(days=5),
        )
        add_status_update(
            pilot, Rag.AMBER, 50, "Vanha tila.", reported_on=TODAY - timedelta(days=age)
        )
        record_decision(
            pilot,
            Gate.MIDPOINT,
            Outcome.CONTINUE,
            TODAY - timedelta(days=1),
            "ohjausryhmä",
            "Jatketaan.",
            next_review=TODAY + timedelta(days=10),
        )
        # Both municipalities have decided at the midpoint themselves: no such item is due.
        for code in ("418", "536"):
            loaded = load_pilot_for_update(pilot.id)
            assert loaded is not None
            record_municipal_decision(
                loaded, code, Gate.MIDPOINT, Outcome.GO, Body.BOARD, TODAY - timedelta(days=1),
                today=TODAY,
            )  # fmt: skip
        ids.append(pilot.id)
    return Portfolio(*ids)


@pytest.fixture
def portfolio(app: Flask, actors: Actors) -> Portfolio:
    with app.app_context():
        return build(actors)


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    with smtp_server(app) as server:
        yield server


def run(app: Flask, today: date = TODAY) -> reminders.ReminderReport:
    with app.app_context():
        return reminders.send_reminders(today)


def digests(app: Flask, email: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.recipient == email, OutboxMessage.kind == "digest")
                .order_by(OutboxMessage.id)
            )
        )


def set_language(app: Flask, user: User, language: str) -> None:
    with app.app_context():
        update_profile(db.session.get(User, user.id), name=user.name, language=language)  # type: ignore[arg-type]


class Links(HTMLParser):
    """The links of an HTML message with their texts; its lang and headings."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.headings: list[str] = []
        self.lang = ""
        self._href: str | None = None
        self._text = ""
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag == "a":
            self._href, self._text = values.get("href"), ""
        self._tag = tag

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data
        if self._tag in ("h1", "h2"):
            self.headings.append(f"{self._tag}:{data.strip()}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join(self._text.split())))
            self._href = None
        self._tag = ""


def test_the_coordinator_gets_one_english_digest_whose_links_work_and_headers_unsubscribe(
    app: Flask, actors: Actors, portfolio: Portfolio, smtp: SmtpServer
) -> None:
    set_language(app, actors.coordinator, "en")
    report = run(app)
    assert report.digests >= 1
    with app.app_context():
        outbox.deliver()
    [received] = smtp.inbox.to("coordinator@example.com")
    message = received.message
    assert message["Subject"] == "Kokeilusalkku: 3 things due (2 overdue)"
    assert (
        str(message["Message-ID"]).strip() == digests(app, "coordinator@example.com")[0].message_id
    )
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert re.fullmatch(r"<https?://[^>]+/unsubscribe/[^>]+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = received.text
    assert "Review of Muistutuskokeilu A" in text and "Muistutuskokeilu B" not in text
    assert "Status update of Muistutuskokeilu A" in text and "Overdue" in text
    parsed = Links()
    parsed.feed(received.html)
    assert parsed.lang == "en"
    assert parsed.headings[0].startswith("h1:Due in Kokeilusalkku on")
    assert {"h2:Overdue", "h2:Due"} <= set(parsed.headings)
    client = login_as(FlaskClient(app), actors.coordinator)
    item_links = [(href, t) for href, t in parsed.links if f"/pilots/{portfolio.pilot_a}" in href]
    assert len(item_links) == 3
    for href, link_text in parsed.links:
        assert link_text and not link_text.startswith("http"), href  # links say where they go
        path = urlsplit(href).path
        assert client.get(path).status_code == 200, path


def test_send_reminders_twice_on_one_day_sends_nothing_the_second_time(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    first = app.test_cli_runner().invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    assert count and count >= 3  # coordinator, both vendors, the council member of 418
    second = app.test_cli_runner().invoke(args=["send-reminders"])
    assert second.exit_code == 0 and "0 digest(s)" in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == count


def test_an_item_is_never_reminded_twice_for_the_same_due_date_but_again_for_a_new_one(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    run(app)
    assert run(app, TODAY + timedelta(days=1)).digests == 0
    with app.app_context():
        pilot = db.session.get(Pilot, portfolio.pilot_a)
        record_decision(
            pilot,  # type: ignore[arg-type]
            Gate.MIDPOINT,
            Outcome.CONTINUE,
            TODAY,
            "ohjausryhmä",
            "Siirretään.",
            next_review=TODAY + timedelta(days=20),
        )
    run(app, TODAY + timedelta(days=2))
    [_first, second] = digests(app, "coordinator@example.com")
    assert second.body_text.count("Muistutuskokeilu A") == 1  # only the moved review


def test_a_vendor_hears_only_of_its_own_pilots_reporting(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    run(app)
    [digest] = digests(app, "vendor-a@example.com")
    assert "Muistutuskokeilu A" in digest.body_text and "Muistutuskokeilu B" not in digest.body_text
    with app.app_context():
        kinds = set(
            db.session.scalars(
                sa.select(ReminderLog.kind).where(ReminderLog.user_id == actors.vendor_user.id)
            )
        )
    assert kinds == {"status_update", "planned_end"}


def test_a_council_member_hears_of_their_municipalitys_reviews_in_swedish(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    set_language(app, actors.council_tied, "sv")
    run(app)
    [digest] = digests(app, "council418@example.com")
    assert digest.subject.startswith("Kokeilusalkku: 2 saker")
    assert '<html lang="sv">' in digest.body_html
    assert "Muistutuskokeilu A" in digest.body_text and "Muistutuskokeilu B" in digest.body_text
    assert digests(app, "council@example.com") == []  # tied to no municipality


def test_one_click_unsubscribe_works_signed_out_and_stops_every_reminder(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    run(app)
    [digest] = digests(app, "coordinator@example.com")
    url = digest.headers["List-Unsubscribe"].strip("<>")
    path = urlsplit(url).path
    anonymous = app.test_client()
    page = anonymous.get(path)  # a look changes nothing
    assert page.status_code == 200 and "coordinator@example.com" in page.get_data(as_text=True)
    with app.app_context():
        assert set(reminders.settings_of(actors.coordinator).values()) == {Frequency.DAILY}
    response = anonymous.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    with app.app_context():
        assert set(reminders.settings_of(actors.coordinator).values()) == {Frequency.NEVER}
        record_decision(
            db.session.get(Pilot, portfolio.pilot_a),  # type: ignore[arg-type]
            Gate.MIDPOINT,
            Outcome.CONTINUE,
            TODAY,
            "ohjausryhmä",
            "Uusi.",
            next_review=TODAY + timedelta(days=30),
        )
    run(app, TODAY + timedelta(days=1))
    assert len(digests(app, "coordinator@example.com")) == 1


@pytest.mark.parametrize("token", ["x", "MQ.forged", "A" * 300])
def test_a_forged_unsubscribe_token_is_404(client: FlaskClient, token: str) -> None:
    assert client.get(f"/unsubscribe/{token}").status_code == 404
    assert (
        client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}).status_code
        == 404
    )


def next_weekday(weekday: int) -> date:
    return TODAY + timedelta(days=(weekday - TODAY.weekday()) % 7)


def test_weekly_reminders_come_on_mondays_only(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    with app.app_context():
        reminders.save_settings(
            actors.coordinator,
            {kind.value: Frequency.WEEKLY.value for kind in DueKind},
        )
    tuesday = next_weekday(1)
    assert run(app, tuesday).digests >= 0
    assert digests(app, "coordinator@example.com") == []
    monday = next_weekday(0) if next_weekday(0) > tuesday else next_weekday(0) + timedelta(days=7)
    run(app, monday)
    assert len(digests(app, "coordinator@example.com")) == 1


def test_never_for_one_kind_leaves_the_others(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    with app.app_context():
        reminders.save_settings(actors.coordinator, {"review": "never"})
    run(app)
    [digest] = digests(app, "coordinator@example.com")
    with app.app_context():
        kinds = set(
            db.session.scalars(
                sa.select(ReminderLog.kind).where(ReminderLog.user_id == actors.coordinator.id)
            )
        )
    assert kinds == {"status_update", "planned_end"}
    assert digest.subject


@pytest.mark.parametrize("frequency", list(Frequency))
def test_wanted_today_for_every_frequency_and_weekday(frequency: Frequency) -> None:
    monday = date(2026, 11, 30)
    for offset in range(7):
        day = monday + timedelta(days=offset)
        expected = {
            Frequency.DAILY: True,
            Frequency.WEEKLY: offset == 0,
            Frequency.NEVER: False,
        }[frequency]
        assert reminders.wanted_today(frequency, day) is expected


def test_the_profile_shows_and_saves_the_settings_of_the_users_kinds(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    client.set_cookie("lang", "en")
    login_as(client, actors.vendor_user)
    page = client.get("/profile").get_data(as_text=True)
    assert 'name="notify-status_update"' in page and 'name="notify-review"' not in page
    form = {f"notify-{k.value}": "weekly" for k in kinds_for(Role.VENDOR)}
    response = client.post(
        "/profile/notifications", data={"csrf_token": csrf_token(client, "/profile"), **form}
    )
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            sa.select(NotificationSetting).where(
                NotificationSetting.user_id == actors.vendor_user.id
            )
        ).all()
    assert {r.kind: r.frequency for r in rows} == {
        k.value: Frequency.WEEKLY for k in kinds_for(Role.VENDOR)
    }
    bad = client.post(
        "/profile/notifications",
        data={"csrf_token": csrf_token(client, "/profile"), **form, "notify-measurement": "hourly"},
        follow_redirects=True,
    )
    assert "Choose daily, weekly or never" in bad.get_data(as_text=True)


def test_due_items_are_within_what_the_user_may_see(
    app: Flask, actors: Actors, portfolio: Portfolio
) -> None:
    with app.app_context():
        vendor_items = due_items_for(actors.vendor_user, TODAY)
        other_items = due_items_for(actors.other_vendor_user, TODAY)
        coordinator_items = due_items_for(actors.coordinator, TODAY)
    assert {i.pilot_id for i in vendor_items} == {portfolio.pilot_a}
    assert {i.pilot_id for i in other_items} == {portfolio.pilot_b}
    assert {i.kind for i in coordinator_items} == {"review", "planned_end", "status_update"}
    assert [i.overdue for i in coordinator_items] == sorted(
        (i.overdue for i in coordinator_items), reverse=True
    )  # overdue first


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "fi",
            [
                "Suunniteltu päättymispäivä",
                "on ohitettu, mutta vaihe on yhä: Kokeilu käynnissä",
                "tehdyssä päätöksessä (päätöspiste: Väliarviointi)",
                "Tilannepäivitys (aika lasketaan",
            ],
            ["Planned end", "Review planned", "has passed", "status counts"],
        ),
        (
            "sv",
            [
                "Det planerade slutdatumet",
                "har passerat, men skedet är fortfarande: Försök pågår",
                "(beslutspunkt: Halvtidsgranskning)",
                "Lägesrapport (tiden räknas från",
            ],
            ["Planned end", "Review planned", "has passed", "status counts"],
        ),
    ],
)
def test_a_digests_detail_lines_are_in_its_recipients_language(
    app: Flask,
    actors: Actors,
    portfolio: Portfolio,
    language: str,
    expected: list[str],
    english: list[str],
) -> None:
    """Each item's detail line (what the review, the passed end or the status update is
    about) is written in the digest's language, in the text and the HTML part alike."""
    set_language(app, actors.coordinator, language)
    run(app)
    [digest] = digests(app, "coordinator@example.com")
    for body in (digest.body_text, digest.body_html):
        for words in expected:
            assert words in body, words
        for words in english:
            assert words not in body, words


def test_a_digest_names_the_municipality_whose_decision_is_missing_in_its_language(
    app: Flask, actors: Actors
) -> None:
    """A municipal decision item names the municipality (not its code), in Swedish in a
    Swedish digest."""
    with app.app_context():
        pilot = make_pilot(
            ("091", "536"),
            name="Kommunbeslutsförsök",
            stage=Stage.PILOTING,
            coordinator_id=actors.coordinator.id,
            start_date=TODAY - timedelta(days=100),
        )
        record_decision(
            pilot,
            Gate.MIDPOINT,
            Outcome.CONTINUE,
            TODAY - timedelta(days=1),
            "ohjausryhmä",
            "Jatketaan.",
            next_review=TODAY + timedelta(days=10),
        )
    set_language(app, actors.coordinator, "sv")
    run(app)
    [digest] = digests(app, "coordinator@example.com")
    assert "Helsingfors: kommunens eget beslut saknas vid beslutspunkten Halvtidsgranskning" in (
        digest.body_text
    )
    assert "(091)" not in digest.body_text and "(Helsingfors)" in digest.body_text


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("fi", "Kokeilusalkku: 1 ajankohtainen asia (1 myöhässä)"),
        ("sv", "Kokeilusalkku: 1 sak aktuell (försenade: 1)"),
        ("en", "Kokeilusalkku: 1 thing due (1 overdue)"),
    ],
)
def test_a_digest_of_one_item_says_so_in_the_singular(
    app: Flask, actors: Actors, portfolio: Portfolio, language: str, subject: str
) -> None:
    set_language(app, actors.coordinator, language)
    with app.app_context():
        reminders.save_settings(actors.coordinator, {"review": "never", "planned_end": "never"})
    run(app)
    [digest] = digests(app, "coordinator@example.com")
    assert digest.subject == subject
