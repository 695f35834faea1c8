"""Shared by the hostile-input and authorization tests: nasty values, hypothesis strategies,
a fingerprint of the whole database, the app's forms read from its pages as a browser would,
and request bodies encoded by hand (so that what a browser could never send gets sent too).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html import unescape as html_unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import sqlalchemy as sa
from hypothesis import strategies as st

from pilot_tracker.extensions import db
from pilot_tracker.models import Base

# --- values ----------------------------------------------------------------------------------

SQL_PROBES = (
    "' OR 1=1 --",
    "' OR '1'='1",
    '"; DROP TABLE pilots; --',
    "'; DELETE FROM users; --",
    "1; SELECT pg_sleep(0) --",
    "%' UNION SELECT name FROM pilots --",
    "\\'; --",
    "%",
    "_",
    "%%",
)
XSS_PROBES = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}",
)
# The raw forms that must never reach an HTML page unescaped.
XSS_MARKUP = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "</script><script>",
)
# Where a redirect target is read from the request (?next=, a form's next field).
REDIRECT_PROBES = (
    "/\r\nSet-Cookie: hacked=1",
    "/%0d%0aSet-Cookie: hacked=1",
    "//evil.example/",
    "/\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\u2028x",
)
FORMULAS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(1)",
    "@x",
    "-2+3",
    "=1+1",
    "'=1+1",
    "\t=1",
    "\r=1",
)
ODD_TEXT = (
    "",
    " ",
    "\u00a0",
    "0",
    "-0",
    "1e309",
    "NaN",
    "-1",
    "99999999999999999999999",
    "12 500,50",
    "١٢٣",
    "\u202eevil\u202c",
    "مرحبا بالعالم",
    "שלום",
    "😀👩‍👩‍👧‍👦🇫🇮",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\n\r\n",
    "\ufeff",
    "\ufffd",
    "\U0010ffff",
    "Ä" * 201,
)
FIXED_HOSTILE = SQL_PROBES + XSS_PROBES + REDIRECT_PROBES + FORMULAS + ODD_TEXT

CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\x85\u2028\u2029"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u200e\u200f\u2066\u2067\u2068\u2069\u061c"


def huge_text(max_size: int = 300_000) -> st.SearchStrategy[str]:
    """Up to hundreds of kilobytes of a repeated piece (cheap to make, costly to mishandle).

    Pieces outside ASCII come ten times shorter: percent-decoding a form of a megabyte of
    %C3%A4 costs the test client seconds, and the point is made at 30 kB as well.
    """
    pieces = st.sampled_from(["x", "ä", "😀", "=1+", "<b>", "\x00", "\u202e", "' OR 1=1 --"])

    def build(piece: str, size: int) -> str:
        if not piece.isascii():
            size //= 10
        return (piece * (size // len(piece) + 1))[:size]

    return st.builds(build, pieces, st.integers(min_value=10_000, max_value=max_size))


def hostile_text(max_size: int = 300_000, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Text nobody should type: formulas, SQL, markup, control characters, RTL, emoji,
    lone surrogates, numbers as text, nothing at all, and a lot of it."""
    categories: tuple[Any, ...] = () if surrogates else ("Cs",)
    return st.one_of(
        st.sampled_from(FIXED_HOSTILE),
        st.text(st.characters(exclude_categories=categories), max_size=40),
        st.text(st.sampled_from(CONTROL + BIDI + "=+-@'\"<>&;,%_\\ äö😀"), max_size=40),
        st.builds(
            lambda prefix, rest: prefix + rest,
            st.sampled_from("=+-@\t\r'"),
            st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
        ),
        st.one_of(
            st.integers().map(str),
            st.floats().map(str),
            st.decimals(allow_nan=False, places=6).map(str),
        ),
        huge_text(max_size),
    )


# --- the database ----------------------------------------------------------------------------


# Tables no request changes row by row: their size says enough (the municipality register
# is only replaced by an import command; the audit log only grows).
COUNTED_ONLY = {"municipalities", "audit_log"}
# Sign-in bookkeeping, which the fuzzer's own (re-)sign-ins write: not a form's data.
NOT_FINGERPRINTED = {"user_sessions"}


def fingerprint() -> dict[str, Any]:
    """Every row of every table, digested (call inside an app context): equal fingerprints
    mean nothing was written at all, not even half of something."""
    digests: dict[str, Any] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_FINGERPRINTED:
            continue
        if table.name in COUNTED_ONLY:
            digests[table.name] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(sa.select(table).order_by(*order)).all()
        digests[table.name] = hashlib.sha256(
            repr(rows).encode("utf-8", "surrogatepass")
        ).hexdigest()
    return digests


