"""Every drawn chart reads on a 360 px phone, in each language: on the portfolio, the
municipality and the pilot page, no text of a chart's SVG (tick labels, legend, axis titles,
captions and other annotations) reaches outside that chart's own SVG box, no two of its texts
overlap, and the page does not scroll sideways. A window that narrows from 1280 px to a
phone's width redraws its charts for the new width.

One signed-in context per language visits the three pages; a screenshot of each chart (its
heading, description, plot and links) goes to test-artifacts/, named
charts-phone-<lang>-<page>-<key>.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import (
    ARTIFACTS,
    DESKTOP,
    LANGUAGES,
    PHONE,
    Demo,
    horizontal_overflow,
    new_context,
    wait_for_charts,
)

# Charts each page must draw (more may come, e.g. one per KPI on the pilot page).
EXPECTED = {
    "dashboard": {"stages", "themes", "municipality-costs", "savings", "status", "timeline"},
    "municipality": {"stages", "pilot-costs", "savings", "kpi-attainment"},
    "pilot": {"cost-shares", "status-history", "projection"},
}

# Per drawn chart: its key and what is wrong with its texts. Text boxes come from
# getBoundingClientRect(), so rotation, wrapping and Plotly's own placement all count.
PROBLEMS_JS = """
() => {
  const px = Math.round;
  const rounded = r => `${px(r.left)},${px(r.top)} ${px(r.width)}x${px(r.height)}`;
  const charts = [];
  for (const plot of document.querySelectorAll('.chart-plot[data-figure]')) {
    const svgs = Array.from(plot.querySelectorAll('svg.main-svg'));
    const box = svgs[0].getBoundingClientRect();
    const texts = [];
    for (const svg of svgs) {
      for (const el of svg.querySelectorAll('text')) {
        if (el.closest('.hoverlayer') || !el.textContent.trim()) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.opacity === '0') continue;
        const r = el.getBoundingClientRect();
        if (r.width && r.height) texts.push({text: el.textContent.trim(), r});
      }
    }
    const problems = [];
    for (const {text, r} of texts) {
      const outside = r.left < box.left - 1 || r.right > box.right + 1
        || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      if (outside) {
        problems.push(`"${text}" (${rounded(r)}) outside its SVG (${rounded(box)})`);
      }
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].r, b = texts[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) problems.push(`"${texts[i].text}" overlaps "${texts[j].text}"`);
      }
    }
    const key = plot.getAttribute('data-figure').replace(/^chart-/, '').replace(/-figure$/, '');
    charts.push({key, texts: texts.length, problems});
  }
  return charts;
}
"""


def wait_for_settled_charts(page: Any) -> None:
    """Every chart drawn, and drawn for the width its container has now (a redraw after a
    late change of width has landed)."""
    wait_for_charts(page)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-figure]')).every(el =>"
        " el._fullLayout && Math.abs(el._fullLayout.width - el.clientWidth) <= 1)",
        timeout=30_000,
    )


def keys_of(page: Any) -> list[str]:
    """The keys of the charts drawn on the page (chart-<key>-figure)."""
    return [
        figure.removeprefix("chart-").removesuffix("-figure")
        for figure in page.eval_on_selector_all(
            ".chart-plot[data-figure]", "els => els.map(el => el.dataset.figure)"
        )
    ]


def chart_problems(page: Any, where: str, expected: set[str]) -> list[str]:
    """What is wrong with the texts of the page's charts (none when every chart reads), after
    checking that the `expected` charts are there and drew some text."""
    charts = page.evaluate(PROBLEMS_JS)
    keys = {chart["key"] for chart in charts}
    assert expected <= keys, f"{where}: charts missing: {expected - keys}"
    problems = []
    for chart in charts:
        assert chart["texts"] > 0, f"{where} {chart['key']}: no text drawn"
        problems += [f"{where} {chart['key']}: {p}" for p in chart["problems"]]
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_chart_fits_a_phone(browser: Any, live_server: str, demo: Demo, lang: str) -> None:
    paths = {
        "dashboard": "/dashboard",
        "municipality": f"/municipalities/{demo.tied_code}",
        "pilot": f"/pilots/{demo.pilot_id}",
    }
    context = new_context(browser, live_server, role="council", lang=lang, viewport=PHONE)
    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page = context.new_page()
        for name, path in paths.items():
            page.goto(path)
            wait_for_settled_charts(page)
            problems += chart_problems(page, f"{lang} {name}", EXPECTED[name])
            for key in keys_of(page):
                page.locator(f"#chart-{key}").screenshot(
                    path=str(ARTIFACTS / f"charts-phone-{lang}-{name}-{key}.png")
                )
            sideways = horizontal_overflow(page)  # opens every <details> too
            if sideways:
                problems.append(f"{lang} {name}: the page scrolls {sideways} px sideways")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_charts_refit_when_a_desktop_window_narrows_to_a_phone(
    browser: Any, live_server: str
) -> None:
    context = new_context(browser, live_server, role="council", lang="sv", viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto("/dashboard")
        wait_for_settled_charts(page)
        problems = chart_problems(page, "1280 px", EXPECTED["dashboard"])
        page.set_viewport_size(PHONE)
        wait_for_settled_charts(page)
        problems += chart_problems(page, "narrowed to 360 px", EXPECTED["dashboard"])
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
