"""Dashboards benchmark: a large generated portfolio, then server time, SQL queries and bytes
of the dashboard pages and the pilot list.

    .venv/bin/python -m bench.run --db sqlite --pilots 10000
    .venv/bin/python -m bench.run --db postgresql --pilots 10000

(`make bench` runs both.) The portfolio: the given number of pilots over all 308
municipalities with about 5 participations, 3 KPIs, 30 measurements, 5 status updates and
1 decision per pilot, written with bulk inserts. Pages are requested through Flask's test
client (server time, no network): each is warmed up, then timed over `--requests` requests
(median and 95th percentile). The SQL query count of each page is measured at `--small`
pilots too (a second, small database), since it must not grow with the data. Bytes are
gzip-compressed: the HTML with its figure data, and the JavaScript files the page loads.

Prints a table and writes bench/results/dashboards-<db>-<pilots>.json. The generated
databases are kept (SQLite under bench/results/, PostgreSQL databases kokeilu_bench_<n>);
`--reuse` measures an existing one again without generating it anew.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BATCH = 5_000
SEED = 20261127

# Targets from issues 5 and 13 (shown, not enforced): the portfolio with its "Due and
# overdue" section ≤ 100 ms, the municipality page and summary and GET /api/v1/due ≤ 50 ms.
TARGET_MS = {"portfolio": 100.0}
TARGET_MS_DEFAULT = 50.0
TARGET_QUERIES = 15
TARGET_PAGE_KB = 300.0
TARGET_JS_KB = 600.0


# --- progress ----------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.started = time.perf_counter()
        self._shown = -1
        self.tty = sys.stderr.isatty()

    def advance(self, step: int) -> None:
        self.done += step
        percent = min(100, self.done * 100 // self.total)
        # Redrawn in place on a terminal; in a log, a line at every quarter.
        every = 1 if self.tty else 25
        if percent != self._shown and (percent % every == 0 or percent == 100):
            self._shown = percent
            filled = percent * 30 // 100
            bar = "#" * filled + "." * (30 - filled)
            line = f"  {self.label:<22} [{bar}] {percent:3d}% {self.done:>9,}/{self.total:,}"
            sys.stderr.write(f"\r{line}" if self.tty else f"{line}\n")
            sys.stderr.flush()

    def close(self) -> None:
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"  {elapsed:5.1f} s\n" if self.tty else f"  {self.label}: {elapsed:.1f} s\n"
        )
        sys.stderr.flush()


# --- databases ---------------------------------------------------------------------------


def database_url(kind: str, pilots: int, reuse: bool, pg_admin_url: str, tag: str = "") -> str:
    """A database of the kind for this portfolio size; emptied unless reused. `tag` keeps
    another benchmark's databases apart (bench-<tag>-<n>.db, kokeilu_bench_<tag>_<n>)."""
    if kind == "sqlite":
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"bench-{tag + '-' if tag else ''}{pilots}.db"
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"kokeilu_bench_{tag + '_' if tag else ''}{pilots}"
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists and not reuse:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(sa.make_url(pg_admin_url).set(database=name))


def make_app(url: str) -> Flask:
    """The app as it runs in production, on the benchmark database."""
    from pilot_tracker import create_app

    return create_app(
        "development",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": "localhost",
        },
    )


# --- the generated portfolio -------------------------------------------------------------


@dataclass
class Counts:
    """Rows written per table."""

    pilots: int = 0
    participations: int = 0
    kpis: int = 0
    measurements: int = 0
    status_updates: int = 0
    decisions: int = 0
    goals: int = 0
    vendors: int = 0


def _business_ids(rng: random.Random, count: int) -> list[str]:
    from pilot_tracker.domain.business_id import is_valid_business_id

    found: set[str] = set()
    while len(found) < count:
        body = f"{rng.randrange(1_000_000, 9_999_999):07d}"
        for check in range(10):
            candidate = f"{body}-{check}"
            if is_valid_business_id(candidate):
                found.add(candidate)
                break
    return sorted(found)


STAGE_WEIGHTS = {
    "idea": 10,
    "planning": 15,
    "piloting": 35,
    "evaluation": 15,
    "scaling": 15,
    "stopped": 10,
}


def _dates(rng: random.Random, stage: str, today: date) -> tuple[date | None, date | None]:
    if stage == "idea":
        if rng.random() < 0.3:
            return None, None
        start = today + timedelta(days=rng.randint(0, 365))
    elif stage == "planning":
        start = today + timedelta(days=rng.randint(-30, 180))
    elif stage == "piloting":
        start = today - timedelta(days=rng.randint(10, 400))
    elif stage == "evaluation":
        start = today - timedelta(days=rng.randint(200, 700))
    else:
        start = today - timedelta(days=rng.randint(400, 1100))
    return start, start + timedelta(days=rng.randint(150, 540))


