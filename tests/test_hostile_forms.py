"""Every HTML form of the app, fuzzed: hostile values never get a 5xx and are never half-saved.

The forms are found the way tests/test_security.py finds them for CSRF: every POST route of
`app.url_map` outside the token API, so a new form is fuzzed without touching this file.
Each form is read from the page that shows it (as a browser reads it: its fields, their
current values, options and buttons), then posted signed in as an admin with a valid CSRF
token and hypothesis' choice of fields replaced by hostile values: huge, empty, Unicode
(RTL, emoji), control characters and NUL, lone surrogates (sent as the invalid UTF-8 a
broken client would send), numbers as text, spreadsheet formulas, SQL and markup.

Outcomes: never 5xx; a body over MAX_CONTENT_LENGTH is 413; and whenever the form is
answered without the redirect that follows a save, the database is byte for byte as before.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule

from pilot_tracker import create_app
from pilot_tracker.domain.enums import Direction
from pilot_tracker.extensions import db
from pilot_tracker.models import User
from pilot_tracker.services.costs import CostData, record_cost
from pilot_tracker.services.reporting import add_kpi
from pilot_tracker.services.tokens import create_token
from tests.conftest import Actors, login_as
from tests.factories import PASSWORD, make_pilot
from tests.hostile_helpers import (
    Control,
    FormSpec,
    fingerprint,
    hostile_text,
    is_csrf,
    multipart,
    parse_forms,
    urlencoded,
)


def _form_rules(app: Flask) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or set()) and not rule.rule.startswith("/api/")
        ),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


# Read once at collection, so that each form is a test of its own (and a new form a new test).
FORM_ENDPOINTS = [rule.endpoint for rule in _form_rules(create_app("testing"))]
# A save that answers with the page instead of a redirect: the token is shown once, on it.
# The one-click unsubscribe answers a mail client with a page, not a redirect (RFC 8058).
SAVES_WITHOUT_REDIRECT = {"auth.create_token", "mail.create_calendar", "mail.unsubscribe"}
REDIRECT = (301, 302, 303)
# After these the form is read again: a save changes it (its version), a redirect may mean
# that the session ended (sign-out, a new password).
RELOAD_AFTER = (*REDIRECT, 401, 403)
EXAMPLES = 10
# The page that shows each POST-only form (None: none does), found once per run.
HOSTS: dict[str, Rule | None] = {}


def _follow_up_item(pilot_id: int) -> int:
    """An item of the pilot's follow-up plan owned by its vendor (its status form)."""
    from pilot_tracker.domain.follow_up import OwnerKind
    from pilot_tracker.services.follow_up import Owner, create_item
    from pilot_tracker.services.pilots import load_pilot_for_update

    pilot = load_pilot_for_update(pilot_id)
    assert pilot is not None
    return create_item(pilot, "Fuzzed item", Owner(OwnerKind.VENDOR)).id


def _gate_meeting(pilot_id: int) -> int:
    """A planned meeting of the pilot's steering group (its change and cancel forms)."""
    from datetime import timedelta

    from pilot_tracker.domain.enums import Gate
    from pilot_tracker.services.gate_meetings import MeetingData, open_gates, plan_meeting
    from pilot_tracker.services.pilots import load_pilot_for_update

    pilot = load_pilot_for_update(pilot_id)
    assert pilot is not None
    gate = open_gates(pilot)[0] if open_gates(pilot) else Gate.START
    soon = date.today() + timedelta(days=30)
    return plan_meeting(pilot, MeetingData(gate, soon, place="Fuzzed hall")).id