def row_counts() -> dict[str, int]:
    """Rows per table (call inside an app context), sign-in bookkeeping aside."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
        if table.name not in NOT_FINGERPRINTED
    }


# --- forms as a browser sees them ------------------------------------------------------------


@dataclass
class Control:
    """One named control of a form."""

    name: str
    kind: str  # text, hidden, password, checkbox, radio, select, textarea, file, submit
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class FormSpec:
    """A form of a page: where it posts and its controls in document order."""

    action: str
    method: str
    enctype: str
    controls: list[Control] = field(default_factory=list)
    shown: bool = True  # False: made up for a form that no page shows

    @property
    def names(self) -> list[str]:
        """Field names a user fills in (buttons and the CSRF token left out)."""
        seen: list[str] = []
        for c in self.controls:
            if c.kind != "submit" and not is_csrf(c.name) and c.name not in seen:
                seen.append(c.name)
        return seen

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [(c.name, c.value) for c in self.controls if c.kind == "submit" and c.name]

    def csrf(self) -> list[tuple[str, str]]:
        return [(c.name, c.value) for c in self.controls if is_csrf(c.name)]

    def defaults(self) -> list[tuple[str, str]]:
        """What a browser submits untouched (without pressing a named button)."""
        pairs: list[tuple[str, str]] = []
        for c in self.controls:
            if c.kind in ("submit", "file"):
                continue
            if c.kind in ("checkbox", "radio"):
                if c.checked:
                    pairs.append((c.name, c.value or "on"))
            elif c.kind == "select":
                chosen = c.selected or ([] if c.multiple or not c.options else c.options[:1])
                pairs.extend((c.name, v) for v in chosen)
            else:
                pairs.append((c.name, c.value))
        return pairs

    def choices(self, name: str) -> list[str]:
        """The values a browser could send for `name` (options, radio and checkbox values)."""
        values: list[str] = []
        for c in self.controls:
            if c.name != name:
                continue
            if c.kind == "select":
                values += c.options
            elif c.kind in ("checkbox", "radio"):
                values.append(c.value or "on")
        return values

    def is_file(self, name: str) -> bool:
        return any(c.name == name and c.kind == "file" for c in self.controls)


def is_csrf(name: str) -> bool:
    return name == "csrf_token" or name.endswith("-csrf_token")


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[FormSpec] = []
        self._form: FormSpec | None = None
        self._select: Control | None = None
        self._option: str | None = None
        self._option_selected = False
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._start_form(a)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input":
            self._add_input(form, name, a)
        elif tag == "button":
            if (a.get("type") or "submit").lower() == "submit":
                form.controls.append(Control(name, "submit", a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Control(name, "textarea")
            form.controls.append(self._textarea)
        elif tag == "select" and name:
            self._select = Control(name, "select", multiple="multiple" in a)
            form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            self._option_selected = "selected" in a
            if self._option is not None:
                self._add_option(self._option)

    def _start_form(self, a: dict[str, str]) -> None:
        action = urljoin(self.page_url, a.get("action") or self.page_url)
        self._form = FormSpec(
            action=urlsplit(action).path,
            method=(a.get("method") or "get").lower(),
            enctype=a.get("enctype") or "application/x-www-form-urlencoded",
        )
        self.forms.append(self._form)

    def _add_input(self, form: FormSpec, name: str, a: dict[str, str]) -> None:
        """An <input>: what a browser sends for it (buttons other than submit send nothing)."""
        kind = (a.get("type") or "text").lower()
        if kind in ("submit", "image", "button", "reset"):
            if kind == "submit":
                form.controls.append(Control(name, "submit", a.get("value", "")))
            return
        if kind not in ("checkbox", "radio", "hidden", "password", "file"):
            kind = "text"
        if name:
            form.controls.append(Control(name, kind, a.get("value", ""), "checked" in a))

    def _add_option(self, value: str) -> None:
        assert self._select is not None
        self._select.options.append(value)
        if self._option_selected:
            self._select.selected.append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._select is not None and self._option is None and data.strip():
            # <option>text</option> without a value attribute sends its text.
            self._option = data.strip()
            self._add_option(self._option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None:
                # A browser drops the one line break that follows <textarea>.
                value = self._textarea.value
                self._textarea.value = (
                    value[2:]
                    if value.startswith("\r\n")
                    else (value[1:] if value.startswith("\n") else value)
                )
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
            self._option_selected = False


def parse_forms(html: str, page_url: str) -> list[FormSpec]:
    """Every form of a page, with its action as an absolute path."""
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


# --- request bodies --------------------------------------------------------------------------


def _bytes(text: str) -> bytes:
    # surrogatepass: a lone surrogate goes out as the (invalid) UTF-8 a broken client sends.
    return text.encode("utf-8", "surrogatepass")


def urlencoded(pairs: list[tuple[str, str]]) -> bytes:
    """An application/x-www-form-urlencoded body of exactly these pairs."""
    return b"&".join(
        quote(_bytes(k), safe="").encode() + b"=" + quote(_bytes(v), safe="").encode()
        for k, v in pairs
    )


def multipart(
    pairs: list[tuple[str, str]], files: list[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    """A multipart/form-data body: `files` are (field, file name, content)."""
    boundary = "----hostile" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in pairs:
        out.write(f"--{boundary}\r\n".encode())
        out.write(b'Content-Disposition: form-data; name="' + _bytes(name) + b'"\r\n\r\n')
        out.write(_bytes(value) + b"\r\n")
    for name, filename, data in files:
        out.write(f"--{boundary}\r\n".encode())
        out.write(
            b'Content-Disposition: form-data; name="'
            + _bytes(name)
            + b'"; filename="'
            + _bytes(filename.replace('"', "'"))
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- reading what came back ------------------------------------------------------------------


def body_texts(data: bytes) -> list[str]:
    """The texts of a response body; a zip (an XLSX workbook) is unpacked member by member."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    return [data.decode("utf-8", "replace")]


