"""The `mdt` command: database, accounts, demo data, the production server and mail."""

from __future__ import annotations

import gc
import re
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from mdt.config import ConfigError


def _create_app() -> Flask:
    from mdt import create_app

    return create_app()


class _Commands(FlaskGroup):
    """Every command is registered on the group itself, so listing them (`mdt --help`) needs
    no app: Flask's own listing loads one, and printed a traceback before any configuration
    was written (no secret key yet)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return click.Group.list_commands(self, ctx)


@click.group(cls=_Commands, create_app=_create_app, add_default_commands=False)
def main_group() -> None:
    """MDT Coordinator."""


def main() -> None:
    try:
        main_group.main(prog_name="mdt")
    except ConfigError as exc:
        click.echo(f"mdt: {exc}", err=True)
        sys.exit(2)


def init_app(app: Flask) -> None:
    """Commands are registered on the group; nothing per app yet."""


@main_group.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from mdt.core import migrate

    _ensure_sqlite_folder(current_app.config["DATABASE_URL"])
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo("Database is up to date.")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    from mdt.core import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}.")


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    from mdt.core.migrate import alembic_config

    command.revision(
        alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True
    )


def _ensure_sqlite_folder(url: str) -> None:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


@main_group.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organisation", prompt="Organisation name")
@with_appcontext
def create_admin(email: str, name: str, organisation: str) -> None:
    """Create a system administrator and print a one-time link to set their password."""
    from mdt.accounts import operations as accounts
    from mdt.core.web import external_url
    from mdt.demo.data import ensure_organisation
    from mdt.extensions import db as database
    from mdt.organisations.models import OrganisationType

    if accounts.find_user_by_email(email):
        raise click.ClickException(f"{email} already has an account")
    org = ensure_organisation(organisation, OrganisationType.OTHER)
    user = accounts.create_user(
        name=name, email=email, profession="Administrator", organisation=org, is_admin=True
    )
    token = accounts.issue_password_link(user, user)
    database.session.commit()
    click.echo(f"Administrator {email} created. Set the password here (works once):")
    click.echo(external_url("accounts.set_password", token=token))


@main_group.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo neighbourhood (safe to run again) and print the demo logins."""
    from mdt.demo.data import DEMO_PASSWORD, DEMO_TOTP_PERSON, DEMO_TOTP_SECRET, load_demo

    logins = load_demo(progress=lambda step: click.echo(f"  {step}"))
    click.echo("")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, description in logins:
        click.echo(f"  {email:<42} {description}")
    with_app = next(email for email, _ in logins if email.startswith(f"{DEMO_TOTP_PERSON}@"))
    click.echo("")
    click.echo(
        f"{with_app} also needs a code from an authenticator app: add the key "
        f"{DEMO_TOTP_SECRET} to one (time-based, 6 digits, 30 seconds)."
    )


# Not inside an app context: workers forked from one would share it (and its `g`, where
# the signed-in user is cached) across every request.
@main_group.command("serve", with_appcontext=False)
@click.option("--host", default=None, help="Default: [server] host")
@click.option("--port", default=None, type=int, help="Default: [server] port")
@click.option("--workers", default=None, type=int, help="Default: [server] workers")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the app with gunicorn, the production WSGI server."""
    from flask.cli import ScriptInfo
    from gunicorn.app.base import BaseApplication

    app = ctx.ensure_object(ScriptInfo).load_app()
    cfg = app.config
    options = {
        "bind": f"{host or cfg['SERVER_HOST']}:{port or cfg['SERVER_PORT']}",
        "workers": workers or cfg["SERVER_WORKERS"],
        "accesslog": "-",
        # The path with secrets cut out (see loggable_path), never the query string.
        "access_log_format": '%(h)s "%(m)s %({mdt.log_path}e)s" %(s)s %(b)s %(L)ss',
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return _with_loggable_path(app)

    click.echo(f"Serving on http://{options['bind']}")
    # What loading the app made (modules, templates, mappers: about 140,000 objects) lives
    # as long as the workers. Frozen before gunicorn forks them, a worker's full collections
    # skip it: each took about 70 ms with it, 0.4 ms without (timed on the team report).
    gc.collect()
    gc.freeze()
    Server().run()


#: Paths that carry a secret (calendar feed tokens, password-set links): the access log
#: keeps their shape only.
_SECRET_PATHS = (
    (re.compile(r"^(/calendar/(?:team/)?)[^/]+(\.ics)$"), r"\1<token>\2"),
    (re.compile(r"^(/password/)[^/]+$"), r"\1<token>"),
)


def loggable_path(path: str) -> str:
    for pattern, replacement in _SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return path


def _with_loggable_path(app: Flask) -> Any:
    """The app, giving gunicorn's access log a redacted path (a request the app never sees
    logs "-", not its path)."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        environ["mdt.log_path"] = loggable_path(environ.get("PATH_INFO", ""))
        return app(environ, start_response)

    return wsgi


