"""The meeting day in fewer clicks: attendance from the replies, confirmed in one click, and
saves that return to the case and the spot they were made at (issue 22, items 1 and 2)."""

from __future__ import annotations

import re

import sqlalchemy as sa
import time_machine

from mdt.actions.models import ActionPoint
from mdt.meetings.models import Attendance, Invitation, Reply
from tests.conftest import login
from tests.dates import shows_date
from tests.minutes.support import DURING, all_present, post_outcome, scene, token_of


def _invitations(session, meeting) -> dict[str, Invitation]:
    session.expire_all()
    found = session.scalars(sa.select(Invitation).where(Invitation.meeting_id == meeting.id))
    return {i.user.name: i for i in found}


def _selected(page: str) -> dict[str, str]:
    """Each attendance select's chosen value, as a browser would post the form."""
    out = {}
    for name, options in re.findall(
        r'<select[^>]*name="(attendance-\d+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', options)
        out[name] = chosen[1] if chosen else ""
    return out


@time_machine.travel(DURING, tick=False)
def test_attendance_opens_filled_in_from_the_replies_and_one_click_confirms_them(
    client, make, session
):
    s = scene(make)
    invitations = _invitations(session, s.meeting)
    covering = make.user(name="Casey Cover", organisation=s.sw.organisation)
    invitations[s.chair.name].reply = Reply.IN_PERSON
    invitations[s.sw.name].reply = Reply.APOLOGIES
    # A named cover, invited in the social worker's discipline as replying names one.
    sw = invitations[s.sw.name]
    session.add(
        Invitation(
            meeting_id=s.meeting.id,
            user_id=covering.id,
            discipline=sw.discipline,
            counts_for_quorum=sw.counts_for_quorum,
            covering_for_id=s.sw.id,
            reply=Reply.IN_PERSON,
        )
    )
    session.commit()  # the coordinator has not replied
    login(client, s.chair.email)
    run = f"/meetings/{s.meeting.id}/run?case={s.edith.id}"
    page = client.get(run).text

    # Near the top: before the agenda and the case.
    assert page.index('id="attendance"') < page.index('aria-label="Agenda"')
    ids = {name: inv.id for name, inv in _invitations(session, s.meeting).items()}
    assert _selected(page) == {
        f"attendance-{ids[s.chair.name]}": "present",
        f"attendance-{ids[s.sw.name]}": "apologies",
        f"attendance-{ids[covering.name]}": "present",  # the named cover, attending
        f"attendance-{ids[s.coordinator.name]}": "",
    }
    assert page.count("From replies") == 3
    assert page.count("No reply: ask if they are here") == 1
    assert "Confirm attendance as replied" in page

    url = f"/meetings/{s.meeting.id}/attendance"
    response = client.post(
        url,
        data=_selected(page)
        | {"csrf_token": token_of(page, url), "from": "run", "case": str(s.edith.id)},
    )
    assert response.headers["Location"].endswith(f"/run?case={s.edith.id}#attendance")
    recorded = {n: i.attendance for n, i in _invitations(session, s.meeting).items()}
    assert recorded == {
        s.chair.name: Attendance.PRESENT,
        s.sw.name: Attendance.APOLOGIES,
        covering.name: Attendance.PRESENT,
        s.coordinator.name: None,
    }
    after = client.get(run).text
    assert "From replies" not in after
    assert "No reply: ask if they are here" in after  # still asked for
    assert 'nhsuk-tag--green">Quorate' in after  # the cover brings social care
    # The message is beside the attendance, not at the top of the page.
    assert after.index("Attendance is saved.") > after.index('id="attendance"')


@time_machine.travel(DURING, tick=False)
def test_once_everyone_is_recorded_the_button_saves_changes(client, make, session):
    s = scene(make)
    all_present(session, s)
    invitations = _invitations(session, s.meeting)
    invitations[s.coordinator.name].attendance = Attendance.ABSENT
    session.commit()
    login(client, s.chair.email)
    page = client.get(f"/meetings/{s.meeting.id}/run").text
    assert "Confirm attendance as replied" not in page and "From replies" not in page
    assert "Save attendance" in page


@time_machine.travel(DURING, tick=False)
def test_a_saved_outcome_returns_to_its_case_at_the_outcome(client, make, session):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    response = post_outcome(client, s, s.fred)
    assert response.status_code == 302
    assert (
        response.headers["Location"]
        == f"/meetings/{s.meeting.id}/run?case={s.fred.id}#outcome-saved"
    )
    page = client.get(response.headers["Location"]).text
    message = page.index("Outcome saved for Fred Other.")
    assert page.index('id="outcome-saved"') < message < page.index("Save outcome")


def _post_action(client, s, case, **over: str):
    url = f"/meetings/{s.meeting.id}/cases/{case.id}/actions"
    page = client.get(f"/meetings/{s.meeting.id}/run?case={case.id}").text
    data = {
        "description": "Refer to the falls clinic",
        "owner_id": str(s.sw.id),
        "contact_name": "",
        "contact_email": "",
        "contact_organisation_id": "0",
        "due_date": "2027-01-26",
    } | over
    return client.post(url, data=data | {"csrf_token": token_of(page, url)})


@time_machine.travel(DURING, tick=False)
def test_a_saved_action_returns_to_its_case_with_the_message_beside_it(client, make, session):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    response = _post_action(client, s, s.fred)
    action = session.scalar(sa.select(ActionPoint))
    assert response.headers["Location"] == (
        f"/meetings/{s.meeting.id}/run?case={s.fred.id}#action-{action.id}"
    )
    page = client.get(response.headers["Location"]).text
    saved = page.index(f'id="action-{action.id}"')
    assert saved < page.index("Action added for Sam Whitfield") < page.index("Add action")


@time_machine.travel(DURING, tick=False)
def test_a_refused_action_stays_in_meeting_mode_with_its_errors_and_what_was_typed(
    client, make, session
):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    response = _post_action(client, s, s.fred, owner_id="0", due_date="2027-01-11")
    assert response.status_code == 200
    page = response.text
    assert "Meeting mode: " in page and 'id="attendance"' in page  # still meeting mode
    assert "nhsuk-error-summary" in page
    assert 'href="#due_date-day"' in page  # the summary links to the date's first box
    assert "The due date is in the past" in page
    assert "Refer to the falls clinic" in page and shows_date(page, "due_date", "2027-01-11")
    # The form posts to meeting mode again, on the same case.
    assert f'action="/meetings/{s.meeting.id}/cases/{s.fred.id}/actions"' in page
    assert session.scalar(sa.select(sa.func.count(ActionPoint.id))) == 0


@time_machine.travel(DURING, tick=False)
def test_the_next_case_is_one_link_with_an_access_key(client, make, session):
    s = scene(make)
    login(client, s.chair.email)
    page = client.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    link = re.search(r'<a [^>]*id="next-case"[^>]*>', page)
    assert link and 'accesskey="n"' in link[0] and f"case={s.fred.id}" in link[0]
