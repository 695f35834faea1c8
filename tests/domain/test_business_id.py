"""Finnish business IDs (Y-tunnus): format, normalising and the check digit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.business_id import (
    business_id_error,
    is_valid_business_id,
    normalise_business_id,
)

# Not skipped when missing: the examples live in the repository (tests/data/SOURCES.md).
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "ytunnus_examples.csv"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def read_examples() -> list[dict[str, str]]:
    with EXAMPLES.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_every_example_in_the_data_file_gets_its_stated_validity() -> None:
    rows = read_examples()
    assert len(rows) >= 8
    for row in rows:
        assert row["valid"] in ("true", "false"), row
        assert is_valid_business_id(row["business_id"]) is (row["valid"] == "true"), row


def test_municipal_business_ids_from_the_examples_are_valid() -> None:
    by_code = {row["municipality_code"]: row["business_id"] for row in read_examples()}
    assert is_valid_business_id(by_code["091"])  # Helsinki 0201256-6
    assert is_valid_business_id(by_code["049"])  # Espoo 0101263-6
    assert is_valid_business_id(by_code["853"])  # Turku 0204819-8


@pytest.mark.parametrize("business_id", ["0000000-0", "0000001-9", "2077474-0", "0827616-7"])
def test_known_valid_ids_pass(business_id: str) -> None:
    assert business_id_error(business_id) is None


def test_hyvinkaa_label_that_fails_the_checksum_is_refused() -> None:
    # SOURCES.md: seen labelled "Hyvinkään Kaupunki" in a public repo, but the digit is wrong.
    assert not is_valid_business_id("0920261-1")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0201256-6", "0201256-6"),
        (" 0201256-6 ", "0201256-6"),
        ("0201 256-6", "0201256-6"),
        ("0201256 - 6", "0201256-6"),
        ("\u00a00201256-6\t", "0201256-6"),
        ("123456-7", "0123456-7"),
        ("0201256\u20136", "0201256-6"),  # en dash from a word processor
        ("0201256\u22126", "0201256-6"),  # minus sign
        ("02012566", "02012566"),  # no hyphen: left for the validator to refuse
        ("abc", "abc"),
        ("", ""),
    ],
)
def test_normalise_strips_spaces_unifies_dashes_and_pads_old_ids(raw: str, normalised: str) -> None:
    assert normalise_business_id(raw) == normalised


def test_old_six_digit_id_is_valid_after_padding() -> None:
    # 201256-6 is Helsinki's 0201256-6 written without the leading zero.
    assert normalise_business_id("201256-6") == "0201256-6"
    assert is_valid_business_id("201256-6")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "02012566",
        "0201256-",
        "0201256-66",
        "00201256-6",
        "12345-6",
        "0201256_6",
        "FI02012566",
    ],
)
def test_wrong_format_is_refused_with_the_expected_pattern(raw: str) -> None:
    error = business_id_error(raw)
    assert error is not None
    assert "NNNNNNN-C" in error


def test_non_ascii_digits_are_a_wrong_format() -> None:
    error = business_id_error("\u0660\u0662\u0660\u0661\u0662\u0665\u0666-\u0666")
    assert error is not None
    assert "NNNNNNN-C" in error


def test_remainder_one_is_refused_as_never_issued() -> None:
    # 0000006: 6 * 2 = 12 = 11 + 1, so no check digit can make it valid.
    error = business_id_error("0000006-0")
    assert error is not None
    assert "never issued" in error
    assert "remainder 1" in error
    for check in "0123456789":
        assert not is_valid_business_id(f"0000006-{check}")


def test_wrong_check_digit_names_the_expected_digit() -> None:
    assert business_id_error("0201256-5") == (
        "The check digit of 0201256-5 is wrong: for 0201256 it should be 6, not 5."
    )


def test_remainder_zero_gives_check_digit_zero() -> None:
    # 0100001: 1 * 9 + 1 * 2 = 11, remainder 0.
    assert is_valid_business_id("0100001-0")
    assert business_id_error("0100001-1") is not None


def test_other_remainders_give_eleven_minus_the_remainder() -> None:
    # 0000001: 1 * 2 = 2 → 9 (the R package hetu's example); 0000005: 5 * 2 = 10 → 1.
    assert is_valid_business_id("0000001-9")
    assert is_valid_business_id("0000005-1")


def expected_check_digit(body: str) -> int | None:
    """The rule from SOURCES.md, written out again for the property test."""
    remainder = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11
    return {0: 0, 1: None}.get(remainder, 11 - remainder)


bodies = st.text(alphabet="0123456789", min_size=7, max_size=7)


@given(bodies)
def test_exactly_one_check_digit_is_valid_unless_the_remainder_is_one(body: str) -> None:
    valid = [check for check in "0123456789" if is_valid_business_id(f"{body}-{check}")]
    expected = expected_check_digit(body)
    if expected is None:
        assert valid == []
    else:
        assert valid == [str(expected)]


@given(bodies, st.sampled_from("0123456789"))
def test_error_and_validity_agree(body: str, check: str) -> None:
    business_id = f"{body}-{check}"
    assert (business_id_error(business_id) is None) is is_valid_business_id(business_id)
