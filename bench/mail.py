"""Mail benchmark: the daily reminder digests of many users, and a coordinator's calendar feed.

    .venv/bin/python -m bench.mail --db sqlite --pilots 10000 --users 1000
    .venv/bin/python -m bench.mail --db postgresql --pilots 10000 --users 1000
    .venv/bin/python -m bench.mail --pilots 300 --users 60 --feed-pilots 100   # a quick look

The portfolio comes from bench/run.py's generator. On top of it: `--users` users (a third
vendor users spread over the vendors, a third coordinators who share the pilots between them,
a third council members tied to the municipalities in the most pilots) and one more
coordinator who coordinates `--feed-pilots` (500) pilots and owns a calendar feed.

Measured: `send-reminders` for one day over all users (each digest composed in the user's
language, in plain text and HTML, written to the outbox with its reminder-log rows), its
wall time and the growth of the process's peak memory (it reads users in batches, so memory
must not grow with their number); then the coordinator's feed (GET /calendar/<token>.ics, no
session) warmed up and timed `--requests` times. Targets (shown, not enforced): digests
≤ 60 s for 1 000 users over 10 000 pilots, the feed ≤ 200 ms.

Prints a summary and writes bench/results/mail-<db>-<pilots>.json. The databases are kept
(SQLite bench/results/bench-mail-<n>.db, PostgreSQL kokeilu_bench_mail_<n>); `--reuse`
measures them again (the outbox and reminder log are emptied first).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench import run as base

DIGEST_TARGET_S = 60.0
FEED_TARGET_MS = 200.0
PASSWORD_HASH = "pbkdf2:sha256:1000$bench$" + "0" * 64  # nobody signs in with it


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_users(app: Flask, users: int, feed_pilots: int) -> tuple[int, str]:
    """The benchmark's users (bulk inserts) and the feed coordinator; its id and feed token."""
    from pilot_tracker.domain.enums import Role
    from pilot_tracker.extensions import db
    from pilot_tracker.models import Participation, Pilot, User, Vendor
    from pilot_tracker.services.calendar import create_feed

    with app.app_context():
        # A reused database: the earlier run's users go, and the pilots they coordinated
        # are handed out again below.
        earlier = sa.select(User.id).where(User.email.like("mail-bench-%"))
        db.session.execute(
            sa.update(Pilot)
            .where(Pilot.coordinator_id.in_(earlier))
            .values(coordinator_id=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(sa.delete(User).where(User.email.like("mail-bench-%")))
        vendors = list(db.session.scalars(sa.select(Vendor.id).order_by(Vendor.id)))
        busiest = list(
            db.session.scalars(
                sa.select(Participation.municipality_code)
                .group_by(Participation.municipality_code)
                .order_by(sa.func.count().desc())
                .limit(50)
            )
        )
        languages = ("fi", "sv", "en", None)
        rows: list[dict[str, Any]] = []
        for n in range(users):
            kind = n % 3
            row: dict[str, Any] = {
                "email": f"mail-bench-{n}@bench.example",
                "name": f"Bench {n}",
                "password_hash": PASSWORD_HASH,
                "active": True,
                "language": languages[n % len(languages)],
                "session_nonce": f"{n:032x}",
                "created_at": datetime.now(UTC),
                "municipality_code": None,
                "vendor_id": None,
            }
            if kind == 0 and vendors:
                row.update(role=Role.VENDOR.value, vendor_id=vendors[n % len(vendors)])
            elif kind == 1:
                row.update(role=Role.COORDINATOR.value)
            else:
                row.update(role=Role.COUNCIL.value, municipality_code=busiest[n % len(busiest)])
            rows.append(row)
        rows.append(
            {
                **rows[0],
                "email": "mail-bench-feed@bench.example",
                "role": Role.COORDINATOR.value,
                "vendor_id": None,
                "municipality_code": None,
                "language": "fi",
            }
        )
        for chunk in base._chunks(rows, base.BATCH):
            db.session.execute(sa.insert(User), chunk)
        db.session.commit()
        coordinators = list(
            db.session.scalars(
                sa.select(User.id)
                .where(User.email.like("mail-bench-%"), User.role == Role.COORDINATOR)
                .order_by(User.id)
            )
        )
        feed_user = db.session.scalars(
            sa.select(User).where(User.email == "mail-bench-feed@bench.example")
        ).one()
        others = [c for c in coordinators if c != feed_user.id]
        pilot_ids = list(db.session.scalars(sa.select(Pilot.id).order_by(Pilot.id)))
        owners: dict[int, list[int]] = {}
        for index, pilot_id in enumerate(pilot_ids):
            owner = feed_user.id if index < feed_pilots else others[index % len(others)]
            owners.setdefault(owner, []).append(pilot_id)
        for owner, ids in owners.items():
            for start in range(0, len(ids), 900):
                db.session.execute(
                    sa.update(Pilot)
                    .where(Pilot.id.in_(ids[start : start + 900]))
                    .values(coordinator_id=owner)
                    .execution_options(synchronize_session=False)
                )
        db.session.commit()
        add_feed_records(pilot_ids[:feed_pilots])
        token = create_feed(feed_user)
        return feed_user.id, token


def add_feed_records(pilot_ids: list[int]) -> None:
    """What a coordinator's calendar holds beyond reviews and ends: on each of the feed's
    pilots three open follow-up items (the vendor's, a participant's, the coordinator's),
    one done (not in the feed) and a planned steering-group meeting at 13.00."""
    from datetime import time as clock
    from datetime import timedelta

    from pilot_tracker.domain.enums import Gate
    from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
    from pilot_tracker.extensions import db
    from pilot_tracker.models import FollowUpItem, GateMeeting, Participation

    today = date.today()
    now = datetime.now(UTC)
    db.session.execute(sa.delete(FollowUpItem).where(FollowUpItem.title.like("Bench %")))
    db.session.execute(sa.delete(GateMeeting).where(GateMeeting.place == "Bench"))
    towns = dict(
        db.session.execute(
            sa.select(Participation.pilot_id, sa.func.min(Participation.municipality_code))
            .where(Participation.pilot_id.in_(pilot_ids))
            .group_by(Participation.pilot_id)
        ).all()
    )
    items: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []
    for n, pilot_id in enumerate(pilot_ids):
        owners = [
            (OwnerKind.VENDOR, None, ItemStatus.OPEN),
            (OwnerKind.MUNICIPALITY, towns.get(pilot_id), ItemStatus.IN_PROGRESS),
            (OwnerKind.COORDINATOR, None, ItemStatus.OPEN),
            (OwnerKind.COORDINATOR, None, ItemStatus.DONE),
        ]
        for k, (kind, code, status) in enumerate(owners):
            if kind is OwnerKind.MUNICIPALITY and code is None:
                continue
            items.append(
                {
                    "pilot_id": pilot_id,
                    "title": f"Bench item {k} of pilot {pilot_id}",
                    "description": "",
                    "owner_kind": kind.value,
                    "owner_municipality_code": code,
                    "due_on": today + timedelta(days=(n * 7 + k * 11) % 200 - 20),
                    "status": status.value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        meetings.append(
            {
                "pilot_id": pilot_id,
                "gate": Gate.MIDPOINT.value,
                "meets_on": today + timedelta(days=n % 120),
                "starts_at": clock(13, 0),
                "municipality_code": None,
                "body": None,
                "place": "Bench",
                "created_at": now,
                "updated_at": now,
            }
        )
    for chunk in base._chunks(items, base.BATCH):
        db.session.execute(sa.insert(FollowUpItem.__table__), chunk)
    for chunk in base._chunks(meetings, base.BATCH):
        db.session.execute(sa.insert(GateMeeting.__table__), chunk)
    db.session.commit()


def measure_digests(app: Flask, today: date, trace: bool = False) -> dict[str, Any]:
    from pilot_tracker.extensions import db
    from pilot_tracker.models import OutboxMessage, ReminderLog
    from pilot_tracker.services.reminders import send_reminders

    with app.app_context():
        db.session.execute(sa.delete(ReminderLog))
        db.session.execute(sa.delete(OutboxMessage))
        db.session.commit()
        rss_before = _peak_rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        report = send_reminders(today)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rss_after = _peak_rss_mb()
        outbox_bytes = db.session.scalar(
            sa.select(
                sa.func.sum(
                    sa.func.length(OutboxMessage.body_text)
                    + sa.func.length(OutboxMessage.body_html)
                )
            )
        )
        again = send_reminders(today)
        traced = None
        if trace:
            # Once more from an empty log, under tracemalloc: the peak of Python's own
            # allocations during the run (slower; not the timed run).
            db.session.execute(sa.delete(ReminderLog))
            db.session.execute(sa.delete(OutboxMessage))
            db.session.commit()
            tracemalloc.start()
            send_reminders(today)
            traced = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
    return {
        "tracemalloc_peak_mb": traced,
        "users": report.users,
        "digests": report.digests,
        "items": report.items,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_growth_mb": round(rss_after - rss_before, 1),
        "peak_rss_mb": round(rss_after, 1),
        "outbox_bytes": int(outbox_bytes or 0),
        "second_run_digests": again.digests,
    }


def measure_feed(app: Flask, token: str, requests: int) -> dict[str, Any]:
    client = app.test_client()
    path = f"/calendar/{token}.ics"
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
    from pilot_tracker.extensions import db

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    client.get(path)
    sa.event.remove(engine, "before_cursor_execute", count)
    times, cpus = [], []
    for _ in range(requests):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    body = response.data
    return {
        "queries": len(statements),
        "median_cpu_ms": round(statistics.median(cpus), 2),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(base._percentile(times, 0.95), 2),
        "events": body.count(b"BEGIN:VEVENT"),
        "bytes": len(body),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from flask_migrate import upgrade

    from pilot_tracker.extensions import db
    from pilot_tracker.models import Pilot

    url = base.database_url(args.db, args.pilots, args.reuse, args.pg_url, tag="mail")
    app = base.make_app(url)
    with app.app_context():
        upgrade()
        fresh = not db.session.execute(sa.select(sa.func.count(Pilot.id))).scalar()
    if fresh:
        print(f"== {args.db}: generating {args.pilots:,} pilots", file=sys.stderr)
        base.generate(app, args.pilots)
    _feed_user, token = add_users(app, args.users, args.feed_pilots)
    today = date.today()
    print(f"== send-reminders for {args.users:,} users", file=sys.stderr)
    digests = measure_digests(app, today, args.tracemalloc)
    print("== the feed coordinator's calendar", file=sys.stderr)
    feed = measure_feed(app, token, args.requests)
    data = {
        "database": args.db,
        "pilots": args.pilots,
        "users": args.users,
        "feed_pilots": args.feed_pilots,
        "digests": {**digests, "target_s": DIGEST_TARGET_S},
        "feed": {**feed, "target_ms": FEED_TARGET_MS},
        "load": os.getloadavg()[0],
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(
        f"digests: {digests['digests']:,} for {digests['users']:,} users "
        f"({digests['items']:,} items) in {digests['seconds']} s "
        f"(target {DIGEST_TARGET_S:.0f} s; {digests['cpu_seconds']} s CPU); peak memory grew "
        f"{digests['peak_rss_growth_mb']} MB "
        f"(tracemalloc peak {digests['tracemalloc_peak_mb']} MB); "
        f"a second run sent {digests['second_run_digests']}\n"
        f"feed of {args.feed_pilots} pilots: {feed['events']} events, {feed['bytes']:,} bytes, "
        f"{feed['queries']} queries, median {feed['median_ms']} ms "
        f"({feed['median_cpu_ms']} ms CPU), "
        f"p95 {feed['p95_ms']} ms (target {FEED_TARGET_MS:.0f} ms)"
    )
    base.RESULTS.mkdir(parents=True, exist_ok=True)
    path = base.RESULTS / f"mail-{args.db}-{args.pilots}.json"
    path.write_text(json.dumps(data, indent=2))
    print(f"Wrote {path.relative_to(base.ROOT)}", file=sys.stderr)
    with app.app_context():
        db.engine.dispose()
    return data


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mail", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pilots", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--feed-pilots", type=int, default=500)
    parser.add_argument("--requests", type=int, default=20, help="timed feed requests")
    parser.add_argument("--reuse", action="store_true", help="use the existing database")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also run the digests under tracemalloc"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_POSTGRES_URL", base.DEFAULT_PG),
        help="an admin URL of the PostgreSQL server (a user that may create databases)",
    )
    return parser.parse_args(list(argv) if argv is not None else None)


def main(argv: Iterable[str] | None = None) -> int:
    run(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
