"""A team with six months of known meetings, attendance, preparation, outcomes and actions,
and a generator of a busy team's years for the query-count guards.

The known team meets in Europe/London; the report runs on 15 July 2027 for January to June.
Every figure the tests expect is worked out by hand in test_team_report.py from what is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mdt.actions.models import ActionStatus
from mdt.agenda.models import Case
from mdt.meetings.models import Attendance, Invitation, Meeting, MeetingStatus
from mdt.minutes.models import Discussion, Outcome
from mdt.prep.models import PrepRequest
from mdt.teams.models import TeamRole

NOW = datetime(2027, 7, 15, 9, 0, tzinfo=UTC)
FIRST, LAST = date(2027, 1, 1), date(2027, 6, 30)
PERIOD = {"date_from": "2027-01-01", "date_to": "2027-06-30"}
P, R, A, AP = Attendance.PRESENT, Attendance.REMOTE, Attendance.ABSENT, Attendance.APOLOGIES


def at(day: str, clock: str = "12:30") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


@dataclass
class Known:
    team: Any
    people: dict[str, Any]  # cora, gita, tom, sam, jo, rachel, fatima, ben, maria
    meetings: dict[str, Any]  # m0 (December) .. m6


def _meeting(make, team, day: str, clock: str = "12:30", **over: Any) -> Meeting:  # type: ignore[no-untyped-def]
    starts = at(day, clock)
    fields = {"outside_protected_reason": None, "status": MeetingStatus.HELD} | over
    return make.meeting(team, starts_at=starts, ends_at=starts + timedelta(minutes=90), **fields)


def _attend(session, meeting: Meeting, people: dict[str, Any], marks: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    by_id = {people[name].id: value for name, value in marks.items()}
    for inv in meeting.invitations:
        if inv.user_id in by_id:
            inv.attendance = by_id[inv.user_id]


def _cover(meeting: Meeting, cover, member, discipline: str, attendance: Attendance) -> None:  # type: ignore[no-untyped-def]
    meeting.invitations.append(
        Invitation(
            user_id=cover.id,
            discipline=discipline,
            counts_for_quorum=True,
            covering_for_id=member.id,
            attendance=attendance,
        )
    )


def _people(make) -> tuple[Any, dict[str, Any]]:  # type: ignore[no-untyped-def]
    cora = make.user(name="Cora Coordinator", email="cora@reports.example.org")
    team = make.team(coordinator=cora, name="Known MDT")
    people = {"cora": cora}
    for key, name, role, discipline in (
        ("gita", "Dr Gita Patel", TeamRole.CHAIR, "General practice"),
        ("tom", "Dr Tom Okafor", TeamRole.CORE_MEMBER, "General practice"),
        ("sam", "Sam Whitfield", TeamRole.CORE_MEMBER, "Adult social care"),
        ("jo", "Jo Clarke", TeamRole.CORE_MEMBER, "Community nursing"),
        ("rachel", "Dr Rachel Green", TeamRole.CORE_MEMBER, "Palliative care"),
        ("fatima", "Fatima Begum", TeamRole.ATTENDEE, "Pharmacy"),
    ):
        email = f"{key}@reports.example.org"
        people[key] = make.member(team, make.user(name=name, email=email), role, discipline).user
    people["ben"] = make.user(name="Ben Hughes (cover)")
    people["maria"] = make.user(name="Maria Lopez (cover)")
    return team, people


ATTENDANCE = {
    # name: m1, m2, m3, m4 (m0 in December: everyone present, outside the period)
    "cora": (P, P, P, A),
    "gita": (P, P, R, P),
    "tom": (A, P, AP, A),
    "sam": (P, R, P, AP),
    "jo": (AP, AP, P, AP),
    "rachel": (P, A, A, A),
    "fatima": (A, A, P, A),
}


def known_team(make, session) -> Known:  # type: ignore[no-untyped-def]
    team, people = _people(make)
    m = {
        "m0": _meeting(make, team, "2026-12-08", minutes_sent_at=at("2026-12-08", "15:00")),
        "m1": _meeting(make, team, "2027-01-12", minutes_sent_at=at("2027-01-14", "09:00")),
        "m2": _meeting(make, team, "2027-02-09", minutes_sent_at=at("2027-02-10", "16:00")),
        # Thursday before Easter: the next working day is Tuesday 30 March.
        "m3": _meeting(
            make,
            team,
            "2027-03-25",
            outside_protected_reason="Urgent",
            minutes_sent_at=at("2027-03-30", "10:00"),
        ),
        # Attendance recorded but never closed: it counts; its minutes were never sent.
        "m4": _meeting(make, team, "2027-04-13", status=MeetingStatus.SCHEDULED),
        "m5": _meeting(make, team, "2027-05-11", status=MeetingStatus.CANCELLED),
        "m6": _meeting(make, team, "2027-06-08", status=MeetingStatus.SCHEDULED),
    }
    _attend(session, m["m0"], people, dict.fromkeys(ATTENDANCE, P))
    for n, key in enumerate(("m1", "m2", "m3", "m4")):
        _attend(session, m[key], people, {name: marks[n] for name, marks in ATTENDANCE.items()})
    # A cancelled meeting's recorded attendance never counts.
    _attend(session, m["m5"], people, dict.fromkeys(ATTENDANCE, P))
    _cover(m["m1"], people["ben"], people["jo"], "Community nursing", P)
    _cover(m["m2"], people["ben"], people["jo"], "Community nursing", R)
    _cover(m["m4"], people["maria"], people["sam"], "Adult social care", P)
    session.commit()
    known = Known(team, people, m)
    _prep_and_outcomes(make, session, known)
    _actions(make, known)
    return known


def _case(make, meeting: Meeting) -> Case:  # type: ignore[no-untyped-def]
    return make.case(meeting, make.patient())


def _prep(case: Case, user, discipline: str, due: datetime, done: datetime | None) -> None:  # type: ignore[no-untyped-def]
    case.prep_requests.append(
        PrepRequest(user_id=user.id, discipline=discipline, due_at=due, completed_at=done)
    )


def _prep_and_outcomes(make, session, k: Known) -> None:  # type: ignore[no-untyped-def]
    p, m = k.people, k.meetings
    a, b, c = _case(make, m["m1"]), _case(make, m["m2"]), _case(make, m["m4"])
    d, e, f, g = (_case(make, m[key]) for key in ("m1", "m1", "m3", "m0"))
    due1, due2, due4 = (
        at("2027-01-08", "17:00"),
        at("2027-02-05", "17:00"),
        at("2027-04-09", "16:00"),
    )
    _prep(a, p["gita"], "General practice", due1, at("2027-01-07"))
    _prep(a, p["sam"], "Adult social care", due1, at("2027-01-09"))
    _prep(a, p["jo"], "Community nursing", due1, None)
    _prep(b, p["gita"], "General practice", due2, at("2027-02-01"))
    _prep(b, p["sam"], "Adult social care", due2, at("2027-02-05", "16:59"))
    _prep(b, p["jo"], "Community nursing", due2, at("2027-02-04"))
    _prep(c, p["tom"], "General practice", due4, due4)  # at the deadline itself: on time
    _prep(c, p["sam"], "Adult social care", due4, at("2027-04-12"))
    _prep(g, p["gita"], "General practice", at("2026-12-04", "17:00"), None)  # December
    for meeting, case, outcome in (
        (m["m1"], a, Outcome.PLAN_AGREED),
        (m["m1"], d, Outcome.DEFER),
        (m["m1"], e, Outcome.NOT_REACHED),
        (m["m2"], b, Outcome.REFER_ON),
        (m["m2"], d, Outcome.NO_FURTHER_ACTION),
        (m["m3"], f, Outcome.PLAN_AGREED),
        (m["m0"], g, Outcome.PLAN_AGREED),
    ):
        session.add(Discussion(meeting_id=meeting.id, case_id=case.id, outcome=outcome))
    session.commit()
    k.meetings["cases"] = {"a": a, "b": b, "c": c, "f": f, "g": g}


def _actions(make, k: Known) -> None:  # type: ignore[no-untyped-def]
    cases, owner = k.meetings["cases"], k.people["sam"]
    done, open_, cancelled = ActionStatus.DONE, ActionStatus.OPEN, ActionStatus.CANCELLED
    for case, created, due, status, closed in (
        (cases["a"], at("2027-01-12", "14:00"), date(2027, 1, 20), done, at("2027-01-19", "10:00")),
        (cases["a"], at("2027-01-12", "14:00"), date(2027, 1, 20), done, at("2027-01-25", "10:00")),
        (cases["b"], at("2027-02-09", "14:00"), date(2027, 2, 20), open_, None),
        (cases["f"], at("2027-03-25", "14:00"), date(2027, 8, 1), open_, None),
        (cases["f"], at("2027-03-25", "14:00"), date(2027, 4, 1), cancelled, at("2027-03-30")),
        (cases["c"], at("2027-04-13", "14:00"), date(2027, 4, 20), done, at("2027-04-20", "10:00")),
        (cases["g"], at("2026-12-08", "14:00"), date(2027, 1, 5), open_, None),
        (cases["g"], at("2026-12-08", "14:00"), date(2027, 1, 5), done, at("2027-01-04")),
    ):
        make.action(case, owner, created_at=created, due_date=due, status=status, closed_at=closed)


def busy_team(make, session, meetings: int, years: int = 3) -> Any:  # type: ignore[no-untyped-def]
    """A team of ten with `meetings` held meetings spread over `years` before NOW, each with
    attendance, a cover, three cases with preparation and outcomes, and two actions."""
    team = make.team()
    disciplines = ("General practice", "Adult social care", "Community nursing", "Palliative care")
    members = [
        make.member(team, make.user(), TeamRole.CORE_MEMBER, disciplines[n % 4]).user
        for n in range(9)
    ]
    cover = make.user()
    step = timedelta(days=365 * years // meetings)
    for n in range(meetings):
        starts = NOW - timedelta(days=30) - step * n
        meeting = make.meeting(
            team,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=90),
            status=MeetingStatus.HELD,
            outside_protected_reason=None if n % 3 else "Urgent",
            minutes_sent_at=starts + timedelta(days=n % 3),
        )
        for i, inv in enumerate(meeting.invitations):
            inv.attendance = (P, R, A, AP)[(i + n) % 4]
        _cover(meeting, cover, members[0], disciplines[0], P)
        for c in range(3):
            case = make.case(meeting, make.patient(), *members[:3], position=c)
            for prep in case.prep_requests:
                prep.due_at = starts - timedelta(days=2)
                prep.completed_at = starts - timedelta(days=(c + n) % 4)
            outcome = (Outcome.PLAN_AGREED, Outcome.DEFER, Outcome.NOT_REACHED)[c]
            session.add(Discussion(meeting_id=meeting.id, case_id=case.id, outcome=outcome))
            if c < 2:
                make.action(
                    case,
                    members[c],
                    created_at=starts,
                    due_date=(starts + timedelta(days=14)).date(),
                    status=ActionStatus.DONE if c else ActionStatus.OPEN,
                    closed_at=starts + timedelta(days=10 + n % 10) if c else None,
                )
        session.commit()
    return team
