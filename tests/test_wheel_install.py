"""A wheel built from the repository serves the dashboards with their charts, with no npm.

Builds the wheel from a copy of the repository, installs it (`--no-deps`) in a new virtual
environment whose PATH holds no npm (the dependencies come from the test environment's
site-packages through a .pth line, so nothing is downloaded twice), migrates a SQLite
database and loads the demo data with the installed `flask`, starts the installed app under
gunicorn from an unrelated directory with the production configuration, signs in and finds
the vendored plotly.js bundle referenced by /dashboard and served byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.server_helpers import Browser, base_env, gunicorn

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "pilot_tracker" / "static" / "vendor" / "plotly-basic.min.js"
# Not part of a build: environments, caches, local databases, outputs.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "build", "dist", "instance", "*.egg-info", "__pycache__",
    ".pytest_cache", ".ruff_cache", ".hypothesis", "test-artifacts", "results",
)  # fmt: skip


def run(command: list[str], **kwargs: object) -> str:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return str(done.stdout)


def test_a_built_wheel_serves_the_charts_without_npm(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)])
    (wheel,) = wheels.glob("kokeilusalkku-*.whl")

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(
        run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).strip()
    )
    (site / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ]
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = base_env(
        PATH=str(venv / "bin"),  # nothing else: no node, no npm
        SECRET_KEY="w" * 48,
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
    )
    assert shutil.which("npm", path=env["PATH"]) is None
    found = "import config, pilot_tracker; print(config.__file__, pilot_tracker.__file__)"
    where = run([str(python), "-c", found], cwd=elsewhere, env=env)
    assert all(path.startswith(str(venv)) for path in where.split()), where
    flask = [str(python), "-m", "flask", "--app", "wsgi"]
    run(
        [*flask, "db", "upgrade"],
        cwd=elsewhere,
        env={**env, "APP_CONFIG": "production", "GUNICORN_WORKERS": "1"},
    )
    run([*flask, "seed-demo"], cwd=elsewhere, env={**env, "APP_CONFIG": "development"})

    production = {**env, "APP_CONFIG": "production", "GUNICORN_WORKERS": "1"}
    with gunicorn(python, production, cwd=elsewhere) as base:
        browser = Browser()
        signed_in = browser.sign_in(
            base, "koordinaattori@demo.kokeilusalkku.fi", "kokeilu-demo-2026"
        )
        assert signed_in.status == 302, signed_in.text
        page = browser.request(base, "/dashboard")
        assert page.status == 200
        assert page.headers["Cache-Control"] == "private, no-store"
        match = re.search(
            r'data-plotly="(/static/vendor/plotly-basic\.min\.js\?v=[0-9a-f]{16})"', page.text
        )
        assert match, "the dashboard does not load the plotly.js bundle"
        assert re.search(r'<script type="application/json" id="chart-[a-z_-]+-figure">', page.text)
        bundle = browser.request(base, match.group(1))
        assert bundle.status == 200
        assert bundle.body == BUNDLE.read_bytes()
        assert "immutable" in bundle.headers["Cache-Control"]
