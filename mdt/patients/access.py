"""Who may see a patient: members of a team whose agenda holds them, and their registered
practice. Nobody else, administrators included (they run the system, not the care)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from mdt.accounts.models import User
from mdt.agenda.models import Case
from mdt.extensions import db
from mdt.meetings.models import Meeting
from mdt.patients.models import Patient
from mdt.teams.models import Membership


def visible_patients(user: User) -> sa.Select[tuple[int]]:
    """A subquery of the ids of every patient `user` may see."""
    my_teams = sa.select(Membership.team_id).where(Membership.user_id == user.id)
    on_my_agendas = (
        sa.select(Case.patient_id)
        .join(Meeting, Meeting.id == Case.meeting_id)
        .where(Meeting.team_id.in_(my_teams))
    )
    registered_here = sa.select(Patient.id).where(
        Patient.registered_practice_id == user.organisation_id
    )
    return sa.union(on_my_agendas, registered_here)  # type: ignore[return-value]


def can_see_patient(user: User, patient_id: int) -> bool:
    ids = visible_patients(user).subquery()
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(ids).where(ids.c[0] == patient_id))
        > 0
    )


def get_patient_or_404(patient_id: int) -> Patient:
    patient = db.session.get(Patient, patient_id)
    if patient is None or not can_see_patient(current_user, patient.id):  # type: ignore[arg-type]
        abort(404)
    return patient
