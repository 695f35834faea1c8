"""axe-core (bundled by axe-playwright-python) on every main page, in Finnish, Swedish and
English, signed out and as each role: no violation of the WCAG 2.0 / 2.1 level A and AA rules.

What is scanned (SCANS), and why not the whole cross product by default: the role decides
the markup of a page (navigation, buttons, forms) and the language only its texts, so

- every page is scanned as every role that reaches it, in at least one language;
- every page is scanned in every language, as the role that sees the most on it;
- every role is scanned in every language on its home page and its main task;
- Swedish on a 360 px wide phone, Finnish and English on a 1280 px desktop, so that every
  page is scanned at both widths; on the phone no page may scroll sideways either, and no
  table may squeeze its columns narrower than their words (it scrolls in its region).

That is 82 scans instead of 120 and keeps the browser tests inside their time budget on a
2-core machine; `AXE_FULL_MATRIX=1` scans every page as every role in every language.
`test_the_scan_plan_covers_every_page_role_and_language` checks the three promises above.

One browser context per role signs in once and scans its pages, in each language in turn,
two tabs at a time: the tab that loads a page is brought to the front (a hidden tab gets no
animation frames, and its charts took ~2 s each to draw), axe runs on in the other. The
failure message names each broken rule, the page, and the first offending nodes. The roles
are scanned in two modules of about equal time (this one: the admin and the council member;
`test_axe_others.py`: the others), so that pytest-xdist can give them to different workers
(a module stays on one worker).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    WCAG_TAGS,
    Demo,
    choose_language,
    describe_violations,
    horizontal_overflow,
    new_context,
    squeezed_cells,
    wait_for_charts,
)

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# The whole document except the inside of drawn charts: plotly's SVG is hidden from assistive
# technology (aria-hidden) behind its container's role="img" and label, which are scanned,
# and walking its thousands of nodes would double the scan's time. (The dashboards' own
# browser test runs axe over the drawn SVG too.)
AXE_CONTEXT = {"exclude": [[".js-plotly-plot .svg-container"]]}
VIEWPORTS = {"fi": DESKTOP, "sv": PHONE, "en": DESKTOP}
# A form submitted empty, to scan the page with its error summary and field errors.
NEW_PILOT_FAILED = "/pilots/new (submitted empty)"

SIGNED_OUT = ("/", "/login", "/about", "/accessibility", "/public", "/help", "/help/coordinator")
EDITOR_PAGES = (
    "/dashboard",
    "/municipalities/{code}",
    "/pilots",
    "/pilots/{pilot}",
    "/pilots/new",
    NEW_PILOT_FAILED,
    "/admin/vendors",
    "/export",
    "/import",
    "/profile",
)
# Every page each role reaches.
PAGES: dict[str, tuple[str, ...]] = {
    "anonymous": SIGNED_OUT,
    "admin": (*EDITOR_PAGES, "/admin/users", "/admin/users/{council_user}"),
    "coordinator": EDITOR_PAGES,
    "council": (
        "/municipalities/{code}",
        "/dashboard",
        "/pilots",
        "/pilots/{pilot}",
        "/export",
        "/profile",
    ),
    "vendor": (
        "/my-pilots",
        "/pilots",
        "/pilots/{vendor_pilot}/monthly-report",
        "/pilots/{vendor_pilot}",
        "/pilots/{vendor_pilot}/status/new",
        "/pilots/{vendor_pilot}/measurements/new",
        "/export",
        "/profile",
    ),
}
# Swedish and English: every page as the admin (who sees the most), and each role's own.
OTHER_LANGUAGES = {
    "anonymous": SIGNED_OUT,
    "admin": PAGES["admin"],
    "coordinator": ("/dashboard", "/pilots/new", NEW_PILOT_FAILED),
    "council": ("/municipalities/{code}",),
    "vendor": PAGES["vendor"][:1] + PAGES["vendor"][2:6],
}
SCANS: dict[str, dict[str, tuple[str, ...]]] = {
    "sv": OTHER_LANGUAGES,
    "en": OTHER_LANGUAGES,
    # Finnish: every role on every page it reaches; the admin only where its pages differ
    # from the coordinator's by more than the navigation (it has them all in sv and en).
    "fi": {
        **PAGES,
        "admin": ("/dashboard", "/pilots/{pilot}", "/admin/users", "/admin/users/{council_user}"),
    },
}


# The roles this module scans; test_axe_others.py scans the rest.
ROLES = ("admin", "council")


def plan(roles: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(role, language) pairs in run order: Finnish last, so that the demo users' profiles
    end the run in their usual language."""
    return [
        (role, lang)
        for lang in ("sv", "en", "fi")
        for role in PAGES
        if roles is None or role in roles
    ]


