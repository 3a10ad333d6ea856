"""A team a week before its meeting, as its coordinator sees it: replies, a cover, cases with
preparation partly done, overdue actions from the last meeting, and its minutes not sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from mdt.actions.models import ActionStatus
from mdt.core.time import now_utc
from mdt.meetings.models import Invitation, Meeting, MeetingStatus, Reply
from mdt.teams.models import TeamRole

STARTS = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)  # Tue 12 Jan 2027, 12:30 in London
#: A week before: the agenda (two working days ahead) closes at the end of Fri 8 Jan.
WEEK_BEFORE = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
ON_THE_DAY = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
LAST = STARTS - timedelta(days=28)


@dataclass
class Team:
    team: Any
    coordinator: Any
    chair: Any
    sam: Any
    jo: Any
    ben: Any
    tom: Any
    meeting: Any
    last: Any
    cases: list[Any]
    actions: list[Any]


def team(make, session, suffix: str = "", extra_cases: int = 0) -> Team:  # type: ignore[no-untyped-def]
    coordinator = make.user(name=f"Cora Coordinator{suffix}")
    t = make.team(coordinator=coordinator, name=f"Riverside MDT{suffix}")
    chair = make.member(t, make.user(name="Dr Gita Patel"), role=TeamRole.CHAIR).user
    sam = make.member(t, make.user(name="Sam Whitfield"), discipline="Adult social care").user
    ben = make.member(t, make.user(name="Ben Hughes"), role=TeamRole.ATTENDEE).user
    jo = make.member(t, make.user(name="Jo Clarke"), discipline="Community nursing", deputy=ben)
    tom = make.member(t, make.user(name="Dr Tom Okafor")).user
    last = make.meeting(t, starts_at=LAST, ends_at=LAST + timedelta(minutes=90))
    meeting = make.meeting(t, starts_at=STARTS, ends_at=STARTS + timedelta(minutes=90))
    _reply(session, meeting, chair=chair, sam=sam, jo=jo.user, ben=ben)
    cases = _cases(make, session, meeting, chair, sam, jo.user, ben)
    for n in range(extra_cases):
        make.case(meeting, make.patient(), chair, sam, tom, position=10 + n)
    actions = _actions(make, session, last, sam, chair, jo.user)
    return Team(t, coordinator, chair, sam, jo.user, ben, tom, meeting, last, cases, actions)


def _reply(session, meeting: Meeting, *, chair, sam, jo, ben) -> None:  # type: ignore[no-untyped-def]
    """The chair in person, Sam remotely, Jo apologies with Ben (her deputy) covering; the
    coordinator and Dr Okafor have not replied."""
    answers = {
        chair.id: (Reply.IN_PERSON, None),
        sam.id: (Reply.REMOTE, None),
        jo.id: (Reply.APOLOGIES, None),
        ben.id: (Reply.IN_PERSON, jo.id),
    }
    for inv in session.scalars(sa.select(Invitation).where(Invitation.meeting_id == meeting.id)):
        if inv.user_id in answers:
            inv.reply, inv.covering_for_id = answers[inv.user_id]
            inv.replied_at = now_utc()
    session.commit()


def _cases(make, session, meeting, chair, sam, jo, ben) -> list[Any]:  # type: ignore[no-untyped-def]
    """Three cases. What is left in Jo's name is Ben's to do (he covers her); on the second
    case both have a request, counted once; on the third Ben has prepared it."""
    first = make.case(meeting, make.patient(name="Edith Example"), chair, sam, jo, position=1)
    second = make.case(meeting, make.patient(name="Fred Other"), chair, sam, jo, ben, position=2)
    third = make.case(meeting, make.patient(name="Mary Third"), chair, sam, jo, ben, position=3)
    done = {(first.id, chair.id), (second.id, chair.id), (second.id, sam.id), (third.id, ben.id)}
    for case in (first, second, third):
        for request in case.prep_requests:
            if (case.id, request.user_id) in done:
                request.completed_at = now_utc()
    session.commit()
    return [first, second, third]


def _actions(make, session, last, sam, chair, jo) -> list[Any]:  # type: ignore[no-untyped-def]
    """From the last meeting (not closed: its minutes were never sent): four actions overdue
    on 5 Jan, one due later, one done long ago."""
    case = make.case(last, make.patient(name="Arthur Kemp"), chair, position=1)
    dues = [
        (sam, "Carer's assessment for the daughter", date(2026, 12, 20)),
        (chair, "Refer to the falls clinic", date(2026, 12, 18)),
        (jo, "OT home assessment", date(2026, 12, 22)),
        (sam, "Call the care agency", date(2027, 1, 4)),
        (chair, "Review medicines", date(2027, 1, 20)),
    ]
    actions = [make.action(case, owner, description=d, due_date=due) for owner, d, due in dues]
    done = make.action(case, jo, description="Rails fitted", due_date=date(2026, 12, 1))
    done.status, done.closed_at = ActionStatus.DONE, LAST + timedelta(days=3)
    session.commit()
    return actions


def minutes_sent(session, meeting: Meeting) -> None:  # type: ignore[no-untyped-def]
    meeting = session.get(Meeting, meeting.id)
    meeting.status, meeting.minutes_sent_at = MeetingStatus.HELD, meeting.ends_at
    meeting.closed_at = meeting.ends_at
    session.commit()
