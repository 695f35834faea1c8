"""The similar-pilot lookup reads a bounded number of matches per stem, whatever the size of
the portfolio (issue 20, item 2). PER_STEM is made small here so that a handful of pilots
stands for the thousands of a large portfolio in which a common word is found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from pilot_tracker.domain.enums import Stage, Theme
from pilot_tracker.services import similar
from pilot_tracker.services.follow_up import record_lesson
from tests.conftest import Actors
from tests.factories import make_pilot

CAP = 3


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PER_STEM = CAP; the statements are built anew with it, and again after the test."""
    monkeypatch.setattr(similar, "PER_STEM", CAP)
    similar._candidate_statement.cache_clear()
    yield
    similar._candidate_statement.cache_clear()


def _candidate_ids(user: Any, text: str) -> list[int]:
    stems = similar.search_stems("", text)
    return [row[0] for row in similar._candidates(user, stems, None, set(), set(), None)]


def test_a_stem_in_many_pilots_brings_at_most_per_stem_plus_one_candidates(
    app: Flask, actors: Actors, small_cap: None
) -> None:
    with app.app_context():
        common = [make_pilot(("418",), name=f"Palautekanava {n}").id for n in range(CAP + 4)]
        found = _candidate_ids(actors.coordinator, "palautekanavan")
        few = _candidate_ids(actors.coordinator, "palautekanavan etälainaus")
    assert len(found) == CAP + 1
    assert set(found) <= set(common)
    # A second stem that matches nothing adds nothing.
    assert len(few) == CAP + 1


def test_a_pilot_found_by_a_rare_stem_is_not_crowded_out_by_a_common_one(
    app: Flask, actors: Actors, small_cap: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(similar, "CANDIDATES", 2)
    with app.app_context():
        for n in range(CAP + 2):
            make_pilot(("418",), name=f"Palautekanava {n}", theme=Theme.FEEDBACK)
        rare = make_pilot(("091",), name="Kirjaston etälainaus", theme=Theme.PERMITS)
        # "palautek" (8 letters) would outweigh "etälai" (6) if the common stem counted.
        candidates = _candidate_ids(actors.coordinator, "Palautekanava etälainaus")
        results = similar.find_similar(actors.coordinator, text="Palautekanava etälainaus")
    assert candidates[0] == rare.id
    assert len(candidates) == 2
    assert rare.id in [r.id for r in results]


def test_the_cap_counts_pilots_not_their_matching_lessons(
    app: Flask, actors: Actors, small_cap: None
) -> None:
    lesson = "Mobiilivarmenne kannattaa hankkia yhteisenä."
    with app.app_context():
        many = make_pilot(
            ("418",), name="Kotihoidon ajoreitit", summary="Kuljetukset.", stage=Stage.EVALUATION
        )
        for n in range(CAP + 1):
            record_lesson(many, f"{lesson} ({n + 1})")
        one = make_pilot(
            ("091",), name="Kirjaston aukiolo", summary="Omatoimikirjasto.", stage=Stage.EVALUATION
        )
        record_lesson(one, lesson)
        found = _candidate_ids(actors.coordinator, "mobiilivarmenteella")
    assert sorted(found) == sorted([many.id, one.id])
