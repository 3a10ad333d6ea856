"""A year of Riverside's history before its last meeting, so the team report has something real
to show: monthly meetings held with attendance (Dr Okafor's afternoon surgery keeps him away
from most; deputies cover now and then), preparation (mostly on time), cases with outcomes,
actions (mostly closed, some late), minutes (sometimes late) and one meeting moved out of
protected time. Everything here is closed before the last meeting, so matters arising, My
actions, My prep and the calendar feeds are as they were. Dates follow the day of loading;
the patterns below are fixed, so every load gives the same figures."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.actions.models import ActionChange, ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.availability.clashes import QUORUM_ROLES
from mdt.core.days import end_of_day, local_to_utc, to_local, working_days_before
from mdt.demo.agenda import RIVERSIDE_CASES, _patient
from mdt.extensions import db
from mdt.meetings.models import Attendance, Invitation, Meeting, MeetingStatus, Reply
from mdt.minutes.models import Discussion, Outcome
from mdt.prep.models import Known, PrepRequest
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import occurrences
from mdt.teams.models import Team

# One letter a meeting, oldest first, repeated if there are more meetings: P present,
# R remote, A absent, Y apologies with their deputy attending, N apologies and no cover.
ATTENDANCE = {
    "alex.morgan": "PPPPPPPPPPPP",
    "priya.shah": "PPPPRPPPPPPP",
    "tom.okafor": "PAAPANAPAAPA",
    "helen.price": "PPRPPPAPPPPR",
    "sam.whitfield": "RRPRRYRRPRRR",
    "jo.clarke": "PPYPPPYPPNPP",
    "rachel.green": "RRRYRRPRRARR",
    "fatima.begum": "PAPPAPPAPAPP",
    "amira.hassan": "AAPAPAAPAAPA",
}
MARKS = {
    "P": (Reply.IN_PERSON, Attendance.PRESENT),
    "R": (Reply.REMOTE, Attendance.REMOTE),
    "A": (Reply.NONE, Attendance.ABSENT),
    "Y": (Reply.APOLOGIES, Attendance.APOLOGIES),
    "N": (Reply.APOLOGIES, Attendance.APOLOGIES),
}
#: Who prepares every case, and when they are late: (meeting + case) % every == 0.
PREPARERS = {"priya.shah": 7, "tom.okafor": 2, "sam.whitfield": 5, "jo.clarke": 4}
ACTION_OWNERS = ("jo.clarke", "sam.whitfield", "priya.shah", "rachel.green", "helen.price")
#: The meeting (by index) held on the Thursday after, outside protected time.
MOVED = 4
MOVED_REASON = "Meeting room flooded on the Tuesday; held on Thursday instead"


def load_history(team: Team, people: dict[str, User], today: date) -> None:
    held = db.session.scalars(
        sa.select(Meeting.starts_at)
        .where(Meeting.team_id == team.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at)
    ).all()
    series = db.session.scalar(sa.select(SlotSeries).where(SlotSeries.team_id == team.id))
    if len(held) != 1 or series is None:
        return  # no last meeting to come before, or the history is there already
    last = to_local(held[0], team.time_zone).date()
    past = [
        o for o in occurrences(series, series.start_date, last - timedelta(days=1)) if o.takes_place
    ]
    for n, occurrence in enumerate(past):
        meeting = _meeting(team, series, occurrence, n, people)
        _cases(meeting, n, people)
        _actions(meeting, n, people, held[0])
    db.session.flush()


def _meeting(team: Team, series: SlotSeries, occurrence, n: int, people) -> Meeting:  # type: ignore[no-untyped-def]
    starts, ends = occurrence.starts_at, occurrence.ends_at
    moved = n == MOVED
    if moved:
        starts, ends = starts + timedelta(days=2), ends + timedelta(days=2)
    late_minutes = n % 4 == 2
    meeting = Meeting(
        team_id=team.id,
        series_id=None if moved else series.id,
        occurrence_date=None if moved else occurrence.original_date,
        starts_at=starts,
        ends_at=ends,
        location=series.location or team.default_location,
        video_link=series.video_link or team.default_video_link,
        chair=people["priya.shah"],
        minute_taker=people["alex.morgan"],
        status=MeetingStatus.HELD,
        outside_protected_reason=MOVED_REASON if moved else None,
        closed_at=ends,
        closed_by_id=people["priya.shah"].id,
        minutes_sent_at=ends + (timedelta(days=3) if late_minutes else timedelta(minutes=40)),
        created_at=starts - timedelta(days=30),
        updated_at=ends,
    )
    _invitations(meeting, team, n, people)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _invitations(meeting: Meeting, team: Team, n: int, people) -> None:  # type: ignore[no-untyped-def]
    by_user = {people[local].id: local for local in ATTENDANCE}
    for m in team.memberships:
        pattern = ATTENDANCE.get(by_user.get(m.user_id, ""), "P")
        mark = pattern[n % len(pattern)]
        reply, attended = MARKS[mark]
        meeting.invitations.append(
            Invitation(
                user=m.user,
                discipline=m.discipline,
                counts_for_quorum=m.role in QUORUM_ROLES,
                reply=reply,
                attendance=attended,
                attendance_recorded_at=meeting.starts_at,
            )
        )
        if mark == "Y" and m.deputy is not None:
            meeting.invitations.append(
                Invitation(
                    user=m.deputy,
                    discipline=m.discipline,
                    counts_for_quorum=True,
                    covering_for_id=m.user_id,
                    reply=Reply.IN_PERSON,
                    attendance=Attendance.PRESENT,
                    attendance_recorded_at=meeting.starts_at,
                )
            )


def _outcome(n: int, position: int) -> Outcome:
    if position == 2:
        return Outcome.NOT_REACHED if n % 5 == 3 else Outcome.PLAN_AGREED
    if position == 1:
        return (Outcome.REFER_ON, Outcome.PLAN_AGREED, Outcome.NO_FURTHER_ACTION, Outcome.DEFER)[
            n % 4
        ]
    return Outcome.PLAN_AGREED


def _cases(meeting: Meeting, n: int, people) -> None:  # type: ignore[no-untyped-def]
    zone = meeting.team.time_zone
    day = to_local(meeting.starts_at, zone).date()
    due = end_of_day(working_days_before(day, meeting.team.agenda_cutoff_days), zone)
    for position in range(3):
        nhs, name, born, practice, reason, matters, discipline = RIVERSIDE_CASES[
            (n + 2 * position) % len(RIVERSIDE_CASES)
        ]
        case = Case(
            meeting_id=meeting.id,
            patient_id=_patient(nhs, name, born, practice, people["priya.shah"]).id,
            reason=reason,
            what_matters=matters,
            disciplines_needed=discipline,
            referred_by_id=people["priya.shah"].id,
            position=position + 1,
            created_at=due - timedelta(days=7),
        )
        for local, every in PREPARERS.items():
            late = (n + position) % every == 0
            case.prep_requests.append(_prep(meeting, people[local], due, late))
        db.session.add(case)
        db.session.flush()
        db.session.add(
            Discussion(
                meeting_id=meeting.id,
                case_id=case.id,
                outcome=_outcome(n, position),
                summary="Discussed; plan recorded in the minutes.",
                recorded_by_id=people["alex.morgan"].id,
                recorded_at=meeting.starts_at + timedelta(minutes=20 * (position + 1)),
            )
        )


def _prep(meeting: Meeting, user: User, due, late: bool) -> PrepRequest:  # type: ignore[no-untyped-def]
    discipline = next(
        (m.discipline for m in meeting.team.memberships if m.user_id == user.id), "Other"
    )
    done = due + timedelta(hours=20) if late else due - timedelta(days=1, hours=3)
    return PrepRequest(
        user_id=user.id,
        discipline=discipline,
        due_at=due,
        completed_at=done,
        known=Known.YES,
        involvement="Known to the service; see the shared record.",
    )


def _actions(meeting: Meeting, n: int, people, before) -> None:  # type: ignore[no-untyped-def]
    zone = meeting.team.time_zone
    day = to_local(meeting.starts_at, zone).date()
    cases = db.session.scalars(
        sa.select(Case).where(Case.meeting_id == meeting.id).order_by(Case.position)
    ).all()
    for k in range(2):
        owner = people[ACTION_OWNERS[(2 * n + k) % len(ACTION_OWNERS)]]
        due = day + timedelta(days=14)
        late = k == 1 and n % 3 == 1
        cancelled = k == 0 and n % 6 == 5
        closed = local_to_utc(due + timedelta(days=6 if late else -3), time(16, 0), zone)
        closed = min(closed, before - timedelta(days=1))
        _action(meeting, cases[k], owner, people["alex.morgan"], due, closed, cancelled)


def _action(meeting, case, owner, by, due: date, closed, cancelled: bool) -> None:  # type: ignore[no-untyped-def]
    created = meeting.starts_at + timedelta(minutes=25)
    status = ActionStatus.CANCELLED if cancelled else ActionStatus.DONE
    note = "No longer needed: admitted to hospital" if cancelled else "Done"
    action = ActionPoint(
        team_id=meeting.team_id,
        meeting_id=meeting.id,
        case_id=case.id,
        patient_id=case.patient_id,
        description="Follow up the plan agreed at the MDT",
        owner=owner,
        due_date=due,
        status=status,
        closing_note=note,
        created_by_id=by.id,
        created_at=created,
        closed_at=closed,
        updated_at=closed,
    )
    action.history.append(
        ActionChange(at=created, by_id=by.id, kind="created", detail=f"Created for {owner.name}")
    )
    action.history.append(
        ActionChange(at=closed, by_id=owner.id, kind=status.value, detail=f"Marked {note}")
    )
    action.revision = 2
    db.session.add(action)


__all__ = ["load_history"]
