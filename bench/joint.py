"""Joint-life benchmark: a pilot page with 20 participants, 30 municipal decisions and 50
follow-up items beside a small pilot's, and a decision proposal PDF, at portfolio scale.

    .venv/bin/python -m bench.joint --db sqlite --pilots 10000
    .venv/bin/python -m bench.joint --db postgresql --pilots 10000

The portfolio is bench/run.py's (generated unless `--reuse` finds it: the same databases as
`python -m bench.run`, so run that first to save the generation). One of its pilots in
evaluation becomes the large joint pilot: 20 participants, then 30 municipal decisions
(some of them making participants leave and newcomers join) and 50 follow-up items, all
through the services. Measured through Flask's test client (server time), signed in as the
benchmark coordinator: the large pilot's page and a 3-participant pilot's page, whose query
counts must be equal, and the large pilot's decision proposal as a PDF.

Targets: the pilot page ≤ 50 ms median, the PDF ≤ 1.5 s median. Prints a table and writes
bench/results/joint-<db>-<pilots>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench import run as base

PAGE_TARGET_MS = 50.0
PDF_TARGET_MS = 1500.0


def _prepare(app: Flask) -> tuple[int, int, str]:
    """The large joint pilot and a small pilot (ids), and the proposal's municipality."""
    from pilot_tracker.domain.enums import Gate, Outcome, SplitMethod, Stage
    from pilot_tracker.domain.follow_up import OwnerKind
    from pilot_tracker.domain.municipal_decisions import Body
    from pilot_tracker.extensions import db
    from pilot_tracker.models import MunicipalDecision, Municipality, Participation, Pilot
    from pilot_tracker.services.follow_up import Owner, create_item
    from pilot_tracker.services.municipal_decisions import record_municipal_decision
    from pilot_tracker.services.pilots import load_pilot_for_update, update_pilot

    with app.app_context():
        done = db.session.scalar(
            sa.select(MunicipalDecision.pilot_id)
            .group_by(MunicipalDecision.pilot_id)
            .having(sa.func.count() >= 30)
            .limit(1)
        )
        counts = (
            sa.select(sa.func.count())
            .where(Participation.pilot_id == Pilot.id)
            .correlate(Pilot)
            .scalar_subquery()
        )
        small = db.session.scalar(
            sa.select(Pilot.id)
            .where(Pilot.stage == Stage.EVALUATION, counts == 3, Pilot.vendor_id.is_not(None))
            .order_by(Pilot.id)
            .limit(1)
        )
        assert small is not None, "no 3-participant pilot in evaluation"
        if done is not None:
            pilot = load_pilot_for_update(done)
            assert pilot is not None
            return done, small, pilot.current_participations[0].municipality_code
        big = db.session.scalar(
            sa.select(Pilot.id)
            .where(Pilot.stage == Stage.EVALUATION, Pilot.vendor_id.is_not(None), Pilot.id != small)
            .order_by(Pilot.id.desc())
            .limit(1)
        )
        assert big is not None
        codes = list(db.session.scalars(sa.select(Municipality.code).order_by(Municipality.code)))
        pilot = load_pilot_for_update(big)
        assert pilot is not None
        lead = pilot.lead_municipality_code
        members = [lead, *[c for c in codes if c != lead][:19]]
        update_pilot(
            pilot, {"participants": members, "split_method": SplitMethod.PER_CAPITA}, pilot.version
        )
        newcomers = [c for c in codes if c not in members]
        today = date.today()
        decided = 0
        for i, code in enumerate(members[1:]):
            if decided == 30:
                break
            pilot = load_pilot_for_update(big)
            assert pilot is not None
            outcome = Outcome.NO_GO if i % 6 == 5 else Outcome.GO
            record_municipal_decision(
                pilot, code, Gate.MIDPOINT, outcome, Body.BOARD, today - timedelta(days=40 - i)
            )
            decided += 1
        for code in newcomers[: 30 - decided]:
            pilot = load_pilot_for_update(big)
            assert pilot is not None
            record_municipal_decision(pilot, code, Gate.SCALE_UP, Outcome.GO, Body.COUNCIL, today)
        pilot = load_pilot_for_update(big)
        assert pilot is not None
        current = [p.municipality_code for p in pilot.current_participations]
        for n in range(50):
            owner = (
                Owner(OwnerKind.VENDOR)
                if n % 3 == 0
                else Owner(OwnerKind.MUNICIPALITY, current[n % len(current)])
                if n % 3 == 1
                else Owner(OwnerKind.COORDINATOR)
            )
            create_item(
                pilot,
                f"Jatkotoimenpide {n + 1}",
                owner,
                description="Sovitaan toimittajan kanssa.",
                due_on=today + timedelta(days=n - 10),
                commit=n == 49,
            )
        return big, small, current[0]


