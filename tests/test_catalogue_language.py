"""The Finnish and Swedish catalogues read as a municipal official writes: no heading that
starts with a bare pronoun ("Sen kokeilut", "Dess försök"), no programmer notation ("10^15"),
and the glossary's terms (pilot_tracker/translations/GLOSSARY.md) used for the same English
term everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "pilot_tracker" / "translations"

# A message that begins with one of these reads as a translated "Its …" heading.
PRONOUN_START = {
    "fi": re.compile(r"^(Sen|Sitä|Siitä|Siihen|Sille|Sillä|Siinä|Niiden|Niitä|Niille|Se|Ne)\b"),
    # "Den"/"Det" are also articles ("Den externa finansieringen …"), so only the
    # possessives and a lone "Den"/"Det" before a noun phrase of "its" kind count.
    "sv": re.compile(r"^(Dess|Deras|Sin|Sina|Sitt)\b"),
}
# Placeholders, file names and commands are not words of the message.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|[\w.-]+\.(csv|xlsx)\b|\bflask [\w-]+")
PROGRAMMER_NOTATION = re.compile(r"10\^|\d[eE][+-]?\d|\bNaN\b|\binf\b|\*\*")


def _catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


def _entries(language: str) -> list[tuple[str, str]]:
    """(English msgid, translation) for every message and plural form."""
    found = []
    for message in _catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for n, text in enumerate(strings):
            found.append((ids[min(n, len(ids) - 1)], text))
    return found


@dataclass(frozen=True)
class Term:
    en: str
    pattern: dict[str, re.Pattern[str]]


def glossary() -> list[Term]:
    """The glossary's table: a term and its en, fi and sv patterns."""
    text = (TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8")
    terms = []
    for line in text.splitlines():
        if not line.startswith("| ") or line.startswith(("| en |", "| --- |")):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        en, _fi, _sv, *patterns = cells
        en_p, fi_p, sv_p = (re.compile(p.strip("`").replace("\\|", "|"), re.I) for p in patterns)
        terms.append(Term(en, {"en": en_p, "fi": fi_p, "sv": sv_p}))
    return terms


def test_the_glossary_names_the_issues_terms() -> None:
    names = {t.en for t in glossary()}
    for term in (
        "pilot",
        "gate",
        "steering group",
        "lead municipality",
        "cost share",
        "actual costs",
        "billing",
        "follow-up plan",
        "lessons learned",
        "decision proposal",
    ):
        assert term in names


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_message_begins_with_a_bare_pronoun(language: str) -> None:
    bad = [(en, text) for en, text in _entries(language) if PRONOUN_START[language].match(text)]
    assert bad == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_no_programmer_notation_in_messages(language: str) -> None:
    bad = [(en, text) for en, text in _entries(language) if PROGRAMMER_NOTATION.search(text)]
    assert bad == []


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_glossary_terms_are_translated_the_same_way_everywhere(language: str) -> None:
    problems = []
    for term in glossary():
        for en, text in _entries(language):
            words = PLACEHOLDER.sub("", en)
            if term.pattern["en"].search(words) and not term.pattern[language].search(text):
                problems.append(f"{term.en}: {en!r} → {text!r}")
    assert problems == [], "\n".join(problems)


def test_the_checks_find_what_they_look_for() -> None:
    """The rules would catch the issue's own examples."""
    assert PRONOUN_START["fi"].match("Sen kustannukset yhteensä")
    assert PRONOUN_START["sv"].match("Dess försök per skede")
    assert not PRONOUN_START["sv"].match("Den här kolumnen saknas.")
    assert PRONOUN_START["fi"].match("Ne 3 kokeilua, joissa sen osuus on suurin")
    assert PROGRAMMER_NOTATION.search("Anna äärellinen luku, joka on alle 10^15")
    pilot = next(t for t in glossary() if t.en == "pilot")
    assert pilot.pattern["fi"].search("kokeilujen") and not pilot.pattern["fi"].search("hanke")


# Words the read-through replaced (GLOSSARY.md, "Words the catalogues no longer use"): each
# pattern, case-insensitive, must match no translation.
DISCARDED = {
    "fi": {
        "valtuutettu for the council role (luottamushenkilö)": r"(?<!tietosuoja)valtuutet",
        "raide for a track (polku)": r"\bra(ide|ite)",
        "sovellus for the service (palvelu)": r"(?<!kalenteri)\bsovellu",
        "talousarvio for a pilot's budget (budjetti)": r"talousarvio(?!ta varten)",
    },
    "sv": {
        "fullmäktigeledamot for the council role (förtroendevald)": r"fullmäktigeledam",
        "förverkligad for realised savings (realiserad)": r"förverklig",
        "appen for the service (tjänsten)": r"\bappen\b",
        "Mittpunkt for the midpoint gate (halvtidsgranskning)": r"\bmittpunkt",
    },
}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_discarded_words_are_not_used(language: str) -> None:
    bad = [
        f"{why}: {en!r} → {text!r}"
        for why, pattern in DISCARDED[language].items()
        for en, text in _entries(language)
        if re.search(pattern, text, re.I)
    ]
    assert bad == [], "\n".join(bad)


# Left as in English on purpose: the product's name, codes, formats and words both languages
# use as they are.
SAME_IN_EVERY_LANGUAGE = re.compile(
    r"^(Kokeilusalkku|ID|KPI|Token|Budget|Total budget( \(€\))?|Idea|Start|Scenario|Status|Export|"
    r"Import|Go|No-go|–|"
    r"%\(\w+\)s.*|[A-Z]{2,}[\w ()-]*)$"
)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_message_of_words_is_left_in_english(language: str) -> None:
    """A translation that is the English message itself (of two words or more) was forgotten."""
    bad = [
        en
        for en, text in _entries(language)
        if text == en and len(en.split()) > 1 and not SAME_IN_EVERY_LANGUAGE.match(en)
    ]
    assert bad == []
