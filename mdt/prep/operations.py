"""Preparation: who owes what for each case, completing it, handing it on, deferring."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.agenda.cutoff import agenda_cutoff
from mdt.agenda.models import Case
from mdt.agenda.signals import case_added, case_leaving, case_moved
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Invitation, Meeting
from mdt.prep.models import Known, PrepRequest
from mdt.teams.models import Membership


def required_invitations(case: Case, meeting: Meeting) -> list[Invitation]:
    """Every invited core member, and every invitee of a discipline the case asks for; a
    member with a named cover is not asked: the cover prepares in their place."""
    wanted = set(case.disciplines)
    covered = {inv.covering_for_id for inv in meeting.invitations}
    return [
        inv
        for inv in meeting.invitations
        if inv.user_id not in covered and (inv.counts_for_quorum or inv.discipline in wanted)
    ]


def pass_to_cover(meeting: Meeting, member_id: int, cover_id: int) -> None:
    """A named cover stands in for the member at this meeting: what the member still owes
    for its cases becomes the cover's (handed over by the member). A case the cover already
    prepares stays with the member."""
    open_requests = db.session.scalars(
        sa.select(PrepRequest)
        .join(Case, Case.id == PrepRequest.case_id)
        .where(Case.meeting_id == meeting.id, PrepRequest.completed_at.is_(None))
    ).all()
    theirs = {r.case_id for r in open_requests if r.user_id == cover_id}
    for request in open_requests:
        if request.user_id == member_id and request.case_id not in theirs:
            request.user_id, request.handed_over_by_id = cover_id, member_id
            request.bump()
    db.session.flush()


def _back_from_covers(case: Case, meeting: Meeting) -> None:
    """A case leaving a meeting leaves its cover behind: what the cover still owes for it
    goes back to the member they stood in for (a cover sees no other meeting's patients)."""
    stood_in_for = {i.user_id: i.covering_for_id for i in meeting.invitations if i.covering_for_id}
    owners = {r.user_id for r in case.prep_requests}
    for request in list(case.prep_requests):
        member_id = stood_in_for.get(request.user_id)
        if member_id is None or request.done:
            continue
        if member_id in owners:
            case.prep_requests.remove(request)  # the member is asked already
        else:
            request.user_id, request.handed_over_by_id = member_id, None
            request.bump()
            owners.add(member_id)


def request_prep(case: Case, meeting: Meeting) -> list[PrepRequest]:
    """One request per required person; those who already have one keep it."""
    due = agenda_cutoff(meeting)
    have = {r.user_id for r in case.prep_requests}
    created = []
    for inv in required_invitations(case, meeting):
        if inv.user_id not in have:
            request = PrepRequest(user_id=inv.user_id, discipline=inv.discipline, due_at=due)
            case.prep_requests.append(request)
            created.append(request)
            have.add(inv.user_id)
    db.session.flush()
    return created


def complete(
    request: PrepRequest,
    revision: int | None,
    known: Known,
    involvement: str,
    concerns: str,
    safeguarding: bool,
    needs: str,
) -> None:
    request.check(revision)
    request.known, request.involvement, request.concerns = (
        known,
        involvement.strip(),
        concerns.strip(),
    )
    request.safeguarding, request.needs = safeguarding, needs.strip()
    request.completed_at = now_utc()
    request.bump()
    db.session.flush()


def not_known(request: PrepRequest, revision: int | None) -> None:
    """'Not known to my service' completes the request in one step."""
    complete(request, revision, Known.NO, "", "", False, "")


#: How long after a one-click "Not known" its Undo is accepted (the button is on the page
#: that follows it).
UNDO_WINDOW = timedelta(minutes=2)


class TooLateToUndo(Exception):
    pass


def undo_not_known(request: PrepRequest, revision: int | None, now: datetime) -> None:
    """Reopens a request just marked not known: as if it had not been answered."""
    request.check(revision)
    answered = request.completed_at
    if request.known is not Known.NO or answered is None or now - answered > UNDO_WINDOW:
        raise TooLateToUndo()
    request.known, request.completed_at = None, None
    request.bump()
    db.session.flush()


def hand_over(request: PrepRequest, colleague: User, by: User) -> None:
    request.user_id, request.handed_over_by_id = colleague.id, by.id
    request.bump()
    db.session.flush()


def colleagues_for(request: PrepRequest) -> list[User]:
    """People who can take the request: same organisation and profession, able to sign in,
    and members of the meeting's team (who may see the case: mdt.patients.access; a
    colleague outside it would see the patient on My prep and nowhere else)."""
    owner = request.user
    team_members = (
        sa.select(Membership.user_id)
        .join(Meeting, Meeting.team_id == Membership.team_id)
        .join(Case, Case.meeting_id == Meeting.id)
        .where(Case.id == request.case_id)
    )
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == owner.organisation_id,
                User.profession == owner.profession,
                User.id != owner.id,
                User.is_active,
                User.id.in_(team_members),
            )
            .order_by(User.name)
        )
    )


@case_leaving.connect
def _leave_covers_behind(case: Case, meeting: Meeting) -> None:
    _back_from_covers(case, meeting)


@case_added.connect
def _request_prep_for_new_case(case: Case, meeting: Meeting) -> None:
    request_prep(case, meeting)


@case_moved.connect
def _follow_moved_case(case: Case, meeting: Meeting) -> None:
    """A deferred case: completed prep moves with it, open requests get the new deadline,
    and whoever the new meeting needs and has none is asked."""
    due = agenda_cutoff(meeting)
    for request in case.prep_requests:
        if not request.done:
            request.due_at = due
    request_prep(case, meeting)
    for cover in meeting.invitations:
        if cover.covering_for_id is not None:
            _pass_case_to_cover(case, cover.covering_for_id, cover.user_id)


def _pass_case_to_cover(case: Case, member_id: int, cover_id: int) -> None:
    if any(r.user_id == cover_id for r in case.prep_requests):
        return
    for request in case.prep_requests:
        if request.user_id == member_id and not request.done:
            request.user_id, request.handed_over_by_id = cover_id, member_id
            request.bump()


def is_overdue(request: PrepRequest, now: datetime | None = None) -> bool:
    return request.overdue(now or now_utc())
