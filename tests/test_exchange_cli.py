"""The import-pilots command: a dry run, the real import, and a refused file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.extensions import db
from pilot_tracker.models import Pilot, Vendor
from tests.test_exchange_import import BROKEN_FILES, GOOD_FILES, counts


def _write(tmp_path: Path, files: list[tuple[str, bytes]]) -> list[str]:
    paths = []
    for name, data in files:
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def test_cli_dry_run_reports_and_changes_nothing(app: Flask, runner: Any, tmp_path: Path) -> None:
    with app.app_context():
        before = counts()
    result = runner.invoke(args=["import-pilots", *_write(tmp_path, GOOD_FILES), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Importing pilots" in result.output  # the progress bar's label
    assert "Would create vendor Kuntadigi Oy (0204819-8)" in result.output
    assert "No problems found in 2 pilots" in result.output
    assert "pilots: 2 new, 0 updated, 0 unchanged (dry run, nothing saved)" in result.output
    with app.app_context():
        assert counts() == before


def test_cli_import_creates_the_pilots(app: Flask, runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["import-pilots", *_write(tmp_path, GOOD_FILES)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 pilots, 4 participants, 1 kpis, 1 measurements" in result.output
    assert "pilots: 2 new, 0 updated, 0 unchanged." in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pilot)) == 2


def test_cli_lists_the_problems_of_a_broken_file_and_fails(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    with app.app_context():
        before = counts()
    result = runner.invoke(args=["import-pilots", *_write(tmp_path, BROKEN_FILES)])
    assert result.exit_code == 1
    assert "problem(s); nothing was imported" in result.output
    assert "pilots.csv, row 3, column budget_eur:" in result.output
    with app.app_context():
        assert counts() == before


def test_cli_reports_each_pilot_of_an_import_that_updates(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    from tests.test_exchange_roundtrip import build_portfolio, export_all
    from tests.test_exchange_update import csv_files, edit_csv

    with app.app_context():
        files = export_all(build_portfolio())
        pilots = edit_csv(
            files["pilots"],
            "pilots",
            lambda r: {**r, "budget_eur": "150000,00"} if r["name"] == "Chatbot" else r,
        )
    upload = [("pilots.csv", pilots), *csv_files(files)[1:]]

    result = runner.invoke(args=["import-pilots", *_write(tmp_path, upload)])

    assert result.exit_code == 0, result.output
    assert "P2 Chatbot: updated (budget_eur 100000.01 -> 150000.00)" in result.output
    assert "pilots: 0 new, 1 updated, 2 unchanged." in result.output
