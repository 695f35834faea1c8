"""SQL injection and XSS probes on every filter and every text field; oversized requests.

- Every query parameter a page's GET forms offer (pilot list, dashboards, admin lists, the
  public page, exports...) and every query parameter of the API (from its OpenAPI
  document) gets SQL and markup probes, as an admin, a vendor and signed out: no 5xx, no
  markup echoed unescaped, no rows beyond what the page shows unfiltered, and a search for
  a probe finds nothing.
- Probes stored in every text field (through the API, which returns them as plain JSON
  strings) come back escaped on every page that shows them, for every role; the tables
  are intact and hold the probes verbatim.
- Ids beyond the database's integer range and absurd page numbers are a 404 or an empty
  page, never an overflow.
- A request body over MAX_CONTENT_LENGTH is refused with 413 by a form, the API and the
  import upload, and nothing is written.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.extensions import db
from pilot_tracker.models import (
    ApiToken,
    Decision,
    Kpi,
    Measurement,
    Pilot,
    StatusUpdate,
    User,
    Vendor,
)
from pilot_tracker.services.tokens import create_token
from pilot_tracker.services.users import update_profile
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import PASSWORD
from tests.hostile_helpers import (
    REDIRECT_PROBES,
    SQL_PROBES,
    XSS_MARKUP,
    XSS_PROBES,
    body_texts,
    build_vendor_portfolio,
    fingerprint,
    get_rules,
    harvest_strings,
    is_int_param,
    page_links,
    parse_forms,
    row_counts,
    rule_paths,
)

# NUL: PostgreSQL refuses it, so unchecked it failed as a 500 in any text filter.
PROBES = (*SQL_PROBES, *XSS_PROBES, "9" * 30, "-1", "a\x00b")
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def assert_no_markup_executes(response: Any, where: str) -> None:
    """An HTML page shows no probe as live markup and links to no javascript: URL."""
    if response.mimetype != "text/html":
        return
    html = response.get_data(as_text=True)
    for markup in XSS_MARKUP:
        assert markup not in html, (where, markup)
    assert not JAVASCRIPT_URL.search(html), where


def tokens_for(app: Flask, actors: Actors, names: tuple[str, ...]) -> dict[str, str]:
    with app.app_context():
        return {n: create_token(actors.by_name(n), name="probes")[1] for n in names}


# --- probes in filters -----------------------------------------------------------------------


def query_parameters(rule: Any, path: str, page: Any) -> set[str]:
    """The query parameters a page offers in its GET forms (or the API documents)."""
    if rule.rule.startswith("/api/"):
        return API_PARAMETERS.get(_openapi_path(rule.rule), set())
    names: set[str] = set()
    if page.mimetype == "text/html":
        for form in parse_forms(page.get_data(as_text=True), path):
            if form.method == "get":
                names |= {c.name for c in form.controls if c.name}
    return names


# Tried on every page besides what its forms offer (sorting and paging travel in links).
ALWAYS = {"q", "page", "sort", "order"}
API_PARAMETERS: dict[str, set[str]] = {}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def load_api_parameters(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        get = operations.get("get") or {}
        API_PARAMETERS[path] = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}


def markers_in(response: Any, markers: set[str]) -> set[str]:
    texts = body_texts(response.data)
    return {m for m in markers if any(m in text for text in texts)}


# A PDF or an image has no forms and reads only its path: it gets every probe at once, in
# one request (a brief PDF takes 0.3-1.5 s to lay out; 19 of them were a quarter of this
# test), and the NUL probe apart (a request with a NUL character is refused as a whole).
BUNDLED = ("".join(p for p in PROBES if "\x00" not in p), *(p for p in PROBES if "\x00" in p))


def probe_urls(path: str, names: set[str], mimetype: str = "text/html") -> list[tuple[str, bool]]:
    """(url, searches) for each probe: a page gets it in all its parameters at once (its
    filters ignore a bad value each on its own, so every one is tried); the API, whose
    validation refuses a request at its first bad parameter, one parameter at a time; a PDF
    or an image all probes together."""
    if mimetype == "application/pdf" or mimetype.startswith("image/"):
        return [
            (f"{path}?{urlencode(dict.fromkeys(sorted(names), p))}", "q" in names) for p in BUNDLED
        ]
    if path.startswith("/api/"):
        return [(f"{path}?{urlencode({n: p})}", n == "q") for n in sorted(names) for p in PROBES]
    return [(f"{path}?{urlencode(dict.fromkeys(sorted(names), p))}", "q" in names) for p in PROBES]


def test_sql_and_markup_probes_in_every_filter_find_nothing_extra_and_break_nothing(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        portfolios = [
            build_vendor_portfolio(actors.vendor_a, "PROBE-A", 1, public=True),
            build_vendor_portfolio(actors.vendor_b, "PROBE-B", 1, public=True),
        ]
    markers = {p.marker for p in portfolios}
    values = {"code": "418", "sheet": "pilots", "chart": "stages"}
    values["pilot_id"] = min(portfolios[0].pilots)
    load_api_parameters(app)
    tokens = tokens_for(app, actors, ("admin", "vendor_user"))
    with app.app_context():
        before = row_counts()
    searched: set[str] = set()
    for actor in ("admin", "vendor_user", "anonymous"):
        web = app.test_client()
        login_as(web, actors.by_name(actor))
        headers = {"Authorization": f"Bearer {tokens[actor]}"} if actor in tokens else {}
        for rule in get_rules(app):
            if not set(rule.arguments) <= set(values):
                continue
            path = app.url_map.bind("localhost").build(
                rule.endpoint, {n: values[n] for n in rule.arguments}
            )
            is_api = path.startswith("/api/")
            client = app.test_client() if is_api else web
            request_headers = headers if is_api else {}
            page = client.get(path, headers=request_headers)
            if page.status_code != 200:
                continue  # a page this actor may not open: the permission matrix tests that
            shown = markers_in(page, markers)
            declared = query_parameters(rule, path, page)
            names = declared | ({"q"} if is_api else ALWAYS)
            for url, searches in probe_urls(path, names, page.mimetype):
                response = client.get(url, headers=request_headers)
                assert response.status_code < 500, url
                assert_no_markup_executes(response, url)
                assert markers_in(response, markers) <= shown, url
                if searches and "q" in declared and response.status_code == 200:
                    searched.add(rule.endpoint)
                    # No pilot's name or summary holds any probe: a search finds none.
                    assert not markers_in(response, markers), url
                    if is_api and "items" in (response.get_json() or {}):
                        assert response.get_json()["items"] == [], url
    assert {"pilots.index", "public.index", "admin.users", "api.list_pilots"} <= searched
    with app.app_context():
        assert row_counts() == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pilot)) == 2


# --- probes stored in every text field -------------------------------------------------------

XSS_BUNDLE = "".join(XSS_PROBES)
SQL_BUNDLE = "".join(SQL_PROBES)


def probe(limit: int) -> str:
    """As many whole markup probes as fit in `limit` characters, then SQL ones."""
    text = ""
    for piece in (*XSS_PROBES, *SQL_PROBES):
        if len(text) + len(piece) <= limit:
            text += piece
    return text


def store_probes_through_the_api(app: Flask, actors: Actors) -> dict[str, Any]:
    """A public pilot of vendor A, its KPI, measurement, status update and decision, a
    vendor, a user and a token, every text of them a probe; returns the API's answers."""
    tokens = tokens_for(app, actors, ("coordinator",))
    headers = {"Authorization": f"Bearer {tokens['coordinator']}"}
    api = app.test_client()

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = api.post(path, json=body, headers=headers)
        assert response.status_code == 201, (path, response.get_data(as_text=True))
        return response.get_json()

    answers: dict[str, Any] = {}
    answers["vendor"] = post("/api/v1/vendors", {"name": probe(200), "business_id": "0827616-7"})
    answers["pilot"] = post(
        "/api/v1/pilots",
        {
            "name": probe(200),
            "summary": XSS_BUNDLE + SQL_BUNDLE,
            "theme": "facility_booking",
            "stage": "piloting",
            "lead_municipality": "418",
            "participants": ["418", "536"],
            "cost_split": {"method": "equal"},
            "budget_eur": "1000.00",
            # Dates put it on the portfolio's timeline, with its name in the chart's table.
            "start_date": "2026-01-01",
            "end_date": "2027-06-30",
            "vendor_id": actors.vendor_a.id,
            "public": True,
        },
    )
    pilot_id = answers["pilot"]["id"]
    answers["kpi"] = post(
        f"/api/v1/pilots/{pilot_id}/kpis",
        {
            "name": probe(200),
            "unit": probe(50),
            "baseline": "0",
            "target": "10",
            "direction": "increase",
        },
    )
    answers["measurement"] = post(
        f"/api/v1/kpis/{answers['kpi']['id']}/measurements",
        {"date": "2026-01-15", "value": "3", "note": XSS_BUNDLE + SQL_BUNDLE},
    )
    answers["status"] = post(
        f"/api/v1/pilots/{pilot_id}/status-updates",
        {"rag": "amber", "progress_percent": 30, "text": XSS_BUNDLE + SQL_BUNDLE},
    )
    answers["decision"] = post(
        f"/api/v1/pilots/{pilot_id}/decisions",
        {
            "gate": "midpoint",
            "outcome": "continue",
            "date": "2026-01-20",
            "decided_by": probe(200),
            "rationale": XSS_BUNDLE + SQL_BUNDLE,
            "follow_up": XSS_BUNDLE,
        },
    )
    with app.app_context():
        update_profile(db.session.get(User, actors.council.id), name=probe(200), language=None)
        create_token(actors.admin, name=probe(100))
    return answers