class FormWorld:
    """An admin, a pilot with a KPI, a council user and a vendor for the forms to act on."""

    def __init__(self, app: Flask, actors: Actors) -> None:
        from decimal import Decimal

        self.app = app
        self.admin_id = actors.admin.id
        pilot = make_pilot(vendor=actors.vendor_a, name="Fuzzed pilot")
        add_kpi(pilot, "Käyttäjät", "kpl", Decimal(0), Decimal(100), Direction.INCREASE)
        cost = record_cost(pilot, CostData(date.today(), 100_000, reference="Fuzzed"))
        token, _plaintext = create_token(actors.admin, name="fuzzed")
        item = _follow_up_item(pilot.id)
        self.values: dict[str, Any] = {
            "item_id": item,
            "meeting_id": _gate_meeting(pilot.id),
            "pilot_id": pilot.id,
            "user_id": actors.council.id,
            "vendor_id": actors.vendor_a.id,
            "token_id": token.id,
            "cost_id": cost.id,
            "code": "418",
        }
        # Secret-address forms (a password link, an unsubscribe page) need a working secret.
        self.endpoint_values: dict[str, dict[str, Any]] = _secret_values(actors)

    def path(self, rule: Rule, method: str = "POST") -> str:
        known = {**self.values, **self.endpoint_values.get(rule.endpoint, {})}
        values = {
            name: known.get(name, 1 if isinstance(conv, IntegerConverter) else "x")
            for name, conv in rule._converters.items()
        }
        return self.app.url_map.bind("localhost").build(rule.endpoint, values, method=method)

    def sign_in(self, client: FlaskClient, anonymous: bool) -> None:
        """The admin as stored now (a form may have changed the session nonce)."""
        if anonymous:
            login_as(client, None)
            return
        with self.app.app_context():
            admin = db.session.get(User, self.admin_id)
            assert admin is not None
            db.session.refresh(admin)
            login_as(client, admin)

    def form(self, client: FlaskClient, rule: Rule) -> FormSpec:
        """The form that posts to the rule's path, read from the page that shows it."""
        path = self.path(rule)
        candidates = [rule] if "GET" in (rule.methods or set()) else []
        if rule.endpoint in HOSTS:
            host = HOSTS[rule.endpoint]
            candidates += [host] if host is not None else []
        else:
            # Forms live on the page above their path (/profile for /profile/tokens); any
            # other page is searched only when that fails.
            others = [(self.path(r, "GET"), r) for r in self._get_rules()]
            others.sort(key=lambda pair: (not path.startswith(pair[0]), -len(pair[0])))
            candidates += [r for _page, r in others]
        for candidate in candidates:
            page = self.path(candidate, "GET")
            response = client.get(page)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in parse_forms(response.get_data(as_text=True), page):
                if form.method == "post" and form.action == path:
                    if candidate is not rule:
                        HOSTS[rule.endpoint] = candidate
                    return form
        HOSTS.setdefault(rule.endpoint, None)  # shown on no page: no need to look again
        return self._generic_form(client, path)

    def signed_in_form(self, client: FlaskClient, rule: Rule, anonymous: bool) -> FormSpec:
        """A fresh session (admin, or signed out) and the form as its page shows it now."""
        self.sign_in(client, anonymous)
        return self.form(client, rule)

    def _get_rules(self) -> list[Rule]:
        return [
            r
            for r in self.app.url_map.iter_rules()
            if "GET" in (r.methods or set())
            and r.endpoint != "static"
            and not r.rule.startswith("/api/")
            and not r.rule.endswith((".csv", ".xlsx"))
        ]

    def _generic_form(self, client: FlaskClient, path: str) -> FormSpec:
        """A form no page shows as it is (the import's second step, reactivating an active
        user): the session's CSRF token under every prefix the path suggests, and common
        field names, bare and prefixed with the path's last word (`run-files`)."""
        token = ""
        for page in ("/profile", "/login"):
            response = client.get(page)
            if response.status_code == 200:
                for form in parse_forms(response.get_data(as_text=True), page):
                    token = next((v for n, v in form.csrf() if n == "csrf_token"), token)
        spec = FormSpec(path, "post", "multipart/form-data", shown=False)
        words = [w for w in path.split("/") if w and not w.isdigit()]
        for prefix in ["", *(f"{w}-" for w in words)]:
            spec.controls.append(Control(f"{prefix}csrf_token", "hidden", token))
        for prefix in ["", f"{words[-1]}-"]:
            for name in ("name", "text", "checked"):
                spec.controls.append(Control(f"{prefix}{name}", "text"))
            spec.controls.append(Control(f"{prefix}files", "file"))
        return spec


def _secret_values(actors: Actors) -> dict[str, dict[str, Any]]:
    """An invitation link and an unsubscribe token, made as the product makes them."""
    import sqlalchemy as sa

    from pilot_tracker.models import OutboxMessage
    from pilot_tracker.services import account_links, reminders

    account_links.invite_user("fuzzed-invited@example.com", "council")
    body = db.session.scalars(
        sa.select(OutboxMessage.body_text).where(
            OutboxMessage.recipient == "fuzzed-invited@example.com"
        )
    ).one()
    invitation = body.split("/account/", 1)[1].split()[0]
    return {
        "mail.account_link": {"token": invitation},
        "mail.unsubscribe": {"token": reminders.unsubscribe_token(actors.council)},
    }


