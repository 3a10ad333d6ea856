"""Factories for the core entities: make.user(**over) and friends, on the test's session."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mdt.accounts.models import User
from mdt.accounts.operations import email_key
from mdt.accounts.passwords import hash_password
from mdt.actions.models import ActionChange, ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.availability.models import Commitment, CommitmentKind
from mdt.core.recurrence import Frequency
from mdt.directory.models import Service
from mdt.mail.models import OutboxMessage
from mdt.meetings.models import Invitation, Meeting
from mdt.organisations.models import Organisation, OrganisationType
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.retention.models import LegalHold
from mdt.slots.models import SlotSeries
from mdt.teams.models import Membership, Team, TeamRole

_counter = itertools.count(1)
PEOPLE_JOINED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
_PASSWORD_HASH: dict[str, str] = {}


class Factory:
    PASSWORD = "violet-tractor-harbour-42"

    def __init__(self, session: Session) -> None:
        self.session = session

    def _save(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.commit()
        return obj

    def organisation(self, **over: Any) -> Organisation:
        n = next(_counter)
        fields = {"name": f"Practice {n}", "type": OrganisationType.GP_PRACTICE} | over
        return self._save(Organisation(**fields))

    def user(self, password: str | None = PASSWORD, **over: Any) -> User:
        n = next(_counter)
        if "organisation" not in over and "organisation_id" not in over:
            over["organisation"] = self.organisation()
        fields = {
            "name": f"Person {n}",
            "email": f"person{n}@example.org",
            "profession": "General practitioner",
            # Long before any story's dates, so nobody's directory entry turns stale (and is
            # reminded) in the middle of a test, whatever the day the suite runs.
            "created_at": PEOPLE_JOINED,
        } | over
        if password is not None:
            if password not in _PASSWORD_HASH:  # argon2 is slow on purpose: hash once a run
                _PASSWORD_HASH[password] = hash_password(password)
            fields["password_hash"] = _PASSWORD_HASH[password]
        user = User(**fields)
        user.email_key = email_key(user.email)
        return self._save(user)

    def admin(self, **over: Any) -> User:
        return self.user(is_admin=True, profession="Administrator", **over)

    def team(self, coordinator: User | None = None, **over: Any) -> Team:
        n = next(_counter)
        team = Team(**({"name": f"Team {n}"} | over))
        team.memberships.append(
            Membership(
                user=coordinator or self.user(),
                role=TeamRole.COORDINATOR,
                discipline="Coordination",
            )
        )
        return self._save(team)

    def member(
        self,
        team: Team,
        user: User | None = None,
        role: TeamRole = TeamRole.CORE_MEMBER,
        discipline: str = "General practice",
        deputy: User | None = None,
    ) -> Membership:
        membership = Membership(
            team=team, user=user or self.user(), role=role, discipline=discipline, deputy=deputy
        )
        return self._save(membership)

    def series(self, team: Team, **over: Any) -> SlotSeries:
        fields = {
            "title": "Monthly MDT",
            "frequency": Frequency.WEEKLY,
            "interval": 1,
            "weekday": 1,
            "start_date": date(2027, 1, 1),
            "start_time": time(12, 30),
            "duration_minutes": 90,
        } | over
        return self._save(SlotSeries(team_id=team.id, **fields))

    def recurring(self, user: User, label: str = "Morning surgery", **over: Any) -> Commitment:
        fields = {
            "kind": CommitmentKind.RECURRING,
            "frequency": Frequency.WEEKLY,
            "weekday": 1,
            "start_date": date(2026, 1, 1),
            "start_time": time(8, 30),
            "end_time": time(12, 30),
        } | over
        return self._save(Commitment(user_id=user.id, label=label, **fields))

    def absence(
        self, user: User, first: date, last: date, label: str = "Annual leave"
    ) -> Commitment:
        return self._save(
            Commitment(
                user_id=user.id,
                label=label,
                kind=CommitmentKind.ABSENCE,
                start_date=first,
                end_date=last,
            )
        )

    def meeting(self, team: Team, series: SlotSeries | None = None, **over: Any) -> Meeting:
        """A meeting with every member invited, as booking makes it."""
        starts = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)
        fields = {
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=90),
            "series_id": series.id if series else None,
            "occurrence_date": date(2027, 1, 12) if series else None,
            "outside_protected_reason": None if series else "Urgent",
        } | over
        meeting = Meeting(team_id=team.id, **fields)
        for m in team.memberships:
            meeting.invitations.append(
                Invitation(
                    user_id=m.user_id,
                    discipline=m.discipline,
                    counts_for_quorum=m.role in (TeamRole.CORE_MEMBER, TeamRole.CHAIR),
                )
            )
        return self._save(meeting)

    def patient(self, **over: Any) -> Patient:
        n = next(_counter)
        fields = {
            "nhs_number": _test_nhs_number(n),
            "name": f"Patient {n}",
            "date_of_birth": date(1940, 1, 1),
        } | over
        if "registered_practice" not in fields and "registered_practice_id" not in fields:
            fields["registered_practice"] = self.organisation()
        return self._save(Patient(**fields))


def _test_nhs_number(n: int) -> str:
    """A valid number from the 999 test range, never a real person's."""
    import nhs_number

    for candidate in range(999_000_000 + n * 11, 999_999_999):
        stem = f"{candidate:09d}"
        check = nhs_number.calculate_checksum(stem)
        if check != 10:
            return f"{stem}{check}"
    raise AssertionError("ran out of test NHS numbers")