def workbook_cells(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of cell values, read with openpyxl as a spreadsheet would."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    finally:
        workbook.close()


# --- a portfolio of two vendors --------------------------------------------------------------


@dataclass
class VendorPortfolio:
    """The pilots of one vendor and the ids of everything hanging off them."""

    marker: str
    pilots: set[int] = field(default_factory=set)
    kpis: set[int] = field(default_factory=set)
    measurements: set[int] = field(default_factory=set)
    status_updates: set[int] = field(default_factory=set)
    decisions: set[int] = field(default_factory=set)
    # Municipal decisions, follow-up items, lessons: their texts carry the marker.
    joint: set[int] = field(default_factory=set)

    def all_ids(self) -> set[int]:
        return (
            self.pilots
            | self.kpis
            | self.measurements
            | self.status_updates
            | self.decisions
            | self.joint
        )


HEX_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def build_vendor_portfolio(
    vendor: Any, tag: str, pilots: int = 2, public: bool = False
) -> VendorPortfolio:
    """`pilots` pilots of `vendor` whose every text carries a unique marker ("SECRET-B-<uuid>"),
    each with two KPIs, measurements, status updates and decisions (call in an app context)."""
    from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, Stage
    from pilot_tracker.services.decisions import record_decision
    from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
    from tests.factories import make_pilot

    # Letters only after the tag: a digit there let the probe "-1" find the marker (one
    # uuid in sixteen starts with 1), failing a search that must find nothing.
    marker = f"{tag}-{uuid.uuid4().hex.translate(HEX_AS_LETTERS)}"
    found = VendorPortfolio(marker)
    today = date.today()
    for n in range(pilots):
        pilot = make_pilot(
            ("418", "536", "980") if n == 0 else ("091", "049"),
            vendor=vendor,
            # Shared words, theme and municipalities: each other's closest matches for any
            # similar-pilots lookup that forgot whose pilots it may show.
            name=f"{marker} sähköinen tilavaraus {n}",
            summary=f"Kuntien tilojen varaus ja palautteen keruu verkossa {marker} {n}",
            stage=Stage.PILOTING,
            is_public=public,
        )
        found.pilots.add(pilot.id)
        for k in range(2):
            kpi = add_kpi(
                pilot,
                f"KPI {marker} {n}.{k}",
                f"u{k}",
                Decimal(0),
                Decimal(100),
                Direction.INCREASE,
                is_savings=k == 1,
            )
            found.kpis.add(kpi.id)
            for days in (40, 5):
                m = add_measurement(
                    kpi, today - timedelta(days=days), Decimal(days), f"note {marker}"
                )
                found.measurements.add(m.id)
        for days in (35, 3):
            s = add_status_update(
                pilot, Rag.AMBER, 50, f"status {marker}", today - timedelta(days=days)
            )
            found.status_updates.add(s.id)
        d = record_decision(
            pilot,
            Gate.MIDPOINT,
            Outcome.CONTINUE,
            today - timedelta(days=2),
            f"board {marker}",
            f"rationale {marker}",
            follow_up=f"follow-up {marker}",
            next_review=today + timedelta(days=30),
        )
        found.decisions.add(d.id)
        found.joint |= _joint_records(pilot, d.id, marker, today, public)
    return found


def _joint_records(
    pilot: Any, decision_id: int, marker: str, today: date, public: bool
) -> set[int]:
    """A municipal decision, a follow-up item with a comment and a lesson, marked (a public
    pilot's lessons are open data, like its name: they carry no marker)."""
    from pilot_tracker.domain.enums import Gate, Outcome
    from pilot_tracker.domain.follow_up import OwnerKind
    from pilot_tracker.domain.municipal_decisions import Body
    from pilot_tracker.services.follow_up import Owner, create_item, record_lesson, update_item
    from pilot_tracker.services.gate_meetings import MeetingData, open_gates, plan_meeting
    from pilot_tracker.services.municipal_decisions import record_municipal_decision
    from pilot_tracker.services.pilots import load_pilot_for_update

    pilot = load_pilot_for_update(pilot.id)
    code = pilot.current_participations[-1].municipality_code
    decision = record_municipal_decision(
        pilot, code, Gate.MIDPOINT, Outcome.GO, Body.BOARD, today, note=f"note {marker}"
    )
    owner = Owner(OwnerKind.VENDOR) if pilot.vendor_id else Owner(OwnerKind.COORDINATOR)
    item = create_item(pilot, f"item {marker}", owner, description=f"plan {marker}")
    update_item(pilot, item, {"comment": f"comment {marker}"}, author_id=None)
    text = "lesson of a public pilot" if public else f"lesson {marker}"
    lesson = record_lesson(pilot, text, decision_id=decision_id)
    ids = {decision.id, item.id, lesson.id}
    gates = open_gates(pilot)
    if gates:  # a planned gate meeting, its place marked (on the pilot page and in the feeds)
        soon = today + timedelta(days=30)
        ids.add(plan_meeting(pilot, MeetingData(gates[0], soon, place=f"place {marker}")).id)
    return ids


# --- walking every GET route -----------------------------------------------------------------


def get_rules(app: Any, api: bool | None = None) -> list[Any]:
    """Every GET route of the app but static files; only the API's (api=True) or only the
    pages' (api=False)."""
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or set()) and r.endpoint != "static"
    ]
    if api is not None:
        rules = [r for r in rules if r.rule.startswith("/api/") == api]
    return sorted(rules, key=lambda r: r.rule)


