"""Lists of actions, each one query (plus eager loads) whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload

from mdt.actions.models import ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.agenda.queries import find_matters_arising_with
from mdt.core.db import inline, inline_time
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.patients.models import Patient
from mdt.teams.models import Team


def _listed(query: sa.Select[tuple[ActionPoint]]) -> sa.Select[tuple[ActionPoint]]:
    """For lists that show an action's owner and person by name and nothing more about
    them: their organisations, practices, meetings and teams would be joined for every row
    and never read (and reading one raises, so a template cannot start a query per row)."""
    return query.options(
        joinedload(ActionPoint.owner).raiseload("*"),
        joinedload(ActionPoint.patient).raiseload("*"),
        raiseload(ActionPoint.meeting),
        raiseload(ActionPoint.team),
    )


@dataclass(frozen=True, slots=True)
class ListedAction:
    """An action as My actions lists it: its own values, the person's name and the team's
    (plain values, not tracked objects: a tracked row with its person, meeting and team cost
    about as much as the rest of the page at region scale)."""

    id: int
    description: str
    due_date: date
    status: ActionStatus
    revision: int
    closing_note: str
    patient_id: int | None
    patient_name: str | None
    team_name: str

    @property
    def is_open(self) -> bool:
        return self.status is ActionStatus.OPEN

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_date < today


@dataclass
class MyActions:
    overdue: list[ListedAction] = field(default_factory=list)
    this_week: list[ListedAction] = field(default_factory=list)
    later: list[ListedAction] = field(default_factory=list)
    recently_closed: list[ListedAction] = field(default_factory=list)
    week_ends: date | None = None

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.this_week) + len(self.later)

    def patient_ids(self) -> list[int]:
        every = self.overdue + self.this_week + self.later + self.recently_closed
        return [a.patient_id for a in every if a.patient_id is not None]


#: The action's team by name, looked up per row (a person's list is a few dozen rows at most;
#: joined, PostgreSQL hashed every team in the region for them).
_TEAM_NAME = (
    sa.select(Team.name).where(Team.id == ActionPoint.team_id).scalar_subquery().label("team")
)


def my_actions(user_id: int, today: date) -> MyActions:
    """Open actions grouped overdue / due this week (to Sunday) / later, and the last
    fortnight's closed ones, so a person sees that what they did was recorded."""
    week_ends = today + timedelta(days=6 - today.weekday())
    since = today - timedelta(days=14)
    rows = db.session.execute(
        sa.select(  # what the list shows; the owner is you
            ActionPoint.id,
            ActionPoint.description,
            ActionPoint.due_date,
            ActionPoint.status,
            ActionPoint.revision,
            ActionPoint.closing_note,
            ActionPoint.patient_id,
            Patient.name,
            _TEAM_NAME,
        )
        .outerjoin(Patient, Patient.id == ActionPoint.patient_id)
        .where(
            ActionPoint.owner_id == user_id,
            # Open or closed since: asked of closed_at alone (open is closed_at NULL, a
            # check on the table), both halves are ranges of the owner's index and the
            # list costs the same after three years as after three weeks.
            sa.or_(
                ActionPoint.closed_at.is_(None),
                ActionPoint.closed_at >= inline_time(datetime.combine(since, time(), UTC)),
            ),
        )
        .order_by(ActionPoint.due_date, ActionPoint.id)
    )
    mine = MyActions(week_ends=week_ends)
    for row in rows:
        action = ListedAction(*row)
        if not action.is_open:
            mine.recently_closed.append(action)
        elif action.due_date < today:
            mine.overdue.append(action)
        elif action.due_date <= week_ends:
            mine.this_week.append(action)
        else:
            mine.later.append(action)
    return mine


@dataclass
class MattersArising:
    open: list[ActionPoint]
    closed_since: list[ActionPoint]
    since: Meeting | None
    #: The actions agreed at this meeting itself (meeting mode lists them per case).
    own: list[ActionPoint] = field(default_factory=list)

    def patient_ids(self) -> list[int]:
        return [a.patient_id for a in self.open + self.closed_since if a.patient_id]


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.team_id == meeting.team_id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at < meeting.starts_at,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(inline(1))
    )


def own_and_open_count(meeting: Meeting) -> tuple[list[ActionPoint], int]:
    """This meeting's own actions, and how many from earlier meetings are open: what meeting
    mode shows beside a case (matters arising themselves are listed on their own page).
    One statement: the meeting's row, its actions outer-joined (none: one row of None),
    the count beside each."""
    params = {"team_id": meeting.team_id, "meeting_id": meeting.id}
    rows = db.session.execute(_own_and_open_statement(), params).all()
    own = [action for action, _count in rows if action is not None]
    return own, rows[0][1] if rows else 0


# Built once (meeting mode asks on every case), the team and meeting bound per request.
_TEAM_ID = sa.bindparam("team_id", type_=sa.Integer)
_MEETING_ID = sa.bindparam("meeting_id", type_=sa.Integer)


@cache
def _own_and_open_statement() -> sa.Select[tuple[ActionPoint | None, int]]:
    open_elsewhere = (
        sa.select(sa.func.count())
        .where(
            ActionPoint.team_id == _TEAM_ID,
            ActionPoint.meeting_id != _MEETING_ID,
            ActionPoint.status == ActionStatus.OPEN,
        )
        .scalar_subquery()
    )
    return _listed(
        sa.select(ActionPoint, open_elsewhere)
        .select_from(Meeting)
        .outerjoin(ActionPoint, ActionPoint.meeting_id == Meeting.id)
        .where(Meeting.id == _MEETING_ID)
    ).order_by(ActionPoint.id)


def matters_arising(meeting: Meeting, today: date) -> MattersArising:
    """The team's open actions from earlier meetings (overdue first, then by due date), those
    closed since the previous meeting began, and this meeting's own: one query for all."""
    before = previous_meeting(meeting)
    from_earlier = [ActionPoint.status == ActionStatus.OPEN]
    if before is not None:
        from_earlier.append(ActionPoint.closed_at >= before.starts_at)
    rows = db.session.scalars(
        _listed(
            sa.select(ActionPoint)
            .where(
                ActionPoint.team_id == meeting.team_id,
                sa.or_(
                    ActionPoint.meeting_id == meeting.id,
                    sa.and_(ActionPoint.meeting_id != meeting.id, sa.or_(*from_earlier)),
                ),
            )
            .order_by(ActionPoint.id)
        )
    ).unique()
    own, open_actions, closed = [], [], []
    for action in rows:
        if action.meeting_id == meeting.id:
            own.append(action)
        elif action.is_open:
            open_actions.append(action)
        else:
            closed.append(action)
    open_actions.sort(key=lambda a: (not a.overdue(today), a.due_date, a.id))
    closed.sort(key=lambda a: a.closed_at, reverse=True)  # type: ignore[arg-type, return-value]
    return MattersArising(open_actions, closed, before, own)


def actions_agreed_on(case: Case, meeting: Meeting) -> int:
    """How many actions were agreed on the case at this meeting."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(ActionPoint.id)).where(
                ActionPoint.case_id == case.id, ActionPoint.meeting_id == meeting.id
            )
        )
        or 0
    )


# The agenda page shows them; the agenda, below this feature, asks for them this way.
find_matters_arising_with(matters_arising)
