"""Series and meetings on clock-change days, in London and in Sydney (whose clocks change the
other way round), read by three calendar engines and compared with what the app holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask

from mdt.calendar.events import Window, uid
from mdt.calendar.lint import lint
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.slots.models import SlotException, SlotSeries
from mdt.slots.occurrences import occurrences
from mdt.teams.models import Team
from tests.calendar.support import (
    Seen,
    book,
    cancel,
    feed_path,
    make_feed_link,
    move_occurrence,
    python_occurrences,
    reschedule,
)
from tests.conftest import login, submit

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
WINDOW = Window.around(NOW.date())  # November 2026 to August 2028: both 2027 changes
FIRST = datetime.combine(WINDOW.first, time(0), tzinfo=UTC)
AFTER = datetime.combine(WINDOW.last + timedelta(days=1), time(0), tzinfo=UTC)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def held_by_the_app(team_id: int) -> list[Seen]:
    """Every occurrence of the team's series that takes place with no meeting in it, and its
    meetings not cancelled, over the window: what the team's feed must show."""
    seen = []
    team = db.session.get(Team, team_id)
    meetings = db.session.query(Meeting).filter(Meeting.team_id == team.id).all()
    booked = {
        (m.series_id, m.occurrence_date)
        for m in meetings
        if m.status is not MeetingStatus.CANCELLED
    }
    for series in db.session.query(SlotSeries).filter(SlotSeries.team_id == team.id):
        for occ in occurrences(series, WINDOW.first, WINDOW.last):
            if occ.takes_place and (series.id, occ.original_date) not in booked:
                seen.append(Seen(_utc(occ.starts_at), series_uid(series.id), "CONFIRMED"))
    for m in meetings:
        if m.status is not MeetingStatus.CANCELLED and FIRST <= m.starts_at < AFTER:
            seen.append(Seen(_utc(m.starts_at), meeting_uid(m.id), "CONFIRMED"))
    return sorted(seen)


def series_uid(key: int) -> str:
    return uid("series", key)


def meeting_uid(key: int) -> str:
    return uid("meeting", key)


def cancel_occurrence(client, team_id: int, series_id: int, day: date) -> None:  # type: ignore[no-untyped-def]
    url = f"/teams/{team_id}/slots/{series_id}/occurrences/{day.isoformat()}"
    form = {"action": "cancel", "reason": "Training day"}
    assert submit(client, url, form).status_code == 302


@pytest.fixture
def now(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)


def _team_feed(app: Flask, client, team_id: int) -> bytes:  # type: ignore[no-untyped-def]
    link = make_feed_link(client, 0, team_id)
    return app.test_client().get(feed_path(link)).data


def test_series_starting_on_clock_change_days_read_the_same_in_three_engines(
    app, make, now, icaljs, libical
):
    leah = make.user()
    london = make.team(coordinator=leah, name="Oakfield MDT")
    sydney = make.team(coordinator=leah, name="Harbour MDT", time_zone="Australia/Sydney")
    sunday = dict(weekday=6, start_time=time(10), skip_bank_holidays=False)
    # London's clocks go forward on 28 March 2027 and back on 31 October.
    spring = make.series(london, start_date=date(2027, 3, 28), **sunday)
    autumn = make.series(
        london, start_date=date(2027, 10, 31), end_date=date(2028, 1, 30), **sunday
    )
    # Sydney's go back on 4 April 2027 and forward on 3 October.
    harbour = make.series(
        sydney, start_date=date(2027, 4, 4), time_zone="Australia/Sydney", **sunday
    )
    client = app.test_client()
    login(client, leah.email)
    # Next to both changes: cancelled and moved occurrences, and meetings booked, moved and
    # cancelled.
    cancel_occurrence(client, london.id, spring.id, date(2027, 4, 4))
    move_occurrence(client, london.id, spring.id, date(2027, 3, 28), date(2027, 3, 27), "10:00")
    move_occurrence(client, london.id, spring.id, date(2027, 10, 24), date(2027, 11, 1), "14:00")
    cancel_occurrence(client, london.id, autumn.id, date(2027, 11, 7))
    kept = book(client, london.id, autumn.id, date(2027, 10, 31))
    moved = book(client, london.id, spring.id, date(2027, 10, 17))
    reschedule(client, moved, 1, date(2027, 11, 2), "09:00")
    dropped = book(client, london.id, spring.id, date(2027, 4, 11))
    cancel(client, dropped, 1)
    cancel_occurrence(client, sydney.id, harbour.id, date(2027, 4, 11))
    move_occurrence(client, sydney.id, harbour.id, date(2027, 10, 3), date(2027, 10, 2), "10:00")
    move_occurrence(client, sydney.id, harbour.id, date(2027, 9, 26), date(2027, 10, 4), "11:00")
    harbour_meeting = book(client, sydney.id, harbour.id, date(2027, 10, 10))

    for team in (london, sydney):
        feed = _team_feed(app, client, team.id)
        with app.app_context():
            expected = held_by_the_app(team.id)
        assert python_occurrences(feed, FIRST, AFTER) == expected, team.name
        assert icaljs(feed, FIRST, AFTER) == expected, team.name
        assert libical(feed, FIRST, AFTER) == expected, team.name
        assert lint(feed) == [], team.name
    with app.app_context():
        # The meeting booked on the autumn change day, at 10:00 GMT.
        assert db.session.get(Meeting, kept).starts_at == datetime(2027, 10, 31, 10, tzinfo=UTC)
        assert db.session.get(Meeting, harbour_meeting).starts_at == datetime(
            2027, 10, 9, 23, 0, tzinfo=UTC
        )


