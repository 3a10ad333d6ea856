"""The feed's ETag is a validator of what its bytes depend on, not the bytes' hash, and built
bytes are served from a cache by validator. The safety property: after every kind of change
to what a person's feed shows, the feed served is the feed built afresh, and its ETag moved
whenever its bytes did. Plus the price: a 304 in one statement while nothing changed,
whatever the data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.actions import operations as actions
from mdt.actions.models import ActionPoint
from mdt.agenda import operations as agenda
from mdt.agenda.models import Case, Priority
from mdt.calendar import feed as feeds
from mdt.calendar import feed_cache
from mdt.calendar import operations as calendar
from mdt.calendar.identity import uid_domain
from mdt.calendar.models import MeetingDelivery
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings import operations as meetings
from mdt.meetings.models import Invitation, Meeting
from mdt.patients.models import Patient
from mdt.prep import operations as prep
from mdt.prep.models import Known, PrepRequest
from mdt.slots import operations as slots
from mdt.slots.models import SlotException, SlotSeries
from mdt.teams import operations as teams
from mdt.teams.models import Membership, Team, TeamRole
from tests.calendar.support import book, cancel, feed_path, make_feed_link, reschedule
from tests.conftest import login
from tests.queries import count_queries

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday; the window is Oct 2026 to Jul 2028
THURSDAY = date(2027, 1, 14)


@dataclass
class Story:
    """Grace's feed, fetched as a calendar app does after each change."""

    app: Flask
    feed: str
    grace: int
    team: int
    series: int
    chair: int
    coordinator: int
    body: bytes = b""
    etag: str = ""
    #: Changes after which the bytes stayed the same, and whether the ETag did too.
    unchanged: list[tuple[str, bool]] = field(default_factory=list)

    def change(self, name: str, do: Callable[[], object]) -> None:
        with self.app.test_request_context():
            do()
            db.session.commit()
        self.check(name)

    def check(self, name: str) -> None:
        served = self.app.test_client().get(self.feed)
        with self.app.test_request_context():
            fresh = feeds.person_feed(db.session.get(User, self.grace), now_utc().date())
        assert served.status_code == 200, name
        assert served.data == fresh, f"after {name}: the served feed is not the fresh one"
        etag = served.get_etag()[0]
        if served.data != self.body:
            assert etag != self.etag, f"after {name}: new bytes under the old ETag"
        else:
            self.unchanged.append((name, etag == self.etag))
        again = self.app.test_client().get(self.feed, headers={"If-None-Match": f'"{etag}"'})
        assert again.status_code == 304, name
        self.body, self.etag = served.data, etag


@pytest.fixture
def story(app: Flask, make, time_machine) -> Story:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    leah = make.user(name="Leah Morris")
    team = make.team(coordinator=leah, name="Oakfield Frailty MDT")
    chair = make.member(team, make.user(name="Sam Okoro"), role=TeamRole.CHAIR).user
    grace = make.member(team, make.user(name="Grace Adeyemi"), role=TeamRole.CORE_MEMBER).user
    make.member(team, make.user(name="Tom Price"), role=TeamRole.CORE_MEMBER)
    series = make.series(
        team, title="Frailty huddle", weekday=3, start_date=date(2027, 1, 1), start_time=time(13)
    )
    client = app.test_client()
    login(client, grace.email)
    feed = feed_path(make_feed_link(client, grace.id))
    story = Story(app, feed, grace.id, team.id, series.id, chair.id, leah.id)
    story.check("making the link")
    return story


def _get(model, key):  # type: ignore[no-untyped-def]
    return db.session.get(model, key)


def _one(query):  # type: ignore[no-untyped-def]
    return db.session.scalars(query).one()


