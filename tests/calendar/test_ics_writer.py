"""The iCalendar writer: CRLF, folding at 75 octets without splitting a character, escaping,
and the all-day events that preparation deadlines and action due dates will use."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from mdt.calendar import ics
from mdt.calendar.events import AllDayEvent, TimedEvent, Version
from mdt.calendar.feed import render
from mdt.calendar.lint import lint

CHANGED = Version(3, datetime(2027, 1, 2, 9, 0, tzinfo=UTC))


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    # Welsh and emoji: two-, three- and four-byte characters either side of each fold.
    summary = "Cyfarfod tîm amlddisgyblaethol Ysbyty Gwynedd – Caergybi ✓ 🏥 " * 4
    line = ics.content_line(ics.Prop("SUMMARY", ics.text(summary)))

    folded = ics.fold(line)

    physical = folded.split(b"\r\n")[:-1]
    assert len(physical) > 3 and all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    for p in physical:
        p.decode("utf-8")  # each line on its own is whole UTF-8: no character was split
    unfolded = folded.replace(b"\r\n ", b"").removesuffix(b"\r\n").decode()
    assert unfolded == line


def test_text_is_escaped_and_line_breaks_become_backslash_n():
    assert ics.text("Room 2; ground floor, east\\west\r\nBring notes") == (
        "Room 2\\; ground floor\\, east\\\\west\\nBring notes"
    )
    assert ics.param_value("Lopez, Maria") == '"Lopez, Maria"'
    assert ics.param_value('Say "hi"') == "Say hi"


def test_an_all_day_deadline_is_a_date_event_ending_the_next_day_and_shown_as_free():
    deadline = AllDayEvent(
        uid="prep-5@mdt-coordinator", version=CHANGED, day=date(2027, 3, 31), summary="Prep due"
    )
    meeting = TimedEvent(
        uid="meeting-1@mdt-coordinator",
        version=CHANGED,
        starts_at=datetime(2027, 3, 30, 12, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 30, 13, 0, tzinfo=UTC),
        zone="Europe/London",
        summary="MDT; room 2, upstairs",
    )

    data = render("Test", [deadline, meeting], (2027,))

    assert lint(data) == []
    assert b"DTSTART;VALUE=DATE:20270331\r\nDTEND;VALUE=DATE:20270401\r\n" in data
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[1]
    assert str(event["UID"]) == "prep-5@mdt-coordinator"
    assert event.decoded("DTSTART") == date(2027, 3, 31)
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert b"VALARM" not in data and b"VTODO" not in data and b"METHOD" not in data
    first = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(first["SUMMARY"]) == "MDT; room 2, upstairs"
    assert first.decoded("DTSTART").isoformat() == "2027-03-30T13:00:00+01:00"


def test_the_same_events_give_the_same_bytes():
    event = TimedEvent(
        uid="meeting-1@mdt-coordinator",
        version=CHANGED,
        starts_at=datetime(2027, 3, 30, 12, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 30, 13, 0, tzinfo=UTC),
        zone="Europe/London",
        summary="MDT",
    )
    assert render("Test", [event], (2027,)) == render("Test", [event], (2027,))
    assert b"\n" not in render("Test", [event], (2027,)).replace(b"\r\n", b"")
