"""Events to iCalendar: the subscription feeds (no METHOD) and calendars sent by email.

Feeds follow RFC 5545 and RFC 7986: NAME and X-WR-CALNAME, REFRESH-INTERVAL and
X-PUBLISHED-TTL of an hour; every TZID has a VTIMEZONE of yearly rules; recurring protected
time has an RRULE with UNTIL in UTC, EXDATEs in the same zone as DTSTART, and a moved
occurrence as an override with the same UID and RECURRENCE-ID; DTSTART, EXDATE and
RECURRENCE-ID carry the series' wall-clock time, as the rule gives it. No VTODO, no VALARM.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from flask import current_app

from mdt.accounts.models import User
from mdt.calendar import ics
from mdt.calendar.events import AllDayEvent, Event, Moved, TimedEvent, Window
from mdt.calendar.ics import Component, Prop
from mdt.calendar.sources import PERSON_SOURCES, TEAM_SOURCES
from mdt.calendar.vtimezones import vtimezone
from mdt.core.zones import UnsupportedTimeZone
from mdt.teams.models import Team

logger = logging.getLogger(__name__)

PRODID = "-//MDT Coordinator//Calendar feeds 1.0//EN"
REFRESH = "PT1H"


def person_feed(user: User, today: date) -> bytes:
    window = Window.around(today)
    events = [e for source in PERSON_SOURCES for e in source(user, window)]
    return render(f"{current_app.config['SERVICE_NAME']}: {user.name}", events, window.years)


def team_feed(team: Team, today: date) -> bytes:
    window = Window.around(today)
    events = [e for source in TEAM_SOURCES for e in source(team, window)]
    return render(f"{current_app.config['SERVICE_NAME']}: {team.name}", events, window.years)


def render(name: str, events: list[Event], years: tuple[int, ...]) -> bytes:
    calendar = Component("VCALENDAR")
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add_text("NAME", name)
    calendar.add_text("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", REFRESH, ("VALUE", "DURATION"))
    calendar.add("X-PUBLISHED-TTL", REFRESH)
    calendar.children = components(events, years)
    return ics.serialise(calendar)


def components(events: Iterable[Event], years: tuple[int, ...], *extra: Prop) -> list[Component]:
    """VTIMEZONEs (one per zone used, by name) then VEVENTs in a stable order. Events in a
    zone that cannot be written for `years` are left out (and logged), never the feed: teams
    and series are checked at entry, so only a zone whose rules changed since gets here, and
    administrators see it listed (People's calendar links)."""
    ordered = sorted(events, key=_order)
    zones = sorted({e.zone for e in ordered if isinstance(e, TimedEvent)})
    out, left_out = [], set()
    for zone in zones:
        try:
            out.append(vtimezone(zone, years))
        except UnsupportedTimeZone as problem:
            logger.warning("calendar: events in %s left out of a calendar: %s", zone, problem)
            left_out.add(zone)
    for event in ordered:
        if not (isinstance(event, TimedEvent) and event.zone in left_out):
            out += vevents(event, *extra)
    return out


def _order(event: Event) -> tuple[str, str]:
    when = event.day.isoformat() if isinstance(event, AllDayEvent) else event.starts_at.isoformat()
    return when, event.uid


def _header(event: Event) -> Component:
    vevent = Component("VEVENT")
    vevent.add("UID", event.uid)
    vevent.add("SEQUENCE", str(event.version.sequence))
    vevent.add("DTSTAMP", ics.utc(event.version.changed_at))
    if event.version.created_at is not None:
        vevent.add("CREATED", ics.utc(event.version.created_at))
    vevent.add("LAST-MODIFIED", ics.utc(event.version.changed_at))
    return vevent


def _details(vevent: Component, event: Event, *extra: Prop) -> None:
    vevent.add_text("SUMMARY", event.summary)
    if isinstance(event, TimedEvent):
        vevent.add_text("LOCATION", event.location)
    vevent.add_text("DESCRIPTION", event.description)
    if event.url:
        vevent.add("URL", event.url)
    vevent.props += extra
    if isinstance(event, AllDayEvent):
        vevent.add("TRANSP", "TRANSPARENT")
    else:
        vevent.add("STATUS", event.status)
        vevent.add("TRANSP", "OPAQUE")


def vevents(event: Event, *extra: Prop) -> list[Component]:
    """The VEVENT, and for a recurring event one override per moved occurrence."""
    vevent = _header(event)
    if isinstance(event, AllDayEvent):
        vevent.add("DTSTART", ics.day(event.day), ("VALUE", "DATE"))
        vevent.add("DTEND", ics.day(event.next_day), ("VALUE", "DATE"))
        _details(vevent, event, *extra)
        return [vevent]
    zone = ("TZID", event.zone)
    rule = event.recurrence
    if rule is None:
        vevent.add("DTSTART", ics.local(event.starts_at, event.zone), zone)
        vevent.add("DTEND", ics.local(event.ends_at, event.zone), zone)
    else:
        vevent.add("DTSTART", ics.wall(rule.first), zone)
        vevent.add("DTEND", ics.wall(rule.first + rule.length), zone)
        vevent.add("RRULE", f"{rule.rrule};UNTIL={ics.utc(rule.until)}")
        for excluded in rule.excluded:
            vevent.add("EXDATE", ics.wall(excluded), zone)
        for added in rule.added:
            vevent.add("RDATE", ics.utc(added))
    _details(vevent, event, *extra)
    moved = [_override(event, m, *extra) for m in (rule.moved if rule else ())]
    return [vevent, *moved]


def _override(event: TimedEvent, moved: Moved, *extra: Prop) -> Component:
    vevent = _header(event)
    zone = ("TZID", event.zone)
    vevent.add("RECURRENCE-ID", ics.wall(moved.original_start), zone)
    vevent.add("DTSTART", ics.local(moved.starts_at, event.zone), zone)
    vevent.add("DTEND", ics.local(moved.ends_at, event.zone), zone)
    _details(vevent, event, *extra)
    return vevent
