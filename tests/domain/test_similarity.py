"""Trigram similarity catches Finnish inflection and compounds; theme and places add to it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.similarity import (
    PilotTraits,
    jaccard,
    query_words,
    similarity_score,
    text_similarity,
    trigrams,
    word_similarity,
    words,
)


def test_words_are_lowercased_deduplicated_and_skip_short_and_stopwords() -> None:
    assert words("Kuntien tilojen varaus ja varaus verkossa, ja TILA-varaus") == [
        "tilojen",
        "varaus",
        "verkossa",
        "tila",
    ]


def test_query_words_are_capped() -> None:
    text = " ".join(f"sana{chr(97 + i)}x" for i in range(20))
    assert len(query_words(text)) == 12


def test_trigrams_pad_like_pg_trgm() -> None:
    assert trigrams("kyl") == frozenset({"  k", " ky", "kyl", "yl "})


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("lupapalvelujen", "lupapalvelut"),
        ("tilavarausten", "tilavaraus"),
        ("tilavarausjärjestelmä", "tilavaraus"),
    ],
)
def test_inflected_and_compound_words_stay_similar(query: str, target: str) -> None:
    assert word_similarity(query, target) >= 0.4
    assert word_similarity(query, "kotihoito") < 0.1


def test_text_similarity_ranks_related_text_above_unrelated() -> None:
    q = query_words("tilavarausten hallinta")
    related = text_similarity(q, "Tilavaraus verkossa. Kuntien tilojen varaus ja maksu.")
    unrelated = text_similarity(q, "Kotihoidon ajoreitit ja kuljetukset")
    assert related > 0.3 > unrelated


def test_text_similarity_of_nothing_is_zero() -> None:
    assert text_similarity([], "anything here") == 0.0
    assert text_similarity(["word"], "") == 0.0


def test_jaccard() -> None:
    assert jaccard({"091", "049"}, {"049", "092"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 0.0


def _traits(text: str, theme: str, codes: set[str], regions: set[str]) -> PilotTraits:
    return PilotTraits(text, text, theme, frozenset(codes), frozenset(regions))


def test_the_name_weighs_more_than_generic_summary_words() -> None:
    me = PilotTraits(
        "Sähköiset lupapalvelut",
        "Sähköiset lupapalvelut. Rakennuslupien haku verkossa.",
        "",
        frozenset(),
        frozenset(),
    )
    q = query_words(me.text)
    same_topic = _traits("Lupapalvelujen kehittäminen", "", set(), set())
    generic = _traits("Tilavaraus verkossa", "", set(), set())
    assert similarity_score(q, me, same_topic) > similarity_score(q, me, generic)


def test_score_weights_add_up_for_an_identical_pilot() -> None:
    me = _traits("Tilavaraus verkossa", "facility_booking", {"418"}, {"06"})
    assert similarity_score(query_words(me.text), me, me) == 1.0


def test_theme_and_shared_municipalities_raise_the_score() -> None:
    me = _traits("Tilavaraus verkossa", "facility_booking", {"418", "536"}, {"06"})
    text_only = _traits("Tilavaraus netissä", "permits", {"091"}, {"01"})
    same_theme = _traits("Tilavaraus netissä", "facility_booking", {"091"}, {"01"})
    shared = _traits("Tilavaraus netissä", "facility_booking", {"418"}, {"06"})
    q = query_words(me.text)
    assert (
        similarity_score(q, me, text_only)
        < similarity_score(q, me, same_theme)
        < similarity_score(q, me, shared)
    )


@given(st.text(max_size=60), st.text(max_size=60))
def test_scores_stay_between_zero_and_one(a: str, b: str) -> None:
    ta = _traits(a, "permits", {"091"}, {"01"})
    tb = _traits(b, "permits", {"091", "049"}, {"01"})
    assert 0.0 <= similarity_score(query_words(a), ta, tb) <= 1.0
    assert 0.0 <= word_similarity(a or "x", b or "y") <= 1.0
