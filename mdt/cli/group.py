"""The `mdt` command group: each subject's module adds its commands to it."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


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
