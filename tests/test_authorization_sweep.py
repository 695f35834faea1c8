"""The authorization sweep: no vendor ever sees another vendor's pilots, anywhere.

A portfolio of two vendors (and a pilot with no vendor, and a public pilot whose KPIs,
reports and decisions are not public) is walked by each vendor user through every GET
route of the app, read from `app.url_map` so a new page or endpoint is walked without
touching this file: web pages with the session, the API with a bearer token, every export
(the workbook unzipped and read as sheets), each parameter filled with every id of every
kind (pilot, KPI, measurement, status update, decision, vendor, user, token) and every
value the pages themselves link to (charts, sheets, municipality codes), list pages also
with the other vendor's id, pilot, KPI and name in their filters.

No response may contain another vendor's marker ("SECRET-B-<uuid>" is in every text of
vendor B's pilots), link to another vendor's pilot, or hold one of its records' ids in a
JSON structure (looked up by what the object is, not by raw digits).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa
from flask import Flask
from werkzeug.exceptions import HTTPException

from pilot_tracker.extensions import db
from pilot_tracker.models import ApiToken, Kpi, OutboxMessage, Pilot, User, Vendor
from pilot_tracker.services.exchange import SHEETS
from pilot_tracker.services.tokens import create_token
from tests.conftest import Actors, login_as
from tests.hostile_helpers import (
    VendorPortfolio,
    body_texts,
    build_vendor_portfolio,
    get_rules,
    harvest_strings,
    is_int_param,
    page_links,
    raw_links,
    rule_paths,
    workbook_cells,
)

# Whatever the pages link to, these are tried too.
STRING_FALLBACKS = {"code": {"418", "091"}, "sheet": {s.name for s in SHEETS}}
# Where a vendor must find its own pilots: proof that the walk reached real content.
MUST_SHOW_OWN = {
    "pilots.index",
    "pilots.detail",
    "pilots.history",
    "pilots.vendor_home",
    "exchange.export_csv",
    "exchange.export_xlsx",
    "api.list_pilots",
    "api.get_pilot",
    "api.list_kpis",
    "api.list_status_updates",
    "api.list_decisions",
}


@dataclass
class Foreign:
    """What one vendor user must never see."""

    markers: set[str]
    pilots: set[int]
    kpis: set[int]
    measurements: set[int]
    status_updates: set[int]
    decisions: set[int]


@dataclass
class Sweep:
    """The portfolio, every id in it, and each vendor user's foreign records and token."""

    portfolios: dict[str, VendorPortfolio]
    ints: set[int]
    pilot_ids: set[int]
    vendor_ids: dict[str, int]
    users: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)

    def foreign(self, own: str) -> Foreign:
        others = [p for key, p in self.portfolios.items() if not key.startswith(own)]
        # The public pilot's name, summary and id are open data; its records are not.
        public = self.portfolios["b-public"]
        return Foreign(
            markers={p.marker for p in others},
            pilots=set().union(*(p.pilots for p in others)) - public.pilots,
            kpis=set().union(*(p.kpis for p in others)),
            measurements=set().union(*(p.measurements for p in others)),
            status_updates=set().union(*(p.status_updates for p in others)),
            decisions=set().union(*(p.decisions for p in others)),
        )


def build_sweep(actors: Actors) -> Sweep:
    """Two pilots of each vendor, one of vendor B public, one with no vendor at all."""
    portfolios = {
        "a": build_vendor_portfolio(actors.vendor_a, "SECRET-A", 2),
        "b": build_vendor_portfolio(actors.vendor_b, "SECRET-B", 2),
        "b-public": build_vendor_portfolio(actors.vendor_b, "SECRET-PUBLIC-B", 1, public=True),
        "none": build_vendor_portfolio(None, "SECRET-NONE", 1),
    }
    opened = f"Avoin kokeilu {uuid.uuid4().hex}"
    db.session.execute(
        sa.update(Pilot)
        .where(Pilot.id.in_(portfolios["b-public"].pilots))
        .values(name=opened, summary=opened)
    )
    # Its KPI results are open data too, on its public page (/public/pilots/<id>); its
    # measurements' notes, status reports and decisions' texts stay closed.
    db.session.execute(
        sa.update(Kpi).where(Kpi.pilot_id.in_(portfolios["b-public"].pilots)).values(name=opened)
    )
    db.session.commit()
    tokens = {}
    for key, user in (("a", actors.vendor_user), ("b", actors.other_vendor_user)):
        tokens[key] = create_token(user, name="sweep")[1]
    ints = set().union(*(p.all_ids() for p in portfolios.values()))
    ints |= set(db.session.scalars(sa.select(User.id)))
    ints |= set(db.session.scalars(sa.select(Vendor.id)))
    ints |= set(db.session.scalars(sa.select(ApiToken.id)))
    return Sweep(
        portfolios=portfolios,
        ints=ints | {0},
        pilot_ids=set().union(*(p.pilots for p in portfolios.values())),
        vendor_ids={"a": actors.vendor_a.id, "b": actors.vendor_b.id},
        users={"a": actors.vendor_user, "b": actors.other_vendor_user},
        tokens=tokens,
    )


