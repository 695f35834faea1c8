"""Languages: complete catalogues, compiled catalogues in step with them, and pages that
follow the chosen language (its words, numbers, money, dates and municipality names).

Finnish is the default; Swedish and English are complete alternatives. The English
catalogue is filled explicitly (each msgstr equal to its msgid), so all three are checked
alike: a message missing from any catalogue fails here.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from enum import Enum
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Gate, Outcome, Rag, SplitMethod, Stage, Theme
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "pilot_tracker" / "translations"
LANGUAGES = ("fi", "sv", "en")
# The keywords of `make translations` (pybabel extract -k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# %(name)s, %s, %d ... and %%: what Python's %-formatting reads in a message.
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[sdifr%]")
NBSP = "\u00a0"


# --- the catalogues ------------------------------------------------------------------------


def _source_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every message in the sources, extracted in-process as `make translations` does;
    each with the places it comes from."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str | tuple[str, ...], list[str]] = {}
    # Walk only the trees babel.cfg names (not .venv or node_modules): same result, faster.
    roots = ("pilot_tracker", "templates")
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: (
            Path(path).relative_to(ROOT).parts[:1][0] in roots if Path(path) != ROOT else True
        ),
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def source_messages() -> dict[str | tuple[str, ...], list[str]]:
    return _source_messages()


def _catalogue(language: str) -> Catalog:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def _problems(message_id: Any, catalogue: Catalog) -> str | None:
    """Why the catalogue's entry for `message_id` cannot be shown, or None."""
    entry = catalogue.get(message_id)
    if entry is None:
        return "missing"
    if entry.fuzzy:
        return "fuzzy"
    plural = isinstance(entry.id, tuple)
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    if not all(strings) or (plural and len(strings) != catalogue.num_plurals):
        return "untranslated"
    source = message_id[-1] if isinstance(message_id, tuple) else message_id
    for string in strings:
        if _placeholders(string) != _placeholders(source):
            return f"placeholders differ: {string!r}"
    return None


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_sources_is_translated(
    language: str, source_messages: dict[Any, list[str]]
) -> None:
    catalogue = _catalogue(language)
    problems = [
        f"{places[0]}: {message_id!r}: {problem}"
        for message_id, places in source_messages.items()
        if (
            problem := _problems(
                message_id[0] if isinstance(message_id, tuple) else message_id, catalogue
            )
        )
        is not None
    ]
    assert not problems, (
        f"{len(problems)} message(s) lack a {language} translation; run `make translations` "
        "and fill them in:\n" + "\n".join(sorted(problems))
    )


def test_the_completeness_check_notices_a_missing_fuzzy_or_broken_translation() -> None:
    catalogue = Catalog(locale="fi")
    catalogue.add("Present", "Läsnä")
    catalogue.add("Fuzzy", "Epävarma", flags=("fuzzy",))
    catalogue.add("Empty", "")
    catalogue.add("Hello %(name)s", "Hei %(nimi)s")
    catalogue.add(("%(num)s pilot", "%(num)s pilots"), ("%(num)s kokeilu", ""))
    assert _problems("Present", catalogue) is None
    assert _problems("Absent", catalogue) == "missing"
    assert _problems("Fuzzy", catalogue) == "fuzzy"
    assert _problems("Empty", catalogue) == "untranslated"
    assert _problems("Hello %(name)s", catalogue) == "placeholders differ: 'Hei %(nimi)s'"
    assert _problems("%(num)s pilot", catalogue) == "untranslated"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_po_file(language: str) -> None:
    catalogue = _catalogue(language)
    compiled = BytesIO()
    write_mo(compiled, catalogue)  # what `pybabel compile` would write now
    compiled.seek(0)
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        committed = read_mo(mo)

    def messages(c: Catalog) -> dict[Any, Any]:
        def frozen(value: Any) -> Any:
            return tuple(value) if isinstance(value, list | tuple) else value

        return {frozen(m.id): frozen(m.string) for m in c if m.id}

    assert messages(committed) == messages(read_mo(compiled)), (
        f"{language}/LC_MESSAGES/messages.mo is not compiled from its .po file; "
        "run `pybabel compile -d pilot_tracker/translations`"
    )