def is_int_param(rule: Any, name: str) -> bool:
    from werkzeug.routing.converters import NumberConverter

    return isinstance(rule._converters[name], NumberConverter)


def rule_paths(app: Any, rule: Any, ints: Iterable[int], strings: dict[str, set[str]]) -> list[str]:
    """The rule's path for every combination of candidate values of its parameters: every
    int for an int parameter, the harvested values of a string parameter of that name."""
    import itertools

    names = sorted(rule.arguments)
    choices = [
        sorted(set(ints)) if is_int_param(rule, n) else sorted(strings.get(n, set())) for n in names
    ]
    adapter = app.url_map.bind("localhost")
    return [
        adapter.build(rule.endpoint, dict(zip(names, combination, strict=True)))
        for combination in itertools.product(*choices)
    ]


LINK_ATTRIBUTE = re.compile(r"""\b(?:href|src|action)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def raw_links(html: str) -> list[str]:
    """Every href, src and action of a page as written (entities decoded)."""
    return [html_unescape(a or b) for a, b in LINK_ATTRIBUTE.findall(html)]


def page_links(html: str, page_url: str) -> list[str]:
    """Every href, src and action of a page, as absolute paths on this site."""
    paths = []
    for link in raw_links(html):
        url = urlsplit(urljoin("http://localhost" + page_url, link))
        if url.netloc == "localhost":
            paths.append(url.path)
    return paths


def harvest_strings(app: Any, paths: Iterable[str]) -> dict[str, set[str]]:
    """String path parameters (chart names, sheets, codes) as the pages' own links use them."""
    from werkzeug.exceptions import HTTPException

    adapter = app.url_map.bind("localhost")
    found: dict[str, set[str]] = {}
    for path in paths:
        try:
            endpoint, args = adapter.match(path, method="GET")
        except HTTPException:  # not a page of the app (or a redirect to one)
            continue
        for name, value in args.items():
            if isinstance(value, str) and endpoint != "static":
                found.setdefault(name, set()).add(value)
    return found
