"""Cost-entry benchmark: a year's billing and recording an entry, at scale.

    .venv/bin/python -m bench.costs --db sqlite --pilots 10000
    .venv/bin/python -m bench.costs --db postgresql --pilots 10000

The portfolio comes from bench/run.py's generator; then each pilot gets `--entries` (10)
cost entries over the last year (one in ten a credit note for part of an earlier invoice),
funded and split by the real rules (domain/actual_costs.py) and bulk-inserted with their
share rows, as the costs service would store them. A 20-municipality pilot is added through
the pilot service.

Measured through Flask's test client (server time, no network), signed in as a
coordinator: a year's billing for the municipality with the most cost shares
(GET /api/v1/municipalities/<code>/billing?from=&to=, target 100 ms) and recording an entry on
the 20-municipality pilot (POST /api/v1/pilots/<id>/costs, target 25 ms; a recording
recomputes only the entries dated after it, and writes only those whose funding moved), and
the summary of that municipality (GET /api/v1/municipalities/<code>/summary, target 50 ms).
Median and 95th percentile, and the process's CPU time per request; SQL queries counted
(billing is one query whatever the size; recording grows with nothing but the pilot).

Prints a table and writes bench/results/costs-<db>-<pilots>.json. Databases:
bench/results/bench-costs-<n>.db, kokeilu_bench_costs_<n>; `--reuse` measures again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench import run as base

RESULTS = base.RESULTS
SEED = 20261202
BILLING_TARGET_MS = 100.0
RECORD_TARGET_MS = 25.0
SUMMARY_TARGET_MS = 50.0


def add_cost_entries(app: Flask, per_pilot: int, today: date, seed: int = SEED) -> int:
    """Bulk-insert `per_pilot` entries per pilot with their funding and shares; the count."""
    from pilot_tracker.domain.actual_costs import Entry, Member, SplitRule, apply_entries
    from pilot_tracker.domain.actual_costs import funding_rate as rate_of
    from pilot_tracker.domain.enums import SplitMethod
    from pilot_tracker.extensions import db
    from pilot_tracker.models import CostEntry, CostShare, Municipality, Participation, Pilot

    rng = random.Random(seed)
    with app.app_context():
        rows = db.session.execute(sa.select(Municipality.code, Municipality.population))
        populations = {code: population for code, population in rows}
        members: dict[int, list[Member]] = {}
        for pid, code, manual in db.session.execute(
            sa.select(
                Participation.pilot_id,
                Participation.municipality_code,
                Participation.manual_percent,
            )
        ):
            members.setdefault(pid, []).append(
                Member(code, populations[code], manual_percent=manual)
            )
        pilots = db.session.execute(
            sa.select(
                Pilot.id,
                Pilot.split_method,
                Pilot.equal_percent,
                Pilot.budget_cents,
                Pilot.external_funding_cents,
                Pilot.external_funding_rate_percent,
            )
        ).all()
        next_id = (db.session.scalar(sa.select(sa.func.max(CostEntry.id))) or 0) + 1
        entry_rows: list[dict[str, Any]] = []
        share_rows: list[dict[str, Any]] = []
        for pid, method, equal, budget, funding, rate_percent in pilots:
            invoice = max(100, budget // (per_pilot + 2))
            entries = []
            for n in range(per_pilot):
                amount = rng.randint(invoice // 2, invoice * 3 // 2)
                if n and n % 10 == 9:
                    amount = -rng.randint(1, invoice // 4)  # a credit note
                day = today - timedelta(days=rng.randint(0, 364))
                entries.append(Entry(next_id, day, amount))
                next_id += 1
            applied = apply_entries(
                entries,
                members[pid],
                SplitRule(SplitMethod(method), equal),
                rate_of(rate_percent, budget, funding),
                funding,
            )
            for item in applied:
                e = item.entry
                entry_rows.append(
                    {
                        "id": e.id,
                        "pilot_id": pid,
                        "entry_date": e.on,
                        "amount_cents": e.amount_cents,
                        "kind": "vendor_invoice",
                        "reference": f"B-{e.id}",
                        "description": "",
                        "funded_cents": item.funded_cents,
                        "created_at": datetime.now(UTC),
                    }
                )
                for code, cents in item.shares.items():
                    share_rows.append(
                        {
                            "cost_entry_id": e.id,
                            "municipality_code": code,
                            "pilot_id": pid,
                            "entry_date": e.on,
                            "share_cents": cents,
                        }
                    )
        for chunk in base._chunks(entry_rows, 5_000):
            db.session.execute(sa.insert(CostEntry.__table__), chunk)
        for chunk in base._chunks(share_rows, 5_000):
            db.session.execute(sa.insert(CostShare.__table__), chunk)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # The inserted ids bypassed the sequence: move it past them.
            db.session.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('cost_entries', 'id'), "
                    "(SELECT max(id) FROM cost_entries))"
                )
            )
            db.session.commit()
        return len(entry_rows)


def twenty_municipality_pilot(app: Flask) -> int:
    """A hybrid pilot of twenty municipalities with an 85 % grant (through the service)."""
    from pilot_tracker.extensions import db
    from pilot_tracker.models import Municipality
    from pilot_tracker.services.pilots import create_pilot

    with app.app_context():
        codes = list(
            db.session.scalars(sa.select(Municipality.code).order_by(Municipality.code).limit(20))
        )
        pilot = create_pilot(_twenty(codes))
        return pilot.id


def _twenty(codes: list[str]) -> Any:
    from decimal import Decimal

    from pilot_tracker.domain.enums import SplitMethod, Theme, Track
    from pilot_tracker.services.pilots import PilotData

    return PilotData(
        name="Kaksikymmentä kuntaa",
        theme=Theme.E_SERVICES,
        track=Track.QUICK,
        lead_municipality=codes[0],
        participants=codes,
        split_method=SplitMethod.HYBRID,
        equal_percent=Decimal("30.00"),
        budget_cents=47_000_000,
        external_funding_cents=40_000_000,
        external_funding_rate_percent=Decimal("85.00"),
    )


def _api_headers(app: Flask) -> dict[str, str]:
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User
    from pilot_tracker.services.tokens import create_token

    with app.app_context():
        user = db.session.scalars(
            sa.select(User).where(User.email == "bench-coordinator@bench.example")
        ).one()
        token = create_token(user, name="bench-costs")[1]
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _timed(call: Any, requests: int) -> tuple[list[float], float, int]:
    """Wall times (ms), the median CPU time of this process (ms) and the query count."""
    for _ in range(3):
        call()
    timings = []
    cpu = []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    with base.count_queries() as statements:
        call()
    return timings, statistics.median(cpu), len(statements)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from flask_migrate import upgrade

    from pilot_tracker.extensions import db
    from pilot_tracker.models import CostShare, Pilot

    url = base.database_url(args.db, args.pilots, args.reuse, args.pg_url, tag=args.tag)
    app = base.make_app(url)
    today = date.today()
    with app.app_context():
        upgrade()
        fresh = not db.session.execute(sa.select(sa.func.count(Pilot.id))).scalar()
    if fresh:
        base.generate(app, args.pilots)
        entries = add_cost_entries(app, args.entries, today)
        base._analyze(app)
    else:
        entries = -1
    with app.app_context():
        code = db.session.execute(
            sa.select(CostShare.municipality_code)
            .group_by(CostShare.municipality_code)
            .order_by(sa.func.count().desc(), CostShare.municipality_code)
            .limit(1)
        ).scalar_one()
    pilot_id = twenty_municipality_pilot(app)
    headers = _api_headers(app)
    client = app.test_client()
    start = (today - timedelta(days=364)).isoformat()
    billing_path = f"/api/v1/municipalities/{code}/billing?from={start}&to={today.isoformat()}"

    def billing() -> None:
        response = client.get(billing_path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)

    counter = iter(range(1, 10**9))

    def record() -> None:
        n = next(counter)
        body = {
            "date": (today - timedelta(days=n % 300)).isoformat(),
            "amount_eur": f"{1000 + n}.{n % 100:02d}",
            "kind": "vendor_invoice",
            "reference": f"R-{n}",
        }
        response = client.post(f"/api/v1/pilots/{pilot_id}/costs", json=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)

    def summary() -> None:
        response = client.get(f"/api/v1/municipalities/{code}/summary", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)

    results: dict[str, Any] = {"db": args.db, "pilots": args.pilots, "entries": entries}
    for name, call, target in (
        ("municipality summary, largest", summary, SUMMARY_TARGET_MS),
        ("billing, a year, largest municipality", billing, BILLING_TARGET_MS),
        ("record an entry, 20 municipalities", record, RECORD_TARGET_MS),
    ):
        timings, cpu_ms, queries = _timed(call, args.requests)
        results[name] = {
            "median_ms": round(statistics.median(timings), 2),
            "cpu_ms": round(cpu_ms, 2),
            "p95_ms": round(base._percentile(timings, 0.95), 2),
            "queries": queries,
            "target_ms": target,
        }
    with app.app_context():
        db.engine.dispose()
    print(f"cost entries: {entries} ({args.db}, {args.pilots} pilots)")
    for name, value in results.items():
        if isinstance(value, dict):
            print(
                f"{name:42} median {value['median_ms']:8.2f} ms  p95 {value['p95_ms']:8.2f} ms"
                f"  cpu {value['cpu_ms']:7.2f} ms  queries {value['queries']:3}"
                f"  target {value['target_ms']} ms"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"costs-{args.db}-{args.pilots}.json"
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.costs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pilots", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=10, help="cost entries per pilot")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--tag",
        default="costs",
        help="names the databases (bench-<tag>-<n>.db, kokeilu_bench_<tag>_<n>), so that "
        "benchmarks run side by side keep apart",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    return parser.parse_args(list(argv) if argv is not None else None)


def main(argv: Iterable[str] | None = None) -> int:
    run(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