def test_stored_probes_come_back_as_plain_json_strings(app: Flask, actors: Actors) -> None:
    answers = store_probes_through_the_api(app, actors)
    assert answers["vendor"]["name"] == probe(200)
    assert answers["pilot"]["name"] == probe(200)
    assert answers["pilot"]["summary"] == XSS_BUNDLE + SQL_BUNDLE
    assert answers["kpi"]["name"] == probe(200) and answers["kpi"]["unit"] == probe(50)
    assert answers["measurement"]["note"] == XSS_BUNDLE + SQL_BUNDLE
    assert answers["status"]["text"] == XSS_BUNDLE + SQL_BUNDLE
    assert answers["decision"]["rationale"] == XSS_BUNDLE + SQL_BUNDLE
    with app.app_context():
        # Stored verbatim (bound parameters, never SQL) and every table still there.
        assert db.session.scalar(sa.select(Pilot.summary)) == XSS_BUNDLE + SQL_BUNDLE
        assert db.session.scalar(sa.select(Measurement.note)) == XSS_BUNDLE + SQL_BUNDLE
        for model in (Pilot, Kpi, Measurement, StatusUpdate, Decision, Vendor, User, ApiToken):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_stored_probes_are_escaped_on_every_page_for_every_role(app: Flask, actors: Actors) -> None:
    answers = store_probes_through_the_api(app, actors)
    pilot_id = answers["pilot"]["id"]
    with app.app_context():
        ids = {
            "pilot_id": {pilot_id},
            "kpi_id": {answers["kpi"]["id"]},
            "user_id": {actors.council.id, actors.admin.id},
            "vendor_id": {answers["vendor"]["id"], actors.vendor_a.id},
            "token_id": set(db.session.scalars(sa.select(ApiToken.id))),
        }
    admin = app.test_client()
    login_as(admin, actors.admin)
    links: list[str] = []
    for page in (f"/pilots/{pilot_id}", "/dashboard", "/export", "/municipalities/418"):
        links += page_links(admin.get(page).get_data(as_text=True), page)
    strings = harvest_strings(app, links)
    tokens = tokens_for(app, actors, ("admin", "council", "vendor_user"))
    with app.app_context():
        before = row_counts()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    shown_escaped: set[str] = set()
    for actor in ("admin", "council", "vendor_user", "anonymous"):
        web = app.test_client()
        login_as(web, actors.by_name(actor))
        headers = {"Authorization": f"Bearer {tokens[actor]}"} if actor in tokens else {}
        for rule in get_rules(app):
            int_names = [n for n in rule.arguments if is_int_param(rule, n)]
            candidates = set().union(*(ids.get(n, {pilot_id}) for n in int_names))
            for path in rule_paths(app, rule, candidates or {pilot_id}, strings):
                is_api = path.startswith("/api/")
                client = app.test_client() if is_api else web
                response = client.get(path, headers=headers if is_api else {})
                assert response.status_code < 500, (actor, path)
                assert_no_markup_executes(response, f"{actor} {path}")
                if response.mimetype == "text/html" and escaped in response.get_data(as_text=True):
                    shown_escaped.add(rule.endpoint)
                if response.mimetype.endswith("json") and response.status_code == 200:
                    _assert_plain_strings(response.get_json(), path)
    # The probes were really on the pages the list names, escaped (and admin pages too).
    assert {
        "pilots.detail",
        "pilots.index",
        "pilots.history",
        "pilots.vendor_home",
        "public.index",
        "dashboards.portfolio",
        "dashboards.municipality",
        "admin.users",
        "admin.edit_user",
        "admin.vendors",
        "auth.profile",
    } <= shown_escaped, shown_escaped
    with app.app_context():
        assert row_counts() == before


