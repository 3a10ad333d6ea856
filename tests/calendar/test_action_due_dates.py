"""An open action shows in its owner's calendar on its due date, without the patient."""

from datetime import UTC, date, datetime

import icalendar
import recurring_ical_events

from mdt.actions.models import ActionStatus
from mdt.calendar.lint import lint
from tests.calendar.support import feed_path, make_feed_link
from tests.conftest import login


def _due(client, path):
    data = client.get(path).data
    assert lint(data) == []
    calendar = icalendar.Calendar.from_ical(data)
    events = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("action-due-")]
    return data, calendar, events


def test_an_open_action_is_an_all_day_event_on_its_due_date_until_it_is_closed(
    client, make, session
):
    owner = make.user(name="Sam Whitfield")
    team = make.team(name="Riverside MDT")
    make.member(team, owner, discipline="Adult social care")
    starts = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)
    meeting = make.meeting(team, starts_at=starts, ends_at=starts.replace(hour=14))
    case = make.case(meeting, make.patient(name="Edith Example"), owner)
    action = make.action(
        case, owner, description="Carers' assessment for Edith", due_date=date(2027, 1, 26)
    )
    login(client, owner.email)
    path = feed_path(make_feed_link(client, owner.id))

    data, calendar, [event] = _due(client, path)
    assert str(event["SUMMARY"]) == "Action due, Riverside MDT"
    assert event.decoded("DTSTART") == date(2027, 1, 26)
    assert event.decoded("DTEND") == date(2027, 1, 27)
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert b"Edith" not in data and b"Carers" not in data and b"999" not in data
    # A second parser, expanding the calendar, sees it on that day and no other.
    on_the_day = recurring_ical_events.of(calendar).at(date(2027, 1, 26))
    assert [str(e["UID"]) for e in on_the_day if "action-due" in str(e["UID"])] == [
        str(event["UID"])
    ]

    action.status, action.closed_at = ActionStatus.DONE, datetime(2027, 1, 20, tzinfo=UTC)
    session.commit()
    assert _due(client, path)[2] == []


def test_someone_elses_action_is_not_in_my_feed(client, make, session):
    me, colleague = make.user(name="Me"), make.user(name="Colleague")
    team = make.team()
    make.member(team, me)
    make.member(team, colleague)
    meeting = make.meeting(team)
    make.action(make.case(meeting, make.patient()), colleague)
    login(client, me.email)
    assert _due(client, feed_path(make_feed_link(client, me.id)))[2] == []
