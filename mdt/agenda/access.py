"""Who may see a meeting's agenda and its cases, and change them."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import raiseload, selectinload

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.agenda.models import Case
from mdt.core.db import in_rows
from mdt.extensions import db
from mdt.meetings.access import Need, get_meeting_or_404, load_meeting
from mdt.meetings.models import Meeting
from mdt.patients.access import (
    CaseRoute,
    CaseTable,
    add_case_route,
    can_see_case,
    covered_meetings,
    may_see_agenda,
    set_case_table,
)
from mdt.patients.models import Patient
from mdt.teams.models import Membership


def _on_my_agendas(user: User) -> sa.Select[tuple[int]]:
    """The cases on the agendas of my teams' meetings and of the meetings I cover."""
    my_teams = sa.select(Membership.team_id).where(Membership.user_id == user.id)
    team_meetings = sa.select(Meeting.id).where(Meeting.team_id.in_(my_teams))
    return sa.select(Case.id).where(
        Case.meeting_id.in_(team_meetings.union(covered_meetings(user)))
    )


def _patients_of(case_ids: sa.Select[tuple[int]]) -> sa.Select[tuple[int]]:
    # By index: as a plain IN, PostgreSQL hashed the person's cases and read every case.
    return sa.select(Case.patient_id).where(in_rows(Case.id, case_ids))


def _cases_of(patient: Patient, case_ids: sa.Select[tuple[int]]) -> list[tuple[Case, Meeting]]:
    return list(
        db.session.execute(
            sa.select(Case, Meeting)
            .join(Meeting, Meeting.id == Case.meeting_id)
            .where(Case.patient_id == patient.id, Case.id.in_(case_ids))
            .order_by(Meeting.starts_at.desc())
        )
    )


# Members and covers reach a case from its loaded meeting (may_see_agenda): no query.
add_case_route(CaseRoute(cases=_on_my_agendas))
set_case_table(CaseTable(patients_of=_patients_of, cases_of=_cases_of))


def get_member_meeting_or_404(meeting_id: int, manage: bool = False) -> Meeting:
    """For what only the team's members do with its patients (adding a case, deferring
    one): administrators included only if members."""
    meeting = get_meeting_or_404(meeting_id, Need.MANAGE if manage else Need.VIEW)
    if meeting.team.membership_of(signed_in_user()) is None:
        abort(404)
    return meeting


def get_agenda_meeting_or_404(meeting_id: int) -> Meeting:
    """The meeting, for those who may see its cases: its team's members and, until the
    minutes are sent, the cover standing in for a member (mdt.patients.access)."""
    meeting = get_meeting_or_404(meeting_id, Need.VIEW | Need.COVER)
    if not may_see_agenda(signed_in_user(), meeting):
        abort(404)
    return meeting


def get_case_or_404(case_id: int, manage: bool = False) -> tuple[Case, Meeting]:
    """The case for whoever may see it (mdt.patients.access); changing it is for members."""
    case = db.session.get(Case, case_id) or abort(404)
    if manage:
        return case, get_member_meeting_or_404(case.meeting_id, manage=True)
    meeting = load_meeting(case.meeting_id) or abort(404)
    if not can_see_case(signed_in_user(), case, meeting):
        abort(404)
    return case, meeting


def load_cases(meeting: Meeting, prep: bool = True) -> list[Case]:
    """The agenda in order, with every case's prep and its people (two queries whatever its
    length: a request's person loads with it); with `prep=False`, without it (one query;
    reading a case's prep then raises: see mdt.prep.queries.load_prep)."""
    return list(db.session.scalars(_cases_statement(prep), {"meeting_id": meeting.id}))


@cache
def _cases_statement(prep: bool) -> sa.Select[tuple[Case]]:
    """Built once for each `prep`, the meeting bound per request."""
    loading = selectinload(Case.prep_requests) if prep else raiseload(Case.prep_requests)
    return (
        sa.select(Case)
        .where(Case.meeting_id == sa.bindparam("meeting_id", type_=sa.Integer))
        .order_by(Case.position, Case.id)
        .options(loading)
    )