def _case(self: Factory, meeting: Meeting, patient: Patient, *owners: User, **over: Any) -> Case:
    """A case on a meeting's agenda with an open prep request for each owner."""
    fields = {"reason": "Frailty review", "position": 1} | over
    case = Case(meeting_id=meeting.id, patient_id=patient.id, **fields)
    for owner in owners:
        case.prep_requests.append(
            PrepRequest(user_id=owner.id, discipline="General practice", due_at=meeting.starts_at)
        )
    return self._save(case)


Factory.case = _case  # type: ignore[attr-defined]


def _action(self: Factory, case: Case, owner: User, **over: Any) -> ActionPoint:
    """An open action from a case's meeting, owned by `owner`, with its "created" history."""
    meeting = self.session.get(Meeting, case.meeting_id)
    fields = {
        "description": "Arrange a falls assessment",
        "due_date": date(2027, 2, 1),
        "status": ActionStatus.OPEN,
    } | over
    action = ActionPoint(
        team_id=meeting.team_id,
        meeting_id=meeting.id,
        case_id=case.id,
        patient_id=case.patient_id,
        owner_id=owner.id,
        **fields,
    )
    action.history.append(ActionChange(kind="created", detail=f"Created for {owner.name}"))
    return self._save(action)


Factory.action = _action  # type: ignore[attr-defined]


def _service(self: Factory, owner: User | None = None, **over: Any) -> Service:
    """A directory service, owned (and last checked, now) by `owner`."""
    owner = owner or self.user()
    fields = {
        "name": f"Service {next(_counter)}",
        "description": "Home visits for people who need them",
        "who_for": "Adults registered with a practice in the neighbourhood",
        "how_to_refer": "Referral form by email",
        "organisation_id": owner.organisation_id,
        "owner_id": owner.id,
        "verified_by_id": owner.id,
    } | over
    return self._save(Service(**fields))


Factory.service = _service  # type: ignore[attr-defined]


def _outbox_message(self: Factory, **over: Any) -> OutboxMessage:
    """A plain-text message in the outbox (queued, unless `status` says otherwise)."""
    n = next(_counter)
    fields = {
        "recipients": f"person{n}@example.org",
        "subject": f"Message {n}",
        "body": "Hello",
        "message_id": f"<message-{n}@mdt-coordinator>",
    } | over
    return self._save(OutboxMessage(**fields))


Factory.outbox_message = _outbox_message  # type: ignore[attr-defined]


def _hold(self: Factory, patient: Patient, by: User, **over: Any) -> LegalHold:
    """A legal hold in place on a patient's records."""
    fields = {"reason": "Claim 2026/114 (solicitors' letter)"} | over
    return self._save(LegalHold(patient_id=patient.id, placed_by_id=by.id, **fields))


Factory.hold = _hold  # type: ignore[attr-defined]
