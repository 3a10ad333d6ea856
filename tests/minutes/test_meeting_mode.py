"""The chair runs the meeting: attendance, quorum, outcomes, closing and the minutes."""

from __future__ import annotations

import re

import sqlalchemy as sa
import time_machine

from mdt.agenda.models import Case
from mdt.meetings.models import Attendance, Meeting, MeetingStatus
from mdt.minutes.models import Outcome
from mdt.prep.models import Known, PrepRequest
from mdt.teams.models import Membership
from tests.conftest import login, submit
from tests.mail.support import rows
from tests.minutes.support import (
    DURING,
    all_present,
    discussion,
    mark,
    outcome_data,
    post_outcome,
    scene,
    token_of,
)


def _close(client, meeting_id: int):
    url = f"/meetings/{meeting_id}/close"
    page = client.get(url).text
    return client.post(url, data={"csrf_token": token_of(page, url)}, follow_redirects=True)


@time_machine.travel(DURING, tick=False)
def test_meeting_mode_shows_the_case_with_every_attendees_prep_side_by_side(client, make, session):
    s = scene(make)
    sw_request = session.scalar(
        sa.select(PrepRequest).where(
            PrepRequest.case_id == s.edith.id, PrepRequest.user_id == s.sw.id
        )
    )
    sw_request.known, sw_request.concerns = Known.YES, "Daughter exhausted; respite asked for"
    sw_request.completed_at = DURING
    session.commit()
    login(client, s.chair.email)
    page = client.get(f"/meetings/{s.meeting.id}/run").text
    assert "Edith Example" in page and "Falls at home" in page
    assert "Daughter exhausted; respite asked for" in page  # the social worker's prep
    assert "Overdue" in page  # the chair's own, still not done now the meeting has begun
    assert 'data-minutes="10"' in page  # the timer against the allotted minutes
    assert "Not quorate" in page  # nobody recorded present yet
    # Another case shows its own preparation, not Edith's.
    other = client.get(f"/meetings/{s.meeting.id}/run?case={s.fred.id}").text
    assert "Fred" in other and "Daughter exhausted" not in other
    assert other.count('class="app-prep nhsuk-card"') == len(s.fred.prep_requests) > 0


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


@time_machine.travel(DURING, tick=False)
def test_meeting_mode_offers_as_owners_the_teams_organisations_and_the_members_deputies(
    client, make, session
):
    """A deputy from an organisation no member belongs to is offered (read by id with the
    other owners: meeting mode loads the members without their people); a colleague who has
    left is not, nor anyone else from the deputy's organisation. A new contact may be from
    the members' organisations only."""
    s = scene(make)
    elsewhere = make.organisation(name="Oakfield Community")
    deputy = make.user(name="Dana Deputy", organisation=elsewhere)
    make.user(name="Otto Outsider", organisation=elsewhere)
    make.user(name="Ivy Left", organisation=s.practice, is_active=False)
    membership = session.scalar(
        sa.select(Membership).where(Membership.team_id == s.team.id, Membership.user_id == s.sw.id)
    )
    membership.deputy_id = deputy.id
    session.commit()
    login(client, s.chair.email)
    page = client.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    owners = _options(page, "owner_id")
    assert "Dana Deputy (Oakfield Community)" in owners
    assert "Cora Coordinator (Riverside Surgery)" in owners
    assert "Sam Whitfield (Borough Adult Social Care)" in owners
    assert not [o for o in owners if o.startswith(("Otto Outsider", "Ivy Left"))]
    assert owners[0] == "Choose a person" and owners[1:] == sorted(owners[1:], key=str.lower)
    organisations = _options(page, "contact_organisation_id")
    assert organisations == [
        "Choose an organisation",
        "Borough Adult Social Care",
        "Riverside Surgery",
    ]


