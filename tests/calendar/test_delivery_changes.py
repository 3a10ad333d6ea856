"""Changing how meetings reach a person (or making or stopping their feed link) brings
their calendars into line: each meeting still to come is in their email calendar or in their
feed, exactly once, whichever way they change, and the page says so beforehand."""

from __future__ import annotations

from datetime import date

import icalendar

from tests.calendar.support import book, cancel, feed_path, make_feed_link, reschedule
from tests.calendar.test_invitations import calendar_part, choose, mail_to, people, smtp  # noqa: F401
from tests.conftest import login, submit


def email_calendar(messages) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What an email calendar app holds after taking each invitation in turn: UID -> start."""
    held: dict[str, str] = {}
    for message in messages:
        part = calendar_part(message)
        if part is None:
            continue
        calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        [event] = calendar.walk("VEVENT")
        if str(calendar["METHOD"]) == "CANCEL":
            held.pop(str(event["UID"]), None)
        else:
            held[str(event["UID"])] = event.decoded("DTSTART").isoformat()
    return held


def feed_meetings(app, path: str) -> set[str]:  # type: ignore[no-untyped-def]
    data = app.test_client().get(path).data.decode()
    return {line[4:] for line in data.split("\r\n") if line.startswith("UID:meeting-")}


def test_each_change_of_delivery_leaves_every_meeting_in_exactly_one_calendar(app, smtp, people):  # noqa: F811
    team, series, who = people
    coordinator = app.test_client()
    login(coordinator, who["coordinator"].email)
    meetings = [book(coordinator, team.id, series.id, date(2027, 1, d)) for d in (14, 21, 28)]
    dropped = book(coordinator, team.id, series.id, date(2027, 2, 4))
    cancel(coordinator, dropped, revision=1)
    uids = {f"meeting-{m}@mdt.test" for m in meetings}
    nurse = app.test_client()
    login(nurse, who["nurse"].email)
    inbox = lambda: mail_to(smtp, who["nurse"].email)  # noqa: E731

    def exactly_once(feed: str | None) -> None:
        in_email = set(email_calendar(inbox()))
        in_feed = feed_meetings(app, feed) if feed else set()
        assert in_email | in_feed == uids and not in_email & in_feed

    exactly_once(None)  # automatic, no link yet: all three by email invitation
    page = nurse.get("/calendar").text
    assert "Once you make your link, meetings come through it instead of by email" in page
    assert "you will get an email for each of your 3 upcoming meetings" in page

    # She makes a link: the meetings come through it, and leave her email calendar.
    before = len(inbox())
    feed = feed_path(make_feed_link(nurse, who["nurse"].id))
    moved_out = inbox()[before:]
    assert len(moved_out) == 3
    assert {m["Subject"].split(":")[0].strip() for m in moved_out} == {
        "MDT meeting now in your calendar feed"
    }
    assert "is NOT cancelled" in moved_out[0].get_body(("plain",)).get_content()
    exactly_once(feed)
    # A meeting moved meanwhile reaches her through the feed only.
    reschedule(coordinator, meetings[0], revision=1, day=date(2027, 1, 15), start="09:30")
    exactly_once(feed)

    # By email invitation only: each comes back as an invitation, at its current time.
    page = nurse.get("/calendar").text
    assert "each that starts coming by email is sent to you as an invitation" in page
    before = len(inbox())
    choose(app, who["nurse"], "email")
    assert [m["Subject"].split(":")[0].strip() for m in inbox()[before:]] == [
        "MDT meeting now sent by email"
    ] * 3
    exactly_once(feed)
    assert email_calendar(inbox())[f"meeting-{meetings[0]}@mdt.test"].startswith("2027-01-15T09:30")

    # Through the feed only, then automatic (with her link: the feed, so nothing is sent).
    choose(app, who["nurse"], "feed")
    exactly_once(feed)
    before = len(inbox())
    choose(app, who["nurse"], "auto")
    assert len(inbox()) == before
    # Stopping her link while automatic: invitations again (and the feed is gone).
    page = nurse.get("/calendar").text
    assert "If you stop your link, meetings come by email invitation again" in page
    stop = submit(nurse, f"/calendar/people/{who['nurse'].id}/link/revoke", {}, "/calendar")
    assert stop.status_code == 302
    assert len(inbox()) == before + 3
    exactly_once(None)
    # Both, for two calendar apps: nothing more to send, as email already has them.
    before = len(inbox())
    choose(app, who["nurse"], "both")
    assert len(inbox()) == before