def harvested_strings(app: Flask, actors: Actors, sweep: Sweep) -> dict[str, set[str]]:
    """String parameters as the pages link to them, read by an admin who sees everything."""
    client = app.test_client()
    login_as(client, actors.admin)
    pages = ["/dashboard", "/export", "/pilots", "/help"]
    pages += [f"/pilots/{pilot_id}" for pilot_id in sorted(sweep.pilot_ids)]
    pages += [f"/municipalities/{code}" for code in sorted(STRING_FALLBACKS["code"])]
    links: list[str] = []
    for page in pages:
        response = client.get(page)
        if response.status_code == 200:
            links += page_links(response.get_data(as_text=True), page)
    strings = harvest_strings(app, links)
    for name, values in STRING_FALLBACKS.items():
        strings.setdefault(name, set()).update(values)
    strings.setdefault("token", set()).update(secret_tokens(app, actors))
    return strings


def secret_tokens(app: Flask, actors: Actors) -> set[str]:
    """Values for the secret-address routes (feeds, unsubscribe, password links): working
    ones of a user who sees no vendor's pilots in them, and one that is no secret at all."""
    from pilot_tracker.services import account_links, reminders
    from pilot_tracker.services.calendar import create_feed

    with app.app_context():
        feed = create_feed(actors.council)
        unsubscribe = reminders.unsubscribe_token(actors.council)
        account_links.invite_user("sweep-invited@example.com", "council")
        body = db.session.scalars(
            sa.select(OutboxMessage.body_text).where(
                OutboxMessage.recipient == "sweep-invited@example.com"
            )
        ).one()
    invitation = body.split("/account/", 1)[1].split()[0]
    return {feed, unsubscribe, invitation, "not-a-real-secret"}


def sweep_paths(app: Flask, sweep: Sweep, strings: dict[str, set[str]], rule: Any) -> list[str]:
    """Every id of every kind in each int parameter; with a string parameter beside it,
    every pilot with every string, and every id with one string (not the whole product)."""
    ints = [n for n in rule.arguments if is_int_param(rule, n)]
    others = [n for n in rule.arguments if n not in ints]
    if not ints or not others:
        paths = rule_paths(app, rule, sweep.ints, strings)
    else:
        first = {n: {min(strings.get(n, {""}))} for n in others}
        paths = rule_paths(app, rule, sweep.pilot_ids, strings)
        paths += rule_paths(app, rule, sweep.ints, first)
    assert paths, f"no values for the parameters of {rule.rule}"
    return sorted(set(paths))


def query_variants(rule: Any, foreign: Foreign, sweep: Sweep, own: str) -> list[dict[str, Any]]:
    """A list page or export (and the measurement form, which preselects a KPI) also with
    filters naming the other vendor, its pilot, its KPI and its text."""
    with_ids = any(is_int_param(rule, n) for n in rule.arguments)
    if len(rule.arguments) > 1 or (with_ids and rule.endpoint != "pilots.measurement_create"):
        return [{}]
    other_vendor = sweep.vendor_ids["b" if own == "a" else "a"]
    some = min(foreign.pilots)
    return [
        {},
        {"vendor": other_vendor, "vendor_id": other_vendor},
        # The uuid alone: it finds the other vendor's pilots, and a page that echoes the
        # search box (as every page's language form does) does not echo a whole marker.
        {"q": min(foreign.markers).rsplit("-", 1)[-1]},
        {"pilot": some, "pilot_id": some, "kpi": min(foreign.kpis), "kpi_id": min(foreign.kpis)},
        {"municipality": "418", "region": "06", "per_page": 200},
    ]


def json_leaks(value: Any, foreign: Foreign, where: str = "$") -> list[str]:
    """Foreign records in a JSON document, recognised by what each object is."""
    found: list[str] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += json_leaks(item, foreign, f"{where}[{i}]")
    elif isinstance(value, dict):
        keys = set(value)
        checks = [
            ("pilot_id", foreign.pilots),
            ("kpi_id", foreign.kpis),
        ]
        if {"name", "stage"} <= keys or {"name", "theme"} <= keys:
            checks.append(("id", foreign.pilots))
        if "baseline" in keys or ("progress_percent" in keys and "latest_value" in keys):
            checks.append(("id", foreign.kpis))
        if "rag" in keys:
            checks.append(("id", foreign.status_updates))
        if "outcome" in keys and "body" not in keys:
            # A gate decision; a municipality's own decision (it names its deciding body)
            # has ids of its own, and its pilot_id is checked above.
            checks.append(("id", foreign.decisions))
        if "kpi_id" in keys and "value" in keys:
            checks.append(("id", foreign.measurements))
        for key, ids in checks:
            if isinstance(value.get(key), int) and value[key] in ids:
                found.append(f"{where}.{key} = {value[key]}")
        for key, item in value.items():
            found += json_leaks(item, foreign, f"{where}.{key}")
    return found


