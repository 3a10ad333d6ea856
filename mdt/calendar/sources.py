"""Where feeds get their events: one small function per source, each returning events.

A person's feed is PERSON_SOURCES, a team's is TEAM_SOURCES. Preparation deadlines are an
AllDayEvent (VALUE=DATE, shown as free time), and so are action due dates.

Only names the team chose (team, series title, place, video link) and staff names go into
events; free-text reasons for a change, and anything about patients, never do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from mdt.accounts.models import User
from mdt.calendar.events import (
    AllDayEvent,
    Event,
    Moved,
    Recurrence,
    TimedEvent,
    Version,
    Window,
    uid,
)
from mdt.calendar.operations import meetings_in_feed
from mdt.core.days import clock_change_at, local_to_utc
from mdt.core.recurrence import Frequency, Rule
from mdt.core.web import external_url
from mdt.core.zones import WEEKDAY_CODES
from mdt.extensions import db
from mdt.meetings.models import Invitation, Meeting, MeetingStatus
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import Occurrence, OccurrenceState, occurrences
from mdt.teams.models import Membership, Team

# --- protected time ------------------------------------------------------------------------


def protected_time(team_ids: list[int] | sa.Select[tuple[int]], window: Window) -> list[Event]:
    """Each slot series of the teams as one recurring event over the window. An occurrence
    with a meeting booked in it gives way to the meeting (EXDATE), so a calendar holding
    both never shows that hour twice."""
    series = db.session.scalars(
        sa.select(SlotSeries)
        .where(SlotSeries.team_id.in_(team_ids))
        .options(selectinload(SlotSeries.exceptions), joinedload(SlotSeries.team))
        .order_by(SlotSeries.id)
    ).all()
    bookings = _bookings([s.id for s in series], window)
    events = [series_event(s, window, bookings.get(s.id, NOT_BOOKED)) for s in series]
    return [e for e in events if e is not None]


#: A series' booked occurrence dates, and when a meeting in its occurrences last changed.
Bookings = tuple[frozenset[date], datetime | None]
NOT_BOOKED: Bookings = (frozenset(), None)


def _bookings(series_ids: list[int], window: Window) -> dict[int, Bookings]:
    """Per series: the occurrence dates with a meeting booked, and the last change to any
    meeting in its occurrences (a booking or cancellation changes the series' EXDATEs)."""
    rows = db.session.execute(
        sa.select(Meeting.series_id, Meeting.occurrence_date, Meeting.status, Meeting.updated_at)
        .where(
            Meeting.series_id.in_(series_ids),
            Meeting.occurrence_date.between(window.first, window.last),
        )
        .order_by(Meeting.id)
    )
    found: dict[int, Bookings] = {}
    for series_id, day, status, changed in rows:
        booked, latest = found.get(series_id, NOT_BOOKED)
        if status is not MeetingStatus.CANCELLED:
            booked = booked | {day}
        found[series_id] = (booked, max(changed, latest) if latest else changed)
    return found


def rrule(rule: Rule) -> str:
    """Patterns Outlook can show: weekly with INTERVAL, or one ordinal weekday a month."""
    code = WEEKDAY_CODES[rule.weekday]
    if rule.frequency is Frequency.MONTHLY:
        return f"FREQ=MONTHLY;BYDAY={rule.ordinal or 1}{code}"
    interval = f";INTERVAL={rule.interval}" if rule.interval > 1 else ""
    return f"FREQ=WEEKLY{interval};BYDAY={code}"


def series_event(series: SlotSeries, window: Window, bookings: Bookings) -> TimedEvent | None:
    booked, meetings_changed = bookings
    length = timedelta(minutes=series.duration_minutes)
    rule = _recurrence(series, occurrences(series, window.first, window.last), booked, length)
    if rule is None:
        return None
    first = local_to_utc(rule.first.date(), rule.first.time(), series.time_zone)
    return TimedEvent(
        uid=uid("series", series.id),
        version=Version(
            series.revision - 1,
            max(series.updated_at, meetings_changed or series.updated_at),
            series.created_at,
        ),
        starts_at=first,
        ends_at=first + length,
        zone=series.time_zone,
        summary=f"{series.team.name}: {series.title} (protected time)",
        location=series.location,
        description=_series_description(series),
        url=external_url("slots.index", team_id=series.team_id),
        recurrence=rule,
    )


def _recurrence(
    series: SlotSeries, occs: list[Occurrence], booked: frozenset[date], length: timedelta
) -> Recurrence | None:
    def start(occ: Occurrence) -> datetime:  # the wall-clock time the rule gives, even if moved
        return datetime.combine(occ.original_date, series.start_time)

    gone = (OccurrenceState.CANCELLED, OccurrenceState.SKIPPED)
    excluded = {start(o) for o in occs if o.state in gone or o.original_date in booked}
    # Leading and trailing occurrences that do not take place are left out of the rule
    # rather than excluded from it: some apps mishandle an EXDATE on DTSTART itself.
    shown = [start(o) for o in occs if start(o) not in excluded]
    if not shown:
        return None
    moved = [
        Moved(start(o), o.starts_at, o.ends_at)
        for o in occs
        if o.state is OccurrenceState.MOVED and o.original_date not in booked
    ]
    # Series stored before such starts were refused may begin in a spring-forward gap:
    # the rule starts at the first start that exists, those before it are added (RDATE).
    zone = series.time_zone
    leading = list(itertools.takewhile(lambda s: _skipped(s, zone), shown[:-1]))
    shown = shown[len(leading) :]
    added = tuple(local_to_utc(s.date(), s.time(), zone) for s in leading)
    inner = tuple(sorted(e for e in excluded if shown[0] < e < shown[-1]))
    until = local_to_utc(shown[-1].date(), shown[-1].time(), zone)
    return Recurrence(shown[0], length, rrule(series.rule), until, inner, tuple(moved), added)


def _skipped(wall: datetime, zone: str) -> bool:
    change = clock_change_at(wall.date(), wall.time(), zone)
    return change is not None and change.forward


def _series_description(series: SlotSeries) -> str:
    lines = [
        f"Protected time for {series.team.name} meetings: {series.rule.describe()}, "
        f"{series.start_time:%H:%M} ({series.time_zone}).",
        "A meeting booked in this time replaces it in your calendar.",
    ]
    if series.video_link:
        lines.append(f"Video: {series.video_link}")
    return "\n".join(lines)


# --- meetings ------------------------------------------------------------------------------


def in_window(window: Window) -> sa.ColumnElement[bool]:
    """Meetings starting in the window. The bounds are written into the SQL (they change once
    a month): PostgreSQL's generic plan for a prepared statement guesses a range parameter
    narrow, and then starts from every meeting in the window (8 ms instead of 1 at region
    scale when the feed's validator is prepared)."""
    bounds = window_bounds(window)
    return sa.and_(
        Meeting.starts_at >= _fixed("window_starts", bounds["window_starts"]),
        Meeting.starts_at < _fixed("window_ends", bounds["window_ends"]),
    )


def window_bounds(window: Window) -> dict[str, datetime]:
    """in_window's parameters: the first instant of the window and the first after it."""
    return {
        "window_starts": datetime.combine(window.first, time(0), tzinfo=UTC),
        "window_ends": datetime.combine(window.last + timedelta(days=1), time(0), tzinfo=UTC),
    }


def _fixed(name: str, value: datetime) -> sa.BindParameter[datetime]:
    """A bound value written into the SQL; by name, so that a prepared statement (the feed's
    validator) can be given another window."""
    return sa.bindparam(name, value, type_=Meeting.starts_at.type, literal_execute=True)


def _meetings(query: sa.Select[tuple[Meeting]], window: Window) -> list[Event]:
    rows = db.session.scalars(
        query.where(Meeting.status != MeetingStatus.CANCELLED, in_window(window))
        .options(
            joinedload(Meeting.team),
            joinedload(Meeting.chair),
            joinedload(Meeting.minute_taker),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [meeting_event(m) for m in rows]


def meeting_event(meeting: Meeting, status: str = "CONFIRMED") -> TimedEvent:
    return TimedEvent(
        uid=uid("meeting", meeting.id),
        version=Version(meeting.revision - 1, meeting.updated_at, meeting.created_at),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        zone=meeting.team.time_zone,
        summary=f"{meeting.team.name} meeting",
        location=meeting.location,
        description=_meeting_description(meeting),
        url=external_url("meetings.detail", meeting_id=meeting.id),
        status=status,
    )


def _meeting_description(meeting: Meeting) -> str:
    lines = [f"The {meeting.team.mdt_name} meeting."]
    if meeting.chair is not None:
        lines.append(f"Chair: {meeting.chair.name}")
    if meeting.minute_taker is not None:
        lines.append(f"Minute-taker: {meeting.minute_taker.name}")
    if meeting.video_link:
        lines.append(f"Video: {meeting.video_link}")
    lines.append("Reply (in person, remotely, or apologies) in MDT Coordinator:")
    lines.append(external_url("meetings.detail", meeting_id=meeting.id))
    return "\n".join(lines)


# --- the feeds' sources --------------------------------------------------------------------


def teams_of(user: User) -> sa.Select[tuple[int]]:
    """The person's teams, as a subquery (one statement fewer in a feed)."""
    return sa.select(Membership.team_id).where(Membership.user_id == user.id)


def person_protected_time(user: User, window: Window) -> list[Event]:
    return protected_time(teams_of(user), window)


def person_meetings(user: User, window: Window) -> list[Event]:
    """Meetings the person is invited to, unless they choose to get them only by email."""
    if not meetings_in_feed(user):
        return []
    invited = sa.select(Meeting).join(Invitation).where(Invitation.user_id == user.id)
    return _meetings(invited, window)


def team_protected_time(team: Team, window: Window) -> list[Event]:
    return protected_time([team.id], window)


def team_meetings(team: Team, window: Window) -> list[Event]:
    return _meetings(sa.select(Meeting).where(Meeting.team_id == team.id), window)


# --- preparation deadlines -----------------------------------------------------------------


def person_prep_deadlines(user: User, window: Window) -> list[Event]:
    """One all-day event per meeting on the day its agenda closes, while the person still
    owes preparation for it: a count and the team, never who the patients are."""
    from mdt.agenda.cutoff import closing_day
    from mdt.agenda.models import Case
    from mdt.prep.models import PrepRequest

    rows = db.session.execute(
        sa.select(PrepRequest, Case.created_at, Meeting)
        .join(Case, Case.id == PrepRequest.case_id)
        .join(Meeting, Meeting.id == Case.meeting_id)
        .where(
            PrepRequest.user_id == user.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            in_window(window),
        )
        .options(joinedload(Meeting.team))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    by_meeting: dict[int, tuple[Meeting, list[tuple[PrepRequest, datetime]]]] = {}
    for request, added, meeting in rows:
        by_meeting.setdefault(meeting.id, (meeting, []))[1].append((request, added))
    events: list[Event] = []
    for meeting, requests in by_meeting.values():
        owed = sum(1 for r, _ in requests if r.completed_at is None)
        if owed:
            events.append(_prep_event(meeting, requests, owed, closing_day(meeting)))
    return events


def _prep_event(
    meeting: Meeting, requests: list[tuple[Any, datetime]], owed: int, day: date
) -> AllDayEvent:
    done = [r.completed_at for r, _ in requests if r.completed_at is not None]
    # Each request asked and each one done moves the event on, so SEQUENCE only rises.
    changed = max([added for _, added in requests] + done + [meeting.updated_at])
    patients = "patient" if owed == 1 else "patients"
    return AllDayEvent(
        uid=uid("prep-due", meeting.id),
        version=Version(len(requests) + len(done), changed, meeting.created_at),
        day=day,
        summary=f"Prep due: {owed} {patients}, {meeting.team.name}",
        description="Preparation for the MDT meeting is due by the end of today. "
        "See what you owe in MDT Coordinator:\n" + external_url("prep.mine"),
        url=external_url("prep.mine"),
    )


# --- action due dates ----------------------------------------------------------------------


def person_action_due_dates(user: User, window: Window) -> list[Event]:
    """One all-day event per open action the person owns, on its due date: the team only,
    never what the action is or whom it is about (a feed is readable by anyone with its link)."""
    from mdt.actions.models import ActionPoint, ActionStatus

    actions = db.session.scalars(
        sa.select(ActionPoint)
        .where(
            ActionPoint.owner_id == user.id,
            ActionPoint.status == ActionStatus.OPEN,
            ActionPoint.due_date >= window.first,
            ActionPoint.due_date <= window.last,
        )
        .options(joinedload(ActionPoint.team))
        .order_by(ActionPoint.due_date, ActionPoint.id)
    )
    return [
        AllDayEvent(
            uid=uid("action-due", a.id),
            version=Version(a.revision, a.updated_at, a.created_at),
            day=a.due_date,
            summary=f"Action due, {a.team.name}",
            description="An action from an MDT meeting is due today. What it is, and marking "
            "it done, in MDT Coordinator:\n" + external_url("actions.detail", action_id=a.id),
            url=external_url("actions.detail", action_id=a.id),
        )
        for a in actions
    ]


PERSON_SOURCES: tuple[Callable[[User, Window], list[Event]], ...] = (
    person_protected_time,
    person_meetings,
    person_prep_deadlines,
    person_action_due_dates,
)
TEAM_SOURCES: tuple[Callable[[Team, Window], list[Event]], ...] = (
    team_protected_time,
    team_meetings,
)
