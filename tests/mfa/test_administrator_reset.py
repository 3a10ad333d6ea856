"""An administrator of a person's organisation resets their lost second factor: with a
reason, recorded, the person emailed, and they set up a new one at their next sign-in.
Nobody else may, and an administrator cannot reset their own."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.accounts.models import SecurityEvent
from mdt.mail.models import OutboxMessage
from mdt.mfa.models import RecoveryCode, TotpFactor
from tests.conftest import login, submit
from tests.mfa.test_second_factor import clock as clock  # noqa: F401  (the fixture)
from tests.mfa.test_second_factor import enter_code, sign_in_password
from tests.mfa.test_second_factor import person_with_app as person_with_app  # noqa: F401
from tests.test_route_inventory import LOGIN, _outcome


def _reset_path(person):
    return f"/second-factor/people/{person.id}/reset"


def test_an_administrator_of_their_organisation_resets_a_lost_factor(
    app, make, session, client, person_with_app
):
    person, secret, codes = person_with_app
    their_browser = app.test_client()
    sign_in_password(their_browser, person.email, make.PASSWORD)
    enter_code(their_browser, codes[0])
    admin = make.admin(email="practice.admin@example.org", organisation=person.organisation)
    login(client, admin.email)
    assert f'href="{_reset_path(person)}"' in client.get(f"/users/{person.id}").text
    no_reason = submit(client, _reset_path(person), {"reason": "  "})
    assert "Say why you are resetting their second factor" in no_reason.text
    assert session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == person.id))
    done = submit(client, _reset_path(person), {"reason": "Lost phone; called them back"})
    assert done.headers["Location"] == f"/users/{person.id}"
    session.expire_all()
    assert session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == person.id)) is None
    assert not session.scalars(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == person.id)
    ).all()
    events = session.scalars(
        sa.select(SecurityEvent)
        .where(SecurityEvent.user_id == person.id)
        .order_by(SecurityEvent.id)
    ).all()
    # Their own setting up of the app, then the reset.
    assert [(e.actor_id, e.action) for e in events] == [
        (person.id, "authenticator app added"),
        (admin.id, "second factor reset"),
    ]
    event = events[-1]
    assert event.detail == "Lost phone; called them back"
    letter = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipients == person.email)
    ).one()
    assert "reset" in letter.subject and person.name not in letter.subject
    assert _outcome(their_browser.get("/dashboard")) == LOGIN  # their sessions ended
    # Next sign-in: a new app, although nothing else requires one for them.
    fresh = app.test_client()
    after = sign_in_password(fresh, person.email, make.PASSWORD)
    assert after.headers["Location"] == "/second-factor/setup"
    assert _outcome(fresh.get("/dashboard")) == LOGIN
    # The old codes are gone: the code step itself sends them on to set up.
    assert fresh.get("/second-factor/verify").headers["Location"] == "/second-factor/setup"


def test_an_administrator_cannot_reset_their_own_factor(app, make, client):
    admin = make.admin(email="self.admin@example.org")
    login(client, admin.email)
    assert client.get(_reset_path(admin)).status_code == 403
    assert _reset_path(admin) not in client.get(f"/users/{admin.id}").text  # nor offered


def test_nobody_outside_the_organisation_may_reset_it(app, make, session, person_with_app):
    person, _, _ = person_with_app
    elsewhere_admin = make.admin(email="other.admin@example.org")  # its own organisation
    colleague = make.user(email="colleague@example.org", organisation=person.organisation)
    for email in (elsewhere_admin.email, colleague.email):
        browser = app.test_client()
        login(browser, email)
        assert browser.get(_reset_path(person)).status_code == 403, email
        token_page = browser.get("/profile").text
        token = token_page.split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
        posted = browser.post(_reset_path(person), data={"reason": "x", "csrf_token": token})
        assert posted.status_code == 403, email
    assert session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == person.id))
    anonymous = app.test_client()
    assert _outcome(anonymous.get(_reset_path(person))) == LOGIN


def test_setting_up_again_after_a_reset_then_removing_it_oneself_is_not_forced(
    app, make, session, client, clock, person_with_app
):
    person, _, _ = person_with_app
    admin = make.admin(email="practice.admin2@example.org", organisation=person.organisation)
    admin_browser = app.test_client()
    login(admin_browser, admin.email)
    submit(admin_browser, _reset_path(person), {"reason": "Lost phone"})
    login(client, person.email)  # sets up a new app at the sign-in (tests.conftest.login)
    submit(client, "/second-factor/remove", {}, form_url="/second-factor")
    client.post("/logout")
    again = sign_in_password(client, person.email, make.PASSWORD)
    assert again.headers["Location"] == "/dashboard"
