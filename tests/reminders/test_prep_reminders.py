"""Whoever still owes preparation is reminded two working days before the agenda closes and
on the morning it closes; finishing it stops the reminders. No patient is ever named."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from mdt.prep.models import PrepRequest
from mdt.teams.models import TeamRole
from tests.reminders.support import london, meeting_on, reminder_mail, run_scheduler


def _owing(make):  # type: ignore[no-untyped-def]
    sam = make.user(name="Sam Whitfield", email="sam@council.example.org")
    team = make.team(name="Riverside Neighbourhood MDT")
    make.member(team, sam, role=TeamRole.CORE_MEMBER, discipline="Adult social care")
    # Tuesday 12 January: the agenda closes at the end of Friday 8 January.
    meeting = meeting_on(make, team, london(2027, 1, 12, 12, 30))
    case = make.case(meeting, make.patient(name="Edith Example"), sam)
    make.case(meeting, make.patient(name="Fred Other"), sam, position=2)
    return sam, case


def _prep_mail(session, person):  # type: ignore[no-untyped-def]
    return [m for m in reminder_mail(session) if m.to == person.email and "preparation" in m.body]


def test_prep_is_reminded_two_working_days_before_the_cut_off_and_on_its_morning(
    app, session, make
):
    sam, _case = _owing(make)
    run_scheduler(app, london(2027, 1, 6, 7, 29))
    assert _prep_mail(session, sam) == []

    run_scheduler(app, london(2027, 1, 6, 7, 30))  # Wednesday
    [first] = _prep_mail(session, sam)
    assert "preparation for 2 patients" in first.body
    assert "The agenda closes at the end of Friday 8 January" in first.body
    assert "http://mdt.test/prep" in first.body
    assert "Edith" not in first.body + first.subject and "Fred" not in first.body

    run_scheduler(app, london(2027, 1, 7, 7, 30))  # Thursday: nothing new
    assert len(_prep_mail(session, sam)) == 1
    run_scheduler(app, london(2027, 1, 8, 7, 30))  # Friday, the day it closes
    assert len(_prep_mail(session, sam)) == 2


def test_finished_prep_is_not_reminded(app, session, make):
    sam, _case = _owing(make)
    for request in session.scalars(select(PrepRequest).where(PrepRequest.user_id == sam.id)):
        request.completed_at = datetime(2027, 1, 5, tzinfo=UTC)
    session.commit()
    run_scheduler(app, london(2027, 1, 6, 7, 30))
    run_scheduler(app, london(2027, 1, 8, 7, 30))
    assert _prep_mail(session, sam) == []


def test_coordinators_get_one_summary_of_prep_still_open_after_the_cut_off(app, session, make):
    sam, case = _owing(make)
    team = case.meeting.team
    coordinator = next(m.user for m in team.memberships if m.role is TeamRole.COORDINATOR)
    run_scheduler(app, london(2027, 1, 8, 7, 30))  # Friday: the agenda closes tonight
    assert [m for m in reminder_mail(session) if "still open" in m.body] == []
    run_scheduler(app, london(2027, 1, 11, 7, 30))  # Monday, the next working day
    summaries = [m for m in reminder_mail(session) if "still open" in m.body]
    assert [m.to for m in summaries] == [coordinator.email]
    assert "Sam Whitfield (2)" in summaries[0].body
    assert f"/meetings/{case.meeting_id}/readiness" in summaries[0].body
    assert "Edith" not in summaries[0].body
