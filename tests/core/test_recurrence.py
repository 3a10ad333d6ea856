"""Occurrences in local time across clock changes, and bank holidays skipped and shown."""

from datetime import UTC, date, datetime, time

from mdt.core.recurrence import Frequency
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import OccurrenceState, occurrences


def series(**over):
    fields = {
        "id": 1,
        "team_id": 1,
        "title": "MDT",
        "frequency": Frequency.WEEKLY,
        "interval": 1,
        "weekday": 1,
        "ordinal": None,
        "start_date": date(2026, 12, 1),
        "end_date": None,
        "start_time": time(12, 30),
        "duration_minutes": 90,
        "time_zone": "Europe/London",
        "skip_bank_holidays": True,
    } | over
    return SlotSeries(**fields)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_second_tuesday_keeps_12_30_local_across_both_clock_changes():
    monthly = series(frequency=Frequency.MONTHLY, ordinal=2, weekday=1, start_date=date(2027, 1, 1))
    got = {
        o.original_date: (o.starts_at, o.ends_at)
        for o in occurrences(monthly, date(2027, 3, 1), date(2027, 11, 30))
    }
    # Clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
    assert got[date(2027, 3, 9)] == (utc(2027, 3, 9, 12, 30), utc(2027, 3, 9, 14, 0))
    assert got[date(2027, 4, 13)] == (utc(2027, 4, 13, 11, 30), utc(2027, 4, 13, 13, 0))
    assert got[date(2027, 10, 12)] == (utc(2027, 10, 12, 11, 30), utc(2027, 10, 12, 13, 0))
    assert got[date(2027, 11, 9)] == (utc(2027, 11, 9, 12, 30), utc(2027, 11, 9, 14, 0))
    assert len(got) == 9 and all(d.weekday() == 1 and 8 <= d.day <= 14 for d in got)


def test_last_friday_of_the_month():
    last = series(frequency=Frequency.MONTHLY, ordinal=-1, weekday=4, start_date=date(2027, 1, 1))
    got = [o.original_date for o in occurrences(last, date(2027, 1, 1), date(2027, 4, 30))]
    assert got == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26), date(2027, 4, 30)]


def test_every_two_weeks_stays_anchored_to_its_start_date():
    fortnightly = series(interval=2, weekday=1, start_date=date(2027, 1, 5))
    got = [o.original_date for o in occurrences(fortnightly, date(2027, 1, 12), date(2027, 3, 1))]
    assert got == [date(2027, 1, 19), date(2027, 2, 2), date(2027, 2, 16)]


def test_christmas_bank_holidays_are_skipped_and_listed():
    friday = series(weekday=4, start_date=date(2026, 12, 1))
    monday = series(weekday=0, start_date=date(2026, 12, 1))
    fridays = {
        o.original_date: o for o in occurrences(friday, date(2026, 12, 18), date(2027, 1, 1))
    }
    mondays = {
        o.original_date: o for o in occurrences(monday, date(2026, 12, 21), date(2027, 1, 4))
    }
    assert fridays[date(2026, 12, 25)].state is OccurrenceState.SKIPPED
    assert fridays[date(2026, 12, 25)].note == "Christmas Day"
    assert mondays[date(2026, 12, 28)].state is OccurrenceState.SKIPPED
    assert fridays[date(2026, 12, 18)].state is OccurrenceState.SCHEDULED
    assert mondays[date(2026, 12, 21)].state is OccurrenceState.SCHEDULED


def test_bank_holidays_can_be_kept_when_the_team_chooses():
    keep = series(weekday=4, skip_bank_holidays=False)
    [occ] = occurrences(keep, date(2026, 12, 25), date(2026, 12, 25))
    assert occ.state is OccurrenceState.SCHEDULED


def test_end_date_stops_the_series():
    ends = series(weekday=1, start_date=date(2027, 1, 5), end_date=date(2027, 1, 19))
    got = [o.original_date for o in occurrences(ends, date(2027, 1, 1), date(2027, 3, 1))]
    assert got == [date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 19)]
