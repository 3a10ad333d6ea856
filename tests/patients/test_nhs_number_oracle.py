"""Adding a case does not tell a coordinator whether an NHS number is recorded for a patient
she may not see (another team's): she learns nothing of them, no second record of the number
is made, and the attempt is audited against that patient."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine

from mdt.agenda.models import Case
from mdt.agenda.operations import MISMATCH, NOT_ADDED
from mdt.audit.models import AuditEvent
from mdt.organisations.models import OrganisationType
from mdt.patients.models import Patient
from tests.agenda.test_agenda import _case_form
from tests.conftest import login, submit

BEFORE_CUTOFF = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
AFTER_CUTOFF = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
MEETING = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)


def _two_teams(make):
    """Riverside has discussed Ada; Oakfield's coordinator may not see her."""
    practice = make.organisation(name="Riverside Surgery", type=OrganisationType.GP_PRACTICE)
    theirs = make.team(coordinator=make.user(name="River Coord", organisation=practice))
    born = date(1931, 5, 6)
    ada = make.patient(name="Ada Hidden", date_of_birth=born, registered_practice=practice)
    make.case(make.meeting(theirs, starts_at=MEETING.replace(day=5)), ada)
    oakfield = make.organisation(name="Oakfield Medical", type=OrganisationType.GP_PRACTICE)
    coordinator = make.user(name="Leah Oak", organisation=oakfield)
    mine = make.team(coordinator=coordinator)
    meeting = make.meeting(mine, starts_at=MEETING, ends_at=MEETING.replace(hour=14))
    return practice, theirs, ada, oakfield, coordinator, meeting


def _add(client, meeting, practice, nhs_number: str, **over: str):
    form = _case_form(practice, nhs_number=nhs_number, name="Zed Typed") | over
    return submit(client, f"/meetings/{meeting.id}/cases/new", form)


def _patients(session) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(Patient.id)))


def _shown(text: str) -> str:
    """The error summary's messages, without the page's tokens."""
    summary = text[text.index("There is a problem") :]
    summary = summary[: summary.index("</ul>")]
    return " ".join(re.sub(r"<[^>]+>", " ", summary).split())


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_another_teams_number_is_refused_without_saying_it_is_recorded(client, make, session):
    _practice, _theirs, ada, oakfield, coordinator, meeting = _two_teams(make)
    login(client, coordinator.email)
    before = _patients(session)
    page = _add(client, meeting, oakfield, ada.nhs_number)
    assert page.status_code == 200
    assert "already recorded" not in page.text and "Ada" not in page.text
    assert NOT_ADDED.split(".")[0] in page.text
    assert _patients(session) == before  # no second record of the number
    assert session.scalar(sa.select(Case.id).where(Case.meeting_id == meeting.id)) is None
    probe = session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.user_id == coordinator.id, AuditEvent.patient_id == ada.id
        )
    )
    assert probe is not None and probe.action == "refused"


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_a_coordinator_who_may_see_the_patient_is_told_of_the_mismatch(client, make, session):
    practice, theirs, ada, *_rest = _two_teams(make)
    own_meeting = make.meeting(theirs, starts_at=MEETING, ends_at=MEETING.replace(hour=14))
    login(client, theirs.memberships[0].user.email)
    page = _add(client, own_meeting, practice, ada.nhs_number)
    assert MISMATCH.split(".")[0] in page.text


@time_machine.travel(AFTER_CUTOFF, tick=False)
def test_after_the_cut_off_a_recorded_and_an_unknown_number_get_the_same_answer(
    client, make, session
):
    _practice, _theirs, ada, oakfield, coordinator, meeting = _two_teams(make)
    login(client, coordinator.email)
    before = _patients(session)
    # A routine case, with the reason the form asks for once the agenda has closed.
    late = {"late_reason": "Discharged yesterday"}
    recorded = _shown(_add(client, meeting, oakfield, ada.nhs_number, **late).text)
    unknown = _shown(_add(client, meeting, oakfield, "999 000 0026", **late).text)
    assert recorded == unknown and "cut-off" in recorded
    assert _patients(session) == before


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_the_right_details_join_the_recorded_patient_without_a_second_record(client, make, session):
    _practice, _theirs, ada, oakfield, coordinator, meeting = _two_teams(make)
    login(client, coordinator.email)
    before = _patients(session)
    added = _add(
        client, meeting, oakfield, ada.nhs_number, name="Ada Hidden", date_of_birth="1931-05-06"
    )
    assert added.status_code == 302
    assert _patients(session) == before
    case = session.scalar(sa.select(Case).where(Case.meeting_id == meeting.id))
    assert case.patient_id == ada.id
