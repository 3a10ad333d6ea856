"""Feed validators: everything a feed's bytes depend on, fingerprinted in one statement, so a
304 needs no feed built and a 200 can serve the bytes built last time.

A validator (the feed's strong ETag) is the SHA-256 of
- what is the same for every feed of this app: PRODID and REFRESH, the source of the code that
  writes feeds (CODE), the bank-holiday and tzdata versions, the UID domain, SERVICE_NAME, and
  the links events carry as built on BASE_URL;
- the feed's window (`Window.around(today)`: it moves once a month, not daily);
- every column an event of the feed prints or depends on (the lists are in `_person_parts`
  and `_team_parts`), selected in ONE statement: a UNION ALL of small selects, each row cast
  to text and tagged, hashed in sorted order. The columns themselves are selected, not
  revision counters, so an edit that does not bump a revision still changes the validator.
Same validator, same bytes: the ETag stays strong. Selecting more than a feed shows (a meeting
invited to someone who gets meetings by email only, say) only costs a refetch.

What is kept between requests (built bytes, validators) is in mdt.calendar.feed_cache.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from datetime import date
from functools import cache
from pathlib import Path

import holidays
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.calendar.events import Window
from mdt.calendar.feed import PRODID, REFRESH
from mdt.calendar.identity import uid_domain
from mdt.calendar.models import CalendarFeed, CalendarPreference
from mdt.calendar.sources import in_window, window_bounds
from mdt.core.web import external_url
from mdt.extensions import db
from mdt.meetings.models import Invitation, Meeting, MeetingStatus
from mdt.prep.models import PrepRequest
from mdt.slots.models import SlotException, SlotSeries
from mdt.teams.models import Membership, Team

#: Modules whose code decides a feed's bytes for given data: a deploy that changes any of
#: them changes every validator, so nobody has to remember to bump a format version.
FEED_MODULES = (
    "mdt.calendar.events",
    "mdt.calendar.feed",
    "mdt.calendar.ics",
    "mdt.calendar.operations",
    "mdt.calendar.sources",
    "mdt.core.zones",
    "mdt.calendar.validators",
    "mdt.agenda.cutoff",
    "mdt.core.days",
    "mdt.slots.occurrences",
    "mdt.core.recurrence",
)


def _code_hash() -> str:
    digest = hashlib.sha256()
    for name in FEED_MODULES:
        spec = importlib.util.find_spec(name)
        digest.update(Path(spec.origin).read_bytes() if spec and spec.origin else name.encode())
    return digest.hexdigest()


def _tzdata_version() -> str:
    try:
        return importlib.metadata.version("tzdata")
    except importlib.metadata.PackageNotFoundError:
        return "system"


CODE = _code_hash()

# --- the validators ------------------------------------------------------------------------


def person(user_id: int, today: date) -> str:
    dialect = db.session.get_bind().dialect.name
    return _validator(_person_statement(dialect), ("person", user_id), Window.around(today))


def team(team_id: int, today: date) -> str:
    return _validator(_team_statement(), ("team", team_id), Window.around(today))


def _validator(statement: sa.CompoundSelect, feed: tuple[str, int], window: Window) -> str:
    rows = db.session.execute(statement, _params(feed[1], window)).all()
    # Every cell is text or NULL, so each row's repr() is exact; sorted, the order the
    # database happened to return them in does not matter.
    head = (*_app_part(), *map(str, feed), window.first.isoformat(), window.last.isoformat())
    data = sorted(repr(tuple(row)) for row in rows)
    return hashlib.sha256(repr((head, data)).encode()).hexdigest()


def _app_part() -> list[str]:
    """The same for every feed of the app: computed once per app."""
    found = current_app.extensions.get("mdt.calendar.static")
    if found is None:
        links = [
            external_url("slots.index", team_id=0),
            external_url("meetings.detail", meeting_id=0),
            external_url("prep.mine"),
            external_url("actions.detail", action_id=0),
        ]
        found = [PRODID, REFRESH, CODE, holidays.__version__, _tzdata_version(), uid_domain()]
        found += [current_app.config["SERVICE_NAME"], *links]
        current_app.extensions["mdt.calendar.static"] = found
    return found


# The statements are built once, with the owner and the window as named parameters; the
# window's bounds are written into the SQL (see sources.in_window), so each month's statement
# is prepared once per connection and planned for its window.
OWNER = sa.bindparam("owner_id", type_=sa.Integer)
ANY_WINDOW = Window.around(date(2000, 1, 1))


def _params(owner_id: int, window: Window) -> dict[str, object]:
    days = {"window_first": window.first, "window_last": window.last}
    return {"owner_id": owner_id} | days | window_bounds(window)


def _between(column: sa.ColumnElement[date]) -> sa.ColumnElement[bool]:
    first = sa.bindparam("window_first", type_=sa.Date, literal_execute=True)
    last = sa.bindparam("window_last", type_=sa.Date, literal_execute=True)
    return column.between(first, last)


@cache
def _person_statement(dialect: str) -> sa.CompoundSelect:
    return sa.union_all(*_person_parts(OWNER, ANY_WINDOW, dialect))


@cache
def _team_statement() -> sa.CompoundSelect:
    return sa.union_all(*_team_parts(OWNER, ANY_WINDOW))


WIDTH = 19  # the widest part: a series and its team's name


def _part(tag: str, *columns: sa.ColumnElement) -> sa.Select:
    """A select of `tag` and `columns` as text, padded to WIDTH, to be joined and filtered."""
    cells = [sa.cast(c, sa.String) for c in columns]
    cells += [sa.cast(sa.null(), sa.String)] * (WIDTH - len(cells))
    return sa.select(sa.literal(tag, sa.String), *cells)


def _protected_time_parts(of_teams: sa.ColumnElement[bool]) -> list[sa.Select]:
    """sources.protected_time: each series of the teams (every column is used), its team's
    name, its exceptions, and the meetings booked in its occurrences in the window."""
    series = _part(
        "series",
        *SlotSeries.__table__.c,  # every column: series_event and occurrences read them all
        Team.name,
    ).join_from(SlotSeries, Team, Team.id == SlotSeries.team_id)
    exceptions = _part(
        "exception",
        SlotException.series_id,
        SlotException.original_date,
        SlotException.cancelled,
        SlotException.moved_to,
    ).join_from(SlotException, SlotSeries, SlotSeries.id == SlotException.series_id)
    bookings = (
        _part(
            "booking",
            Meeting.series_id,
            Meeting.occurrence_date,
            Meeting.status,
            Meeting.updated_at,
        )
        .join_from(Meeting, SlotSeries, SlotSeries.id == Meeting.series_id)
        .where(_between(Meeting.occurrence_date))
    )
    return [q.where(of_teams) for q in (series, exceptions, bookings)]


def _meetings_part(tag: str) -> sa.Select:
    """sources.meeting_event, for meetings not cancelled and starting in the window."""
    chair, taker = aliased(User), aliased(User)
    return (
        _part(tag, *_meeting_columns(Meeting, chair, taker))
        .join_from(Meeting, Team, Team.id == Meeting.team_id)
        .outerjoin(chair, chair.id == Meeting.chair_id)
        .outerjoin(taker, taker.id == Meeting.minute_taker_id)
        .where(Meeting.status != MeetingStatus.CANCELLED)
    )


def _meeting_columns(
    meeting: type[Meeting], chair: type[User], taker: type[User]
) -> list[sa.ColumnElement]:
    return [
        meeting.id,
        meeting.status,
        meeting.starts_at,
        meeting.ends_at,
        meeting.location,
        meeting.video_link,
        meeting.revision,
        meeting.created_at,
        meeting.updated_at,
        Team.name,
        Team.time_zone,
        chair.name,
        taker.name,
    ]


def _invited_part(user_id: sa.BindParameter[int], window: Window, dialect: str) -> sa.Select:
    """The meetings the person is invited to, starting in the window (not cancelled)."""
    if dialect != "postgresql":
        return (
            _meetings_part("invited")
            .join(Invitation, Invitation.meeting_id == Meeting.id)
            .where(Invitation.user_id == user_id, in_window(window))
        )
    # Joined, PostgreSQL hashes every meeting in the window (4,000 at region scale) to find
    # the person's few dozen: from their invitations, each meeting is looked up by its key
    # instead (OFFSET keeps the LATERAL a lookup per invitation): 0.5 ms instead of 1.3-5.
    found = (
        sa.select(Meeting)
        .where(
            Meeting.id == Invitation.meeting_id,
            Meeting.status != MeetingStatus.CANCELLED,
            in_window(window),
        )
        .offset(0)
        .lateral("invited_meeting")
    )
    meeting, chair, taker = aliased(Meeting, found), aliased(User), aliased(User)
    return (
        _part("invited", *_meeting_columns(meeting, chair, taker))
        .select_from(Invitation)
        .join(found, sa.true())
        .join(Team, Team.id == meeting.team_id)
        .outerjoin(chair, chair.id == meeting.chair_id)
        .outerjoin(taker, taker.id == meeting.minute_taker_id)
        .where(Invitation.user_id == user_id)
    )


def _person_parts(
    user_id: sa.BindParameter[int], window: Window, dialect: str = "sqlite"
) -> list[sa.Select]:
    teams = sa.select(Membership.team_id).where(Membership.user_id == user_id)
    return [
        _part("owner", User.name).where(User.id == user_id),
        *_protected_time_parts(SlotSeries.team_id.in_(teams)),
        # operations.meetings_in_feed: the chosen delivery, and whether a feed link exists.
        _part("delivery", CalendarPreference.meeting_delivery).where(
            CalendarPreference.user_id == user_id
        ),
        _part("feed", CalendarFeed.id).where(CalendarFeed.user_id == user_id),
        _invited_part(user_id, window, dialect),
        _prep_part(user_id, window, dialect),
        _actions_part(user_id),
    ]


def _prep_part(user_id: sa.BindParameter[int], window: Window, dialect: str) -> sa.Select:
    """sources.person_prep_deadlines: the person's requests on scheduled meetings in the
    window (done or not), the case's creation, and what closing_day reads."""
    if dialect != "postgresql":
        meeting = Meeting
        requests = (
            sa.select()
            .select_from(PrepRequest)
            .join(Case, Case.id == PrepRequest.case_id)
            .join(Meeting, Meeting.id == Case.meeting_id)
            .where(Meeting.status == MeetingStatus.SCHEDULED, in_window(window))
        )
    else:
        # As for invitations: left to itself, PostgreSQL may start from every scheduled
        # meeting in the window (1,700 at region scale, and all their cases: 11 ms) instead
        # of the person's few hundred requests; each request's meeting is looked up by key.
        found = (
            sa.select(Meeting)
            .where(
                Meeting.id == Case.meeting_id,
                Meeting.status == MeetingStatus.SCHEDULED,
                in_window(window),
            )
            .offset(0)
            .lateral("prep_meeting")
        )
        meeting = aliased(Meeting, found)
        requests = (
            sa.select()
            .select_from(PrepRequest)
            .join(Case, Case.id == PrepRequest.case_id)
            .join(found, sa.true())
        )
    return (
        requests.add_columns(
            *_part(
                "prep",
                PrepRequest.id,
                PrepRequest.completed_at,
                Case.created_at,
                meeting.id,
                meeting.starts_at,
                meeting.created_at,
                meeting.updated_at,
                Team.name,
                Team.time_zone,
                Team.agenda_cutoff_days,
            ).selected_columns
        )
        .join(Team, Team.id == meeting.team_id)
        .where(PrepRequest.user_id == user_id)
    )


def _actions_part(user_id: sa.BindParameter[int]) -> sa.Select:
    """sources.person_action_due_dates: open actions the person owns, due in the window."""
    return (
        _part(
            "action",
            ActionPoint.id,
            ActionPoint.due_date,
            ActionPoint.revision,
            ActionPoint.created_at,
            ActionPoint.updated_at,
            Team.name,
        )
        .join_from(ActionPoint, Team, Team.id == ActionPoint.team_id)
        .where(
            ActionPoint.owner_id == user_id,
            ActionPoint.status == ActionStatus.OPEN,
            _between(ActionPoint.due_date),
        )
    )


def _team_parts(team_id: sa.BindParameter[int], window: Window) -> list[sa.Select]:
    return [
        _part("owner", Team.name).where(Team.id == team_id),
        *_protected_time_parts(SlotSeries.team_id == team_id),
        _meetings_part("meeting").where(Meeting.team_id == team_id, in_window(window)),
    ]
