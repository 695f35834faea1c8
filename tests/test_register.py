"""The municipality register: shipped with the package, updated by import-municipalities."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Municipality
from pilot_tracker.services.municipalities import bundled_register_path

HEADER = "code,name_fi,name_sv,region_code,region_fi,population,population_year,lat,lon\n"


def _register_text() -> str:
    return bundled_register_path().read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "register.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_register_has_the_spot_checked_populations(app: Flask) -> None:
    with app.app_context():
        got = {
            m.code: (m.name_fi, m.name_sv, m.population)
            for m in db.session.scalars(
                sa.select(Municipality).where(Municipality.code.in_(["091", "049", "980", "507"]))
            )
        }
    assert got == {
        "091": ("Helsinki", "Helsingfors", 664_028),
        "049": ("Espoo", "Esbo", 305_274),
        "980": ("Ylöjärvi", "Ylöjärvi", 33_607),
        "507": ("Mäntyharju", "Mäntyharju", 7_164),
    }


# SHA-256 of the register as compiled (pilot_tracker/data/SOURCES.md): a change to the file
# is deliberate, comes with its sources, and updates this pin.
REGISTER_SHA256 = "928690fc401ea445ee85d98c507dde2357a9c10593cfd2b32dc29d98dae51554"


def test_bundled_register_is_the_compiled_one() -> None:
    assert hashlib.sha256(bundled_register_path().read_bytes()).hexdigest() == REGISTER_SHA256


def test_import_updates_population_and_reports_it(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = _register_text().replace(
        "091,Helsinki,Helsingfors,01,Uusimaa,664028,2022",
        "091,Helsinki,Helsingfors,01,Uusimaa,684018,2024",
    )
    result = runner.invoke(args=["import-municipalities", _write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert (
        "Changed 091: population: 664028 -> 684018, population_year: 2022 -> 2024" in result.output
    )
    assert "0 added, 1 changed, 307 unchanged" in result.output
    with app.app_context():
        helsinki = db.session.get(Municipality, "091")
        assert (helsinki.population, helsinki.population_year) == (684_018, 2024)
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "municipality")
        ).one()
        assert entry.old == {"population": 664028, "population_year": 2022}


def test_import_dry_run_changes_nothing(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = _register_text().replace("Helsinki,Helsingfors", "Stadi,Helsingfors")
    result = runner.invoke(args=["import-municipalities", "--dry-run", _write(tmp_path, text)])
    assert result.exit_code == 0
    assert "Would change 091: name_fi: 'Helsinki' -> 'Stadi'" in result.output
    with app.app_context():
        assert db.session.get(Municipality, "091").name_fi == "Helsinki"


def test_malformed_import_is_refused_and_changes_nothing(
    app: Flask, runner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER
        + "091,Stadi,Helsingfors,01,Uusimaa,700000,2024,60.1,24.9\n"
        + "49,Espoo,Esbo,01,Uusimaa,lots,2024,60.2,24.6\n"
        + "091,Helsinki,Helsingfors,1,Uusimaa,1,20,60.1,24.9\n"
    )
    result = runner.invoke(args=["import-municipalities", _write(tmp_path, text)])
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert "line 3, column code: '49' is not a 3-digit code" in result.output
    assert "line 3, column population: 'lots' is not a whole number" in result.output
    assert "line 4, column code: 091 appears twice" in result.output
    assert "line 4, column region_code: '1' is not a 2-digit code" in result.output
    assert "line 4, column population_year: '20' is not a year" in result.output
    with app.app_context():
        assert db.session.get(Municipality, "091").name_fi == "Helsinki"


def test_import_refuses_missing_columns(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=["import-municipalities", _write(tmp_path, "code,name_fi\n091,Helsinki\n")]
    )
    assert result.exit_code == 1
    assert "missing column(s): name_sv, region_code, region_fi, population" in result.output


def test_import_refuses_non_utf8(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "091,Hélsinki,H,01,U,1,2024,,\n").encode("latin-1"))
    result = runner.invoke(args=["import-municipalities", str(path)])
    assert result.exit_code == 1
    assert "not UTF-8" in result.output


def test_import_adds_a_new_municipality_and_keeps_missing_ones(
    app: Flask, runner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    text = HEADER + "999,Uusikunta,Nykommun,02,Varsinais-Suomi,1234,2025,,\n"
    result = runner.invoke(args=["import-municipalities", _write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert "Added 999" in result.output
    assert "1 added, 0 changed, 0 unchanged, 308 not in the file" in result.output
    with app.app_context():
        assert db.session.get(Municipality, "999").population == 1234
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 309
