"""Invitations that calendar apps accept, through a real SMTP server: booking sends a
REQUEST, rescheduling the same UID with SEQUENCE+1, cancelling a CANCEL; each person
chooses whether meetings reach them this way, through their feed, or both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from email.utils import parseaddr

import icalendar
import pytest
from flask import Flask

from mdt.calendar.lint import lint
from mdt.teams.models import TeamRole
from tests.calendar.support import book, cancel, feed_path, make_feed_link, reschedule
from tests.conftest import login, submit
from tests.mail.support import SMTPServer, free_port

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def smtp(app: Flask) -> Iterator[SMTPServer]:
    server = SMTPServer(free_port())
    app.config.update(server.app_config())
    server.start()
    yield server
    server.stop()


def mail_to(smtp: SMTPServer, address: str) -> list[EmailMessage]:
    return [r.message for r in smtp.received if r.rcpt_tos == [address]]


def calendar_part(message: EmailMessage) -> EmailMessage | None:
    return next((p for p in message.walk() if p.get_content_type() == "text/calendar"), None)


def vevent(part: EmailMessage) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    return event


@pytest.fixture
def people(app, make, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    coordinator = make.user(name="Leah Morris")
    team = make.team(coordinator=coordinator, name="Oakfield Frailty MDT")
    people = {
        "coordinator": coordinator,
        "nurse": make.member(team, make.user(name="Grace Adeyemi"), TeamRole.CORE_MEMBER).user,
        "feed_only": make.member(team, make.user(name="Chris Doyle"), TeamRole.CORE_MEMBER).user,
        "both": make.member(team, make.user(name="Maria Lopez, SW"), TeamRole.CORE_MEMBER).user,
    }
    series = make.series(team, weekday=3, start_date=date(2027, 1, 1), start_time=time(13))
    return team, series, people


def choose(app: Flask, person, delivery: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, person.email)
    response = submit(client, "/calendar/preference", {"meeting_delivery": delivery}, "/calendar")
    assert response.status_code == 302


def test_invitation_update_and_cancellation_arrive_as_one_calendar_event(app, smtp, people):
    team, series, who = people
    coordinator = app.test_client()
    login(coordinator, who["coordinator"].email)

    meeting = book(coordinator, team.id, series.id, date(2027, 1, 14))
    reschedule(coordinator, meeting, revision=1, day=date(2027, 1, 15), start="09:30")
    cancel(coordinator, meeting, revision=2)

    messages = mail_to(smtp, who["nurse"].email)
    assert [m["Subject"].split(":")[0] for m in messages] == [
        "MDT meeting booked",
        "MDT meeting rescheduled",
        "MDT meeting cancelled",
    ]
    seen = []
    for message in messages:
        assert message.get_content_type() == "multipart/alternative"
        parts = [p.get_content_type() for p in message.iter_parts()]
        assert parts == ["text/plain", "text/html", "text/calendar"]
        part = calendar_part(message)
        data = part.get_payload(decode=True)
        assert lint(data, feed=False) == []
        method = icalendar.Calendar.from_ical(data)["METHOD"]
        assert part.get_param("method") == method
        assert part.get_content_charset() == "utf-8"
        event = vevent(part)
        seen.append((method, str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])))
        organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
        assert str(organizer) == f"mailto:{parseaddr(message['From'])[1]}"
        assert str(attendee) == f"mailto:{who['nurse'].email}"
        assert attendee.params["CN"] == "Grace Adeyemi"
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert f"/meetings/{meeting}" in message.get_body(("html",)).get_content()
    uid = f"meeting-{meeting}@mdt.test"
    assert seen == [
        ("REQUEST", uid, 0, "CONFIRMED"),
        ("REQUEST", uid, 1, "CONFIRMED"),
        ("CANCEL", uid, 2, "CANCELLED"),
    ]
    # Nothing reads replies sent from calendar apps: none is asked for (lint checks each
    # invitation above), and the email says where to reply instead.
    request = vevent(calendar_part(messages[0]))["ATTENDEE"].params
    assert (request["PARTSTAT"], request["RSVP"]) == ("NEEDS-ACTION", "FALSE")
    text = messages[0].get_body(("plain",)).get_content()
    assert "Reply (in person, remotely, or apologies) on the meeting's page" in text
    assert "a reply from your calendar app or to this email reaches nobody" in text
    moved = vevent(calendar_part(messages[1]))
    assert moved.decoded("DTSTART") == datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


def test_each_person_chooses_invitations_the_feed_or_both_and_never_sees_a_meeting_twice(
    app, smtp, people
):
    team, series, who = people
    choose(app, who["feed_only"], "feed")
    choose(app, who["both"], "both")
    feeds = {}
    for key in ("nurse", "feed_only", "both"):
        client = app.test_client()
        login(client, who[key].email)
        if key != "nurse":
            feeds[key] = feed_path(make_feed_link(client, who[key].id))
    coordinator = app.test_client()
    login(coordinator, who["coordinator"].email)

    meeting = book(coordinator, team.id, series.id, date(2027, 1, 14))

    uid = f"UID:meeting-{meeting}@mdt.test".encode()
    [to_nurse] = mail_to(smtp, who["nurse"].email)  # the default, and no feed: invitations
    [to_feed_only] = mail_to(smtp, who["feed_only"].email)
    [to_both] = mail_to(smtp, who["both"].email)
    assert calendar_part(to_nurse) is not None
    assert calendar_part(to_feed_only) is None and to_feed_only.get_content_type() == "text/plain"
    assert vevent(calendar_part(to_both))["ATTENDEE"].params["CN"] == "Maria Lopez, SW"
    reader = app.test_client()
    assert uid in reader.get(feeds["feed_only"]).data
    assert uid in reader.get(feeds["both"]).data
    # The nurse now makes a feed link: by default, meetings then come through it instead.
    nurse = app.test_client()
    login(nurse, who["nurse"].email)
    nurse_feed = feed_path(make_feed_link(nurse, who["nurse"].id))
    assert uid in reader.get(nurse_feed).data
    reschedule(coordinator, meeting, revision=1, day=date(2027, 1, 15), start="09:30")
    assert calendar_part(mail_to(smtp, who["nurse"].email)[-1]) is None
    # Choosing invitations only takes meetings out of the feed; protected time stays.
    choose(app, who["nurse"], "email")
    after = reader.get(nurse_feed).data
    assert uid not in after and f"UID:series-{series.id}@".encode() in after


def test_a_new_place_reaches_calendars_as_the_same_event_updated(app, smtp, people):
    team, series, who = people
    coordinator = app.test_client()
    login(coordinator, who["coordinator"].email)
    meeting = book(coordinator, team.id, series.id, date(2027, 1, 14))
    url = f"/meetings/{meeting}/edit"
    details = {"chair_id": "0", "minute_taker_id": "0", "revision": "1"}
    submit(coordinator, url, details | {"location": "Room 2", "video_link": ""})
    before = len(mail_to(smtp, who["nurse"].email))
    # Saving it again unchanged changes no calendar: no email, and no new revision.
    submit(coordinator, url, details | {"revision": "2", "location": "Room 2", "video_link": ""})
    assert len(mail_to(smtp, who["nurse"].email)) == before
    submit(coordinator, url, details | {"revision": "2", "location": "Library", "video_link": ""})
    [*_, moved] = mail_to(smtp, who["nurse"].email)
    assert moved["Subject"].startswith("MDT meeting moved to another place:")
    event = vevent(calendar_part(moved))
    assert str(event["LOCATION"]) == "Library"
    assert str(event["UID"]) == f"meeting-{meeting}@mdt.test"
    assert int(event["SEQUENCE"]) == 2


def test_a_new_chair_or_minute_taker_reaches_calendars_as_the_same_event_updated(app, smtp, people):
    team, series, who = people
    coordinator = app.test_client()
    login(coordinator, who["coordinator"].email)
    meeting = book(coordinator, team.id, series.id, date(2027, 1, 14))
    url = f"/meetings/{meeting}/edit"
    place = {"location": "Room 2", "video_link": ""}
    nurse, maria = who["nurse"], who["both"]
    chair = {"chair_id": str(nurse.id), "minute_taker_id": "0"}
    submit(coordinator, url, place | chair | {"revision": "1"})
    submit(coordinator, url, place | chair | {"minute_taker_id": str(maria.id), "revision": "2"})
    # Saved again with nothing changed: nothing sent.
    submit(coordinator, url, place | chair | {"minute_taker_id": str(maria.id), "revision": "3"})
    messages = mail_to(smtp, who["coordinator"].email)
    assert [m["Subject"].split(":")[0] for m in messages] == [
        "MDT meeting booked",
        "MDT meeting moved to another place",
        "MDT meeting updated",
    ]
    events = [vevent(calendar_part(m)) for m in messages]
    assert {str(e["UID"]) for e in events} == {f"meeting-{meeting}@mdt.test"}
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert "Chair: Grace Adeyemi" in str(events[1]["DESCRIPTION"])
    assert "Minute-taker: Maria Lopez, SW" in str(events[2]["DESCRIPTION"])
    # Only the minute-taker changes now: an update all the same.
    submit(coordinator, url, place | chair | {"minute_taker_id": "0", "revision": "3"})
    [*_, last] = mail_to(smtp, who["coordinator"].email)
    assert last["Subject"].startswith("MDT meeting updated:")
    event = vevent(calendar_part(last))
    assert int(event["SEQUENCE"]) == 3 and "Minute-taker" not in str(event["DESCRIPTION"])
