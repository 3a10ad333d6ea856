"""Time zones whose clock changes calendar apps cannot be given for a feed's dates: refused
when a team or series is set up, and, if one gets through (its rules changed since), never
the cause of a failed feed: that series is left out, logged, and shown to administrators."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

import pytest

from tests.calendar.support import feed_path, make_feed_link
from tests.conftest import login, submit

SERIES_FORM = {
    "title": "Monthly MDT",
    "frequency": "monthly",
    "interval": "1",
    "weekday": "1",
    "ordinal": "2",
    "start_date": "2027-01-01",
    "end_date": "",
    "start_time": "12:30",
    "duration_minutes": "90",
    "action": "save",
}


@pytest.mark.parametrize("zone", ["America/Santiago", "Africa/Cairo", "Asia/Jerusalem"])
def test_a_zone_the_feeds_could_not_write_in_later_years_is_refused_at_entry(
    client, make, time_machine, zone
):
    # In 2027 each of these zones can still be written for the next two years, not later.
    time_machine.move_to(datetime(2027, 1, 4, 9, tzinfo=UTC), tick=False)
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    login(client, coordinator.email)
    page = submit(client, f"/teams/{team.id}/slots/new", SERIES_FORM | {"time_zone": zone}).text
    assert "There is a problem" in page
    assert f"{zone} changes its clocks in a way calendar apps cannot follow" in page


def test_a_series_in_a_zone_that_cannot_be_written_is_left_out_of_the_feed_not_the_feed(
    app, make, time_machine, caplog, icaljs
):
    # October 2027: the window reaches April 2029, and Santiago's changes of 2029 follow no
    # yearly rule the feeds can write.
    time_machine.move_to(datetime(2027, 10, 15, 9, tzinfo=UTC), tick=False)
    admin = make.admin()
    team = make.team(coordinator=admin, name="Oakfield MDT")
    london = make.series(team, title="Huddle", start_date=date(2027, 1, 1), start_time=time(13))
    chile = make.series(
        team, title="Call with Santiago", time_zone="America/Santiago", start_date=date(2027, 1, 1)
    )
    client = app.test_client()
    login(client, admin.email)
    path = feed_path(make_feed_link(client, admin.id))

    with caplog.at_level(logging.WARNING, logger="mdt.calendar.feed"):
        response = app.test_client().get(path)

    assert response.status_code == 200
    assert f"UID:series-{london.id}@".encode() in response.data
    assert f"UID:series-{chile.id}@".encode() not in response.data
    assert b"TZID:America/Santiago" not in response.data
    assert any("America/Santiago" in r.getMessage() for r in caplog.records)
    first, after = datetime(2027, 7, 1, tzinfo=UTC), datetime(2029, 5, 1, tzinfo=UTC)
    assert icaljs(response.data, first, after)  # the rest reads as before
    page = client.get("/calendar/people").text
    assert "Left out of calendar feeds" in page
    assert "Oakfield MDT: Protected time: Call with Santiago (America/Santiago)" in page
