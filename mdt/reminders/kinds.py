"""What is reminded: one producer function per kind, registered in KINDS.

A producer gets a window and yields a ``Due`` for every reminder of its kind whose due time
falls in it and whose subject still needs it (a cancelled meeting yields nothing). The sweep
asks about the time since the last sweep (usually a minute: most hold no digest time, and a
producer then returns without a query), and again, over the past week, about the subjects of
unsent reminders and of what changed since: that is how it learns that a reminder created
earlier is no longer wanted, so a producer must honour ``window.subjects`` in its SQL. To add
a kind: write its producer (in its feature's folder, as mdt/actions/reminders.py does), add it
to KINDS, note its subjects in mdt/reminders/recheck.py, and add its words to ITEMS in
``mdt/reminders/texts.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from mdt.accounts.models import User
from mdt.actions.reminders import action_due, action_overdue_escalation
from mdt.core.days import end_of_day, local_to_utc, next_working_day, to_local
from mdt.core.web import external_row_link, external_url
from mdt.meetings.models import Invitation, Meeting, MeetingStatus, Reply
from mdt.minutes.reminders import minutes_not_sent
from mdt.reminders.due import (
    NO_TEAM_ZONE,
    PERSON,
    SHARED,
    Due,
    Person,
    Producer,
    Window,
    Words,
    active_coordinators,
    in_zones,
    long_moment,
    of_subjects,
    people_in,
    reminder_days,
    shared,
    teams_by_id,
)
from mdt.reminders.timing import previous_working_day
from mdt.teams.models import Team

if TYPE_CHECKING:
    from mdt.directory.reminders import OwnedEntry

#: The longest a meeting can be after the working day before it: Christmas or Easter
#: (five days) with a weekend meeting's margin.
MEETING_LOOKAHEAD = timedelta(days=8)


@dataclass(frozen=True, slots=True)
class Invited:
    """An invitee of a meeting to come, as the reminder the day before reads them (rows,
    not Meeting and Invitation objects: a region's digest day has a thousand or more)."""

    meeting_id: int
    starts_at: datetime
    location: str
    video_link: str
    outside_protected_reason: str | None
    team: Team
    user: Person
    reply: Reply
    #: The name of whom they cover for, or "".
    covering: str


def meeting_tomorrow(session: Session, window: Window) -> Iterator[Due]:
    """Each active invitee without apologies, at the reminder time on the working day before."""
    days = reminder_days(session, window)
    if not days:
        return
    covered = aliased(User)
    rows = (
        session.connection()
        .execute(
            sa.select(
                Meeting.id,
                Meeting.starts_at,
                Meeting.team_id,
                Meeting.location,
                Meeting.video_link,
                Meeting.outside_protected_reason,
                Invitation.reply,
                covered.name,
                *PERSON,
            )
            .join(Team, Team.id == Meeting.team_id)
            .join(Invitation, Invitation.meeting_id == Meeting.id)
            .join(User, User.id == Invitation.user_id)
            .outerjoin(covered, covered.id == Invitation.covering_for_id)
            .where(
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > window.until,
                Meeting.starts_at <= window.until + MEETING_LOOKAHEAD,
                of_subjects(window, Meeting.id, "meeting"),
                in_zones(days, _starting_after),
                Invitation.reply != Reply.APOLOGIES,
                User.is_active.is_(True),
            )
            .order_by(Meeting.starts_at, Meeting.id, Invitation.id)
        )
        .all()
    )
    teams = teams_by_id(session, (row.team_id for row in rows))
    people = people_in(row[8:] for row in rows)
    link = external_row_link("meetings.detail", "meeting_id")
    for row in rows:
        team = teams[row.team_id]
        day = to_local(row.starts_at, team.time_zone).date()
        due_at = local_to_utc(previous_working_day(day), window.at, team.time_zone)
        if due_at in window:
            invited = Invited(*row[:2], *row[3:6], team, people[row[8]], row[6], row[7] or "")
            yield _meeting_due(invited, due_at, link)


def _starting_after(zone: str, days: list[date]) -> sa.ColumnElement[bool]:
    """Starts on a day whose working day before is one of `days` (up to the next working day)."""
    return sa.or_(
        *(
            sa.and_(
                Meeting.starts_at >= local_to_utc(day + timedelta(days=1), time(0), zone),
                Meeting.starts_at < end_of_day(next_working_day(day), zone),
            )
            for day in days
        )
    )


def _meeting_due(invited: Invited, due_at: datetime, link: Callable[[int], str]) -> Due:
    return Due(
        kind="meeting_tomorrow",
        subject=f"meeting:{invited.meeting_id}",
        user=invited.user,
        team=invited.team,
        due_at=due_at,
        happens_at=invited.starts_at,
        words=partial(_meeting_words, invited, link),
    )


def _meeting_words(invited: Invited, link: Callable[[int], str]) -> Words:
    team, zone = invited.team, invited.team.time_zone
    when = to_local(invited.starts_at, zone)
    return Words(
        f"{team.name} meeting on {when:%a %-d %b} at {when:%H:%M}",
        {
            "team": team.name,
            "when": f"{when:%A %-d %B %Y, %H:%M} ({zone})",
            "where": invited.location or "not set yet",
            "video": invited.video_link,
            "reply": invited.reply.label,
            "covering": invited.covering,
            "outside_protected": invited.outside_protected_reason or "",
            "link": link(invited.meeting_id),
        },
    )


#: Agendas close at most a few weeks before their meeting (the team's cut-off in working
#: days, bank holidays between).
PREP_LOOKAHEAD = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class OpenPrep:
    """A person's open preparation for one meeting: what reminders about it read (rows, not
    Meeting objects: a region's sweep reads thousands)."""

    meeting_id: int
    starts_at: datetime
    team: Team
    user: Person
    #: Their open requests for the meeting (patients still to prepare).
    owed: int

    @property
    def closes(self) -> date:
        from mdt.agenda.cutoff import closing_day_of

        meeting_day = to_local(self.starts_at, self.team.time_zone).date()
        return closing_day_of(meeting_day, self.team.agenda_cutoff_days)


def _open_prep(session: Session, window: Window) -> list[OpenPrep]:
    return shared(session, window, _load_open_prep)


def _load_open_prep(session: Session, window: Window) -> list[OpenPrep]:
    """Open preparation, by meeting and person, for meetings whose agenda may close around
    now (an empty window loads nothing)."""
    from mdt.agenda.models import Case
    from mdt.prep.models import PrepRequest

    if not reminder_days(session, window):
        return []
    # Plain rows through the connection: the ORM's loading of columns cost more than the
    # query for ten thousand rows.
    rows = (
        session.connection()
        .execute(
            sa.select(
                Meeting.id,
                Meeting.starts_at,
                Meeting.team_id,
                sa.func.count(PrepRequest.id),
                *PERSON,
            )
            .join(Case, Case.meeting_id == Meeting.id)
            .join(PrepRequest, PrepRequest.case_id == Case.id)
            .join(User, User.id == PrepRequest.user_id)
            .where(
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > window.since,
                Meeting.starts_at <= window.until + PREP_LOOKAHEAD,
                PrepRequest.completed_at.is_(None),
                of_subjects(window, Meeting.id, "prep", "prep-open"),
            )
            .group_by(Meeting.id, User.id)
        )
        .all()
    )
    teams = teams_by_id(session, (row.team_id for row in rows))
    people = people_in(row[4:] for row in rows)
    return [
        OpenPrep(row.id, row.starts_at, teams[row.team_id], people[row[4]], row[3]) for row in rows
    ]


def prep_due(session: Session, window: Window) -> Iterator[Due]:
    """Whoever still owes preparation for a meeting: two working days before its agenda
    closes, and on the morning it closes."""
    from mdt.core.days import working_days_before

    link = external_url("prep.mine")
    for prep in _open_prep(session, window):
        if not prep.user.is_active:
            continue
        closes = prep.closes
        for day in (working_days_before(closes, 2), closes):
            due_at = local_to_utc(day, window.at, prep.team.time_zone)
            if due_at in window:
                yield _prep_due(prep, closes, due_at, link)


def _prep_due(prep: OpenPrep, closes: date, due_at: datetime, link: str) -> Due:
    return Due(
        kind="prep_due",
        subject=f"prep:{prep.meeting_id}",
        user=prep.user,
        team=prep.team,
        due_at=due_at,
        happens_at=prep.starts_at,
        words=partial(_prep_words, prep, closes, link),
    )


def _prep_words(prep: OpenPrep, closes: date, link: str) -> Words:
    team, owed = prep.team, prep.owed
    patients = "1 patient" if owed == 1 else f"{owed} patients"
    return Words(
        f"Prep due: {patients}, {team.name}",
        {
            "team": team.name,
            "patients": patients,
            "closes": f"{closes:%A %-d %B}",
            "meeting": long_moment(prep.starts_at, team.time_zone),
            "link": link,
        },
    )


def prep_open_at_cut_off(session: Session, window: Window) -> Iterator[Due]:
    """The team's coordinators, on the first working day after an agenda closed with
    preparation still open: one summary of who still owes how much."""
    from mdt.core.days import next_working_day

    owed: dict[int, tuple[OpenPrep, list[str]]] = {}
    for prep in _open_prep(session, window):
        owed.setdefault(prep.meeting_id, (prep, []))[1].append(f"{prep.user.name} ({prep.owed})")
    closed = []
    for prep, people in owed.values():
        due_at = local_to_utc(next_working_day(prep.closes), window.at, prep.team.time_zone)
        if due_at in window and prep.starts_at > due_at:
            closed.append((prep, sorted(people), due_at))
    coordinators = active_coordinators(session, (prep.team.id for prep, _, _ in closed))
    for prep, people, due_at in closed:
        for coordinator in coordinators.get(prep.team.id, []):
            yield _open_summary(prep, coordinator, people, due_at)


def _open_summary(prep: OpenPrep, user: Person, people: list[str], due_at: datetime) -> Due:
    return Due(
        kind="prep_open_at_cut_off",
        subject=f"prep-open:{prep.meeting_id}",
        user=user,
        team=prep.team,
        due_at=due_at,
        happens_at=prep.starts_at,
        words=partial(_open_summary_words, prep, people),
    )


def _open_summary_words(prep: OpenPrep, people: list[str]) -> Words:
    team = prep.team
    when = to_local(prep.starts_at, team.time_zone)
    return Words(
        f"Prep still open: {team.name} meeting on {when:%a %-d %b}",
        {
            "team": team.name,
            "meeting": f"{when:%A %-d %B %Y, %H:%M}",
            "people": ", ".join(people),
            "link": external_url("prep.readiness_page", meeting_id=prep.meeting_id),
        },
    )


def directory_entry_stale(session: Session, window: Window) -> Iterator[Due]:
    """The owner of a directory entry (a service's owner; a person for their own entry), at
    the digest time on the day it turns stale. The due time follows from when it was last
    checked, so the same staleness is reminded once, and "Still correct" both resolves a
    reminder not yet sent and starts the next 90 days."""
    from mdt.directory.models import STALE_AFTER, stale_on
    from mdt.directory.reminders import entries_checked_between

    days = window.days(NO_TEAM_ZONE)
    if not days:
        return
    # Checked on these days (with a day's margin either side) turn stale on the window's.
    earliest = local_to_utc(days[0] - STALE_AFTER - timedelta(days=1), time(0), NO_TEAM_ZONE)
    latest = local_to_utc(days[-1] - STALE_AFTER + timedelta(days=2), time(0), NO_TEAM_ZONE)
    for entry in entries_checked_between(session, earliest, latest, window):
        day = stale_on(entry.verified_at)
        due_at = local_to_utc(day, window.at, NO_TEAM_ZONE)
        if due_at in window:
            yield Due(
                kind="directory_entry_stale",
                subject=entry.subject,
                user=entry.owner,
                team=None,
                due_at=due_at,
                happens_at=due_at,
                words=partial(_stale_entry_words, entry),
            )


def _stale_entry_words(entry: OwnedEntry) -> Words:
    return Words(
        f"Directory entry to check: {entry.name}",
        {
            "name": entry.name,
            "what": entry.what,
            "checked": f"{to_local(entry.verified_at, NO_TEAM_ZONE):%-d %B %Y}",
            "link": entry.link,
        },
    )


KINDS: dict[str, Producer] = {
    "meeting_tomorrow": meeting_tomorrow,
    "prep_due": prep_due,
    "prep_open_at_cut_off": prep_open_at_cut_off,
    "action_due": action_due,
    "action_overdue_escalation": action_overdue_escalation,
    "minutes_not_sent": minutes_not_sent,
    "directory_entry_stale": directory_entry_stale,
}


def produce(session: Session, window: Window) -> dict[tuple[str, str, int, datetime], Due]:
    session.info[SHARED] = {}
    try:
        return {
            due.key: due
            for producer in KINDS.values()
            for due in producer(session, window)
            if window.subjects is None or due.subject in window.subjects
        }
    finally:
        del session.info[SHARED]