def link_leaks(app: Flask, html: str, path: str, foreign: Foreign) -> list[str]:
    """Links and form targets to another vendor's pilot (or with its ids in the query)."""
    adapter = app.url_map.bind("localhost")
    found = []
    parser_links = page_links(html, path)
    for link in parser_links:
        if link == urlsplit(path).path:
            continue  # the page's own address (the language form posts back to it)
        try:
            _endpoint, args = adapter.match(link, method="GET")
        except HTTPException:
            try:
                _endpoint, args = adapter.match(link, method="POST")
            except HTTPException:
                continue
        if args.get("pilot_id") in foreign.pilots:
            found.append(f"link {link}")
    for query in (urlsplit(raw).query for raw in raw_links(html)):
        for key, value in parse_qsl(query):
            if key in ("kpi", "kpi_id") and value.isdigit() and int(value) in foreign.kpis:
                found.append(f"query {key}={value}")
    return found


def leaks(app: Flask, response: Any, path: str, foreign: Foreign) -> list[str]:
    """Everything in a response that belongs to another vendor."""
    texts = [*body_texts(response.data), response.headers.get("Location", "")]
    if response.data[:2] == b"PK":
        texts.append(json.dumps(workbook_cells(response.data), default=str))
    found = [f"marker {m}" for m in foreign.markers for text in texts if m in text]
    if response.mimetype.endswith("json"):
        found += json_leaks(response.get_json(), foreign)
    if response.mimetype == "text/html":
        found += link_leaks(app, response.get_data(as_text=True), path, foreign)
    return found


def walk(app: Flask, sweep: Sweep, strings: dict[str, set[str]], own: str) -> tuple[int, set[str]]:
    """Every GET route as one vendor user; returns the number of requests and the
    endpoints that showed the user's own pilots."""
    foreign = sweep.foreign(own)
    own_marker = sweep.portfolios[own].marker
    web = app.test_client()
    login_as(web, sweep.users[own])
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {sweep.tokens[own]}"}
    requests = 0
    showed_own: set[str] = set()
    problems: list[str] = []
    for rule in get_rules(app):
        is_api = rule.rule.startswith("/api/")
        for path in sweep_paths(app, sweep, strings, rule):
            for args in query_variants(rule, foreign, sweep, own):
                url = f"{path}?{urlencode(args)}" if args else path
                response = api.get(url, headers=bearer) if is_api else web.get(url)
                requests += 1
                assert response.status_code < 500, url
                problems += [f"{url}: {leak}" for leak in leaks(app, response, url, foreign)]
                if response.status_code == 200 and any(
                    own_marker in text for text in body_texts(response.data)
                ):
                    showed_own.add(rule.endpoint)
    assert problems == [], f"{len(problems)} leaks, e.g. {problems[:10]}"
    return requests, showed_own


def test_no_vendor_user_sees_another_vendors_pilot_on_any_page_api_or_export(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        sweep = build_sweep(actors)
    strings = harvested_strings(app, actors, sweep)
    for own in ("a", "b"):
        requests, showed_own = walk(app, sweep, strings, own)
        assert showed_own >= MUST_SHOW_OWN, sorted(MUST_SHOW_OWN - showed_own)
        assert requests > 500


def test_the_leak_detectors_would_notice_a_leak(app: Flask, actors: Actors) -> None:
    """The sweep proves nothing if its detectors are blind: a reader sees vendor B's
    pilots, and for the detectors that is exactly what a leak looks like."""
    with app.app_context():
        sweep = build_sweep(actors)
    foreign = sweep.foreign("a")
    client = app.test_client()
    login_as(client, actors.coordinator)
    pilot_b = min(sweep.portfolios["b"].pilots)
    for path in (f"/pilots/{pilot_b}", "/export/portfolio.xlsx", "/export/kpis.csv"):
        assert leaks(app, client.get(path), path, foreign), path
    api = app.test_client()
    with app.app_context():
        token = create_token(actors.coordinator, name="detector")[1]
    headers = {"Authorization": f"Bearer {token}"}
    for path in (f"/api/v1/pilots/{pilot_b}/kpis", f"/api/v1/pilots/{pilot_b}/decisions"):
        response = api.get(path, headers=headers)
        body = response.get_json()
        # Without its texts the body still gives the records away by their ids.
        stripped = json.loads(json.dumps(body).replace(sweep.portfolios["b"].marker, "x"))
        assert json_leaks(stripped, foreign), path
    html = client.get("/pilots").get_data(as_text=True)
    assert link_leaks(app, html.replace(sweep.portfolios["b"].marker, "x"), "/pilots", foreign)


def test_a_vendors_calendar_feed_holds_its_own_pilots_and_nothing_of_another_vendor(
    app: Flask, actors: Actors
) -> None:
    """The feed is reached by its secret, without a session: the sweep's detectors read
    each vendor user's own feed."""
    from pilot_tracker.services.calendar import create_feed

    with app.app_context():
        sweep = build_sweep(actors)
        tokens = {own: create_feed(user) for own, user in sweep.users.items()}
    for own, token in tokens.items():
        path = f"/calendar/{token}.ics"
        response = app.test_client().get(path)
        assert response.status_code == 200
        assert leaks(app, response, path, sweep.foreign(own)) == []
        assert sweep.portfolios[own].marker in response.get_data(as_text=True)
