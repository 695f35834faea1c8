"""`flask --app wsgi backup PATH`: a consistent online copy of the database.

SQLite: the sqlite3 online-backup API copies page by page under SQLite's own locking, so the
copy is consistent even while the app keeps writing. PostgreSQL: `pg_dump --format=custom`
(restore with `pg_restore --clean --dbname ...`), which reads one consistent snapshot.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from pilot_tracker.extensions import db


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def backup_sqlite(
    source: str, target: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """Copy the SQLite database file `source` to `target` with the online-backup API."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:

        def report(status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        src.backup(dst, pages=256, progress=report)
    finally:
        dst.close()
        src.close()
    # Renamed only once complete, so a crash never leaves a half copy under the real name.
    partial.replace(target)


def backup_postgres(url: sa.URL, target: Path) -> None:
    """Run pg_dump in custom format into `target`."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed; install the PostgreSQL client tools.")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    libpq_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", libpq_url],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the app keeps running."""
    url = db.engine.url
    try:
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise BackupError("An in-memory database cannot be backed up.")
            with click.progressbar(length=100, label="Backing up") as bar:
                last = [0]

                def progress(done: int, total: int) -> None:
                    percent = int(100 * done / total) if total else 100
                    bar.update(percent - last[0])
                    last[0] = percent

                backup_sqlite(url.database, path, progress)
        elif url.get_backend_name() == "postgresql":
            backup_postgres(url, path)
        else:
            raise BackupError(f"No backup method for {url.get_backend_name()}.")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    size = path.stat().st_size
    current_app.logger.info("backup written to %s (%d bytes)", path, size)
    click.echo(f"Backup written to {path} ({size} bytes).")