def _assert_plain_strings(value: Any, where: str) -> None:
    """A probe in JSON is the whole probe as a string, never escaped or cut."""
    text = json.dumps(value)
    if "alert(1)" in text:
        assert "&lt;" not in text and "\\u003c" not in text.lower(), where


# --- ids and page numbers beyond any database integer ----------------------------------------

HUGE_IDS = (2**31, 2**63, 10**30)


def test_ids_beyond_the_database_integer_range_are_404_on_every_route(
    app: Flask, actors: Actors
) -> None:
    tokens = tokens_for(app, actors, ("admin",))
    web = app.test_client()
    login_as(web, actors.admin)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not any(is_int_param(rule, n) for n in rule.arguments):
            continue
        for huge in HUGE_IDS:
            path = re.sub(r"<int[^>]*>", str(huge), rule.rule)
            path = re.sub(r"<[^>]+>", "x", path)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                if path.startswith("/api/"):
                    response = api.open(path, method=method, headers=headers, json={})
                else:
                    app.config["WTF_CSRF_ENABLED"] = method == "GET"
                    try:
                        response = web.open(path, method=method)
                    finally:
                        app.config["WTF_CSRF_ENABLED"] = True
                # Werkzeug answers 405 when only another method's rule took the number.
                allowed = (404,) if method == "GET" else (404, 405)
                assert response.status_code in allowed, (method, path, response.status_code)
                checked += 1
    assert checked > 30


