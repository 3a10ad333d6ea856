"""What a calendar app gets when it fetches a feed: no sign-in, stable bytes, ETag and 304,
and changes (reschedule, cancel, a revoked or rotated link) seen on the next fetch."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mdt.teams.models import TeamRole
from tests.calendar.support import (
    book,
    cancel,
    feed_path,
    make_feed_link,
    python_occurrences,
    reschedule,
)
from tests.conftest import login, submit

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday in winter


@dataclass
class Team:
    id: int
    series_id: int
    coordinator: FlaskClient
    member: FlaskClient
    member_id: int
    feed: str  # the member's feed path, /calendar/<token>.ics


@pytest.fixture
def team(app: Flask, make, time_machine) -> Team:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    coordinator = make.user(name="Leah Morris")
    team = make.team(coordinator=coordinator, name="Oakfield Frailty MDT")
    member = make.member(team, make.user(name="Grace Adeyemi"), role=TeamRole.CORE_MEMBER).user
    series = make.series(
        team, title="Frailty huddle", weekday=3, start_date=date(2027, 1, 1), start_time=time(13)
    )
    clients = {}
    for person in (coordinator, member):
        clients[person.id] = app.test_client()
        login(clients[person.id], person.email)
    link = make_feed_link(clients[member.id], member.id)
    return Team(
        team.id, series.id, clients[coordinator.id], clients[member.id], member.id, feed_path(link)
    )


def fetch(app: Flask, path: str, etag: str | None = None):  # type: ignore[no-untyped-def]
    """As a calendar app does: no cookies, no sign-in, perhaps with the ETag it holds."""
    headers = {"If-None-Match": f'"{etag}"'} if etag else {}
    return app.test_client().get(path, headers=headers)


def prop(feed: bytes, name: str, uid: str) -> str:
    """A property of the VEVENT with `uid` (the master, unfolded)."""
    text = feed.decode().replace("\r\n ", "")
    event = re.search(rf"BEGIN:VEVENT\r\nUID:{re.escape(uid)}\r\n(.*?)END:VEVENT", text, re.S)
    assert event, f"no VEVENT {uid}"
    return re.search(rf"^{name}[;:](.*)$", event[1], re.M)[1].strip()


def test_a_calendar_app_fetches_the_feed_without_signing_in_and_gets_the_same_bytes(app, team):
    first = fetch(app, team.feed)
    again = fetch(app, team.feed)

    assert first.status_code == 200 and first.location is None
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Set-Cookie" not in first.headers
    assert "Last-Modified" not in first.headers  # could go backwards after a deletion
    assert first.headers["Cache-Control"] == "private, no-cache"
    # A strong ETag: the validator of what the bytes depend on (mdt.calendar.validators),
    # not their hash, so that a 304 needs no feed built; the same bytes keep it.
    etag, weak = first.get_etag()
    assert not weak and re.fullmatch("[0-9a-f]{64}", etag)
    assert again.data == first.data and again.get_etag() == (etag, False)
    assert b"BEGIN:VCALENDAR\r\n" in first.data and b"Frailty huddle" in first.data


def test_a_client_holding_the_current_etag_gets_304_without_a_body(app, team):
    etag = fetch(app, team.feed).get_etag()[0]

    unchanged = fetch(app, team.feed, etag)

    assert unchanged.status_code == 304 and unchanged.data == b""
    assert unchanged.get_etag() == (etag, False)
    assert fetch(app, team.feed, "some-other-version").status_code == 200


def test_a_client_behind_a_proxy_that_weakened_the_etag_gets_304(app, team):
    etag = fetch(app, team.feed).get_etag()[0]

    weak = app.test_client().get(team.feed, headers={"If-None-Match": f'W/"{etag}"'})
    listed = app.test_client().get(team.feed, headers={"If-None-Match": f'"x", W/"{etag}"'})

    assert weak.status_code == 304 and listed.status_code == 304
    stale = app.test_client().get(team.feed, headers={"If-None-Match": 'W/"some-other-version"'})
    assert stale.status_code == 200


def test_a_client_accepting_gzip_gets_the_feed_gzipped_under_its_own_etag(app, team):
    plain = fetch(app, team.feed)
    gzip_headers = {"Accept-Encoding": "gzip, deflate"}

    zipped = app.test_client().get(team.feed, headers=gzip_headers)

    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data)
    assert (
        "Accept-Encoding" in zipped.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    )
    assert "Content-Encoding" not in plain.headers
    etag = zipped.get_etag()[0]
    assert etag == plain.get_etag()[0] + "-gzip"
    # The same bytes again, and a 304 for whoever holds them, strong or weakened.
    assert app.test_client().get(team.feed, headers=gzip_headers).data == zipped.data
    for held in (f'"{etag}"', f'W/"{etag}"'):
        again = app.test_client().get(team.feed, headers=gzip_headers | {"If-None-Match": held})
        assert again.status_code == 304 and again.get_etag()[0] == etag
    # The plain ETag names other bytes: a client asking for gzip gets them in full.
    other = app.test_client().get(
        team.feed, headers=gzip_headers | {"If-None-Match": f'"{plain.get_etag()[0]}"'}
    )
    assert other.status_code == 200
    refused = app.test_client().get(team.feed, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data


def test_rescheduling_a_meeting_raises_its_sequence_and_changes_the_etag(app, team, time_machine):
    meeting = book(team.coordinator, team.id, team.series_id, date(2027, 1, 14))
    before = fetch(app, team.feed)
    uid = f"meeting-{meeting}@mdt.test"
    assert prop(before.data, "SEQUENCE", uid) == "0"
    assert prop(before.data, "DTSTART", uid) == "TZID=Europe/London:20270114T130000"

    time_machine.move_to(datetime(2027, 1, 4, 15, 0, tzinfo=UTC), tick=False)
    reschedule(team.coordinator, meeting, revision=1, day=date(2027, 1, 15), start="09:00")
    after = fetch(app, team.feed, before.get_etag()[0])

    assert after.status_code == 200 and after.get_etag() != before.get_etag()
    assert prop(after.data, "SEQUENCE", uid) == "1"
    assert prop(after.data, "DTSTART", uid) == "TZID=Europe/London:20270115T090000"
    assert prop(after.data, "DTSTAMP", uid) == "20270104T150000Z"
    assert prop(after.data, "LAST-MODIFIED", uid) == "20270104T150000Z"


def test_a_cancelled_meeting_is_gone_from_the_next_fetch_and_its_slot_is_back(app, team):
    meeting = book(team.coordinator, team.id, team.series_id, date(2027, 1, 14))
    uid = f"meeting-{meeting}@mdt.test"
    series_uid = f"series-{team.series_id}@mdt.test"
    booked = fetch(app, team.feed).data
    assert uid.encode() in booked
    assert prop(booked, "EXDATE", series_uid) == "TZID=Europe/London:20270114T130000"

    cancel(team.coordinator, meeting, revision=1)
    after = fetch(app, team.feed).data

    assert uid.encode() not in after
    assert b"EXDATE" not in after
    window = (datetime(2027, 1, 14, tzinfo=UTC), datetime(2027, 1, 15, tzinfo=UTC))
    [huddle] = python_occurrences(after, *window)
    assert (huddle.uid, huddle.start) == (series_uid, "2027-01-14T13:00:00Z")


def test_a_stopped_link_gets_404_and_a_new_link_works_at_once_while_the_old_does_not(app, team):
    assert fetch(app, team.feed).status_code == 200
    newer = feed_path(make_feed_link(team.member, team.member_id))
    assert fetch(app, newer).status_code == 200
    assert fetch(app, team.feed).status_code == 404

    submit(team.member, f"/calendar/people/{team.member_id}/link/revoke", {}, form_url="/calendar")

    assert fetch(app, newer).status_code == 404
    assert fetch(app, "/calendar/not-a-token.ics").status_code == 404
    assert fetch(app, newer.replace("/calendar/", "/calendar/team/")).status_code == 404


def test_an_administrator_stops_a_link_shared_by_mistake(app, make, team):
    admin = app.test_client()
    login(admin, make.admin().email)
    page = admin.get("/calendar/people").text
    assert "Grace Adeyemi" in page

    response = submit(
        admin, f"/calendar/people/{team.member_id}/link/revoke", {}, form_url="/calendar/people"
    )

    assert response.status_code == 302 and response.location == "/calendar/people"
    assert fetch(app, team.feed).status_code == 404
    assert "Nobody has a calendar link yet" in admin.get("/calendar/people").text


def test_a_deactivated_persons_feed_stops(app, make, session, team):
    from mdt.accounts.models import User

    person = session.get(User, team.member_id)
    person.is_active = False
    session.commit()

    assert fetch(app, team.feed).status_code == 404


def test_a_coordinator_shares_the_team_calendar_and_a_member_cannot(app, team):
    meeting = book(team.coordinator, team.id, team.series_id, date(2027, 1, 14))
    shared = feed_path(make_feed_link(team.coordinator, 0, team_id=team.id))
    assert shared.startswith("/calendar/team/")

    feed = fetch(app, shared)

    assert feed.status_code == 200
    assert b"NAME:MDT Coordinator: Oakfield Frailty MDT\r\n" in feed.data
    assert f"UID:meeting-{meeting}@".encode() in feed.data
    assert f"UID:series-{team.series_id}@".encode() in feed.data
    forbidden = submit(team.member, f"/calendar/teams/{team.id}/link", {}, form_url="/calendar")
    assert forbidden.status_code == 403
    assert fetch(app, shared.replace("/team/", "/")).status_code == 404


def test_a_busy_feed_holds_only_three_months_back_and_eighteen_ahead(app, make, time_machine):
    time_machine.move_to(NOW, tick=False)
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    series = make.series(team, start_date=date(2020, 1, 1), weekday=1)  # every Tuesday
    for year in range(2020, 2031):  # a meeting each March, most outside the window
        starts = datetime(year, 3, 3, 15, 0, tzinfo=UTC)
        make.meeting(team, None, starts_at=starts, ends_at=starts.replace(hour=16))
    client = app.test_client()
    login(client, coordinator.email)

    feed = fetch(app, feed_path(make_feed_link(client, coordinator.id))).data

    # October 2026 to July 2028, in whole months.
    assert prop(feed, "DTSTART", f"series-{series.id}@mdt.test").endswith(":20261006T123000")
    assert "UNTIL=20280725T113000Z" in prop(feed, "RRULE", f"series-{series.id}@mdt.test")
    years = re.findall(rb"DTSTART;TZID=Europe/London:(\d{4})0303T", feed)
    assert years == [b"2027", b"2028"]
    assert len(feed) < 4000