def _time(fetch: Any, requests: int) -> tuple[float, float, int]:
    for _ in range(2):
        fetch()
    with base.count_queries() as statements:
        fetch()
    queries = len([s for s in statements if s.lstrip().split(None, 1)[0].upper() in base.SQL_VERBS])
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        fetch()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), base._percentile(timings, 0.95), queries


def explain(app: Flask, client: Any, path: str, postgres: bool) -> str:
    """Every query the page makes, with its plan as the database runs it: EXPLAIN (ANALYZE,
    BUFFERS) on PostgreSQL (execution time and shared buffers read), EXPLAIN QUERY PLAN on
    SQLite."""
    from pilot_tracker.extensions import db

    captured: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH"):
            captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    client.get(path)
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    out = [f"# {path}: {len(captured)} SELECT statements"]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for n, (statement, parameters) in enumerate(captured, start=1):
            first = " ".join(statement.split())[:160]
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
            out.append(f"\n## {n}. {first}")
            if postgres:
                out.extend(str(r[0]) for r in rows)
            else:
                out.extend(str(r[-1]) for r in rows)
        raw.rollback()
    finally:
        raw.close()
    return "\n".join(out)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from flask_migrate import upgrade

    url = base.database_url(args.db, args.pilots, True, args.pg_url)
    app = base.make_app(url)
    with app.app_context():
        from pilot_tracker.extensions import db
        from pilot_tracker.models import Pilot

        upgrade()
        have = db.session.execute(sa.select(sa.func.count(Pilot.id))).scalar()
    if not have:
        print(f"== generating {args.pilots:,} pilots", file=sys.stderr)
        base.generate(app, args.pilots)
    big, small, code = _prepare(app)
    client = base._signed_in_client(app)
    if args.explain:
        for pilot_id in (big, small):
            print(explain(app, client, f"/pilots/{pilot_id}", args.db == "postgresql"))
        return {"results": [], "queries_equal": True}

    def getter(path: str, mimetype: str = "text/html") -> Any:
        def fetch() -> bytes:
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != mimetype:
                raise RuntimeError(f"{path} answered {response.status_code} {response.mimetype}")
            return response.get_data()

        return fetch

    rows = []
    for name, path, mimetype, target, requests in (
        ("pilot page, joint pilot", f"/pilots/{big}", "text/html", PAGE_TARGET_MS, args.requests),
        ("pilot page, small pilot", f"/pilots/{small}", "text/html", PAGE_TARGET_MS, args.requests),
        (
            "decision proposal PDF",
            f"/pilots/{big}/proposal/{code}.pdf",
            "application/pdf",
            PDF_TARGET_MS,
            max(3, args.requests // 5),
        ),
    ):
        median, p95, queries = _time(getter(path, mimetype), requests)
        rows.append(
            {
                "name": name,
                "path": path,
                "median_ms": round(median, 1),
                "p95_ms": round(p95, 1),
                "target_ms": target,
                "queries": queries,
                "ok": median <= target,
            }
        )
    equal = rows[0]["queries"] == rows[1]["queries"]
    floor_fetch = base._floor_renderer()
    floor, floor_p95, floor_queries = _time(floor_fetch, args.requests)
    lines = [
        f"Joint-life benchmark on {args.db}, {args.pilots:,} pilots",
        "",
        "| what | median ms | p95 ms | target | queries | ×floor | ok |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {r['name']} | {r['median_ms']} | {r['p95_ms']} | ≤{r['target_ms']:.0f} | "
            f"{r['queries']} | {r['median_ms'] / floor:.0f} | {'yes' if r['ok'] else 'NO'} |"
            for r in rows
        ),
        f"| {base.FLOOR} | {floor:.2f} | {floor_p95:.2f} | – | {floor_queries} | 1 | – |",
        "",
        f"Queries of the joint pilot's page equal the small pilot's: {'yes' if equal else 'NO'}",
        f"×floor: the median over the {base.FLOOR} request's (bench/README.md, bench.run), "
        "measured in the same process.",
    ]
    text = "\n".join(lines)
    print(text)
    data = {
        "database": args.db,
        "pilots": args.pilots,
        "results": rows,
        "queries_equal": equal,
        "floor_ms": round(floor, 3),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "table": text,
    }
    base.RESULTS.mkdir(parents=True, exist_ok=True)
    out = base.RESULTS / f"joint-{args.db}-{args.pilots}.json"
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    print(f"\nWrote {out}", file=sys.stderr)
    with app.app_context():
        from pilot_tracker.extensions import db

        db.engine.dispose()
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.joint", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pilots", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pg-url", default=base.DEFAULT_PG)
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of every query of both pilot pages"
    )
    data = run(parser.parse_args(argv))
    return 0 if all(r["ok"] for r in data["results"]) and data["queries_equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
