"""Building the agenda: patients, cases, the cut-off and who is asked to prepare."""

from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine

from mdt.agenda.models import Case
from mdt.audit.models import AuditEvent
from mdt.organisations.models import OrganisationType
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.teams.models import TeamRole
from tests.conftest import login, submit


def _world(make, starts=datetime(2027, 1, 12, 12, 30, tzinfo=UTC)):
    practice = make.organisation(name="Riverside Surgery", type=OrganisationType.GP_PRACTICE)
    coordinator = make.user(name="Coord", organisation=practice)
    team = make.team(coordinator=coordinator)
    gp = make.member(
        team,
        make.user(name="Dr GP", organisation=practice),
        role=TeamRole.CHAIR,
        discipline="General practice",
    ).user
    sw = make.member(team, make.user(name="Sam SW"), discipline="Adult social care").user
    pharmacist = make.member(
        team, make.user(name="Pat Pharm"), role=TeamRole.ATTENDEE, discipline="Pharmacy"
    ).user
    meeting = make.meeting(team, starts_at=starts, ends_at=starts.replace(hour=14))
    return practice, coordinator, team, gp, sw, pharmacist, meeting


def _case_form(practice, **over):
    return {
        "nhs_number": "999 000 0018",
        "name": "Edith Example",
        "date_of_birth": "1938-04-02",
        "registered_practice_id": str(practice.id),
        "reason": "Falls at home, carer stress",
        "priority": "routine",
        "late_reason": "",
        "what_matters": "To stay at home with her cat",
        "questions": "",
        "key_worker_id": "0",
        "minutes": "10",
        "triage": "discussion",
    } | over


def _count(session, model):
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(model.id)))


def test_adding_a_case_asks_each_required_person_once(client, make, session):
    practice, coordinator, _team, gp, sw, pharmacist, meeting = _world(make)
    login(client, coordinator.email)
    url = f"/meetings/{meeting.id}/cases/new"
    response = submit(client, url, _case_form(practice, disciplines="Pharmacy"))
    assert response.status_code == 302, response.text
    case = session.scalar(sa.select(Case))
    owners = sorted(r.user_id for r in case.prep_requests)
    # Core members and the chair always; the pharmacist because pharmacy was asked for;
    # the coordinator (coordination is not a core discipline) is not asked.
    assert owners == sorted([gp.id, sw.id, pharmacist.id])
    assert {r.due_at for r in case.prep_requests} == {datetime(2027, 1, 9, 0, 0, tzinfo=UTC)}
    assert session.scalar(sa.select(Patient)).nhs_number == "9990000018"


