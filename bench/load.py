"""Load and fault test: concurrent API clients against gunicorn, with a worker killed and the
database connections cut mid-run; then proves that every acknowledged write is stored
exactly once and every refused write left nothing.

    .venv/bin/python -m bench.load --db postgresql --workers 4 --clients 16 --seconds 60
    .venv/bin/python -m bench.load --db sqlite --workers 1 --clients 16 --seconds 60
    .venv/bin/python -m bench.load --lb --db postgresql --workers 2 --clients 16 --seconds 60

`--lb` runs the reference deployment (deploy/): Debian's nginx in front of two gunicorn app
servers, the sign-in limit in Redis (`--redis-url`, default redis://127.0.0.1:6379/2); it
kills a whole app server a third of the way in and writes bench/results/load-lb.json.

Traffic goes to 127.0.0.1 only, and every loop is bounded in time. A benchmark, not part of
the test suite; it prints a summary and writes bench/results/load-<db>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
RETRIES = 8
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")


@dataclass
class Write:
    """One write a client attempted, and what it came to know about it."""

    kind: str  # status, measurement, patch
    marker: str
    outcome: str = "unknown"  # acked, refused, unknown


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    writes: list[Write] = field(default_factory=list)
    # (when, the app server that answered as nginx names it, outcome); --lb only
    served: list[tuple[float, str | None, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, outcome: str, upstream: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.outcomes[outcome] += 1
            self.served.append((time.monotonic(), upstream, outcome))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


class Api:
    """A keep-alive HTTP client for one thread; reconnects after errors."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.conn: http.client.HTTPConnection | None = None
        self.upstream: str | None = None  # which app server answered (behind bench.lb's nginx)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            self.upstream = None
            raise
        self.upstream = response.getheader("X-Upstream")
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return response.status, payload


def write_targets(api: Any) -> tuple[list[int], list[int]]:
    """The pilots that still take status updates (not scaling or stopped) and their KPIs."""
    status, listing = api.call("GET", "/api/v1/pilots?per_page=200")
    if status != 200:
        raise SystemExit(f"cannot list pilots: {status} {listing}")
    pilots = [p["id"] for p in listing["items"] if p["stage"] not in ("scaling", "stopped")]
    kpis: list[int] = []
    for pilot_id in pilots:
        kpis += [k["id"] for k in api.call("GET", f"/api/v1/pilots/{pilot_id}/kpis")[1]["items"]]
    return pilots, kpis


def client_loop(
    port: int,
    token: str,
    pilots: list[int],
    kpis: list[int],
    deadline: float,
    stats: Stats,
    reads: int = 0,
) -> None:
    """Writes (and, with `reads` > 0, that weight of reads) until the deadline."""
    api = Api(port, token)
    rng = random.Random()
    while time.monotonic() < deadline:
        kind = rng.choices(["status", "measurement", "patch", "read"], weights=[4, 4, 2, reads])[0]
        if kind == "read":
            read(api, rng.choice(pilots), stats)
            continue
        marker = f"load-{uuid.uuid4().hex}"
        write = Write(kind, marker)
        with stats.lock:
            stats.writes.append(write)
        if kind == "status":
            path = f"/api/v1/pilots/{rng.choice(pilots)}/status-updates"
            body: dict[str, Any] = {
                "rag": "green",
                "progress_percent": rng.randint(0, 100),
                "text": marker,
            }
            attempt_post(api, path, body, marker, write, stats)
        elif kind == "measurement":
            path = f"/api/v1/kpis/{rng.choice(kpis)}/measurements"
            body = {
                "date": date.today().isoformat(),
                "value": str(rng.randint(0, 999)),
                "note": marker,
            }
            attempt_post(api, path, body, marker, write, stats)
        else:
            attempt_patch(api, rng.choice(pilots), marker, write, stats)


def read(api: Api, pilot_id: int, stats: Stats) -> None:
    started = time.perf_counter()
    try:
        status, _ = api.call("GET", f"/api/v1/pilots/{pilot_id}")
    except (OSError, http.client.HTTPException):
        stats.record(time.perf_counter() - started, "connection_error")
        time.sleep(0.05)
        return
    stats.record(time.perf_counter() - started, str(status), api.upstream)


