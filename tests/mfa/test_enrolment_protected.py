"""Setting up a first factor right after the password is only for someone who has none:
it cannot be used to skip the second step, and a password-reset link with a new password
alone cannot replace an existing factor (ASVS 6.4.3)."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from mdt.accounts import operations as accounts
from mdt.extensions import db
from mdt.mfa.models import TotpFactor
from tests.conftest import SECRET_RE, csrf_token, submit
from tests.mfa.test_second_factor import clock as clock  # noqa: F401  (the fixture)
from tests.mfa.test_second_factor import enter_code, sign_in_password
from tests.mfa.test_second_factor import person_with_app as person_with_app  # noqa: F401
from tests.test_route_inventory import LOGIN, _outcome

NEW_PASSWORD = "a new and long passphrase for the ward"


def _factors(session, person):
    session.expire_all()
    return session.scalars(sa.select(TotpFactor).where(TotpFactor.user_id == person.id)).all()


def _try_to_set_up_instead(client):
    """What someone holding only the password would try: the set-up page, then posting a
    code from an authenticator of their own."""
    page = client.get("/second-factor/setup")
    attacker_secret = pyotp.random_base32()
    token = csrf_token(client, "/second-factor/verify")
    posted = client.post(
        "/second-factor/setup",
        data={"code": pyotp.TOTP(attacker_secret).now(), "csrf_token": token},
    )
    return page, posted


def test_someone_with_a_factor_cannot_use_set_up_to_skip_the_code(
    app, make, session, client, person_with_app
):
    person, secret, _ = person_with_app
    before = [(f.id, f.secret) for f in _factors(session, person)]
    sign_in_password(client, person.email, make.PASSWORD)
    page, posted = _try_to_set_up_instead(client)
    assert page.headers["Location"] == "/second-factor/verify"
    assert SECRET_RE.search(page.text or "") is None  # no new secret was shown
    assert posted.headers["Location"] == "/second-factor/verify"
    assert [(f.id, f.secret) for f in _factors(session, person)] == before
    assert _outcome(client.get("/dashboard")) == LOGIN
    assert enter_code(client, pyotp.TOTP(secret).now()).headers["Location"] == "/dashboard"


def test_a_reset_link_and_a_new_password_cannot_replace_the_factor(
    app, make, session, client, person_with_app
):
    person, secret, _ = person_with_app
    before = [(f.id, f.secret) for f in _factors(session, person)]
    admin = make.admin()
    with app.app_context():
        token = accounts.issue_password_link(db.session.get(type(person), person.id), admin)
        db.session.commit()
    submit(client, f"/password/{token}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    after = sign_in_password(client, person.email, NEW_PASSWORD)
    assert after.headers["Location"] == "/second-factor/verify"
    page, posted = _try_to_set_up_instead(client)
    assert page.headers["Location"] == "/second-factor/verify"
    assert posted.headers["Location"] == "/second-factor/verify"
    assert [(f.id, f.secret) for f in _factors(session, person)] == before
    for path in ("/dashboard", "/second-factor", "/profile/password"):
        assert _outcome(client.get(path)) == LOGIN, path
    form_token = csrf_token(client, "/second-factor/verify")
    removal = client.post("/second-factor/remove", data={"csrf_token": form_token})
    assert _outcome(removal) == LOGIN


def test_first_enrolment_after_the_password_is_for_whoever_has_none(app, make, session, client):
    admin = make.admin(email="new.admin@example.org")
    response = sign_in_password(client, admin.email, make.PASSWORD)
    assert response.headers["Location"] == "/second-factor/setup"
    secret = SECRET_RE.search(client.get("/second-factor/setup").text)[1]
    done = submit(client, "/second-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert "Your recovery codes" in done.text
    assert client.get("/users").status_code == 200
    assert len(_factors(session, admin)) == 1
