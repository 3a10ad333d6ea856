"""What the dashboard reads: the person's own lists, and, for each team whose meetings they
run, the next meeting at a glance. A fixed number of statements whatever the number of teams,
invitees, cases or actions (tests/dashboard/test_query_counts.py): each read below covers
every team at once and returns plain rows.

Who runs a team's meetings: its coordinators and chairs (as for the team's actions list,
mdt.actions.team.can_see_team_actions), and a member named chair of one of its meetings to
come (mdt.dashboard.access.runs_meeting says the same of one meeting).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.agenda.cutoff import closing_day_of
from mdt.agenda.models import Case
from mdt.core.days import SERVICE_ZONE, to_local, today_in
from mdt.core.db import UTCDateTime
from mdt.dashboard.owing import (
    REMINDER_KIND,
    Readiness,
    readiness,
    reminder_day,
    reminder_subject,
)
from mdt.dashboard.preparation import Agenda, agenda_rows, covers_in, invitation_rows
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus, Reply
from mdt.prep.models import PrepRequest
from mdt.reminders.models import Reminder
from mdt.teams.models import Membership, Team, TeamRole

RUN_ROLES = (TeamRole.COORDINATOR, TeamRole.CHAIR)
#: How many overdue actions, and meetings without minutes, a team's panel lists by name.
LISTED = 3
#: The parameters of the statements built once (below), bound on each request.
USER_ID = sa.bindparam("user_id", type_=sa.Integer)
NOW = sa.bindparam("now", type_=UTCDateTime)

# --- the person's own ----------------------------------------------------------------------


def my_teams(user: User) -> list[sa.Row[tuple[int, str, TeamRole, str]]]:
    """Each of the person's teams (team_id, team, role, discipline), by name: all the list
    shows. A Membership would bring its person and deputy, each joined to an organisation."""
    rows = db.read_rows(_my_teams_statement(), {"user_id": user.id}).all()
    return sorted(rows, key=lambda m: m.team)


@cache
def _my_teams_statement() -> sa.Select[Any]:
    return (
        sa.select(
            Team.id.label("team_id"),
            Team.name.label("team"),
            Membership.role,
            Membership.discipline,
        )
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.user_id == USER_ID)
    )


def actions_owed(user: User) -> tuple[int, int]:
    """(open actions the person owns, of which overdue), in one query."""
    params = {"user_id": user.id, "today": today_in(SERVICE_ZONE)}
    row = db.read_rows(_actions_owed_statement(), params).one()
    return int(row[0]), int(row[1])


@cache
def _actions_owed_statement() -> sa.Select[Any]:
    overdue = sa.case((ActionPoint.due_date < sa.bindparam("today", type_=sa.Date), 1), else_=0)
    return sa.select(
        sa.func.count(ActionPoint.id), sa.func.coalesce(sa.func.sum(overdue), 0)
    ).where(ActionPoint.owner_id == USER_ID, ActionPoint.status == ActionStatus.OPEN)


def prep_owed(user: User, now: datetime) -> tuple[int, int]:
    """(open preparation requests, of which overdue) for meetings still to come."""
    row = db.read_rows(_prep_owed_statement(), {"user_id": user.id, "now": now}).one()
    return int(row[0]), int(row[1])


@cache
def _prep_owed_statement() -> sa.Select[Any]:
    overdue = sa.case((PrepRequest.due_at < NOW, 1), else_=0)
    return (
        sa.select(sa.func.count(PrepRequest.id), sa.func.coalesce(sa.func.sum(overdue), 0))
        .join(Case, Case.id == PrepRequest.case_id)
        .join(Meeting, Meeting.id == Case.meeting_id)
        .where(
            PrepRequest.user_id == USER_ID,
            PrepRequest.completed_at.is_(None),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ends_at > NOW,
        )
    )


# --- the meetings they run -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunTeam:
    id: int
    name: str
    time_zone: str
    agenda_cutoff_days: int


@dataclass(frozen=True, slots=True)
class NextMeeting:
    id: int
    #: Local to the team.
    starts: datetime
    ends: datetime
    location: str
    video_link: str
    #: The last day routine cases can be added, and whether it has passed.
    closes: date
    closed: bool
    #: It is today (where the team meets): Meeting mode is the page to open.
    today: bool


@dataclass(frozen=True, slots=True)
class Replies:
    replied: int
    invited: int
    #: Names of those who have not replied, by name.
    waiting: list[str]


@dataclass(frozen=True, slots=True)
class OverdueAction:
    id: int
    description: str
    owner: str
    due_date: date
    patient_id: int | None


@dataclass(frozen=True, slots=True)
class UnsentMinutes:
    id: int
    starts: datetime


@dataclass
class Panel:
    """One team's next meeting and loose ends, as its coordinator or chair sees them."""

    team: RunTeam
    meeting: NextMeeting | None = None
    replies: Replies | None = None
    cases: int = 0
    readiness: Readiness | None = None
    #: Names of those reminded today to prepare for the next meeting.
    reminded_today: list[str] = field(default_factory=list)
    overdue_count: int = 0
    overdue: list[OverdueAction] = field(default_factory=list)
    unsent_count: int = 0
    unsent: list[UnsentMinutes] = field(default_factory=list)

    @property
    def patient_ids(self) -> list[int]:
        return [a.patient_id for a in self.overdue if a.patient_id is not None]


