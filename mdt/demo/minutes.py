"""The demo's past meeting: Riverside's last monthly MDT, held and minuted, with outcomes and
actions (two done, two open, two overdue), so matters arising and My actions have
something to show. Dates follow the day the demo is loaded."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.actions.models import ActionChange, ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.availability.clashes import QUORUM_ROLES
from mdt.core.days import local_to_utc, to_local
from mdt.demo.agenda import RIVERSIDE_CASES, _patient
from mdt.extensions import db
from mdt.meetings.models import Attendance, Invitation, Meeting, MeetingStatus, Reply
from mdt.minutes.models import Discussion, Outcome
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import occurrences
from mdt.teams.models import Team

#: (local part, reply, attendance): Jo Clarke sent apologies and Ben Hughes covered.
ATTENDANCE = {
    "alex.morgan": (Reply.IN_PERSON, Attendance.PRESENT),
    "priya.shah": (Reply.IN_PERSON, Attendance.PRESENT),
    "tom.okafor": (Reply.NONE, Attendance.ABSENT),
    "helen.price": (Reply.IN_PERSON, Attendance.PRESENT),
    "sam.whitfield": (Reply.REMOTE, Attendance.REMOTE),
    "jo.clarke": (Reply.APOLOGIES, Attendance.APOLOGIES),
    "rachel.green": (Reply.REMOTE, Attendance.REMOTE),
    "fatima.begum": (Reply.IN_PERSON, Attendance.PRESENT),
    "amira.hassan": (Reply.APOLOGIES, Attendance.APOLOGIES),
}

# Which of RIVERSIDE_CASES were discussed last time: (index, outcome, summary, review days).
DISCUSSED = [
    (
        0,
        Outcome.PLAN_AGREED,
        "Two falls at night. OT home assessment and a falls clinic referral agreed; "
        "daughter to be offered a carer's assessment.",
        42,
    ),
    (
        4,
        Outcome.PLAN_AGREED,
        "Pressure ulcer healing slowly. Safeguarding referral made in the meeting; "
        "palliative care to open a conversation about her wishes.",
        28,
    ),
    (5, Outcome.REFER_ON, "Lonely since bereavement; agreed referral to social prescribing.", None),
]

# (case index, owner, description, due (from the meeting's day, or from today), done note)
ACTIONS = [
    (0, "jo.clarke", "OT home assessment for night-time falls", ("meeting", 7), "Rails fitted"),
    (0, "priya.shah", "Refer to the falls clinic", ("meeting", 10), None),  # overdue
    (0, "sam.whitfield", "Offer the daughter a carer's assessment", ("today", -2), None),  # overdue
    (
        4,
        "sam.whitfield",
        "Safeguarding referral follow-up with the care agency",
        ("meeting", 5),
        "Agency visited; plan in place",
    ),
    (4, "rachel.green", "Talk with her about her wishes (advance care plan)", ("today", 12), None),
    (
        5,
        "amira.hassan",
        "Social prescribing referral: befriending, allotment group",
        ("today", 3),
        None,
    ),
]


def load_past_meeting(team: Team, people: dict[str, User], today: date) -> Meeting | None:
    if db.session.scalar(
        sa.select(Meeting.id).where(
            Meeting.team_id == team.id, Meeting.status == MeetingStatus.HELD
        )
    ):
        return None
    series = db.session.scalar(sa.select(SlotSeries).where(SlotSeries.team_id == team.id))
    if series is None:
        return None
    # The last occurrence at least two weeks ago, so some actions are due, and overdue, since.
    held = [
        o
        for o in occurrences(series, today - timedelta(days=70), today - timedelta(days=14))
        if o.takes_place
    ]
    if not held:
        return None
    occurrence = held[-1]
    meeting = _held_meeting(team, series, occurrence, people)
    cases = _cases(meeting, people)
    day = to_local(meeting.starts_at, team.time_zone).date()
    for index, owner, description, due, done in ACTIONS:
        _action(meeting, cases[index], people, owner, description, day, today, due, done)
    db.session.flush()
    return meeting


def _held_meeting(team: Team, series: SlotSeries, occurrence, people) -> Meeting:  # type: ignore[no-untyped-def]
    meeting = Meeting(
        team_id=team.id,
        series_id=series.id,
        occurrence_date=occurrence.original_date,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        location=series.location or team.default_location,
        video_link=series.video_link or team.default_video_link,
        chair=people["priya.shah"],
        minute_taker=people["alex.morgan"],
        status=MeetingStatus.HELD,
        closed_at=occurrence.ends_at,
        closed_by_id=people["priya.shah"].id,
        minutes_sent_at=occurrence.ends_at + timedelta(minutes=40),
        created_at=occurrence.starts_at - timedelta(days=30),
        updated_at=occurrence.ends_at,
    )
    by_user = {people[local].id: local for local in ATTENDANCE}
    for m in team.memberships:
        reply, attended = ATTENDANCE.get(by_user.get(m.user_id, ""), (Reply.NONE, None))
        meeting.invitations.append(
            Invitation(
                user=m.user,
                discipline=m.discipline,
                counts_for_quorum=m.role in QUORUM_ROLES,
                reply=reply,
                attendance=attended,
                attendance_recorded_at=occurrence.starts_at if attended else None,
            )
        )
    meeting.invitations.append(
        Invitation(
            user=people["ben.hughes"],
            discipline="Community nursing",
            counts_for_quorum=True,
            covering_for_id=people["jo.clarke"].id,
            reply=Reply.IN_PERSON,
            attendance=Attendance.PRESENT,
            attendance_recorded_at=occurrence.starts_at,
        )
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _cases(meeting: Meeting, people: dict[str, User]) -> dict[int, Case]:
    out = {}
    for position, (index, outcome, summary, review) in enumerate(DISCUSSED, start=1):
        nhs, name, born, practice, reason, matters, discipline = RIVERSIDE_CASES[index]
        case = Case(
            meeting_id=meeting.id,
            patient_id=_patient(nhs, name, born, practice, people["priya.shah"]).id,
            reason=reason,
            what_matters=matters,
            disciplines_needed=discipline,
            referred_by_id=people["priya.shah"].id,
            position=position,
            created_at=meeting.starts_at - timedelta(days=10),
        )
        db.session.add(case)
        db.session.flush()
        local_day = to_local(meeting.starts_at, meeting.team.time_zone).date()
        db.session.add(
            Discussion(
                meeting_id=meeting.id,
                case_id=case.id,
                outcome=outcome,
                summary=summary,
                review_date=local_day + timedelta(days=review) if review else None,
                recorded_by_id=people["alex.morgan"].id,
                recorded_at=meeting.starts_at + timedelta(minutes=15 * position),
            )
        )
        out[index] = case
    return out


def _action(  # type: ignore[no-untyped-def]
    meeting: Meeting, case: Case, people, owner: str, text: str, day: date, today: date, due, done
) -> None:
    base, days = due
    due_date = (day if base == "meeting" else today) + timedelta(days=days)
    created = meeting.starts_at + timedelta(minutes=20)
    action = ActionPoint(
        team_id=meeting.team_id,
        meeting_id=meeting.id,
        case_id=case.id,
        patient_id=case.patient_id,
        description=text,
        owner=people[owner],
        due_date=due_date,
        created_by_id=people["alex.morgan"].id,
        created_at=created,
        updated_at=created,
    )
    action.history.append(
        ActionChange(
            at=created,
            by_id=people["alex.morgan"].id,
            kind="created",
            detail=f"Created for {people[owner].name}, due {due_date:%-d %B %Y}",
        )
    )
    if done is not None:
        closed = local_to_utc(
            min(due_date, today - timedelta(days=1)), time(16, 0), meeting.team.time_zone
        )
        action.status, action.closing_note, action.closed_at = ActionStatus.DONE, done, closed
        action.updated_at = closed
        action.history.append(
            ActionChange(
                at=closed, by_id=people[owner].id, kind="done", detail=f"Marked done: {done}"
            )
        )
    action.revision = len(action.history)
    db.session.add(action)


__all__ = ["load_past_meeting"]
