"""Exports (CSV files, one XLSX workbook) and the import of pilots from them."""

from flask import Blueprint

bp = Blueprint("exchange", __name__)

from pilot_tracker.exchange import routes  # noqa: E402,F401
