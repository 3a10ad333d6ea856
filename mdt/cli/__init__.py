"""The `mdt` command: database, demo, users, backup, audit, retention, benchmarks.

Imports: demo, retention, calendar, organisations, backup, audit, mail, accounts, core (each
below it in the layers, pyproject.toml).
"""

from __future__ import annotations

import sys

import click
from flask import Flask

# Each module adds its commands to main_group when it is imported.
from mdt.cli import accounts, benchmarks, database, records, server  # noqa: F401
from mdt.cli.group import main_group
from mdt.cli.server import loggable_path
from mdt.config import ConfigError

__all__ = ["init_app", "loggable_path", "main", "main_group"]


def main() -> None:
    try:
        main_group.main(prog_name="mdt")
    except ConfigError as exc:
        click.echo(f"mdt: {exc}", err=True)
        sys.exit(2)


def init_app(app: Flask) -> None:
    """Commands are registered on the group; nothing per app yet."""