def test_a_member_who_joins_later_is_asked_too(client, make, session):
    practice, coordinator, team, *_rest, meeting = _world(make)
    login(client, coordinator.email)
    submit(client, f"/meetings/{meeting.id}/cases/new", _case_form(practice))
    nurse = make.user(name="Jo Nurse")
    response = submit(
        client,
        f"/teams/{team.id}/members/new",
        {
            "user_id": nurse.id,
            "role": "core_member",
            "discipline": "Community nursing",
            "deputy_id": 0,
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert (
        session.scalar(
            sa.select(sa.func.count(PrepRequest.id)).where(PrepRequest.user_id == nurse.id)
        )
        == 1
    )


def test_a_person_who_objects_cannot_be_added_and_is_told_why(client, make, session):
    practice, coordinator, *_rest, meeting = _world(make)
    make.patient(
        nhs_number="9990000018",
        name="Edith Example",
        date_of_birth=date(1938, 4, 2),
        registered_practice=practice,
        objects_to_sharing=True,
    )
    login(client, coordinator.email)
    page = submit(client, f"/meetings/{meeting.id}/cases/new", _case_form(practice)).text
    assert "objected to being discussed at MDT meetings" in page
    assert _count(session, Case) == 0


def test_cut_off_before_a_tuesday_after_christmas_is_the_wednesday_before(client, make, session):
    starts = datetime(2026, 12, 29, 12, 30, tzinfo=UTC)
    practice, coordinator, *_rest, meeting = _world(make, starts)
    # 25 and 28 December are bank holidays: two working days before the 29th end on the 23rd.
    with time_machine.travel(datetime(2026, 12, 23, 23, 59, tzinfo=UTC), tick=False):
        login(client, coordinator.email)
        on_time = submit(client, f"/meetings/{meeting.id}/cases/new", _case_form(practice))
        assert on_time.status_code == 302
    other = {"nhs_number": "999 000 0026", "name": "Fred Other", "date_of_birth": "1950-01-01"}
    with time_machine.travel(datetime(2026, 12, 24, 0, 0, tzinfo=UTC), tick=False):
        url = f"/meetings/{meeting.id}/cases/new"
        routine = submit(client, url, _case_form(practice, **other)).text
        assert "only urgent cases can be added" in routine
        no_reason = submit(client, url, _case_form(practice, priority="urgent", **other)).text
        assert "Say why this urgent case cannot wait" in no_reason
        urgent = submit(
            client,
            url,
            _case_form(practice, priority="urgent", late_reason="Discharged yesterday", **other),
        )
        assert urgent.status_code == 302
        agenda = client.get(f"/meetings/{meeting.id}/agenda").text
    late = session.scalar(sa.select(Case).where(Case.late_reason.is_not(None)))
    assert late.late_reason == "Discharged yesterday"
    assert "Added late" in agenda
    assert "end of Wednesday 23 December" in agenda


def test_bad_case_input_is_explained_kept_and_nothing_saved(client, make, session):
    practice, coordinator, *_rest, meeting = _world(make)
    login(client, coordinator.email)
    url = f"/meetings/{meeting.id}/cases/new"
    cases = [
        ({"reason": ""}, "Enter the reason for discussion", 'value="Edith Example"'),
        ({"date_of_birth": "2099-01-01"}, "must be today or in the past", 'value="2099"'),
        ({"what_matters": "x" * 1001}, "1000 characters or fewer", "x" * 1001),
        ({"nhs_number": "999 000 0019"}, "check digit", 'value="999 000 0019"'),
    ]
    for change, message, kept in cases:
        page = submit(client, url, _case_form(practice, **change)).text
        assert "There is a problem" in page and message in page and kept in page, change
    assert _count(session, Case) == 0 and _count(session, Patient) == 0


def test_a_gp_outside_the_team_cannot_see_the_patient_case_or_prep(client, make, session):
    practice, coordinator, _team, _gp, sw, *_rest, meeting = _world(make)
    login(client, coordinator.email)
    submit(client, f"/meetings/{meeting.id}/cases/new", _case_form(practice))
    case = session.scalar(sa.select(Case))
    request = next(r for r in case.prep_requests if r.user_id == sw.id)
    outsider = make.user(organisation=make.organisation(name="Elsewhere Practice"))
    stranger = client.application.test_client()
    login(stranger, outsider.email)
    assert stranger.get(f"/patients/{case.patient_id}").status_code == 404
    assert stranger.get(f"/cases/{case.id}").status_code == 404
    assert stranger.get(f"/meetings/{meeting.id}/agenda").status_code == 404
    assert stranger.post(f"/prep/{request.id}/not-known").status_code == 404
    assert "No one you may see matches" in stranger.get("/patients/?q=Edith").text
    assert "Edith Example" not in stranger.get("/patients/?q=9990000018").text
    # The patient's own practice can see them without being in the team.
    colleague = client.application.test_client()
    login(colleague, make.user(organisation=practice).email)
    assert colleague.get(f"/patients/{case.patient_id}").status_code == 200


def test_each_view_of_a_case_writes_one_audit_row(client, make, session):
    practice, coordinator, *_rest, meeting = _world(make)
    login(client, coordinator.email)
    submit(client, f"/meetings/{meeting.id}/cases/new", _case_form(practice))
    case = session.scalar(sa.select(Case))
    before = _count(session, AuditEvent)
    client.get(f"/cases/{case.id}")
    client.get(f"/cases/{case.id}")
    session.expire_all()
    views = session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "view").order_by(AuditEvent.id)
    ).all()
    assert _count(session, AuditEvent) == before + 2
    assert [(v.user_id, v.patient_id, v.what) for v in views[-2:]] == [
        (coordinator.id, case.patient_id, f"case {case.id}")
    ] * 2
