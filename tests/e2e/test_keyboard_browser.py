"""The keyboard alone: the skip link, signing in, a visible focus on every stop, and the pilot
form's municipality search (no JavaScript needed, no mouse either)."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import DEMO_PASSWORD, USERS, new_context

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        text: (el.innerText || el.value || el.getAttribute('aria-label') || '').slice(0, 40),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        inView: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0,
    };
}"""


def test_keyboard_alone_skips_to_content_and_signs_in_with_a_visible_focus(page: Any) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STYLE)
    assert first["tag"] == "a" and page.locator(".skip-link").evaluate(
        "el => el === document.activeElement"
    )
    assert first["outline"] and first["inView"], first
    page.keyboard.press("Enter")
    # The fragment navigation reaches Playwright as an event: wait for it rather than read
    # page.url at once (read at once, it was still /login once in CI).
    page.wait_for_url(re.compile(r"#main$"), timeout=5000)
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(USERS["vendor"])
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("#")[0].endswith("/my-pilots")

    # Every stop of the page, from the skip link to the footer: each shows where it is.
    page.goto("/my-pilots")
    seen: list[dict[str, Any]] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        if stop["tag"] == "body":  # past the last stop
            break
        seen.append(stop)
        assert stop["outline"] and stop["inView"], f"no visible focus on {stop}"
    # The skip link again (in the vendor's own language now, whatever another test left it in).
    assert seen[0]["tag"] == "a"
    assert seen[0]["text"] == page.locator(".skip-link").inner_text()[:40]
    assert {"a", "button", "div"} <= {stop["tag"] for stop in seen}  # div: a table's region
    assert seen[-1]["text"] == page.locator("footer a").last.inner_text()


def test_pilot_form_municipality_search_works_from_the_keyboard(
    browser: Any, live_server: str
) -> None:
    # Without JavaScript (with it, the field is a combobox: test_participant_picker_browser.py).
    context = new_context(
        browser, live_server, role="coordinator", lang="fi", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/pilots/new")
    page.focus("#municipality_q")
    page.keyboard.type("Nokia")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's first button is the search
    hit = page.locator("#hit-536")
    assert hit.is_visible()
    hit.focus()
    page.keyboard.press("Space")
    assert hit.is_checked()
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused == ["action", "add"], focused
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#participant-536").is_checked()
    context.close()
