"""A patient whose last case closed on a given day, with everything a case gathers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mdt.actions.models import ActionStatus
from mdt.meetings.models import MeetingStatus
from mdt.minutes.models import Discussion, Outcome
from mdt.teams.models import TeamRole


def utc(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=UTC)


@dataclass
class Closed:
    patient: Any
    case: Any
    action: Any


class Clinic:
    """One team; patients seen at meetings closed on the days the tests choose."""

    def __init__(self, make, session) -> None:  # type: ignore[no-untyped-def]
        self.make, self.session = make, session
        self.member = make.user()
        self.team = make.team()
        make.member(self.team, self.member, TeamRole.CORE_MEMBER, "General practice")

    def held_meeting(self, closed: datetime) -> Any:
        starts = closed - timedelta(hours=2)
        return self.make.meeting(
            self.team,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=90),
            status=MeetingStatus.HELD,
            closed_at=closed,
        )

    def upcoming_meeting(self, starts: datetime) -> Any:
        return self.make.meeting(self.team, starts_at=starts, ends_at=starts + timedelta(hours=1))

    def patient_closed_on(self, closed: datetime, **patient: Any) -> Closed:
        """Created, discussed (plan agreed), prepared for, and an action done that day."""
        person = self.make.patient(created_at=closed - timedelta(days=30), **patient)
        meeting = self.held_meeting(closed)
        case = self.make.case(meeting, person, self.member)
        self.session.add(
            Discussion(
                meeting_id=meeting.id,
                case_id=case.id,
                outcome=Outcome.PLAN_AGREED,
                summary="Agreed a plan with the family",
            )
        )
        action = self.make.action(
            case,
            self.member,
            description=f"Ring {person.name}'s daughter",
            status=ActionStatus.DONE,
            closed_at=closed - timedelta(hours=1),
            due_date=date(closed.year, closed.month, closed.day),
        )
        self.session.commit()
        return Closed(person, case, action)
