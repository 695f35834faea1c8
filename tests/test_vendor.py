"""The vendored plotly.js bundle is the one package-lock.json pins, with its licence."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "pilot_tracker" / "static" / "vendor"


def test_the_bundle_is_the_pinned_version_with_its_licence() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/plotly.js-basic-dist-min"]
    assert pinned["license"] == "MIT" and pinned["integrity"].startswith("sha512-")
    head = (VENDOR / "plotly-basic.min.js").read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{pinned['version']}" in head
    assert (VENDOR / "LICENSE.plotly.js.txt").read_text().startswith("MIT License")
    assert pinned["version"] in (VENDOR / "README.md").read_text(encoding="utf-8")


def test_no_python_plotly_dependency() -> None:
    """The figures are plain dicts drawn by plotly.js; nothing imports the Python package."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"plotly==' not in pyproject
    for path in (ROOT / "pilot_tracker").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import plotly" not in text and "from plotly" not in text, path


def test_the_app_serves_the_bundle_for_the_chart_pages(client: FlaskClient) -> None:
    from pilot_tracker.dashboards.assets import PLOTLY

    response = client.get(f"/static/{PLOTLY}")
    assert response.status_code == 200
    assert response.data == (VENDOR / "plotly-basic.min.js").read_bytes()
    response.close()
