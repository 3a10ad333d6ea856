"""The demo's protected time, members' clinics and leave, and a booked meeting with replies.

Dates follow the day the demo is loaded, so there is always something upcoming.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.availability.models import Commitment, CommitmentKind
from mdt.core.recurrence import Frequency
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings import operations as meetings
from mdt.meetings.models import Reply
from mdt.meetings.queries import meeting_in_occurrence
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import next_occurrences
from mdt.teams.models import Team

RIVERSIDE, OAKFIELD = "Riverside Neighbourhood MDT", "Oakfield Frailty MDT"

# (person, label, weekday, start, end): the GP's surgery ends as the MDT starts (no clash);
# Dr Okafor's Tuesday afternoon list and Chris Doyle's Thursday clinic clash on purpose.
RECURRING = [
    ("priya.shah", "Tuesday morning surgery", 1, time(8, 30), time(12, 30)),
    ("tom.okafor", "Tuesday afternoon surgery", 1, time(13, 30), time(17, 30)),
    ("sam.whitfield", "Duty desk", 3, time(9, 0), time(17, 0)),
    ("jo.clarke", "Home visits", 1, time(9, 15), time(12, 0)),
    ("chris.doyle", "Falls clinic", 3, time(9, 0), time(13, 30)),
    ("grace.adeyemi", "Immunisation clinic", 3, time(14, 0), time(17, 0)),
]


def load_meetings(teams: dict[str, Team], people: dict[str, User], today: date) -> None:
    riverside = _series(
        teams[RIVERSIDE],
        "Monthly MDT",
        # Running for over a year: a past meeting with minutes and actions, and a year of
        # meetings before it for the team report (mdt/demo/history.py).
        today - timedelta(days=400),
        frequency=Frequency.MONTHLY,
        weekday=1,
        ordinal=2,
        start_time=time(12, 30),
        duration_minutes=90,
    )
    _series(
        teams[OAKFIELD],
        "Frailty huddle",
        today,
        frequency=Frequency.WEEKLY,
        weekday=3,
        start_time=time(13, 0),
        duration_minutes=60,
    )
    for local, label, weekday, start, end in RECURRING:
        _recurring(people[local], label, weekday, start, end, today)
    now = now_utc()
    # Only those still to start: on the meeting's own day, today's may already have begun.
    upcoming = [o for o in next_occurrences(riverside, today, 3) if o.takes_place]
    upcoming = [o for o in upcoming if o.starts_at > now]
    # Dr Green is on leave for the second meeting; her deputy Nina Patel keeps it quorate.
    _absence(people["rachel.green"], "Annual leave", upcoming[1].original_date)
    _book_with_replies(teams[RIVERSIDE], riverside, upcoming[0], people, now)


def _series(team: Team, title: str, today: date, **fields: object) -> SlotSeries:
    found = db.session.scalar(
        sa.select(SlotSeries).where(SlotSeries.team_id == team.id, SlotSeries.title == title)
    )
    if found is None:
        start = today - timedelta(days=today.weekday())  # the Monday of this week
        found = SlotSeries(
            team_id=team.id,
            title=title,
            start_date=start,
            time_zone=team.time_zone,
            location=team.default_location,
            video_link=team.default_video_link,
            **fields,
        )
        db.session.add(found)
        db.session.flush()
    return found


def _exists(user: User, label: str) -> bool:
    return (
        db.session.scalar(
            sa.select(Commitment.id).where(Commitment.user_id == user.id, Commitment.label == label)
        )
        is not None
    )


def _recurring(user: User, label: str, weekday: int, start: time, end: time, today: date) -> None:
    if not _exists(user, label):
        db.session.add(
            Commitment(
                user_id=user.id,
                kind=CommitmentKind.RECURRING,
                label=label,
                frequency=Frequency.WEEKLY,
                weekday=weekday,
                start_date=today - timedelta(days=90),
                start_time=start,
                end_time=end,
            )
        )


def _absence(user: User, label: str, day: date) -> None:
    if not _exists(user, label):
        db.session.add(
            Commitment(
                user_id=user.id,
                kind=CommitmentKind.ABSENCE,
                label=label,
                start_date=day - timedelta(days=2),
                end_date=day + timedelta(days=2),
            )
        )
    db.session.flush()


def _book_with_replies(team: Team, series: SlotSeries, occurrence, people, now) -> None:  # type: ignore[no-untyped-def]
    if meeting_in_occurrence(series.id, occurrence.original_date) is not None:
        return
    meeting = meetings.book_occurrence(team, series, occurrence, now)
    meeting.minute_taker = people["alex.morgan"]
    replies = {
        "priya.shah": (Reply.IN_PERSON, None),
        "sam.whitfield": (Reply.REMOTE, None),
        "jo.clarke": (Reply.APOLOGIES, "ben.hughes"),
        "helen.price": (Reply.IN_PERSON, None),
    }
    for local, (answer, cover) in replies.items():
        invitation = meeting.invitation_of(people[local])
        if invitation is not None:
            meetings.reply(meeting, invitation, answer, people[cover] if cover else None)