@time_machine.travel(DURING, tick=False)
def test_recording_attendance_in_meeting_mode_updates_the_live_quorum(client, make, session):
    s = scene(make)
    login(client, s.chair.email)
    url = f"/meetings/{s.meeting.id}/attendance"
    page = client.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    invitations = {i.user.name: i.id for i in s.meeting.invitations}
    response = client.post(
        url,
        data={
            "csrf_token": token_of(page, url),
            "from": "run",
            "case": str(s.edith.id),
            f"attendance-{invitations[s.chair.name]}": "present",
            f"attendance-{invitations[s.sw.name]}": "remote",
        },
    )
    assert response.headers["Location"].endswith(f"/run?case={s.edith.id}#attendance")
    page = client.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    assert 'nhsuk-tag--green">Quorate' in page


@time_machine.travel(DURING, tick=False)
def test_an_outcome_without_quorum_is_refused_unless_overridden_and_the_minutes_show_it(
    client, make, session
):
    s = scene(make)
    mark(session, s.meeting, **{s.chair.name: Attendance.PRESENT, s.sw.name: Attendance.ABSENT})
    login(client, s.chair.email)

    refused = post_outcome(client, s, s.edith)
    assert refused.status_code == 200
    assert "The meeting is not quorate: Adult social care not covered" in refused.text
    assert "Agreed a falls assessment" in refused.text  # what was typed is still there
    assert discussion(session, s.meeting, s.edith) is None

    no_reason = post_outcome(client, s, s.edith, override="y")
    assert "Give the reason for recording it without quorum" in no_reason.text
    assert discussion(session, s.meeting, s.edith) is None

    saved = post_outcome(
        client, s, s.edith, override="y", override_reason="Safeguarding: cannot wait a month"
    )
    assert saved.status_code == 302
    found = discussion(session, s.meeting, s.edith)
    assert found.outcome is Outcome.PLAN_AGREED
    assert found.quorum_override == "Safeguarding: cannot wait a month"

    minutes = _close(client, s.meeting.id).text
    assert "Recorded without quorum" in minutes
    assert "Safeguarding: cannot wait a month" in minutes


@time_machine.travel(DURING, tick=False)
def test_a_quorate_outcome_needs_no_override_and_keeps_none(client, make, session):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    assert post_outcome(client, s, s.edith, override="y", override_reason="x").status_code == 302
    assert discussion(session, s.meeting, s.edith).quorum_override is None


@time_machine.travel(DURING, tick=False)
def test_two_minute_takers_saving_one_case_the_second_is_refused_and_nothing_is_overwritten(
    app, make, session
):
    s = scene(make)
    all_present(session, s)
    first, second = app.test_client(), app.test_client()
    login(first, s.chair.email)
    login(second, s.coordinator.email)
    url = f"/meetings/{s.meeting.id}/cases/{s.edith.id}/outcome"
    # Both open the case before either saves.
    page_1 = first.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    page_2 = second.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    ok = first.post(url, data=outcome_data() | {"csrf_token": token_of(page_1, url)})
    assert ok.status_code == 302
    theirs = outcome_data(summary="Refer to the memory service", outcome="refer_on")
    refused = second.post(url, data=theirs | {"csrf_token": token_of(page_2, url)})
    assert refused.status_code == 200
    assert "Someone else saved an outcome for this case while you were writing" in refused.text
    assert "Refer to the memory service" in refused.text  # their words kept in the form
    assert "Agreed a falls assessment" in refused.text  # and the saved one shown
    kept = discussion(session, s.meeting, s.edith)
    assert kept.outcome is Outcome.PLAN_AGREED and kept.revision == 1
    # Having seen the saved one, they can save over it knowingly (the form now has rev 1).
    again = second.post(url, data=theirs | {"revision": "1", "csrf_token": token_of(page_2, url)})
    assert again.status_code == 302
    assert discussion(session, s.meeting, s.edith).outcome is Outcome.REFER_ON


