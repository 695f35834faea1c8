"""In Chromium: a coordinator records three municipalities' decisions through the form, the
vendor closes its follow-up item from its home page, and axe finds nothing on the new pages
in Finnish, Swedish and English."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    USERS,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    new_context,
    screenshot,
)


@pytest.fixture(scope="module")
def joint_pilot(live_app: Any) -> dict[str, Any]:
    """A pilot of toimittaja@'s vendor in evaluation (its own, so the demo stays as it is),
    with a follow-up item the vendor owns."""
    import sqlalchemy as sa

    from pilot_tracker.domain.enums import SplitMethod, Stage, Theme
    from pilot_tracker.domain.follow_up import OwnerKind
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User
    from pilot_tracker.services.follow_up import Owner, create_item
    from pilot_tracker.services.pilots import PilotData, create_pilot, load_pilot_for_update

    with live_app.app_context():
        vendor = db.session.scalar(sa.select(User).where(User.email == USERS["vendor"]))
        assert vendor is not None
        pilot = create_pilot(
            PilotData(
                name="Yhteinen ajanvaraus",
                theme=Theme.FACILITY_BOOKING,
                lead_municipality="418",
                participants=["418", "536", "980"],
                split_method=SplitMethod.EQUAL,
                budget_cents=9_000_000,
                vendor_id=vendor.vendor_id,
                stage=Stage.EVALUATION,
            )
        )
        loaded = load_pilot_for_update(pilot.id)
        assert loaded is not None
        item = create_item(loaded, "Käyttöraportti ohjausryhmälle", Owner(OwnerKind.VENDOR))
        return {"id": pilot.id, "item": item.id}


def _record(page: Any, pilot_id: int, code: str, outcome: str) -> None:
    page.goto(f"/pilots/{pilot_id}/municipal-decisions/new")
    page.select_option("#municipality", code)
    page.select_option("#gate", "scale_up")
    page.select_option("#outcome", outcome)
    page.select_option("#body", "council")
    page.fill("#section", "§ 12")
    page.fill("#minutes_url", "https://example.org/poytakirja/12")
    page.click("form [type=submit].primary")
    page.wait_for_load_state()


def test_a_coordinator_records_three_decisions_and_the_vendor_closes_its_item(
    browser: Any, live_server: str, live_app: Any, joint_pilot: dict[str, Any]
) -> None:
    context = new_context(browser, live_server, role="coordinator", lang="en")
    page = context.new_page()
    pilot_id = joint_pilot["id"]
    _record(page, pilot_id, "536", "go")
    _record(page, pilot_id, "980", "no_go")
    assert "Ylöjärvi left the pilot" in page.locator(".flash").first.inner_text()
    _record(page, pilot_id, "091", "go")
    assert "Helsinki" in page.locator(".flash").first.inner_text()
    rows = page.locator("#municipal table tbody tr")
    assert rows.count() == 3
    membership = page.locator("#membership").inner_text()
    assert "Helsinki" in membership and "still taking part" in membership
    screenshot(page, "joint-pilot-page-en")
    context.close()

    vendor = new_context(browser, live_server, role="vendor", lang="fi")
    page = vendor.new_page()
    page.goto("/my-pilots")
    item = page.locator(f"#item-{joint_pilot['item']}")
    item.locator("select").select_option("done")
    item.locator("textarea").fill("Raportti toimitettu.")
    item.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"#item-{joint_pilot['item']}").count() == 0
    vendor.close()

    import sqlalchemy as sa

    from pilot_tracker.extensions import db
    from pilot_tracker.models import FollowUpItem, MunicipalDecision, Participation

    with live_app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(MunicipalDecision.pilot_id == pilot_id)
            )
            == 3
        )
        left = db.session.get(Participation, (pilot_id, "980"))
        assert left is not None and left.left_on == date.today()
        stored = db.session.get(FollowUpItem, joint_pilot["item"])
        assert stored is not None and stored.status.value == "done"


PAGES = (
    "/pilots/{id}",
    "/pilots/{id}/municipal-decisions/new",
    "/pilots/{id}/follow-up/new",
    "/pilots/{id}/lessons/new",
    "/pilots/{id}/proposal/418",
)


# Finnish last: the demo users' profiles end the module in their usual language.
@pytest.mark.parametrize("lang", ("sv", "en", "fi"))
def test_axe_finds_nothing_on_the_joint_pages(
    browser: Any, live_server: str, joint_pilot: dict[str, Any], lang: str
) -> None:
    viewport = PHONE if lang == "sv" else DESKTOP
    context = new_context(browser, live_server, role="coordinator", lang=lang, viewport=viewport)
    page = context.new_page()
    problems = []
    for template in PAGES:
        path = template.format(id=joint_pilot["id"])
        page.goto(path)
        page.wait_for_load_state()
        violations = axe_violations(page)
        if violations:
            problems.append(describe_violations(f"{path} ({lang})", violations))
        if viewport is PHONE and horizontal_overflow(page) > 0:
            problems.append(f"{path} ({lang}) scrolls sideways on a phone")
    page.goto(f"/pilots/{joint_pilot['id']}/proposal/418")
    screenshot(page, f"joint-proposal-{lang}")
    vendor = new_context(browser, live_server, role="vendor", lang=lang, viewport=viewport)
    vendor_page = vendor.new_page()
    vendor_page.goto("/my-pilots")
    violations = axe_violations(vendor_page)
    if violations:
        problems.append(describe_violations(f"/my-pilots ({lang})", violations))
    vendor.close()
    context.close()
    assert not problems, "\n".join(problems)
