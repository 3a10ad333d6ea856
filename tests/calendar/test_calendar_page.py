"""The Calendar page: making a secret feed link, choosing how meetings arrive, and the
shared team calendars coordinators manage."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from mdt.calendar.models import CalendarFeed, CalendarPreference, MeetingDelivery
from mdt.teams.models import TeamRole
from tests.calendar.support import make_feed_link
from tests.conftest import login, submit


def test_a_member_makes_a_link_with_https_and_webcal_addresses_and_instructions(
    client, make, session
):
    member = make.user(name="Jo Clarke")
    make.member(make.team(), member, role=TeamRole.CORE_MEMBER)
    login(client, member.email)
    page = client.get("/calendar").text
    assert 'href="/calendar">Calendar</a>' in page  # the navigation link
    assert "Make my calendar link" in page

    shown = submit(client, f"/calendar/people/{member.id}/link", {}, form_url="/calendar").text

    token = re.search(r'id="feed-https">http://mdt\.test/calendar/([A-Za-z0-9_-]+)\.ics<', shown)[1]
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    assert f'href="webcal://mdt.test/calendar/{token}.ics"' in shown
    for words in ("Outlook", "Subscribe from web", "Google Calendar", "From URL", "Apple Calendar"):
        assert words in shown
    [feed] = session.scalars(sa.select(CalendarFeed)).all()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    later = client.get("/calendar").text
    assert token not in later and "You made your calendar link on" in later
    assert "Stop my calendar link" in later


def test_a_member_chooses_how_meetings_reach_their_calendar(client, make, session):
    member = make.user()
    login(client, member.email)
    page = client.get("/calendar").text
    assert "Right now: <strong>by email invitation</strong>" in page

    mistake = submit(client, "/calendar/preference", {"meeting_delivery": "pigeon"}, "/calendar")
    assert mistake.status_code == 200 and "There is a problem" in mistake.text
    saved = submit(client, "/calendar/preference", {"meeting_delivery": "both"}, "/calendar")

    assert saved.status_code == 302
    preference = session.scalar(sa.select(CalendarPreference))
    assert preference.meeting_delivery is MeetingDelivery.BOTH
    assert "by email invitation and through your feed" in client.get("/calendar").text


def test_only_coordinators_see_and_manage_their_teams_shared_calendars(app, make):
    coordinator, member = make.user(), make.user()
    team = make.team(coordinator=coordinator, name="Riverside Neighbourhood MDT")
    make.member(team, member)
    make.team(name="Someone else's MDT")
    as_coordinator, as_member = app.test_client(), app.test_client()
    login(as_coordinator, coordinator.email)
    login(as_member, member.email)

    page = as_coordinator.get("/calendar").text

    assert "Shared team calendars" in page and "Riverside Neighbourhood MDT" in page
    assert "Someone else" not in page
    assert "Shared team calendars" not in as_member.get("/calendar").text
    link = make_feed_link(as_coordinator, coordinator.id, team_id=team.id)
    assert link.startswith("http://mdt.test/calendar/team/")
    after = as_coordinator.get("/calendar").text
    assert "Stop the link" in after and link.split("/")[-1] not in after
