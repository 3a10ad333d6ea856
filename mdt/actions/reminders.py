"""Reminders about action points: the owner before, on and weekly after the due date, and
the team's coordinators once an action is overdue by more than seven days. Registered (as
``KINDS``) by create_app; no patient and no description in them, only the team and dates."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.core.days import local_to_utc, to_local, working_days_before
from mdt.core.web import external_row_link
from mdt.meetings.models import Meeting
from mdt.meetings.reminders import active_coordinators, in_zones, teams_by_id
from mdt.reminders.due import (
    PERSON,
    Due,
    Person,
    Window,
    Words,
    long_day,
    of_shard,
    of_subjects,
    people_in,
    reminder_days,
    shared,
)
from mdt.reminders.kinds import ReminderKind, Source
from mdt.teams.models import Team

#: Three working days before a due date is at most eight calendar days (Christmas).
ACTION_LOOKAHEAD = timedelta(days=9)
#: Overdue by more than this, the team's coordinators hear about it (once).
ESCALATE_AFTER = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class OpenAction:
    """What a reminder about an open action reads of it (rows, not ActionPoint objects: a
    region's sweep reads ten thousand)."""

    id: int
    due_date: date
    team: Team
    owner: Person
    meeting_starts_at: datetime


def _open_actions(session: Session, window: Window) -> list[OpenAction]:
    return shared(session, window, _load_open_actions)


def _load_open_actions(session: Session, window: Window) -> list[OpenAction]:
    """Open actions with a reminder due on one of the window's reminder days in their team's
    time zone (an empty window loads nothing)."""
    days = reminder_days(session, window)
    if not days:
        return []
    oldest = session.scalar(
        sa.select(sa.func.min(ActionPoint.due_date)).where(
            ActionPoint.status == ActionStatus.OPEN,
            of_subjects(window, ActionPoint.id, "action"),
            of_shard(window, ActionPoint.team_id),
        )
    )
    if oldest is None:
        return []
    # Plain rows through the connection: the ORM's loading of columns cost more than the
    # query for ten thousand rows.
    rows = (
        session.connection()
        .execute(
            sa.select(
                ActionPoint.id,
                ActionPoint.due_date,
                ActionPoint.team_id,
                Meeting.starts_at,
                *PERSON,
            )
            .join(Team, Team.id == ActionPoint.team_id)
            .join(Meeting, Meeting.id == ActionPoint.meeting_id)
            .join(User, User.id == ActionPoint.owner_id)
            .where(
                ActionPoint.status == ActionStatus.OPEN,
                ActionPoint.due_date <= (window.until + ACTION_LOOKAHEAD).date(),
                of_subjects(window, ActionPoint.id, "action"),
                of_shard(window, ActionPoint.team_id),
                in_zones(days, lambda _, some: ActionPoint.due_date.in_(_due_dates(some, oldest))),
            )
        )
        .all()
    )
    teams = teams_by_id(session, (row.team_id for row in rows))
    owners = people_in(rows, at=4)
    return [OpenAction(row[0], row[1], teams[row[2]], owners[row[4]], row[3]) for row in rows]


def _due_dates(days: list[date], oldest: date) -> list[date]:
    """The due dates (not before `oldest`) of actions that can be reminded on these days:
    up to three working days ahead, on the day, weekly after, and the escalation."""
    found: set[date] = set()
    for day in days:
        found.update(day + timedelta(days=n) for n in range(ACTION_LOOKAHEAD.days + 1))
        found.update(_weeks_back(day, oldest))
        found.add(day - ESCALATE_AFTER - timedelta(days=1))
    return sorted(d for d in found if d >= oldest)


def _weeks_back(day: date, oldest: date) -> Iterator[date]:
    week = day - timedelta(days=7)
    while week >= oldest:
        yield week
        week -= timedelta(days=7)


def _days_in(window: Window) -> list[date]:
    """Every date a local reminder time in the window could fall on, in any time zone."""
    first, last = (
        (window.since - timedelta(days=1)).date(),
        (window.until + timedelta(days=1)).date(),
    )
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def action_due(session: Session, window: Window) -> Iterator[Due]:
    """The owner: three working days before the due date, on it, then weekly while overdue."""
    link = external_row_link("actions.detail", "action_id")
    times = Window(window.since, window.until, window.at)  # the same for every shard
    for action in _open_actions(session, window):
        if not action.owner.is_active:
            continue
        for day, due_at in _reminded_on(action.due_date, action.team.time_zone, times):
            yield _action_due(action, action.owner, day, due_at, "action_due", link)


# Kept: ten thousand open actions share a few hundred due dates, and each shard of a sweep
# asks about the same window.
@lru_cache(maxsize=8192)
def _reminded_on(due: date, zone: str, window: Window) -> tuple[tuple[date, datetime], ...]:
    """The days (and due times) in the window an open action due on `due` is reminded on."""
    wanted = {working_days_before(due, 3), due}
    wanted |= {d for d in _days_in(window) if d > due and (d - due).days % 7 == 0}
    return tuple(
        (day, due_at)
        for day in sorted(wanted)
        if (due_at := local_to_utc(day, window.at, zone)) in window
    )


def action_overdue_escalation(session: Session, window: Window) -> Iterator[Due]:
    """The team's coordinators, once, when an action is overdue by more than seven days."""
    escalated = []
    for action in _open_actions(session, window):
        day = action.due_date + ESCALATE_AFTER + timedelta(days=1)
        due_at = local_to_utc(day, window.at, action.team.time_zone)
        if due_at in window:
            escalated.append((action, day, due_at))
    coordinators = active_coordinators(session, (action.team.id for action, _, _ in escalated))
    link = external_row_link("actions.detail", "action_id")
    for action, day, due_at in escalated:
        for coordinator in coordinators.get(action.team.id, []):
            kind = "action_overdue_escalation"
            yield _action_due(action, coordinator, day, due_at, kind, link)


def _action_due(
    action: OpenAction,
    user: Person,
    day: date,
    due_at: datetime,
    kind: str,
    link: Callable[[int], str],
) -> Due:
    return Due(
        kind=kind,
        subject=f"action:{action.id}",
        user=user,
        team=action.team,
        due_at=due_at,
        happens_at=local_to_utc(action.due_date, time(0), action.team.time_zone),
        words=partial(_action_words, action, day, kind, link),
    )


def _action_words(action: OpenAction, day: date, kind: str, link: Callable[[int], str]) -> Words:
    team, due = action.team, action.due_date
    late = (day - due).days
    state = "due today" if late == 0 else (f"overdue by {late} days" if late > 0 else "due soon")
    headline = (
        f"Action overdue: {action.owner.name}, {team.name}"
        if kind == "action_overdue_escalation"
        else f"Action {state}, {team.name}"
    )
    return Words(
        headline,
        {
            "team": team.name,
            "state": state,
            "due": long_day(due),
            "owner": action.owner.name,
            "meeting": long_day(to_local(action.meeting_starts_at, team.time_zone).date()),
            "link": link(action.id),
        },
    )


def _action_due_item(d: Mapping[str, str]) -> str:
    return (
        f"{d['team']}: an action of yours is {d['state']} (due {d['due']}), "
        f"from the meeting on {d['meeting']}.\n"
        f"See it, and mark it done with a note: {d['link']}"
    )


def _escalation_item(d: Mapping[str, str]) -> str:
    return (
        f"{d['team']}: an action owned by {d['owner']} is {d['state']} "
        f"(it was due {d['due']}), from the meeting on {d['meeting']}.\n"
        f"Check it with them, hand it to someone else, or change its date: {d['link']}"
    )


_DERIVED_FROM = (
    Source(
        ActionPoint, ("team_id", "owner_id", "due_date", "status"), lambda _, a: [f"action:{a.id}"]
    ),
)

#: In the order the sweep derives them.
KINDS = (
    ReminderKind("action_due", action_due, _action_due_item, _DERIVED_FROM),
    ReminderKind(
        "action_overdue_escalation", action_overdue_escalation, _escalation_item, _DERIVED_FROM
    ),
)
