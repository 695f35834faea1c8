"""Less Python per request (issue 20, item 5): the product's requests per second as a share of
a bare Flask "hello" route's, measured in one run under the same gunicorn.

    .venv/bin/python -m bench.ratios                       # demo portfolio on SQLite, 5 s a page
    .venv/bin/python -m bench.ratios --seconds 10 --db postgresql

What it does: makes a fresh database (SQLite in a temporary directory, or a temporary
PostgreSQL database that is dropped afterwards), migrates it and loads the demo portfolio
(`flask seed-demo`); starts the app under gunicorn with the repository's gunicorn.conf.py and
2 workers; signs in as the demo coordinator (a server-side session as /login makes it, its
signed cookie given to wrk); starts two floor apps under the same gunicorn settings — a bare
Flask "hello" route and a TechEmpower-style "fortunes" route (one query over a 12-row table
in the same kind of database, one autoescaped Jinja template) — and drives each URL with wrk
(`-t2 -c8` by default, for `--seconds` each, the servers warmed up first). Every URL is
checked to answer 200 with the expected page before it is measured. Hello is measured again
after every URL, and each URL's ratio is to the mean of the hello runs just before and after
it (the load of a shared machine drifts within a run).

Prints requests per second and the ratio to hello for /healthz, the pilot list, a
municipality page, the portfolio and a pilot page (the demo pilot with the most
participants), and writes bench/results/ratios-<db>.json. Targets: the pilot page ≥ 5 % of
hello, the pilot list ≥ 10 %, the others ≥ 3 %. Ratios measured in the same run are what
counts: on a shared machine the absolute figures move with everything else.

Needs wrk (`apt-get install -y wrk`); traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
COORDINATOR = "koordinaattori@demo.kokeilusalkku.fi"
TARGETS = {"pilot page": 5.0, "pilot list": 10.0}
DEFAULT_TARGET = 3.0
FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]
FORTUNES_TEMPLATE = (
    "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
    "<tr><th>id</th><th>message</th></tr>"
    "{% for f in fortunes %}<tr><td>{{ f.id }}</td><td>{{ f.message }}</td></tr>{% endfor %}"
    "</table></body></html>"
)


# --- the floor apps (run by gunicorn: bench.ratios:hello_app, bench.ratios:fortunes_app) ---


def hello_app() -> Any:
    """A bare Flask app with one route answering "Hello, World!"."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/hello")
    def hello() -> str:
        return "Hello, World!"

    return app


def fortunes_app(url: str | None = None) -> Any:
    """TechEmpower's fortunes: read every fortune (one query), add one, sort, render. On
    `url`, or under gunicorn on RATIOS_FORTUNES_URL."""
    from flask import Flask, render_template_string

    app = Flask("fortunes")
    engine = sa.create_engine(url or os.environ["RATIOS_FORTUNES_URL"], pool_size=2)
    fortune = sa.table("fortune", sa.column("id", sa.Integer), sa.column("message", sa.String))
    query = sa.select(fortune.c.id, fortune.c.message)

    @app.get("/fortunes")
    def fortunes() -> str:
        with engine.connect() as conn:
            rows = [{"id": r.id, "message": r.message} for r in conn.execute(query)]
        rows.append({"id": 0, "message": "Additional fortune added at request time."})
        rows.sort(key=lambda r: r["message"])
        return render_template_string(FORTUNES_TEMPLATE, fortunes=rows)

    return app


# --- setting up ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def flask_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def make_fortunes(url: str) -> None:
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    table = sa.Table(
        "fortune",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message", sa.String(2048), nullable=False),
    )
    meta.drop_all(engine)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            table.insert(), [{"id": i, "message": m} for i, m in enumerate(FORTUNES, start=1)]
        )
    engine.dispose()


