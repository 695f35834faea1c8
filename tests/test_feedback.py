"""Residents' feedback (issue 21): no personal data stored, the abuse checks hold and answer
alike, moderation makes a hidden text gone everywhere, the ≥ 10 rule, the KPI's arithmetic."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Gate, Outcome, Stage, TextStatus
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, ResidentFeedback
from pilot_tracker.services.tokens import create_token
from pilot_tracker.web import feedback_guard
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (SecretPhone; FeedbackTester 9.9)"
REFUSAL = re.compile(
    r'<div class="flash flash-error" role="alert" id="feedback-refused">(.*?)</div>', re.S
)


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


@pytest.fixture
def public_pilot(app: Flask) -> int:
    with app.app_context():
        return make_pilot(("418", "536", "980"), name="Tilavaraus", is_public=True).id


def token(app: Flask, pilot_id: int, age: float = 30) -> str:
    with app.test_request_context():
        return feedback_guard.form_token(pilot_id, time.time() - age)


def give(
    app: Flask,
    client: FlaskClient,
    pilot_id: int,
    address: str = ADDRESS,
    age: float = 30,
    **fields: str,
) -> Any:
    data = {"rating": "4", "municipality": "418", "text": "", "token": token(app, pilot_id, age)}
    data.update(fields)
    return client.post(
        f"/public/pilots/{pilot_id}/feedback",
        data=data,
        environ_base={"REMOTE_ADDR": address},
        headers={"User-Agent": AGENT},
    )


def stored(app: Flask, pilot_id: int) -> list[ResidentFeedback]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(ResidentFeedback).where(ResidentFeedback.pilot_id == pilot_id)
            )
        )


def test_a_submission_stores_no_address_or_personal_data(
    app: Flask, client: FlaskClient, public_pilot: int
) -> None:
    response = give(app, client, public_pilot, text="Varaus onnistui puhelimella nopeasti.")
    assert response.status_code == 303
    with app.test_request_context():
        hashed = feedback_guard.daily_key(ADDRESS)
    # The table holds exactly these columns: none of them can carry an address, a name,
    # an e-mail, a browser or a time of day.
    with app.app_context():
        columns = {
            c["name"] for c in sa.inspect(db.session.connection()).get_columns("resident_feedback")
        }
    assert columns == {
        "id", "pilot_id", "rating", "text", "text_status", "municipality_code", "language",
        "submitted_on", "moderated_at",
    }  # fmt: skip
    # And no column of any table anywhere holds the address, its hash, or the browser.
    secrets = (ADDRESS, hashed, "SecretPhone", "FeedbackTester")
    found = []
    with app.app_context():
        inspector = sa.inspect(db.session.connection())
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                values = db.session.execute(
                    sa.text(f'SELECT "{column["name"]}" FROM "{table}"')
                ).scalars()
                for value in values:
                    text = str(value)
                    found += [f"{table}.{column['name']}" for s in secrets if s in text]
    assert found == []
    [row] = stored(app, public_pilot)
    assert (row.rating, row.municipality_code, row.text_status) == (4, "418", TextStatus.PENDING)
    assert row.moderated_at is None


def test_the_form_says_no_personal_data_and_links_the_privacy_notice(
    client: FlaskClient, public_pilot: int
) -> None:
    html = client.get(f"/public/pilots/{public_pilot}").get_data(as_text=True)
    assert "we do not store your IP address" in html
    assert 'href="/privacy"' in html
    client.set_cookie("lang", "sv")
    privacy = client.get("/privacy").get_data(as_text=True)
    headings = ("Personuppgiftsansvarig", "Vad som sparas", "Vad som inte sparas", "Lagringstid")
    for heading in (*headings, "Dina rättigheter"):
        assert heading in privacy


def test_the_footer_of_every_page_links_the_privacy_notice(client: FlaskClient) -> None:
    for path in ("/", "/public", "/about"):
        assert 'href="/privacy"' in client.get(path).get_data(as_text=True), path


def test_one_address_stops_at_its_limit_and_another_still_gets_through(
    app: Flask, client: FlaskClient, public_pilot: int
) -> None:
    statuses = Counter(give(app, client, public_pilot).status_code for _ in range(30))
    assert statuses == {303: 5, 422: 25}  # FEEDBACK_ADDRESS_LIMIT: 5 per 10 minutes
    assert len(stored(app, public_pilot)) == 5
    assert give(app, client, public_pilot, address="198.51.100.9").status_code == 303
    assert len(stored(app, public_pilot)) == 6


def test_the_pilot_limit_holds_across_addresses(
    app: Flask, client: FlaskClient, public_pilot: int
) -> None:
    app.config["FEEDBACK_PILOT_LIMIT"] = "3 per hour"
    try:
        codes = [
            give(app, client, public_pilot, address=f"192.0.2.{n}").status_code for n in range(6)
        ]
    finally:
        app.config["FEEDBACK_PILOT_LIMIT"] = "600 per hour"
    assert codes == [303, 303, 303, 422, 422, 422]
    assert len(stored(app, public_pilot)) == 3


def test_a_window_longer_than_a_day_is_refused_so_no_hash_outlives_its_day(
    app: Flask, client: FlaskClient, public_pilot: int
) -> None:
    app.config["FEEDBACK_ADDRESS_LIMIT"] = "100 per 2 days"
    try:
        with pytest.raises(ValueError, match="longer than a day"), app.test_request_context():
            feedback_guard.within_limits(public_pilot)
    finally:
        app.config["FEEDBACK_ADDRESS_LIMIT"] = "5 per 10 minutes;20 per day"


def test_the_daily_hash_changes_with_the_day_and_the_address(app: Flask) -> None:
    from datetime import date

    with app.test_request_context():
        a = feedback_guard.daily_key("192.0.2.1", date(2026, 12, 2))
        assert a == feedback_guard.daily_key("192.0.2.1", date(2026, 12, 2))
        assert a != feedback_guard.daily_key("192.0.2.1", date(2026, 12, 3))
        assert a != feedback_guard.daily_key("192.0.2.2", date(2026, 12, 2))
        assert "192.0.2.1" not in a


@pytest.mark.parametrize(
    "case",
    ["honeypot", "too_fast", "no_token", "other_pilot", "link", "too_long", "no_rating", "limit"],
)
def test_every_refusal_answers_alike_and_stores_nothing(
    app: Flask, client: FlaskClient, public_pilot: int, case: str
) -> None:
    with app.app_context():
        other = make_pilot(("091", "049"), is_public=True).id
    fields: dict[str, Any] = {
        "honeypot": {"website": "http://spam.example"},
        "too_fast": {"age": 0},
        "no_token": {"token": ""},
        "other_pilot": {"token": token(app, other)},
        "link": {"text": "Halpoja tarjouksia: example.com/tarjous"},
        "too_long": {"text": "a" * 1001},
        "no_rating": {"rating": ""},
        "limit": {},
    }[case]
    if case == "limit":
        for _ in range(5):
            assert give(app, client, public_pilot).status_code == 303
    before = len(stored(app, public_pilot))
    response = give(app, client, public_pilot, **fields)
    assert response.status_code == 422
    assert "Retry-After" not in response.headers
    [message] = REFUSAL.findall(response.get_data(as_text=True))
    reference = give(app, client, public_pilot, address="198.51.100.200", text="www.example.fi")
    assert REFUSAL.findall(reference.get_data(as_text=True)) == [message]
    assert len(stored(app, public_pilot)) == before


def test_a_refused_answer_keeps_what_the_resident_wrote(
    app: Flask, client: FlaskClient, public_pilot: int
) -> None:
    html = give(app, client, public_pilot, rating="2", text="Katso www.example.fi").get_data(
        as_text=True
    )
    assert "Katso www.example.fi</textarea>" in html
    assert 'value="2" id="rating-2" required checked' in html


def test_a_private_pilot_has_no_public_page_form_qr_or_short_link(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        private = make_pilot(("418", "536"), is_public=False).id
    paths = (f"/public/pilots/{private}", f"/public/pilots/{private}/qr.svg", f"/f/{private}")
    for path in (*paths, "/public/pilots/999999"):
        assert client.get(path).status_code == 404, path
    assert give(app, client, private).status_code == 404
    assert stored(app, private) == []


def test_the_short_link_and_its_qr_code(client: FlaskClient, public_pilot: int) -> None:
    response = client.get(f"/f/{public_pilot}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/public/pilots/{public_pilot}#feedback")
    svg = client.get(f"/public/pilots/{public_pilot}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    body = svg.get_data(as_text=True)
    assert body.startswith("<svg") and f"<title>http://localhost/f/{public_pilot}</title>" in body
    page = client.get(f"/public/pilots/{public_pilot}").get_data(as_text=True)
    assert f"http://localhost/f/{public_pilot}" in page


def test_the_public_page_shows_kpi_results_and_decisions_with_their_lessons(
    app: Flask, client: FlaskClient
) -> None:
    from pilot_tracker.domain.enums import Direction
    from pilot_tracker.services.decisions import record_decision
    from pilot_tracker.services.follow_up import record_lesson
    from pilot_tracker.services.reporting import add_kpi, add_measurement

    with app.app_context():
        pilot = make_pilot(("418", "536"), is_public=True, stage=Stage.PILOTING)
        kpi = add_kpi(
            pilot, "Varauksia verkossa", "%", Decimal(10), Decimal(60), Direction.INCREASE
        )
        add_measurement(kpi, pilot.created_at.date(), Decimal(35))
        decision = record_decision(
            pilot,
            Gate.MIDPOINT,
            Outcome.GO,
            pilot.created_at.date(),
            "ohjausryhmä",
            "Salainen perustelu",
        )
        record_lesson(pilot, "Opimme kokeilusta paljon", decision_id=decision.id)
        pid = pilot.id
    html = client.get(f"/public/pilots/{pid}").get_data(as_text=True)
    assert "Varauksia verkossa" in html and "50" in html  # progress (35-10)/(60-10) = 50 %
    assert "Opimme kokeilusta paljon" in html
    assert "Salainen perustelu" not in html  # rationales are not open data


def moderate(client: FlaskClient, pilot_id: int, feedback_id: int, action: str) -> Any:
    token = csrf_token(client, "/profile")
    return client.post(
        f"/pilots/{pilot_id}/feedback/{feedback_id}/{action}", data={"csrf_token": token}
    )


def everywhere(app: Flask, client: FlaskClient, actors: Actors, pilot_id: int) -> str:
    """Every page, export and API answer a text could show up in, as one string."""
    with app.app_context():
        bearer = {"Authorization": f"Bearer {create_token(actors.admin, name='t')[1]}"}
    login_as(client, actors.admin)
    parts = [
        client.get(path).get_data(as_text=True)
        for path in (
            f"/public/pilots/{pilot_id}",
            "/public",
            f"/pilots/{pilot_id}",
            f"/pilots/{pilot_id}/history",
            f"/pilots/{pilot_id}/feedback",
            "/municipalities/418",
            "/export/pilots.csv",
            "/export/kpis.csv",
        )
    ]
    xlsx = client.get("/export/portfolio.xlsx")
    from tests.hostile_helpers import workbook_cells

    parts.append(str(workbook_cells(xlsx.data)))
    api = app.test_client()
    for path in (
        f"/api/v1/pilots/{pilot_id}/feedback/summary",
        f"/api/v1/pilots/{pilot_id}/feedback/texts",
        f"/api/v1/pilots/{pilot_id}",
        "/api/v1/public/pilots?per_page=200",
    ):
        parts.append(api.get(path, headers=bearer).get_data(as_text=True))
    with app.app_context():
        parts += [str((e.old, e.new)) for e in db.session.scalars(sa.select(AuditEntry))]
    login_as(client, None)
    return "\n".join(parts)


def test_a_text_waits_for_approval_and_a_hidden_text_is_gone_everywhere(
    app: Flask, client: FlaskClient, actors: Actors, public_pilot: int
) -> None:
    text = "Asiakaspalvelija Virtanen oli töykeä MARKER-7c1"
    assert give(app, client, public_pilot, text=text, rating="2").status_code == 303
    [answer] = stored(app, public_pilot)
    # Waiting: only the coordinators' moderation page shows it.
    login_as(client, actors.coordinator)
    assert text in client.get(f"/pilots/{public_pilot}/feedback").get_data(as_text=True)
    login_as(client, None)
    assert text not in client.get(f"/public/pilots/{public_pilot}").get_data(as_text=True)
    # Approved: on the public page and in the API's texts.
    login_as(client, actors.coordinator)
    assert moderate(client, public_pilot, answer.id, "approve").status_code == 303
    login_as(client, None)
    assert text in client.get(f"/public/pilots/{public_pilot}").get_data(as_text=True)
    with app.app_context():
        bearer = {"Authorization": f"Bearer {create_token(actors.coordinator, name='c')[1]}"}
    texts = client.get(f"/api/v1/pilots/{public_pilot}/feedback/texts", headers=bearer).get_json()
    assert [t["text"] for t in texts["items"]] == [text]
    # Hidden: nowhere at all, and the rating still counts.
    login_as(client, actors.coordinator)
    assert moderate(client, public_pilot, answer.id, "hide").status_code == 303
    assert "MARKER-7c1" not in everywhere(app, client, actors, public_pilot)
    [row] = stored(app, public_pilot)
    assert (row.text, row.text_status, row.rating) == ("", TextStatus.HIDDEN, 2)
    summary = client.get(
        f"/api/v1/pilots/{public_pilot}/feedback/summary", headers=bearer
    ).get_json()
    assert summary["count"] == 1
    # Audited, without the text.
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "resident_feedback")
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.action, (e.new or {}).get("text_status"), e.actor_email) for e in entries] == [
        ("update", "approved", "coordinator@example.com"),
        ("update", "hidden", "coordinator@example.com"),
    ]


def test_deleting_removes_the_whole_answer_and_is_audited(
    app: Flask, client: FlaskClient, actors: Actors, public_pilot: int
) -> None:
    give(app, client, public_pilot, rating="1", text="Roskaa")
    [answer] = stored(app, public_pilot)
    login_as(client, actors.admin)
    assert moderate(client, public_pilot, answer.id, "delete").status_code == 303
    assert stored(app, public_pilot) == []
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "resident_feedback")
        ).one()
    assert entry.action == "delete" and "Roskaa" not in str(entry.old)


def test_only_coordinators_and_admins_moderate_and_only_the_pilots_own_answers(
    app: Flask, client: FlaskClient, actors: Actors, public_pilot: int
) -> None:
    give(app, client, public_pilot, text="Hyvä")
    [answer] = stored(app, public_pilot)
    with app.app_context():
        other = make_pilot(("091",), is_public=True).id
    for user in (actors.council, actors.council_tied, actors.vendor_user):
        login_as(client, user)
        assert moderate(client, public_pilot, answer.id, "approve").status_code == 403
    login_as(client, actors.coordinator)
    assert moderate(client, other, answer.id, "approve").status_code == 404
    assert moderate(client, public_pilot, answer.id, "publish").status_code == 404
    assert stored(app, public_pilot)[0].text_status is TextStatus.PENDING


def add_answers(app: Flask, pilot_id: int, answers: list[tuple[int, str | None]]) -> None:
    from pilot_tracker.services import feedback

    with app.test_request_context():
        for rating, code in answers:
            feedback.submit(pilot_id, rating, "", code or "elsewhere", "fi", {"418", "536", "980"})


def test_a_municipalitys_own_figures_appear_only_at_ten_answers(
    app: Flask, client: FlaskClient, actors: Actors, public_pilot: int
) -> None:
    add_answers(app, public_pilot, [(5, "418")] * 9 + [(3, "536")] * 12 + [(1, None)] * 3)
    with app.app_context():
        bearer = {"Authorization": f"Bearer {create_token(actors.council, name='c')[1]}"}

    def municipalities() -> list[str]:
        body = client.get(f"/api/v1/pilots/{public_pilot}/feedback/summary", headers=bearer)
        return [m["code"] for m in body.get_json()["municipalities"]]

    assert municipalities() == ["536"]
    page = client.get(f"/public/pilots/{public_pilot}").get_data(as_text=True)
    assert "Lempäälä" not in page.split('id="satisfaction"')[1].split("</table>")[0]
    login_as(client, actors.council)
    dashboard = client.get("/municipalities/418").get_data(as_text=True)
    assert "fewer than 10" in dashboard.split('id="satisfaction"')[1]
    add_answers(app, public_pilot, [(4, "418")])
    assert municipalities() == ["418", "536"]
    page = client.get(f"/public/pilots/{public_pilot}").get_data(as_text=True)
    assert "Lempäälä" in page.split('id="satisfaction"')[1].split("</table>")[0]


def test_the_kpi_equals_a_recomputation_from_the_stored_ratings(
    app: Flask, client: FlaskClient, actors: Actors, public_pilot: int
) -> None:
    rng = random.Random(21)
    answers = [(rng.randint(1, 5), rng.choice(["418", "536", "980", None])) for _ in range(137)]
    add_answers(app, public_pilot, answers)
    with app.app_context():
        bearer = {"Authorization": f"Bearer {create_token(actors.admin, name='a')[1]}"}
        ratings = [(r.rating, r.municipality_code) for r in stored(app, public_pilot)]
    body = client.get(f"/api/v1/pilots/{public_pilot}/feedback/summary", headers=bearer).get_json()

    def expected(values: list[int]) -> dict[str, Any]:
        mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        counts = Counter(values)
        return {
            "count": len(values),
            "mean": str(mean),
            "distribution": {str(r): counts[r] for r in range(1, 6)},
        }

    assert {k: body[k] for k in ("count", "mean", "distribution")} == expected(
        [r for r, _ in ratings]
    )
    for item in body["municipalities"]:
        assert {k: item[k] for k in ("count", "mean", "distribution")} == expected(
            [r for r, c in ratings if c == item["code"]]
        )
    assert {m["code"] for m in body["municipalities"]} == {
        c for c, n in Counter(c for _, c in ratings if c).items() if n >= 10
    }


def test_the_satisfaction_kpi_is_in_the_decision_snapshot_and_the_proposal(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    from pilot_tracker.services.decisions import record_decision

    with app.app_context():
        pilot = make_pilot(("418", "536"), is_public=True, stage=Stage.PILOTING)
        pid = pilot.id
    add_answers(app, pid, [(4, "418")] * 10 + [(2, "536")] * 2)
    with app.app_context():
        from pilot_tracker.services.pilots import load_pilot_for_update

        loaded = load_pilot_for_update(pid)
        decision = record_decision(
            loaded, Gate.MIDPOINT, Outcome.GO, loaded.created_at.date(), "ohjausryhmä", "x"
        )
        snap = decision.snapshot["resident_satisfaction"]
    assert (snap["count"], snap["mean"]) == (12, "3.67")
    assert [m["code"] for m in snap["municipalities"]] == ["418"]
    login_as(client, actors.coordinator)
    assert "3.67" in client.get(f"/pilots/{pid}").get_data(as_text=True)
    proposal = client.get(f"/pilots/{pid}/proposal/418").get_data(as_text=True)
    assert "Residents&#39; satisfaction" in proposal or "Residents' satisfaction" in proposal
    assert "3.67" in proposal


@pytest.mark.parametrize(
    "fields",
    [
        {"rating": "6"},
        {"rating": "0"},
        {"rating": "-1"},
        {"rating": "4.5"},
        {"rating": "1e9"},
        {"municipality": "091"},
        {"municipality": "' OR 1=1 --"},
        {"municipality": ""},
        {"text": "a\x00b"},
        {"text": "rikki\u202eteksti"},
        {"text": "<a href='x'>x</a>"},
        {"text": "[url=x]x[/url]"},
        {"text": "HTTPS://EXAMPLE.FI"},
        {"text": "x" * 100_000},
        {"token": "not-a-token"},
        {"token": "W10.abc"},
    ],
)
def test_hostile_form_input_is_refused_without_an_error(
    app: Flask, client: FlaskClient, public_pilot: int, fields: dict[str, Any]
) -> None:
    response = give(app, client, public_pilot, **fields)
    # 400: the app refuses a NUL byte in any form before the view sees it.
    assert response.status_code == (400 if "\x00" in str(fields.get("text", "")) else 422)
    assert stored(app, public_pilot) == []


def test_a_text_without_links_in_another_language_is_stored_with_its_language(
    app: Flask, client: FlaskClient, public_pilot: int
) -> None:
    client.set_cookie("lang", "sv")
    assert (
        give(
            app, client, public_pilot, text="Det fungerade bra, tack.", municipality="elsewhere"
        ).status_code
        == 303
    )
    [row] = stored(app, public_pilot)
    assert (row.language, row.municipality_code) == ("sv", None)


def test_the_public_data_as_csv_in_the_export_dialect_and_plain(
    app: Flask, client: FlaskClient, public_pilot: int
) -> None:
    add_answers(app, public_pilot, [(5, "418"), (4, "536")])
    with app.app_context():
        hidden = make_pilot(("091",), name="Ei julkinen", is_public=False).id
    body = client.get("/public/pilots.csv").get_data(as_text=True)
    assert body.startswith("\ufeffid;name;summary;")
    row = next(line for line in body.splitlines() if line.startswith(f"{public_pilot};"))
    assert ";120000,00;90000,00;" in row and row.endswith(";2;4,50")
    assert "Ei julkinen" not in body and f"\n{hidden};" not in body
    plain = client.get("/public/pilots.csv?format=plain").get_data(as_text=True)
    assert plain.startswith("id,name,") and ",120000.00,90000.00," in plain


def test_the_dataset_description_names_the_licence_and_the_distributions(
    client: FlaskClient, public_pilot: int
) -> None:
    response = client.get("/public/dataset.jsonld")
    assert response.mimetype == "application/ld+json"
    document = response.get_json()
    assert document["@type"] == "dcat:Dataset"
    assert document["dct:license"] == {"@id": "http://creativecommons.org/licenses/by/4.0/"}
    urls = [d["dcat:downloadURL"]["@id"] for d in document["dcat:distribution"]]
    assert "http://localhost/public/pilots.csv" in urls
    assert "http://localhost/api/v1/public/pilots" in urls
    assert {t["@language"] for t in document["dct:title"]} == {"fi", "sv", "en"}
    assert "CC BY 4.0" in client.get("/public").get_data(as_text=True)