def _spread(rng: random.Random, start: date, end: date, count: int) -> list[date]:
    """`count` dates from start to end (inclusive), in order."""
    span = max((end - start).days, 0)
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))


def _statuses(rng: random.Random, start: date | None, today: date) -> list[tuple[date, str, int]]:
    """A pilot's status updates (day, RAG, progress), oldest first: a started pilot's every
    few weeks up to a recent one (a stale one's 31 to 120 days ago), maybe one for the rest."""
    statuses: list[tuple[date, str, int]] = []
    if start and start < today:
        stale = rng.random() < 0.2
        last = today - timedelta(days=rng.randint(31, 120) if stale else rng.randint(0, 25))
        if last < start:
            last = start
        count = rng.randint(4, 9)
        progress = 0
        for day in [*_spread(rng, start, last, count - 1), last]:
            progress = min(100, progress + rng.randint(3, 20))
            rag = rng.choices(["green", "amber", "red"], [6, 3, 1])[0]
            statuses.append((day, rag, progress))
    elif rng.random() < 0.5:
        statuses.append((today - timedelta(days=rng.randint(0, 60)), "green", 0))
    return statuses


Tables = dict[str, list[dict[str, Any]]]


def _add_kpis(
    tables: Tables,
    rng: random.Random,
    pilot_id: int,
    stage: str,
    period: tuple[date | None, date | None],
    today: date,
    now: datetime,
) -> None:
    """The pilot's three KPIs, with measurements from its start once it is piloting; ids
    count up from 1 in each table."""
    start, end = period
    measured = stage not in ("idea", "planning") and start is not None
    definitions = [
        ("Käyttäjät", "kpl", Decimal(100), Decimal(rng.randint(300, 900)), "increase"),
        ("Käsittelyaika", "pv", Decimal(rng.randint(20, 40)), Decimal(7), "decrease"),
        (
            "Vuosisäästö",
            "€/v",
            Decimal(0),
            Decimal(rng.randint(10, 200) * 1000),
            "increase",
        ),
    ]
    for index, (kname, unit, baseline, target, direction) in enumerate(definitions):
        kpi_id = len(tables["kpis"]) + 1
        values: list[tuple[date, Decimal]] = []
        if measured:
            reach = Decimal(rng.randint(-10, 130)) / 100
            count = rng.randint(8, 18)
            for step, day in enumerate(_spread(rng, start, min(today, end), count), 1):
                fraction = reach * step / count
                value = (baseline + (target - baseline) * fraction).quantize(Decimal("0.1"))
                values.append((day, value))
        for day, value in values:
            tables["measurements"].append(
                {
                    "id": len(tables["measurements"]) + 1,
                    "kpi_id": kpi_id,
                    "measured_on": day,
                    "value": value,
                    "note": "",
                    "recorded_by_id": None,
                    "created_at": now,
                }
            )
        tables["kpis"].append(
            {
                "id": kpi_id,
                "pilot_id": pilot_id,
                "name": kname,
                "unit": unit,
                "baseline": baseline,
                "target": target,
                "direction": direction,
                "is_savings": index == 2,
                "latest_value": values[-1][1] if values else None,
                "latest_on": values[-1][0] if values else None,
                "created_at": now,
            }
        )


def _add_decisions(
    tables: Tables,
    rng: random.Random,
    pilot_id: int,
    stage: str,
    period: tuple[date | None, date | None],
    today: date,
    now: datetime,
) -> None:
    """The decisions that lead to the pilot's stage; the start go decision's date is the last
    pilot row's `piloting_since`."""
    for decision in _decisions(rng, stage, *period, today):
        if decision["gate"] == "start" and decision["outcome"] == "go":
            tables["pilots"][-1]["piloting_since"] = decision["decided_on"]
        tables["decisions"].append(
            {
                "id": len(tables["decisions"]) + 1,
                "pilot_id": pilot_id,
                "snapshot": {"generated": True},
                "recorded_by_id": None,
                "created_at": now,
                "rationale": "Perusteltu päätös.",
                "follow_up": "",
                "decided_by": "ohjausryhmä",
                **decision,
            }
        )


