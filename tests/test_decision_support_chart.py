"""The projection chart as a pure function: the figure and the table hold the same numbers."""

from __future__ import annotations

import json
from decimal import Decimal

from pilot_tracker.charts.base import PlainTexts
from pilot_tracker.charts.projection import Scenario, per_resident, projection_chart

T = PlainTexts()
SCENARIOS = [
    Scenario("participants", "Participants", 3, 93_533, 4_500_000, 9_000_000),
    Scenario("region", "Region", 20, 439_138, 21_127_527, 42_255_054),
    Scenario("national", "Finland", 305, 5_470_437, 263_190_174, 526_380_347),
]


def test_figure_and_table_hold_the_same_amounts() -> None:
    chart = projection_chart(SCENARIOS, "estimated", (7_000_000, 23_000_000), "quick", T)
    figure = json.loads(json.dumps(chart.figure))  # plain JSON, nothing Python-only
    savings, cost, potential = figure["data"]

    assert savings["y"] == [45_000.0, 211_275.27, 2_631_901.74]
    assert cost["y"] == [90_000.0, 422_550.54, 5_263_803.47]
    assert chart.column_values("annual_savings")[:3] == [4_500_000, 21_127_527, 263_190_174]
    assert chart.column_values("net_cost")[:3] == [9_000_000, 42_255_054, 526_380_347]
    # The national potential beside it: a bar from the low to the high end of the range.
    assert potential["base"] == [7_000_000.0] and potential["y"] == [16_000_000.0]
    assert chart.column_values("annual_savings")[3:] == [700_000_000, 2_300_000_000]


def test_estimated_savings_are_labelled_so_everywhere() -> None:
    estimated = projection_chart(SCENARIOS, "estimated", (7_000_000, 23_000_000), "quick", T)
    realised = projection_chart(SCENARIOS, "realised", (7_000_000, 23_000_000), "quick", T)

    assert "(estimated)" in estimated.figure["data"][0]["name"]  # type: ignore[index]
    assert "(estimated)" in [c.label for c in estimated.columns][3]
    assert "estimated" in estimated.description
    assert "(realised)" in realised.figure["data"][0]["name"]  # type: ignore[index]
    assert "estimated" not in realised.description


def test_description_carries_the_headline_numbers() -> None:
    chart = projection_chart(SCENARIOS, "realised", (440_000_000, 680_000_000), "slow", T)

    assert "€2,631,901.74" in chart.description  # scaled to the whole country
    assert "€45,000.00" in chart.description  # now
    assert "€440,000,000.00 – €680,000,000.00" in chart.description


def test_per_resident_is_rounded_half_up_to_cents() -> None:
    assert per_resident(4_500_000, 93_533) == Decimal("0.48")
    assert per_resident(50, 100) == Decimal("0.01")  # 0.005 € rounds up
    assert per_resident(100, 0) is None
