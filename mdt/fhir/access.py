"""What a client may see: what its organisation's people may see, under the one rule in
mdt.patients.access (each person's cases and patients, put together), less the people who
object to being discussed: their records are not sent out to other systems.

The rule's last clause, the registered practice sees its patients' records, holds for the
organisation itself: a GP practice's system reads the outcomes (CarePlans) of the patients
registered there even when none of the practice's people sits on the team, which is what
it needs to take the decisions into the GP record. The cases and tasks stay the team's."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.agenda.models import Case
from mdt.extensions import db
from mdt.fhir.models import ApiClient
from mdt.patients.access import visible_cases
from mdt.patients.models import Patient
from mdt.teams.models import Membership


def people_of(client: ApiClient) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(
                User.organisation_id == client.organisation_id, User.is_active.is_(True)
            )
        )
    )


def _union(selects: list[sa.Select[tuple[int]]]) -> sa.Select[tuple[int]]:
    if not selects:
        return sa.select(sa.literal(0)).where(sa.false())  # type: ignore[return-value]
    joined = sa.union(*selects).subquery()
    return sa.select(joined.c[0])


def visible_case_ids(people: list[User]) -> sa.Select[tuple[int]]:
    seen = _union([visible_cases(p) for p in people]).subquery()
    return sa.select(Case.id).where(
        Case.id.in_(sa.select(seen.c[0])),
        Case.patient_id.in_(sa.select(Patient.id).where(Patient.objects_to_sharing.is_(False))),
    )


def member_teams(people: list[User]) -> sa.Select[tuple[int]]:
    """The teams some of the organisation's people belong to."""
    return sa.select(Membership.team_id).where(Membership.user_id.in_([p.id for p in people]))


def registered_patient_ids(client: ApiClient) -> sa.Select[tuple[int]]:
    """The patients registered at the client's organisation who have not objected."""
    return sa.select(Patient.id).where(
        Patient.registered_practice_id == client.organisation_id,
        Patient.objects_to_sharing.is_(False),
    )
