"""The dashboard of whoever runs a team's meetings (issue 22, item 4): the next meeting at a
glance (replies, agenda, readiness with the cover rule), the team's overdue actions and
minutes not sent, Meeting mode first on the day; and only for those who run the meetings."""

from __future__ import annotations

import html
import re
from datetime import date

import sqlalchemy as sa
import time_machine

from mdt.audit.models import AuditEvent as Event
from mdt.teams.models import TeamRole
from tests.conftest import login
from tests.dashboard.support import ON_THE_DAY, WEEK_BEFORE, minutes_sent, team


def text(markup: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", markup).split()))


def panel(page: str, team_id: int) -> str:
    pattern = rf'<section class="app-run-panel" id="team-{team_id}".*?</section>'
    found = re.search(pattern, page, re.S)
    assert found, "no panel for the team"
    return found[0]


def part(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|p|ol|ul)>', html, re.S)
    assert found, f"no #{element_id}"
    return text(found[1])


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_the_coordinator_sees_the_next_meeting_replies_agenda_and_readiness(client, make, session):
    t = team(make, session)
    login(client, t.coordinator.email)
    p = panel(client.get("/dashboard").text, t.team.id)
    tid = t.team.id
    assert "Riverside MDT: the next meeting" in p
    assert "Tuesday 12 January 2027, 12:30 to 14:00" in text(p)
    assert part(p, f"replies-{tid}") == (
        "4 of 6 replied Not replied yet: Cora Coordinator and Dr Tom Okafor"
    )
    assert part(p, f"agenda-{tid}") == "3 cases; closes at the end of Fri 8 Jan"
    assert part(p, f"readiness-{tid}") == "4 of 9 preparations done (44%)"
    assert re.search(r'<progress class="app-progress" max="9" value="4"', p)
    # Jo Clarke sent apologies and Ben Hughes covers: what is in her name is his to do.
    assert part(p, f"owing-{tid}") == (
        "Ben Hughes: 2 patients Sam Whitfield: 2 patients Dr Gita Patel: 1 patient"
    )
    readiness = text(p.split(f'id="readiness-{tid}"')[1].split("Overdue actions")[0])
    assert "Jo Clarke" not in readiness
    assert "Remind those who still owe" in p


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_the_teams_overdue_actions_and_minutes_not_sent_are_listed(client, make, session):
    t = team(make, session)
    login(client, t.coordinator.email)
    p = panel(client.get("/dashboard").text, t.team.id)
    assert part(p, f"overdue-{t.team.id}") == "4 overdue"
    items = re.findall(r"<li>(.*?)</li>", p.split(f'id="overdue-list-{t.team.id}"')[1], re.S)
    assert [text(i) for i in items[:3]] == [
        "Refer to the falls clinic – Dr Gita Patel, due 18 Dec 2026",
        "Carer's assessment for the daughter – Sam Whitfield, due 20 Dec 2026",
        "OT home assessment – Jo Clarke, due 22 Dec 2026",
    ]
    assert "Review medicines" not in p and "Rails fitted" not in p
    assert part(p, f"unsent-{t.team.id}") == "Meeting of Tue 15 Dec 2026"
    # No patient's name or NHS number beside the actions; the page's view of them is audited.
    assert "Arthur Kemp" not in p
    [patient] = {a.patient_id for a in t.actions}
    audited = session.scalars(
        sa.select(Event.what).where(Event.patient_id == patient, Event.user_id == t.coordinator.id)
    ).all()
    assert audited == ["dashboard: the team's overdue actions"]


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_once_the_minutes_are_sent_none_are_listed(client, make, session):
    t = team(make, session)
    minutes_sent(session, t.last)
    login(client, t.coordinator.email)
    p = panel(client.get("/dashboard").text, t.team.id)
    assert part(p, f"unsent-{t.team.id}") == "None: every meeting's minutes have been sent."


def test_on_the_meeting_day_meeting_mode_is_the_primary_button(client, make, session):
    with time_machine.travel(WEEK_BEFORE, tick=False):
        t = team(make, session)
        login(client, t.coordinator.email)
        before = panel(client.get("/dashboard").text, t.team.id)
    assert f'id="meeting-mode-{t.team.id}"' not in before
    assert "nhsuk-button" not in before.split("Meeting mode")[0].rsplit("<li>", 1)[1]
    with time_machine.travel(ON_THE_DAY, tick=False):
        login(client, t.coordinator.email)
        p = panel(client.get("/dashboard").text, t.team.id)
    button = re.search(rf'<a class="([^"]+)" id="meeting-mode-{t.team.id}" href="([^"]+)"', p)
    assert button and button[1] == "nhsuk-button"  # primary: not --secondary
    assert button[2] == f"/meetings/{t.meeting.id}/run"
    assert "Today" in text(p)
    # The first button of the panel: the remind button after it is secondary.
    assert p.index("Meeting mode") < p.index("Remind those who still owe")
    assert 'nhsuk-button nhsuk-button--secondary" type="submit"' in p


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_the_chair_sees_it_and_a_member_who_does_not_run_the_meetings_does_not(app, make, session):
    t = team(make, session)
    for person, shown in ((t.chair, True), (t.sam, False), (t.ben, False)):
        client = app.test_client()
        login(client, person.email)
        page = client.get("/dashboard").text
        assert (f'id="team-{t.team.id}"' in page) is shown, person.name
        assert ("Remind those who still owe" in page) is shown, person.name
    outsider = make.user()
    make.team(coordinator=outsider)
    client = app.test_client()
    login(client, outsider.email)
    page = client.get("/dashboard").text
    assert f'id="team-{t.team.id}"' not in page and "Sam Whitfield" not in page


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_the_named_chair_of_the_next_meeting_sees_it(client, make, session):
    t = team(make, session)
    from mdt.meetings.models import Meeting

    session.get(Meeting, t.meeting.id).chair_id = t.tom.id
    session.commit()
    login(client, t.tom.email)
    assert f'id="team-{t.team.id}"' in client.get("/dashboard").text


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_a_team_with_no_meeting_booked_says_so(client, make, session):
    coordinator = make.user(name="Cora")
    empty = make.team(coordinator=coordinator, name="New MDT")
    login(client, coordinator.email)
    p = panel(client.get("/dashboard").text, empty.id)
    assert "No meeting booked." in text(p) and "No overdue actions." in text(p)


@time_machine.travel(WEEK_BEFORE, tick=False)  # Tue 5 Jan 10:00 UTC: already 6 Jan at UTC+14
def test_overdue_is_judged_in_each_teams_own_time_zone(client, make, session):
    london = team(make, session)
    kiritimati = team(make, session, suffix=" (Line Islands)")
    kiritimati.team.time_zone = "Pacific/Kiritimati"
    make.member(kiritimati.team, london.coordinator, role=TeamRole.COORDINATOR)
    for t, what in ((london, "Phone the GP in London"), (kiritimati, "Phone the GP on Kiritimati")):
        case = make.case(t.last, make.patient(), t.chair, position=2)
        make.action(case, t.sam, description=what, due_date=date(2027, 1, 5))
    session.commit()
    login(client, london.coordinator.email)
    page = client.get("/dashboard").text
    # Due today in London; due yesterday where it is already Wednesday.
    assert part(panel(page, london.team.id), f"overdue-{london.team.id}") == "4 overdue"
    far = panel(page, kiritimati.team.id)
    assert part(far, f"overdue-{kiritimati.team.id}") == "5 overdue"
    assert "Phone the GP in London" not in page
