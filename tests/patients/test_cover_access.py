"""A named cover stands in for the member for that meeting (mdt.patients.access).

Ben Hughes, from another organisation and in no team of theirs, covers Sam Whitfield at
Riverside's meeting: until the minutes are sent he sees that meeting's cases as an attendee
does and prepares in Sam's place; he never sees another meeting's patients, and after the
minutes only the case he owns an action on. Every page, the CSV, the minutes email and the
feed are checked against that rule, before the minutes are sent and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
from markupsafe import escape

from mdt.agenda.models import Case
from mdt.audit.models import AuditEvent
from mdt.organisations.models import OrganisationType
from mdt.prep.models import PrepRequest
from mdt.teams.models import Membership
from tests.calendar.support import feed_path, make_feed_link
from tests.conftest import login, submit
from tests.minutes.support import DURING, all_present, post_outcome, scene, token_of


@dataclass
class Covered:
    s: Any
    ben: Any
    olive: Any  # a case of the team's next meeting: never Ben's to see
    action_ben: Any  # Ben owns it, on Edith's case
    action_chair: Any  # the chair owns it, on Fred's case
    ben_client: Any
    chair_client: Any


def _covered(app, make, session) -> Covered:
    s = scene(make)
    all_present(session, s)
    community = make.organisation(
        name="Oakfield Community", type=OrganisationType.ADULT_SOCIAL_CARE
    )
    ben = make.user(name="Ben Hughes", organisation=community, profession="Social worker")
    make.team(coordinator=make.user(), name="Oakfield Frailty MDT")  # not Ben's either
    membership = session.scalar(
        sa.select(Membership).where(Membership.team_id == s.team.id, Membership.user_id == s.sw.id)
    )
    membership.deputy_id = ben.id
    session.commit()
    olive = make.case(
        s.next_meeting,
        make.patient(name="Olive Later", registered_practice=s.practice),
        s.chair,
        reason="Memory clinic",
    )
    sam = app.test_client()
    login(sam, s.sw.email)
    named = submit(
        sam,
        f"/meetings/{s.meeting.id}/reply",
        {"reply": "apologies", "cover_id": str(ben.id)},
        form_url=f"/meetings/{s.meeting.id}",
    )
    assert named.status_code == 302, named.text[:500]
    action_ben = make.action(s.edith, ben, description="Ring the daughter about respite")
    action_chair = make.action(s.fred, s.chair, description="Review the medicines")
    ben_client, chair_client = app.test_client(), app.test_client()
    login(ben_client, ben.email)
    login(chair_client, s.chair.email)
    return Covered(s, ben, olive, action_ben, action_chair, ben_client, chair_client)


def _requests_of(session, user) -> list[PrepRequest]:
    session.expire_all()
    return list(session.scalars(sa.select(PrepRequest).where(PrepRequest.user_id == user.id)))


def _close(client, meeting_id: int):
    url = f"/meetings/{meeting_id}/close"
    page = client.get(url).text
    return client.post(url, data={"csrf_token": token_of(page, url)}, follow_redirects=True)


def _pages(c: Covered, request_id: int) -> dict[str, str]:
    s = c.s
    m = s.meeting.id
    return {
        "patient": f"/patients/{s.edith.patient_id}",
        "case": f"/cases/{s.edith.id}",
        "Fred's patient": f"/patients/{s.fred.patient_id}",
        "Fred's case": f"/cases/{s.fred.id}",
        "handover": f"/prep/{request_id}/handover",
        "meeting": f"/meetings/{m}",
        "agenda": f"/meetings/{m}/agenda",
        "minutes": f"/meetings/{m}/minutes",
        "pack": f"/meetings/{m}/pack",
        "readiness": f"/meetings/{m}/readiness",
        "meeting mode": f"/meetings/{m}/run",
        "close": f"/meetings/{m}/close",
        "new case": f"/meetings/{m}/cases/new",
        "new action": f"/cases/{s.edith.id}/actions/new",
        "own action": f"/actions/{c.action_ben.id}",
        "chair's action": f"/actions/{c.action_chair.id}",
        "team actions": f"/teams/{s.team.id}/actions",
        "team actions CSV": f"/teams/{s.team.id}/actions.csv",
        "team report CSV": f"/teams/{s.team.id}/report.csv",
        "next meeting's agenda": f"/meetings/{s.next_meeting.id}/agenda",
        "next meeting's patient": f"/patients/{c.olive.patient_id}",
        "next meeting's case": f"/cases/{c.olive.id}",
    }


#: Before the minutes are sent: the attendee's pages, the chair's and the team's not.
BEFORE = {
    "patient": 200,
    "case": 200,
    "Fred's patient": 200,
    "Fred's case": 200,
    "handover": 200,
    "meeting": 200,
    "agenda": 200,
    "minutes": 200,
    "pack": 403,  # for the chair, the minute-taker and coordinators, as for members
    "readiness": 403,
    "meeting mode": 403,
    "close": 403,
    "new case": 404,  # adding to the agenda is the team's
    "new action": 403,  # in meeting mode
    "own action": 200,
    "chair's action": 200,  # from the meeting he covers
    "team actions": 404,
    "team actions CSV": 404,
    "team report CSV": 404,
    "next meeting's agenda": 404,
    "next meeting's patient": 404,
    "next meeting's case": 404,
}

#: After the minutes are sent: only the case he owns an action on.
AFTER = {page: 404 for page in BEFORE} | {
    "patient": 200,
    "case": 200,
    "own action": 200,
    "new action": 403,  # the case is his to see (his action), meeting mode is not
}


@time_machine.travel(DURING, tick=False)
def test_a_cover_sees_the_meetings_cases_until_the_minutes_are_sent(app, make, session, smtp):
    c = _covered(app, make, session)
    ben, s = c.ben, c.s
    [request_id] = [r.id for r in _requests_of(session, ben) if r.case_id == s.fred.id]
    pages = _pages(c, request_id)
    seen = {name: c.ben_client.get(url).status_code for name, url in pages.items()}
    assert seen == BEFORE

    agenda = c.ben_client.get(pages["agenda"]).text
    assert "Edith Example" in agenda and "Fred Other" in agenda
    assert "Matters arising" not in agenda and "Add a case" not in agenda
    assert "Olive Later" not in c.ben_client.get("/prep").text
    found = c.ben_client.get("/patients/?q=Olive").text
    assert "Olive Later" not in found and "Edith" in c.ben_client.get("/patients/?q=Edith").text
    # Every view is audited, as a member's is.
    session.expire_all()
    audited = session.scalars(sa.select(AuditEvent.what).where(AuditEvent.user_id == ben.id))
    assert {f"case {s.edith.id}", f"agenda of meeting {s.meeting.id}", "my preparation list"} <= (
        set(audited)
    )

    post_outcome(c.chair_client, s, s.edith)  # Fred is not reached: he rolls forward
    assert _close(c.chair_client, s.meeting.id).status_code == 200
    seen = {name: c.ben_client.get(url).status_code for name, url in pages.items()}
    assert seen == AFTER
    assert "Edith" not in c.ben_client.get("/prep").text
    assert "Fred" not in c.ben_client.get("/prep").text
    assert "Fred Other" not in c.ben_client.get("/patients/?q=Fred").text
    back = 'nhsuk-back-link__link" href="/actions"'
    assert back in c.ben_client.get(pages["case"]).text  # not to the agenda

    minutes = [r for r in smtp.received if r.message["Subject"].startswith("Minutes")]
    mail = {r.rcpt_tos[0]: r.message.get_content() for r in minutes}
    to_ben = mail[ben.email]
    # His access ends as the minutes go: the case he acts on by name, the other without.
    assert "Edith Example: Plan agreed" in to_ben and "Ring the daughter" in to_ben
    assert "Fred" not in to_ben and "Review the medicines" not in to_ben
    assert "/minutes" not in to_ben and "/actions" in to_ben
    assert "Fred Other" in mail[s.sw.email] and "Review the medicines" in mail[s.sw.email]


@time_machine.travel(DURING, tick=False)
def test_a_cover_prepares_in_the_members_place_and_hands_it_back_with_the_case(app, make, session):
    c = _covered(app, make, session)
    ben, s = c.ben, c.s
    owed = {r.case_id for r in _requests_of(session, ben) if r.completed_at is None}
    assert owed == {s.edith.id, s.fred.id}
    assert {r.case_id for r in _requests_of(session, s.sw)} == set()  # Sam owes nothing now
    prep = c.ben_client.get("/prep").text
    assert "Edith Example" in prep and "Fred Other" in prep
    assert "Edith Example" not in _get(app, s.sw, "/prep")

    coordinator = app.test_client()
    login(coordinator, s.coordinator.email)
    readiness = coordinator.get(f"/meetings/{s.meeting.id}/readiness").text
    assert "Ben Hughes" in readiness  # who owes it

    post_outcome(c.chair_client, s, s.edith)
    _close(c.chair_client, s.meeting.id)
    # Fred went on to the next meeting, where Ben covers nobody: his request is Sam's again.
    session.expire_all()
    fred = {r.user_id for r in _requests_of(session, s.sw)}
    assert fred and all(r.case_id == s.fred.id for r in _requests_of(session, s.sw))
    assert all(r.case_id != s.fred.id for r in _requests_of(session, ben))
    assert "Fred Other" in _get(app, s.sw, "/prep")


def _get(app, user, url: str) -> str:
    client = app.test_client()
    login(client, user.email)
    return client.get(url).text


@time_machine.travel(DURING, tick=False)
def test_a_case_added_after_the_cover_is_named_is_the_covers_to_prepare(app, make, session):
    from tests.agenda.test_agenda import _case_form

    c = _covered(app, make, session)
    later = c.s.next_meeting.id
    sam = app.test_client()
    login(sam, c.s.sw.email)
    reply = {"reply": "apologies", "cover_id": str(c.ben.id)}
    named = submit(sam, f"/meetings/{later}/reply", reply, form_url=f"/meetings/{later}")
    assert named.status_code == 302
    coordinator = app.test_client()
    login(coordinator, c.s.coordinator.email)
    harriet = _case_form(c.s.practice, nhs_number="999 000 0026", name="Harriet New")
    added = submit(coordinator, f"/meetings/{later}/cases/new", harriet)
    assert added.status_code == 302, added.text[:500]
    session.expire_all()
    case = session.scalar(sa.select(Case).where(Case.meeting_id == later, Case.id != c.olive.id))
    owners = {r.user_id for r in case.prep_requests}
    assert c.ben.id in owners and c.s.sw.id not in owners
    assert "Harriet New" in c.ben_client.get("/prep").text


@pytest.mark.parametrize("who", ["ben", "sam"])
@time_machine.travel(DURING, tick=False)
def test_the_feed_names_no_patient_for_a_cover_or_a_member(app, make, session, who):
    c = _covered(app, make, session)
    person = c.ben if who == "ben" else c.s.sw
    client = app.test_client()
    login(client, person.email)
    feed = client.get(feed_path(make_feed_link(client, person.id))).text
    assert "BEGIN:VCALENDAR" in feed
    for name in ("Edith", "Fred", "Olive"):
        assert name not in feed
    for case in (c.s.edith, c.s.fred):
        assert case.patient.nhs_number not in feed


def test_on_the_demo_ben_hughes_sees_each_patient_he_prepares(app, session):
    """The issue's reproduction: Ben Hughes (Oakfield only) covers Jo Clarke at Riverside's
    next meeting; each patient he prepares opens for him, and Jo owes none of it."""
    from mdt.accounts.models import User
    from mdt.demo.data import load_demo

    with app.app_context():
        load_demo()
    ben_user = session.scalar(sa.select(User).where(User.name == "Ben Hughes"))
    owed = session.scalars(
        sa.select(Case)
        .join(PrepRequest, PrepRequest.case_id == Case.id)
        .where(PrepRequest.user_id == ben_user.id, PrepRequest.completed_at.is_(None))
    ).all()
    assert len(owed) == 7  # six at Riverside in Jo Clarke's place, one in his own team
    ben, jo = app.test_client(), app.test_client()
    login(ben, ben_user.email, "mdt-demo-password")
    login(jo, "jo.clarke@northside-community-health.example.org", "mdt-demo-password")
    prep = ben.get("/prep").text
    for case in owed:
        assert str(escape(case.patient.name)) in prep
        assert ben.get(f"/patients/{case.patient_id}").status_code == 200
        assert ben.get(f"/cases/{case.id}").status_code == 200
        assert ben.get(f"/meetings/{case.meeting_id}/agenda").status_code == 200
    assert "You have nothing to prepare" in jo.get("/prep").text
