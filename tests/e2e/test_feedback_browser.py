"""Residents' feedback in the browser: a resident on a phone (390 px) gives feedback in
Swedish with the keyboard alone, from the short link; a coordinator approves the text and it
appears on the public page. The public page and the privacy notice pass axe in three
languages and fit 320 px and 200 % zoom (a 1280 px window zoomed is 640 CSS px)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import (
    LANGUAGES,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    new_context,
    screenshot,
)

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def public_pilot(live_app: Any) -> int:
    import sqlalchemy as sa

    from pilot_tracker.extensions import db
    from pilot_tracker.models import Participation, Pilot

    with live_app.app_context():
        members = (
            sa.select(sa.func.count())
            .where(Participation.pilot_id == Pilot.id)
            .correlate(Pilot)
            .scalar_subquery()
        )
        pilot_id = db.session.scalar(
            sa.select(Pilot.id)
            .where(Pilot.is_public.is_(True), members >= 2)
            .order_by(Pilot.id)
            .limit(1)
        )
    assert pilot_id is not None
    return int(pilot_id)


def test_a_resident_gives_feedback_on_a_phone_in_swedish_and_a_coordinator_approves_it(
    browser: Any, live_server: str, live_app: Any, public_pilot: int
) -> None:
    text = "Det gick snabbt att boka lokalen med telefonen."
    minimum = live_app.config["FEEDBACK_MIN_SECONDS"]
    live_app.config["FEEDBACK_MIN_SECONDS"] = 1
    resident = new_context(browser, live_server, lang="sv", viewport=PHONE_390, is_mobile=True)
    try:
        page = resident.new_page()
        page.goto(f"/f/{public_pilot}")
        assert page.url.endswith(f"/public/pilots/{public_pilot}#feedback")
        assert page.locator("html").get_attribute("lang") == "sv"
        assert page.get_by_role("heading", name="Ge respons").is_visible()
        assert horizontal_overflow(page) == 0
        # The keyboard alone: into the rating group, arrows to 4, on through the fields.
        page.locator("#rating-1").focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert page.locator("#rating-4").is_checked()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "feedback-municipality"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "feedback-text"
        page.keyboard.type(text)
        page.keyboard.press("Tab")  # the honeypot is out of the tab order
        assert page.evaluate("document.activeElement.textContent.trim()") == "Skicka respons"
        page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        status = page.locator(".feedback-form [role=status]")
        assert "Tack för din respons" in status.inner_text()
        assert "koordinator" in status.inner_text()
        assert text not in page.locator("body").inner_text()  # waits for approval
        screenshot(page, "feedback-phone-sv")
    finally:
        resident.close()
        live_app.config["FEEDBACK_MIN_SECONDS"] = minimum

    coordinator = new_context(browser, live_server, role="coordinator", lang="fi")
    try:
        page = coordinator.new_page()
        page.goto(f"/pilots/{public_pilot}/feedback")
        item = page.locator(".moderation-item", has_text=text)
        assert item.count() == 1
        if violations := axe_violations(page):
            raise AssertionError(describe_violations("moderation", violations))
        item.get_by_role("button", name="Hyväksy").click()
        page.wait_for_load_state()
        assert "Teksti on hyväksytty" in page.locator(".flashes").inner_text()
        screenshot(page, "feedback-moderation-fi")
    finally:
        coordinator.close()

    reader = new_context(browser, live_server, lang="sv", viewport=PHONE_390)
    try:
        page = reader.new_page()
        page.goto(f"/public/pilots/{public_pilot}")
        assert text in page.locator("#comments").inner_text()
    finally:
        reader.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_pilot_page_and_the_privacy_notice_pass_axe_and_fit_narrow_screens(
    browser: Any, live_server: str, public_pilot: int, language: str
) -> None:
    problems = []
    for viewport in (
        {"width": 1280, "height": 900},
        {"width": 640, "height": 450},
        {"width": 320, "height": 640},
    ):
        context = new_context(browser, live_server, lang=language, viewport=viewport)
        try:
            page = context.new_page()
            for path in (f"/public/pilots/{public_pilot}", "/privacy"):
                page.goto(path)
                if viewport["width"] == 1280 and (violations := axe_violations(page)):
                    problems.append(describe_violations(f"[{language}] {path}", violations))
                overflow = horizontal_overflow(page)
                if overflow:
                    problems.append(
                        f"[{language}] {path} at {viewport['width']} px: {overflow} px sideways"
                    )
            if viewport["width"] == 320:
                page.goto(f"/public/pilots/{public_pilot}")
                screenshot(page, f"public-pilot-320-{language}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