def panels(user: User, now: datetime) -> list[Panel]:
    """A panel for each team whose meetings the person runs, by team name."""
    by_id = _teams_and_next_meetings(user, now)
    if not by_id:
        return []
    _add_meeting_facts(by_id, now)
    teams = [panel.team for panel in by_id.values()]
    for row in _overdue_actions(teams, now):
        panel = by_id[row.team_id]
        panel.overdue_count = row.total
        panel.overdue.append(OverdueAction(*row[:5]))
    for row in _unsent_minutes(by_id, now):
        panel = by_id[row.team_id]
        panel.unsent_count = row.total
        panel.unsent.append(UnsentMinutes(row.id, to_local(row.starts_at, panel.team.time_zone)))
    return list(by_id.values())


def _teams_and_next_meetings(user: User, now: datetime) -> dict[int, Panel]:
    """The teams the person runs, each with its next meeting not yet over (so on the day,
    while it runs, still today's), in one statement."""
    rows = db.read_rows(_teams_and_next_meetings_statement(), {"user_id": user.id, "now": now})
    found = {}
    for row in rows:
        team = RunTeam(*row[:4])
        meeting = None if row[4] is None else _next_meeting(team, row[4:], now)
        found[team.id] = Panel(team, meeting)
    return found


@cache
def _teams_and_next_meetings_statement() -> sa.Select[Any]:
    """Built once, bound per request: building it each time cost as much as running it."""
    mine = sa.select(Membership.team_id).where(Membership.user_id == USER_ID)
    order = sa.func.row_number().over(
        partition_by=Meeting.team_id, order_by=(Meeting.starts_at, Meeting.id)
    )
    ranked = (
        sa.select(
            Meeting.team_id,
            Meeting.id,
            Meeting.starts_at,
            Meeting.ends_at,
            Meeting.location,
            Meeting.video_link,
            order.label("rank"),
        )
        .where(
            Meeting.team_id.in_(mine),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ends_at > NOW,
        )
        .subquery()
    )
    chairs_one = (
        sa.select(Meeting.id)
        .where(
            Meeting.team_id == Membership.team_id,
            Meeting.chair_id == USER_ID,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ends_at > NOW,
        )
        .exists()
    )
    return (
        sa.select(Team.id, Team.name, Team.time_zone, Team.agenda_cutoff_days, *ranked.c[1:6])
        .join(Membership, Membership.team_id == Team.id)
        .outerjoin(ranked, sa.and_(ranked.c.team_id == Team.id, ranked.c.rank == 1))
        .where(Membership.user_id == USER_ID, sa.or_(Membership.role.in_(RUN_ROLES), chairs_one))
        .order_by(Team.name)
    )


def _next_meeting(team: RunTeam, row: sa.Row, now: datetime) -> NextMeeting:  # type: ignore[type-arg]
    meeting_id, starts_at, ends_at, location, video_link = row
    starts = to_local(starts_at, team.time_zone)
    today = today_in(team.time_zone, now)
    closes = closing_day_of(starts.date(), team.agenda_cutoff_days)
    return NextMeeting(
        meeting_id,
        starts,
        to_local(ends_at, team.time_zone),
        location,
        video_link,
        closes,
        closes < today,
        starts.date() == today,
    )


def _add_meeting_facts(by_team: dict[int, Panel], now: datetime) -> None:
    """Replies, cases, readiness and today's reminders of each next meeting."""
    panels = {p.meeting.id: p for p in by_team.values() if p.meeting is not None}
    if not panels:
        return
    ids = list(panels)
    invitations = invitation_rows(ids)
    for meeting_id, rows in invitations.items():
        panel = panels[meeting_id]
        waiting = [row.name for row in rows if row.reply is Reply.NONE]
        panel.replies = Replies(len(rows) - len(waiting), len(rows), waiting)
    agendas = agenda_rows(ids)
    for meeting_id, panel in panels.items():
        agenda = agendas.get(meeting_id, Agenda())
        covers = covers_in(invitations.get(meeting_id, []))
        panel.cases, panel.readiness = len(agenda.cases), readiness(agenda.preps, covers)
    for meeting_id, name in _reminded_today(panels, now):
        panels[meeting_id].reminded_today.append(name)