def test_after_every_kind_of_change_the_served_feed_is_the_fresh_one(
    app, make, story, time_machine
):
    s = story
    coordinator = app.test_client()
    login(coordinator, _email(app, s.coordinator))
    team = lambda: _get(Team, s.team)  # noqa: E731
    series = lambda: _get(SlotSeries, s.series)  # noqa: E731
    grace = lambda: _get(User, s.grace)  # noqa: E731
    leah = lambda: _get(User, s.coordinator)  # noqa: E731

    # The team and its protected time.
    s.change("renaming the team", lambda: teams.update_team(team(), None, name="Oakfield MDT"))
    s.change(
        "editing the series",
        lambda: slots.update_series(series(), None, title="Huddle", start_time=time(14)),
    )
    s.change(
        "cancelling an occurrence",
        lambda: slots.change_occurrence(series(), date(2027, 1, 21), leah(), "Training"),
    )
    s.change(
        "moving an occurrence",
        lambda: slots.change_occurrence(
            series(), date(2027, 1, 28), leah(), "Room", datetime(2027, 1, 29, 10, tzinfo=UTC)
        ),
    )
    # No operation takes an exception back: a direct delete bumps no revision.
    s.change(
        "removing an exception (no revision bumped)",
        lambda: db.session.delete(
            _one(sa.select(SlotException).where(SlotException.original_date == date(2027, 1, 21)))
        ),
    )

    # A meeting booked in it, through the pages.
    meeting = book(coordinator, s.team, s.series, THURSDAY)
    s.check("booking a meeting into the series")
    reschedule(coordinator, meeting, revision=1, day=date(2027, 1, 15), start="09:00")
    s.check("rescheduling it")
    m = lambda: _get(Meeting, meeting)  # noqa: E731
    chair = lambda: _get(User, s.chair)  # noqa: E731
    s.change(
        "changing its place and video link",
        lambda: meetings.update_details(m(), None, chair(), None, "Room 4", "https://v.test/a"),
    )
    s.change(
        "changing its chair",
        lambda: meetings.update_details(m(), None, leah(), None, "Room 4", "https://v.test/a"),
    )
    s.change(
        "renaming the chair",
        lambda: accounts.update_user(leah(), None, name="Leah Morris-Jones"),
    )

    # Preparation, and the cut-off that sets its day.
    patients = [make.patient().id, make.patient().id]

    def add_case() -> Case:
        patient = _get(Patient, patients.pop())
        return agenda.add_case(
            m(), patient, leah(), now_utc(), reason="Falls", priority=Priority.ROUTINE
        )

    s.change("adding a case (Grace is asked to prepare)", add_case)
    s.change(
        "changing the team's agenda cut-off",
        lambda: teams.update_team(team(), None, agenda_cutoff_days="4"),
    )
    s.change("adding a second case", add_case)
    s.change(
        "removing a case (no operation: a direct delete)",
        lambda: db.session.delete(
            _one(
                sa.select(Case).where(Case.meeting_id == meeting).order_by(Case.id.desc()).limit(1)
            )
        ),
    )
    s.change(
        "completing the preparation",
        lambda: prep.complete(
            _one(sa.select(PrepRequest).where(PrepRequest.user_id == s.grace)),
            None,
            Known.NO,
            "",
            "",
            False,
            "",
        ),
    )

    # How meetings reach Grace, and whether she is invited.
    s.change(
        "choosing meetings by email only",
        lambda: calendar.set_delivery(grace(), MeetingDelivery.EMAIL),
    )
    s.change(
        "choosing the feed again", lambda: calendar.set_delivery(grace(), MeetingDelivery.FEED)
    )
    s.change(
        "uninviting Grace (no operation: a direct delete)",
        lambda: db.session.delete(_one(sa.select(Invitation).where(Invitation.user_id == s.grace))),
    )
    s.change(
        "inviting Grace again",
        lambda: meetings.invite_to_upcoming(team(), team().membership_of(grace()), now_utc()),
    )

    # Actions Grace owns.
    def create_action() -> ActionPoint:
        return actions.create(
            m(),
            None,
            owner=grace(),
            due=date(2027, 2, 1),
            description="Call",
            by=leah(),
            today=now_utc().date(),
        )

    s.change("giving Grace an action", create_action)
    action = lambda: _one(sa.select(ActionPoint))  # noqa: E731
    s.change("closing it", lambda: actions.complete(action(), None, "Done", leah()))
    s.change("reopening it", lambda: actions.reopen(action(), None, "Not done", leah()))
    s.change(
        "re-dating it",
        lambda: actions.reschedule(
            action(), None, date(2027, 2, 8), "Later", leah(), now_utc().date()
        ),
    )
    s.change("handing it over", lambda: actions.reassign(action(), None, leah(), leah()))

    cancel(coordinator, meeting, revision=_get_revision(app, meeting))
    s.check("cancelling the meeting")

    # The date: the window is whole months.
    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    s.check("the next day")
    time_machine.move_to(datetime(2027, 2, 1, 9, tzinfo=UTC), tick=False)
    s.check("a new month (the window moves)")
    s.change(
        "removing Grace from the team",
        lambda: teams.remove_member(
            _one(sa.select(Membership).where(Membership.user_id == s.grace))
        ),
    )

    # Every change above shows in the feed, except the day that keeps the window (and the
    # bytes, and the ETag).
    assert s.unchanged == [("the next day", True)]


