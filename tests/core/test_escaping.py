"""Text from people reaches pages only escaped (issue 20, item 7): every template is
autoescaped, the NHS.UK macros' .jinja files too, so a name, an error message or a typed
value never becomes markup. Every page of the route inventory is rendered with a hostile
value in each text column, and every form on them is posted with one in each field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from mdt.core.db import Base
from mdt.minutes.models import Discussion, Outcome
from mdt.slots.models import SlotException
from tests.conftest import login, submit
from tests.form_pages import crawl
from tests.test_route_inventory import INVENTORY, world  # noqa: F401 - the inventory's world

#: Closes an attribute and opens an element: written raw, it shows as "<mdt-x".
HOSTILE = '"><mdt-x>'
RAW = "<mdt-x"
ESCAPED = "&#34;&gt;&lt;mdt-x&gt;"

#: Columns whose value the app parses rather than shows (or that are never shown): a hostile
#: value there is refused before it is stored, or is not text from a person.
NOT_SHOWN_TEXT = {
    ("audit_event", "action"),
    ("login_attempt", "email_key"),
    ("patient", "nhs_number"),
    ("user_account", "email_key"),
    ("user_account", "password_hash"),
    ("reminder", "kind"),
    ("reminder", "subject"),
    ("reminder_recheck", "subject"),
    ("action_change", "kind"),
    ("scheduler_heartbeat", "name"),
    ("totp_factor", "secret"),
    ("passkey", "credential_id"),
    ("passkey", "transports"),
    ("passkey_challenge", "purpose"),
    ("passkey_challenge", "challenge"),
}


def _text_columns() -> list[sa.Column[Any]]:
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String)
        and not isinstance(column.type, sa.Enum)
        and (table.name, column.name) not in NOT_SHOWN_TEXT
        and column.name != "time_zone"
        and not column.name.endswith(("token_hash", "_key"))
        and not table.name.startswith("outbox")
    ]


def make_every_text_hostile(session) -> None:  # type: ignore[no-untyped-def]
    """Appends the hostile value to every shown text column of every row (where it fits)."""
    for column in _text_columns():
        room = (column.type.length or 10_000) - len(HOSTILE)
        session.execute(
            sa.update(column.table)
            .where(column.isnot(None), sa.func.length(column) <= room)
            .values({column.name: column + HOSTILE})
        )
    session.commit()


def assert_escaped(role: str, path: str, response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, f"{role} {path}: {response.status_code}"
    if response.mimetype != "text/html":
        return  # a feed or a spreadsheet: not markup
    body = response.get_data(as_text=True)
    assert RAW not in body, f"{role} {path}: raw markup at {body.find(RAW)}"


def _clients(app, people) -> dict[str, FlaskClient]:  # type: ignore[no-untyped-def]
    clients = {"anonymous": app.test_client()}
    for role, email in people["emails"].items():
        clients[role] = app.test_client()
        login(clients[role], email)
    return clients


@pytest.fixture
def hostile_world(world, session):  # type: ignore[no-untyped-def]  # noqa: F811
    """The inventory's world, with what else shows text (a discussion, a moved occurrence,
    a changed meeting), then every text in it made hostile."""
    ids = world["ids"]
    session.add(
        Discussion(
            meeting_id=ids["meeting_id"],
            case_id=ids["case_id"],
            summary="Plan agreed",
            outcome=Outcome.PLAN_AGREED,
            quorum_override="Chair agreed",
        )
    )
    session.add(
        SlotException(
            series_id=ids["series_id"],
            original_date=date(2027, 2, 2),
            cancelled=True,
            reason="Leave",
        )
    )
    session.commit()
    make_every_text_hostile(session)
    return world


def test_a_hostile_time_zone_is_shown_escaped_in_the_error_summary(app, make):
    admin = make.admin()
    team = make.team()
    client = app.test_client()
    login(client, admin.email)
    page = submit(
        client,
        f"/teams/{team.id}/settings",
        {"name": "Riverside", "time_zone": "<b>x</b>", "description": ""},
    ).get_data(as_text=True)
    assert "There is a problem" in page
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_an_organisation_and_a_person_named_with_markup_are_shown_escaped(app, make):
    organisation = make.organisation(name="Canal Street <img src=x onerror=alert(1)>")
    person = make.user(name="Ann <i>Alpha</i>", organisation=organisation)
    client = app.test_client()
    login(client, person.email)
    page = client.get("/profile").get_data(as_text=True)
    assert "<img src=x" not in page and "<i>Alpha</i>" not in page
    assert "Canal Street &lt;img src=x onerror=alert(1)&gt;" in page
    assert "Ann &lt;i&gt;Alpha&lt;/i&gt;" in page  # in the header and the name field


def test_every_page_shows_hostile_stored_text_escaped(app, hostile_world):
    clients = _clients(app, hostile_world)
    found = crawl(app, clients, hostile_world["ids"], check=assert_escaped)
    # Not found for everyone: a page this world does not have (sign-in through a provider,
    # with none configured).
    gets = {
        e
        for e, r in INVENTORY.items()
        # Pages someone may read: not those 404 for everyone (OIDC without providers) nor the
        # FHIR API's, which answer a bearer token only (tests/fhir renders them).
        if r.method == "GET" and set(r.expect.values()) not in ({"404"}, {"401"})
    }
    read = {path for _, path, response in found.pages if response.status_code == 200}
    assert len(read) >= len(gets) - 2, "most pages render for someone"
    escaped = [path for _, path, r in found.pages if ESCAPED in r.get_data(as_text=True)]
    assert len(escaped) > 30, "the hostile text is on the pages, escaped"


def test_every_form_posted_with_hostile_values_answers_escaped(app, hostile_world):
    clients = _clients(app, hostile_world)
    found = crawl(app, clients, hostile_world["ids"])
    assert len(found.forms) > 20
    for role, form in found.forms.values():
        values = {name: HOSTILE for name in form.fields}
        response = form.post(clients[role], values)
        assert_escaped(role, f"{form.method} {form.action}", response)
        if response.status_code in (301, 302, 303):
            after = clients[role].get(response.headers["Location"])
            assert_escaped(role, f"{form.method} {form.action} then", after)