# Plain valid values for fields a page leaves empty, by field name (without its prefix), so
# that forms for new records can be saved too and a hostile value in one field gets stored
# when it passes. A field with choices takes the hint if it is a choice, else the first one.
TODAY = date.today().isoformat()
HINTS = {
    "name": "Tavallinen nimi",
    "text": "Etenee hyvin.",
    "unit": "kpl",
    "baseline": "0",
    "target": "100",
    "value": "5",
    "progress_percent": "50",
    "rag": "green",
    "direction": "increase",
    "measured_on": TODAY,
    "entry_date": TODAY,
    "amount": "100,00",
    "reported_on": TODAY,
    "decided_on": TODAY,
    "gate": "start",
    "outcome": "continue",
    "decided_by": "kunnanhallitus",
    "rationale": "Perustelu.",
    "business_id": "0827616-7",
    "email": "fuzzed@example.com",
    "role": "council",
    "password": "fuzzed password 2026",
    "confirm": "fuzzed password 2026",
    "new_password": "fuzzed password 2026",
    "current_password": PASSWORD,
    "municipality": "536",
    "body": "board",
    "title": "Jatkotoimenpide",
    "owner": "coordinator",
    "status": "in_progress",
    "lesson": "Opittiin paljon.",
    "meets_on": (date.today() + timedelta(days=30)).isoformat(),
    "starts_at": "13:00",
    "place": "Kunnantalo",
}


def base_submission(spec: FormSpec) -> list[tuple[str, str]]:
    """The form as its page filled it in, with the empty fields given plain valid values."""
    pairs = [(n, v) for n, v in spec.defaults() if not is_csrf(n)]
    filled = {n for n, v in pairs if v}
    for name in spec.names:
        if name in filled:
            continue
        hint = HINTS.get(name.rsplit("-", 1)[-1])
        choices = spec.choices(name)
        if "" in choices and hint not in choices:
            continue  # "none" is one of the choices
        if choices:
            value = hint if hint in choices else choices[0]
        elif hint is not None and not spec.is_file(name):
            value = hint
        else:
            continue
        pairs = [(n, v) for n, v in pairs if n != name] + [(name, value)]
    return pairs


FILE_CONTENTS = st.one_of(
    st.binary(max_size=2_000),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbfref;name;theme\r\nP1;=cmd|' /C calc'!A0;permits\r\n",
            b"PK\x03\x04garbage",
            b"\x00" * 100,
            "ref;name\r\nP1;ÄÖ\r\n".encode("utf-16"),
        ]
    ),
    hostile_text(50_000).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
FILE_NAMES = st.sampled_from(
    ["pilots.csv", "portfolio.xlsx", "x.exe", "", "../../etc/passwd.csv", "a\x00.csv", "😀.xlsx"]
)


def draw_submission(
    data: st.DataObject, spec: FormSpec
) -> tuple[list[tuple[str, str]], list[tuple[str, str, bytes]]]:
    """The form's own values with hypothesis' choice of fields made hostile or left out."""
    names = spec.names
    # Mostly one or two fields at a time, so that the rest of the form stays valid and a
    # hostile value that passes validation really is saved (and then shown again).
    fields = st.sets(st.sampled_from(names), min_size=1, max_size=2) if names else st.just(set())
    hostile = data.draw(fields)
    missing = data.draw(st.sets(st.sampled_from(names), max_size=1) if names else st.just(set()))
    pairs = list(spec.csrf())
    files: list[tuple[str, str, bytes]] = []
    for name, value in base_submission(spec):
        if name not in hostile and name not in missing:
            pairs.append((name, value))
    for name in sorted(hostile):
        if spec.is_file(name):
            files.append((name, data.draw(FILE_NAMES), data.draw(FILE_CONTENTS)))
            continue
        choices = spec.choices(name)
        values = st.one_of(hostile_text(), st.sampled_from(choices)) if choices else hostile_text()
        pairs += [(name, v) for v in data.draw(st.lists(values, min_size=1, max_size=3))]
    if spec.buttons:
        button = data.draw(st.sampled_from([None, *spec.buttons]))
        if button is not None:
            pairs.append(button)
    return pairs, files


def assert_stays_on_the_site(location: str, where: str) -> None:
    """A redirect goes to a path of this site (a browser reads "/\\x" as "//x")."""
    url = urlsplit(location)
    assert url.scheme in ("", "http") and url.netloc in ("", "localhost"), (where, location)
    assert not url.path.startswith(("//", "/\\")) and "\\" not in url.path, (where, location)


