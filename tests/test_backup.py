"""`flask --app wsgi backup PATH`: a consistent copy, even while writes go on, that restores."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from pilot_tracker import create_app
from pilot_tracker.extensions import db
from pilot_tracker.services.seed import seed_demo

TABLES = (
    "municipalities",
    "vendors",
    "users",
    "pilots",
    "participations",
    "kpis",
    "measurements",
    "status_updates",
    "decisions",
    "audit_log",
)


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real SQLite file with the demo portfolio, committed (not in a test transaction)."""
    live = tmp_path_factory.mktemp("backup") / "live.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{live}"})
    with app.app_context():
        upgrade()
        seed_demo()
    yield app
    with app.app_context():
        db.engine.dispose()


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_backup_restores_every_record(sqlite_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "copy.db"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    live = Path(sqlite_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    assert _counts(target) == _counts(live)
    assert _counts(target)["pilots"] == 40
    # Restoring is opening the copy as the app's database: every pilot is there, intact.
    restored = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    with restored.app_context():
        names = set(db.session.scalars(sa.text("SELECT name FROM pilots")))
        db.engine.dispose()
    with sqlite_app.app_context():
        assert names == set(db.session.scalars(sa.text("SELECT name FROM pilots")))


def test_backup_is_consistent_while_the_app_writes(sqlite_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    live = sqlite_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    stop = threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(live, timeout=15)
        n = 0
        while not stop.is_set():
            n += 1
            with conn:  # one transaction: a vendor row and its audit row together
                conn.execute(
                    "INSERT INTO vendors (name, business_id, created_at) VALUES (?, ?, datetime())",
                    (f"Concurrent {n}", f"w{n:08d}"[:9]),
                )
                conn.execute(
                    "INSERT INTO audit_log (at, action, entity, entity_id) "
                    "VALUES (datetime(), 'create', 'vendor', ?)",
                    (f"w{n}",),
                )
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "hot.db")])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "hot.db") as conn:
        vendors = conn.execute("SELECT count(*) FROM vendors WHERE name LIKE 'Concurrent %'")
        audits = conn.execute("SELECT count(*) FROM audit_log WHERE entity_id LIKE 'w%'")
        # Each writer transaction is either wholly in the copy or not at all.
        assert vendors.fetchone()[0] == audits.fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_refuses_to_overwrite(sqlite_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert target.read_text() == "keep me"


@pytest.mark.postgres
def test_postgres_backup_restores_every_record(tmp_path: Path) -> None:
    url = sa.make_url(os.environ["TEST_DATABASE_URL"])
    names = [f"kokeilu_bk_{uuid.uuid4().hex[:8]}", f"kokeilu_rs_{uuid.uuid4().hex[:8]}"]
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        source = url.set(database=names[0])
        app = create_app(
            "testing", {"SQLALCHEMY_DATABASE_URI": str(source.render_as_string(False))}
        )
        with app.app_context():
            upgrade()
            seed_demo()
            before = {
                t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES
            }
            db.session.remove()
            db.engine.dispose()
        target = tmp_path / "pg.dump"
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        restore_url = url.set(drivername="postgresql", database=names[1])
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                f"--dbname={restore_url.render_as_string(False)}",
                str(target),
            ],
            check=True,
        )
        restored = sa.create_engine(url.set(database=names[1]))
        with restored.connect() as conn:
            after = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
        restored.dispose()
        assert after == before and after["pilots"] == 40
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
