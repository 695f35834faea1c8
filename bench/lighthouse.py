"""Lighthouse on the chart pages, signed in, mobile and desktop.

    .venv/bin/python -m bench.lighthouse                 # /dashboard, a pilot, a municipality
    .venv/bin/python -m bench.lighthouse --runs 3        # median of three runs per page

Installs Lighthouse 12.2.3 with npm into bench/.lighthouse/ (its own package.json: the
project's stays free of it), migrates a fresh SQLite database, loads the demo data, serves the
app under gunicorn on 127.0.0.1, signs in as the demo council member and passes the session
cookie to Lighthouse (`--extra-headers`). Chromium is `CHROME_PATH` (default
/usr/bin/chromium). Prints performance, accessibility, CLS, TBT and LCP per page and form
factor, and writes bench/results/lighthouse.json (each full report in
bench/results/lighthouse-reports/). Targets (issue 14): mobile performance
≥ 90, CLS ≤ 0.02 and accessibility 100 on every page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.load import flask, free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SCRATCH = ROOT / "bench" / ".lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"
COUNCIL = "valtuutettu@demo.kokeilusalkku.fi"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-quic --no-first-run --disable-component-update --disable-sync"
)
TARGETS = {"mobile_performance": 90, "cls": 0.02, "accessibility": 100}


def install_lighthouse() -> Path:
    """Lighthouse from npm, pinned, in a folder of its own; returns its command."""
    binary = SCRATCH / "node_modules" / ".bin" / "lighthouse"
    package = SCRATCH / "node_modules" / "lighthouse" / "package.json"
    if package.is_file() and json.loads(package.read_text())["version"] == LIGHTHOUSE_VERSION:
        return binary
    if not shutil.which("npm"):
        raise SystemExit("npm (Node.js 18 or 20) is needed to install Lighthouse")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    manifest = SCRATCH / "package.json"
    if not manifest.exists():
        manifest.write_text(json.dumps({"name": "kokeilusalkku-bench", "private": True}) + "\n")
    print(f"== installing lighthouse {LIGHTHOUSE_VERSION} into {SCRATCH}", flush=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(SCRATCH),
            "--save-exact",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        cwd=SCRATCH,
        check=True,
    )
    return binary


class Browser:
    """Just enough of a browser to sign in: cookies and the form's CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        text = response.read().decode(errors="replace")
        conn.close()
        return f"{response.status} {text}"

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def sign_in(self, email: str, password: str) -> None:
        page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if not token:
            raise SystemExit("no CSRF token on /login")
        answer = self.request(
            "POST", "/login", {"csrf_token": token.group(1), "email": email, "password": password}
        )
        if not answer.startswith("302"):
            raise SystemExit(f"sign-in failed: {answer[:200]}")


def wait_until_up(port: int) -> None:
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the app did not start")


def demo_paths(url: str) -> dict[str, str]:
    """The three chart pages: the portfolio, the demo pilot with the most measurements and
    the municipality in the most pilots."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        pilot = conn.execute(
            sa.text(
                "SELECT k.pilot_id FROM kpis k JOIN measurements m ON m.kpi_id = k.id "
                "GROUP BY k.pilot_id ORDER BY count(*) DESC, k.pilot_id LIMIT 1"
            )
        ).scalar_one()
        municipality = conn.execute(
            sa.text(
                "SELECT municipality_code FROM participations GROUP BY municipality_code "
                "ORDER BY count(*) DESC, municipality_code LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return {
        "dashboard": "/dashboard",
        "pilot": f"/pilots/{pilot}",
        "municipality": f"/municipalities/{municipality}",
    }


def run_lighthouse(
    binary: Path, url: str, headers_file: Path, desktop: bool, out: Path
) -> dict[str, Any]:
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={headers_file}",
    ]
    if desktop:
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, env=env, check=True, timeout=300)
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "transfer_kb": round(audits["total-byte-weight"]["numericValue"] / 1024),
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median performance score (its figures belong together)."""
    ordered = sorted(runs, key=lambda r: r["performance"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["performance_runs"] = [r["performance"] for r in runs]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per page and form factor")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pages", default="dashboard,pilot,municipality", help="which pages, comma-separated"
    )
    parser.add_argument("--factors", default="mobile,desktop", help="mobile, desktop or both")
    args = parser.parse_args()
    if not 1 <= args.runs <= 5:
        parser.error("--runs is 1 to 5")
    binary = install_lighthouse()

    workdir = Path(tempfile.mkdtemp(prefix="kokeilu-lighthouse-"))
    url = f"sqlite:///{workdir / 'demo.db'}"
    port = free_port()
    env = {
        **os.environ,
        "APP_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    print("== demo database (SQLite, seeded)", flush=True)
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    paths = demo_paths(url)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115
    )
    results: dict[str, dict[str, Any]] = {}
    try:
        wait_until_up(port)
        browser = Browser(port)
        browser.sign_in(COUNCIL, demo_password())
        headers_file = workdir / "headers.json"
        headers_file.write_text(json.dumps({"Cookie": browser.cookie_header()}))
        reports = RESULTS / "lighthouse-reports"
        reports.mkdir(parents=True, exist_ok=True)
        for name, path in paths.items():
            if name not in args.pages.split(","):
                continue
            for factor in args.factors.split(","):
                runs = []
                for n in range(args.runs):
                    print(f"== {factor} {name} {path} ({n + 1}/{args.runs})", flush=True)
                    runs.append(
                        run_lighthouse(
                            binary,
                            f"http://127.0.0.1:{port}{path}",
                            headers_file,
                            factor == "desktop",
                            reports / f"{name}-{factor}-{n + 1}.json",
                        )
                    )
                results[f"{factor} {name}"] = {"path": path, **median_run(runs)}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"{'page':<22} {'perf':>5} {'a11y':>5} {'CLS':>6} {'TBT ms':>7} {'LCP ms':>7} {'kB':>6}")
    for key, r in results.items():
        print(
            f"{key:<22} {r['performance']:>5} {r['accessibility']:>5} {r['cls']:>6} "
            f"{r['tbt_ms']:>7} {r['lcp_ms']:>7} {r['transfer_kb']:>6}"
        )
    misses = []
    for key, r in results.items():
        if key.startswith("mobile") and r["performance"] < TARGETS["mobile_performance"]:
            misses.append(f"{key}: performance {r['performance']} < 90")
        if r["cls"] > TARGETS["cls"]:
            misses.append(f"{key}: CLS {r['cls']} > 0.02")
        if r["accessibility"] < TARGETS["accessibility"]:
            misses.append(f"{key}: accessibility {r['accessibility']} < 100")
    summary = {
        "lighthouse": LIGHTHOUSE_VERSION,
        "runs_per_page": args.runs,
        "targets": TARGETS,
        "pages": results,
        "mobile_performance_median": statistics.median(
            r["performance"] for k, r in results.items() if k.startswith("mobile")
        ),
        "misses": misses,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "lighthouse.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("RESULT:", "OK — every target met" if not misses else "MISSED: " + "; ".join(misses))
    return 0 if not misses else 1


def demo_password() -> str:
    from pilot_tracker.services.seed import DEMO_PASSWORD

    return DEMO_PASSWORD


if __name__ == "__main__":
    sys.exit(main())
