"""A meeting is booked, moved and closed only when that makes sense: never to start in the
past, never years away, and closed only once it has begun (issue 20, items 1-3 and 17)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from mdt.mail.models import OutboxMessage
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.teams.models import TeamRole
from tests.conftest import login, submit
from tests.dates import shows_date

#: Wednesday 13 January 2027, 10:00 in London (winter: London is UTC).
NOW = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)


def _team(make):  # type: ignore[no-untyped-def]
    coordinator = make.user(name="Coord")
    team = make.team(coordinator=coordinator)
    make.member(team, make.user(name="Dr GP"), role=TeamRole.CHAIR)
    return coordinator, team


def field_error(page: str, field: str) -> str | None:
    """The NHS.UK error message shown under a field, or None."""
    found = re.search(
        rf'id="{field}-error"><span class="nhsuk-u-visually-hidden">Error: </span>([^<]*)<', page
    )
    return html.unescape(found.group(1)) if found else None


def _counts(session):  # type: ignore[no-untyped-def]
    meetings = session.scalar(sa.select(sa.func.count(Meeting.id)))
    return meetings, session.scalar(sa.select(sa.func.count(OutboxMessage.id)))


ADHOC = {"start_time": "12:30", "end_time": "14:00", "reason": "Urgent safeguarding"}


@pytest.mark.parametrize(
    ("day", "start"),
    [("2027-01-12", "12:30"), ("2027-01-13", "09:30"), ("2027-01-13", "10:00")],
    ids=["yesterday", "earlier-today", "this-minute"],
)
def test_a_meeting_outside_protected_time_cannot_be_booked_to_start_in_the_past(
    client, make, session, day, start
):
    coordinator, team = _team(make)
    login(client, coordinator.email)
    form = ADHOC | {"date": day, "start_time": start, "end_time": "14:00"}
    response = submit(client, f"/teams/{team.id}/meetings/new", form)
    assert response.status_code == 200
    page = response.text
    assert field_error(page, "date") == "The meeting must start in the future: choose a later date"
    assert "There is a problem" in page and 'href="#date-day"' in page
    assert shows_date(page, "date", day) and 'value="Urgent safeguarding"' in page
    assert _counts(session) == (0, 0)  # nothing booked, nobody emailed


def test_a_meeting_later_today_is_booked(client, make, session):
    coordinator, team = _team(make)
    login(client, coordinator.email)
    form = ADHOC | {"date": "2027-01-13", "start_time": "15:00", "end_time": "16:00"}
    assert submit(client, f"/teams/{team.id}/meetings/new", form).status_code == 302
    assert _counts(session) == (1, 2)


@pytest.mark.parametrize("day", ["9999-12-31", "2032-01-14", "0001-01-01", "1999-12-31"])
def test_a_date_outside_the_window_is_refused_on_booking_without_a_server_error(
    client, make, session, day
):
    coordinator, team = _team(make)
    login(client, coordinator.email)
    response = submit(client, f"/teams/{team.id}/meetings/new", ADHOC | {"date": day})
    assert response.status_code == 200
    expected = (
        "The date must be within 5 years from today, on or before 13 January 2032"
        if day > "2027"
        else "The date must be today or in the future"
    )
    assert field_error(response.text, "date") == expected
    assert _counts(session) == (0, 0)


def test_five_years_ahead_is_the_last_day_a_meeting_can_be_booked(client, make, session):
    coordinator, team = _team(make)
    login(client, coordinator.email)
    form = ADHOC | {"date": "2032-01-13"}
    assert submit(client, f"/teams/{team.id}/meetings/new", form).status_code == 302


def _booked(make, team, **over):  # type: ignore[no-untyped-def]
    starts = datetime(2027, 1, 19, 12, 30, tzinfo=UTC)
    fields = {"starts_at": starts, "ends_at": starts + timedelta(minutes=90)} | over
    return make.meeting(team, **fields)


MOVE = {"start_time": "12:30", "end_time": "14:00", "reason": "Room double-booked"}


def test_a_meeting_cannot_be_rescheduled_into_the_past(client, make, session):
    coordinator, team = _team(make)
    meeting = _booked(make, team)
    login(client, coordinator.email)
    url = f"/meetings/{meeting.id}/reschedule"
    form = MOVE | {"date": "2027-01-12", "revision": str(meeting.revision)}
    response = submit(client, url, form)
    assert response.status_code == 200
    assert field_error(response.text, "date") == (
        "The meeting must start in the future: choose a later date"
    )
    session.expire_all()
    assert session.get(Meeting, meeting.id).starts_at == datetime(2027, 1, 19, 12, 30, tzinfo=UTC)
    assert _counts(session) == (1, 0)


def test_a_missing_reason_does_not_hide_that_the_new_date_is_in_the_past(client, make, session):
    coordinator, team = _team(make)
    meeting = _booked(make, team)
    login(client, coordinator.email)
    url = f"/meetings/{meeting.id}/reschedule"
    form = MOVE | {"date": "2027-01-12", "reason": "", "revision": str(meeting.revision)}
    page = submit(client, url, form).text
    assert field_error(page, "date") == "The meeting must start in the future: choose a later date"
    assert field_error(page, "reason") == "Give the reason, so attendees know why"
    assert 'href="#date-day"' in page and 'href="#reason"' in page


def test_rescheduling_to_year_9999_is_refused_without_a_server_error(client, make, session):
    coordinator, team = _team(make)
    meeting = _booked(make, team)
    login(client, coordinator.email)
    url = f"/meetings/{meeting.id}/reschedule"
    form = MOVE | {"date": "9999-12-31", "revision": str(meeting.revision)}
    response = submit(client, url, form)
    assert response.status_code == 200
    assert field_error(
        response.text,
        "date",
    ) == ("The date must be within 5 years from today, on or before 13 January 2032")
    assert _counts(session) == (1, 0)


def test_a_meeting_moves_to_a_later_day(client, make, session):
    coordinator, team = _team(make)
    meeting = _booked(make, team)
    login(client, coordinator.email)
    url = f"/meetings/{meeting.id}/reschedule"
    form = MOVE | {"date": "2027-01-20", "revision": str(meeting.revision)}
    assert submit(client, url, form).status_code == 302
    session.expire_all()
    assert session.get(Meeting, meeting.id).starts_at == datetime(2027, 1, 20, 12, 30, tzinfo=UTC)


def _book(client, team, series, day):  # type: ignore[no-untyped-def]
    return submit(
        client,
        f"/teams/{team.id}/slots/{series.id}/occurrences/{day}/book",
        {},
        form_url=f"/teams/{team.id}/slots/",
    )


def test_an_occurrence_that_has_begun_cannot_be_booked_and_shows_no_book_button(
    client, make, session, time_machine
):
    coordinator, team = _team(make)
    # Tuesdays at 12:30; it is Tuesday 12 January, 12:45: today's has begun.
    series = make.series(team, weekday=1)
    time_machine.move_to(datetime(2027, 1, 12, 12, 45, tzinfo=UTC), tick=False)
    login(client, coordinator.email)
    index = client.get(f"/teams/{team.id}/slots/").text
    assert "/occurrences/2027-01-12/book" not in index
    assert "/occurrences/2027-01-19/book" in index
    response = _book(client, team, series, "2027-01-12")
    assert response.status_code == 302
    assert "That occurrence has already started" in client.get(response.location).text
    assert _counts(session) == (0, 0)
    response = _book(client, team, series, "2027-01-19")
    assert response.status_code == 302 and "/meetings/" in response.location
    assert _counts(session) == (1, 2)


def test_booking_refuses_an_occurrence_further_than_five_years_ahead(app, make, session):
    """Its address is already a 404 (the date is outside the window); the operation refuses
    it all the same, whoever calls it."""
    from mdt.extensions import db
    from mdt.meetings import operations as ops
    from mdt.slots.occurrences import find_occurrence

    _coordinator, team = _team(make)
    series = make.series(team, weekday=1)
    with app.test_request_context():
        team, series = db.session.merge(team), db.session.merge(series)
        occurrence = find_occurrence(series, date(2032, 1, 20))
        with pytest.raises(ops.NotBookable, match="up to 5 years ahead"):
            ops.book_occurrence(team, series, occurrence, NOW)
        db.session.rollback()
    assert _counts(session) == (0, 0)


def test_an_occurrence_cannot_be_moved_into_the_past(client, make, session):
    coordinator, team = _team(make)
    series = make.series(team, weekday=1)
    login(client, coordinator.email)
    url = f"/teams/{team.id}/slots/{series.id}/occurrences/2027-01-19"
    form = {"action": "move", "new_date": "2027-01-13", "new_time": "09:00", "reason": "Room"}
    page = submit(client, url, form).text
    assert field_error(page, "new_date") == (
        "The new time must be in the future: choose a later date"
    )
    far = submit(client, url, form | {"new_date": "9999-12-31"}).text
    assert field_error(far, "new_date") == (
        "The new date must be within 5 years from today, on or before 13 January 2032"
    )
    assert submit(client, url, form | {"new_time": "11:00"}).status_code == 302


def test_the_close_page_before_the_start_has_no_close_button(client, make, session):
    coordinator, team = _team(make)
    meeting = _booked(make, team)
    login(client, coordinator.email)
    url = f"/meetings/{meeting.id}/close"
    page = client.get(url).text
    assert "has not started yet, so it cannot be closed" in page
    assert "Close the meeting and send the minutes" not in page
    assert f'action="{url}"' not in page
    # A POST made all the same is refused, and the page still offers no button.
    refused = submit(client, url, {}, form_url=f"/meetings/{meeting.id}/run").text
    assert "A meeting can be closed once it has started" in refused
    assert "Close the meeting and send the minutes" not in refused
    session.expire_all()
    assert session.get(Meeting, meeting.id).status is MeetingStatus.SCHEDULED


def test_the_close_page_once_the_meeting_has_begun_has_the_button(client, make, time_machine):
    coordinator, team = _team(make)
    meeting = _booked(make, team)
    time_machine.move_to(datetime(2027, 1, 19, 12, 35, tzinfo=UTC), tick=False)
    login(client, coordinator.email)
    page = client.get(f"/meetings/{meeting.id}/close").text
    assert "Close the meeting and send the minutes" in page
    assert "cannot be closed" not in page


@pytest.mark.parametrize("day", ["9999-12-28", "1999-12-28", "2032-01-20"])
def test_an_occurrence_address_outside_the_window_is_not_found_rather_than_a_server_error(
    client, make, session, day
):
    coordinator, team = _team(make)
    series = make.series(team, weekday=1)  # 28 December 9999 and 1999 are Tuesdays
    login(client, coordinator.email)
    url = f"/teams/{team.id}/slots/{series.id}/occurrences/{day}"
    assert client.get(url).status_code == 404
    assert _book(client, team, series, day).status_code == 404
    change = {"action": "cancel", "reason": "Room"}
    assert submit(client, url, change, form_url=f"/teams/{team.id}/slots/").status_code == 404
    assert _counts(session) == (0, 0)