def _email(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def _get_revision(app: Flask, meeting_id: int) -> int:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).revision


# --- the price -----------------------------------------------------------------------------


def _busy_person(app: Flask, make, size: int) -> str:  # type: ignore[no-untyped-def]
    """A person in `size` teams, each with protected time, a meeting they are invited to, a
    case they prepare, an exception and an action they own; their feed's path."""
    person = make.user(name=f"Busy {size}")
    for n in range(size):
        team = make.team(name=f"Busy team {size}.{n}")
        make.member(team, person)
        series = make.series(team, weekday=n % 5)
        make.session.add(SlotException(series=series, original_date=date(2027, 1, 19), reason="-"))
        starts = datetime(2027, 1, 20, 12, tzinfo=UTC) + timedelta(days=n)
        meeting = make.meeting(team, starts_at=starts, ends_at=starts + timedelta(hours=1))
        case = make.case(meeting, make.patient(), person)
        make.action(case, person, due_date=date(2027, 2, 1) + timedelta(days=n))
    with app.app_context():
        token = calendar.issue_person_link(db.session.get(User, person.id), None)
        db.session.commit()
    return f"/calendar/{token}.ics"


def _statements(app: Flask, path: str, etag: str = "") -> tuple[int, str]:
    headers = {"If-None-Match": f'"{etag}"'} if etag else {}
    with count_queries(app) as statements:
        response = app.test_client().get(path, headers=headers)
    assert response.status_code == (304 if etag else 200)
    return len(statements), response.get_etag()[0]


def test_a_304_takes_one_statement_and_a_build_as_many_for_ten_times_the_data(
    app, make, time_machine
):
    time_machine.move_to(NOW, tick=False)
    with app.app_context():
        uid_domain()  # read once per worker (one statement), not per feed: see identity.py
    counts = {}
    for size in (3, 30):
        path = _busy_person(app, make, size)
        built, etag = _statements(app, path)
        cached, _ = _statements(app, path)
        not_modified, _ = _statements(app, path, etag)
        counts[size] = (built, cached, not_modified)

    # Whose feed the token opens, with the feed clock; a build then takes the validator,
    # loads the person, runs the feed's queries and takes the validator again. While the clock
    # does not tick, the validator is kept: the cached bytes and a 304 need the token's
    # statement alone.
    assert counts[3] == counts[30] == (12, 1, 1)


def test_the_team_feed_follows_its_team_and_answers_304_in_one_statement(app, make, time_machine):
    time_machine.move_to(NOW, tick=False)
    leah = make.user(name="Leah Morris")
    team = make.team(coordinator=leah, name="Oakfield Frailty MDT")
    make.series(team, weekday=3, start_date=date(2027, 1, 1))
    coordinator = app.test_client()
    login(coordinator, leah.email)
    path = feed_path(make_feed_link(coordinator, 0, team_id=team.id))
    _, before = _statements(app, path)
    assert _statements(app, path, before)[0] == 1

    with app.test_request_context():
        teams.update_team(db.session.get(Team, team.id), None, name="Oakfield MDT")
        db.session.commit()
    served = app.test_client().get(path)
    with app.test_request_context():
        fresh = feeds.team_feed(db.session.get(Team, team.id), now_utc().date())

    assert served.data == fresh and b"Oakfield MDT" in fresh
    assert served.get_etag()[0] != before


# --- the cache -----------------------------------------------------------------------------


def test_the_cache_keeps_the_most_recently_used_feeds():
    cache = feed_cache.Recent[bytes](size=2)
    cache.put("a", b"A")
    cache.put("b", b"B")
    assert cache.get("a") == b"A"  # now "b" is the least recently used

    cache.put("c", b"C")

    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"A", None, b"C")


def test_bytes_built_while_the_data_changed_go_out_without_an_etag_and_are_not_kept(app):
    later = iter(["second"])
    with app.app_context():
        body, etag = feed_cache.body_for(("person", 1), "first", later.__next__, lambda: b"X")
        assert (body, etag) == (b"X", None)
        assert feed_cache.bodies().get((("person", 1), "first")) is None
