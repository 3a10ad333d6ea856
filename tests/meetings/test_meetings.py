import email
from email import policy
from pathlib import Path

import sqlalchemy as sa

from mdt.mail.models import OutboxMessage
from mdt.meetings.models import Attendance, Invitation, Meeting, MeetingStatus, Reply
from mdt.teams.models import TeamRole
from tests.conftest import login, submit
from tests.dates import shows_date


def _team(make):
    coordinator = make.user(name="Coord")
    team = make.team(coordinator=coordinator, default_location="Room 2")
    gp = make.member(
        team, make.user(name="Dr GP"), role=TeamRole.CHAIR, discipline="General practice"
    ).user
    deputy = make.user(name="Deputy SW")
    sw = make.member(
        team, make.user(name="Sam SW"), discipline="Adult social care", deputy=deputy
    ).user
    series = make.series(team, weekday=1)
    return coordinator, team, gp, sw, deputy, series


def _book(client, team, series, day="2027-01-12"):
    return submit(
        client,
        f"/teams/{team.id}/slots/{series.id}/occurrences/{day}/book",
        {},
        form_url=f"/teams/{team.id}/slots/",
    )


def _mail(app):
    folder = Path(app.config["MAIL_FOLDER"])
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def test_coordinator_books_an_occurrence_in_one_click_and_everyone_is_emailed(
    client, make, session, app
):
    coordinator, team, gp, sw, _deputy, series = _team(make)
    login(client, coordinator.email)
    response = _book(client, team, series)
    assert response.status_code == 302
    meeting = session.scalar(sa.select(Meeting))
    assert meeting.occurrence_date.isoformat() == "2027-01-12"
    assert meeting.starts_at.isoformat() == "2027-01-12T12:30:00+00:00"
    assert meeting.in_protected_time and meeting.chair_id == gp.id
    assert {i.user_id for i in meeting.invitations} == {coordinator.id, gp.id, sw.id}
    messages = _mail(app)
    assert sorted(m["To"] for m in messages) == sorted([coordinator.email, gp.email, sw.email])
    assert messages[0]["Subject"].startswith(f"MDT meeting booked: {team.name}, Tue 12 Jan 2027")
    assert "Room 2" in messages[0].get_body().get_content()
    # The same occurrence cannot be booked twice.
    _book(client, team, series)
    assert session.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def test_booking_outside_protected_time_needs_a_reason(client, make, session):
    coordinator, team, *_ = _team(make)
    login(client, coordinator.email)
    url = f"/teams/{team.id}/meetings/new"
    form = {"date": "2027-01-14", "start_time": "15:00", "end_time": "16:00", "reason": ""}
    page = submit(client, url, form).text
    assert "Give the reason" in page and shows_date(page, "date", "2027-01-14")
    assert session.scalar(sa.select(sa.func.count(Meeting.id))) == 0
    backwards = submit(client, url, form | {"end_time": "14:00", "reason": "Urgent"}).text
    assert "end time must be after the start time" in backwards
    response = submit(client, url, form | {"reason": "Urgent safeguarding"})
    assert response.status_code == 302
    meeting = session.scalar(sa.select(Meeting))
    assert not meeting.in_protected_time
    assert meeting.outside_protected_reason == "Urgent safeguarding"
    assert "Outside protected time" in client.get(f"/meetings/{meeting.id}").text
    assert "Outside protected time" in client.get(f"/teams/{team.id}/meetings").text


def test_members_reply_for_themselves_and_expected_quorum_follows(client, make, app, session):
    coordinator, team, gp, sw, deputy, series = _team(make)
    login(client, coordinator.email)
    _book(client, team, series)
    meeting = session.scalar(sa.select(Meeting))
    url = f"/meetings/{meeting.id}"
    assert 'data-discipline="Adult social care" data-covered="no"' in client.get(url).text

    social = app.test_client()
    login(social, sw.email)
    response = submit(social, f"{url}/reply", {"reply": "remote", "cover_id": "0"}, form_url=url)
    assert response.status_code == 302
    page = social.get(url).text
    assert "Attending remotely" in page
    assert 'data-discipline="Adult social care" data-covered="yes"' in page

    # Apologies naming the deputy: the deputy is invited and covers the discipline.
    submit(social, f"{url}/reply", {"reply": "apologies", "cover_id": str(deputy.id)}, form_url=url)
    session.expire_all()
    invitations = {i.user_id: i for i in session.scalars(sa.select(Invitation))}
    assert invitations[sw.id].reply is Reply.APOLOGIES
    cover = invitations[deputy.id]
    assert cover.covering_for_id == sw.id and cover.discipline == "Adult social care"
    page = social.get(url).text
    assert "Deputy SW (covering for Sam SW)" in page
    assert 'data-discipline="Adult social care" data-covered="yes"' in page
    # The deputy is told, with the meeting's details, like every invitee.
    session.expire_all()
    to_deputy = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipients.contains(deputy.email))
    ).all()
    assert [m.subject.split(":")[0] for m in to_deputy] == ["MDT meeting booked"]


