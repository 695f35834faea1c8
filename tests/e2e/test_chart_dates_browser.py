"""Dates on chart axes are written in the page's language: "tammi 2026" on a Finnish page,
"jan. 2026" on a Swedish one, "Jan 2026" in English (Plotly's own default is English on every
page). The month names and tick formats come from CLDR through formats.plotly_locale."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pilot_tracker.language.formats import plotly_locale
from tests.e2e.conftest import LANGUAGES, Demo, new_context, wait_for_charts

# The date axes: the portfolio's timeline, the pilot page's status history and KPI charts.
TICKS_JS = """
keys => keys.map(key => {
  const plot = document.querySelector(`.chart-plot[data-figure="chart-${key}-figure"]`);
  if (!plot) return [key, null];
  const ticks = Array.from(plot.querySelectorAll('.xtick text')).map(t => t.textContent.trim());
  return [key, ticks.filter(Boolean)];
})
"""


def _words(tick: str) -> list[str]:
    """The words of a tick label (month names), without its numbers and separators."""
    return [w for w in re.split(r"[\d\s,/-]+", tick) if w and not re.fullmatch(r"\.+", w)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_date_axes_name_months_in_the_pages_language(
    browser: Any, live_server: str, demo: Demo, lang: str
) -> None:
    names = plotly_locale(lang)["format"]
    known = set(names["shortMonths"]) | set(names["months"])  # type: ignore[index,call-overload]
    context = new_context(browser, live_server, role="council", lang=lang)
    seen: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        for path, keys in (
            ("/dashboard", ["timeline"]),
            (f"/pilots/{demo.pilot_id}", ["status-history"]),
        ):
            page.goto(path)
            wait_for_charts(page)
            for key, ticks in page.evaluate(TICKS_JS, keys):
                assert ticks, f"{lang} {path}: the {key} chart has no x-axis ticks"
                seen[key] = ticks
    finally:
        context.close()
    words = [w for ticks in seen.values() for tick in ticks for w in _words(tick)]
    assert words, f"{lang}: no month names on the date axes: {seen}"
    strangers = sorted({w for w in words if w not in known})
    assert strangers == [], f"{lang}: not month names of the language: {strangers} in {seen}"