def attempt_post(
    api: Api, path: str, body: dict[str, Any], key: str, write: Write, stats: Stats
) -> None:
    """POST with an Idempotency-Key, retried with the same key until the server answers."""
    for attempt in range(RETRIES):
        started = time.perf_counter()
        try:
            status, _payload = api.call("POST", path, body, {"Idempotency-Key": key})
        except (OSError, http.client.HTTPException):
            stats.record(time.perf_counter() - started, "connection_error")
            time.sleep(0.05 * 2**attempt)
            continue
        stats.record(time.perf_counter() - started, str(status), api.upstream)
        if 200 <= status < 300:
            write.outcome = "acked"
            return
        if status >= 500:
            time.sleep(0.05 * 2**attempt)
            continue
        write.outcome = "refused"
        return


def attempt_patch(api: Api, pilot_id: int, marker: str, write: Write, stats: Stats) -> None:
    """Read the version, PATCH the summary; a 409 means someone else saved first."""
    path = f"/api/v1/pilots/{pilot_id}"
    for attempt in range(RETRIES):
        started = time.perf_counter()
        try:
            status, payload = api.call("GET", path)
            stats.record(time.perf_counter() - started, str(status), api.upstream)
            if status != 200:
                time.sleep(0.05 * 2**attempt)
                continue
            started = time.perf_counter()
            status, _ = api.call("PATCH", path, {"summary": marker, "version": payload["version"]})
        except (OSError, http.client.HTTPException):
            stats.record(time.perf_counter() - started, "connection_error")
            # The PATCH may or may not have landed: the outcome stays unknown (at most once).
            time.sleep(0.05 * 2**attempt)
            return
        stats.record(time.perf_counter() - started, str(status), api.upstream)
        if 200 <= status < 300:
            write.outcome = "acked"
            return
        if status >= 500:
            time.sleep(0.05 * 2**attempt)
            continue
        write.outcome = "refused"
        return


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return pids


def cut_connections(url: str) -> int:
    name = sa.make_url(url).database
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar()
    admin.dispose()
    return int(killed or 0)


def verify(url: str, writes: list[Write]) -> dict[str, Any]:
    """Count each marker in the database: acked exactly once, refused never, unknown ≤ once."""
    engine = sa.create_engine(url)
    counts: Counter[str] = Counter()
    with engine.connect() as conn:
        for (text,) in conn.execute(
            sa.text("SELECT text FROM status_updates WHERE text LIKE 'load-%'")
        ):
            counts[text] += 1
        for (note,) in conn.execute(
            sa.text("SELECT note FROM measurements WHERE note LIKE 'load-%'")
        ):
            counts[note] += 1
        # Each acknowledged PATCH leaves one audit entry whose new summary is its marker.
        for (new,) in conn.execute(
            sa.text("SELECT new FROM audit_log WHERE entity = 'pilot' AND action = 'update'")
        ):
            value = new if isinstance(new, dict) else json.loads(new or "{}")
            summary = (value or {}).get("summary")
            if isinstance(summary, str) and summary.startswith("load-"):
                counts[summary] += 1
    engine.dispose()
    problems = Counter()
    for write in writes:
        n = counts[write.marker]
        if write.outcome == "acked" and n != 1:
            problems["acked_lost" if n == 0 else "acked_duplicated"] += 1
        elif write.outcome == "refused" and n != 0:
            problems["refused_but_stored"] += 1
        elif write.outcome == "unknown" and n > 1:
            problems["unknown_duplicated"] += 1
    by_outcome = Counter(f"{w.kind}:{w.outcome}" for w in writes)
    return {"problems": dict(problems), "writes": dict(sorted(by_outcome.items()))}