@time_machine.travel(DURING, tick=False)
def test_a_post_after_the_session_ended_goes_to_login_and_back_to_the_case(app, make, session):
    s = scene(make)
    signed_out = app.test_client()
    page = f"/meetings/{s.meeting.id}/run?case={s.edith.id}"
    response = signed_out.post(
        f"/meetings/{s.meeting.id}/cases/{s.edith.id}/outcome",
        data=outcome_data(),
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=")
    from urllib.parse import parse_qs, urlsplit

    assert parse_qs(urlsplit(location).query)["next"] == [page]
    # Signing in lands on the case again, where the browser restores the draft (browser test).
    from tests.conftest import submit

    back = submit(
        signed_out,
        location,
        {"email": s.chair.email, "password": make.PASSWORD},
    )
    assert back.headers["Location"] == page
    assert discussion(session, s.meeting, s.edith) is None


@time_machine.travel(DURING, tick=False)
def test_closing_moves_cases_without_an_outcome_to_the_next_meeting_with_their_prep(
    client, make, session
):
    s = scene(make)
    all_present(session, s)
    sw_on_fred = session.scalar(
        sa.select(PrepRequest).where(
            PrepRequest.case_id == s.fred.id, PrepRequest.user_id == s.sw.id
        )
    )
    sw_on_fred.known, sw_on_fred.concerns, sw_on_fred.completed_at = Known.YES, "Known", DURING
    session.commit()
    login(client, s.chair.email)
    post_outcome(client, s, s.edith)  # Fred is not reached

    page = client.get(f"/meetings/{s.meeting.id}/close").text
    assert "Fred Other" in page and "will be carried" in page
    _close(client, s.meeting.id)

    session.expire_all()
    meeting = session.get(Meeting, s.meeting.id)
    assert meeting.status is MeetingStatus.HELD and meeting.closed_at is not None
    fred = session.get(Case, s.fred.id)
    edith = session.get(Case, s.edith.id)
    assert fred.meeting_id == s.next_meeting.id  # rolled forward
    assert edith.meeting_id == s.meeting.id  # decided, stays
    kept = session.get(PrepRequest, sw_on_fred.id)
    assert kept.case_id == fred.id and kept.completed_at is not None  # prep kept
    assert discussion(session, s.meeting, s.fred).outcome is Outcome.NOT_REACHED
    minutes = client.get(f"/meetings/{s.meeting.id}/minutes").text
    assert "Fred Other: Not reached: carried to the next meeting" in minutes


@time_machine.travel(DURING, tick=False)
def test_a_deferred_case_rolls_forward_too(client, make, session):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    post_outcome(client, s, s.edith, outcome="defer", summary="Needs the OT's report")
    _close(client, s.meeting.id)
    session.expire_all()
    assert session.get(Case, s.edith.id).meeting_id == s.next_meeting.id
    assert discussion(session, s.meeting, s.edith).outcome is Outcome.DEFER


@time_machine.travel(DURING, tick=False)
def test_cases_not_reached_wait_for_the_next_meeting_to_be_booked(app, client, make, session):
    s = scene(make, next_meeting=False)
    all_present(session, s)
    login(client, s.chair.email)
    _close(client, s.meeting.id)
    session.expire_all()
    waiting = session.scalars(sa.select(Case).where(Case.waiting.is_(True))).all()
    assert {c.id for c in waiting} == {s.edith.id, s.fred.id}

    from datetime import timedelta

    from mdt.meetings import operations as meetings

    with app.test_request_context():
        from mdt.extensions import db

        team = db.session.get(type(s.team), s.team.id)
        later = s.meeting.starts_at + timedelta(days=14)
        booked = meetings.book_adhoc(team, later, later + timedelta(hours=1), "Extra", "", "")
        db.session.commit()
        booked_id = booked.id
    session.expire_all()
    for case_id in (s.edith.id, s.fred.id):
        case = session.get(Case, case_id)
        assert case.meeting_id == booked_id and not case.waiting
    assert discussion(session, s.meeting, s.edith).outcome is Outcome.NOT_REACHED


@time_machine.travel(DURING, tick=False)
def test_the_minutes_reach_every_invitee_by_smtp_without_patient_details_in_the_subject(
    client, make, session, smtp
):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    post_outcome(client, s, s.edith)
    _close(client, s.meeting.id)

    received = {
        r.rcpt_tos[0]: r.message for r in smtp.received if "Minutes" in r.message["Subject"]
    }
    assert set(received) == {s.chair.email, s.sw.email, s.coordinator.email}
    for message in received.values():
        subject = message["Subject"]
        assert subject == "Minutes: Riverside MDT meeting, Tue 12 Jan 2027"
        assert "Edith" not in subject and s.edith.patient.nhs_number not in subject.replace(" ", "")
    body = received[s.sw.email].get_content()
    assert "The minutes of the Riverside MDT meeting on" in body and "MDT MDT" not in body
    assert "Edith Example: Plan agreed" in body
    assert "Fred Other: Not reached" in body
    session.expire_all()
    meeting = session.get(Meeting, s.meeting.id)
    assert meeting.minutes_sent_at == DURING
    assert all(r.sent_at is not None for r in rows(session))


@time_machine.travel(DURING, tick=False)
def test_a_cover_from_outside_the_team_gets_the_minutes_without_patient_names(
    client, make, session, smtp
):
    from mdt.meetings.models import Invitation, Reply

    s = scene(make)
    all_present(session, s)
    outsider = make.user(name="Chris Cover")
    session.add(
        Invitation(
            meeting_id=s.meeting.id,
            user_id=outsider.id,
            discipline="Adult social care",
            covering_for_id=s.sw.id,
            reply=Reply.IN_PERSON,
            attendance=Attendance.PRESENT,
        )
    )
    session.commit()
    login(client, s.chair.email)
    post_outcome(client, s, s.edith)
    _close(client, s.meeting.id)
    [message] = [r.message for r in smtp.received if r.rcpt_tos == [outsider.email]]
    body = message.get_content()
    assert "Edith" not in body and "Fred" not in body
    assert "Case 1 (the person's details are for team members only): Plan agreed" in body


@time_machine.travel(DURING, tick=False)
def test_a_closed_meeting_takes_no_more_outcomes(client, make, session):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    post_outcome(client, s, s.edith)
    url = f"/meetings/{s.meeting.id}/cases/{s.edith.id}/outcome"
    page = client.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    token = token_of(page, url)
    _close(client, s.meeting.id)
    late = client.post(
        url, data=outcome_data(outcome="refer_on", revision="1") | {"csrf_token": token}
    )
    assert "This meeting is closed" in late.text
    assert discussion(session, s.meeting, s.edith).outcome is Outcome.PLAN_AGREED


def test_a_meeting_cannot_be_closed_before_it_starts(client, make, session):
    with time_machine.travel(DURING.replace(day=5), tick=False):
        s = scene(make)
        login(client, s.chair.email)
        url = f"/meetings/{s.meeting.id}/close"
        assert "Close the meeting and send the minutes" not in client.get(url).text
        # Posted all the same (the page has no button: the token is the header's).
        page = submit(client, url, {}, form_url=f"/meetings/{s.meeting.id}/run").text
        assert "A meeting can be closed once it has started" in page
        session.expire_all()
        assert session.get(Meeting, s.meeting.id).status is MeetingStatus.SCHEDULED


@time_machine.travel(DURING, tick=False)
def test_a_core_member_cannot_run_the_meeting(client, make, session):
    s = scene(make)
    login(client, s.sw.email)
    assert client.get(f"/meetings/{s.meeting.id}/run").status_code == 403
    response = client.post(f"/meetings/{s.meeting.id}/cases/{s.edith.id}/outcome", data={})
    assert response.status_code == 403
