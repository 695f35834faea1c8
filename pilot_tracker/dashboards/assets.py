"""The chart scripts: the app's own partial plotly.js bundle and charts.js, with content hashes.

`make install` copies plotly.js-basic-dist-min (pinned in package-lock.json) to
static/vendor/. At start-up each script's SHA-256 goes into its URL (`?v=<hash>`), so the
browser may keep it for a year: a new bundle gets a new URL. Only pages that show charts ask
for these scripts (`chart_scripts()` in the templates). No CDN: the app works on a closed
network.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for
from werkzeug.wrappers import Response

from pilot_tracker.dashboards import bp

PLOTLY = "vendor/plotly-basic.min.js"
CHARTS_JS = "js/charts.js"
SCRIPTS = (PLOTLY, CHARTS_JS)  # in load order: charts.js calls Plotly
ONE_YEAR = 365 * 24 * 3600
EXTENSION = "dashboard_assets"


def file_hash(path: Path) -> str | None:
    """The first 16 hex digits of the file's SHA-256, or None if it is missing."""
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build_manifest(static_folder: str | Path) -> dict[str, str | None]:
    """Hash of each chart script, by its path under static/."""
    return {name: file_hash(Path(static_folder) / name) for name in SCRIPTS}


@bp.record_once
def _init(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    manifest = build_manifest(app.static_folder or "")
    app.extensions[EXTENSION] = manifest
    if manifest[PLOTLY] is None:
        app.logger.warning(
            "static/%s is missing (run `make install`): charts show as tables only", PLOTLY
        )


@bp.app_template_global()
def chart_scripts() -> list[str]:
    """URLs of the scripts that draw the charts; none if the bundle was not installed."""
    manifest: dict[str, str | None] = current_app.extensions[EXTENSION]
    if manifest.get(PLOTLY) is None:
        return []
    return [
        url_for("static", filename=name, v=manifest[name]) for name in SCRIPTS if manifest[name]
    ]


@bp.after_app_request
def _cache_hashed_scripts(response: Response) -> Response:
    """A year's caching for a chart script asked for by its hashed URL."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename")
    manifest: dict[str, str | None] = current_app.extensions.get(EXTENSION, {})
    if filename in manifest and request.args.get("v") == manifest[filename]:
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
