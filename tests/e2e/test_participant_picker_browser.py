"""The participant picker (issue 19, item 6) in Chromium, by keyboard alone: a combobox that
finds municipalities as you type (by Finnish or Swedish name, or by code) and adds them to the
participants table without a page load; the lead is chosen explicitly; the fields of a split
method show only for it; the pilot saved from the added rows has exactly those participants."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import (
    axe_violations,
    describe_violations,
    new_context,
    screenshot,
)


def _combobox_state(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => { const i = document.querySelector('#municipality_q');
            const active = i.getAttribute('aria-activedescendant');
            const el = active && document.getElementById(active);
            return { role: i.getAttribute('role'), expanded: i.getAttribute('aria-expanded'),
                     controls: i.getAttribute('aria-controls'), active: active,
                     selected: el ? el.getAttribute('aria-selected') : null,
                     activeText: el ? el.textContent : null,
                     options: document.querySelectorAll('[role=option]').length }; }"""
        )
    )


def test_a_coordinator_adds_participants_by_keyboard_without_a_reload(
    browser: Any, live_server: str
) -> None:
    context = new_context(browser, live_server, role="coordinator", lang="fi")
    page = context.new_page()
    page.goto("/pilots/new")
    page.evaluate("() => { window.__samePage = true; }")
    assert page.locator("button[name=action][value=search]").is_hidden()
    combobox = page.locator("#municipality_q")
    combobox.focus()

    # By Finnish name: the list opens as you type; Down chooses the first, Enter adds it.
    page.keyboard.type("Lempä")
    state = _combobox_state(page)
    assert state["role"] == "combobox" and state["expanded"] == "true" and state["options"] == 1
    page.keyboard.press("ArrowDown")
    state = _combobox_state(page)
    assert state["selected"] == "true" and "Lempäälä" in state["activeText"]
    page.keyboard.press("Enter")
    # By Swedish name, and by code (a single match is added with Enter alone).
    page.keyboard.type("Tammerf")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.type("091")
    page.keyboard.press("Enter")
    # A screen reader hears what was added and how many there are now.
    page.wait_for_function(
        "() => document.querySelector('.picker-status').textContent"
        " === 'Helsinki lisättiin osallistujiin. Osallistujia: 3.'"
    )
    # Escape closes an open list, then clears the field.
    page.keyboard.type("Nok")
    assert _combobox_state(page)["expanded"] == "true"
    page.keyboard.press("Escape")
    assert _combobox_state(page)["expanded"] == "false" and combobox.input_value() == "Nok"
    page.keyboard.press("Escape")
    assert combobox.input_value() == ""

    assert page.evaluate("() => window.__samePage === true")  # no page load happened
    assert page.evaluate("() => document.activeElement.id") == "municipality_q"
    codes = page.locator("table.participants tbody input[name=participants]").evaluate_all(
        "(boxes) => boxes.map((b) => b.value)"
    )
    assert codes == ["418", "837", "091"]
    # Nothing was made the lead as a side effect.
    assert page.locator("input[name=lead_municipality]:checked").count() == 0
    # An added municipality is not offered again.
    page.keyboard.type("Lempäälä")
    assert _combobox_state(page)["options"] == 0
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    # The fields of a split method show only for it.
    assert page.locator("#equal_percent").is_hidden()
    assert page.locator("#share-418").is_hidden()
    page.check("input[name=split_method][value=hybrid]")
    assert page.locator("#equal_percent").is_visible()
    page.check("input[name=split_method][value=manual]")
    assert page.locator("#equal_percent").is_hidden() and page.locator("#share-418").is_visible()
    page.check("input[name=split_method][value=per_capita]")
    assert page.locator("#share-837").is_hidden()

    # Leaving the field and coming straight back does not let the pending close (which lets a
    # click on an option land) shut the list that typing has opened since.
    page.evaluate(
        "() => { const i = document.querySelector('#municipality_q');"
        " i.focus(); i.blur(); i.focus(); }"
    )
    page.keyboard.type("Nok")  # the list open, for the scan and the screenshot
    page.wait_for_timeout(300)
    assert _combobox_state(page)["expanded"] == "true"
    violations = axe_violations(page)
    assert not violations, describe_violations("the participant picker", violations)
    screenshot(page, "participant-picker-fi")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    # The lead chosen by hand, then saved: the pilot has exactly the added participants.
    page.fill("#name", "E2E: yhdistelmähaku")
    page.select_option("#theme", "facility_booking")
    page.check("#lead-837")
    page.fill("#budget", "90000")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert re.search(r"/pilots/\d+$", page.url), page.url
    names = page.locator("#costs table.shares tbody th").all_inner_texts()
    assert sorted(re.search(r"\((\d{3})\)", n).group(1) for n in names) == ["091", "418", "837"]
    context.close()
