"""`flask --app wsgi ...` commands: demo data, users, tokens, the register, backups."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo portfolio and one user per role (idempotent); prints the logins."""
    from flask import current_app

    from pilot_tracker.services.seed import DEMO_PASSWORD, seed_demo

    if current_app.config.get("SESSION_COOKIE_SECURE") and not current_app.testing:
        raise click.ClickException("seed-demo creates known passwords; not in production.")
    result = seed_demo(progress=lambda label, n: click.progressbar(length=n, label=label))
    if result.created:
        click.echo(f"Demo portfolio created: {result.pilots} pilots, {result.vendors} vendors.")
    else:
        click.echo("Demo data already present; nothing changed.")
    click.echo("Demo logins (password for all: " + DEMO_PASSWORD + "):")
    for email, role, extra in result.logins:
        click.echo(f"  {role:<12} {email}{'  ' + extra if extra else ''}")


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--municipality", "municipality", default=None, help="Council user's municipality code."
)
@click.option("--vendor", "vendor_id", default=None, type=int, help="Vendor user's vendor id.")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(
    email: str,
    role: str,
    municipality: str | None,
    vendor_id: int | None,
    name: str,
    password_stdin: bool,
) -> None:
    """Create a user, prompting for the password (or reading it from stdin)."""
    from pilot_tracker.services.users import UserError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email, role, password, name=name, municipality_code=municipality, vendor_id=vendor_id
        )
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("import-municipalities")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@with_appcontext
def import_municipalities_command(path: str, dry_run: bool) -> None:
    """Update names, regions and populations from a register file (same columns)."""
    from pilot_tracker.services.municipalities import (
        RegisterFileError,
        apply_register,
        read_register_file,
    )

    try:
        rows = read_register_file(path)
    except RegisterFileError as exc:
        click.echo("The file was refused; nothing was changed:", err=True)
        for problem in exc.problems[:50]:
            click.echo(f"  - {problem}", err=True)
        if len(exc.problems) > 50:
            click.echo(f"  ... and {len(exc.problems) - 50} more", err=True)
        raise SystemExit(1) from exc
    report = apply_register(rows, dry_run=dry_run)
    prefix = "Would change" if dry_run else "Changed"
    for code in report.added:
        click.echo(f"Added {code}")
    for code, diff in sorted(report.changed.items()):
        parts = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in diff.items())
        click.echo(f"{prefix} {code}: {parts}")
    for code in report.missing_from_file:
        click.echo(f"Kept {code} (not in the file)")
    click.echo(
        f"{len(report.added)} added, {len(report.changed)} changed, {report.unchanged} unchanged, "
        f"{len(report.missing_from_file)} not in the file" + (" (dry run)" if dry_run else "")
    )


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Create an API token for the user; prints the token alone (shown only this once)."""
    import sqlalchemy as sa

    from pilot_tracker.models import User
    from pilot_tracker.services.tokens import create_token

    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"No user has the e-mail {email}.")
    if not user.active:
        raise click.ClickException(f"{email} is deactivated.")
    _token, plaintext = create_token(user, name=name)
    click.echo(plaintext)


@click.command("import-pilots")
@click.argument(
    "paths", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False)
)
@click.option("--dry-run", is_flag=True, help="Check the files and report; change nothing.")
@with_appcontext
def import_pilots_command(paths: tuple[str, ...], dry_run: bool) -> None:
    """Import pilots from one XLSX workbook or the CSV files of an export (all or nothing)."""
    from pathlib import Path

    from pilot_tracker.services.importer import import_pilots

    files = []
    for path in paths:
        try:
            files.append((Path(path).name, Path(path).read_bytes()))
        except OSError as exc:
            raise click.ClickException(f"Cannot read {path}: {exc.strerror}") from exc
    report = import_pilots(
        files,
        dry_run=dry_run,
        progress=lambda label, n: click.progressbar(length=n, label=label, file=sys.stderr),
    )
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s); nothing was imported:", err=True)
        for problem in report.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}")
    for outcome in report.outcomes:
        line = f"{outcome.ref} {outcome.name}: {outcome.action}"
        details = [f"{column} {old or '-'} -> {new or '-'}" for column, old, new in outcome.changes]
        details += [
            f"{table} {what} {n}"
            for table, counts in outcome.rows.items()
            for what, n in counts.items()
        ]
        details += [f"{table} kept {n} (not in the files)" for table, n in outcome.kept.items()]
        if not outcome.created and details:
            line += " (" + "; ".join(details) + ")"
        click.echo(line)
    pilots = (
        f"pilots: {report.pilots('created')} new, {report.pilots('updated')} updated, "
        f"{report.pilots('unchanged')} unchanged"
    )
    counts = ", ".join(f"{n} {sheet}" for sheet, n in report.counts.items())
    for business_id, name in report.new_vendors:
        click.echo(f"{'Would create' if dry_run else 'Created'} vendor {name} ({business_id})")
    if dry_run:
        click.echo(f"No problems found in {counts}; {pilots} (dry run, nothing saved).")
    else:
        click.echo(f"Imported {counts}; {pilots}.")


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
@with_appcontext
def send_mail_command(limit: int) -> None:
    """Deliver what waits in the outbox (run it from a timer or cron every minute)."""
    from pilot_tracker.services.outbox import deliver

    report = deliver(limit=limit)
    click.echo(f"Sent {report.sent}, failed {report.failed}.")
    for error in report.errors:
        click.echo(f"  failed: {error}", err=True)
    if report.failed:
        raise SystemExit(1)


@click.command("send-reminders")
@click.option("--date", "on", default=None, help="The day to remind for (YYYY-MM-DD; today).")
@with_appcontext
def send_reminders_command(on: str | None) -> None:
    """Compose today's reminder digests into the outbox (run it once a day; a second run on
    the same day sends nothing)."""
    from datetime import date

    from pilot_tracker.services.reminders import send_reminders

    try:
        today = date.fromisoformat(on) if on else date.today()
    except ValueError as exc:
        raise click.ClickException(f"--date must be YYYY-MM-DD, not {on!r}.") from exc
    report = send_reminders(today)
    click.echo(
        f"{report.digests} digest(s) with {report.items} item(s) for {report.users} user(s) "
        "put in the outbox; send-mail delivers them."
    )


@click.command("rebuild-aggregates")
@with_appcontext
def rebuild_aggregates_command() -> None:
    """Recompute every maintained aggregate (after bulk loads that bypass the ORM)."""
    import sqlalchemy as sa

    from pilot_tracker.services import aggregates

    conn = db.session.connection()
    total = conn.execute(sa.select(sa.func.count()).select_from(sa.table("pilots"))).scalar()
    with click.progressbar(length=int(total or 0), label="Rebuilding aggregates") as bar:
        count = aggregates.rebuild(conn, bar.update)
    db.session.commit()
    click.echo(f"Rebuilt the aggregates of {count} pilots.")


@click.command("check-aggregates")
@with_appcontext
def check_aggregates_command() -> None:
    """Recompute every maintained aggregate and compare with the stored rows exactly."""
    from pilot_tracker.services import aggregates

    aggregates.sync(db.session())
    problems = aggregates.check(db.session.connection())
    if problems:
        for line in problems:
            click.echo(line)
        click.echo(f"{len(problems)} differences: run rebuild-aggregates.", err=True)
        sys.exit(1)
    click.echo("The aggregates equal their full recomputation.")


def register(app: Flask) -> None:
    """Attach the commands."""
    for command in (
        seed_demo_command,
        create_user_command,
        create_token_command,
        import_municipalities_command,
        import_pilots_command,
        send_mail_command,
        send_reminders_command,
        rebuild_aggregates_command,
        check_aggregates_command,
    ):
        app.cli.add_command(command)
    from pilot_tracker.backup import backup_command

    app.cli.add_command(backup_command)