def _refused_in_place(html: str) -> bool:
    return 'class="error"' in html or 'aria-invalid="true"' in html or "error-summary" in html


class FormFuzzer:
    """Posts to one form and checks each answer; reads the form again when it may have
    changed (after a save) or the session may have (after a redirect or a refusal)."""

    def __init__(self, app: Flask, actors: Actors, endpoint: str) -> None:
        with app.app_context():
            self.world = FormWorld(app, actors)
        self.app = app
        self.endpoint = endpoint
        self.rule = next(r for r in _form_rules(app) if r.endpoint == endpoint)
        self.path = self.world.path(self.rule)
        self.client = app.test_client()
        self.client.set_cookie("lang", "en")
        # A page for signed-out people only (the sign-in) is fuzzed signed out.
        self.world.sign_in(self.client, anonymous=False)
        self.anonymous = (
            "GET" in (self.rule.methods or set())
            and self.client.get(self.path).status_code in REDIRECT
        )
        self.spec = self.world.signed_in_form(self.client, self.rule, self.anonymous)
        self.last: dict[str, Any] | None = None
        if "GET" in (self.rule.methods or set()):
            assert self.spec.shown, f"{self.path} shows no form that posts to itself"

    def post(self, pairs: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> int:
        """Send one submission; assert no 5xx, 413 past the limit, nothing half-saved."""
        if files or self.spec.enctype == "multipart/form-data":
            body, content_type = multipart(pairs, files)
        else:
            body, content_type = urlencoded(pairs), "application/x-www-form-urlencoded"
        # Reading pages writes nothing, so the database is still as the last post left it.
        before = self.last
        if before is None:
            with self.app.app_context():
                before = fingerprint()
        response = self.client.post(self.path, data=body, content_type=content_type)
        status = response.status_code
        html = response.get_data(as_text=True)
        assert status < 500, (self.endpoint, status)
        if status in REDIRECT:
            assert_stays_on_the_site(response.headers["Location"], self.endpoint)
        if len(body) > self.app.config["MAX_CONTENT_LENGTH"]:
            assert status == 413, (self.endpoint, len(body), status)
        saved = status in REDIRECT or (
            self.endpoint in SAVES_WITHOUT_REDIRECT
            and status == 200
            and not _refused_in_place(html)
        )
        with self.app.app_context():
            self.last = fingerprint()
        if not saved:
            assert self.last == before, (self.endpoint, status, "written though refused")
        if status in RELOAD_AFTER or saved:
            self.spec = self.world.signed_in_form(self.client, self.rule, self.anonymous)
        return status


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
def test_every_form_answers_hostile_values_without_5xx_and_saves_nothing_it_refuses(
    app: Flask, actors: Actors, endpoint: str
) -> None:
    fuzzer = FormFuzzer(app, actors, endpoint)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(data=st.data())
    def post_hostile_values(data: st.DataObject) -> None:
        fuzzer.post(*draw_submission(data, fuzzer.spec))

    post_hostile_values()


# One value with everything at once (so a field is tried with all of it in one request),
# the same without NUL (which is refused before anything else is looked at), and a lot of
# text (mostly ASCII: percent-decoding a megabyte of %C3%A4 takes the test client seconds).
EVERYTHING = (
    "=cmd|' /C calc'!A0 \x00 <script>alert(1)</script> ' OR 1=1 -- \u202e😀 \x1b\x7f"
    ' "><img src=x onerror=alert(1)>'
)
CRITICAL_VALUES = (
    EVERYTHING,
    EVERYTHING.replace("\x00", ""),
    "x" * 100_000 + "ä😀\u202e",
    "/\\evil.example/\r\nSet-Cookie: hacked=1",  # for a field that names where to go next
)


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
def test_each_field_of_every_form_takes_the_worst_values_one_at_a_time(
    app: Flask, actors: Actors, endpoint: str
) -> None:
    """Every field alone with the worst values, the rest of the form as the page filled it
    in, sent with the form's last (main) button: no 5xx, nothing saved unless saved whole."""
    fuzzer = FormFuzzer(app, actors, endpoint)
    for name in fuzzer.spec.names:
        for value in CRITICAL_VALUES:
            spec = fuzzer.spec
            pairs = [*spec.csrf(), *((n, v) for n, v in base_submission(spec) if n != name)]
            files = []
            if spec.is_file(name):
                files.append((name, "pilots.csv", value.encode("utf-8")))
            else:
                pairs.append((name, value))
            fuzzer.post(pairs + spec.buttons[-1:], files)
