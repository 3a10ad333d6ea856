"""`mdt create-admin`, `mdt demo` and `mdt feed-url`: people and their links, from a console."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from mdt.cli.group import main_group


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
