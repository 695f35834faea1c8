"""The residents' feedback endpoint under a flood (issue 21).

One address sends `--flood` submissions (10 000) as fast as it can while other residents
submit normally between them: address B five times (its limit is five per ten minutes) and
`--others` (50) further addresses once each, spread through the flood. Measured through
Flask's test client (server time, no network) on a fresh SQLite file, or PostgreSQL with
`--pg-url`; the limiter counts in memory as in one worker (production shares Redis).

It prints, and checks: every normal submission stored (303), the flood stored at most its
limit, and the endpoint's median server time (≤ 20 ms) with the 95th percentile, for the
flood's refusals and the normal submissions apart.

    .venv/bin/python -m bench.feedback                 # SQLite
    .venv/bin/python -m bench.feedback --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/kokeilu_feedback
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

MEDIAN_BUDGET_MS = 20.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=50)
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args(argv)

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from pilot_tracker import create_app
    from pilot_tracker.domain.enums import SplitMethod, Theme
    from pilot_tracker.extensions import db
    from pilot_tracker.models import ResidentFeedback
    from pilot_tracker.services.pilots import PilotData, create_pilot
    from pilot_tracker.web import feedback_guard

    scratch = Path(tempfile.mkdtemp(prefix="bench-feedback-"))
    url = args.pg_url or f"sqlite:///{scratch / 'feedback.db'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "localhost"})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        pilot = create_pilot(
            PilotData(
                name="Sähköinen tilavaraus",
                theme=Theme.FACILITY_BOOKING,
                lead_municipality="418",
                participants=["418", "536", "980"],
                split_method=SplitMethod.PER_CAPITA,
                budget_cents=12_000_000,
                external_funding_cents=0,
                is_public=True,
            )
        )
        pilot_id = pilot.id
    with app.test_request_context():
        token = feedback_guard.form_token(pilot_id, time.time() - 60)
    client = app.test_client()
    path = f"/public/pilots/{pilot_id}/feedback"
    form = {"rating": "4", "municipality": "418", "text": "", "token": token}

    cpu_ms: list[float] = []

    def post(address: str, **extra: str) -> tuple[int, float]:
        start, cpu_start = time.perf_counter(), time.thread_time()
        response = client.post(path, data={**form, **extra}, environ_base={"REMOTE_ADDR": address})
        cpu_ms.append((time.thread_time() - cpu_start) * 1000)
        return response.status_code, (time.perf_counter() - start) * 1000

    normal = [("198.51.100.2", "B")] * 5 + [
        (f"192.0.2.{n % 250}", "other") for n in range(args.others)
    ]
    every = max(1, args.flood // (len(normal) + 1))
    flood_ms: list[float] = []
    flood_codes: dict[int, int] = {}
    normal_ms: list[float] = []
    normal_codes: dict[int, int] = {}
    cpu = time.process_time()
    wall = time.perf_counter()
    queue = list(normal)
    for n in range(args.flood):
        code, ms = post("203.0.113.66", text="Osta halvalla" if n % 2 else "")
        flood_codes[code] = flood_codes.get(code, 0) + 1
        flood_ms.append(ms)
        if queue and n % every == every - 1:
            address, _who = queue.pop(0)
            code, ms = post(address, text="Toimi hyvin.")
            normal_codes[code] = normal_codes.get(code, 0) + 1
            normal_ms.append(ms)
    for address, _who in queue:
        code, ms = post(address)
        normal_codes[code] = normal_codes.get(code, 0) + 1
        normal_ms.append(ms)
    wall_s = time.perf_counter() - wall
    cpu_s = time.process_time() - cpu
    with app.app_context():
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(ResidentFeedback))
    limit = app.config["FEEDBACK_ADDRESS_LIMIT"]
    all_ms = flood_ms + normal_ms
    median = statistics.median(all_ms)
    db_name = "PostgreSQL" if args.pg_url else "SQLite"

    def spread(values: list[float]) -> str:
        return f"median {statistics.median(values):.2f}, p95 {percentile(values, 0.95):.2f}"

    others = len({a for a, _ in normal})
    print(f"database: {db_name}; address limit {limit!r}")
    print(f"flood: {args.flood} posts from one address, {wall_s:.1f} s wall, {cpu_s:.1f} s cpu")
    print(f"  answers {flood_codes}; server ms {spread(flood_ms)}")
    print(f"normal: {len(normal_ms)} posts from {others} other addresses")
    print(f"  answers {normal_codes}; server ms {spread(normal_ms)}")
    print(f"stored: {stored} (flood {flood_codes.get(303, 0)}, others {normal_codes.get(303, 0)})")
    print(f"endpoint: server ms {spread(all_ms)} (budget median {MEDIAN_BUDGET_MS} ms)")
    print(f"  cpu ms {spread(cpu_ms)}")
    ok = (
        normal_codes == {303: len(normal_ms)}
        and flood_codes.get(303, 0) <= 5
        and stored == len(normal_ms) + flood_codes.get(303, 0)
        and median <= MEDIAN_BUDGET_MS
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
