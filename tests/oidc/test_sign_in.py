"""Sign-in through the local OpenID provider (tests/oidc/provider.py), over real HTTP on
loopback: what is accepted, and each way a sign-in is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mdt.accounts.models import User, UserSession
from mdt.oidc.models import OidcIdentity
from tests.factories import Factory
from tests.oidc.provider import LocalProvider

CIS2_ROLE = {
    "selected_roleid": "5551",
    "nhsid_nrbac_roles": [
        {"person_roleid": "5550", "org_code": "Y99999", "role_code": "S0010:G0020:R0001"},
        {"person_roleid": "5551", "org_code": "F84012", "role_code": "S8000:G8000:R8000"},
    ],
}


def cis2_person(email: str, **over: Any) -> dict[str, Any]:
    return {
        "sub": "910000000001",
        "email": email,
        "acr": "AAL3",
        "amr": ["sc"],
        "sid": "cis2-session-1",
        "selected_roleid": "5551",
    } | over


def entra_person(email: str, **over: Any) -> dict[str, Any]:
    return {
        "sub": "pairwise-for-this-app",
        "oid": "00000000-0000-0000-0000-00000000beef",
        "preferred_username": email,
        "roles": ["MDT.User"],
        "amr": ["pwd", "mfa"],
        "sid": "entra-session-1",
    } | over


def to_provider(client: FlaskClient, name: str) -> str:
    """Press the button: the app's redirect to the provider's authorisation endpoint."""
    response = client.get(f"/login/oidc/{name}")
    assert response.status_code == 302, response.text[:500]
    return response.location


def provider_answer(authorize_url: str) -> str:
    """The provider's redirect back (it signs in op.person at once): the callback URL."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def callback(client: FlaskClient, url: str) -> Any:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: FlaskClient, name: str) -> Any:
    return callback(client, provider_answer(to_provider(client, name)))


def cis2_user(make: Factory, **over: Any) -> User:
    organisation = make.organisation(ods_code="F84012", oidc_providers="cis2 entra")
    return make.user(organisation=organisation, **over)


def sessions_of(session: Session, user: User) -> list[UserSession]:
    return list(session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).all())


