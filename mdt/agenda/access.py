"""Who may see a meeting's agenda and its cases, and change them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import raiseload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from mdt.accounts.access import signed_in_user
from mdt.agenda.models import Case
from mdt.extensions import db
from mdt.meetings.access import Need, get_meeting_or_404, load_meeting
from mdt.meetings.models import Meeting
from mdt.patients.access import can_see_case, may_see_agenda
from mdt.prep.models import PrepRequest


def get_member_meeting_or_404(meeting_id: int, manage: bool = False) -> Meeting:
    """For what only the team's members do with its patients (adding a case, deferring
    one): administrators included only if members."""
    meeting = get_meeting_or_404(meeting_id, Need.MANAGE if manage else Need.VIEW)
    if meeting.team.membership_of(current_user) is None:
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
    """The agenda in order, with every case's prep (two queries whatever its length); with
    `prep=False`, without it (one query; reading a case's prep then raises: see load_prep)."""
    loading = (
        selectinload(Case.prep_requests).joinedload(PrepRequest.user)
        if prep
        else raiseload(Case.prep_requests)
    )
    return list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.meeting_id == meeting.id)
            .order_by(Case.position, Case.id)
            .options(loading)
        )
    )


def load_prep(case: Case) -> None:
    """One case's prep, with the people, set on the case (one query): meeting mode shows
    the prep of the case in hand, not of the whole agenda."""
    rows = db.session.scalars(
        sa.select(PrepRequest).where(PrepRequest.case_id == case.id).order_by(PrepRequest.id)
    )
    set_committed_value(case, "prep_requests", list(rows))