def test_absurd_page_numbers_are_an_empty_page_or_a_refusal_never_an_overflow(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        pilot = build_vendor_portfolio(actors.vendor_a, "PAGES", 1, public=True)
    tokens = tokens_for(app, actors, ("admin",))
    web = app.test_client()
    login_as(web, actors.admin)
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    for rule in get_rules(app):
        values = {"pilot_id": min(pilot.pilots), "code": "418", "sheet": "pilots"}
        if not set(rule.arguments) <= set(values):
            continue
        path = app.url_map.bind("localhost").build(
            rule.endpoint, {n: values[n] for n in rule.arguments}
        )
        for page in ("0", "-1", str(2**31), str(2**63), "9" * 30, "1e9", "x"):
            url = f"{path}?{urlencode({'page': page, 'per_page': page})}"
            if path.startswith("/api/"):
                response = app.test_client().get(url, headers=headers)
            else:
                response = web.get(url)
            assert response.status_code < 500, url


# --- oversized requests ----------------------------------------------------------------------


def _too_big(app: Flask) -> int:
    return int(app.config["MAX_CONTENT_LENGTH"]) + 1


def test_an_oversized_form_is_refused_with_413_and_nothing_is_written(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    client.set_cookie("lang", "en")
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/pilots/new")
    body = f"csrf_token={token}&action=save&theme=permits&name=".encode()
    body += b"x" * (_too_big(app) - len(body))
    with app.app_context():
        before = fingerprint()
    response = client.post(
        "/pilots/new", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    with app.app_context():
        assert fingerprint() == before


def test_an_oversized_api_body_is_refused_with_413_problem_and_nothing_is_written(
    app: Flask, actors: Actors
) -> None:
    tokens = tokens_for(app, actors, ("coordinator",))
    body = json.dumps({"name": "x" * _too_big(app), "theme": "permits"}).encode()
    bearer = {"Authorization": f"Bearer {tokens['coordinator']}"}
    # A first call notes the token's use, so that what follows should write nothing at all.
    assert app.test_client().get("/api/v1/vendors", headers=bearer).status_code == 200
    with app.app_context():
        before = fingerprint()
    for path in ("/api/v1/pilots", "/api/v1/vendors"):
        response = app.test_client().post(
            path,
            data=body,
            content_type="application/json",
            headers=bearer,
        )
        assert response.status_code == 413, path
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 413
    with app.app_context():
        assert fingerprint() == before


def test_an_oversized_import_upload_is_refused_with_413_and_nothing_is_written(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.admin)
    token = csrf_token(client, "/import")
    boundary = "----oversized"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="p.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nref;name;theme;lead_municipality\r\n"
    ).encode()
    row = b"P1;Tilavaraus;permits;091\r\n"
    body = head + row * (_too_big(app) // len(row) + 1) + f"\r\n--{boundary}--\r\n".encode()
    with app.app_context():
        before = fingerprint()
    for path in ("/import", "/import/run"):
        response = client.post(
            path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
        assert response.status_code == 413, path
    with app.app_context():
        assert fingerprint() == before


# --- where redirects go ----------------------------------------------------------------------


def _assert_on_the_site(response: Any, where: str) -> None:
    assert response.status_code in (302, 303), (where, response.status_code)
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost"), (where, location)
    assert not location.path.startswith(("//", "/\\")) and location.path.isprintable(), where


def test_redirect_targets_from_the_request_stay_on_the_site_and_never_fail(
    app: Flask, actors: Actors
) -> None:
    """`?next=` of the sign-in and the language form's `next`: a header-splitting CR LF, a
    protocol-relative or backslashed host, another site, a javascript: URL."""
    for target in REDIRECT_PROBES:
        client = app.test_client()
        token = csrf_token(client, "/login")
        response = client.post(
            f"/language?{urlencode({'x': 1})}",
            data={"csrf_token": token, "lang": "sv", "next": target},
        )
        _assert_on_the_site(response, f"language {target!r}")
        response = client.post(
            f"/login?{urlencode({'next': target})}",
            data={"csrf_token": token, "email": actors.council.email, "password": PASSWORD},
        )
        _assert_on_the_site(response, f"login {target!r}")
        assert "hacked" not in response.headers.get("Set-Cookie", "")


# --- the API's Idempotency-Key -------------------------------------------------------------


def test_hostile_idempotency_keys_are_refused_or_honoured_never_a_5xx(
    app: Flask, actors: Actors
) -> None:
    """The key is stored and looked up: SQL and markup are just text in it, a NUL (which
    PostgreSQL cannot hold) or another control character is refused like a too long key."""
    tokens = tokens_for(app, actors, ("coordinator",))
    bearer = {"Authorization": f"Bearer {tokens['coordinator']}"}
    assert app.test_client().get("/api/v1/vendors", headers=bearer).status_code == 200
    business_ids = iter(["0827616-7", "2077474-0", "1572860-0", "0204819-8"])
    for key, refused in (
        ("a\x00b", True),
        ("\x1b[31m", True),
        ("k" * 201, True),
        ("   ", True),
        ("' OR 1=1 --", False),
        ("<script>alert(1)</script>", False),
        ('"; DROP TABLE idempotency_records; --', False),
    ):
        with app.app_context():
            before = fingerprint()
        body = {"name": "Avain Oy", "business_id": next(business_ids) if not refused else "x"}
        for _attempt in range(2):  # the second is a retry: the first answer, nothing new
            response = app.test_client().post(
                "/api/v1/vendors", json=body, headers={**bearer, "Idempotency-Key": key}
            )
            assert response.status_code == (422 if refused else 201), (key, response.status_code)
        with app.app_context():
            if refused:
                assert fingerprint() == before, key
            else:
                assert (
                    db.session.scalar(
                        sa.select(sa.func.count()).where(Vendor.business_id == body["business_id"])
                    )
                    == 1
                )
