"""Residents' feedback as pure rules: the satisfaction figures and the checks on a text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RATINGS = (1, 2, 3, 4, 5)
MAX_TEXT = 1000
# A municipality's own figures only from this many responses: no small group singled out.
MIN_GROUP = 10

# Anything a link could hide behind: a scheme, "www.", markup, or a name ending in a
# common top-level domain ("example.fi", "bit.ly/x"). A short list rather than any two
# letters, so that a sentence typed without a space after its full stop ("toimi.Kiitos")
# still passes; the form says that links are not accepted.
TLDS = (
    "fi|ax|se|no|dk|ee|eu|com|net|org|info|biz|io|ly|me|co|uk|de|ru|xyz|top|site|online"
    "|shop|app|link|click|gl|gd|to|cc|tk|ml|ga|cf|gq|pw|ws|tv|us|cn"
)
_LINK = re.compile(
    r"(?i)(\b[a-z][a-z0-9+.-]*://|\bwww\d?\.|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(" + TLDS + r")(/|\b)"
    r"|\[url|<a\s|href\s*=)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Distribution:
    """Mean rating (two decimals, half up), count, and the count of each rating 1-5."""

    count: int
    mean: Decimal | None
    counts: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Satisfaction:
    """All responses, and each participating municipality that has at least MIN_GROUP."""

    overall: Distribution
    by_municipality: dict[str, Distribution]
    withheld: int  # participating municipalities with responses, but fewer than MIN_GROUP


def distribution(counts: dict[int, int]) -> Distribution:
    """The figures of ratings counted as {rating: how many}."""
    full = {r: int(counts.get(r, 0)) for r in RATINGS}
    total = sum(full.values())
    if total == 0:
        return Distribution(0, None, full)
    mean = Decimal(sum(r * n for r, n in full.items())) / Decimal(total)
    return Distribution(total, mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), full)


def satisfaction(
    rows: list[tuple[str | None, int, int]], participants: set[str] | frozenset[str]
) -> Satisfaction:
    """From (municipality or None, rating, count) rows; only participants get their own
    figures, and only at MIN_GROUP responses or more."""
    overall: dict[int, int] = {}
    per: dict[str, dict[int, int]] = {}
    for code, rating, n in rows:
        overall[rating] = overall.get(rating, 0) + n
        if code is not None and code in participants:
            bucket = per.setdefault(code, {})
            bucket[rating] = bucket.get(rating, 0) + n
    shown = {c: distribution(v) for c, v in sorted(per.items()) if sum(v.values()) >= MIN_GROUP}
    return Satisfaction(distribution(overall), shown, len(per) - len(shown))


def text_problem(text: str) -> str | None:
    """Why a free text is refused (`too_long`, `link`, `control`), or None."""
    if len(text) > MAX_TEXT:
        return "too_long"
    if _CONTROL.search(text):
        return "control"
    if _LINK.search(text):
        return "link"
    return None