def pages_for(role: str, lang: str) -> tuple[str, ...]:
    if os.environ.get("AXE_FULL_MATRIX") == "1":
        return PAGES[role]
    return SCANS[lang][role]


def test_the_scan_plan_covers_every_page_role_and_language() -> None:
    scanned = {(role, lang, page) for role, lang in plan() for page in pages_for(role, lang)}
    every_page = {page for pages in PAGES.values() for page in pages}
    for role, pages in PAGES.items():
        for page in pages:
            assert any((role, lang, page) in scanned for lang in SCANS), (role, page)
    for lang in SCANS:
        for page in every_page:
            assert any((role, lang, page) in scanned for role in PAGES), (lang, page)
        for role in PAGES:
            assert (role, lang, PAGES[role][0]) in scanned, (role, lang)
    assert len(scanned) == 91


def visit(page: Any, path: str, demo: Demo) -> str:
    """Open one page of the list (submitting the new-pilot form empty where asked)."""
    if path == NEW_PILOT_FAILED:
        page.goto("/pilots/new")
        with page.expect_navigation():
            page.click("button[name=action][value=save]")
        assert page.locator(".error-summary").is_visible(), "the empty form was not refused"
        return path
    url = path.format(
        pilot=demo.pilot_id,
        vendor_pilot=demo.vendor_pilot_id,
        code=demo.tied_code,
        council_user=demo.council_user_id,
    )
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    wait_for_charts(page)
    return url


@pytest.fixture(scope="module")
def tabs(browser: Any, live_server: str) -> Iterator[Callable[[str], list[Any]]]:
    """Two tabs per role, in one signed-in context with axe-core loaded into every page,
    kept for the whole module so that the browser's caches stay warm between languages."""
    from axe_playwright_python.sync_playwright import Axe

    contexts: dict[str, Any] = {}
    opened: dict[str, list[Any]] = {}

    def for_role(role: str) -> list[Any]:
        if role not in opened:
            context = new_context(browser, live_server, role=None if role == "anonymous" else role)
            context.add_init_script(script=Axe().axe_script)
            contexts[role] = context
            opened[role] = [context.new_page() for _ in range(2)]
        return opened[role]

    try:
        yield for_role
    finally:
        for context in contexts.values():
            context.close()


def scan(pages: list[Any], paths: tuple[str, ...], demo: Demo, *, phone: bool) -> list[str]:
    """Scan the pages with axe-core in the given tabs by turns: while one tab's renderer runs
    axe, the next tab loads its page. Returns a description of every problem found."""
    queue, running, problems = list(paths), dict[int, str](), []
    turn = 0
    while queue or running:
        slot = turn % len(pages)
        turn += 1
        page = pages[slot]
        if slot in running:
            where = running.pop(slot)
            violations = page.evaluate("() => window.__axeRun")
            if violations:
                problems.append(describe_violations(where, violations))
            if phone and (overflow := horizontal_overflow(page)):
                problems.append(f"{where}: the page scrolls {overflow} px sideways at 360 px")
            if phone and (broken := squeezed_cells(page)):
                problems.append(f"{where}: table cells too narrow for their words: {broken}")
        if queue:
            # A tab behind another draws no animation frames (its document is hidden): its
            # charts would wait ~2 s each for throttled timers. The tab that loads comes to
            # the front; axe runs on in the one behind, which needs no frames.
            page.bring_to_front()
            where = visit(page, queue.pop(0), demo)
            lang = page.locator("html").get_attribute("lang")
            page.evaluate(
                "([context, options]) => { window.__axeRun = axe.run(context, options)"
                ".then(results => results.violations); }",
                [AXE_CONTEXT, AXE_OPTIONS],
            )
            running[slot] = f"[{lang}] {where}"
    return problems


def check_role(tabs: Callable[[str], list[Any]], demo: Demo, role: str, lang: str) -> None:
    """Scan the role's pages in the language; fail with every problem found."""
    pages = tabs(role)
    choose_language(pages[0].context, lang)
    for page in pages:
        page.set_viewport_size(VIEWPORTS[lang])
    problems = scan(pages, pages_for(role, lang), demo, phone=VIEWPORTS[lang] == PHONE)
    assert not problems, f"axe-core found WCAG 2.1 A/AA problems as {role}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("role", "lang"), plan(ROLES))
def test_every_page_passes_axe_wcag_a_and_aa(
    tabs: Callable[[str], list[Any]], demo: Demo, role: str, lang: str
) -> None:
    check_role(tabs, demo, role, lang)