def session_cookie(env: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The signed session cookie of the demo coordinator, and the demo URLs to measure."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from pilot_tracker import create_app
        from pilot_tracker.extensions import db
        from pilot_tracker.models import Participation, Pilot, User
        from pilot_tracker.services import sessions

        app = create_app("development")
        with app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == COORDINATOR)).one()
            key = sessions.start(user.id)
            data = {"_user_id": user.get_id(), "_fresh": True, sessions.SESSION_KEY: key}
            cookie = app.session_interface.get_signing_serializer(app).dumps(data)  # type: ignore[attr-defined]
            name = app.config["SESSION_COOKIE_NAME"]
            counts = (
                sa.select(Participation.pilot_id, sa.func.count().label("n"))
                .group_by(Participation.pilot_id)
                .subquery()
            )
            pilot_id = db.session.scalar(
                sa.select(Pilot.id)
                .join(counts, counts.c.pilot_id == Pilot.id)
                .order_by(counts.c.n.desc(), Pilot.id)
                .limit(1)
            )
            code = db.session.scalar(
                sa.select(Participation.municipality_code)
                .group_by(Participation.municipality_code)
                .order_by(sa.func.count().desc(), Participation.municipality_code)
                .limit(1)
            )
            db.engine.dispose()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    urls = {
        "/healthz": "/healthz",
        "pilot list": "/pilots",
        "municipality page": f"/municipalities/{code}",
        "portfolio": "/dashboard",
        "pilot page": f"/pilots/{pilot_id}",
    }
    return f"{name}={cookie}", urls


def start_gunicorn(app_spec: str, env: dict[str, str], log: Path) -> tuple[Any, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),  # noqa: SIM115
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"{app_spec} did not start; see {log}")