def _reminded_today(panels: dict[int, Panel], now: datetime) -> list[tuple[int, str]]:
    days = {m: reminder_day(p.team.time_zone, now) for m, p in panels.items()}
    subjects = {reminder_subject(m): m for m in panels}
    params = {"subjects": list(subjects), "days": sorted(set(days.values()))}
    rows = db.read_rows(_reminded_statement(), params)
    return [
        (subjects[subject], name)
        for subject, due_at, name in rows
        if due_at == days[subjects[subject]]
    ]


@cache
def _reminded_statement() -> sa.Select[Any]:
    return (
        sa.select(Reminder.subject, Reminder.due_at, User.name)
        .join(User, User.id == Reminder.user_id)
        .where(
            Reminder.kind == REMINDER_KIND,
            Reminder.subject.in_(sa.bindparam("subjects", expanding=True)),
            Reminder.due_at.in_(sa.bindparam("days", expanding=True, type_=UTCDateTime)),
        )
        .order_by(User.name)
    )


def _overdue_actions(teams: list[RunTeam], now: datetime) -> list[sa.Row]:  # type: ignore[type-arg]
    """The first few overdue open actions of each team (longest overdue first), each with the
    team's number of them (`total`). Overdue where the team works: due before today in its
    zone. The first five columns are an OverdueAction's."""
    zones: dict[str, list[int]] = defaultdict(list)
    for team in teams:
        zones[team.time_zone].append(team.id)
    params: dict[str, Any] = {}
    for n, (zone, ids) in enumerate(zones.items()):
        params[f"team_ids_{n}"], params[f"today_{n}"] = ids, today_in(zone, now)
    return list(db.read_rows(_overdue_statement(len(zones)), params))


@cache
def _overdue_statement(zones: int) -> sa.Select[Any]:
    """Built once for each number of time zones among the teams (almost always one), the
    teams and each zone's today bound per request: built each time, it took longer than the
    database took to run it."""
    overdue = sa.or_(
        *(
            sa.and_(
                ActionPoint.team_id.in_(sa.bindparam(f"team_ids_{n}", expanding=True)),
                ActionPoint.due_date < sa.bindparam(f"today_{n}", type_=sa.Date),
            )
            for n in range(zones)
        )
    )
    by_team = {"partition_by": ActionPoint.team_id}
    ranked = (
        sa.select(
            ActionPoint.id,
            ActionPoint.description,
            User.name.label("owner"),
            ActionPoint.due_date,
            ActionPoint.patient_id,
            ActionPoint.team_id,
            sa.func.row_number()
            .over(**by_team, order_by=(ActionPoint.due_date, ActionPoint.id))
            .label("rank"),
            sa.func.count(ActionPoint.id).over(**by_team).label("total"),
        )
        .join(User, User.id == ActionPoint.owner_id)
        .where(ActionPoint.status == ActionStatus.OPEN, overdue)
        .subquery()
    )
    return sa.select(ranked).where(ranked.c.rank <= LISTED).order_by(ranked.c.rank)


def _unsent_minutes(panels: dict[int, Panel], now: datetime) -> list[sa.Row]:  # type: ignore[type-arg]
    """Meetings that have ended without their minutes sent (not closed in meeting mode), the
    latest few of each team, each with the team's number of them."""
    return list(db.read_rows(_unsent_minutes_statement(), {"team_ids": list(panels), "now": now}))


@cache
def _unsent_minutes_statement() -> sa.Select[Any]:
    by_team = {"partition_by": Meeting.team_id}
    ranked = (
        sa.select(
            Meeting.id,
            Meeting.team_id,
            Meeting.starts_at,
            sa.func.row_number()
            .over(**by_team, order_by=(Meeting.starts_at.desc(), Meeting.id.desc()))
            .label("rank"),
            sa.func.count(Meeting.id).over(**by_team).label("total"),
        )
        .where(
            Meeting.team_id.in_(sa.bindparam("team_ids", expanding=True)),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.minutes_sent_at.is_(None),
            Meeting.ends_at <= NOW,
        )
        .subquery()
    )
    return sa.select(ranked).where(ranked.c.rank <= LISTED).order_by(ranked.c.rank)
