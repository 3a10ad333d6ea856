"""What a person owes shows in their calendar as an all-day deadline, without patients."""

from datetime import UTC, date, datetime

import icalendar
import sqlalchemy as sa

from mdt.calendar.lint import lint
from mdt.prep.models import PrepRequest
from tests.calendar.support import feed_path, make_feed_link
from tests.conftest import login


def _deadlines(client, path):
    data = client.get(path).data
    assert lint(data) == []
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return data, [e for e in events if str(e["UID"]).startswith("prep-due-")]


def test_prep_owed_is_an_all_day_deadline_until_it_is_done(client, make, session):
    nurse = make.user(name="Jo Nurse")
    team = make.team(name="Riverside MDT")
    make.member(team, nurse, discipline="Community nursing")
    starts = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)  # Tuesday: the agenda closes Friday 8th
    meeting = make.meeting(team, starts_at=starts, ends_at=starts.replace(hour=14))
    first = make.case(meeting, make.patient(name="Edith Example"), nurse)
    make.case(meeting, make.patient(name="Fred Other"), nurse, position=2)
    login(client, nurse.email)
    path = feed_path(make_feed_link(client, nurse.id))

    with_owed = client.get(path)
    data, [event] = _deadlines(client, path)
    assert str(event["SUMMARY"]) == "Prep due: 2 patients, Riverside MDT"
    assert event.decoded("DTSTART") == date(2027, 1, 8)
    assert event.decoded("DTEND") == date(2027, 1, 9)
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert b"Edith" not in data and b"Fred" not in data and b"999" not in data

    request = first.prep_requests[0]
    request.completed_at = datetime(2026, 12, 1, tzinfo=UTC)
    session.commit()
    _data, [one_left] = _deadlines(client, path)
    assert str(one_left["SUMMARY"]) == "Prep due: 1 patient, Riverside MDT"
    assert int(one_left["SEQUENCE"]) > int(event["SEQUENCE"])
    assert client.get(path).headers["ETag"] != with_owed.headers["ETag"]

    for other in session.scalars(sa.select(PrepRequest).where(PrepRequest.completed_at.is_(None))):
        other.completed_at = datetime(2026, 12, 2, tzinfo=UTC)
    session.commit()
    assert _deadlines(client, path)[1] == []
