"""The one formula rule and column letters (domain.text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.text import column_letters, neutralise, unneutralise

FORMULA_STARTS = "=+-@\t\r"
formula_like = st.builds(
    lambda quotes, start, rest: "'" * quotes + start + rest,
    st.integers(min_value=0, max_value=3),
    st.sampled_from(FORMULA_STARTS),
    st.text(),
)


@given(formula_like)
def test_text_a_spreadsheet_could_run_gets_exactly_one_more_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@given(st.text().filter(lambda t: not t.lstrip("'")[:1] or t.lstrip("'")[0] not in FORMULA_STARTS))
def test_any_other_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


@given(st.text() | formula_like)
def test_a_neutralised_cell_never_starts_a_formula_and_reads_back_exactly(text: str) -> None:
    cell = neutralise(text)
    assert cell[:1] not in tuple(FORMULA_STARTS)
    assert unneutralise(cell) == text


@pytest.mark.parametrize("text", ["=1+1", "-2", "+31", "@SUM(A1)", "\t=1", "\r=1", "'=1"])
def test_the_dashboards_old_cases_are_all_covered(text: str) -> None:
    # The dashboards' CSVs had their own rule (these characters at the very start only);
    # the one rule is the export files', which also covers apostrophes before them.
    assert neutralise(text).startswith("'")


@pytest.mark.parametrize(
    ("index", "letters"),
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (16383, "XFD"),
    ],
)
def test_column_letters(index: int, letters: str) -> None:
    assert column_letters(index) == letters


@given(st.integers(min_value=0, max_value=20_000))
def test_column_letters_count_in_bijective_base_26(index: int) -> None:
    number = 0
    for letter in column_letters(index):
        assert "A" <= letter <= "Z"
        number = number * 26 + ord(letter) - ord("A") + 1
    assert number == index + 1


def test_a_negative_column_index_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        column_letters(-1)