def test_every_enum_value_has_a_label() -> None:
    from pilot_tracker.domain import enums
    from pilot_tracker.language.labels import LABELS

    unlabelled = [
        member
        for cls in vars(enums).values()
        if isinstance(cls, type) and issubclass(cls, Enum) and cls.__module__ == enums.__name__
        for member in cls
        if member not in LABELS
    ]
    assert not unlabelled


# --- choosing the language -----------------------------------------------------------------


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match
    return match.group(1)


def test_finnish_is_the_default_language(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert _lang(html) == "fi"
    assert "Kirjaudu sisään" in html


@pytest.mark.parametrize(
    ("header", "language", "words"),
    [
        ("sv-FI,sv;q=0.9,en;q=0.5", "sv", "Logga in"),
        ("en-GB,en;q=0.8", "en", "Sign in"),
        ("de-DE,de;q=0.9", "fi", "Kirjaudu sisään"),
    ],
)
def test_accept_language_sets_the_first_default(
    client: FlaskClient, header: str, language: str, words: str
) -> None:
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert _lang(html) == language
    assert words in html


def test_the_lang_cookie_beats_accept_language(client: FlaskClient) -> None:
    client.set_cookie("lang", "sv")
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "sv"


def test_the_profile_language_beats_the_cookie(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    from pilot_tracker.extensions import db

    with app.app_context():
        actors.coordinator.language = "en"
        db.session.commit()
    login_as(client, actors.coordinator)
    client.set_cookie("lang", "sv")
    html = client.get("/profile", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert _lang(html) == "en"


def test_choosing_a_language_remembers_it_in_a_cookie(client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"csrf_token": token, "lang": "sv", "next": "/about"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/about")
    assert client.get_cookie("lang").value == "sv"
    assert _lang(client.get("/about").get_data(as_text=True)) == "sv"


def test_choosing_a_language_signed_in_remembers_it_on_the_profile(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User

    login_as(client, actors.council)
    token = csrf_token(client, "/profile")
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/profile"})
    with app.app_context():
        assert db.session.get(User, actors.council.id).language == "en"
    client.delete_cookie("lang")
    assert _lang(client.get("/profile").get_data(as_text=True)) == "en"


# --- what the pages show -------------------------------------------------------------------


@pytest.fixture
def pilot_id(app: Flask, actors: Actors) -> int:
    """A pilot of Helsinki (lead), Lempäälä and Vantaa with a known budget and schedule."""
    with app.app_context():
        pilot = make_pilot(
            ("091", "418", "092"),
            name="Kielikokeilu",
            theme=Theme.FACILITY_BOOKING,
            stage=Stage.PILOTING,
            method=SplitMethod.EQUAL,
            budget_cents=123_450,
            funding_cents=0,
            start_date=date(2026, 11, 27),
            end_date=date(2027, 5, 31),
            vendor=actors.vendor_a,
        )
        return pilot.id


def _page(client: FlaskClient, path: str, language: str) -> str:
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "budget", "start"),
    [
        ("fi", f"1{NBSP}234,50{NBSP}€", "27.11.2026"),
        ("sv", f"1{NBSP}234,50{NBSP}€", "27.11.2026"),
        ("en", "€1,234.50", "27/11/2026"),
    ],
)
def test_money_and_dates_follow_the_language(
    client: FlaskClient, actors: Actors, pilot_id: int, language: str, budget: str, start: str
) -> None:
    login_as(client, actors.coordinator)
    html = _page(client, f"/pilots/{pilot_id}", language)
    assert f"<dd>{budget}</dd>" in html
    assert f"<dd>{start} – " in html


def test_municipality_names_are_swedish_in_the_swedish_interface(
    client: FlaskClient, actors: Actors, pilot_id: int
) -> None:
    login_as(client, actors.coordinator)
    swedish = _page(client, f"/pilots/{pilot_id}", "sv")
    assert "Helsingfors (091)" in swedish
    assert "Vanda (092)" in swedish
    assert "Helsinki (091)" not in swedish
    finnish = _page(client, f"/pilots/{pilot_id}", "fi")
    assert "Helsinki (091)" in finnish
    assert "Helsingfors" not in finnish
    dashboard = _page(client, "/municipalities/091", "sv")
    assert re.search(r"<h1>Helsingfors\b", dashboard)


@pytest.mark.parametrize("path", ["/pilots", "/export"])
def test_the_filters_name_municipalities_in_the_page_language(
    client: FlaskClient, actors: Actors, pilot_id: int, path: str
) -> None:
    """The municipality filter of the pilot list and of the export page (the same filters)."""
    login_as(client, actors.coordinator)

    def municipality_options(language: str) -> str:
        html = _page(client, path, language)
        found = re.search(r'<select[^>]*name="municipality".*?</select>', html, re.S)
        assert found, path
        return found.group(0)

    swedish = municipality_options("sv")
    assert re.search(r'<option value="091">Helsingfors', swedish), swedish[:300]
    assert "Helsinki" not in swedish
    finnish = municipality_options("fi")
    assert re.search(r'<option value="091">Helsinki', finnish)
    assert "Helsingfors" not in finnish


@pytest.mark.parametrize(
    ("language", "lead", "option"),
    [
        ("fi", "Maakunta: Uusimaa.", '<option value="06">Pirkanmaa</option>'),
        ("sv", "Landskap: Nyland.", '<option value="06">Birkaland</option>'),
        ("en", "Region: Uusimaa.", '<option value="02">Southwest Finland</option>'),
    ],
)
def test_region_names_follow_the_language(
    client: FlaskClient, actors: Actors, pilot_id: int, language: str, lead: str, option: str
) -> None:
    login_as(client, actors.coordinator)
    assert lead in _page(client, "/municipalities/091", language)
    assert option in _page(client, "/pilots", language)
    assert option in _page(client, "/dashboard", language)


def test_municipality_search_in_the_pilot_form_speaks_swedish(
    client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    data = {
        "csrf_token": csrf_token(client, "/pilots/new"),
        "action": "search",
        "municipality_q": "Helsingfors",
    }
    response = client.post("/pilots/new", data=data, headers={"Accept-Language": "sv"})
    assert "Helsingfors (091), Nyland, " in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fi", ("Kokeilu käynnissä", "Kunnan tilojen varaaminen", "Tasan", "Koordinaattori")),
        ("sv", ("Försök pågår", "Bokning av kommunala lokaler", "Lika andelar", "Koordinator")),
        ("en", ("Piloting", "Booking of municipal facilities", "Equal shares", "Coordinator")),
    ],
)
def test_enum_labels_are_translated(
    client: FlaskClient, actors: Actors, pilot_id: int, language: str, words: tuple[str, ...]
) -> None:
    login_as(client, actors.coordinator)
    html = _page(client, f"/pilots/{pilot_id}", language)
    for word in words:
        assert word in html


@pytest.mark.parametrize(
    ("language", "title", "header"),
    [
        ("fi", "Kustannusosuudet kunnittain", "Päivämäärä;Tila;Edistyminen (%)"),
        ("sv", "Kostnadsandelar per kommun", "Datum;Läge;Framsteg (%)"),
        ("en", "Cost shares by municipality", "Date;Status;Progress (%)"),
    ],
)
def test_chart_titles_and_their_csv_headers_are_translated(
    client: FlaskClient,
    actors: Actors,
    pilot_id: int,
    language: str,
    title: str,
    header: str,
) -> None:
    login_as(client, actors.coordinator)
    assert title in _page(client, f"/pilots/{pilot_id}", language)
    response = client.get(
        f"/dashboard/pilots/{pilot_id}/data/status-history.csv",
        headers={"Accept-Language": language},
    )
    first = next(csv.reader(response.get_data(as_text=True).lstrip("\ufeff").splitlines()))
    assert ";".join(first) == header


def test_portfolio_dashboard_is_finnish(client: FlaskClient, actors: Actors, pilot_id: int) -> None:
    login_as(client, actors.council)
    html = _page(client, "/dashboard", "fi")
    assert "Kokeilut vaiheittain" in html
    assert "Nettokustannus kunnittain" in html
    assert "Näytä taulukkona" in html


def test_export_headers_are_the_fixed_column_names_of_the_import(
    client: FlaskClient, actors: Actors, pilot_id: int
) -> None:
    # The export is also the import format (a round trip), so its headers are machine names
    # in every language rather than translated words.
    login_as(client, actors.coordinator)
    finnish = client.get("/export/pilots.csv", headers={"Accept-Language": "fi"})
    swedish = client.get("/export/pilots.csv", headers={"Accept-Language": "sv"})
    header = finnish.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("ref;")
    assert header == swedish.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]


def test_error_pages_are_translated(client: FlaskClient) -> None:
    html = client.get("/no-such-page", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "Sidan hittades inte" in html


def test_flash_messages_are_translated(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    token = csrf_token(client, "/profile")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "Olet kirjautunut ulos." in response.get_data(as_text=True)


def test_validation_messages_are_translated(
    client: FlaskClient, actors: Actors, pilot_id: int
) -> None:
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot_id}/kpis/new"
    token = csrf_token(client, path)
    form = {
        "csrf_token": token,
        "name": "",
        "baseline": "5",
        "target": "5",
        "direction": "increase",
    }
    html = client.post(path, data=form).get_data(as_text=True)
    assert "Pakollinen." in html  # WTForms' own catalogue, in Finnish
    form["name"] = "Varaukset"
    html = client.post(path, data=form).get_data(as_text=True)
    assert "Tavoitteen on poikettava lähtötasosta" in html


# --- domain and service messages at the UI edge ---------------------------------------------


def _domain_errors() -> Iterator[tuple[str, str]]:
    """Real messages of the domain rules (English), each with a value it must keep."""
    from pilot_tracker.domain.business_id import business_id_error
    from pilot_tracker.domain.cost_split import (
        CostSplitError,
        largest_remainder,
        parse_manual_percentages,
        split_cost,
    )
    from pilot_tracker.domain.money import MoneyError, parse_eur
    from pilot_tracker.domain.stages import (
        TransitionError,
        check_plain_update,
        stage_after_decision,
    )

    def cost_split(call: Any) -> str:
        with pytest.raises(CostSplitError) as caught:
            call()
        return caught.value.message

    def transition(call: Any) -> str:
        with pytest.raises(TransitionError) as caught:
            call()
        return caught.value.message

    def money(text: str) -> str:
        with pytest.raises(MoneyError) as caught:
            parse_eur(text)
        return caught.value.message

    yield cost_split(lambda: parse_manual_percentages({"091": "33.333", "418": "66.667"})), "091"
    yield cost_split(lambda: parse_manual_percentages({"091": "150", "418": "0"})), "091"
    yield cost_split(lambda: parse_manual_percentages({"091": "abc", "418": "0"})), "091"
    yield cost_split(lambda: parse_manual_percentages({"091": "40", "418": "50"})), "90,00"
    yield (
        cost_split(
            lambda: split_cost(SplitMethod.MANUAL, 100, {"091": 1, "418": 1}, {"091": Decimal(100)})
        ),
        "418",
    )
    yield (
        cost_split(
            lambda: split_cost(
                SplitMethod.MANUAL,
                100,
                {"091": 1},
                {"091": Decimal(50), "418": Decimal(25), "536": Decimal(25)},
            )
        ),
        "418, 536",
    )
    yield cost_split(lambda: split_cost(SplitMethod.PER_CAPITA, 100, {"091": 0})), ""
    yield cost_split(lambda: largest_remainder(100, {})), ""
    yield transition(lambda: check_plain_update(Stage.SCALING, Stage.IDEA)), "Laajentaminen"
    yield transition(lambda: check_plain_update(Stage.EVALUATION, Stage.PLANNING)), "Arviointi"
    yield transition(lambda: check_plain_update(Stage.PLANNING, Stage.SCALING)), ""
    yield transition(lambda: check_plain_update(Stage.PLANNING, Stage.STOPPED)), ""
    yield (
        transition(lambda: stage_after_decision(Stage.STOPPED, Gate.START, Outcome.GO)),
        "Lopetettu",
    )
    yield (
        transition(lambda: stage_after_decision(Stage.PILOTING, Gate.SCALE_UP, Outcome.GO)),
        "Väliarviointi",
    )
    yield (
        transition(lambda: stage_after_decision(Stage.EVALUATION, Gate.SCALE_UP, Outcome.GO, True)),
        "",
    )
    yield business_id_error("0201256-5") or "", "0201256-5"
    yield business_id_error("123") or "", "0201256-6"
    yield business_id_error("0000006-1") or "", "0000006-1"
    yield money("12,345"), ""
    yield money("abc"), "abc"
    yield money("-5"), ""
    yield money("1" * 20), "100"


@pytest.mark.parametrize(("message", "value"), list(_domain_errors()))
def test_domain_messages_are_shown_in_finnish(app: Flask, message: str, value: str) -> None:
    from pilot_tracker.catalogue import render

    with app.test_request_context(headers={"Accept-Language": "fi"}):
        finnish = render(message)
    assert finnish != message, f"no Finnish for {message!r}"
    assert value in finnish


def test_domain_messages_inside_import_messages_are_translated(app: Flask) -> None:
    from pilot_tracker.catalogue import render
    from pilot_tracker.domain.errors import Message

    embedded = Message(
        "import_last_decision_left_pilot_stage",
        stage="scaling",
        reason=Message("final_stage_no_change", stage=Stage.SCALING),
    )
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        finnish = render(embedded)
    assert finnish.startswith("Viimeisin päätös jätti kokeilun vaiheeseen scaling: ")
    assert finnish.endswith("(Laajentaminen): sen vaihe ei voi enää muuttua.")


def test_manual_share_errors_in_the_pilot_form_are_finnish(
    client: FlaskClient, actors: Actors, pilot_id: int
) -> None:
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot_id}/edit"
    html = client.get(path).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    assert version
    data = {
        "csrf_token": csrf_token(client, path),
        "version": version.group(1),
        "name": "Kielikokeilu",
        "theme": Theme.FACILITY_BOOKING.value,
        "stage": Stage.PILOTING.value,
        "split_method": SplitMethod.MANUAL.value,
        "participants": ["091", "418", "092"],
        "lead_municipality": "091",
        "share-091": "40",
        "share-418": "30",
        "share-092": "20",
        "budget": "1234,50",
        "external_funding": "0",
        "estimated_annual_savings": "0",
        "action": "preview",
    }
    html = client.post(path, data=data).get_data(as_text=True)
    assert "Osuuksien summa on 90,00 %; summan on oltava tasan 100,00 %." in html


def test_rag_labels_never_fall_back_to_english(app: Flask) -> None:
    from pilot_tracker.language.labels import label

    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert [label(r) for r in Rag] == [
            "Grön: enligt plan",
            "Gul: i riskzonen",
            "Röd: avviker från planen",
        ]


def test_admin_history_names_fields_and_values_in_the_pages_language(
    client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.admin)
    html = _page(client, f"/admin/users/{actors.coordinator.id}", "fi")
    history = html[html.index('id="history-heading"') :]
    assert "Rooli: Koordinaattori" in history
    assert "Käytössä: Kyllä" in history
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", history)  # dates formatted, not ISO text
