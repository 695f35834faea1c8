"""Scoring how alike two pilots are: trigram word similarity, theme, shared municipalities.

The database finds the candidates (FTS5 trigram on SQLite, pg_trgm and tsvector on
PostgreSQL); this module only ranks the few it returns, so it never loops over a portfolio.
Trigrams make inflected and compound Finnish match: "lupapalvelujen" shares most of its
trigrams with "lupapalvelut", "tilavarausjärjestelmä" with "tilavaraus".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
MIN_WORD = 4
MAX_QUERY_WORDS = 12
# Frequent words that say nothing about what a pilot does, in the three languages.
_STOPWORD_TEXT = """
ja sekä tai myös kuin että joka jotka mikä kanssa kautta avulla osalta
kunnan kuntien kunta kuntaa kaupungin pilotti pilotin pilotissa kokeilu kokeilun
och eller samt även som för med kommun kommunens kommuner pilot
and the for with from into that this pilots municipality municipalities
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

WEIGHT_TEXT = 0.6
WEIGHT_THEME = 0.2
WEIGHT_MUNICIPALITIES = 0.15
WEIGHT_REGION = 0.05


def words(text: str) -> list[str]:
    """Lower-cased words of at least four letters, in order, without duplicates."""
    return list(_words(text))


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    # Cached: a lookup ranks tens of candidates whose texts repeat across lookups.
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text.lower()):
        for part in match.group(0).split("-"):
            if len(part) >= MIN_WORD and part not in STOPWORDS:
                seen.setdefault(part, None)
    return tuple(seen)


def query_words(text: str) -> list[str]:
    """The words a search uses: the first MAX_QUERY_WORDS significant ones."""
    return words(text)[:MAX_QUERY_WORDS]


@lru_cache(maxsize=16384)
def trigrams(word: str) -> frozenset[str]:
    """Trigrams of a word padded as pg_trgm pads it (two spaces before, one after)."""
    padded = f"  {word.lower()} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def word_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two words' trigram sets, 0..1."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


@lru_cache(maxsize=65536)
def _pair_similarity(a: str, b: str) -> float:
    # Cached: the same few hundred words meet again and again across candidates and lookups.
    ta, tb = trigrams(a), trigrams(b)
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


def best_matches(query: Iterable[str], text: str) -> dict[str, float]:
    """Each query word's best similarity to one of the text's words (0 without words)."""
    candidates = _words(text)
    out: dict[str, float] = {}
    for word in query:
        if word not in out:
            out[word] = max((_pair_similarity(word, c) for c in candidates), default=0.0)
    return out


def text_similarity(query: Iterable[str], text: str) -> float:
    """Mean over the query words of their best match among the text's words, 0..1."""
    q = list(query)
    if not q:
        return 0.0
    best = best_matches(q, text)
    return sum(best[w] for w in q) / len(q)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|A ∩ B| / |A ∪ B|, 0 for two empty sets."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


@dataclass(frozen=True)
class PilotTraits:
    """What similarity looks at in a pilot; `text` is its name and summary together."""

    name: str
    text: str
    theme: str
    municipalities: frozenset[str]
    regions: frozenset[str]


def similarity_score(query_text_words: list[str], query: PilotTraits, other: PilotTraits) -> float:
    """Weighted score 0..1: text 0.6, same theme 0.2, shared municipalities 0.15, region 0.05.

    Half of the text part comes from the query's name alone: a name says what a pilot is
    about, while a summary's generic words ("verkossa", "online") match almost anything.
    """
    name_words = query_words(query.name) or query_text_words
    # Each word's best match once, for both halves.
    best = best_matches([*name_words, *query_text_words], other.text)
    text = 0.0
    if name_words:
        text += 0.5 * sum(best[w] for w in name_words) / len(name_words)
    if query_text_words:
        text += 0.5 * sum(best[w] for w in query_text_words) / len(query_text_words)
    score = WEIGHT_TEXT * text
    if query.theme and query.theme == other.theme:
        score += WEIGHT_THEME
    score += WEIGHT_MUNICIPALITIES * jaccard(query.municipalities, other.municipalities)
    if query.regions & other.regions:
        score += WEIGHT_REGION
    return round(score, 4)