def fetch(port: int, path: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def wrk(port: int, path: str, cookie: str, seconds: int, connections: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            # A slow page must count, not time out (wrk's default is 2 s).
            "--timeout",
            "60s",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


# --- the run -------------------------------------------------------------------------------


def _keep_logs_of_failures(rows: list[dict[str, Any]], workdir: Path, db: str) -> None:
    """A refused or failed answer under load is a finding: keep what the servers said."""
    if not any(row.get("non_2xx") for row in rows):
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copy(log, RESULTS / f"ratios-{db}-{log.name}")
    print(f"Non-2xx answers: the server logs are in {RESULTS}", file=sys.stderr)


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="kokeilu-ratios-"))
    db_name = None
    if args.db == "sqlite":
        url = f"sqlite:///{workdir / 'app.db'}"
        fortunes_url = f"sqlite:///{workdir / 'fortunes.db'}"
    else:
        db_name = f"kokeilu_ratios_{secrets.token_hex(4)}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
        admin.dispose()
        url = sa.make_url(PG_ADMIN_URL).set(database=db_name).render_as_string(False)
        fortunes_url = url
    env = {
        **os.environ,
        "APP_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "GUNICORN_WORKERS": str(args.workers),
        "RATIOS_FORTUNES_URL": fortunes_url,
    }
    servers: list[Any] = []
    rows: list[dict[str, Any]] = []
    try:
        print(f"== preparing the demo portfolio on {args.db}", file=sys.stderr, flush=True)
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "seed-demo")
        make_fortunes(fortunes_url)
        cookie, urls = session_cookie(env)
        ports = {}
        for name, spec in (
            ("app", "wsgi:app"),
            ("hello", "bench.ratios:hello_app()"),
            ("fortunes", "bench.ratios:fortunes_app()"),
        ):
            server, ports[name] = start_gunicorn(spec, env, workdir / f"{name}.log")
            servers.append(server)
        targets = [
            ("hello", ports["hello"], "/hello", "Hello, World!"),
            ("fortunes", ports["fortunes"], "/fortunes", "Additional fortune"),
            *((name, ports["app"], path, "") for name, path in urls.items()),
        ]
        for name, port, path, expect in targets:
            status, body = fetch(port, path, cookie)
            if status != 200 or (expect and expect not in body):
                raise RuntimeError(f"{name} ({path}) answered {status}")
            if port == ports["app"] and path != "/healthz" and "logout" not in body:
                raise RuntimeError(f"{name} ({path}) is not a signed-in page")
            wrk(port, path, cookie, max(2, args.seconds // 2), args.connections)  # warm-up
        # Hello is measured again between every two URLs, and each URL's ratio is to the
        # mean of the hello runs just before and after it: on a shared machine the load
        # drifts within a run, and adjacent runs see much the same of it.
        hellos = [wrk(ports["hello"], "/hello", cookie, args.seconds, args.connections)["rps"]]
        for name, port, path, _expect in targets[1:]:
            print(f"== {name} {path}", file=sys.stderr, flush=True)
            result = wrk(port, path, cookie, args.seconds, args.connections)
            hellos.append(
                wrk(ports["hello"], "/hello", cookie, args.seconds, args.connections)["rps"]
            )
            rows.append(
                {"name": name, "path": path, **result, "hello_rps": (hellos[-2] + hellos[-1]) / 2}
            )
        hello_mean = sum(hellos) / len(hellos)
        rows.insert(
            0,
            {
                "name": "hello",
                "path": "/hello",
                "rps": hello_mean,
                "non_2xx": 0,
                "socket_errors": "",
                "hello_rps": hello_mean,
                "hello_runs": hellos,
            },
        )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if db_name:
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            admin.dispose()
        _keep_logs_of_failures(rows, workdir, args.db)
        shutil.rmtree(workdir, ignore_errors=True)
    _score(rows)
    text = _table(args, rows)
    print(text)
    data = {
        "database": args.db,
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "results": rows,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "table": text,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"ratios-{args.db}.json"
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    print(f"\nWrote {out}", file=sys.stderr)
    return data


def _score(rows: list[dict[str, Any]]) -> None:
    """Each row's percentage of the hello runs beside it, its target and whether it meets it
    (None for hello and fortunes, which have no target)."""
    for row in rows:
        hello = row["hello_rps"]
        row["percent_of_hello"] = round(100 * row["rps"] / hello, 2) if hello else 0.0
        target = (
            TARGETS.get(row["name"], DEFAULT_TARGET)
            if row["name"]
            not in (
                "hello",
                "fortunes",
            )
            else None
        )
        row["target_percent"] = target
        row["ok"] = (
            None if target is None else row["percent_of_hello"] >= target and not (row["non_2xx"])
        )


def _table(args: argparse.Namespace, rows: list[dict[str, Any]]) -> str:
    """The rows as the Markdown table that the run prints and stores."""
    lines = [
        f"Requests per second under gunicorn ({args.workers} workers), wrk -c{args.connections}, "
        f"{args.seconds} s each, demo portfolio on {args.db}, signed in as the coordinator",
        "",
        "| what | path | requests/s | hello beside it | % of hello | target | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        target = f"≥{row['target_percent']:g} %" if row["target_percent"] is not None else ""
        ok = "" if row["ok"] is None else ("yes" if row["ok"] else "NO")
        lines.append(
            f"| {row['name']} | {row['path']} | {row['rps']:.1f} | {row['hello_rps']:.1f} | "
            f"{row['percent_of_hello']:.2f} % | {target} | {ok} |"
        )
        if row["non_2xx"] or row["socket_errors"]:
            lines.append(f"|   ({row['non_2xx']} non-2xx; {row['socket_errors']}) | | | | | | |")
    lines.append("")
    lines.append("hello runs: " + ", ".join(f"{h:.0f}" for h in rows[0]["hello_runs"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ratios", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per URL")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed: apt-get install -y wrk (Debian/Ubuntu), then run again.",
            file=sys.stderr,
        )
        return 2
    if not 1 <= args.seconds <= 120 or not 1 <= args.connections <= 64:
        parser.error("bounded load: 1-120 seconds and 1-64 connections")
    data = run(args)
    return 0 if all(r["ok"] is not False for r in data["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
