"""`mdt backup`, `restore`, `outbox send`, `audit verify` and `retention`: the records' upkeep."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from mdt.cli.group import main_group


@main_group.group()
def outbox() -> None:
    """Outgoing mail."""


@outbox.command("send")
@with_appcontext
def outbox_send() -> None:
    """Send every queued message that is due; failures stay queued for the next try."""
    from mdt.mail.outbox import deliver

    sent, failed = deliver()
    click.echo(f"{sent} sent, {failed} not sent (still queued or refused)")


@main_group.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup(dest: Path) -> None:
    """Take a consistent copy of the live database into the new folder DEST, with a
    manifest (time, schema revision, rows per table, checksum)."""
    from mdt.backup.manifest import BackupError
    from mdt.backup.operations import take_backup

    try:
        manifest = take_backup(current_app.config["DATABASE_URL"], dest)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest.tables.values())
    click.echo(
        f"Backup taken at {manifest.taken_at:%Y-%m-%d %H:%M:%S} UTC into {dest}: "
        f"schema {manifest.schema_revision}, {rows:,} rows in {len(manifest.tables)} tables, "
        f"sha256 {manifest.sha256[:16]}..."
    )


@main_group.command("restore")
@click.argument("src", type=click.Path(file_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore(src: Path) -> None:
    """Restore the backup in folder SRC into the configured database, which must be empty;
    hold the mail that was waiting when the backup was taken (see /mail/held)."""
    from datetime import timedelta

    from mdt.backup.manifest import BackupError
    from mdt.backup.operations import restore_backup

    config = current_app.config
    hold = timedelta(minutes=config["BACKUP_HOLD_MAIL_OLDER_THAN_MINUTES"])
    try:
        restored = restore_backup(config["DATABASE_URL"], src, hold)
    except BackupError as exc:
        raise click.ClickException(f"not restored: {exc}") from None
    manifest = restored.manifest
    click.echo(
        f"Restored the backup taken at {manifest.taken_at:%Y-%m-%d %H:%M:%S} UTC: checksum, "
        f"database checks and {sum(manifest.tables.values()):,} rows match its manifest."
    )
    if restored.upgraded_from:
        click.echo(f"Schema upgraded from {restored.upgraded_from}.")
    click.echo(
        f"{restored.held_messages} message(s) waiting at the time of the backup are held: "
        "an administrator releases or drops them at /mail/held. No scheduler has run on "
        "this database yet (/healthz: never) until you start one."
    )


@main_group.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Walk the audit log's hash chain and report the first broken link (exit status 1).
    The outcome is kept: the audit log page shows the latest."""
    from mdt.audit.chain import verify_and_record
    from mdt.extensions import db as database

    outcome = verify_and_record(database.session)
    database.session.commit()
    if not outcome.ok:
        click.echo(
            f"Audit chain BROKEN after {outcome.rows_checked} good event(s): {outcome.problem}",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Audit chain verified: {outcome.rows_checked} event(s), every link holds.")


@main_group.command("retention")
@click.option("--dry-run", is_flag=True, help="List what would be disposed of; change nothing.")
@with_appcontext
def retention(dry_run: bool) -> None:
    """Dispose of patients past retention and audit rows past theirs, now (the scheduler
    does it daily). Patients are listed by id only: no names or NHS numbers on a console."""
    from mdt.core.time import now_utc
    from mdt.retention.disposal import run

    result = run(current_app.config, now_utc(), dry_run=dry_run)
    for s in result.due:
        click.echo(
            f"patient {s.patient_id}: closed {s.closed_on}, kept {s.years} years, due {s.due_on}"
        )
    click.echo(result.summary())