def test_the_chair_records_attendance_and_actual_quorum(client, make, app, session):
    coordinator, team, gp, sw, _deputy, series = _team(make)
    login(client, coordinator.email)
    _book(client, team, series)
    meeting = session.scalar(sa.select(Meeting))
    invs = {i.user_id: i.id for i in meeting.invitations}
    chair = app.test_client()
    login(chair, gp.email)
    url = f"/meetings/{meeting.id}"
    data = {f"attendance-{invs[gp.id]}": "present", f"attendance-{invs[sw.id]}": "remote"}
    assert submit(chair, f"{url}/attendance", data, form_url=url).status_code == 302
    session.expire_all()
    got = {i.user_id: i.attendance for i in session.scalars(sa.select(Invitation))}
    assert got[gp.id] is Attendance.PRESENT and got[sw.id] is Attendance.REMOTE
    assert (
        'Recorded attendance: <strong class="nhsuk-tag nhsuk-tag--green">Quorate'
        in chair.get(url).text
    )

    member = app.test_client()
    login(member, sw.email)
    assert submit(member, f"{url}/attendance", data, form_url=url).status_code == 403


def test_reschedule_and_cancel_keep_the_meeting_with_reasons_and_email_everyone(
    client, make, app, session
):
    coordinator, team, _gp, _sw, _deputy, series = _team(make)
    login(client, coordinator.email)
    _book(client, team, series)
    meeting = session.scalar(sa.select(Meeting))
    url = f"/meetings/{meeting.id}"
    moved = {
        "date": "2027-01-13",
        "start_time": "13:00",
        "end_time": "14:00",
        "reason": "Room double-booked",
        "revision": "1",
    }
    assert submit(client, f"{url}/reschedule", moved).status_code == 302
    assert (
        "Give the reason" in submit(client, f"{url}/cancel", {"reason": "", "revision": "2"}).text
    )
    assert (
        submit(client, f"{url}/cancel", {"reason": "Chair ill", "revision": "2"}).status_code == 302
    )
    session.expire_all()
    meeting = session.get(Meeting, meeting.id)
    assert meeting.status is MeetingStatus.CANCELLED and meeting.revision == 3
    assert meeting.change_reason == "Chair ill"
    subjects = [m["Subject"].split(":")[0] for m in _mail(app)]
    assert subjects.count("MDT meeting rescheduled") == 3
    assert subjects.count("MDT meeting cancelled") == 3
    assert session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 9


def test_chair_taking_minutes_is_warned(client, make, session):
    coordinator, team, gp, _sw, _deputy, series = _team(make)
    login(client, coordinator.email)
    _book(client, team, series)
    meeting = session.scalar(sa.select(Meeting))
    form = {
        "chair_id": gp.id,
        "minute_taker_id": gp.id,
        "location": "Room 2",
        "video_link": "",
        "revision": "1",
    }
    response = submit(client, f"/meetings/{meeting.id}/edit", form)
    assert response.status_code == 302
    page = client.get(f"/meetings/{meeting.id}").text
    assert "chair is also taking the minutes" in page


def test_my_meetings_lists_what_i_am_invited_to(client, make, app):
    coordinator, team, _gp, sw, _deputy, series = _team(make)
    login(client, coordinator.email)
    _book(client, team, series)
    mine = app.test_client()
    login(mine, sw.email)
    page = mine.get("/meetings/mine").text
    assert team.name in page and "No reply yet" in page


def test_attendance_history_shows_on_the_team_page_with_the_two_thirds_standard(
    client, make, session
):
    coordinator, team, gp, sw, _deputy, series = _team(make)
    from datetime import date

    for n, (gp_mark, sw_mark) in enumerate(
        [("present", "absent"), ("remote", "apologies"), ("present", "present")]
    ):
        meeting = make.meeting(team, series, occurrence_date=date(2027, 1, 5 + 7 * n))
        for inv in meeting.invitations:
            mark = {gp.id: gp_mark, sw.id: sw_mark}.get(inv.user_id)
            inv.attendance = Attendance(mark) if mark else None
        session.commit()
    login(client, coordinator.email)
    page = client.get(f"/teams/{team.id}").text
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Dr GP", "Sam SW")}
    assert "3 of 3" in rows["Dr GP"] and "Below 2/3" not in rows["Dr GP"]
    assert "1 of 3" in rows["Sam SW"] and "Below 2/3" in rows["Sam SW"]