def test_a_series_stored_in_the_spring_forward_gap_is_written_in_its_wall_clock_time(
    app, make, now, icaljs, libical
):
    """A weekly series on Sundays at 01:30 London from 28 March 2027, stored before such
    starts were refused: EXDATE, RECURRENCE-ID and the rule's start are the series' own
    01:30 (the rule starts on 4 April; the gap's occurrence is added at the instant it
    takes place, 02:30 BST), and every engine shows each Sunday through 25 April, the
    cancelled one gone."""
    leah = make.user()
    team = make.team(coordinator=leah)
    series = make.series(
        team,
        weekday=6,
        start_date=date(2027, 3, 28),
        end_date=date(2027, 4, 25),
        start_time=time(1, 30),
        skip_bank_holidays=False,
    )
    make._save(
        SlotException(
            series_id=series.id, original_date=date(2027, 4, 11), cancelled=True, reason="Away"
        )
    )
    make._save(
        SlotException(
            series_id=series.id,
            original_date=date(2027, 4, 18),
            moved_to=datetime(2027, 4, 19, 11, tzinfo=UTC),
            reason="Room",
        )
    )
    client = app.test_client()
    login(client, leah.email)
    feed = _team_feed(app, client, team.id)
    assert b"DTSTART;TZID=Europe/London:20270404T013000\r\n" in feed
    assert b"RDATE:20270328T013000Z\r\n" in feed
    assert b"UNTIL=20270425T003000Z" in feed
    assert b"EXDATE;TZID=Europe/London:20270411T013000\r\n" in feed
    assert b"RECURRENCE-ID;TZID=Europe/London:20270418T013000\r\n" in feed
    with app.app_context():
        later = [
            Seen("2027-03-28T01:30:00Z", series_uid(series.id), "CONFIRMED"),
            Seen("2027-04-04T00:30:00Z", series_uid(series.id), "CONFIRMED"),
            Seen("2027-04-19T11:00:00Z", series_uid(series.id), "CONFIRMED"),
            Seen("2027-04-25T00:30:00Z", series_uid(series.id), "CONFIRMED"),
        ]
        assert held_by_the_app(team.id) == later
    assert python_occurrences(feed, FIRST, AFTER) == later
    assert icaljs(feed, FIRST, AFTER) == later
    assert libical(feed, FIRST, AFTER) == later
    assert lint(feed) == []


SERIES_FORM = {
    "title": "Early huddle",
    "frequency": "weekly",
    "interval": "1",
    "weekday": "6",
    "ordinal": "1",
    "start_date": "2027-03-07",
    "end_date": "",
    "start_time": "01:30",
    "duration_minutes": "30",
    "time_zone": "Europe/London",
    "location": "",
    "video_link": "",
    "action": "save",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {},
            "01:30 does not exist in Europe/London on Sunday 28 March 2027: the clocks go forward",
        ),
        (
            {"start_date": "2027-04-01"},
            "01:30 happens twice in Europe/London on Sunday 31 October 2027: the clocks go back",
        ),
        (
            {"time_zone": "Australia/Sydney", "start_time": "02:30"},
            "02:30 happens twice in Australia/Sydney on Sunday 4 April 2027: the clocks go back",
        ),
    ],
)
def test_a_series_starting_inside_a_clock_change_is_refused_naming_it(
    client, make, session, now, change, message
):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    login(client, coordinator.email)
    page = submit(client, f"/teams/{team.id}/slots/new", SERIES_FORM | change).text
    assert "There is a problem" in page and message in page
    assert session.query(SlotSeries).count() == 0
    # Any other time of night is fine.
    ok = submit(
        client, f"/teams/{team.id}/slots/new", SERIES_FORM | change | {"start_time": "03:30"}
    )
    assert ok.status_code == 302


def test_a_meeting_starting_inside_a_clock_change_is_refused_naming_it(client, make, session, now):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    series = make.series(team, weekday=6, start_date=date(2027, 3, 7), start_time=time(10))
    login(client, coordinator.email)
    adhoc = {
        "date": "2027-10-31",
        "start_time": "01:15",
        "end_time": "02:30",
        "reason": "Urgent case",
        "location": "",
        "video_link": "",
    }
    page = submit(client, f"/teams/{team.id}/meetings/new", adhoc).text
    assert "01:15 happens twice in Europe/London on Sunday 31 October 2027" in page
    assert 'value="01:15"' in page
    meeting = book(client, team.id, series.id, date(2027, 3, 14))
    form = {
        "date": "2027-03-28",
        "start_time": "01:00",
        "end_time": "03:00",
        "reason": "Chair away",
        "revision": "1",
    }
    page = submit(client, f"/meetings/{meeting}/reschedule", form).text
    assert "01:00 does not exist in Europe/London on Sunday 28 March 2027" in page
    url = f"/teams/{team.id}/slots/{series.id}/occurrences/2027-03-21"
    move = {"action": "move", "new_date": "2027-03-28", "new_time": "01:45", "reason": "Room"}
    page = submit(client, url, move).text
    assert "01:45 does not exist in Europe/London on Sunday 28 March 2027" in page
    assert session.query(SlotException).count() == 0
