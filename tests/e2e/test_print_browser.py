"""The printed brief, in Chromium with print media emulated: on the municipality page, the
portfolio and the pilot page no navigation or control is visible, every chart's table is,
a header names the page and its time, and tables do not break across pages. Each page is
printed to PDF and its pages saved as PNG in test-artifacts/print-<page>-<lang>-pageN.png.

The municipality directory's as-you-type filter and its axe check are here too."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.e2e.conftest import (
    ARTIFACTS,
    LANGUAGES,
    USERS,
    Demo,
    axe_violations,
    describe_violations,
    new_context,
)

# Everything that is a control or navigation, by selector; none may show on paper.
CONTROLS = (
    "header.site-header",
    "nav",
    ".lang-form button",
    "form",
    "button",
    "a.button",
    ".chart-download a",
    "details.chart-table > summary",
    ".skip-link",
    "footer.site-footer",
)

VISIBLE_JS = """
selectors => selectors.flatMap(sel => Array.from(document.querySelectorAll(sel))
  .filter(el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; })
  .map(el => sel + ': ' + (el.textContent || '').trim().slice(0, 40)))
"""

# Tables wider than the paper would be cut at its right edge.
TOO_WIDE_JS = """
() => Array.from(document.querySelectorAll('table')).filter(t => t.getBoundingClientRect().width > 0
    && t.scrollWidth > document.querySelector('main').getBoundingClientRect().width + 1)
  .map(t => t.querySelector('caption') ? t.querySelector('caption').textContent.trim() : '?')
"""

# Tables that fit on a page must not be split: break-inside avoid, on the table and rows.
SPLITTABLE_JS = """
() => Array.from(document.querySelectorAll('table')).filter(t => {
  const s = getComputedStyle(t);
  return t.getBoundingClientRect().height < 900 && s.breakInside !== 'avoid'
    && s.pageBreakInside !== 'avoid';
}).map(t => t.querySelector('caption') ? t.querySelector('caption').textContent.trim() : '?')
"""


def _paths(demo: Demo) -> dict[str, str]:
    return {
        "municipality": f"/municipalities/{demo.tied_code}",
        "portfolio": "/dashboard",
        "pilot": f"/pilots/{demo.pilot_id}",
    }


def _save_pdf_pages(pdf: bytes, name: str) -> int:
    import pypdfium2

    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    count = len(document)
    for number in range(count):
        image = document[number].render(scale=1.2).to_pil()
        image.save(ARTIFACTS / f"{name}-page{number + 1}.png")
    document.close()
    return count


@pytest.mark.parametrize("lang", LANGUAGES)
def test_printed_pages_show_no_controls_and_whole_tables(
    browser: Any, live_server: str, demo: Demo, lang: str
) -> None:
    from pypdf import PdfReader

    context = new_context(browser, live_server, role="coordinator", lang=lang)
    page = context.new_page()
    try:
        for name, path in _paths(demo).items():
            page.goto(path)
            page.emulate_media(media="print")
            shown = page.evaluate(VISIBLE_JS, list(CONTROLS))
            assert shown == [], f"{name} ({lang}) prints controls: {shown[:5]}"
            header = page.locator(".print-header")
            assert header.is_visible(), f"{name} ({lang}) prints no header"
            assert any(ch.isdigit() for ch in header.inner_text())
            tables = page.locator("table.chart-data")
            assert tables.count() >= 1
            for n in range(tables.count()):
                assert tables.nth(n).is_visible(), f"{name} ({lang}): chart table {n} hidden"
            assert page.evaluate(SPLITTABLE_JS) == [], f"{name} ({lang}) splits tables"
            # At an A4 page's printable width (about 18 cm at 96 px/cm ≈ 700 px).
            page.set_viewport_size({"width": 700, "height": 1000})
            wide = page.evaluate(TOO_WIDE_JS)
            assert wide == [], f"{name} ({lang}) cuts wide tables: {wide}"
            page.set_viewport_size({"width": 1280, "height": 900})
            pdf = page.pdf(format="A4", print_background=True)
            assert _save_pdf_pages(pdf, f"print-{name}-{lang}") >= 1
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
            # The header's signed-in user and language buttons do not reach the paper.
            assert USERS["coordinator"] not in text and "Svenska" not in text
            page.emulate_media(media="screen")
    finally:
        context.close()


def test_directory_filters_as_you_type(browser: Any, live_server: str) -> None:
    context = new_context(browser, live_server, role="council", lang="fi")
    page = context.new_page()
    try:
        page.goto("/municipalities")
        rows = page.locator("tr[data-search]")
        assert rows.count() == 308
        page.fill("#directory-q", "helsingf")
        page.wait_for_function(
            "() => document.querySelectorAll('tr[data-search]:not([hidden])').length === 1"
        )
        visible = page.locator("tr[data-search]:not([hidden])")
        assert visible.first.get_attribute("data-code") == "091"
        assert "1" in page.locator("#directory-found").inner_text()
        assert page.locator("[data-region]:not([hidden])").count() == 1
        page.fill("#directory-q", "")
        page.wait_for_function(
            "() => document.querySelectorAll('tr[data-search]:not([hidden])').length === 308"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.fill("#directory-q", "Jakob")
        page.wait_for_function(
            "() => document.querySelectorAll('tr[data-search]:not([hidden])').length === 1"
        )
        page.screenshot(path=str(ARTIFACTS / "directory-search-fi.png"))
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_directory_and_profile_pass_axe(browser: Any, live_server: str, lang: str) -> None:
    context = new_context(browser, live_server, role="council", lang=lang)
    page = context.new_page()
    try:
        for path in ("/municipalities", "/profile"):
            page.goto(path)
            violations = axe_violations(page)
            assert not violations, describe_violations(f"{path} ({lang})", violations)
            name = path.strip("/")
            full = path != "/municipalities"  # 308 rows: the first screen is enough
            page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"), full_page=full)
    finally:
        context.close()
