"""The charts read at a glance (issue 19, item 3), at 360 and 1280 px in fi, sv and en, on the
portfolio and a municipality's dashboard:

- money axes are written as each language shortens money ("t. €"/"milj. €", "tn €"/"mn €",
  "€k"/"€m"), never Plotly's SI "k/M/G/B";
- the pilots' savings fill their own panels (the national potential is each panel's caption,
  not a bar on their axis), and the largest municipality's bar fills the cost chart (the
  others' sum is not drawn);
- the timeline draws its line at today, named in the legend, and the decisions' markers;
- quarters read as each language writes them;
- no text of a chart overlaps another or leaves its SVG, and axe finds nothing.

Screenshots of each page go to test-artifacts/charts-glance-<lang>-<width>-<page>.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    LANGUAGES,
    PHONE,
    Demo,
    axe_violations,
    describe_violations,
    new_context,
    screenshot,
)
from tests.e2e.test_charts_phone_browser import chart_problems, wait_for_settled_charts

NBSP = "\u00a0"
# A money tick as the language writes it short (CLDR's short currency formats).
MONEY_TICK = {
    "fi": re.compile(rf"^-?\d[\d{NBSP},]*({NBSP}(t\.|milj\.|mrd\.))?{NBSP}€$"),
    "sv": re.compile(rf"^-?\d[\d{NBSP},]*({NBSP}(tn|mn|md))?{NBSP}€$"),
    "en": re.compile(r"^-?€\d[\d,.]*(k|m|bn)?$"),
}
SHORTENED = {"fi": ("t.", "milj."), "sv": ("tn", "mn"), "en": ("k", "m")}
QUARTER = {
    "fi": re.compile(r"^[1-4]\. nelj\. \d{4}$"),
    "sv": re.compile(r"^K[1-4] \d{4}$"),
    "en": re.compile(r"^Q[1-4] \d{4}$"),
}
TODAY = {"fi": "Tänään", "sv": "I dag", "en": "Today"}
DECISION = {"fi": "Päätös", "sv": "Beslut", "en": "Decision"}
MONEY_CHARTS = {
    "dashboard": ("municipality-costs", "savings", "by-year", "budget-actual"),
    "municipality": ("pilot-costs", "savings", "by-year"),
}

# Per chart: the value axes' tick texts, and per bar trace the longest bar's share of its
# plot's length (of the width for horizontal bars, the height for vertical ones).
READ_JS = """
key => {
  const gd = document.querySelector(`.chart-plot[data-figure="chart-${key}-figure"]`);
  if (!gd || !gd._fullLayout) return null;
  const layout = gd._fullLayout;
  const ticks = [];
  for (const el of gd.querySelectorAll('g[class$="tick"] text')) {
    const axis = el.parentNode.getAttribute('class');
    ticks.push({axis, text: el.textContent});
  }
  const fills = gd._fullData.map((trace, i) => {
    if (trace.type !== 'bar') return null;
    const horizontal = trace.orientation === 'h';
    const axisName = horizontal ? trace.xaxis : trace.yaxis;
    const axis = layout[axisName.replace(/^([xy])/, '$1axis')];
    const bars = gd.querySelectorAll('.barlayer .trace')[i];
    let longest = 0;
    for (const path of (bars ? bars.querySelectorAll('.point path') : [])) {
      const r = path.getBoundingClientRect();
      longest = Math.max(longest, horizontal ? r.width : r.height);
    }
    return longest / axis._length;
  });
  const legend = Array.from(gd.querySelectorAll('.legendtext'), el => el.textContent);
  const shapes = gd.querySelectorAll('.shapelayer path').length;
  const markers = gd.querySelectorAll('.scatterlayer .trace .points path').length;
  return {ticks, fills, legend, shapes, markers};
}
"""


def read(page: Any, key: str) -> dict[str, Any]:
    found = page.evaluate(READ_JS, key)
    assert found is not None, f"chart {key} not drawn"
    return found


def value_ticks(chart: dict[str, Any]) -> list[str]:
    """The tick texts that are numbers (not the categories, which name things)."""
    return [t["text"] for t in chart["ticks"] if any(c.isdigit() for c in t["text"])]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_read_at_a_glance(
    browser: Any, live_server: str, demo: Demo, lang: str, viewport: dict[str, int]
) -> None:
    width = viewport["width"]
    paths = {"dashboard": "/dashboard", "municipality": f"/municipalities/{demo.tied_code}"}
    context = new_context(browser, live_server, role="council", lang=lang, viewport=viewport)
    problems: list[str] = []
    try:
        page = context.new_page()
        for name, path in paths.items():
            page.goto(path)
            wait_for_settled_charts(page)
            where = f"{lang} {width} {name}"
            problems += chart_problems(page, where, set(MONEY_CHARTS[name]))

            # Money on the axes as the language shortens it, and shortened somewhere.
            money_ticks = []
            for key in MONEY_CHARTS[name]:
                chart = read(page, key)
                texts = [t for t in value_ticks(chart) if "€" in t]
                assert texts, f"{where} {key}: no money ticks"
                # Categories (years) are numbers too, but never carry the euro sign.
                wrong = [t for t in texts if not MONEY_TICK[lang].match(t)]
                assert wrong == [], f"{where} {key}: ticks not as {lang} writes money"
                money_ticks += texts
            assert any(unit in t for t in money_ticks for unit in SHORTENED[lang]), money_ticks
            assert not any(re.search(r"\d\s?[GB]\b", t) for t in money_ticks), money_ticks

            if name == "municipality":
                # Its largest share fills the chart: its other pilots' sum is not drawn.
                shares = read(page, "pilot-costs")
                assert max(f for f in shares["fills"] if f) > 0.8, shares["fills"]
            else:
                # The pilots' own savings fill their panels: the potential is not a bar.
                savings = read(page, "savings")
                fills = [f for f in savings["fills"] if f is not None]
                assert len(fills) == 2 and min(fills) > 0.5, f"{where} savings: {fills}"
                # The largest municipality's bars fill the chart: "others" are not drawn.
                costs = read(page, "municipality-costs")
                assert max(f for f in costs["fills"] if f) > 0.8, costs["fills"]
                timeline = read(page, "timeline")
                assert timeline["shapes"] >= 1  # the line at today
                assert any(t.startswith(TODAY[lang]) for t in timeline["legend"])
                assert DECISION[lang] in timeline["legend"] and timeline["markers"] > 0
                quarters = [t["text"] for t in read(page, "decisions")["ticks"]]
                quarters = [q for q in quarters if not q.replace(NBSP, "").isdigit()]
                assert quarters and all(QUARTER[lang].match(q) for q in quarters), quarters

            screenshot(page, f"charts-glance-{lang}-{width}-{name}")
            if width == DESKTOP["width"]:
                violations = axe_violations(page)
                assert violations == [], describe_violations(where, violations)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
