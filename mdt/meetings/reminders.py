"""Reminders of meetings: the one the day before, and what every team's reminders read of
teams (their time zones, names and coordinators), which mdt.reminders, below teams, cannot."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from mdt.accounts.models import User
from mdt.core.days import end_of_day, local_to_utc, next_working_day, to_local
from mdt.core.db import among
from mdt.core.web import external_row_link
from mdt.meetings.models import Invitation, Meeting, MeetingStatus, Reply
from mdt.reminders.due import (
    PERSON,
    Due,
    Person,
    Window,
    Words,
    of_shard,
    of_subjects,
    people_in,
    register_zones,
    reminder_days,
)
from mdt.reminders.kinds import ReminderKind, Source
from mdt.reminders.timing import previous_working_day
from mdt.teams.models import Membership, Team, TeamRole


def team_zones(session: Session) -> list[str]:
    """The time zones teams are in, each once."""
    return list(session.scalars(sa.select(Team.time_zone).distinct()))


# On import, with the kinds below: every team's reminders are due in its time zone.
register_zones(team_zones)


def teams_by_id(session: Session, ids: Iterable[int]) -> dict[int, Team]:
    """The teams a producer's rows name, loaded once each (not joined to every row)."""
    if not (wanted := set(ids)):
        return {}
    teams = session.scalars(sa.select(Team).where(among(Team.id, wanted)))
    return {team.id: team for team in teams}


def active_coordinators(session: Session, team_ids: Iterable[int]) -> dict[int, list[Person]]:
    """Team.active_coordinators() of each team, in one query rather than every member of
    each team (a region's sweep spans hundreds of teams)."""
    found: dict[int, list[Person]] = {}
    if not (wanted := set(team_ids)):
        return found
    rows = session.execute(
        sa.select(Membership.team_id, *PERSON)
        .join(User, User.id == Membership.user_id)
        .where(
            among(Membership.team_id, wanted),
            Membership.role == TeamRole.COORDINATOR,
            User.is_active,
        )
        .order_by(Membership.id)
    )
    for team_id, *person in rows:
        found.setdefault(team_id, []).append(Person(*person))
    return found


def in_zones(
    days: Mapping[str, list[date]], condition: Callable[[str, list[date]], sa.ColumnElement[bool]]
) -> sa.ColumnElement[bool]:
    """Team.time_zone is one of `days`' zones and `condition` holds for its days (the caller
    joins Team)."""
    return sa.or_(
        *(sa.and_(Team.time_zone == zone, condition(zone, some)) for zone, some in days.items())
    )


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
                of_shard(window, Meeting.team_id),
                in_zones(days, _starting_after),
                Invitation.reply != Reply.APOLOGIES,
                User.is_active.is_(True),
            )
            .order_by(Meeting.starts_at, Meeting.id, Invitation.id)
        )
        .all()
    )
    teams = teams_by_id(session, (row.team_id for row in rows))
    people = people_in(rows, at=8)
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


def _meeting_tomorrow(d: Mapping[str, str]) -> str:
    lines = [f"{d['team']} meeting", f"When: {d['when']}", f"Where: {d['where']}"]
    if d["video"]:
        lines.append(f"Video: {d['video']}")
    if d["outside_protected"]:
        lines.append(f"Outside the team's protected time: {d['outside_protected']}")
    if d["covering"]:
        lines.append(f"You are covering for {d['covering']}.")
    lines += [f"Your reply: {d['reply']}", f"Details, and to change your reply: {d['link']}"]
    return "\n".join(lines)


MEETING_TOMORROW = ReminderKind(
    "meeting_tomorrow",
    meeting_tomorrow,
    _meeting_tomorrow,
    derived_from=(
        Source(Meeting, ("team_id", "starts_at", "status"), lambda _, m: [f"meeting:{m.id}"]),
        Source(Invitation, ("user_id", "reply"), lambda _, i: [f"meeting:{i.meeting_id}"]),
    ),
)

#: In the order the sweep derives them.
KINDS = (MEETING_TOMORROW,)
