"""The linter catches what calendar apps trip on: each bad sample fails for its own reason,
and a good sample passes (every feed the app serves is linted in the other tests)."""

from __future__ import annotations

import pytest

from mdt.calendar.lint import lint

GOOD = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Test//EN",
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:STANDARD",
    "DTSTART:19701025T020000",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:19700329T010000",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",
    "UID:series-1@mdt-coordinator",
    "SEQUENCE:0",
    "DTSTAMP:20270101T090000Z",
    "DTSTART;TZID=Europe/London:20270112T123000",
    "DTEND;TZID=Europe/London:20270112T140000",
    "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271214T123000Z",
    "EXDATE;TZID=Europe/London:20270209T123000",
    "SUMMARY:Monthly MDT",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:series-1@mdt-coordinator",
    "SEQUENCE:0",
    "DTSTAMP:20270101T090000Z",
    "RECURRENCE-ID;TZID=Europe/London:20270413T123000",
    "DTSTART;TZID=Europe/London:20270414T090000",
    "DTEND;TZID=Europe/London:20270414T103000",
    "SUMMARY:Monthly MDT",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:prep-1@mdt-coordinator",
    "SEQUENCE:2",
    "DTSTAMP:20270101T090000Z",
    "DTSTART;VALUE=DATE:20270110",
    "DTEND;VALUE=DATE:20270111",
    "SUMMARY:A deadline",
    "END:VEVENT",
    "END:VCALENDAR",
]


def sample(lines: list[str], newline: str = "\r\n") -> bytes:
    return (newline.join(lines) + newline).encode()


def change(old: str, new: str | None, lines: list[str] = GOOD) -> list[str]:
    """The sample with the first line equal to `old` replaced (or dropped, for None)."""
    index = lines.index(old)
    return lines[:index] + ([] if new is None else [new]) + lines[index + 1 :]


def test_a_good_feed_passes():
    assert lint(sample(GOOD)) == []


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (sample(GOOD[:3], "\r\n") + sample(GOOD[3:], "\n"), "bare LF"),
        (sample(change("SUMMARY:A deadline", "SUMMARY:" + "é" * 40)), "88 octets (fold at 75)"),
        (
            sample(change("DTEND;VALUE=DATE:20270111", "DTEND;TZID=Europe/Paris:20270111T100000")),
            "TZID=Europe/Paris has no VTIMEZONE",
        ),
        (
            sample(change("DTSTART;VALUE=DATE:20270110", "DTSTART:20270110T090000")),
            "DTSTART is a floating time",
        ),
        (
            sample(change("EXDATE;TZID=Europe/London:20270209T123000", "EXDATE:20270209T123000Z")),
            "EXDATE is not in DTSTART's zone (Europe/London)",
        ),
        (sample(change("UID:prep-1@mdt-coordinator", None)), "VEVENT has no UID"),
        (sample(change("DTSTAMP:20270101T090000Z", None)), "VEVENT has no DTSTAMP"),
        (sample(change("SEQUENCE:2", None)), "VEVENT has no SEQUENCE"),
        (
            sample(
                change(
                    "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271214T123000Z",
                    "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271214T123000",
                )
            ),
            "UNTIL=20271214T123000 must be a UTC date-time",
        ),
        (
            sample(
                change(
                    "RECURRENCE-ID;TZID=Europe/London:20270413T123000",
                    None,
                    change("UID:prep-1@mdt-coordinator", "UID:series-1@mdt-coordinator"),
                )
            ),
            "a second master for UID series-1@mdt-coordinator",
        ),
        (
            sample(
                change(
                    "RECURRENCE-ID;TZID=Europe/London:20270413T123000",
                    "RECURRENCE-ID;TZID=Europe/London:20270414T123000",  # a Wednesday
                )
            ),
            "RECURRENCE-ID 20270414T123000 hits no occurrence",
        ),
        (
            sample(
                change(
                    "RECURRENCE-ID;TZID=Europe/London:20270413T123000",
                    "RECURRENCE-ID;TZID=Europe/London:20270209T123000",  # excluded
                )
            ),
            "RECURRENCE-ID 20270209T123000 hits no occurrence",
        ),
        (sample(change("VERSION:2.0", None)), "VCALENDAR has no VERSION"),
        (
            sample(change("PRODID:-//Test//EN", "PRODID:-//Test//EN\r\nMETHOD:PUBLISH")),
            "a feed must not have METHOD",
        ),
        (
            sample(change("SUMMARY:A deadline", "BEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM")),
            "VALARM is not wanted",
        ),
        (
            sample(
                change(
                    "SUMMARY:A deadline",
                    "ATTENDEE;CN=Grace;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:g@example.org",
                )
            ),
            "ATTENDEE asks for a reply (RSVP=TRUE) that nothing reads",
        ),
    ],
)
def test_each_bad_sample_fails_for_its_own_reason(bad, problem):
    problems = lint(bad)
    assert any(problem in p for p in problems), problems


def test_an_invitation_needs_a_method():
    assert lint(sample(GOOD), feed=False) == ["an invitation needs METHOD"]
