"""Issue 13's cases on the demo portfolio (services/seed.py): Lempäälä's council member sees
its overdue reviews, what it pays by commitment, and honest stale flags.

The expected values are worked out here from the database by the rules of PRODUCT.md,
independently of the services, then looked for on the pages and in the API.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Stage
from pilot_tracker.extensions import db
from pilot_tracker.language import formats
from pilot_tracker.models import Decision, Participation, Pilot, User
from pilot_tracker.services.seed import seed_demo
from pilot_tracker.services.tokens import create_token
from tests.conftest import login_as

EN = {"Accept-Language": "en"}
RUNNING = (Stage.PILOTING, Stage.EVALUATION)


def pilots_ids(html: str) -> set[int]:
    """The pilots a list page links to in its table rows."""
    import re

    body = html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""
    return {int(m) for m in re.findall(r'href="/pilots/(\d+)"', body)}


def _newest_reviews() -> dict[int, date]:
    """Each pilot's newest decision's next review (if it has one)."""
    rows = db.session.execute(
        sa.select(Decision.pilot_id, Decision.decided_on, Decision.id, Decision.next_review)
    ).all()
    newest: dict[int, tuple[date, int, date | None]] = {}
    for pilot_id, decided_on, decision_id, next_review in rows:
        if pilot_id not in newest or (decided_on, decision_id) > newest[pilot_id][:2]:
            newest[pilot_id] = (decided_on, decision_id, next_review)
    return {p: v[2] for p, v in newest.items() if v[2] is not None}


def test_lempaala_sees_its_overdue_reviews_and_what_it_pays(
    app: Flask, client: FlaskClient
) -> None:
    today = date.today()
    with app.app_context():
        seed_demo(today=today)
        pilots = {p.id: p for p in db.session.scalars(sa.select(Pilot))}
        lempaala = set(
            db.session.scalars(
                sa.select(Participation.pilot_id).where(Participation.municipality_code == "418")
            )
        )
        shares = dict(
            db.session.execute(
                sa.select(Participation.pilot_id, Participation.share_cents).where(
                    Participation.municipality_code == "418"
                )
            ).all()
        )
        reviews = _newest_reviews()
        overdue = {
            p
            for p, review in reviews.items()
            if review < today and pilots[p].stage is not Stage.STOPPED
        }
        past_end = {
            p for p, pilot in pilots.items() if pilot.stage in RUNNING and pilot.end_date < today
        }
        user = db.session.scalars(
            sa.select(User).where(User.email == "lempaala@demo.kokeilusalkku.fi")
        ).one()
        coordinator = db.session.scalars(
            sa.select(User).where(User.email == "koordinaattori@demo.kokeilusalkku.fi")
        ).one()
        token = create_token(coordinator)[1]
        lempaala_token = create_token(user)[1]
        committed = sum(
            s for p, s in shares.items() if pilots[p].stage in (*RUNNING, Stage.SCALING)
        )
        proposed = sum(
            s for p, s in shares.items() if pilots[p].stage in (Stage.IDEA, Stage.PLANNING)
        )
        stopped = sum(s for p, s in shares.items() if pilots[p].stage is Stage.STOPPED)
        names = {p: pilots[p].name for p in pilots}
        start_go = dict(
            db.session.execute(
                sa.select(Decision.pilot_id, sa.func.max(Decision.decided_on))
                .where(Decision.gate == "start", Decision.outcome == "go")
                .group_by(Decision.pilot_id)
            ).all()
        )

        def stale(pilot: Pilot) -> bool:
            if pilot.stage not in RUNNING:
                return False
            days = [
                d for d in (pilot.last_status_on, start_go.get(pilot.id), pilot.start_date) if d
            ]
            return not days or max(days) < today - timedelta(days=30)

        stale_ids = {p for p, pilot in pilots.items() if stale(pilot)}
        assert stale_ids and not {p for p in stale_ids if pilots[p].stage is Stage.STOPPED}
        assert all(pilots[p].piloting_since == start_go.get(p) for p in start_go)
    mine_overdue = overdue & lempaala
    # The demo has overdue reviews, some of them Lempäälä's, and running pilots past their end.
    assert mine_overdue and len(overdue) > len(mine_overdue)

    login_as(client, user)
    html = client.get("/municipalities/418", headers=EN).get_data(as_text=True)
    due_table = html[html.index('id="chart-decisions-due"') :]
    due_table = due_table[: due_table.index("</section>")]
    assert "No reviews are due" not in due_table
    for pilot_id in mine_overdue:
        assert f'href="/pilots/{pilot_id}"' in due_table
    assert due_table.count(">Overdue</td>") == len(mine_overdue)
    section = html[html.index('class="due-section"') :]
    section = section[: section.index("</section>")]
    assert section.count("due-review overdue") == min(len(mine_overdue), 20)
    # What it pays: committed and proposed side by side; the stopped pilots' planned shares
    # are released (their actual cost, 0 € until cost entries exist, is all they count).
    cards = html[html.index('id="summary-title"') : html.index("</dl>")]
    assert formats.money(committed, "en") in cards
    assert formats.money(proposed, "en") in cards
    if stopped:
        assert formats.money(committed + proposed + stopped, "en") not in cards

    # The portfolio's "Due and overdue" section: the coordinator's home, overdue first.
    login_as(client, coordinator)
    home = client.get("/", headers=EN)
    assert home.headers["Location"].endswith("/dashboard")
    dashboard = client.get("/dashboard", headers=EN).get_data(as_text=True)
    top = dashboard[dashboard.index('class="due-section"') :]
    top = top[: top.index("</section>")]
    assert dashboard.index('class="due-section"') < dashboard.index('id="summary-title"')
    rows = top.split("<tr class=")[1:]
    assert rows and all(" overdue" in r.split(">")[0] for r in rows[: len(overdue)][:20])

    # The API answers the same items: every overdue review and every pilot past its end.
    items: list[dict] = []  # type: ignore[type-arg]
    page = 1
    while True:
        body = client.get(
            f"/api/v1/due?per_page=200&page={page}", headers={"Authorization": f"Bearer {token}"}
        ).get_json()
        items += body["items"]
        if len(items) >= body["total"]:
            break
        page += 1
    assert {i["pilot_id"] for i in items if i["kind"] == "review" and i["overdue"]} == overdue
    assert {i["pilot_id"] for i in items if i["kind"] == "past_end"} == past_end
    summary = client.get(
        "/api/v1/municipalities/418/summary", headers={"Authorization": f"Bearer {lempaala_token}"}
    ).get_json()
    assert {d["pilot_id"] for d in summary["due"] if d["kind"] == "review" and d["overdue"]} == (
        mine_overdue
    )
    assert summary["committed_eur"] == formats.money(committed, "en").replace("€", "").replace(
        ",", ""
    )
    assert summary["proposed_eur"] == f"{proposed // 100}.{proposed % 100:02d}"
    # Stale as PRODUCT.md defines it: the dashboard's count, the API's, the pilot list filter.
    portfolio = client.get(
        "/api/v1/portfolio/summary", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert portfolio["stale_count"] == len(stale_ids)
    assert f'Stale pilots</dt><dd class="figure">{len(stale_ids)}</dd>' in dashboard
    listed = client.get("/pilots?stale=yes&per_page=100", headers=EN).get_data(as_text=True)
    for pilot_id in pilots_ids(listed):
        assert pilot_id in stale_ids
    assert len(pilots_ids(listed)) == len(stale_ids)
    del names
