"""Outcomes per case, closing a meeting (cases not reached roll forward) and the minutes."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

import sqlalchemy as sa
from flask import render_template

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint
from mdt.agenda.models import Case
from mdt.audit.operations import record
from mdt.core.days import to_local
from mdt.core.time import now_utc
from mdt.core.web import external_url
from mdt.extensions import db
from mdt.mail import outbox
from mdt.meetings import quorum
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.minutes.models import ROLLS_FORWARD, Discussion, Outcome
from mdt.patients.access import named_after_close


class MinutesRefusal(Exception):
    """Why it cannot be done; the message is for the chair or minute-taker."""


NOT_QUORATE = (
    "The meeting is not quorate: {missing} not covered by anyone present. Record the outcome "
    "only if it cannot wait: tick the box and give the reason, which the minutes will show."
)


def missing_disciplines(meeting: Meeting) -> list[str]:
    return [s.discipline for s in quorum.actual(meeting) if not s.covered]


def discussion_of(meeting: Meeting, case: Case) -> Discussion | None:
    return db.session.scalar(
        sa.select(Discussion).where(
            Discussion.meeting_id == meeting.id, Discussion.case_id == case.id
        )
    )


def record_outcome(
    meeting: Meeting,
    case: Case,
    *,
    revision: int | None,
    outcome: Outcome,
    summary: str,
    review_date: date | None,
    override: str | None,
    by: User,
) -> Discussion:
    """Save one case's outcome. `revision` is what the form started from (0: nothing saved
    yet); anything else in the database means another minute-taker saved first."""
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise MinutesRefusal("This meeting is closed; its outcomes can no longer change.")
    missing = missing_disciplines(meeting)
    override = (override or "").strip() or None
    if missing and override is None:
        raise MinutesRefusal(NOT_QUORATE.format(missing=", ".join(missing)))
    # Revision 0: no outcome saved yet (the form posts 0 too).
    current = discussion_of(meeting, case) or Discussion(
        meeting_id=meeting.id, case_id=case.id, revision=0
    )
    current.check(revision or 0)
    db.session.add(current)
    current.outcome, current.summary, current.review_date = outcome, summary.strip(), review_date
    current.quorum_override = override if missing else None
    current.recorded_by_id, current.recorded_at = by.id, now_utc()
    current.bump()
    db.session.flush()
    record("update", [case.patient_id], f"outcome of case {case.id} at meeting {meeting.id}")
    return current


def close(meeting: Meeting, by: User, now: datetime) -> list[Case]:
    """Close the meeting: cases without an outcome, and those deferred, go to the team's next
    meeting with their preparation (or wait for it to be booked); the minutes go out.
    Returns the cases that rolled forward."""
    from mdt.agenda.operations import cases_of, move_case, next_meeting_after

    if meeting.status is not MeetingStatus.SCHEDULED:
        raise MinutesRefusal("This meeting is already closed or was cancelled.")
    if meeting.starts_at > now:
        raise MinutesRefusal("A meeting can be closed once it has started.")
    decided = {d.case_id: d for d in discussions(meeting)}
    target = next_meeting_after(meeting)
    taken: set[int] = set()
    if target is not None:
        target.team = meeting.team
        taken = {c.patient_id for c in cases_of(target)}
    moved: list[Case] = []
    for case in cases_of(meeting):
        found = decided.get(case.id)
        if found is None:
            found = Discussion(
                meeting_id=meeting.id,
                case_id=case.id,
                outcome=Outcome.NOT_REACHED,
                recorded_by_id=by.id,
            )
            db.session.add(found)
        if found.outcome not in ROLLS_FORWARD:
            continue
        moved.append(case)
        if target is None:
            case.waiting = True
        elif case.patient_id not in taken:  # else the next agenda has them already
            move_case(case, target)
            case.position = 1000 + case.position  # after what the next agenda already holds
    meeting.status, meeting.closed_at, meeting.closed_by_id = MeetingStatus.HELD, now, by.id
    meeting.bump()
    meeting.updated_at = now
    db.session.flush()
    send_minutes(meeting, now)
    return moved


def take_waiting(meeting: Meeting) -> list[Case]:
    """A newly booked meeting takes the team's cases waiting since a closed meeting."""
    from mdt.agenda.operations import move_case

    waiting = list(
        db.session.scalars(
            sa.select(Case)
            .join(Meeting, Meeting.id == Case.meeting_id)
            .where(Meeting.team_id == meeting.team_id, Case.waiting.is_(True))
            .order_by(Meeting.starts_at, Case.position)
        )
    )
    for position, case in enumerate(waiting, start=1):
        case.waiting = False
        move_case(case, meeting)
        case.position = position
    return waiting


def discussions(meeting: Meeting) -> list[Discussion]:
    return list(db.session.scalars(_discussions_statement(), {"meeting_id": meeting.id}))


@cache
def _discussions_statement() -> sa.Select[tuple[Discussion]]:
    """Built once (meeting mode asks on every case), the meeting bound per request."""
    return sa.select(Discussion).where(
        Discussion.meeting_id == sa.bindparam("meeting_id", type_=sa.Integer)
    )


# --- the minutes ---------------------------------------------------------------------------


def minutes_content(meeting: Meeting) -> dict[str, object]:
    """Everything the minutes show, in a fixed number of queries."""
    from sqlalchemy.orm import joinedload, selectinload

    rows = db.session.scalars(
        sa.select(Discussion)
        .where(Discussion.meeting_id == meeting.id)
        .options(joinedload(Discussion.case).joinedload(Case.patient))
    ).all()
    rows = sorted(rows, key=lambda d: (d.outcome is Outcome.NOT_REACHED, d.case.position))
    actions = db.session.scalars(
        sa.select(ActionPoint)
        .where(ActionPoint.meeting_id == meeting.id)
        .options(joinedload(ActionPoint.owner), selectinload(ActionPoint.history))
        .order_by(ActionPoint.id)
    ).all()
    by_case: dict[int | None, list[ActionPoint]] = {}
    for action in actions:
        by_case.setdefault(action.case_id, []).append(action)
    return {
        "meeting": meeting,
        "discussions": rows,
        "actions_by_case": by_case,
        "attendance": sorted(meeting.invitations, key=lambda i: i.user.name),
        "actual": quorum.actual(meeting),
        "when": to_local(meeting.starts_at, meeting.team.time_zone),
    }


def send_minutes(meeting: Meeting, now: datetime) -> None:
    """One email per invitee through the outbox. Team members get every patient's name and
    what was said. Anyone else (a cover from outside the team) reads the minutes once the
    meeting is closed, when their access to its cases ends (mdt.patients.access): they get
    the attendance and each outcome, and a case's patient, summary and actions only where
    they own an action on it; their link is to their actions, as the minutes page is the
    team's."""
    content = minutes_content(meeting)
    when = content["when"]
    subject = f"Minutes: {meeting.team.mdt_name} meeting, {when:%a %-d %b %Y}"  # type: ignore[str-format]
    members = {m.user_id for m in meeting.team.memberships}
    actions = [a for listed in content["actions_by_case"].values() for a in listed]  # type: ignore[attr-defined]
    link = external_url("minutes.view", meeting_id=meeting.id)
    for inv in meeting.invitations:
        if not inv.user.is_active:
            continue
        member = inv.user_id in members
        body = render_template(
            "minutes/email/minutes.txt",
            **content,
            person=inv.user,
            named=None if member else named_after_close(inv.user_id, actions),
            link=link if member else external_url("actions.mine"),
        )
        outbox.enqueue(outbox.compose([inv.user.email], subject, body))
    meeting.minutes_sent_at = now
    db.session.flush()