@main_group.command("bench-seed", with_appcontext=False)
@click.option("--scale", type=click.Choice(["practice", "region"]), default="practice")
@click.option("--database-url", default=None, help="Default: [database] url. Must be empty.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The anchor day the data is generated around (default: today).",
)
@click.pass_context
def bench_seed(ctx: click.Context, scale: str, database_url: str | None, today: Any | None) -> None:
    """Fill an empty database with a practice's or a whole region's data for benchmarks."""
    from bench.loading import seed
    from mdt.config import load_settings
    from mdt.core.time import now_utc

    url = database_url or load_settings()["DATABASE_URL"]
    _ensure_sqlite_folder(url)
    day = today.date() if today else now_utc().date()
    click.echo(f"Seeding {scale} scale around {day} into {_without_password(url)}")
    try:
        seeded = seed(url, scale, day, lambda step: click.echo(f"  {step}"))
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Done in {seeded.seconds:.1f} s: "
        + ", ".join(f"{n:,} {table}" for table, n in seeded.counts.items())
    )
    click.echo(f"Benchmark user: {seeded.email} (password {seeded.password}); team: {seeded.team}")
    click.echo(f"Their calendar feed: /calendar/{seeded.feed_token}.ics")


@main_group.command("bench", with_appcontext=False)
@click.option("--database-url", default=None, help="A database filled by `mdt bench-seed`.")
@click.option("--label", default="page", help="Heads the table's first column.")
@click.option("--duration", default=10, help="Seconds of load per page.")
@click.option("--connections", default=2, help="wrk's concurrent connections.")
@click.option("--workers", default=2, help="gunicorn workers.")
@click.option("--port", default=5391)
@click.option("--radicale/--no-radicale", default=True, help="Also time the peer.")
@click.option("--json", "json_path", default=None, help="Also write the figures here.")
@click.option(
    "--against",
    default=None,
    help="Another seeded database: only the pages, on both, interleaved page by page; "
    "prints their p95s side by side (first --database-url, then this one).",
)
@click.option("--against-label", default="against", help="Names the --against columns.")
@click.option(
    "--rounds",
    default=1,
    help="With --against: the interleaved loads this many times over; the table gives each "
    "round's p95 ratio and their median.",
)
def bench(
    database_url: str | None,
    label: str,
    duration: int,
    connections: int,
    workers: int,
    port: int,
    radicale: bool,
    json_path: str | None,
    against: str | None,
    against_label: str,
    rounds: int,
) -> None:
    """Time the key pages under gunicorn with wrk, against the floor route and Radicale."""
    from bench import report, run
    from mdt.config import load_settings

    settings = run.Settings(
        database_url or load_settings()["DATABASE_URL"],
        duration=duration,
        connections=connections,
        workers=workers,
        port=port,
        radicale=radicale,
    )
    progress = lambda step: click.echo(f"  {step}", err=True)  # noqa: E731
    try:
        if against:
            other = run.Settings(against, duration, connections, workers, port, False)
            results = run.compare(settings, other, progress, rounds)
            click.echo(report.comparison_table(results, (label, against_label)))
            return
        result = run.run(settings, progress)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    if json_path:
        report.save(result, json_path)
    click.echo(report.table(result, label))


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main_group.command("feed-url")
@click.argument("email")
@with_appcontext
def feed_url(email: str) -> None:
    """Print EMAIL's calendar feed address. Only a hash of it is kept, so a person who has
    one gets a new one (and the old one stops working)."""
    from mdt.accounts import operations as accounts
    from mdt.calendar import delivery
    from mdt.calendar import operations as calendar
    from mdt.core.time import now_utc
    from mdt.extensions import db as database

    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"{email} has no account")
    replaced = calendar.person_feed(user) is not None
    token, _sent = delivery.make_link(user, None, now_utc())
    database.session.commit()
    if replaced:
        click.echo(f"{email} had a calendar link: it is replaced, and the old one no longer works.")
    https, webcal = calendar.feed_urls("calendar.person_feed", token)
    click.echo(https)
    click.echo(webcal)


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


# Not inside an app context: each of the scheduler's runs opens its own, so nothing (the
# database session, `g`) is shared from one minute to the next.
@main_group.command("scheduler", with_appcontext=False)
@click.option("--once", is_flag=True, help="Run one sweep and delivery, then exit.")
@click.pass_context
def scheduler(ctx: click.Context, once: bool) -> None:
    """Sweep reminders and deliver queued mail every minute (run beside `mdt serve`)."""
    from flask.cli import ScriptInfo

    from scheduler.runner import configure_logging, run

    app = ctx.ensure_object(ScriptInfo).load_app()
    configure_logging()
    ctx.exit(run(app, once=once))


if __name__ == "__main__":
    main()
