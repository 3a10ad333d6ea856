"""Creating and changing action points. Every change writes one history row and one audit
row; owners change their own, the team's coordinators any of the team's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import aliased

from mdt.accounts.models import User
from mdt.accounts.operations import create_user, find_user_by_email
from mdt.actions.models import ActionChange, ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.audit.operations import record
from mdt.core.time import now_utc
from mdt.core.web import external_url
from mdt.extensions import db
from mdt.mail import outbox
from mdt.meetings.models import Meeting
from mdt.organisations.models import Organisation
from mdt.teams.models import Membership, Team, TeamRole


class ActionRefusal(Exception):
    """Why the change cannot be made; the message is for the person making it."""


def can_change(action: ActionPoint, user: User) -> bool:
    """The owner, or a coordinator of the action's team (administrators only as such)."""
    if action.owner_id == user.id:
        return True
    membership = action.team.membership_of(user)
    return membership is not None and membership.role is TeamRole.COORDINATOR


def team_organisations(team: Team) -> set[int]:
    return {m.user.organisation_id for m in team.memberships}


@dataclass(frozen=True)
class TeamPeople:
    """Who may own a team's new action, and the organisations a new contact may be from."""

    #: (id, "Name (Organisation)"), by name.
    owners: list[tuple[int, str]]
    #: (id, name), by name.
    organisations: list[tuple[int, str]]


def team_people(team_id: int) -> TeamPeople:
    """The active people in any organisation of the team's members, and its members'
    deputies; and those organisations: one statement of plain rows, by the team's id, so
    the members' people need not be loaded (a region's trust has hundreds of staff, and
    loading each as an object cost more than the rest of meeting mode)."""
    people: dict[int, tuple[str, str]] = {}
    organisations: list[tuple[int, str]] = []
    for kind, row_id, name, organisation in db.session.execute(
        _team_people_statement(), {"team_id": team_id}
    ):
        if kind == _OWNER:
            people[row_id] = (name, organisation)
        else:
            organisations.append((row_id, name))
    ordered = sorted(people.items(), key=lambda item: (item[1][0].lower(), item[0]))
    return TeamPeople(
        owners=[(user_id, f"{name} ({org})") for user_id, (name, org) in ordered],
        organisations=sorted(organisations, key=lambda org: (org[1], org[0])),
    )


def possible_owners(team: Team) -> list[tuple[int, str]]:
    return team_people(team.id).owners


_OWNER, _ORGANISATION = "owner", "organisation"


@cache
def _team_people_statement() -> sa.CompoundSelect:
    """Built once (meeting mode's new-action form asks on every case), bound per request:
    the owners, then the organisations, told apart by their first column."""
    team_id = sa.bindparam("team_id", type_=sa.Integer)
    member = aliased(User)
    member_organisations = (
        sa.select(member.organisation_id)
        .join(Membership, Membership.user_id == member.id)
        .where(Membership.team_id == team_id)
    )
    people = sa.select(sa.literal(_OWNER), User.id, User.name, Organisation.name).join(
        Organisation, Organisation.id == User.organisation_id
    )
    # Three parts, not one with an OR: PostgreSQL answers an OR of two subqueries by reading
    # every person (30 ms at national scale); the three parts use their indexes (0.7 ms).
    colleagues = people.where(
        User.organisation_id.in_(member_organisations), User.is_active.is_(True)
    )
    deputies = people.join(Membership, Membership.deputy_id == User.id).where(
        Membership.team_id == team_id
    )
    organisations = sa.select(
        sa.literal(_ORGANISATION), Organisation.id, Organisation.name, sa.null()
    ).where(Organisation.id.in_(member_organisations))
    return sa.union_all(colleagues, deputies, organisations)


def contact_owner(team: Team, name: str, email: str, organisation_id: int) -> User:
    """A person who has no login yet: found by email, or recorded as a contact."""
    existing = find_user_by_email(email)
    if existing is not None:
        if existing.organisation_id not in team_organisations(team):
            raise ActionRefusal(
                "That email belongs to someone outside the team's organisations. Choose an "
                "owner from the team's organisations."
            )
        return existing
    if organisation_id not in team_organisations(team):
        raise ActionRefusal("Choose one of the team's organisations for the new contact.")
    return create_user(
        name=name.strip(),
        email=email.strip(),
        profession="Other",
        organisation_id=organisation_id,
    )


