"""VTIMEZONEs as yearly rules derived from zoneinfo, checked against zoneinfo itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from mdt.calendar.events import Window
from mdt.calendar.ics import serialise
from mdt.calendar.vtimezones import vtimezone
from mdt.core.zones import UnsupportedTimeZone
from mdt.extensions import db
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import occurrences
from tests.calendar.support import feed_path, make_feed_link
from tests.conftest import login

YEARS = (2026, 2027, 2028)


def test_london_is_written_as_the_last_sundays_of_march_and_october():
    assert serialise(vtimezone("Europe/London", YEARS)) == (
        b"BEGIN:VTIMEZONE\r\n"
        b"TZID:Europe/London\r\n"
        b"BEGIN:DAYLIGHT\r\n"
        b"DTSTART:19700329T010000\r\n"
        b"TZOFFSETFROM:+0000\r\n"
        b"TZOFFSETTO:+0100\r\n"
        b"TZNAME:BST\r\n"
        b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
        b"END:DAYLIGHT\r\n"
        b"BEGIN:STANDARD\r\n"
        b"DTSTART:19701025T020000\r\n"
        b"TZOFFSETFROM:+0100\r\n"
        b"TZOFFSETTO:+0000\r\n"
        b"TZNAME:GMT\r\n"
        b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
        b"END:STANDARD\r\n"
        b"END:VTIMEZONE\r\n"
    )


@pytest.mark.parametrize(
    ("zone", "step"),
    [
        ("Europe/London", timedelta(hours=1)),
        ("Europe/Dublin", timedelta(hours=1)),  # summer time is its "standard" in tzdata
        ("America/New_York", timedelta(hours=1)),
        ("Australia/Sydney", timedelta(hours=1)),  # summer at the turn of the year
        ("Asia/Kolkata", timedelta(hours=6)),  # no changes, half-hour offset
        ("Pacific/Chatham", timedelta(hours=1)),  # +12:45/+13:45, changing at 02:45 local
    ],
)
def test_the_written_rules_give_zoneinfos_offset_at_every_moment_of_the_window(zone, step):
    calendar = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n%sEND:VCALENDAR\r\n" % (
        serialise(vtimezone(zone, YEARS))
    )
    assert b"RDATE" not in calendar
    # icalendar builds the zone from the VTIMEZONE alone, not from its own zone database.
    written = icalendar.Calendar.from_ical(calendar).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    moment, wrong = datetime(2026, 1, 1, 0, 30, tzinfo=UTC), []
    while moment.year <= YEARS[-1]:
        if moment.astimezone(written).utcoffset() != moment.astimezone(ZoneInfo(zone)).utcoffset():
            wrong.append(moment)
        moment += step
    assert wrong == []


def test_zones_without_a_yearly_rule_are_refused_with_a_clear_reason():
    with pytest.raises(UnsupportedTimeZone, match="'Mars/Olympus' is not a time zone"):
        vtimezone("Mars/Olympus", YEARS)
    # Morocco moves its clocks around Ramadan, which no yearly RRULE can say.
    with pytest.raises(UnsupportedTimeZone, match="Africa/Casablanca: .* yearly weekday rule"):
        vtimezone("Africa/Casablanca", YEARS)


def test_a_team_in_sydney_sees_its_slot_at_the_right_times_in_icaljs_and_libical(
    app, make, time_machine, icaljs, libical
):
    time_machine.move_to(datetime(2027, 2, 1, tzinfo=UTC), tick=False)
    coordinator = make.user()
    team = make.team(coordinator=coordinator, time_zone="Australia/Sydney")
    series = make.series(
        team, time_zone="Australia/Sydney", weekday=0, start_date=date(2027, 1, 1), interval=2
    )
    client = app.test_client()
    login(client, coordinator.email)
    feed = app.test_client().get(feed_path(make_feed_link(client, coordinator.id))).data
    window = Window.around(date(2027, 2, 1))
    first = datetime.combine(window.first, time(0), tzinfo=UTC)
    after = datetime.combine(window.last + timedelta(days=1), time(0), tzinfo=UTC)

    with app.app_context():
        expected = [
            o.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            for o in occurrences(db.session.get(SlotSeries, series.id), window.first, window.last)
            if o.takes_place
        ]
    seen = [s.start for s in icaljs(feed, first, after)]
    assert seen == expected
    assert [s.start for s in libical(feed, first, after)] == expected
    # 12:30 in Sydney: 01:30 UTC in its summer (AEDT), 02:30 UTC in its winter (AEST).
    assert "2027-03-01T01:30:00Z" in seen and "2027-07-05T02:30:00Z" in seen
