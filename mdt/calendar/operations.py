"""Feed links (made, rotated, revoked) and how meetings reach each person. Operations flush;
the caller commits. A token exists in clear only in the return value of issue_*_link."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.calendar.models import CalendarFeed, CalendarPreference, FeedClock, MeetingDelivery
from mdt.core.time import now_utc
from mdt.core.tokens import new_token, token_hash
from mdt.core.web import external_url
from mdt.extensions import db
from mdt.teams.models import Team


def person_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def team_feed(team: Team) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.team_id == team.id))


def _issue(feed: CalendarFeed | None, by: User | None, **owner: object) -> str:
    """Make the link, or replace its token (the old one stops working at once)."""
    token = new_token()
    if feed is None:
        feed = CalendarFeed(**owner)
        db.session.add(feed)
    feed.token_hash, feed.created_at = token_hash(token), now_utc()
    feed.created_by_id = by.id if by else None
    db.session.flush()
    return token


def issue_person_link(user: User, by: User | None) -> str:
    """`by` is None when an operator makes it (`mdt feed-url`)."""
    return _issue(person_feed(user), by, user_id=user.id)


def issue_team_link(team: Team, by: User | None) -> str:
    return _issue(team_feed(team), by, team_id=team.id)


def _revoke(feed: CalendarFeed | None) -> bool:
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def revoke_person_link(user: User) -> bool:
    return _revoke(person_feed(user))


def revoke_team_link(team: Team) -> bool:
    return _revoke(team_feed(team))


class FeedLookup(NamedTuple):
    #: ("person", user id) or ("team", team id)
    feed: tuple[str, int]
    #: The feed clock as this statement saw it (None if it has no rows): see FeedClock.
    clock: int | None


def feed_for_token(token: str) -> FeedLookup | None:
    """Whose feed a token opens, looked up by its hash, so no comparison of secrets happens
    here (a person's feed closes with their account), and the feed clock, in one statement:
    a calendar app's poll answered 304 while nothing changed needs no more (the person or
    team is loaded only to build the feed)."""
    clock = sa.select(sa.func.sum(FeedClock.ticks)).scalar_subquery()
    row = db.session.execute(
        sa.select(CalendarFeed.user_id, CalendarFeed.team_id, User.is_active, clock)
        .outerjoin(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    user_id, team_id, active, ticks = row
    ticks = None if ticks is None else int(ticks)
    if user_id is not None:
        return FeedLookup(("person", user_id), ticks) if active else None
    return FeedLookup(("team", team_id), ticks) if team_id is not None else None


def feed_urls(endpoint: str, token: str) -> tuple[str, str]:
    """The https (or http) address and the webcal:// one that opens a calendar app."""
    url = external_url(endpoint, token=token)
    return url, "webcal://" + url.split("://", 1)[1]


# --- how meetings reach people -----------------------------------------------------------


def chosen_delivery(user: User) -> MeetingDelivery:
    pref = db.session.get(CalendarPreference, user.id)
    return pref.meeting_delivery if pref else MeetingDelivery.AUTO


def set_delivery(user: User, delivery: MeetingDelivery) -> None:
    pref = db.session.get(CalendarPreference, user.id)
    if pref is None:
        pref = CalendarPreference(user_id=user.id)
        db.session.add(pref)
    pref.meeting_delivery, pref.updated_at = delivery, now_utc()
    db.session.flush()


def _resolve(chosen: MeetingDelivery, has_feed: bool) -> MeetingDelivery:
    if chosen is MeetingDelivery.AUTO:
        return MeetingDelivery.FEED if has_feed else MeetingDelivery.EMAIL
    return chosen


def deliveries(user_ids: Iterable[int]) -> dict[int, MeetingDelivery]:
    """Each person's delivery with AUTO resolved, in two queries for a whole meeting."""
    ids = set(user_ids)
    rows = db.session.execute(
        sa.select(CalendarPreference.user_id, CalendarPreference.meeting_delivery).where(
            CalendarPreference.user_id.in_(ids)
        )
    )
    chosen = {user_id: delivery for user_id, delivery in rows}
    with_feed = set(
        db.session.scalars(sa.select(CalendarFeed.user_id).where(CalendarFeed.user_id.in_(ids)))
    )
    return {i: _resolve(chosen.get(i, MeetingDelivery.AUTO), i in with_feed) for i in ids}


def meetings_in_feed(user: User) -> bool:
    return deliveries([user.id])[user.id] in (MeetingDelivery.FEED, MeetingDelivery.BOTH)


def invited_by_email(user_ids: Iterable[int]) -> set[int]:
    """Who gets calendar invitations (.ics) with meeting emails."""
    by_email = (MeetingDelivery.EMAIL, MeetingDelivery.BOTH)
    return {i for i, d in deliveries(user_ids).items() if d in by_email}


# --- zones the feeds cannot write ----------------------------------------------------------


def left_out_of_feeds(years: tuple[int, ...]) -> list[tuple[str, str, str]]:
    """(team, what, zone) for each team's meetings and each series whose time zone cannot be
    written for `years`, so the feeds leave them out (mdt.calendar.feed.components): a zone
    whose rules changed after it was chosen. For administrators, to choose another zone."""
    from mdt.core.zones import writable
    from mdt.slots.models import SlotSeries

    teams = db.session.execute(sa.select(Team.name, Team.time_zone).order_by(Team.name))
    series = db.session.execute(
        sa.select(Team.name, SlotSeries.title, SlotSeries.time_zone)
        .join(Team, Team.id == SlotSeries.team_id)
        .order_by(Team.name, SlotSeries.title)
    )
    found = [(name, "Meetings", zone) for name, zone in teams]
    found += [(name, f"Protected time: {title}", zone) for name, title, zone in series]
    return [row for row in found if not writable(row[2], years)]