def create(
    meeting: Meeting,
    case: Case | None,
    *,
    owner: User,
    due: date,
    description: str,
    by: User,
    today: date,
) -> ActionPoint:
    if due < today:
        raise ActionRefusal("The due date is in the past. Choose today or a later date.")
    action = ActionPoint(
        team_id=meeting.team_id,
        team=meeting.team,
        meeting_id=meeting.id,
        case_id=case.id if case else None,
        patient_id=case.patient_id if case else None,
        description=description.strip(),
        owner=owner,
        due_date=due,
        created_by_id=by.id,
        revision=0,  # the first change, its creation, makes it 1
    )
    db.session.add(action)
    _log(action, by, "created", f"Created for {owner.name}, due {due:%-d %B %Y}")
    db.session.flush()
    _audit(action, "create")
    _tell_owner(action, by, "given")
    return action


def _log(action: ActionPoint, by: User, kind: str, detail: str) -> None:
    action.history.append(ActionChange(by_id=by.id, kind=kind, detail=detail[:1200]))
    action.bump()
    action.updated_at = now_utc()


def _audit(action: ActionPoint, verb: str) -> None:
    if action.patient_id is not None:
        record(verb, [action.patient_id], f"action {action.id}")


def _must_be_open(action: ActionPoint) -> None:
    if not action.is_open:
        raise ActionRefusal(f"This action is already {action.status.value}.")


def complete(action: ActionPoint, revision: int | None, note: str, by: User) -> None:
    _close(action, revision, ActionStatus.DONE, note, by, "Marked done")


def cancel(action: ActionPoint, revision: int | None, reason: str, by: User) -> None:
    _close(action, revision, ActionStatus.CANCELLED, reason, by, "Cancelled")


def _close(
    action: ActionPoint, revision: int | None, status: ActionStatus, note: str, by: User, say: str
) -> None:
    action.check(revision)
    _must_be_open(action)
    action.status, action.closing_note = status, note.strip()
    action.closed_at = now_utc()
    _log(action, by, status.value, f"{say}: {note.strip()}")
    db.session.flush()
    _audit(action, "update")


def reopen(action: ActionPoint, revision: int | None, reason: str, by: User) -> None:
    action.check(revision)
    if action.is_open:
        raise ActionRefusal("This action is already open.")
    action.status, action.closing_note, action.closed_at = ActionStatus.OPEN, "", None
    _log(action, by, "reopened", f"Reopened: {reason.strip()}")
    db.session.flush()
    _audit(action, "update")


def reassign(action: ActionPoint, revision: int | None, owner: User, by: User) -> None:
    action.check(revision)
    _must_be_open(action)
    if owner.id == action.owner_id:
        raise ActionRefusal(f"{owner.name} already owns this action.")
    previous = action.owner
    action.owner = owner
    _log(action, by, "reassigned", f"Handed over from {previous.name} to {owner.name}")
    db.session.flush()
    _audit(action, "update")
    _tell_owner(action, by, "handed")


def reschedule(
    action: ActionPoint, revision: int | None, due: date, reason: str, by: User, today: date
) -> None:
    action.check(revision)
    _must_be_open(action)
    if due < today:
        raise ActionRefusal("The new due date is in the past. Choose today or a later date.")
    if due == action.due_date:
        raise ActionRefusal("That is the date it is already due.")
    before = action.due_date
    action.due_date = due
    _log(
        action,
        by,
        "rescheduled",
        f"Due date moved from {before:%-d %B %Y} to {due:%-d %B %Y}: {reason.strip()}",
    )
    db.session.flush()
    _audit(action, "update")


def _tell_owner(action: ActionPoint, by: User, how: str) -> None:
    """An email to the new owner (unless they gave it to themself): the team and the date,
    never the patient; the description waits behind the sign-in."""
    if action.owner_id == by.id:
        return
    team = action.team
    subject = f"An action for you from the {team.mdt_name}, due {action.due_date:%-d %b %Y}"
    body = render_template(
        "actions/email/assigned.txt",
        action=action,
        team=team,
        by=by,
        how=how,
        link=external_url("actions.detail", action_id=action.id),
        coordinators=[m.user for m in team.memberships if m.role is TeamRole.COORDINATOR],
    )
    outbox.enqueue(outbox.compose([action.owner.email], subject, body))
