"""An action's owner is reminded three working days before it is due, on the day, then
weekly while it is overdue; after seven days overdue the coordinators hear; closing it stops
everything. Coordinators hear when a meeting's minutes have not gone out. No patient named."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mdt.actions.models import ActionStatus
from mdt.teams.models import TeamRole
from tests.reminders.support import london, meeting_on, reminder_mail, run_scheduler


def _action(make, due=date(2027, 1, 26)):  # type: ignore[no-untyped-def]
    sam = make.user(name="Sam Whitfield", email="sam@council.example.org")
    team = make.team(name="Riverside MDT")
    make.member(team, sam, role=TeamRole.CORE_MEMBER, discipline="Adult social care")
    meeting = meeting_on(make, team, london(2027, 1, 12, 12, 30))
    case = make.case(meeting, make.patient(name="Edith Example"), sam)
    action = make.action(case, sam, description="Carers' assessment for Edith", due_date=due)
    coordinator = next(m.user for m in team.memberships if m.role is TeamRole.COORDINATOR)
    return sam, coordinator, action


def _mail(session, person, text="action of yours"):  # type: ignore[no-untyped-def]
    return [m for m in reminder_mail(session) if m.to == person.email and text in m.body]


def test_the_owner_is_reminded_before_on_the_day_and_weekly_when_overdue(app, session, make):
    sam, _coordinator, action = _action(make)  # due Tuesday 26 January
    run_scheduler(app, london(2027, 1, 20, 7, 30))  # Wednesday: 4 working days before
    assert _mail(session, sam) == []
    run_scheduler(app, london(2027, 1, 21, 7, 30))  # Thursday: 3 working days before
    [soon] = _mail(session, sam)
    assert "due soon (due Tuesday 26 January 2027)" in soon.body
    assert f"/actions/{action.id}" in soon.body
    assert "Edith" not in soon.body + soon.subject and "Carers" not in soon.body
    run_scheduler(app, london(2027, 1, 26, 7, 30))
    assert "due today" in _mail(session, sam)[-1].body
    run_scheduler(app, london(2027, 1, 29, 7, 30))  # overdue, but not a week yet
    assert len(_mail(session, sam)) == 2
    run_scheduler(app, london(2027, 2, 2, 7, 30))
    assert "overdue by 7 days" in _mail(session, sam)[-1].body
    run_scheduler(app, london(2027, 2, 9, 7, 30))
    assert "overdue by 14 days" in _mail(session, sam)[-1].body
    assert len(_mail(session, sam)) == 4


def test_overdue_by_more_than_seven_days_escalates_to_the_coordinators_once(app, session, make):
    sam, coordinator, _action_point = _action(make)
    run_scheduler(app, london(2027, 2, 2, 7, 30))  # 7 days overdue: not yet
    assert _mail(session, coordinator, "owned by") == []
    run_scheduler(app, london(2027, 2, 3, 7, 30))  # 8 days: more than seven
    [escalation] = _mail(session, coordinator, "owned by")
    assert "an action owned by Sam Whitfield is overdue by 8 days" in escalation.body
    assert "Edith" not in escalation.body + escalation.subject
    run_scheduler(app, london(2027, 2, 10, 7, 30))
    assert len(_mail(session, coordinator, "owned by")) == 1
    assert _mail(session, sam, "owned by") == []


def test_an_action_closed_before_its_reminder_is_not_reminded(app, session, make):
    sam, coordinator, action = _action(make)
    action.status, action.closed_at = ActionStatus.DONE, datetime(2027, 1, 20, tzinfo=UTC)
    session.commit()
    for day in (21, 26):
        run_scheduler(app, london(2027, 1, day, 7, 30))
    run_scheduler(app, london(2027, 2, 3, 7, 30))
    assert _mail(session, sam) == [] and _mail(session, coordinator, "owned by") == []


def test_coordinators_hear_the_working_day_after_a_meeting_whose_minutes_were_not_sent(
    app, session, make
):
    _sam, coordinator, action = _action(make)  # the meeting: Tuesday 12 January
    run_scheduler(app, london(2027, 1, 12, 16, 0))
    assert _mail(session, coordinator, "minutes") == []
    run_scheduler(app, london(2027, 1, 13, 7, 30))
    [nudge] = _mail(session, coordinator, "minutes")
    assert "have not been sent" in nudge.body
    assert f"/meetings/{action.meeting_id}/close" in nudge.body


def test_minutes_sent_means_no_nudge(app, session, make):
    _sam, coordinator, action = _action(make)
    action.meeting.minutes_sent_at = datetime(2027, 1, 12, 15, 0, tzinfo=UTC)
    session.commit()
    run_scheduler(app, london(2027, 1, 13, 7, 30))
    assert _mail(session, coordinator, "minutes") == []