def _insert(engine: sa.Engine, order: list[tuple[str, Any, list[dict[str, Any]]]]) -> None:
    """Bulk inserts, table by table in `order`; PostgreSQL's id sequences moved past them."""
    with engine.begin() as conn:
        for name, model, rows in order:
            progress = Progress(f"insert {name}", len(rows))
            table = model.__table__
            for chunk in _chunks(rows, BATCH):
                conn.execute(table.insert(), chunk)
                progress.advance(len(chunk))
            progress.close()
        if conn.dialect.name == "postgresql":
            for name in (
                "vendors",
                "pilots",
                "kpis",
                "measurements",
                "status_updates",
                "decisions",
            ):
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )


def generate(app: Flask, pilots: int, seed: int = SEED) -> Counts:
    """Write the portfolio with bulk inserts; returns the row counts."""
    from pilot_tracker.domain.cost_split import net_cost_cents, split_cost
    from pilot_tracker.domain.enums import Goal, SplitMethod, Theme, default_track
    from pilot_tracker.extensions import db
    from pilot_tracker.models import (
        Decision,
        Kpi,
        Measurement,
        Municipality,
        Participation,
        Pilot,
        PilotGoal,
        StatusUpdate,
        Vendor,
    )
    from pilot_tracker.services import aggregates

    rng = random.Random(seed)
    today = date.today()
    now = datetime.now(UTC)
    with app.app_context():
        municipalities = db.session.execute(
            sa.select(Municipality.code, Municipality.name_fi, Municipality.population)
        ).all()
        coordinator_id = _bench_users(app)
        vendor_ids = list(range(1001, 1041))
        vendors = [
            {
                "id": vid,
                "name": f"Bench Vendor {vid} Oy",
                "business_id": bid,
                "contact_email": f"v{vid}@bench.example",
                "created_at": now,
            }
            for vid, bid in zip(vendor_ids, _business_ids(rng, len(vendor_ids)), strict=True)
        ]
        codes = [m.code for m in municipalities]
        names = {m.code: m.name_fi for m in municipalities}
        populations = {m.code: m.population for m in municipalities}

        tables: Tables = {
            "pilots": [],
            "pilot_goals": [],
            "participations": [],
            "kpis": [],
            "measurements": [],
            "status_updates": [],
            "decisions": [],
        }
        stages = list(STAGE_WEIGHTS)
        weights = list(STAGE_WEIGHTS.values())
        themes = list(Theme)
        build = Progress("building rows", pilots)
        for pilot_id in range(1, pilots + 1):
            stage = rng.choices(stages, weights)[0]
            theme = rng.choice(themes)
            track = default_track(theme) or rng.choice(["quick", "slow"])
            start, end = _dates(rng, stage, today)
            participants = rng.sample(codes, k=min(len(codes), rng.choice([2, 3, 4, 5, 6, 7, 8])))
            method = rng.choice([SplitMethod.EQUAL, SplitMethod.PER_CAPITA])
            budget = rng.randrange(2_000_000, 50_000_000, 100)
            funding = rng.randrange(0, budget // 2 + 1, 100)
            shares = split_cost(
                method, net_cost_cents(budget, funding), {c: populations[c] for c in participants}
            )
            statuses = _statuses(rng, start, today)
            last_status = statuses[-1] if statuses else None
            tables["pilots"].append(
                {
                    "id": pilot_id,
                    "name": f"{theme.value.replace('_', ' ').capitalize()} "
                    f"{names[participants[0]]} {pilot_id}",
                    "summary": "Generated for the dashboards benchmark.",
                    "theme": theme,
                    "track": track,
                    "stage": stage,
                    "lead_municipality_code": participants[0],
                    "vendor_id": rng.choice(vendor_ids),
                    "coordinator_id": coordinator_id,
                    "start_date": start,
                    "end_date": end if start else None,
                    "budget_cents": budget,
                    "external_funding_cents": funding,
                    "estimated_annual_savings_cents": rng.randrange(0, budget, 100),
                    "split_method": method,
                    "is_public": rng.random() < 0.2,
                    "language": "fi",
                    "last_status_on": last_status[0] if last_status else None,
                    "last_rag": last_status[1] if last_status else None,
                    "piloting_since": None,  # the start go decision's date, set below
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for goal in rng.sample(list(Goal), k=rng.randint(1, 3)):
                tables["pilot_goals"].append({"pilot_id": pilot_id, "goal": goal})
            for code, cents in shares.items():
                tables["participations"].append(
                    {
                        "pilot_id": pilot_id,
                        "municipality_code": code,
                        "share_cents": cents,
                        "manual_percent": None,
                    }
                )
            for day, rag, progress in statuses:
                tables["status_updates"].append(
                    {
                        "id": len(tables["status_updates"]) + 1,
                        "pilot_id": pilot_id,
                        "reported_on": day,
                        "rag": rag,
                        "progress_percent": progress,
                        "text": "Tilanne raportoitu.",
                        "author_id": None,
                        "created_at": now,
                    }
                )
            _add_kpis(tables, rng, pilot_id, stage, (start, end), today, now)
            _add_decisions(tables, rng, pilot_id, stage, (start, end), today, now)
            build.advance(1)
        build.close()

        order = [
            ("vendors", Vendor, vendors),
            ("pilots", Pilot, tables["pilots"]),
            ("pilot_goals", PilotGoal, tables["pilot_goals"]),
            ("participations", Participation, tables["participations"]),
            ("kpis", Kpi, tables["kpis"]),
            ("measurements", Measurement, tables["measurements"]),
            ("status_updates", StatusUpdate, tables["status_updates"]),
            ("decisions", Decision, tables["decisions"]),
        ]
        _insert(db.engine, order)
        # The bulk inserts bypass the ORM: build the maintained aggregates from what they wrote.
        with db.engine.begin() as conn:
            progress = Progress("aggregates", len(tables["pilots"]))
            aggregates.rebuild(conn, progress.advance)
            progress.close()
        _analyze(app)
        counts = Counts(
            pilots=len(tables["pilots"]),
            participations=len(tables["participations"]),
            kpis=len(tables["kpis"]),
            measurements=len(tables["measurements"]),
            status_updates=len(tables["status_updates"]),
            decisions=len(tables["decisions"]),
            goals=len(tables["pilot_goals"]),
            vendors=len(vendors),
        )
    return counts


def _analyze(app: Flask) -> None:
    """Planner statistics (and PostgreSQL's visibility map, for index-only scans)."""
    from pilot_tracker.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        else:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()


def _decisions(
    rng: random.Random, stage: str, start: date | None, end: date | None, today: date
) -> list[dict[str, Any]]:
    """Decisions that lead to the pilot's stage by the product's rules, oldest first."""
    if start is None or end is None:
        return []
    start_day = min(start - timedelta(days=14), today)
    out: list[dict[str, Any]] = []

    def add(day: date, gate: str, outcome: str, before: str, after: str, review: bool) -> None:
        next_review = day + timedelta(days=rng.randint(20, 200)) if review else None
        out.append(
            {
                "gate": gate,
                "outcome": outcome,
                "decided_on": min(day, today),
                "next_review": next_review,
                "stage_before": before,
                "stage_after": after,
            }
        )

    if stage == "planning" and rng.random() < 0.3:
        add(start_day, "start", "continue", "planning", "planning", True)
    if stage in ("piloting", "evaluation", "scaling", "stopped"):
        add(start_day, "start", "go", "planning", "piloting", stage == "piloting")
    if stage in ("evaluation", "scaling"):
        middle = start + (end - start) / 2
        add(min(middle, today), "midpoint", "go", "piloting", "piloting", stage == "evaluation")
    if stage == "scaling":
        add(min(end, today), "scale_up", "go", "evaluation", "scaling", rng.random() < 0.5)
    if stage == "stopped":
        add(
            min(start + (end - start) / 2, today), "midpoint", "no_go", "piloting", "stopped", False
        )
    return out


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for index in range(0, len(rows), size):
        yield rows[index : index + size]


def _bench_users(app: Flask) -> int:
    """The coordinator and council users the benchmark signs in as; the coordinator's id."""
    from pilot_tracker.domain.enums import Role
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User
    from pilot_tracker.services.users import create_user

    for email, role in (
        ("bench-coordinator@bench.example", Role.COORDINATOR),
        ("bench-council@bench.example", Role.COUNCIL),
    ):
        if db.session.scalars(sa.select(User).where(User.email == email)).first() is None:
            create_user(email, role, "bench password 2026")
    user = db.session.scalars(
        sa.select(User).where(User.email == "bench-coordinator@bench.example")
    ).one()
    return user.id


def table_counts(app: Flask) -> Counts:
    """Rows in the benchmark database (for a reused one)."""
    from pilot_tracker.extensions import db

    with app.app_context():

        def count(table: str) -> int:
            return int(db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())

        return Counts(
            pilots=count("pilots"),
            participations=count("participations"),
            kpis=count("kpis"),
            measurements=count("measurements"),
            status_updates=count("status_updates"),
            decisions=count("decisions"),
            goals=count("pilot_goals"),
            vendors=count("vendors"),
        )


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Page:
    """A page to measure: `kind` picks its time target."""

    name: str
    kind: str
    path: str | None = None
    direct: Callable[[], str] | None = None  # rendered in a request context, no route
    headers: dict[str, str] = field(default_factory=dict)  # e.g. the API's bearer token


@dataclass
class Result:
    name: str
    path: str
    median_ms: float
    p95_ms: float
    cpu_median_ms: float
    target_ms: float
    queries: int
    queries_small: int | None
    html_bytes: int
    html_gzip_bytes: int
    js_gzip_bytes: int
    scripts: list[str] = field(default_factory=list)
    note: str = ""
    # The median of each measuring process (one per --processes), fastest to slowest.
    run_medians_ms: list[float] = field(default_factory=list)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """SQL statements run inside the block."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


SQL_VERBS = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
SCRIPT_SRC = re.compile(r'<script[^>]*\bsrc="([^"]+)"')
# plotly.js, which charts.js fetches when the first chart comes into view.
LAZY_SCRIPT_SRC = re.compile(r'<script[^>]*\bdata-plotly="([^"]+)"')


def _signed_in_client(app: Flask) -> Any:
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User
    from pilot_tracker.services import sessions

    with app.app_context():
        user = db.session.scalars(
            sa.select(User).where(User.email == "bench-coordinator@bench.example")
        ).one()
        session_id = user.get_id()
        key = sessions.start(user.id)  # the server-side session row, as /login makes it
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session[sessions.SESSION_KEY] = key
    return client


def pages_to_measure(app: Flask) -> tuple[list[Page], list[str]]:
    """The pages of this benchmark that exist in the app, and notes on those that do not."""
    from pilot_tracker.extensions import db
    from pilot_tracker.models import Kpi, Measurement, Participation

    views = app.view_functions
    notes: list[str] = []
    with app.app_context():
        # The municipality in the most pilots, and the pilot with the most measurements:
        # the heaviest of their kind.
        code = db.session.execute(
            sa.select(Participation.municipality_code)
            .group_by(Participation.municipality_code)
            .order_by(sa.func.count().desc(), Participation.municipality_code)
            .limit(1)
        ).scalar()
        pilot_id = db.session.execute(
            sa.select(Kpi.pilot_id)
            .join(Measurement, Measurement.kpi_id == Kpi.id)
            .group_by(Kpi.pilot_id)
            .order_by(sa.func.count().desc(), Kpi.pilot_id)
            .limit(1)
        ).scalar()
    pages = [
        Page("portfolio", "portfolio", "/dashboard"),
        Page("portfolio, filtered", "portfolio", "/dashboard?region=06&track=quick"),
        Page("municipality", "municipality", f"/municipalities/{code}"),
    ]
    if "pilots.detail" in views and pilot_id:
        pages.append(Page("pilot page", "pilot", f"/pilots/{pilot_id}"))
    else:
        notes.append("/pilots/<id> does not exist yet: not measured")
    if pilot_id:
        pages.append(
            Page(
                "pilot charts (partial)",
                "pilot",
                f"[partial] dashboards/_pilot_charts.html, pilot {pilot_id}",
                direct=_partial_renderer(app, pilot_id),
            )
        )
    if "pilots.index" in views:
        pages.append(Page("pilot list", "list", "/pilots"))
    else:
        notes.append("/pilots does not exist yet: not measured")
    bearer = {"Authorization": f"Bearer {_bench_token(app)}"}
    pages += [
        Page(
            "municipality summary API",
            "api",
            f"/api/v1/municipalities/{code}/summary",
            headers=bearer,
        ),
        Page("due API", "api", "/api/v1/due", headers=bearer),
        Page("due API, municipality", "api", f"/api/v1/due?municipality={code}", headers=bearer),
        Page(FLOOR, "floor", "[floor] bare Flask + SQLAlchemy + Jinja", direct=_floor_renderer()),
    ]
    return pages, notes


def _bench_token(app: Flask) -> str:
    """A new API token of the benchmark's coordinator (the API takes bearer tokens only)."""
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User
    from pilot_tracker.services.tokens import create_token

    with app.app_context():
        user = db.session.scalars(
            sa.select(User).where(User.email == "bench-coordinator@bench.example")
        ).one()
        return create_token(user, "bench")[1]


def _partial_renderer(app: Flask, pilot_id: int) -> Callable[[], str]:
    """The pilot page's charts alone: data, figures and the partial, as the page renders them."""

    def render() -> str:
        from flask import render_template

        from pilot_tracker.dashboards import pilot_charts

        with app.test_request_context("/"):
            app.preprocess_request()
            return render_template(
                "dashboards/_pilot_charts.html", pilot_charts=pilot_charts(pilot_id)
            )

    return render


FLOOR = "floor (fortunes)"


def _floor_renderer() -> Callable[[], str]:
    """The machine's floor, measured beside the pages in the same process: a bare Flask +
    SQLAlchemy + Jinja request (bench.ratios' TechEmpower-style "fortunes": one query over a
    12-row SQLite table, one autoescaped template) through the same test client. The pages'
    multiples of it compare machines: the same code measured 2.4-3 times slower on one
    session's machine than on another's, and the floor moves with it."""
    from bench import ratios

    path = RESULTS / "floor-fortunes.db"
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    if not path.exists():
        ratios.make_fortunes(url)
    client = ratios.fortunes_app(url).test_client()

    def render() -> str:
        response = client.get("/fortunes")
        if response.status_code != 200:
            raise RuntimeError(f"the floor app answered {response.status_code}")
        return response.get_data(as_text=True)

    return render


def measure(app: Flask, pages: list[Page], requests: int) -> dict[str, dict[str, Any]]:
    """Time, queries and bytes of each page."""
    client = _signed_in_client(app)
    script_sizes: dict[str, int] = {}
    out: dict[str, dict[str, Any]] = {}
    for page in pages:

        def fetch(page: Page = page) -> str:
            if page.direct is not None:
                return page.direct()
            response = client.get(page.path, headers=page.headers)
            if response.status_code != 200:
                raise RuntimeError(f"{page.path} answered {response.status_code}")
            return response.get_data(as_text=True)

        for _ in range(3):
            fetch()
        with count_queries() as statements:
            html = fetch()
        timings = []
        cpu = []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            fetch()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        scripts = SCRIPT_SRC.findall(html) + LAZY_SCRIPT_SRC.findall(html)
        js = 0
        for src in scripts:
            if src not in script_sizes:
                response = client.get(src)
                script_sizes[src] = len(gzip.compress(response.get_data()))
                response.close()
            js += script_sizes[src]
        body = html.encode()
        out[page.name] = {
            "path": page.path,
            "timings_ms": timings,
            "cpu_ms": cpu,
            "median_ms": statistics.median(timings),
            "cpu_median_ms": statistics.median(cpu),
            "p95_ms": _percentile(timings, 0.95),
            # SQL statements; transaction control (BEGIN on SQLite) is not a query.
            "queries": len(
                [s for s in statements if s.lstrip().split(None, 1)[0].upper() in SQL_VERBS]
            ),
            "html_bytes": len(body),
            "html_gzip_bytes": len(gzip.compress(body)),
            "js_gzip_bytes": js,
            "scripts": [s.split("?")[0] for s in scripts],
        }
    return out


def measure_in_processes(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """`measure` in `--processes` fresh Python processes, one after the other, pooled.

    One process's times depend on where its memory happened to land and on what the host
    was doing meanwhile: the same page measured 27 ms in one process and 45 ms in the next
    on an idle machine. The medians and percentiles here are of every request of every
    process; each process's own median is kept to show the spread."""
    runs: list[dict[str, dict[str, Any]]] = []
    for number in range(args.processes):
        print(f"== measuring process {number + 1} of {args.processes}", file=sys.stderr)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "measured.json"
            command = [
                sys.executable,
                "-m",
                "bench.run",
                "--db",
                args.db,
                "--pilots",
                str(args.pilots),
                "--requests",
                str(args.requests),
                "--pg-url",
                args.pg_url,
                "--tag",
                args.tag,
                "--measure-only",
                str(out),
            ]
            subprocess.run(command, cwd=ROOT, check=True)
            runs.append(json.loads(out.read_text()))
    pooled: dict[str, dict[str, Any]] = {}
    for name, first in runs[0].items():
        timings = [t for run in runs for t in run[name]["timings_ms"]]
        cpu = [c for run in runs for c in run[name]["cpu_ms"]]
        pooled[name] = {
            **first,
            "timings_ms": timings,
            "cpu_ms": cpu,
            "median_ms": statistics.median(timings),
            "cpu_median_ms": statistics.median(cpu),
            "p95_ms": _percentile(timings, 0.95),
            "run_medians_ms": sorted(round(run[name]["median_ms"], 1) for run in runs),
        }
    return pooled


def measure_only(args: argparse.Namespace) -> None:
    """A child of `measure_in_processes`: measure the existing database, write raw figures."""
    app = make_app(database_url(args.db, args.pilots, True, args.pg_url, tag=args.tag))
    pages, _notes = pages_to_measure(app)
    measured = measure(app, pages, args.requests)
    Path(args.measure_only).write_text(json.dumps(measured))
    with app.app_context():
        from pilot_tracker.extensions import db

        db.engine.dispose()


def query_counts(app: Flask, pages: list[Page]) -> dict[str, int]:
    """Queries per page (one request each), for the small portfolio."""
    measured = measure(app, pages, requests=1)
    return {name: values["queries"] for name, values in measured.items()}


# --- report ------------------------------------------------------------------------------


def _target(kind: str) -> float:
    if kind == "floor":
        return 0.0  # no target: it is what the pages are compared with
    return TARGET_MS.get(kind, TARGET_MS_DEFAULT)


def report(
    db_kind: str, counts: Counts, small: int, requests: int, results: list[Result], notes: list[str]
) -> str:
    """The printed table."""
    head = (
        f"Dashboards benchmark: {db_kind}, {counts.pilots:,} pilots, {counts.participations:,} "
        f"participations, {counts.kpis:,} KPIs, {counts.measurements:,} measurements, "
        f"{counts.status_updates:,} status updates, {counts.decisions:,} decisions; "
        f"{requests} timed requests per page (server time, test client)"
    )
    columns = (
        f"{'page':<24} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>7} {'runs ms':>11} {'target':>7} "
        f"{'q@' + str(small):>6} {'q@' + str(counts.pilots):>8} {'HTML gz kB':>10} "
        f"{'JS gz kB':>9} {'×floor':>6}  ok"
    )
    lines = [head, "", columns, "-" * len(columns)]
    floor = next((r.median_ms for r in results if r.name == FLOOR), None)
    for r in results:
        multiple = f"{r.median_ms / floor:.0f}" if floor else "–"
        if r.name == FLOOR:
            times = f"{r.median_ms:>9.2f} {r.p95_ms:>7.2f} {r.cpu_median_ms:>7.2f} {'':>11}"
            lines.append(
                f"{r.name:<24} {times} {'–':>7} {r.queries_small or '–':>6} {r.queries:>8} "
                f"{r.html_gzip_bytes / 1000:>10.1f} {0:>9.1f} {'1':>6}  –"
            )
            continue
        ok = (
            r.median_ms <= r.target_ms
            and r.queries <= TARGET_QUERIES
            and (r.queries_small is None or r.queries_small == r.queries)
            and r.html_gzip_bytes / 1000 <= TARGET_PAGE_KB
            and r.js_gzip_bytes / 1000 <= TARGET_JS_KB
        )
        small_q = "–" if r.queries_small is None else str(r.queries_small)
        target = f"≤{r.target_ms:.0f}"
        runs = f"{r.run_medians_ms[0]:.0f}–{r.run_medians_ms[-1]:.0f}" if r.run_medians_ms else "–"
        times = f"{r.median_ms:>9.1f} {r.p95_ms:>7.1f} {r.cpu_median_ms:>7.1f} {runs:>11}"
        lines.append(
            f"{r.name:<24} {times} {target:>7} "
            f"{small_q:>6} {r.queries:>8} {r.html_gzip_bytes / 1000:>10.1f} "
            f"{r.js_gzip_bytes / 1000:>9.1f} {multiple:>6}  {'yes' if ok else 'NO'}"
        )
    lines.append("")
    lines.append(
        f"Targets: portfolio ≤ {TARGET_MS['portfolio']:.0f} ms, other pages ≤ "
        f"{TARGET_MS_DEFAULT:.0f} ms median; ≤ {TARGET_QUERIES} queries, the same at both sizes; "
        f"HTML ≤ {TARGET_PAGE_KB:.0f} kB and JS ≤ {TARGET_JS_KB:.0f} kB gzip."
    )
    lines.append(
        "median, p95 and cpu are over every timed request of every measuring process; runs ms: "
        "the fastest and slowest process's own median. "
        "The partial row renders the pilot page's charts alone (queries, figures, template). "
        "cpu ms: this process's CPU time per request (median), which includes SQLite's work "
        "but not PostgreSQL's; it shows how much of the time was waiting for a busy machine. "
        f"×floor: the page's median over the {FLOOR} row's, a bare Flask + SQLAlchemy + Jinja "
        "request measured in the same processes (on SQLite whatever the database): it tells a "
        "slower machine from slower code."
    )
    lines.extend(f"Note: {note}" for note in notes)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Generate (unless reused), measure, print, write JSON."""
    from flask_migrate import upgrade

    sizes = [args.pilots] + ([args.small] if args.small and args.small != args.pilots else [])
    apps: dict[int, Flask] = {}
    generation: dict[int, float] = {}
    all_counts: dict[int, Counts] = {}
    for size in sizes:
        url = database_url(args.db, size, args.reuse, args.pg_url, tag=args.tag)
        app = make_app(url)
        fresh = True
        with app.app_context():
            from pilot_tracker.extensions import db
            from pilot_tracker.models import Pilot

            upgrade()
            if args.reuse and db.session.execute(sa.select(sa.func.count(Pilot.id))).scalar():
                fresh = False
                _analyze(app)
        print(
            f"== {args.db}: {size:,} pilots ({'generating' if fresh else 'reusing'})",
            file=sys.stderr,
        )
        started = time.perf_counter()
        all_counts[size] = generate(app, size) if fresh else table_counts(app)
        generation[size] = time.perf_counter() - started if fresh else 0.0
        apps[size] = app

    big = apps[args.pilots]
    pages, notes = pages_to_measure(big)
    load_before = os.getloadavg()[0]
    print(f"== measuring {len(pages)} pages, {args.requests} requests each", file=sys.stderr)
    if args.processes > 0:
        measured = measure_in_processes(args)
    else:
        measured = measure(big, pages, args.requests)
    small_counts: dict[str, int] = {}
    if args.small in apps and args.small != args.pilots:
        small_pages, _ = pages_to_measure(apps[args.small])
        small_counts = query_counts(apps[args.small], small_pages)
    results = [
        Result(
            name=page.name,
            path=str(measured[page.name]["path"]),
            median_ms=round(measured[page.name]["median_ms"], 2),
            p95_ms=round(measured[page.name]["p95_ms"], 2),
            cpu_median_ms=round(measured[page.name]["cpu_median_ms"], 2),
            target_ms=_target(page.kind),
            queries=measured[page.name]["queries"],
            queries_small=small_counts.get(page.name),
            html_bytes=measured[page.name]["html_bytes"],
            html_gzip_bytes=measured[page.name]["html_gzip_bytes"],
            js_gzip_bytes=measured[page.name]["js_gzip_bytes"],
            scripts=measured[page.name]["scripts"],
            run_medians_ms=measured[page.name].get("run_medians_ms", []),
        )
        for page in pages
    ]
    counts = all_counts[args.pilots]
    if args.processes > 0:
        notes.append(
            f"measured in {args.processes} fresh processes of {args.requests} timed requests "
            "per page each, pooled"
        )
    load_after = os.getloadavg()[0]
    notes.append(
        f"machine load (1-minute average) {load_before:.1f} before and {load_after:.1f} after "
        f"measuring, on {os.cpu_count()} CPUs"
    )
    text = report(
        args.db, counts, args.small, args.requests * max(args.processes, 1), results, notes
    )
    print(text)
    data = {
        "database": args.db,
        "pilots": args.pilots,
        "small": args.small,
        "requests": args.requests,
        "counts": asdict(counts),
        "generation_seconds": {str(k): round(v, 1) for k, v in generation.items()},
        "results": [asdict(r) for r in results],
        "notes": notes,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_before": round(load_before, 2),
            "load_after": round(load_after, 2),
        },
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "table": text,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"dashboards-{args.db}-{args.pilots}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    print(f"\nWrote {path.relative_to(ROOT)}", file=sys.stderr)
    for app in apps.values():
        with app.app_context():
            from pilot_tracker.extensions import db

            db.engine.dispose()
    return data


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pilots", type=int, default=10_000)
    parser.add_argument(
        "--small", type=int, default=100, help="the small portfolio for query counts (0: none)"
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="measure existing databases again")
    parser.add_argument(
        "--processes",
        type=int,
        default=3,
        help="measure in this many fresh processes and pool their requests (0: in this one)",
    )
    parser.add_argument(
        "--tag",
        default=os.environ.get("BENCH_TAG", ""),
        help="keep these databases apart (bench-<tag>-<n>.db, kokeilu_bench_<tag>_<n>)",
    )
    parser.add_argument("--measure-only", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG),
        help="a PostgreSQL URL whose user may create databases (env BENCH_POSTGRES_URL)",
    )
    return parser.parse_args(list(argv) if argv is not None else None)


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure_only:
        measure_only(args)
    else:
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
