"""The pure chart functions: right numbers in the figure, the same numbers in the table."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from pilot_tracker.charts import base, municipality, pilot, portfolio
from pilot_tracker.charts.base import PlainTexts
from pilot_tracker.charts.municipality import DueDecision, MunicipalityTrack, PilotCost
from pilot_tracker.charts.pilot import KpiSeries, Share, StatusPoint
from pilot_tracker.charts.portfolio import MunicipalityCost, TimelineItem, TrackSavings
from pilot_tracker.domain.enums import (
    Direction,
    Gate,
    Outcome,
    Rag,
    Stage,
    Theme,
    Track,
)
from pilot_tracker.domain.kpi import attainment_bucket

T = PlainTexts()


def _json_roundtrip(figure: dict) -> dict:
    """Figures must be plain JSON (no Decimal, no date objects)."""
    return json.loads(json.dumps(figure))


# --- helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("progress", "bucket"),
    [
        (None, "none"),
        (Decimal("-0.1"), "below_0"),
        (Decimal("0"), "0_25"),
        (Decimal("24.9"), "0_25"),
        (Decimal("25"), "25_50"),
        (Decimal("49.99"), "25_50"),
        (Decimal("50"), "50_75"),
        (Decimal("75"), "75_100"),
        (Decimal("99.9"), "75_100"),
        (Decimal("100"), "100_plus"),
        (Decimal("250"), "100_plus"),
    ],
)
def test_attainment_bucket_edges_belong_to_the_upper_bucket(progress, bucket) -> None:
    assert attainment_bucket(progress) == bucket


def test_per_resident_cost_rounds_half_up_to_the_cent() -> None:
    assert base.per_resident_cents(100, 8) == 13  # 12.5 cents → 13
    assert base.per_resident_cents(100, 3) == 33
    assert base.per_resident_cents(0, 10) == 0


def test_per_resident_cost_is_none_without_population() -> None:
    assert base.per_resident_cents(100, 0) is None


def test_percent_of_rounds_to_two_places_and_is_none_for_zero_whole() -> None:
    assert base.percent_of(1, 3) == Decimal("33.33")
    assert base.percent_of(2, 3) == Decimal("66.67")
    assert base.percent_of(5, 0) is None


def test_plain_texts_formats_money_numbers_and_dates() -> None:
    assert T.money(123456) == "€1,234.56"
    assert T.money(-5) == "-€0.05"
    assert T.number(1234) == "1,234"
    assert T.number(Decimal("12.345"), 1) == "12.3"
    assert T.day(date(2026, 1, 2)) == "2026-01-02"
    assert T.gettext("%(n)s pilots", n=3) == "3 pilots"
    assert T.label(Stage.IDEA) == "idea"
    assert T.label(None) == "–"


def test_column_values_reads_one_column_of_the_rows() -> None:
    chart = portfolio.stage_chart({Stage.IDEA: 2}, T)
    assert chart.column_values("pilots") == [2, 0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 9_500, [0, 2_000, 4_000, 6_000, 8_000, 10_000]),
        (0, 680_000_000, [0, 200e6, 400e6, 600e6, 800e6]),
        (0, 1.4, [0, 0.5, 1.0, 1.5]),
        (-300, 1_000, [-500, 0, 500, 1_000]),
        (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_nice_ticks_are_round_steps_covering_the_values_from_zero(
    low: float, high: float, ticks: list[float]
) -> None:
    assert base.nice_ticks(low, high) == ticks


def _flask_texts(language: str) -> object:
    from pilot_tracker.web.chart_texts import FlaskTexts

    return FlaskTexts(language)


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fi", ["0\u00a0€", "500\u00a0t.\u00a0€", "1\u00a0milj.\u00a0€", "1,5\u00a0milj.\u00a0€"]),
        ("sv", ["0\u00a0€", "500\u00a0tn\u00a0€", "1\u00a0mn\u00a0€", "1,5\u00a0mn\u00a0€"]),
        ("en", ["€0", "€500k", "€1m", "€1.5m"]),
    ],
)
def test_money_axis_writes_its_ticks_as_each_language_shortens_money(
    language: str, texts: list[str]
) -> None:
    axis = base.money_axis(_flask_texts(language), "", [1_400_000.0])  # type: ignore[arg-type]
    assert axis["tickvals"] == [0, 500_000, 1_000_000, 1_500_000]
    assert axis["ticktext"] == texts
    assert axis["tickmode"] == "array" and axis["range"] == [0, 1_560_000]
    # No SI prefix: Plotly's own "1.5M" or Finnish "1,5 G"/"0,5B" never reach the page.
    assert not any(mark in text for text in texts for mark in ("M€", "G", "B"))


@pytest.mark.parametrize(
    ("language", "quarter"),
    [("fi", "3. nelj. 2026"), ("sv", "K3 2026"), ("en", "Q3 2026")],
)
def test_decisions_chart_writes_quarters_as_each_language_does(language: str, quarter: str) -> None:
    t = _flask_texts(language)
    chart = portfolio.decisions_chart({(2026, 3, Outcome.GO): 1}, t)  # type: ignore[arg-type]
    assert chart.rows[0][0] == quarter
    assert chart.figure["data"][0]["x"] == [quarter]


# --- portfolio ---------------------------------------------------------------------------


def test_stage_chart_lists_every_stage_in_lifecycle_order_with_counts() -> None:
    chart = portfolio.stage_chart({Stage.PILOTING: 4, Stage.IDEA: 1, Stage.STOPPED: 2}, T)
    trace = chart.figure["data"][0]
    assert trace["type"] == "bar" and trace["orientation"] == "h"
    assert trace["y"] == ["idea", "planning", "piloting", "evaluation", "scaling", "stopped"]
    assert trace["x"] == [1, 0, 4, 0, 0, 2]
    assert chart.rows == tuple(zip(trace["y"], trace["x"], strict=True))
    assert "7 pilots in all, 4 of them piloting" in chart.description
    assert chart.figure["layout"]["yaxis"]["autorange"] == "reversed"


def test_stage_chart_without_pilots_has_no_figure_but_a_table_of_zeros() -> None:
    chart = portfolio.stage_chart({}, T)
    assert chart.figure is None and not chart.has_data
    assert [row[1] for row in chart.rows] == [0] * 6
    assert "0 pilots in all" in chart.description


def test_stage_chart_takes_a_key_and_title() -> None:
    chart = portfolio.stage_chart({Stage.IDEA: 1}, T, key="mine", title="Its pilots")
    assert (chart.key, chart.title) == ("mine", "Its pilots")


def test_theme_track_chart_stacks_tracks_per_theme() -> None:
    counts = {
        (Theme.PERMITS, Track.QUICK): 3,
        (Theme.E_SERVICES, Track.QUICK): 1,
        (Theme.E_SERVICES, Track.SLOW): 2,
        (Theme.GEODATA, Track.SLOW): 5,
    }
    chart = portfolio.theme_track_chart(counts, T)
    quick, slow = chart.figure["data"]
    assert chart.figure["layout"]["barmode"] == "stack"
    themes = [t.value for t in Theme]
    assert quick["y"] == themes
    assert quick["x"][themes.index("permits")] == 3
    assert quick["x"][themes.index("e_services")] == 1
    assert slow["x"][themes.index("e_services")] == 2
    assert slow["x"][themes.index("geodata")] == 5
    row = dict((r[0], r[1:]) for r in chart.rows)
    assert row["e_services"] == (1, 2, 3)
    assert row["geodata"] == (0, 5, 5)
    assert "4 pilots are on the quick track and 7 on the slow track" in chart.description
    assert "most common theme is geodata with 5" in chart.description


def test_theme_track_chart_without_pilots_has_no_figure() -> None:
    chart = portfolio.theme_track_chart({}, T)
    assert chart.figure is None
    assert "No pilots match" in chart.description


def _costs(n: int) -> list[MunicipalityCost]:
    return [
        MunicipalityCost(f"{i:03d}", f"Kunta {i}", 1000 * i, i % 3 + 1, 100 * i)
        for i in range(1, n + 1)
    ]


def test_municipality_cost_chart_shows_the_top_and_sums_the_rest_as_others() -> None:
    items = _costs(20)
    chart = portfolio.municipality_cost_chart(items, T, top=5, others_pilots=7)
    assert len(chart.rows) == 6
    assert [r[0] for r in chart.rows[:5]] == ["020", "019", "018", "017", "016"]
    others = chart.rows[5]
    assert others[0] == "" and others[1] == "Others (15 municipalities)"
    assert others[3] == sum(1000 * i for i in range(1, 16))
    # The distinct pilots of the others, as the caller counted them: not their sum.
    assert others[2] == 7
    # The bars are the top five's numbers, in euros: committed, proposed, actual side by
    # side; the others' sum stays out of the bars' scale, in the table and the note.
    committed, proposed, actual = chart.figure["data"]
    assert committed["x"] == [r[3] / 100 for r in chart.rows[:5]]
    assert proposed["x"] == [r[4] / 100 for r in chart.rows[:5]]
    assert actual["x"] == [0.0] * 5
    assert committed["y"][-1] == "Kunta 16 (016)"
    assert max(chart.figure["layout"]["xaxis"]["tickvals"]) < others[3] / 100
    assert chart.figure["layout"]["barmode"] == "group"
    assert chart.note == (
        "Not drawn, so that the bars stay readable: the other 15 municipalities together, "
        "committed €1,200.00, proposed €120.00, actual costs €0.00, in 7 pilots (see the "
        "table)."
    )
    # Nothing lost: the table adds up to the total.
    assert sum(r[3] for r in chart.rows) == sum(m.committed_cents for m in items)
    assert sum(r[4] for r in chart.rows) == sum(m.proposed_cents for m in items)
    assert chart.links == ("020", "019", "018", "017", "016", None)
    with pytest.raises(ValueError):
        portfolio.municipality_cost_chart(items, T, top=5)  # the others' pilots not counted
    assert "Committed €2,100.00 and proposed €210.00 across 20 municipalities" in (
        chart.description
    )
    assert "most committed is Kunta 20 with €200.00" in chart.description


def test_municipality_cost_chart_breaks_ties_by_code_and_has_no_others_when_all_fit() -> None:
    items = [MunicipalityCost("536", "B", 500, 1), MunicipalityCost("418", "A", 500, 1)]
    chart = portfolio.municipality_cost_chart(items, T, top=5)
    assert [r[0] for r in chart.rows] == ["418", "536"]
    assert chart.figure["data"][0]["y"] == ["A (418)", "B (536)"]


def test_municipality_cost_chart_without_pilots_has_no_figure_or_rows() -> None:
    chart = portfolio.municipality_cost_chart([], T)
    assert chart.figure is None and chart.rows == ()


def test_savings_chart_puts_each_track_beside_its_national_potential() -> None:
    chart = portfolio.savings_chart(
        {
            Track.QUICK: TrackSavings(500_00, 120_00, 70_00),
            Track.SLOW: TrackSavings(9_000_00, 0),
        },
        T,
    )
    quick, slow = chart.figure["data"]
    layout = chart.figure["layout"]
    # Committed pilots' estimates, proposed pilots' (side by side), realised: only these
    # are bars, each track on its own axis, scaled to its pilots' savings.
    assert quick["y"] == [500.0, 70.0, 120.0]
    assert slow["y"] == [9000.0, 0.0, 0.0]
    assert (quick["xaxis"], slow["xaxis"]) == ("x", "x2")
    assert layout["yaxis"]["range"] == [0.0, 520.0]
    assert layout["yaxis2"]["range"] == [0.0, 10_400.0]
    # The national potential is written beside each track's bars, not drawn on their axis.
    assert [note["text"] for note in layout["annotations"]] == [
        "quick track<br>National potential €7m – €23m a year",
        "slow track<br>National potential €440m – €680m a year",
    ]
    assert "base" not in quick and len(quick["x"]) == 3
    assert chart.rows[0] == ("quick", 500_00, 70_00, 120_00, 7_000_000_00, 23_000_000_00)
    assert chart.rows[1] == ("slow", 9_000_00, 0, 0, 440_000_000_00, 680_000_000_00)
    assert (
        "Estimated €9,500.00 a year by committed pilots and €70.00 by proposed ones, "
        "realised €120.00 a year"
    ) in chart.description
    assert "€7,000,000.00 – €23,000,000.00 on the quick track" in chart.description


def test_savings_chart_with_no_savings_still_shows_the_potential() -> None:
    chart = portfolio.savings_chart({}, T)
    assert chart.figure is not None
    assert chart.rows[0][1:4] == (0, 0, 0)


def test_rag_chart_splits_each_status_into_up_to_date_and_stale() -> None:
    counts = {
        (Rag.GREEN, False): 5,
        (Rag.GREEN, True): 1,
        (Rag.RED, False): 2,
        (None, True): 3,
    }
    chart = portfolio.rag_chart(counts, T)
    fresh, stale = chart.figure["data"]
    assert fresh["x"] == ["green", "amber", "red", "No status yet"]
    assert fresh["y"] == [5, 0, 2, 0]
    assert stale["y"] == [1, 0, 0, 3]
    # Stale is hatched, not told by colour alone.
    assert stale["marker"]["pattern"]["shape"] == "/"
    assert chart.rows[0] == ("green", 5, 1, 6)
    assert chart.rows[3] == ("No status yet", 0, 3, 3)
    assert "4 of 11 pilots are stale; 2 are red" in chart.description


def test_rag_chart_without_pilots_has_no_figure() -> None:
    assert portfolio.rag_chart({}, T).figure is None


def _item(i: int, stage: Stage = Stage.PILOTING) -> TimelineItem:
    return TimelineItem(i, f"Pilot {i}", stage, date(2026, 1, i), date(2026, 6, i))


def test_timeline_chart_draws_one_line_per_pilot_grouped_by_stage() -> None:
    items = [_item(1), _item(2, Stage.PLANNING), _item(3)]
    chart = portfolio.timeline_chart(items, 3, T, stages=[Stage.PLANNING, Stage.PILOTING])
    by_name = {trace["name"]: trace for trace in chart.figure["data"]}
    assert set(by_name) == {"planning", "piloting"}
    piloting = by_name["piloting"]
    assert piloting["x"] == ["2026-01-01", "2026-06-01", None, "2026-01-03", "2026-06-03", None]
    assert piloting["y"][:2] == ["Pilot 1 #1", "Pilot 1 #1"]
    assert chart.figure["layout"]["yaxis"]["categoryarray"] == [
        "Pilot 1 #1",
        "Pilot 2 #2",
        "Pilot 3 #3",
    ]
    assert chart.rows[1] == (
        "Pilot 2",
        "planning",
        date(2026, 1, 2),
        date(2026, 6, 2),
        None,
        None,
    )
    assert chart.note == ""
    assert "(stages: planning, piloting)" in chart.description
    assert chart.figure["layout"]["shapes"] == []  # no today given: no line
    _json_roundtrip(chart.figure)


def test_timeline_chart_marks_today_the_decisions_and_the_reviews() -> None:
    items = [
        TimelineItem(
            1,
            "Pilot 1",
            Stage.PILOTING,
            date(2026, 1, 1),
            date(2026, 9, 1),
            decisions=(date(2026, 2, 1), date(2026, 5, 1)),
            next_review=date(2026, 8, 1),
        ),
        _item(2),
    ]
    chart = portfolio.timeline_chart(items, 2, T, today=date(2026, 6, 15))
    by_name = {trace["name"]: trace for trace in chart.figure["data"]}
    decisions, reviews = by_name["Decision"], by_name["Review due"]
    assert decisions["x"] == ["2026-02-01", "2026-05-01"]
    assert decisions["y"] == ["Pilot 1 #1", "Pilot 1 #1"]
    assert reviews["x"] == ["2026-08-01"] and reviews["y"] == ["Pilot 1 #1"]
    # Told apart by shape as well as colour, and named in the legend.
    assert decisions["marker"]["symbol"] != reviews["marker"]["symbol"]
    assert chart.figure["layout"]["showlegend"] is True
    (today,) = chart.figure["layout"]["shapes"]
    assert today["x0"] == today["x1"] == "2026-06-15"
    assert (today["yref"], today["y0"], today["y1"]) == ("paper", 0, 1)
    # Named in the legend by a trace along the line.
    assert by_name["Today (2026-06-15)"]["x"] == ["2026-06-15", "2026-06-15"]
    assert chart.rows[0][4:] == (date(2026, 5, 1), date(2026, 8, 1))
    assert chart.rows[1][4:] == (None, None)
    _json_roundtrip(chart.figure)


def test_timeline_chart_says_how_many_are_not_shown() -> None:
    chart = portfolio.timeline_chart([_item(1)], 250, T)
    assert chart.note == "Showing 1 of 250 pilots; the pilot list has them all."
    assert "250 pilots in all" in chart.description


def test_timeline_chart_shortens_long_names_on_the_axis_only() -> None:
    long_name = "A very long pilot name that goes on and on and on"
    item = TimelineItem(7, long_name, Stage.PILOTING, date(2026, 1, 1), date(2026, 2, 1))
    chart = portfolio.timeline_chart([item], 1, T)
    label = chart.figure["data"][0]["y"][0]
    assert label.endswith("… #7") and len(label) < len(long_name)
    assert chart.rows[0][0] == long_name


def test_timeline_chart_without_pilots_has_no_figure() -> None:
    assert portfolio.timeline_chart([], 0, T).figure is None


def test_decisions_chart_counts_per_quarter_filling_empty_quarters() -> None:
    counts = {
        (2025, 4, Outcome.GO): 2,
        (2026, 2, Outcome.NO_GO): 1,
        (2026, 2, Outcome.GO): 3,
        (2026, 2, Outcome.CONTINUE): 1,
    }
    chart = portfolio.decisions_chart(counts, T)
    go, no_go, cont = chart.figure["data"]
    assert go["x"] == ["Q4 2025", "Q1 2026", "Q2 2026"]
    assert go["y"] == [2, 0, 3]
    assert no_go["y"] == [0, 0, 1]
    assert cont["y"] == [0, 0, 1]
    assert chart.rows == (
        ("Q4 2025", 2, 0, 0, 2),
        ("Q1 2026", 0, 0, 0, 0),
        ("Q2 2026", 3, 1, 1, 5),
    )
    assert "7 decisions: 5 go, 1 no-go and 1 continue" in chart.description


def test_decisions_chart_without_decisions_is_empty() -> None:
    chart = portfolio.decisions_chart({}, T)
    assert chart.figure is None and chart.rows == ()


def test_kpi_attainment_chart_shows_every_bucket_in_order() -> None:
    buckets = {"none": 2, "below_0": 1, "50_75": 4, "100_plus": 3}
    chart = portfolio.kpi_attainment_chart(buckets, T)
    trace = chart.figure["data"][0]
    assert trace["y"] == [2, 1, 0, 0, 4, 0, 3]
    assert [r[1] for r in chart.rows] == trace["y"]
    assert chart.rows[-1][0] == "Target reached (≥ 100 %)"
    assert "3 of 8 measured KPIs have reached their target" in chart.description
    assert "2 of 10 KPIs have no measurement yet" in chart.description
    assert "(0 %) to target (100 %)" in chart.description


def test_kpi_attainment_chart_without_kpis_has_no_figure() -> None:
    assert portfolio.kpi_attainment_chart({}, T).figure is None


# Charts whose value axis counts things, built with small counts; the name of that axis.
SMALL_COUNTS = {
    "stages": (lambda: portfolio.stage_chart({Stage.IDEA: 1, Stage.PILOTING: 3}, T), "xaxis"),
    "themes": (
        lambda: portfolio.theme_track_chart(
            {(Theme.PERMITS, Track.QUICK): 2, (Theme.PERMITS, Track.SLOW): 3}, T
        ),
        "xaxis",
    ),
    "status": (
        lambda: portfolio.rag_chart({(Rag.GREEN, False): 1, (Rag.RED, True): 1}, T),
        "yaxis",
    ),
    "decisions": (lambda: portfolio.decisions_chart({(2026, 1, Outcome.GO): 2}, T), "yaxis"),
    "kpi-attainment": (lambda: portfolio.kpi_attainment_chart({"none": 1, "0_25": 1}, T), "yaxis"),
}


@pytest.mark.parametrize("name", SMALL_COUNTS)
def test_count_axes_of_small_counts_tick_every_whole_number_from_zero(name) -> None:
    build, axis_name = SMALL_COUNTS[name]
    layout = build().figure["layout"]
    axis = layout[axis_name]
    # Plotly alone would tick 0, 0.5, 1, 1.5, …: here every whole number, written as one.
    assert (axis["tick0"], axis["dtick"], axis["tickformat"]) == (0, 1, ",d")
    assert axis["rangemode"] == "tozero"
    categories = layout["yaxis" if axis_name == "xaxis" else "xaxis"]
    assert "tickformat" not in categories and "dtick" not in categories


def test_count_axes_of_larger_counts_keep_plotlys_step_in_whole_numbers() -> None:
    # 6 in one stack (3 + 3): Plotly's own step is then 1 or more; charts.js may thin it.
    axis = portfolio.rag_chart({(Rag.GREEN, False): 3, (Rag.GREEN, True): 3}, T).figure["layout"]
    assert axis["yaxis"]["tickformat"] == ",d"
    assert "dtick" not in axis["yaxis"]
    stages = portfolio.stage_chart({Stage.PILOTING: 40}, T).figure["layout"]["xaxis"]
    assert stages["tickformat"] == ",d" and "dtick" not in stages


def test_count_axes_step_by_one_up_to_the_largest_stack_of_five() -> None:
    five = {(Theme.PERMITS, Track.QUICK): 2, (Theme.PERMITS, Track.SLOW): 3}
    six = {(Theme.PERMITS, Track.QUICK): 3, (Theme.PERMITS, Track.SLOW): 3}
    assert portfolio.theme_track_chart(five, T).figure["layout"]["xaxis"]["dtick"] == 1
    assert "dtick" not in portfolio.theme_track_chart(six, T).figure["layout"]["xaxis"]


def test_money_and_percent_axes_are_not_whole_numbers_only() -> None:
    costs = portfolio.municipality_cost_chart(_costs(2), T).figure["layout"]["xaxis"]
    status = pilot.status_history_chart([StatusPoint(date(2026, 1, 1), Rag.RED, 5)], T)
    for axis in (costs, status.figure["layout"]["yaxis"]):
        assert "tickformat" not in axis and "dtick" not in axis


# --- municipality ------------------------------------------------------------------------


def test_pilot_cost_chart_shows_the_largest_shares_and_the_rest_as_others() -> None:
    items = [PilotCost(i, f"P{i}", 100 * i) for i in range(1, 6)]
    chart = municipality.pilot_cost_chart(items, total_cents=100_000, pilots=40, t=T, top=3)
    assert chart.rows[:3] == (("P5", 500), ("P4", 400), ("P3", 300))
    assert chart.rows[3] == ("Others (37 pilots)", 100_000 - 1200)
    # The others' 988 € stay out of the bars' scale: in the table and the note only.
    assert chart.figure["data"][0]["x"] == [5.0, 4.0, 3.0]
    assert chart.figure["layout"]["xaxis"]["range"] == [0.0, 5.2]
    assert chart.note == (
        "Not drawn, so that the bars stay readable: its shares in the other 37 pilots, "
        "€988.00 together (see the table)."
    )
    assert chart.links == ("5", "4", "3", None)
    assert "€1,000.00 in all over 40 pilots" in chart.description


def test_pilot_cost_chart_without_others_when_every_pilot_is_shown() -> None:
    items = [PilotCost(1, "P1", 300), PilotCost(2, "P2", 200)]
    chart = municipality.pilot_cost_chart(items, 500, 2, T)
    assert chart.rows == (("P1", 300), ("P2", 200))
    assert chart.figure["data"][0]["y"] == ["P1 #1", "P2 #2"]


def test_pilot_cost_chart_without_pilots() -> None:
    chart = municipality.pilot_cost_chart([], 0, 0, T)
    assert chart.figure is None and chart.rows == ()


def test_municipality_savings_chart_compares_cost_with_savings_shares() -> None:
    chart = municipality.municipality_savings_chart(
        {
            Track.QUICK: MunicipalityTrack(10_000, 4_000, 1_000, 2_000, 500),
            Track.SLOW: MunicipalityTrack(30_000, 50_000, 0),
        },
        population=400,
        t=T,
    )
    cost, proposed, estimated, estimated_proposed, realised = chart.figure["data"]
    assert cost["y"] == [100.0, 300.0]
    assert proposed["y"] == [20.0, 0.0]
    assert estimated["y"] == [40.0, 500.0]
    assert estimated_proposed["y"] == [5.0, 0.0]
    assert realised["y"] == [10.0, 0.0]
    assert chart.rows == (
        ("quick", 10_000, 2_000, 4_000, 500, 1_000),
        ("slow", 30_000, 0, 50_000, 0, 0),
    )
    # Committed and proposed side by side; per resident on the committed amount.
    assert "Committed €400.00 (€1.00 per resident), proposed €20.00" in chart.description
    assert "estimated savings is €540.00 a year" in chart.description


def test_municipality_savings_chart_with_nothing_has_no_figure() -> None:
    chart = municipality.municipality_savings_chart({}, 0, T)
    assert chart.figure is None
    assert "(– per resident)" in chart.description


def test_decisions_due_table_sorts_by_review_date_and_has_no_figure() -> None:
    items = [
        DueDecision(2, "B", date(2026, 3, 1), Gate.MIDPOINT, Outcome.GO, date(2026, 1, 1)),
        DueDecision(1, "A", date(2026, 2, 1), Gate.START, Outcome.CONTINUE, date(2025, 12, 1)),
    ]
    chart = municipality.decisions_due_table(items, 90, T)
    assert chart.figure is None
    assert chart.rows[0] == (date(2026, 2, 1), "A", "start", "continue", date(2025, 12, 1), "")
    assert chart.links == ("1", "2")
    assert chart.description == "2 reviews are due in the next 90 days; the first on 2026-02-01."


def test_decisions_due_table_puts_overdue_reviews_first() -> None:
    items = [
        DueDecision(2, "B", date(2026, 3, 1), Gate.MIDPOINT, Outcome.GO, date(2026, 1, 1)),
        DueDecision(
            1, "A", date(2025, 6, 8), Gate.START, Outcome.GO, date(2025, 1, 1), overdue=True
        ),
    ]
    chart = municipality.decisions_due_table(items, 90, T)
    assert chart.rows[0] == (date(2025, 6, 8), "A", "start", "go", date(2025, 1, 1), "Overdue")
    assert chart.links == ("1", "2")
    assert chart.description.startswith("1 reviews are overdue")
    assert "1 are due in the next 90 days" in chart.description


def test_money_by_year_chart_keeps_committed_and_proposed_apart() -> None:
    years = [
        municipality.YearAmounts(2026, 2_520_548, 0, 0),
        municipality.YearAmounts(2027, 2_479_452, 3_000_000, 0),
    ]
    chart = municipality.money_by_year_chart(years, (0, 1_000_000), T)
    committed, proposed, actual = chart.figure["data"]
    assert committed["x"] == ["2026", "2027"] and committed["y"] == [25_205.48, 24_794.52]
    assert proposed["y"] == [0.0, 30_000.0] and actual["y"] == [0.0, 0.0]
    assert chart.figure["layout"]["barmode"] == "group"  # side by side, never stacked
    assert chart.rows == (("2026", 2_520_548, 0, 0), ("2027", 2_479_452, 3_000_000, 0))
    assert "The most committed is 2026 with €25,205.48" in chart.description
    assert chart.note == "Without planned dates (in no year): committed €0.00, proposed €10,000.00."


def test_money_by_year_chart_without_years() -> None:
    chart = municipality.money_by_year_chart([], (0, 0), T)
    assert chart.figure is None and chart.rows == () and chart.note == ""


def test_decisions_due_table_says_when_nothing_is_due() -> None:
    chart = municipality.decisions_due_table([], 90, T)
    assert chart.rows == () and "No reviews are due" in chart.description


# --- pilot -------------------------------------------------------------------------------


def _kpi(measurements) -> KpiSeries:
    return KpiSeries(
        kpi_id=9,
        name="Bookings",
        unit="pcs",
        baseline=Decimal(10),
        target=Decimal(50),
        direction=Direction.INCREASE,
        measurements=measurements,
    )


def test_kpi_chart_plots_measurements_against_baseline_and_target_lines() -> None:
    chart = pilot.kpi_chart(
        _kpi([(date(2026, 3, 1), Decimal(30)), (date(2026, 1, 1), Decimal("12.5"))]), T
    )
    trace = chart.figure["data"][0]
    assert trace["x"] == ["2026-01-01", "2026-03-01"]
    assert trace["y"] == [12.5, 30.0]
    shapes = chart.figure["layout"]["shapes"]
    assert [s["y0"] for s in shapes] == [10.0, 50.0]
    assert [a["text"] for a in chart.figure["layout"]["annotations"]] == [
        "Baseline 10 pcs",
        "Target 50 pcs",
    ]
    assert chart.key == "kpi-9" and chart.title == "Bookings"
    assert chart.rows == (
        (date(2026, 1, 1), Decimal("12.5"), Decimal("6.3")),
        (date(2026, 3, 1), Decimal(30), Decimal("50.0")),
    )
    assert "Latest 30 pcs on 2026-03-01: 50.0 % of the way" in chart.description
    _json_roundtrip(chart.figure)


def test_kpi_chart_of_a_decreasing_kpi_measures_progress_downwards() -> None:
    measurements = [(date(2026, 1, 1), Decimal(15))]
    kpi = KpiSeries(1, "Days", "", Decimal(20), Decimal(10), Direction.DECREASE, measurements)
    chart = pilot.kpi_chart(kpi, T)
    assert chart.rows[0][2] == Decimal("50.0")


def test_kpi_chart_without_measurements_has_no_figure() -> None:
    chart = pilot.kpi_chart(_kpi([]), T)
    assert chart.figure is None and chart.rows == ()
    assert "no measurements yet" in chart.description


def test_cost_shares_chart_lists_shares_largest_first_with_percentages() -> None:
    shares = [
        Share("418", "Lempäälä", 2_000),
        Share("536", "Nokia", 6_000),
        Share("980", "Ylöjärvi", 2_000),
    ]
    chart = pilot.cost_shares_chart(shares, 10_000, T)
    trace = chart.figure["data"][0]
    assert trace["y"] == ["Nokia (536)", "Lempäälä (418)", "Ylöjärvi (980)"]
    assert trace["x"] == [60.0, 20.0, 20.0]
    assert chart.rows[0] == ("536", "Nokia", 6_000, Decimal("60.00"))
    assert sum(r[2] for r in chart.rows) == 10_000
    assert chart.link_kind == "municipality" and chart.links == ("536", "418", "980")
    assert "net cost of €100.00 is split between the 3" in chart.description


def test_cost_shares_chart_of_a_free_pilot_has_no_percentages() -> None:
    chart = pilot.cost_shares_chart([Share("418", "Lempäälä", 0)], 0, T)
    assert chart.rows == (("418", "Lempäälä", 0, None),)


def test_cost_shares_chart_without_participants() -> None:
    assert pilot.cost_shares_chart([], 0, T).figure is None


def test_status_history_chart_marks_each_report_by_its_rag() -> None:
    updates = [
        StatusPoint(date(2026, 2, 1), Rag.AMBER, 30),
        StatusPoint(date(2026, 1, 1), Rag.GREEN, 10),
        StatusPoint(date(2026, 3, 1), Rag.GREEN, 60),
    ]
    chart = pilot.status_history_chart(updates, T)
    line, green, amber = chart.figure["data"]
    assert line["y"] == [10, 30, 60]
    assert green["x"] == ["2026-01-01", "2026-03-01"]
    assert green["marker"]["symbol"] != amber["marker"]["symbol"]
    assert chart.rows == (
        (date(2026, 1, 1), "green", 10),
        (date(2026, 2, 1), "amber", 30),
        (date(2026, 3, 1), "green", 60),
    )
    assert "3 updates; the latest on 2026-03-01: green, 60 % done" in chart.description


def test_status_history_chart_without_updates() -> None:
    chart = pilot.status_history_chart([], T)
    assert chart.figure is None and "No status updates" in chart.description


def test_every_figure_is_plain_json() -> None:
    figures = [
        portfolio.stage_chart({Stage.IDEA: 1}, T).figure,
        portfolio.savings_chart({}, T).figure,
        pilot.kpi_chart(_kpi([(date(2026, 1, 1), Decimal(1))]), T).figure,
        pilot.status_history_chart([StatusPoint(date(2026, 1, 1), Rag.RED, 5)], T).figure,
    ]
    for figure in figures:
        assert _json_roundtrip(figure) == figure