def create_database(kind: str, workdir: Path) -> tuple[str, str | None]:
    """A fresh database: (its URL, the PostgreSQL database's name to drop afterwards)."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'load.db'}", None
    db_name = f"kokeilu_load_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
    admin.dispose()
    return str(sa.make_url(PG_ADMIN_URL).set(database=db_name).render_as_string(False)), db_name


def drop_database(db_name: str | None) -> None:
    if db_name is None:
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
    admin.dispose()


def sign_in_limit(port: int, servers: set[str]) -> dict[str, Any]:
    """Twelve wrong passwords through nginx for one new account from one new loopback address
    (so no earlier run's counters count): the limit allows 10, the 11th and 12th get 429,
    whichever app server each attempt reaches."""
    from bench.lb import Session

    source = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(1, 254)}"
    session = Session(port, source=source)
    token = session.csrf_token()
    email = f"limit-{secrets.token_hex(4)}@example.invalid"
    statuses: list[int] = []
    answered_by: Counter[str] = Counter()
    for _ in range(12):
        status, _ = session.request(
            "POST", "/login", {"csrf_token": token, "email": email, "password": "wrong" * 3}
        )
        statuses.append(status)
        answered_by[(session.upstream or "?").split(", ")[-1]] += 1
    allowed = next((n for n, s in enumerate(statuses) if s == 429), len(statuses))
    return {
        "statuses": statuses,
        "answered_before_429": allowed,
        "answered_by": dict(answered_by),
        "exact": allowed == 10
        and all(s == 429 for s in statuses[10:])
        and set(answered_by) == servers,
    }


def session_crossing(port: int, first: int, second: int, email: str) -> dict[str, Any]:
    """Sign in on the first app server itself; the second serves that session."""
    from bench.lb import Session
    from pilot_tracker.services.seed import DEMO_PASSWORD

    session = Session(port)
    signed_in = session.sign_in(email, DEMO_PASSWORD, port=first)
    status, page = session.request("GET", "/dashboard", port=second)
    return {
        "sign_in_on_first": signed_in,
        "dashboard_on_second": status,
        "ok": signed_in == 302 and status == 200 and email in page,
        "session": session,
    }


def run_lb(args: argparse.Namespace) -> int:
    """nginx + two app servers on a fresh database, Redis for the limiter; load with faults."""
    import redis

    from bench import lb

    try:
        redis.Redis.from_url(args.redis_url).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis is needed for the shared sign-in limit: {exc}") from exc
    workdir = Path(tempfile.mkdtemp(prefix="kokeilu-lb-"))
    url, db_name = create_database(args.db, workdir)
    env = {
        **os.environ,
        "APP_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_STORAGE_URI": args.redis_url,
        "TRUSTED_PROXIES": "1",
    }
    print(f"== preparing {args.db} database", flush=True)
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    coordinator = "koordinaattori@demo.kokeilusalkku.fi"
    token = flask(env, "create-token", coordinator).strip()
    print(f"== nginx + 2 app servers x {args.workers} workers", flush=True)
    deployment = lb.start(env, workdir / "lb", servers=2, workers=args.workers)
    first, second = deployment.servers
    addresses = {first.address, second.address}
    stats = Stats()
    events: list[str] = []
    try:
        limit = sign_in_limit(deployment.port, addresses)
        crossing = session_crossing(deployment.port, first.port, second.port, coordinator)
        crossed: lb.Session = crossing.pop("session")
        api = Api(deployment.port, token)
        pilots, kpis = write_targets(api)
        print(
            f"== {args.clients} clients for {args.seconds} s through nginx "
            f"on {len(pilots)} pilots, {len(kpis)} KPIs",
            flush=True,
        )
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(
                target=client_loop,
                args=(deployment.port, token, pilots, kpis, deadline, stats, 6),
            )
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 3)
        first.kill()
        killed_at = time.monotonic()
        events.append(f"t={killed_at - started:.1f}s SIGKILL app server {first.address}")
        # The session signed in on the dead server, served through nginx by the survivor.
        status, page = crossed.request("GET", "/dashboard")
        survivor_session = {
            "status": status,
            "served_by": crossed.upstream,
            "ok": status == 200 and coordinator in page,
        }
        time.sleep(max(0.0, started + 2 * args.seconds / 3 - time.monotonic()))
        if args.db == "postgresql":
            killed = cut_connections(url)
            events.append(f"t={time.monotonic() - started:.1f}s pg_terminate_backend x{killed}")
        else:
            events.append("database connection cut: not applicable to SQLite (no server)")
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        after = [api.call("GET", "/healthz")[0], api.call("GET", "/api/v1/pilots?per_page=1")[0]]
    finally:
        deployment.stop()
    check = verify(url, stats.writes)
    drop_database(db_name)

    # Who answered once the first server was dead (nginx names each server it tried).
    def answered_by(late: bool) -> Counter[str]:
        return Counter(
            upstream.split(", ")[-1]
            for when, upstream, outcome in stats.served
            if upstream and (when > killed_at) == late and outcome[0] in "234"
        )

    before_kill, after_kill = answered_by(False), answered_by(True)
    errors_after_kill = Counter(
        outcome for when, _, outcome in stats.served if when > killed_at and outcome[0] not in "234"
    )
    survivor_share = after_kill[second.address] / max(1, sum(after_kill.values()))
    requests_made = len(stats.latencies)
    ms = [s * 1000 for s in stats.latencies]
    summary = {
        "deployment": "nginx + 2 gunicorn app servers, Redis limiter store",
        "db": args.db,
        "workers_per_server": args.workers,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": requests_made,
        "requests_per_second": round(requests_made / elapsed, 1),
        "responses": dict(sorted(stats.outcomes.items())),
        "latency_ms": {
            "p50": round(statistics.median(ms), 1) if ms else 0,
            "p95": round(percentile(ms, 95), 1),
            "p99": round(percentile(ms, 99), 1),
        },
        "faults": events,
        "sign_in_limit": limit,
        "session_across_servers": {**crossing, "after_kill_through_nginx": survivor_session},
        "served_before_kill": dict(before_kill),
        "served_after_kill": dict(after_kill),
        "errors_after_kill": dict(errors_after_kill),  # retried by the clients
        "survivor_share_after_kill": round(survivor_share, 3),
        "after_faults": {"healthz": after[0], "api": after[1]},
        **check,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load-lb.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    ok = (
        not check["problems"]
        and after == [200, 200]
        and limit["exact"]
        and crossing["ok"]
        and survivor_session["ok"]
        and set(before_kill) >= addresses
        and first.address not in after_kill
    )
    # The logs stay when something failed or the app answered 500, for a look at why.
    if ok and "500" not in stats.outcomes:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs of nginx and the app servers: {workdir / 'lb'}")
    print(
        "RESULT:",
        "OK — no acknowledged write lost or duplicated, the limit exact across both servers, "
        "sessions crossed servers, the survivor carried the load"
        if ok
        else "FAILED",
    )
    return 0 if ok else 1


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--lb",
        action="store_true",
        help="the reference deployment: nginx in front of two app servers (--workers each)",
    )
    parser.add_argument("--redis-url", default=REDIS_URL, help="the limiter's store (--lb)")
    args = parser.parse_args()
    if args.seconds > 600 or args.clients > 64:
        parser.error("bounded load: at most 600 seconds and 64 clients")
    if args.lb:
        return run_lb(args)

    workdir = Path(tempfile.mkdtemp(prefix="kokeilu-load-"))
    url, db_name = create_database(args.db, workdir)
    env = {
        **os.environ,
        "APP_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "GUNICORN_WORKERS": str(args.workers),
    }
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    print(f"== preparing {args.db} database", flush=True)
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    token = flask(env, "create-token", "koordinaattori@demo.kokeilusalkku.fi").strip()

    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115
    )
    stats = Stats()
    events: list[str] = []
    try:
        api = Api(port, token)
        for _ in range(100):
            try:
                if api.call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        pilots, kpis = write_targets(api)
        print(
            f"== {args.clients} clients for {args.seconds} s "
            f"on {len(pilots)} pilots, {len(kpis)} KPIs",
            flush=True,
        )
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=client_loop, args=(port, token, pilots, kpis, deadline, stats))
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 3)
        victims = worker_pids(server.pid)
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            events.append(f"t={time.monotonic() - started:.0f}s SIGKILL worker {victims[0]}")
        time.sleep(args.seconds / 3)
        if args.db == "postgresql":
            killed = cut_connections(url)
            events.append(f"t={time.monotonic() - started:.0f}s pg_terminate_backend x{killed}")
        else:
            events.append("database connection cut: not applicable to SQLite (no server)")
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        after = [api.call("GET", "/healthz")[0], api.call("GET", "/api/v1/pilots?per_page=1")[0]]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    check = verify(url, stats.writes)
    drop_database(db_name)
    requests_made = len(stats.latencies)
    ms = [s * 1000 for s in stats.latencies]
    summary = {
        "db": args.db,
        "workers": args.workers,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": requests_made,
        "requests_per_second": round(requests_made / elapsed, 1),
        "responses": dict(sorted(stats.outcomes.items())),
        "latency_ms": {
            "p50": round(statistics.median(ms), 1) if ms else 0,
            "p95": round(percentile(ms, 95), 1),
            "p99": round(percentile(ms, 99), 1),
        },
        "faults": events,
        "after_faults": {"healthz": after[0], "api": after[1]},
        **check,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"load-{args.db}.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    ok = not check["problems"] and after == [200, 200]
    print("RESULT:", "OK — no acknowledged write lost or duplicated" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
