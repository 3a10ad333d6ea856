"""The demo neighbourhood's feeds, read by three independent calendar engines.

The demo is loaded on Monday 15 October 2029, so the feed window runs from July 2029 to
April 2031: it holds both UK clock changes of 2030 and Boxing Day 2030, a Thursday bank
holiday that Oakfield's weekly huddle skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.agenda.cutoff import closing_day
from mdt.agenda.models import Case
from mdt.calendar import operations as calendar
from mdt.calendar.events import Window
from mdt.calendar.lint import lint
from mdt.demo.data import DEMO_PASSWORD, load_demo
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.meetings.queries import booked_occurrences, upcoming_for_user
from mdt.prep.models import PrepRequest
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import occurrences
from mdt.teams.models import Team
from tests.calendar.support import (
    Seen,
    at,
    book,
    cancel,
    feed_path,
    make_feed_link,
    move_occurrence,
    python_occurrences,
)
from tests.conftest import login

NOW = datetime(2029, 10, 15, 9, 0, tzinfo=UTC)
WINDOW = Window.around(NOW.date())
FIRST = datetime.combine(WINDOW.first, time(0), tzinfo=UTC)
AFTER = datetime.combine(WINDOW.last + timedelta(days=1), time(0), tzinfo=UTC)


@dataclass
class Demo:
    emails: dict[str, str]  # by the email's local part, e.g. "fatima.begum"
    ids: dict[str, int]
    teams: dict[str, tuple[int, int]]  # "riverside"/"oakfield": (team id, series id)


@pytest.fixture
def demo(app: Flask, time_machine) -> Demo:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    with app.app_context():
        load_demo()
        users = db.session.scalars(sa.select(User)).all()
        series = db.session.execute(sa.select(Team.name, Team.id, SlotSeries.id).join(SlotSeries))
        teams = {
            name.split()[0].lower(): (team_id, series_id) for name, team_id, series_id in series
        }
        return Demo(
            emails={u.email.split("@")[0]: u.email for u in users},
            ids={u.email.split("@")[0]: u.id for u in users},
            teams=teams,
        )


def shown_by_the_app(app: Flask, user_id: int) -> list[Seen]:
    """What the app's own pages hold for the person over the window: every occurrence of
    their teams' protected time that takes place without a meeting booked in it, and the
    meetings they are invited to that are not cancelled."""
    seen = []
    with app.app_context():
        user = db.session.get(User, user_id)
        for membership in user.memberships:
            booked = booked_occurrences(membership.team_id)
            for series in db.session.scalars(
                sa.select(SlotSeries).where(SlotSeries.team_id == membership.team_id)
            ):
                for occ in occurrences(series, WINDOW.first, WINDOW.last):
                    if occ.takes_place and (series.id, occ.original_date) not in booked:
                        seen.append(
                            Seen(_utc(occ.starts_at), _uid("series", series.id), "CONFIRMED")
                        )
        for meeting, _invitation in upcoming_for_user(user_id, FIRST):
            if meeting.status is not MeetingStatus.CANCELLED and meeting.starts_at < AFTER:
                seen.append(Seen(_utc(meeting.starts_at), _uid("meeting", meeting.id), "CONFIRMED"))
        seen += _prep_deadlines(user_id)
        seen += _actions_due(user_id)
    return sorted(seen)


def _actions_due(user_id: int) -> list[Seen]:
    """The due date of each open action the person owns."""
    owned = db.session.scalars(
        sa.select(ActionPoint).where(
            ActionPoint.owner_id == user_id,
            ActionPoint.status == ActionStatus.OPEN,
            ActionPoint.due_date >= WINDOW.first,
            ActionPoint.due_date <= WINDOW.last,
        )
    )
    return [Seen(a.due_date.isoformat(), _uid("action-due", a.id), "") for a in owned]


def _prep_deadlines(user_id: int) -> list[Seen]:
    """A meeting's agenda closing day, for each meeting the person still owes prep for."""
    owed = db.session.scalars(
        sa.select(Meeting)
        .join(Case, Case.meeting_id == Meeting.id)
        .join(PrepRequest, PrepRequest.case_id == Case.id)
        .where(
            PrepRequest.user_id == user_id,
            PrepRequest.completed_at.is_(None),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at >= FIRST,
            Meeting.starts_at < AFTER,
        )
    ).unique()
    return [Seen(closing_day(m).isoformat(), _uid("prep-due", m.id), "") for m in owed]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uid(kind: str, key: int) -> str:
    return f"{kind}-{key}@mdt.test"


