"""Preparation: who owes what for each case, completing it, handing it on, deferring."""

from __future__ import annotations

from datetime import datetime

from mdt.accounts.models import User
from mdt.accounts.operations import Conflict
from mdt.agenda.cutoff import agenda_cutoff
from mdt.agenda.models import Case
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Invitation, Meeting
from mdt.prep.models import Known, PrepRequest


def required_invitations(case: Case, meeting: Meeting) -> list[Invitation]:
    """Every invited core member, and every invitee of a discipline the case asks for."""
    wanted = set(case.disciplines)
    return [inv for inv in meeting.invitations if inv.counts_for_quorum or inv.discipline in wanted]


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


def _check(request: PrepRequest, revision: int | None) -> None:
    if revision is not None and revision != request.revision:
        raise Conflict()


def complete(
    request: PrepRequest,
    revision: int | None,
    known: Known,
    involvement: str,
    concerns: str,
    safeguarding: bool,
    needs: str,
) -> None:
    _check(request, revision)
    request.known, request.involvement, request.concerns = (
        known,
        involvement.strip(),
        concerns.strip(),
    )
    request.safeguarding, request.needs = safeguarding, needs.strip()
    request.completed_at = now_utc()
    request.revision += 1
    db.session.flush()


def not_known(request: PrepRequest, revision: int | None) -> None:
    """'Not known to my service' completes the request in one step."""
    complete(request, revision, Known.NO, "", "", False, "")


def hand_over(request: PrepRequest, colleague: User, by: User) -> None:
    request.user_id, request.handed_over_by_id = colleague.id, by.id
    request.revision += 1
    db.session.flush()


def colleagues_for(request: PrepRequest) -> list[User]:
    """People who can take the request: same organisation and profession, able to sign in."""
    import sqlalchemy as sa

    owner = request.user
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == owner.organisation_id,
                User.profession == owner.profession,
                User.id != owner.id,
                User.is_active,
            )
            .order_by(User.name)
        )
    )


def move_case(case: Case, to: Meeting) -> None:
    """Defer a case: completed prep moves with it, open requests get the new deadline, and
    whoever the new meeting needs and has none is asked."""
    case.meeting_id = to.id
    case.meeting = to
    due = agenda_cutoff(to)
    for request in case.prep_requests:
        if not request.done:
            request.due_at = due
    request_prep(case, to)
    case.revision += 1
    db.session.flush()


def is_overdue(request: PrepRequest, now: datetime | None = None) -> bool:
    return request.overdue(now or now_utc())
