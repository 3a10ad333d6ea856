"""The new sign-in settings pages run a fixed number of statements, whatever the number of
people, sessions, recovery codes and recorded events."""

from __future__ import annotations

from mdt.accounts.models import SecurityEvent
from tests.conftest import login
from tests.queries import count_queries

PAGES = [
    "/confirm-its-you",
    "/profile/password",
    "/profile/email",
    "/second-factor",
    "/second-factor/people/{person}/reset",
    "/organisations/{org}/sign-in",
]


def _more_of_everything(app, make, admin, person):
    for _ in range(5):
        make.user(organisation=admin.organisation)
        login(app.test_client(), admin.email)  # another open session each
        make.session.add(
            SecurityEvent(actor_id=admin.id, user_id=person.id, action="second factor reset")
        )
    make.session.commit()


def test_the_pages_run_the_same_statements_with_more_data(app, make, client):
    admin = make.admin(email="counting.admin@example.org")
    person = make.user(organisation=admin.organisation)
    login(client, admin.email)
    paths = [p.format(person=person.id, org=admin.organisation_id) for p in PAGES]
    counts = {}
    for round_ in range(2):
        for path in paths:
            with count_queries(app) as statements:
                assert client.get(path).status_code == 200, path
            counts.setdefault(path, []).append(len(statements))
        if round_ == 0:
            _more_of_everything(app, make, admin, person)
    assert {path: c for path, c in counts.items() if c[0] != c[1]} == {}