def test_a_members_feed_shows_in_three_engines_exactly_what_the_app_shows(
    app, demo, icaljs, libical
):
    oakfield, oak_series = demo.teams["oakfield"]
    leah = app.test_client()
    login(leah, demo.emails["leah.morris"], DEMO_PASSWORD)
    # Leah moves the huddle of Thursday 28 March 2030 (GMT) to Tuesday 2 April (BST) ...
    move_occurrence(leah, oakfield, oak_series, date(2030, 3, 28), date(2030, 4, 2), "14:00")
    # ... books one huddle as a meeting and cancels it, and books another that stays.
    cancelled = book(leah, oakfield, oak_series, date(2030, 1, 10))
    cancel(leah, cancelled, revision=1)
    kept = book(leah, oakfield, oak_series, date(2030, 2, 7))
    # Fatima, a pharmacist in both teams, makes her link; her calendar app fetches it.
    fatima = app.test_client()
    login(fatima, demo.emails["fatima.begum"], DEMO_PASSWORD)
    link = make_feed_link(fatima, demo.ids["fatima.begum"])
    feed = app.test_client().get(feed_path(link)).data

    expected = shown_by_the_app(app, demo.ids["fatima.begum"])
    in_python = python_occurrences(feed, FIRST, AFTER)
    in_icaljs = icaljs(feed, FIRST, AFTER)
    assert in_python == expected
    assert in_icaljs == expected
    assert libical(feed, FIRST, AFTER) == expected
    # She owes preparation for the next Riverside meeting: a deadline on its closing day.
    assert [s.start for s in in_icaljs if s.uid.startswith("prep-due-")] != []
    # Sam Whitfield owns open actions from the last meeting: their due dates are all-day events.
    sam = app.test_client()
    login(sam, demo.emails["sam.whitfield"], DEMO_PASSWORD)
    sams = app.test_client().get(feed_path(make_feed_link(sam, demo.ids["sam.whitfield"]))).data
    due = [s for s in icaljs(sams, FIRST, AFTER) if s.uid.startswith("action-due-")]
    assert due and due == [
        s
        for s in shown_by_the_app(app, demo.ids["sam.whitfield"])
        if s.uid.startswith("action-due-")
    ]

    riverside = {s.start for s in in_icaljs if s.uid == _uid("series", demo.teams["riverside"][1])}
    huddles = {s.start for s in in_icaljs if s.uid == _uid("series", oak_series)}
    # The second Tuesday at 12:30 London time, on both sides of both clock changes.
    assert {"2030-03-12T12:30:00Z", "2030-04-09T11:30:00Z"} <= riverside
    assert {"2030-10-08T11:30:00Z", "2030-11-12T12:30:00Z"} <= riverside
    # Boxing Day is skipped; the huddles either side are not.
    assert at("2030-12-26 13:00") not in huddles
    assert {at("2030-12-19 13:00"), at("2031-01-02 13:00")} <= huddles
    # The moved huddle: the same event, at its new time only.
    assert at("2030-04-02 14:00") in huddles and at("2030-03-28 13:00") not in huddles
    assert b"RECURRENCE-ID;TZID=Europe/London:20300328T130000\r\n" in feed
    # The cancelled meeting is gone and its huddle is back; the kept meeting replaces its own.
    assert not any(s.uid == _uid("meeting", cancelled) for s in in_icaljs)
    assert at("2030-01-10 13:00") in huddles and at("2030-02-07 13:00") not in huddles
    assert Seen(at("2030-02-07 13:00"), _uid("meeting", kept), "CONFIRMED") in in_icaljs
    assert lint(feed) == []


def test_every_demo_users_feed_holds_their_protected_time_and_meetings(app, demo, icaljs, libical):
    with app.app_context():
        tokens = {
            local: calendar.issue_person_link(db.session.get(User, user_id), None)
            for local, user_id in demo.ids.items()
        }
        db.session.commit()
    reader = app.test_client()
    for local, token in tokens.items():
        feed = reader.get(f"/calendar/{token}.ics").data
        assert lint(feed) == [], local
        expected = shown_by_the_app(app, demo.ids[local])
        # Nina Patel is a deputy, in no team herself, until she covers for someone.
        assert bool(expected) is (local != "nina.patel"), local
        assert python_occurrences(feed, FIRST, AFTER) == expected, local
    with app.app_context():
        shared = [calendar.issue_team_link(t, None) for t in db.session.scalars(sa.select(Team))]
        db.session.commit()
    for token in shared:
        feed = reader.get(f"/calendar/team/{token}.ics").data
        assert lint(feed) == [] and b"UID:meeting-" in feed and b"UID:series-" in feed
    # Spot-check the other engines on the two people with the fullest calendars.
    for local in ("fatima.begum", "priya.shah"):
        feed = reader.get(f"/calendar/{tokens[local]}.ics").data
        expected = shown_by_the_app(app, demo.ids[local])
        assert icaljs(feed, FIRST, AFTER) == expected, local
        assert libical(feed, FIRST, AFTER) == expected, local
