"""Every route and who may use it. A new route without an entry here fails the build.

Roles: anonymous; outsider (in another team, another organisation); member (core member of
the team); coordinator (of the team); admin. Expectations: OK (any status below 400 that is
not a bounce to the login page), LOGIN (bounced to the login page), 403, 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from mdt.accounts import operations as accounts
from mdt.calendar import operations as calendar
from mdt.core.forms import CSRF_MESSAGE
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.fhir.models import ApiClient
from mdt.mail.models import OutboxStatus
from mdt.mfa.models import Passkey, TotpFactor
from mdt.teams.models import TeamRole
from tests.conftest import CSRF_RE, login

OK, LOGIN = "ok", "login"
ROLES = ("anonymous", "outsider", "member", "coordinator", "admin")


def everyone(expected: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, expected)


SIGNED_IN = {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], OK)
ADMIN_ONLY = {
    "anonymous": LOGIN,
    "outsider": "403",
    "member": "403",
    "coordinator": "403",
    "admin": OK,
}
TEAM_VIEW = {"anonymous": LOGIN, "outsider": "404", "member": OK, "coordinator": OK, "admin": OK}
TEAM_MANAGE = {
    "anonymous": LOGIN,
    "outsider": "404",
    "member": "403",
    "coordinator": OK,
    "admin": OK,
}
# Patient data: members of the team only; an administrator who is not a member sees nothing.
PATIENT_VIEW = TEAM_VIEW | {"admin": "404"}
CHAIR_ONLY = TEAM_MANAGE | {"admin": "404"}
OWNER_ONLY = {
    "anonymous": LOGIN,
    "outsider": "404",
    "member": OK,
    "coordinator": "404",
    "admin": "404",
}

SELF_OR_ADMIN = {
    "anonymous": LOGIN,
    "outsider": "403",
    "member": OK,
    "coordinator": "403",
    "admin": OK,
}

FACTOR_OWNER = (
    {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:3], "404") | {"coordinator": OK, "admin": OK}
)
ORG_ADMIN = ADMIN_ONLY


@dataclass
class Route:
    method: str
    path: str  # formatted with the world's ids
    expect: dict[str, str]
    #: What a POST without a CSRF token does: "form" (re-shown with the message), "flash"
    #: (refused with a message), or "exempt" (harmless by design, said why in the view).
    csrf: str | None = None


INVENTORY: dict[str, Route] = {
    "core.healthz": Route("GET", "/healthz", everyone(OK)),
    "dashboard.home": Route("GET", "/", SIGNED_IN),
    "dashboard.index": Route("GET", "/dashboard", SIGNED_IN),
    # "Remind those who still owe": whoever runs the team's meetings (coordinator, chair).
    "dashboard.remind_owing": Route(
        "POST", "/meetings/{meeting_id}/remind-owing", CHAIR_ONLY, csrf="flash"
    ),
    "accounts.login": Route("GET", "/login", everyone(OK), csrf="form"),
    "accounts.logout": Route("POST", "/logout", everyone(LOGIN), csrf="exempt"),
    "accounts.profile": Route("GET", "/profile", SIGNED_IN, csrf="form"),
    "accounts.set_password": Route("GET", "/password/{link_token}", everyone(OK), csrf="form"),
    # Sign-in through an OpenID Connect provider: public by design (it is the sign-in), with
    # no provider configured here, so not found; tests/oidc/test_routes.py checks them with
    # providers configured (anyone may start; the callback and back-channel logout refuse
    # what the provider did not sign).
    "oidc.start": Route("GET", "/login/oidc/cis2", everyone("404")),
    "oidc.callback": Route("GET", "/login/oidc/cis2/callback", everyone("404")),
    # The provider posts the signed logout_token itself: no browser, no cookie, no CSRF token.
    "oidc.backchannel_logout": Route(
        "POST", "/login/oidc/cis2/backchannel-logout", everyone("404"), csrf="exempt"
    ),
    "accounts.users": Route("GET", "/users", ADMIN_ONLY),
    "accounts.new_user": Route("GET", "/users/new", ADMIN_ONLY, csrf="form"),
    "accounts.edit_user": Route("GET", "/users/{member_id}", ADMIN_ONLY, csrf="form"),
    "accounts.password_link": Route(
        "POST", "/users/{member_id}/password-link", ADMIN_ONLY, csrf="flash"
    ),
    "organisations.index": Route("GET", "/organisations/", ADMIN_ONLY),
    "organisations.new": Route("GET", "/organisations/new", ADMIN_ONLY, csrf="form"),
    "organisations.edit": Route("GET", "/organisations/{org_id}", ADMIN_ONLY, csrf="form"),
    "teams.index": Route("GET", "/teams/", SIGNED_IN),
    "teams.new": Route("GET", "/teams/new", ADMIN_ONLY, csrf="form"),
    "teams.detail": Route("GET", "/teams/{team_id}", TEAM_VIEW),
    "teams.settings": Route("GET", "/teams/{team_id}/settings", TEAM_MANAGE, csrf="form"),
    "teams.add_member": Route("GET", "/teams/{team_id}/members/new", TEAM_MANAGE, csrf="form"),
    "teams.edit_member": Route(
        "GET", "/teams/{team_id}/members/{membership_id}", TEAM_MANAGE, csrf="form"
    ),
    "teams.remove_member": Route(
        "POST", "/teams/{team_id}/members/{membership_id}/remove", TEAM_MANAGE, csrf="flash"
    ),
    "slots.index": Route("GET", "/teams/{team_id}/slots/", TEAM_VIEW),
    "slots.new": Route("GET", "/teams/{team_id}/slots/new", TEAM_MANAGE, csrf="form"),
    "slots.edit": Route("GET", "/teams/{team_id}/slots/{series_id}/edit", TEAM_MANAGE, csrf="form"),
    "slots.find": Route("GET", "/teams/{team_id}/slots/find", TEAM_MANAGE),
    "slots.occurrence": Route(
        "GET",
        "/teams/{team_id}/slots/{series_id}/occurrences/2027-01-19",
        TEAM_MANAGE,
        csrf="form",
    ),
    # Before meetings.book and agenda.defer, which move the case on to a newly booked meeting.
    "minutes.outcome": Route(
        "POST", "/meetings/{meeting_id}/cases/{case_id}/outcome", CHAIR_ONLY, csrf="form"
    ),
    "minutes.add_action": Route(
        "POST", "/meetings/{meeting_id}/cases/{case_id}/actions", CHAIR_ONLY, csrf="form"
    ),
    "meetings.book": Route(
        "POST",
        "/teams/{team_id}/slots/{series_id}/occurrences/2027-01-26/book",
        TEAM_MANAGE,
        csrf="flash",
    ),
    "meetings.mine": Route("GET", "/meetings/mine", SIGNED_IN),
    "meetings.team_index": Route("GET", "/teams/{team_id}/meetings", TEAM_VIEW),
    "meetings.new_adhoc": Route("GET", "/teams/{team_id}/meetings/new", TEAM_MANAGE, csrf="form"),
    "meetings.detail": Route("GET", "/meetings/{meeting_id}", TEAM_VIEW),
    # Only invitees reply, each for themself: an administrator is not invited.
    "meetings.reply": Route(
        "POST", "/meetings/{meeting_id}/reply", TEAM_VIEW | {"admin": "403"}, csrf="form"
    ),
    "meetings.attendance": Route(
        "POST", "/meetings/{meeting_id}/attendance", TEAM_MANAGE, csrf="flash"
    ),
    "meetings.edit": Route("GET", "/meetings/{meeting_id}/edit", TEAM_MANAGE, csrf="form"),
    "meetings.reschedule": Route(
        "GET", "/meetings/{meeting_id}/reschedule", TEAM_MANAGE, csrf="form"
    ),
    "meetings.cancel": Route("GET", "/meetings/{meeting_id}/cancel", TEAM_MANAGE, csrf="form"),
    "availability.mine": Route("GET", "/availability", SIGNED_IN, csrf="form"),
    "availability.for_member": Route(
        "GET", "/teams/{team_id}/members/{membership_id}/availability", TEAM_MANAGE, csrf="form"
    ),
    "agenda.index": Route("GET", "/meetings/{meeting_id}/agenda", PATIENT_VIEW),
    "agenda.new_case": Route("GET", "/meetings/{meeting_id}/cases/new", PATIENT_VIEW, csrf="form"),
    "agenda.case": Route("GET", "/cases/{case_id}", PATIENT_VIEW),
    "agenda.defer": Route("POST", "/cases/{case_id}/defer", CHAIR_ONLY, csrf="flash"),
    "agenda.pack": Route("GET", "/meetings/{meeting_id}/pack", CHAIR_ONLY),
    "prep.mine": Route("GET", "/prep", SIGNED_IN),
    "prep.save": Route("POST", "/prep/{prep_id}", OWNER_ONLY, csrf="form"),
    "prep.not_known": Route("POST", "/prep/{prep_id}/not-known", OWNER_ONLY, csrf="flash"),
    "prep.undo_not_known": Route(
        "POST", "/prep/{prep_id}/undo-not-known", OWNER_ONLY, csrf="flash"
    ),
    "prep.handover": Route("GET", "/prep/{prep_id}/handover", OWNER_ONLY, csrf="form"),
    "prep.readiness_page": Route("GET", "/meetings/{meeting_id}/readiness", CHAIR_ONLY),
    "patients.index": Route("GET", "/patients/", SIGNED_IN),
    "patients.detail": Route("GET", "/patients/{patient_id}", PATIENT_VIEW),
    "calendar.index": Route("GET", "/calendar", SIGNED_IN),
    "calendar.preference": Route("POST", "/calendar/preference", SIGNED_IN, csrf="form"),
    "calendar.people": Route("GET", "/calendar/people", ADMIN_ONLY),
    # Your own feed link, or anyone's for an administrator.
    "calendar.new_person_link": Route(
        "POST", "/calendar/people/{member_id}/link", SELF_OR_ADMIN, csrf="flash"
    ),
    "calendar.revoke_person_link": Route(
        "POST", "/calendar/people/{member_id}/link/revoke", SELF_OR_ADMIN, csrf="flash"
    ),
    "calendar.new_team_link": Route(
        "POST", "/calendar/teams/{team_id}/link", TEAM_MANAGE, csrf="flash"
    ),
    "calendar.revoke_team_link": Route(
        "POST", "/calendar/teams/{team_id}/link/revoke", TEAM_MANAGE, csrf="flash"
    ),
    # Calendar apps fetch feeds without signing in: the secret address is the access check.
    "calendar.person_feed": Route("GET", "/calendar/{feed_token}.ics", everyone(OK)),
    "calendar.team_feed": Route("GET", "/calendar/team/{team_feed_token}.ics", everyone(OK)),
    # The owner, coordinators of a team the owner is in, and administrators.
    "availability.remove": Route(
        "POST",
        "/availability/{commitment_id}/remove",
        {"anonymous": LOGIN, "outsider": "404", "member": OK, "coordinator": OK, "admin": OK},
        csrf="flash",
    ),
    "reminders.preferences": Route("GET", "/reminders/preferences", SIGNED_IN, csrf="form"),
    "mail.refused": Route("GET", "/mail/refused", ADMIN_ONLY),
    "mail.held": Route("GET", "/mail/held", ADMIN_ONLY),
    "mail.release": Route("POST", "/mail/held/{held_id}/release", ADMIN_ONLY, csrf="flash"),
    "mail.drop": Route("POST", "/mail/held/{held_id}/drop", ADMIN_ONLY, csrf="flash"),
    "mail.release_all": Route("POST", "/mail/held/release-all", ADMIN_ONLY, csrf="flash"),
    "mail.drop_all": Route("POST", "/mail/held/drop-all", ADMIN_ONLY, csrf="flash"),
    "minutes.run": Route("GET", "/meetings/{meeting_id}/run", CHAIR_ONLY),
    "minutes.close": Route("GET", "/meetings/{meeting_id}/close", CHAIR_ONLY, csrf="flash"),
    "minutes.view": Route("GET", "/meetings/{meeting_id}/minutes", PATIENT_VIEW),
    "actions.mine": Route("GET", "/actions", SIGNED_IN),
    "actions.new": Route("GET", "/cases/{case_id}/actions/new", CHAIR_ONLY, csrf="form"),
    # The member is the action's owner; the coordinator may change any of the team's.
    "actions.detail": Route("GET", "/actions/{action_id}", PATIENT_VIEW),
    "actions.done": Route("POST", "/actions/{action_id}/done", PATIENT_VIEW, csrf="form"),
    "actions.cancel": Route("POST", "/actions/{action_id}/cancel", PATIENT_VIEW, csrf="form"),
    "actions.reopen": Route("POST", "/actions/{action_id}/reopen", PATIENT_VIEW, csrf="form"),
    "actions.reassign": Route("POST", "/actions/{action_id}/reassign", PATIENT_VIEW, csrf="form"),
    "actions.reschedule": Route(
        "POST", "/actions/{action_id}/reschedule", PATIENT_VIEW, csrf="form"
    ),
    "actions.team": Route("GET", "/teams/{team_id}/actions", CHAIR_ONLY),
    "actions.team_csv": Route("GET", "/teams/{team_id}/actions.csv", CHAIR_ONLY),
    # The directory: everyone signed in reads and adds; the owner (here the member) or an
    # administrator changes and confirms an entry. A person's entry is their own.
    "directory.index": Route("GET", "/directory/", SIGNED_IN),
    "directory.service": Route("GET", "/directory/services/{service_id}", SIGNED_IN),
    "directory.new_service": Route("GET", "/directory/services/new", SIGNED_IN, csrf="form"),
    "directory.edit_service": Route(
        "GET", "/directory/services/{service_id}/edit", SELF_OR_ADMIN, csrf="form"
    ),
    "directory.confirm_service": Route(
        "POST", "/directory/services/{service_id}/confirm", SELF_OR_ADMIN, csrf="flash"
    ),
    "directory.person": Route("GET", "/directory/people/{member_id}", SIGNED_IN),
    "directory.confirm_person": Route(
        "POST", "/directory/people/{member_id}/confirm", SELF_OR_ADMIN, csrf="flash"
    ),
    # The audit log: read and export only, administrators only.
    "audit.index": Route("GET", "/audit/", ADMIN_ONLY),
    "audit.export": Route("GET", "/audit/export.csv", ADMIN_ONLY),
    # Reports: counts only, no patients. A team's coordinators, chairs and core members, and
    # administrators (any team); across teams, administrators only.
    "reports.team": Route("GET", "/teams/{team_id}/report", TEAM_VIEW),
    "reports.team_csv": Route("GET", "/teams/{team_id}/report.csv", TEAM_VIEW),
    "reports.teams": Route("GET", "/reports/teams", ADMIN_ONLY),
    "reports.teams_csv": Route("GET", "/reports/teams.csv", ADMIN_ONLY),
    # Retention and subject access: administrators only (they name patients, and are audited).
    "retention.index": Route("GET", "/admin/retention/", ADMIN_ONLY),
    "retention.hold": Route("GET", "/admin/retention/hold", ADMIN_ONLY, csrf="form"),
    "retention.lift": Route(
        "GET", "/admin/retention/holds/{hold_id}/lift", ADMIN_ONLY, csrf="form"
    ),
    "subject_access.index": Route("GET", "/admin/subject-access/", ADMIN_ONLY, csrf="form"),
    "fhir.index": Route("GET", "/api-clients/", ADMIN_ONLY),
    "fhir.new": Route("GET", "/api-clients/new", ADMIN_ONLY, csrf="form"),
    "fhir.deactivate": Route(
        "POST", "/api-clients/{api_client_pk}/deactivate", ADMIN_ONLY, csrf="flash"
    ),
    # The FHIR API: no session, no CSRF (no forms); a bearer token or 401 (tests/fhir).
    "fhir_api.metadata": Route("GET", "/fhir/R4/metadata", everyone(OK)),
    "fhir_api.token": Route("POST", "/fhir/R4/token", everyone("400"), csrf="exempt"),
    **{
        f"fhir_api.{endpoint}": Route(method, f"/fhir/R4/{path}", everyone("401"), csrf=csrf)
        for endpoint, method, path, csrf in (
            ("healthcare_services", "GET", "HealthcareService", None),
            ("healthcare_service", "GET", "HealthcareService/{team_id}", None),
            ("appointments", "GET", "Appointment", None),
            ("appointment", "GET", "Appointment/{meeting_id}", None),
            ("service_requests", "GET", "ServiceRequest", None),
            ("service_request", "GET", "ServiceRequest/{case_id}", None),
            ("create_service_request", "POST", "ServiceRequest", "exempt"),
            ("tasks_search", "GET", "Task", None),
            ("task", "GET", "Task/action-{action_id}", None),
            ("update_task", "PATCH", "Task/action-{action_id}", "exempt"),
            ("care_plans", "GET", "CarePlan", None),
            ("care_plan", "GET", "CarePlan/1", None),
            ("schedules", "GET", "Schedule", None),
            ("schedule", "GET", "Schedule/{series_id}", None),
            ("slots", "GET", "Slot", None),
            ("slot", "GET", "Slot/{series_id}-20270105", None),
        )
    },
    # A second factor. The second step of signing in is reachable only between the password
    # and the code (the pending state), so a signed-in or anonymous visitor is sent to sign
    # in; tests/mfa checks its form's CSRF token and that pending people reach nothing else.
    "mfa.verify": Route("GET", "/second-factor/verify", everyone(LOGIN)),
    # Setting up: the pending person who must have one, or anyone signed in (the inventory's
    # administrator has one already and is sent on to mfa.manage).
    "mfa.setup": Route("GET", "/second-factor/setup", SIGNED_IN),
    "mfa.manage": Route("GET", "/second-factor", SIGNED_IN),
    # New recovery codes, and removing the app: only someone who has one (the administrator,
    # and the coordinator who has a passkey too); 404 for the others. Both need a recent
    # "Confirm it's you" (signing in is one). Codes first: removing takes the app away.
    "mfa.recovery_codes": Route(
        "POST", "/second-factor/recovery-codes", FACTOR_OWNER, csrf="flash"
    ),
    "mfa.remove": Route("POST", "/second-factor/remove", FACTOR_OWNER, csrf="flash"),
    # An administrator of the person's own organisation resets a lost factor (the world's
    # administrator belongs to the member's organisation; never their own factor).
    "mfa.reset": Route("GET", "/second-factor/people/{member_id}/reset", ORG_ADMIN, csrf="form"),
    # Re-authentication, and changes that need it (recent enough right after signing in).
    "reauth.confirm": Route("GET", "/confirm-its-you", SIGNED_IN, csrf="form"),
    # Confirming with a passkey: its options (JSON, the CSRF token in the body) only for
    # someone with a passkey (the coordinator: posted here as a form, not the script's JSON,
    # so 400); the others 404. tests/reauth/test_confirm_with_passkey.py gets the options.
    "reauth.passkey_options": Route(
        "POST",
        "/confirm-its-you/passkey-options",
        {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], "404") | {"coordinator": "400"},
    ),
    "reauth.end_other_sessions": Route("POST", "/sessions/end-others", SIGNED_IN, csrf="flash"),
    "accounts.change_password": Route("GET", "/profile/password", SIGNED_IN, csrf="form"),
    "accounts.change_email": Route("GET", "/profile/email", SIGNED_IN, csrf="form"),
    # How an organisation's people sign in: its own administrators only.
    "organisations.identity": Route(
        "GET", "/organisations/{org_id}/sign-in", ORG_ADMIN, csrf="form"
    ),
    # Passkeys (tests/mfa/test_passkeys.py). Adding one: anyone signed in; the options and the
    # answer are JSON from mdt/static/passkeys.js (with the CSRF token: a post without it gets
    # 400 {"problem": ...}, checked there); the add form posted without the script is re-shown.
    # Posted with the token alone (no name), the options are refused. Both need a recent
    # "Confirm it's you" (signing in is one).
    "mfa.passkeys.registration_options": Route(
        "POST",
        "/second-factor/passkeys/options",
        {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], "400"),
    ),
    "mfa.passkeys.register": Route("POST", "/second-factor/passkeys", SIGNED_IN, csrf="form"),
    # Removing one: only its owner (the coordinator); another person's is not found.
    "mfa.passkeys.remove": Route(
        "GET",
        "/second-factor/passkeys/{passkey_id}/remove",
        {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], "404") | {"coordinator": OK},
    ),
    # The second step with a passkey: only between the password and the passkey (the
    # pending state), like mfa.verify; tests/mfa checks that pending people reach no other.
    "mfa.passkeys.authentication_options": Route(
        "POST", "/second-factor/passkeys/sign-in/options", everyone(LOGIN)
    ),
    "mfa.passkeys.sign_in": Route("POST", "/second-factor/passkeys/sign-in", everyone(LOGIN)),
}


@pytest.fixture
def world(app, make) -> dict[str, Any]:
    coordinator = make.user(email="coordinator@a.example.org")
    member = make.user(email="member@a.example.org")
    team = make.team(coordinator=coordinator)
    membership = make.member(team, member, role=TeamRole.CORE_MEMBER)
    other_team = make.team(coordinator=make.user(email="outsider@b.example.org"))
    # An administrator of the member's organisation (mfa.reset, organisations.identity).
    admin = make.admin(email="admin@example.org", organisation=member.organisation)
    series = make.series(team, weekday=1)
    meeting = make.meeting(team, series)
    commitment = make.recurring(member)
    patient = make.patient()
    case = make.case(meeting, patient, member)
    action = make.action(case, member)
    service = make.service(member)
    held = make.outbox_message(status=OutboxStatus.HELD)
    hold = make.hold(patient, admin)
    api_client = ApiClient(
        client_id="inventory",
        name="GP system",
        organisation_id=member.organisation_id,
        jwks='{"keys": []}',
        scopes="system/*.rs",
    )
    make.session.add(api_client)
    # The coordinator has both kinds of second factor (the others set up an app, or not).
    make.session.add(
        TotpFactor(user_id=coordinator.id, secret=pyotp.random_base32(), confirmed_at=now_utc())
    )
    passkey = Passkey(
        user_id=coordinator.id, credential_id="inventory", public_key=b"-", name="Work laptop"
    )
    make.session.add(passkey)
    make.session.commit()
    with app.app_context():
        token = accounts.issue_password_link(member, admin)
        feed_token = calendar.issue_person_link(member, member)
        team_feed_token = calendar.issue_team_link(team, coordinator)
        db.session.commit()
    return {
        "ids": {
            "team_id": team.id,
            "membership_id": membership.id,
            "member_id": member.id,
            "org_id": member.organisation_id,
            "link_token": token,
            "feed_token": feed_token,
            "team_feed_token": team_feed_token,
            "other_team_id": other_team.id,
            "series_id": series.id,
            "meeting_id": meeting.id,
            "commitment_id": commitment.id,
            "patient_id": patient.id,
            "case_id": case.id,
            "prep_id": case.prep_requests[0].id,
            "action_id": action.id,
            "service_id": service.id,
            "held_id": held.id,
            "hold_id": hold.id,
            "api_client_pk": api_client.id,
            "passkey_id": passkey.id,
        },
        "emails": {
            "outsider": "outsider@b.example.org",
            "member": "member@a.example.org",
            "coordinator": "coordinator@a.example.org",
            "admin": "admin@example.org",
        },
    }


def test_every_route_is_in_the_inventory(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints - INVENTORY.keys() == set(), "add these routes to INVENTORY"
    assert INVENTORY.keys() - endpoints == set(), "these routes no longer exist"


def _outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and location.startswith("/login"):
        return LOGIN
    if response.status_code < 400:
        return OK
    return str(response.status_code)


def _client_as(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, world["emails"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_permission_table_says(app, world, role):
    client = _client_as(app, world, role)
    token = CSRF_RE.search(client.get("/login" if role == "anonymous" else "/profile").text)[1]
    wrong = {}
    # Reads first, then changes, and removing the member last (the others need them).
    order = sorted(
        INVENTORY.items(), key=lambda kv: (kv[1].method == "POST", kv[0] == "teams.remove_member")
    )
    for endpoint, route in order:
        if endpoint == "accounts.logout":
            continue  # would end this client's session mid-loop; checked below
        path = route.path.format(**world["ids"])
        if route.method == "GET":
            response = client.get(path)
        else:
            response = client.open(path, method=route.method, data={"csrf_token": token})
        got, expected = _outcome(response), route.expect[role]
        if got != expected:
            wrong[endpoint] = f"{route.method} {path}: expected {expected}, got {got}"
    assert wrong == {}


def test_logout_works_for_everyone(app, world):
    for role in ROLES:
        client = _client_as(app, world, role)
        assert _outcome(client.post("/logout")) == LOGIN  # signed out, back at sign-in
        assert _outcome(client.get("/dashboard")) == LOGIN


def test_another_teams_pages_are_hidden_from_a_member(app, world):
    client = _client_as(app, world, "member")
    other = world["ids"]["other_team_id"]
    for path in (f"/teams/{other}", f"/teams/{other}/settings", f"/teams/{other}/members/new"):
        assert client.get(path).status_code == 404, path


def test_posting_without_a_csrf_token_changes_nothing(app, world):
    """Every route that takes a POST checks the token, posted by someone allowed to use it."""
    clients = {role: _client_as(app, world, role) for role in ("admin", "coordinator", "member")}
    for endpoint, route in INVENTORY.items():
        if route.csrf in (None, "exempt") or endpoint == "accounts.login":
            continue
        client = clients[
            next(r for r in ("admin", "coordinator", "member") if route.expect[r] == OK)
        ]
        path = route.path.format(**world["ids"])
        data = {"name": "Changed", "kind": "recurring", "reply": "remote"}
        response = client.post(path, data=data, follow_redirects=True)
        page = response.get_data(as_text=True)
        if route.csrf == "form":
            assert CSRF_MESSAGE in page, endpoint
        else:
            assert "the form had expired" in page, endpoint