def test_the_request_uses_pkce_s256_state_nonce_and_the_cis2_profile(
    client: FlaskClient, op: LocalProvider
) -> None:
    query = parse_qs(urlsplit(to_provider(client, "cis2")).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == [
        "openid profile email nhsperson nationalrbacaccess associatedorgs selectedrole"
    ]
    assert query["acr_values"] == ["AAL3_ANY AAL2_OR_ABOVE"]
    assert query["redirect_uri"] == ["http://mdt.test/login/oidc/cis2/callback"]


def test_first_cis2_sign_in_links_the_account_and_starts_a_session(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="Sam.Smith@nhs.net")
    op.person = cis2_person("sam.smith@nhs.net")
    op.userinfo_extra = CIS2_ROLE
    response = sign_in(client, "cis2")
    assert response.status_code == 302 and response.location == "/dashboard"
    identity = session.scalars(sa.select(OidcIdentity)).one()
    assert (identity.user_id, identity.issuer, identity.subject) == (
        user.id,
        op.issuer,
        "910000000001",
    )
    assert identity.linked_email == "sam.smith@nhs.net"  # the link's audit: when and how
    (record,) = sessions_of(session, user)
    assert record.oidc_provider == "cis2"
    assert record.oidc_acr == "AAL3"
    assert record.provider_asserted_mfa is True
    assert (record.role_ods_code, record.role_code) == ("F84012", "S8000:G8000:R8000")
    # The client authenticated with private_key_jwt, not a secret.
    (token_request,) = op.token_requests
    assert token_request["client_assertion_type"].endswith("jwt-bearer")
    assert "client_secret" not in token_request and token_request["code_verifier"]
    profile = client.get("/profile").text
    assert "F84012" in profile and "S8000:G8000:R8000" in profile
    assert "NHS CIS2 Authentication" in profile


def test_a_linked_identity_signs_in_by_issuer_and_subject_not_email(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="first@nhs.net")
    session.add(
        OidcIdentity(
            user=user,
            provider="cis2",
            issuer=op.issuer,
            subject="910000000001",
            linked_email="first@nhs.net",
        )
    )
    session.flush()
    op.person = cis2_person("changed-since@nhs.net")
    op.userinfo_extra = CIS2_ROLE
    assert sign_in(client, "cis2").status_code == 302
    assert len(sessions_of(session, user)) == 1


def test_an_unlinked_identity_is_asked_to_contact_the_coordinator_and_nothing_is_made(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    cis2_user(make, email="someone@nhs.net")
    op.person = cis2_person("stranger@nhs.net")
    op.userinfo_extra = CIS2_ROLE
    users_before = session.scalar(sa.select(sa.func.count()).select_from(User))
    response = sign_in(client, "cis2")
    assert response.status_code == 403
    assert "Ask your MDT coordinator for access" in response.text
    assert session.scalar(sa.select(sa.func.count()).select_from(OidcIdentity)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == users_before
    assert session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    assert client.get("/").status_code == 302  # still signed out


def test_an_organisation_that_does_not_allow_the_provider_gets_no_link(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    organisation = make.organisation(ods_code="F84012", oidc_providers="entra")
    make.user(organisation=organisation, email="sam@nhs.net")
    op.person = cis2_person("sam@nhs.net")
    op.userinfo_extra = CIS2_ROLE
    response = sign_in(client, "cis2")
    assert response.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(OidcIdentity)) == 0


def test_a_selected_role_at_another_organisation_is_refused(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="sam@nhs.net")
    op.person = cis2_person("sam@nhs.net", selected_roleid="5550")
    op.userinfo_extra = CIS2_ROLE | {"selected_roleid": "5550"}
    response = sign_in(client, "cis2")
    assert response.status_code == 403
    assert "The role you selected is at organisation Y99999" in response.text
    assert sessions_of(session, user) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(OidcIdentity)) == 0


def _refused(
    client: FlaskClient,
    session: Session,
    user: User,
    caplog: pytest.LogCaptureFixture,
    because: str,
) -> None:
    """Refused with the clear page, signed out, and for the reason the test means (the
    logged error), not some other one."""
    response = sign_in(client, "cis2")
    assert response.status_code == 403, response.text[:500]
    assert "did not confirm who you are, so you are not signed in" in response.text
    reasons = [r.getMessage() for r in caplog.records if "sign-in refused" in r.getMessage()]
    assert len(reasons) == 1 and because in reasons[0], reasons
    assert sessions_of(session, user) == []
    assert client.get("/").status_code == 302


def _ready(op: LocalProvider, make: Factory) -> User:
    user = cis2_user(make, email="sam@nhs.net")
    op.person = cis2_person("sam@nhs.net")
    op.userinfo_extra = CIS2_ROLE
    return user


def test_a_wrong_nonce_is_refused(
    client: FlaskClient,
    op: LocalProvider,
    make: Factory,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = _ready(op, make)
    op.tamper = {"nonce": "not-the-one-sent"}
    _refused(client, session, user, caplog, "Invalid claim: 'nonce'")


def test_a_missing_nonce_is_refused(
    client: FlaskClient,
    op: LocalProvider,
    make: Factory,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = _ready(op, make)
    op.tamper = {"nonce": None}
    _refused(client, session, user, caplog, "Missing claim: 'nonce'")


def test_a_wrong_audience_is_refused(
    client: FlaskClient,
    op: LocalProvider,
    make: Factory,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = _ready(op, make)
    op.tamper = {"aud": "someone-else", "azp": "mdt-cis2"}
    _refused(client, session, user, caplog, "Invalid claim: 'aud'")


def test_an_expired_token_is_refused(
    client: FlaskClient,
    op: LocalProvider,
    make: Factory,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import time

    user = _ready(op, make)
    op.tamper = {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}
    _refused(client, session, user, caplog, "expired")


def test_a_wrong_issuer_is_refused(
    client: FlaskClient,
    op: LocalProvider,
    make: Factory,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = _ready(op, make)
    op.tamper = {"iss": "https://am.nhsidentity.spineservices.nhs.uk/evil"}
    _refused(client, session, user, caplog, "Invalid claim: 'iss'")


def test_an_unsigned_token_alg_none_is_refused(
    client: FlaskClient,
    op: LocalProvider,
    make: Factory,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = _ready(op, make)
    op.tamper = {"alg": "none"}
    _refused(client, session, user, caplog, "'none' is not allowed")


def test_a_too_low_acr_is_refused(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = _ready(op, make)
    op.person = cis2_person("sam@nhs.net", acr="AAL1", amr=["pwd"])
    response = sign_in(client, "cis2")
    assert response.status_code == 403
    assert "did not confirm a strong enough sign-in" in response.text
    assert sessions_of(session, user) == []


def test_a_replayed_code_is_refused(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session, app: Any
) -> None:
    user = _ready(op, make)
    back = provider_answer(to_provider(client, "cis2"))
    assert callback(client, back).status_code == 302
    assert len(sessions_of(session, user)) == 1
    # The same code again, with the state and verifier a fresh browser would hold: the
    # provider has forgotten the code, so no second session.
    other = app.test_client()
    authorize = to_provider(other, "cis2")
    with other.session_transaction() as flask_session:
        (state_key,) = [k for k in flask_session if k.startswith("_state_cis2_")]
        flask_session[f"_state_cis2_{parse_qs(urlsplit(back).query)['state'][0]}"] = (
            flask_session.pop(state_key)
        )
    del authorize
    response = callback(other, back)
    assert response.status_code == 403
    assert len(sessions_of(session, user)) == 1


def test_the_provider_refuses_a_token_request_without_the_pkce_verifier(
    client: FlaskClient, op: LocalProvider, make: Factory
) -> None:
    _ready(op, make)
    back = provider_answer(to_provider(client, "entra"))
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = requests.post(
        f"{op.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://mdt.test/login/oidc/entra/callback",
            "client_id": "mdt-entra",
            "client_secret": "entra-secret",
        },
        timeout=10,
    )
    assert answer.status_code == 400 and "code_verifier" in answer.text


def test_a_request_without_pkce_gets_no_code(client: FlaskClient, op: LocalProvider) -> None:
    authorize = to_provider(client, "entra")
    parts = urlsplit(authorize)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    del query["code_challenge"], query["code_challenge_method"]
    answer = requests.get(f"{op.issuer}/authorize", params=query, allow_redirects=False, timeout=10)
    assert "code=" not in answer.headers.get("Location", "")
    assert "error=" in answer.headers.get("Location", "") or answer.status_code == 400


def test_entra_uses_oid_as_the_subject_and_its_mfa_counts(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="sw@council.gov.uk")
    op.person = entra_person("sw@council.gov.uk")
    assert sign_in(client, "entra").status_code == 302
    identity = session.scalars(sa.select(OidcIdentity)).one()
    assert identity.subject == "00000000-0000-0000-0000-00000000beef"
    (record,) = sessions_of(session, user)
    assert record.oidc_provider == "entra" and record.provider_asserted_mfa is True
    assert record.role_ods_code is None


def test_entra_without_the_app_role_may_not_sign_in(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="sw@council.gov.uk")
    op.person = entra_person("sw@council.gov.uk", roles=["Other.Role"])
    response = sign_in(client, "entra")
    assert response.status_code == 403 and "not in a group allowed" in response.text
    assert sessions_of(session, user) == []


def test_entra_password_only_sign_in_does_not_count_as_mfa(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="sw@council.gov.uk")
    op.person = entra_person("sw@council.gov.uk", amr=["pwd"])
    assert sign_in(client, "entra").status_code == 302
    (record,) = sessions_of(session, user)
    assert record.provider_asserted_mfa is False


def test_an_administrator_whose_provider_asserted_no_second_factor_is_asked_for_one(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="admin@council.gov.uk")
    user.is_admin = True
    session.commit()
    op.person = entra_person("admin@council.gov.uk", amr=["pwd"])
    answer = sign_in(client, "entra")
    assert answer.status_code == 302 and "/second-factor/setup" in answer.headers["Location"]
    assert sessions_of(session, user) == []
    assert client.get("/").status_code == 302  # not signed in yet


def test_an_unknown_provider_is_not_found(client: FlaskClient, op: LocalProvider) -> None:
    assert client.get("/login/oidc/nobody").status_code == 404
    assert client.get("/login/oidc/nobody/callback").status_code == 404


def test_the_sign_in_page_shows_a_button_for_each_provider(
    client: FlaskClient, op: LocalProvider
) -> None:
    page = client.get("/login").text
    assert "Sign in with NHS CIS2 Authentication" in page and "Sign in with Microsoft" in page


def test_a_deactivated_person_with_a_linked_identity_is_refused(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="sam@nhs.net")
    session.add(
        OidcIdentity(
            user=user, provider="cis2", issuer=op.issuer, subject="910000000001", linked_email="x"
        )
    )
    user.is_active = False
    session.flush()
    op.person = cis2_person("sam@nhs.net")
    op.userinfo_extra = CIS2_ROLE
    response = sign_in(client, "cis2")
    assert response.status_code == 403 and "Ask your MDT coordinator" in response.text
    assert sessions_of(session, user) == []


def test_an_account_already_linked_to_another_identity_is_not_linked_again(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="sam@nhs.net")
    session.add(
        OidcIdentity(
            user=user, provider="cis2", issuer=op.issuer, subject="910000000999", linked_email="x"
        )
    )
    session.flush()
    op.person = cis2_person("sam@nhs.net")  # same email, another subject
    op.userinfo_extra = CIS2_ROLE
    response = sign_in(client, "cis2")
    assert response.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(OidcIdentity)) == 1
    assert sessions_of(session, user) == []


def test_an_unverified_email_does_not_link(
    app: Any, op: LocalProvider, make: Factory, session: Session
) -> None:
    organisation = make.organisation(oidc_providers="plain")
    make.user(organisation=organisation, email="sam@example.org")
    # The Entra-shaped provider vouches for its tenant's addresses; a plain provider must
    # say email_verified. Checked through the operations, as no plain provider is set up.
    from mdt.oidc import operations as ops
    from mdt.oidc.providers import providers_from

    (plain,) = providers_from(
        [
            {
                "name": "plain",
                "label": "Plain",
                "issuer": op.issuer,
                "client_id": "c",
                "client_secret": "s",
            }
        ]
    ).values()
    claims = {"sub": "1", "email": "sam@example.org", "email_verified": False}
    with app.app_context():
        with pytest.raises(ops.Refused):
            ops.identity_user(plain, op.issuer, claims)
        linked = ops.identity_user(plain, op.issuer, claims | {"email_verified": True})
        assert linked.email == "sam@example.org"
