"""Cost split: shares to the cent by the largest-remainder method, always summing to the total."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pilot_tracker.domain.cost_split import (
    CostSplitError,
    largest_remainder,
    net_cost_cents,
    parse_manual_percentages,
    share_percentages,
    split_cost,
)
from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.domain.money import format_cents

# API.md's example: Lempäälä, Nokia and Ylöjärvi with their 2022 populations.
API_EXAMPLE_POPULATIONS = {"418": 24_580, "536": 35_346, "980": 33_607}


def assert_largest_remainder(
    total: int, weights: Mapping[str, int | Decimal], shares: Mapping[str, int]
) -> None:
    """Check `shares` against the rule itself, without reusing the implementation."""
    weight_sum = sum(Fraction(w) for w in weights.values())
    exact = {code: total * Fraction(w) / weight_sum for code, w in weights.items()}
    assert set(shares) == set(weights)
    assert sum(shares.values()) == total
    for code, share in shares.items():
        assert abs(share - exact[code]) < 1
        assert share in (math.floor(exact[code]), math.floor(exact[code]) + 1)
    remainder = {code: exact[code] - math.floor(exact[code]) for code in exact}
    got_extra = {code for code in shares if shares[code] == math.floor(exact[code]) + 1}
    for winner in got_extra:
        for loser in set(shares) - got_extra:
            assert remainder[winner] > remainder[loser] or (
                remainder[winner] == remainder[loser] and winner < loser
            )


# --- the example in API.md ---------------------------------------------------------------


def test_api_example_per_capita_split_gives_418_23651_55_euros_and_26_28_percent() -> None:
    net = net_cost_cents(12_000_000, 3_000_000)  # budget 120 000 €, funding 30 000 €
    assert net == 9_000_000

    shares = split_cost(SplitMethod.PER_CAPITA, net, API_EXAMPLE_POPULATIONS)
    percentages = share_percentages(shares, SplitMethod.PER_CAPITA, API_EXAMPLE_POPULATIONS, None)

    # Exact shares 2365154.54…, 3401088.39…, 3233757.07…: one cent is left over and goes
    # to 418, the largest remainder.
    assert {code: format_cents(cents) for code, cents in shares.items()} == {
        "418": "23651.55",
        "536": "34010.88",
        "980": "32337.57",
    }
    assert {code: str(p) for code, p in percentages.items()} == {
        "418": "26.28",
        "536": "37.79",
        "980": "35.93",
    }


# --- net cost ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "funding", "net"),
    [(12_000_000, 3_000_000, 9_000_000), (100, 100, 0), (100, 250, 0), (0, 0, 0), (5, 0, 5)],
)
def test_net_cost_is_budget_minus_funding_floored_at_zero(
    budget: int, funding: int, net: int
) -> None:
    assert net_cost_cents(budget, funding) == net


@given(st.integers(0, 10**13), st.integers(0, 10**13))
def test_net_cost_is_never_negative(budget: int, funding: int) -> None:
    net = net_cost_cents(budget, funding)
    assert net >= 0
    assert net == (budget - funding if budget >= funding else 0)


# --- ties and ordering ----------------------------------------------------------------------


def test_equal_split_of_100_cents_over_3_gives_the_extra_cent_to_the_lowest_code() -> None:
    shares = split_cost(SplitMethod.EQUAL, 100, {"980": 1, "091": 1, "536": 1})
    assert shares == {"091": 34, "536": 33, "980": 33}


def test_equal_split_of_200_cents_over_3_gives_extra_cents_to_the_two_lowest_codes() -> None:
    shares = split_cost(SplitMethod.EQUAL, 200, {"980": 1, "536": 1, "091": 1})
    assert shares == {"091": 67, "536": 67, "980": 66}


def test_tie_goes_to_the_lower_code_whatever_the_insertion_order() -> None:
    for order in (["005", "049", "091"], ["091", "049", "005"], ["049", "091", "005"]):
        assert largest_remainder(1, dict.fromkeys(order, 7)) == {"005": 1, "049": 0, "091": 0}


def test_codes_compare_as_three_digit_strings_so_005_beats_049_and_049_beats_491() -> None:
    assert largest_remainder(2, {"491": 1, "049": 1, "005": 1}) == {"005": 1, "049": 1, "491": 0}


def test_per_capita_tie_between_equal_populations_goes_to_the_lower_code() -> None:
    shares = split_cost(SplitMethod.PER_CAPITA, 1, {"837": 5_000, "092": 5_000})
    assert shares == {"092": 1, "837": 0}


def test_manual_tie_goes_to_the_lower_code() -> None:
    manual = {"980": Decimal("50.00"), "418": Decimal("50.00")}
    shares = split_cost(SplitMethod.MANUAL, 3, {"980": 1, "418": 1}, manual)
    assert shares == {"418": 2, "980": 1}


def test_larger_remainder_wins_over_lower_code() -> None:
    # Exact shares 3.33… and 6.66…: the cent goes to 002's larger remainder, not to 001.
    assert largest_remainder(10, {"001": 1, "002": 2}) == {"001": 3, "002": 7}


def test_zero_weight_participant_gets_no_leftover_cent() -> None:
    assert largest_remainder(101, {"001": 0, "002": 1, "003": 1}) == {
        "001": 0,
        "002": 51,
        "003": 50,
    }


def test_result_is_ordered_by_code() -> None:
    assert list(largest_remainder(10, {"980": 1, "091": 1, "536": 1})) == ["091", "536", "980"]


def test_split_is_exact_where_float_arithmetic_would_lose_cents() -> None:
    # 2**53 + 1 is not representable as a float, so float shares would drop the odd cent.
    total = 2**53 + 1
    shares = largest_remainder(total, {"001": 1, "002": 1})
    assert shares == {"001": 2**52 + 1, "002": 2**52}


def test_decimal_weights_are_used_exactly() -> None:
    shares = largest_remainder(10_000, {"001": Decimal("33.33"), "002": Decimal("66.67")})
    assert shares == {"001": 3_333, "002": 6_667}


# --- refusals of largest_remainder ---------------------------------------------------------


def test_no_participants_and_nothing_to_split_gives_no_shares() -> None:
    assert largest_remainder(0, {}) == {}


def test_no_participants_with_a_cost_is_refused() -> None:
    with pytest.raises(CostSplitError, match="no participants"):
        largest_remainder(1, {})


def test_all_zero_weights_are_refused_with_the_reason() -> None:
    with pytest.raises(CostSplitError, match="population of 0") as caught:
        largest_remainder(100, {"001": 0, "002": 0})
    assert caught.value.codes == ("001", "002")


def test_negative_weight_is_refused_naming_the_code() -> None:
    with pytest.raises(CostSplitError, match="002 must not be negative") as caught:
        largest_remainder(100, {"001": 1, "002": -1})
    assert caught.value.codes == ("002",)


def test_nan_weight_is_refused() -> None:
    with pytest.raises(CostSplitError, match="not a number"):
        largest_remainder(100, {"001": Decimal("NaN")})


def test_negative_total_is_refused() -> None:
    with pytest.raises(CostSplitError, match="must not be negative"):
        largest_remainder(-1, {"001": 1})


@pytest.mark.parametrize("code", ["91", "0910", "abc", "", 91])
def test_code_that_is_not_three_digits_is_refused(code: object) -> None:
    with pytest.raises(CostSplitError, match="three digits"):
        largest_remainder(100, {code: 1})  # type: ignore[dict-item]


@pytest.mark.parametrize("weight", [1.5, True])
def test_float_and_bool_weights_are_a_programming_error(weight: object) -> None:
    with pytest.raises(TypeError):
        largest_remainder(100, {"001": weight})  # type: ignore[dict-item]


def test_float_total_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        largest_remainder(100.0, {"001": 1})  # type: ignore[arg-type]


# --- manual percentages ---------------------------------------------------------------------


def test_manual_percentages_are_parsed_to_two_places_ordered_by_code() -> None:
    parsed = parse_manual_percentages({"980": "20", "418": "50,5", "536": Decimal("29.5")})
    assert {code: str(p) for code, p in parsed.items()} == {
        "418": "50.50",
        "536": "29.50",
        "980": "20.00",
    }
    assert list(parsed) == ["418", "536", "980"]


def test_manual_percentages_accept_ints_and_a_single_100() -> None:
    assert parse_manual_percentages({"091": 100}) == {"091": Decimal("100.00")}


def test_manual_percentages_may_give_a_participant_zero() -> None:
    assert parse_manual_percentages({"091": "0", "049": "100"})["091"] == Decimal("0.00")


@pytest.mark.parametrize(
    ("raw", "current_sum"),
    [
        ({"418": "33.33", "536": "33.33", "980": "33.33"}, "99.99"),
        ({"418": "50.00", "536": "50.01"}, "100.01"),
        ({"418": "0"}, "0.00"),
        ({}, "0.00"),
    ],
)
def test_manual_percentages_not_summing_to_100_are_refused_with_the_sum(
    raw: dict[str, str], current_sum: str
) -> None:
    with pytest.raises(CostSplitError) as caught:
        parse_manual_percentages(raw)
    assert caught.value.current_sum == Decimal(current_sum)
    assert str(caught.value.current_sum) == current_sum
    assert f"add up to {current_sum} %" in caught.value.message


@pytest.mark.parametrize("value", ["33.333", "0,001", Decimal("50.000")])
def test_manual_percentage_with_more_than_two_decimals_is_refused(value: str | Decimal) -> None:
    with pytest.raises(CostSplitError, match="more than two decimals") as caught:
        parse_manual_percentages({"418": value, "536": "50"})
    assert caught.value.codes == ("418",)
    assert caught.value.current_sum is None


@pytest.mark.parametrize("value", ["100.01", "-1", 101, Decimal("-0.01")])
def test_manual_percentage_outside_0_to_100_is_refused(value: str | int | Decimal) -> None:
    with pytest.raises(CostSplitError, match="between 0 and 100") as caught:
        parse_manual_percentages({"536": value})
    assert caught.value.codes == ("536",)


@pytest.mark.parametrize("value", ["fifty", "", 50.0, None, Decimal("NaN")])
def test_manual_percentage_that_is_not_a_number_is_refused(value: object) -> None:
    with pytest.raises(CostSplitError, match="percentage from 0 to 100"):
        parse_manual_percentages({"536": value})  # type: ignore[dict-item]


# --- split_cost and its methods -------------------------------------------------------------


def test_manual_split_follows_the_percentages() -> None:
    manual = {"418": Decimal("50.00"), "536": Decimal("30.00"), "980": Decimal("20.00")}
    shares = split_cost(SplitMethod.MANUAL, 9_000_000, API_EXAMPLE_POPULATIONS, manual)
    assert shares == {"418": 4_500_000, "536": 2_700_000, "980": 1_800_000}


def test_manual_split_missing_a_participant_names_it() -> None:
    manual = {"418": Decimal("60.00"), "536": Decimal("40.00")}
    with pytest.raises(CostSplitError, match="no percentage is given for 980") as caught:
        split_cost(SplitMethod.MANUAL, 100, API_EXAMPLE_POPULATIONS, manual)
    assert caught.value.codes == ("980",)


def test_manual_split_with_a_code_that_is_not_a_participant_names_it() -> None:
    manual = {"418": Decimal("50"), "536": Decimal("25"), "980": Decimal("20"), "091": Decimal("5")}
    with pytest.raises(CostSplitError, match="091 is not a participant") as caught:
        split_cost(SplitMethod.MANUAL, 100, API_EXAMPLE_POPULATIONS, manual)
    assert caught.value.codes == ("091",)


def test_manual_split_with_missing_and_extra_codes_names_both() -> None:
    manual = {"418": Decimal("50"), "091": Decimal("25"), "049": Decimal("25")}
    with pytest.raises(CostSplitError) as caught:
        split_cost(SplitMethod.MANUAL, 100, API_EXAMPLE_POPULATIONS, manual)
    assert "no percentage is given for 536, 980" in caught.value.message
    assert "049, 091 are not participants" in caught.value.message
    assert caught.value.code == "manual_shares_cover"
    missing, extra = caught.value.params["problems"]
    assert (missing.code, missing.params) == ("manual_missing", {"codes": ("536", "980")})
    assert (extra.code, extra.params) == ("manual_extra", {"codes": ("049", "091"), "n": 2})
    assert caught.value.codes == ("536", "980", "049", "091")


def test_manual_split_without_percentages_is_refused() -> None:
    with pytest.raises(CostSplitError, match="needs a percentage"):
        split_cost(SplitMethod.MANUAL, 100, API_EXAMPLE_POPULATIONS)


def test_manual_split_rechecks_that_percentages_sum_to_100() -> None:
    manual = {"418": Decimal("50"), "536": Decimal("30"), "980": Decimal("19.99")}
    with pytest.raises(CostSplitError) as caught:
        split_cost(SplitMethod.MANUAL, 100, API_EXAMPLE_POPULATIONS, manual)
    assert caught.value.current_sum == Decimal("99.99")


def test_equal_split_ignores_populations() -> None:
    shares = split_cost(SplitMethod.EQUAL, 300, {"001": 10, "002": 700_000, "003": 0})
    assert shares == {"001": 100, "002": 100, "003": 100}


def test_per_capita_split_with_every_population_zero_is_refused() -> None:
    with pytest.raises(CostSplitError, match="every participant's population is 0"):
        split_cost(SplitMethod.PER_CAPITA, 100, {"001": 0, "002": 0})


def test_per_capita_split_with_a_negative_population_is_refused() -> None:
    with pytest.raises(CostSplitError, match="population of 002"):
        split_cost(SplitMethod.PER_CAPITA, 100, {"001": 5, "002": -5})


def test_split_method_may_be_given_as_its_string_value() -> None:
    assert split_cost("equal", 2, {"001": 1, "002": 1}) == {"001": 1, "002": 1}  # type: ignore[arg-type]


def test_unknown_split_method_is_refused() -> None:
    with pytest.raises(CostSplitError, match="Unknown cost-split method"):
        split_cost("by_area", 100, {"001": 1})  # type: ignore[arg-type]


def test_split_of_zero_cost_gives_everyone_zero() -> None:
    assert split_cost(SplitMethod.PER_CAPITA, 0, API_EXAMPLE_POPULATIONS) == {
        "418": 0,
        "536": 0,
        "980": 0,
    }


# --- display percentages --------------------------------------------------------------------


def test_equal_percentages_are_rounded_and_may_not_add_up_to_100() -> None:
    populations = {"001": 1, "002": 1, "003": 1}
    shares = split_cost(SplitMethod.EQUAL, 100, populations)
    percentages = share_percentages(shares, SplitMethod.EQUAL, populations, None)
    assert percentages == dict.fromkeys(populations, Decimal("33.33"))


def test_equal_percentage_tie_rounds_half_up() -> None:
    populations = {f"{n:03d}": 1 for n in range(32)}  # 100 / 32 = 3.125 exactly
    shares = split_cost(SplitMethod.EQUAL, 100, populations)
    percentages = share_percentages(shares, SplitMethod.EQUAL, populations)
    assert set(percentages.values()) == {Decimal("3.13")}  # banker's rounding would give 3.12


def test_per_capita_percentage_tie_rounds_half_up() -> None:
    # 1 / 20 000 = 0.005 % and 19 999 / 20 000 = 99.995 %: both ties, both round up, and the
    # displayed percentages add up to 100.01.
    populations = {"001": 1, "002": 19_999}
    shares = split_cost(SplitMethod.PER_CAPITA, 0, populations)
    percentages = share_percentages(shares, SplitMethod.PER_CAPITA, populations)
    assert percentages == {"001": Decimal("0.01"), "002": Decimal("100.00")}


def test_manual_percentages_are_shown_as_given() -> None:
    manual = {"418": Decimal("33.33"), "536": Decimal("33.33"), "980": Decimal("33.34")}
    shares = split_cost(SplitMethod.MANUAL, 100, API_EXAMPLE_POPULATIONS, manual)
    assert share_percentages(shares, SplitMethod.MANUAL, API_EXAMPLE_POPULATIONS, manual) == manual


def test_percentages_exist_even_when_the_net_cost_is_zero() -> None:
    shares = split_cost(SplitMethod.PER_CAPITA, 0, API_EXAMPLE_POPULATIONS)
    percentages = share_percentages(shares, SplitMethod.PER_CAPITA, API_EXAMPLE_POPULATIONS)
    assert percentages["418"] == Decimal("26.28")


def test_percentages_refuse_shares_for_other_participants() -> None:
    with pytest.raises(CostSplitError, match="differ for 091"):
        share_percentages({"091": 100}, SplitMethod.EQUAL, {})


# --- properties -----------------------------------------------------------------------------

codes_strategy = st.lists(st.integers(0, 999), min_size=1, max_size=30, unique=True).map(
    lambda numbers: [f"{n:03d}" for n in numbers]  # random, not sorted, insertion order
)
totals = st.integers(0, 10**11)


@st.composite
def populations_strategy(draw: st.DrawFn) -> dict[str, int]:
    codes = draw(codes_strategy)
    return {code: draw(st.integers(1, 700_000)) for code in codes}


@st.composite
def manual_strategy(draw: st.DrawFn) -> dict[str, Decimal]:
    """Random percentages with two decimals that add up to exactly 100.00."""
    codes = draw(codes_strategy)
    cuts = sorted(
        draw(st.lists(st.integers(0, 10_000), min_size=len(codes) - 1, max_size=len(codes) - 1))
    )
    bounds = [0, *cuts, 10_000]
    return {code: Decimal(bounds[i + 1] - bounds[i]).scaleb(-2) for i, code in enumerate(codes)}


@given(totals, populations_strategy())
def test_per_capita_shares_follow_the_largest_remainder_rule(
    total: int, populations: dict[str, int]
) -> None:
    shares = split_cost(SplitMethod.PER_CAPITA, total, populations)
    assert_largest_remainder(total, populations, shares)


@given(totals, manual_strategy())
def test_manual_shares_follow_the_largest_remainder_rule(
    total: int, manual: dict[str, Decimal]
) -> None:
    populations = dict.fromkeys(manual, 1)
    shares = split_cost(SplitMethod.MANUAL, total, populations, manual)
    assert_largest_remainder(total, manual, shares)


@given(totals, codes_strategy)
def test_equal_shares_give_the_leftover_cents_to_the_lowest_codes(
    total: int, codes: list[str]
) -> None:
    shares = split_cost(SplitMethod.EQUAL, total, dict.fromkeys(codes, 0))
    base, leftover = divmod(total, len(codes))
    expected = {
        code: base + (1 if rank < leftover else 0) for rank, code in enumerate(sorted(codes))
    }
    assert shares == expected


@given(totals, populations_strategy())
def test_shares_do_not_depend_on_insertion_order(total: int, populations: dict[str, int]) -> None:
    reversed_populations = dict(reversed(populations.items()))
    assert split_cost(SplitMethod.PER_CAPITA, total, populations) == split_cost(
        SplitMethod.PER_CAPITA, total, reversed_populations
    )


@given(manual_strategy(), st.integers(-10_000, 10_000).filter(lambda delta: delta != 0))
def test_manual_percentages_off_100_are_refused_with_the_current_sum(
    manual: dict[str, Decimal], delta: int
) -> None:
    code = next(iter(manual))
    changed = dict(manual)
    changed[code] = manual[code] + Decimal(delta).scaleb(-2)
    assume(Decimal(0) <= changed[code] <= Decimal(100))  # out of range is another refusal
    with pytest.raises(CostSplitError) as caught:
        parse_manual_percentages(changed)
    assert caught.value.current_sum == Decimal("100.00") + Decimal(delta).scaleb(-2)


@given(manual_strategy(), st.integers(1, 9))
def test_manual_percentages_with_a_third_decimal_are_refused(
    manual: dict[str, Decimal], third_decimal: int
) -> None:
    code = next(iter(manual))
    changed: dict[str, str] = {c: str(p) for c, p in manual.items()}
    changed[code] = f"{manual[code]}{third_decimal}"
    with pytest.raises(CostSplitError, match="more than two decimals"):
        parse_manual_percentages(changed)
