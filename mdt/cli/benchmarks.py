"""`mdt bench-seed` and `mdt bench`: the harness lives in bench/ (outside the app) and is
imported only when one of them runs."""

from __future__ import annotations

from typing import Any

import click

from mdt.cli.database import ensure_sqlite_folder
from mdt.cli.group import main_group


@main_group.command("bench-seed", with_appcontext=False)
@click.option("--scale", type=click.Choice(["practice", "region", "national"]), default="practice")
@click.option("--database-url", default=None, help="Default: [database] url. Must be empty.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The anchor day the data is generated around (default: today).",
)
@click.pass_context
def bench_seed(ctx: click.Context, scale: str, database_url: str | None, today: Any | None) -> None:
    """Fill an empty database with a practice's, a region's or a nation's data for benchmarks."""
    from bench.loading import seed
    from mdt.config import load_settings
    from mdt.core.time import now_utc

    url = database_url or load_settings()["DATABASE_URL"]
    ensure_sqlite_folder(url)
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


@main_group.command("bench-busy-hour", with_appcontext=False)
@click.option("--database-url", required=True, help="A copy of a region database: it writes.")
@click.option("--multiples", default="10,20,40,60,80,100,130,160", help="× the model, in turn.")
@click.option("--seconds", default=60, help="Seconds of load a step.")
@click.option("--workers", default=2, help="gunicorn workers.")
@click.option("--port", default=5395)
def bench_busy_hour(
    database_url: str, multiples: str, seconds: int, workers: int, port: int
) -> None:
    """Replay a region's busiest hour open loop at rising rates (docs/busy_hour.md)."""
    import os

    from bench import busy_report, busy_run

    settings = busy_run.Settings(database_url, workers=workers, port=port, radicale=False)
    steps = [float(m) for m in multiples.split(",")]
    progress = lambda step: click.echo(f"  {step}", err=True)  # noqa: E731
    try:
        result = busy_run.run(settings, steps, seconds, progress)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(busy_report.model_table() + "\n")
    click.echo(busy_report.table(result, os.cpu_count() or 1))
