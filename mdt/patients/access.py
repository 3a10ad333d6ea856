"""Who may see a patient and their cases: the one rule every page, email, CSV and feed
applies (the README says it in words).

- **Members** of a team see the cases on its meetings' agendas, and those patients.
- **A named cover stands in for the member for that meeting.** From being named (a
  member's apologies naming them) until the minutes are sent, the cover sees that meeting's
  cases and their patients, as an attendee does, and prepares in the member's place. They
  see no other meeting's cases, and nothing of the meeting's cases once the minutes are
  sent, except through the next clause.
- **Whoever owns an action** on a case sees that case and its patient (they act on it).
- **The registered practice** sees its patients' records (not other teams' cases).

Nobody else, administrators included (they run the system, not the care).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import abort

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.extensions import db
from mdt.meetings.access import covers_now
from mdt.meetings.models import Invitation, Meeting, MeetingStatus
from mdt.patients.models import Patient

if TYPE_CHECKING:
    from mdt.actions.models import ActionPoint
    from mdt.agenda.models import Case


@dataclass(frozen=True)
class CaseRoute:
    """One way a user reaches cases, and through them their patients. Cases and what leads
    to them belong to the features above this one (the agenda, actions), which register
    their routes here: the rule is put together without this package importing them."""

    #: A subquery of the ids of every case the user reaches this way.
    cases: Callable[[User], sa.Select[tuple[int]]]
    #: Whether the user reaches one case this way (a query); None for a route already
    #: answered from the loaded meeting (`may_see_agenda`).
    reaches: Callable[[User, int], bool] | None = None


@dataclass(frozen=True)
class CaseTable:
    """The agenda's cases, as the rule needs them: a case's patient, and a patient's cases."""

    #: A subquery of the patient ids of the cases in a subquery of case ids.
    patients_of: Callable[[sa.Select[tuple[int]]], sa.Select[tuple[int]]]
    #: A patient's cases among a subquery of case ids, with their meetings, latest first.
    cases_of: Callable[[Patient, sa.Select[tuple[int]]], list[tuple[Case, Meeting]]]


_ROUTES: list[CaseRoute] = []
_TABLE: list[CaseTable] = []


def add_case_route(route: CaseRoute) -> None:
    """Registers a way to reach cases (the agenda's and actions' access modules do, on
    import)."""
    _ROUTES.append(route)


def set_case_table(table: CaseTable) -> None:
    """Registers the agenda's cases (its access module does, on import)."""
    _TABLE[:] = [table]


# --- on a loaded meeting (its team's memberships and its invitations loaded) --------------


def may_see_agenda(user: User, meeting: Meeting) -> bool:
    """The meeting's cases, as an attendee sees them: its team's members and its cover."""
    return meeting.team.membership_of(user) is not None or covers_now(user, meeting)


# --- as queries ---------------------------------------------------------------------------


def covered_meetings(user: User) -> sa.Select[tuple[int]]:
    """The meetings `user` covers for a member, until their minutes are sent."""
    return (
        sa.select(Invitation.meeting_id)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(
            Invitation.user_id == user.id,
            Invitation.covering_for_id.is_not(None),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.minutes_sent_at.is_(None),
        )
    )


def visible_cases(user: User) -> sa.Select[tuple[int]]:
    """A subquery of the ids of every case `user` may see (the rule above)."""
    return sa.union(*(route.cases(user) for route in _ROUTES))  # type: ignore[return-value]


def visible_patients(user: User) -> sa.Select[tuple[int]]:
    """A subquery of the ids of every patient `user` may see."""
    cases = visible_cases(user).subquery()
    through_cases = _TABLE[0].patients_of(sa.select(cases.c[0]))
    registered_here = sa.select(Patient.id).where(
        Patient.registered_practice_id == user.organisation_id
    )
    return sa.union(through_cases, registered_here)  # type: ignore[return-value]


def visible_cases_of(patient: Patient, user: User) -> list[tuple[Case, Meeting]]:
    """The patient's cases `user` may see, with their meetings, latest first."""
    return _TABLE[0].cases_of(patient, visible_cases(user))


def can_see_patient(user: User, patient_id: int) -> bool:
    ids = visible_patients(user).subquery()
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(ids).where(ids.c[0] == patient_id))
        > 0
    )


def can_see_case(user: User, case: Case, meeting: Meeting) -> bool:
    """`meeting` is the case's, loaded with its memberships and invitations: members and the
    cover are answered without a query."""
    return may_see_agenda(user, meeting) or any(
        route.reaches(user, case.id) for route in _ROUTES if route.reaches is not None
    )


def named_after_close(user_id: int, actions: Iterable[ActionPoint]) -> set[int]:
    """Of a closed meeting's cases, those whose patient someone outside its team may still
    see: the cases they own one of these actions on (the rule's action clause; for them the
    only one left once the minutes are sent)."""
    return {a.case_id for a in actions if a.owner_id == user_id and a.case_id is not None}


def get_patient_or_404(patient_id: int) -> Patient:
    patient = db.session.get(Patient, patient_id)
    if patient is None or not can_see_patient(signed_in_user(), patient.id):
        abort(404)
    return patient
