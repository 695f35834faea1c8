"""Errors as codes: every code raised has a catalogue entry that renders in Finnish, Swedish
and English, and the API answers a refusal wholly in the language Accept-Language asks for
(English without one), whoever the token's user is and whichever service refused."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import gettext

from pilot_tracker.api.core import LIBRARY_MESSAGES
from pilot_tracker.catalogue import CATALOGUE, render
from pilot_tracker.domain.enums import Gate, Stage
from pilot_tracker.domain.errors import Message
from pilot_tracker.web import errors
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors
from tests.factories import make_pilot

SOURCES = Path(__file__).resolve().parent.parent / "pilot_tracker"
# The error classes whose first argument is a catalogue code (or a Message).
ERROR_CLASSES = {
    "DomainError",
    "TransitionError",
    "KpiError",
    "SpreadError",
    "ProjectionError",
    "MunicipalDecisionError",
    "CostSplitError",
    "MoneyError",
    "CellError",
    "FileFormatError",
    "Message",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _sources() -> list[tuple[Path, ast.AST]]:
    return [(path, ast.parse(path.read_text("utf-8"))) for path in sorted(SOURCES.rglob("*.py"))]


def _raised_codes() -> dict[str, list[str]]:
    """Each code a Message or an error class is made with, and where."""
    found: dict[str, list[str]] = {}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            first = node.args[0]
            if name in ERROR_CLASSES and isinstance(first, ast.Constant):
                where = f"{path.relative_to(SOURCES.parent)}:{node.lineno}"
                found.setdefault(str(first.value), []).append(where)
    return found


def _sample(name: str) -> Any:
    return {"stage": Stage.PILOTING, "gate": Gate.START, "gates": (Gate.MIDPOINT,)}.get(name, "091")


def test_every_code_made_anywhere_has_a_catalogue_entry() -> None:
    raised = _raised_codes()
    unknown = {code: where for code, where in raised.items() if code not in CATALOGUE}
    assert not unknown
    # Sanity of the scan itself: it sees the domain's and the services' raise sites.
    assert {"cannot_move_back", "business_id_check_digit", "vendor_name_required"} <= set(raised)


def test_every_catalogue_entry_is_used() -> None:
    constants = {
        node.value
        for path, tree in _sources()
        if path.name != "catalogue.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert sorted(set(CATALOGUE) - constants) == []


def test_no_error_is_raised_as_an_english_sentence() -> None:
    """Nothing makes an error class or a service's field error from a bare sentence."""
    sentences = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            first = node.args[0]
            if name in ERROR_CLASSES - {"Message"} and isinstance(first, ast.JoinedStr):
                sentences.append(f"{path.name}:{node.lineno}")
            if (
                name in ERROR_CLASSES
                and isinstance(first, ast.Constant)
                and " " in str(first.value)
            ):
                sentences.append(f"{path.name}:{node.lineno}")
    assert sentences == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_entry_renders_in_each_language(app: Flask, language: str) -> None:
    untranslated = []
    for code, entry in CATALOGUE.items():
        params: dict[str, Any] = {
            name: _sample(name) for name in PLACEHOLDER.findall(entry.template)
        }
        if entry.plural is not None:
            params[entry.count] = 2
        with app.test_request_context("/", headers={"Accept-Language": language}):
            text = render(Message(code, **params))
        assert text and "%(" not in text, code
        # The translation keeps every value (a municipality code stands for all of them).
        assert "091" in text or "091" not in params.values(), code
        english = str(Message(code, **params))
        letters = re.sub(r"%\(\w+\)s", "", entry.template).strip(" .")
        if language != "en" and letters and text == english:
            untranslated.append(code)
    assert untranslated == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("stopped_needs_no_go", "a no-go decision"),
        ("scaling_needs_go", "at the scale-up gate"),
        ("newcomer_outside_scale_up", "at the scale-up gate"),
    ],
)
def test_refusals_on_forms_name_gates_and_outcomes_in_words_in_english(
    app: Flask, code: str, words: str
) -> None:
    """A form's refusal reads as English, not as the codes the import files use."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        text = render(Message(code))
    assert words in text
    assert "no_go" not in text and "scale_up" not in text


def test_stages_and_gates_render_by_their_labels(app: Flask) -> None:
    message = Message("gate_closed", gate=Gate.START, stage=Stage.PILOTING, gates=(Gate.MIDPOINT,))
    assert "start decision cannot be made while the pilot is in piloting" in message
    with app.test_request_context("/", headers={"Accept-Language": "fi"}):
        finnish = render(message)
    assert "”Käynnistys”" in finnish and "”Kokeilu käynnissä”" in finnish
    assert finnish.endswith(": Väliarviointi.")


# --- the API answers in one language ---------------------------------------------------------


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def _expected(app: Flask, language: str | None, message: Message) -> dict[str, str]:
    headers = {"Accept-Language": language} if language else {}
    with app.test_request_context("/api/v1/pilots", headers=headers):
        return {
            "title": str(errors.TITLES[422]),
            "detail": gettext("Some fields are invalid; see errors."),
            "field": render(message),
        }


def _refusals(app: Flask, api: ApiCaller, actors: Actors, language: str | None) -> list[Any]:
    headers = {"Accept-Language": language} if language else {}
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a, stage=Stage.PILOTING)
    decision = {
        "gate": "start",
        "outcome": "go",
        "date": "2026-02-01",
        "decided_by": "kunnanhallitus",
        "rationale": "Hyvä suunnitelma.",
    }
    pilot_answer = assert_problem(
        api.post(
            "coordinator", f"/api/v1/pilots/{pilot.id}/decisions", json=decision, headers=headers
        ),
        422,
    )
    vendor_answer = assert_problem(
        api.post(
            "admin",
            "/api/v1/vendors",
            json={"name": "X Oy", "business_id": "0827616-8"},
            headers=headers,
        ),
        422,
    )
    return [
        (
            pilot_answer,
            "gate",
            Message("gate_closed", gate=Gate.START, stage=Stage.PILOTING, gates=(Gate.MIDPOINT,)),
        ),
        (
            vendor_answer,
            "business_id",
            Message("business_id_check_digit_short", value="0827616-8"),
        ),
    ]


@pytest.mark.parametrize("language", [None, "fi", "sv", "en", "de"])
def test_a_pilot_and_a_vendor_refusal_come_back_in_one_language(
    app: Flask, api: ApiCaller, actors: Actors, language: str | None
) -> None:
    for body, field, message in _refusals(app, api, actors, language):
        expected = _expected(app, language, message)
        assert body["title"] == expected["title"]
        assert body["detail"] == expected["detail"]
        assert body["errors"][field] == [expected["field"]]
    english = _expected(app, "en", Message("amount_too_large"))
    if language in ("fi", "sv"):
        assert expected["title"] != english["title"]
        assert expected["detail"] != english["detail"]
        assert expected["field"] != str(message)
    else:
        # No language asked (or one the app does not speak): English, not the language of
        # the token's user (Finnish in these fixtures) nor Finnish by default.
        assert expected["title"] == english["title"] == "Invalid input"
        assert expected["detail"] == "Some fields are invalid; see errors."


def test_the_api_ignores_the_users_interface_language(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User

    with app.app_context():
        user = db.session.get(User, actors.admin.id)
        assert user is not None
        user.language = "sv"
        db.session.commit()
    body = assert_problem(
        api.post("admin", "/api/v1/vendors", json={"name": "X Oy", "business_id": "0201256-6"}), 422
    )
    assert body["title"] == "Invalid input"
    assert body["errors"]["business_id"] == [
        "Another vendor already has the business ID 0201256-6."
    ]
    fi = assert_problem(
        api.post(
            "admin",
            "/api/v1/vendors",
            json={"name": "X Oy", "business_id": "0201256-6"},
            headers={"Accept-Language": "fi"},
        ),
        422,
    )
    with app.test_request_context("/api/v1/vendors", headers={"Accept-Language": "fi"}):
        assert fi["errors"]["business_id"] == [
            render(Message("business_id_taken", value="0201256-6"))
        ]
    assert fi["errors"]["business_id"] != body["errors"]["business_id"]


def test_the_openapi_document_says_how_the_language_is_chosen(api: ApiCaller) -> None:
    description = api.get(None, "/api/v1/openapi.json").get_json()["info"]["description"]
    assert "Accept-Language" in description and "English unless" in description


@pytest.mark.parametrize("language", ["sv", None])
def test_the_apis_warnings_speak_the_language_asked_for(
    app: Flask, api: ApiCaller, language: str | None
) -> None:
    from pilot_tracker.domain.errors import Cents
    from tests.api_helpers import API_MD_PILOT

    headers = {"Accept-Language": language} if language else {}
    body = {**API_MD_PILOT, "vendor_id": None, "budget_eur": "60000000.00"}
    response = api.post("coordinator", "/api/v1/pilots", json=body, headers=headers)
    assert response.status_code == 201
    first = response.get_json()["warnings"][0]
    with app.test_request_context("/api/v1/pilots", headers=headers):
        expected = render(Message("budget_large", budget=Cents(6_000_000_000)))
    assert first["code"] == "budget_large" and first["message"] == expected
    assert ("Budgeten" in expected) == (language == "sv")


# The API's own input checks (marshmallow's messages and its validators), in each language:
# (method, path, body, field, fi, sv, en).
INPUT_REFUSALS = [
    (
        "POST",
        "/api/v1/vendors",
        {"name": 5},
        "business_id",
        "Pakollinen kenttä puuttuu.",
        "Ett obligatoriskt fält saknas.",
        "Missing data for required field.",
    ),
    (
        "POST",
        "/api/v1/vendors",
        {"name": 5},
        "name",
        "Ei kelvollinen merkkijono.",
        "Inte en giltig teckensträng.",
        "Not a valid string.",
    ),
    (
        "GET",
        "/api/v1/pilots?page=x",
        None,
        "page",
        "Ei kelvollinen kokonaisluku.",
        "Inte ett giltigt heltal.",
        "Not a valid integer.",
    ),
    (
        "GET",
        "/api/v1/pilots?per_page=500",
        None,
        "per_page",
        "Arvon on oltava vähintään 1 ja enintään 200.",
        "Värdet ska vara minst 1 och högst 200.",
        "Must be greater than or equal to 1 and less than or equal to 200.",
    ),
    (
        "GET",
        "/api/v1/pilots?region=6",
        None,
        "region",
        "Kaksi numeroa, esim. 06.",
        "Två siffror, t.ex. 06.",
        "Two digits, e.g. 06.",
    ),
    (
        "POST",
        "/api/v1/vendors",
        {"name": "", "business_id": "0201256-6"},
        "name",
        "Pituuden on oltava välillä 1–200.",
        "Längden ska vara mellan 1 och 200.",
        "Length must be between 1 and 200.",
    ),
    (
        "POST",
        "/api/v1/vendors",
        {"name": "X Oy", "business_id": "0201256-6", "colour": "red"},
        "colour",
        "Tuntematon kenttä.",
        "Okänt fält.",
        "Unknown field.",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "fi", "sv", "en"), INPUT_REFUSALS)
def test_the_apis_own_input_checks_answer_in_the_language_asked_for(
    api: ApiCaller,
    method: str,
    path: str,
    body: Any,
    field: str,
    fi: str,
    sv: str,
    en: str,
) -> None:
    """Title, detail and every field message in one language, marshmallow's own included."""
    for language, text in (("fi", fi), ("sv", sv), ("en", en), (None, en)):
        headers = {"Accept-Language": language} if language else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["json"] = body
        answer = assert_problem(api.call(method, "admin", path, **kwargs), 422)
        assert answer["errors"][field] == [text], (language, answer)
        for messages in answer["errors"].values():
            # No English library message is left in a Finnish or Swedish answer.
            assert language in (None, "en") or not any(m in LIBRARY_MESSAGES for m in messages), (
                language,
                answer,
            )
