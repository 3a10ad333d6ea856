"""VTIMEZONE components for feeds and invitations, written from the yearly rules that
mdt.core.zones derives from zoneinfo (and checks against it for every year written)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mdt.calendar.ics import Component
from mdt.core.zones import EPOCH_YEAR, WEEKDAY_CODES, yearly_rules, zone_info


def offset_text(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def vtimezone(name: str, years: tuple[int, ...]) -> Component:
    """The VTIMEZONE for `name`, checked against zoneinfo for every year in `years`."""
    rules = yearly_rules(name, years)
    component = Component("VTIMEZONE")
    component.add("TZID", name)
    if not rules:
        component.children.append(_fixed(name, years[0]))
    daylight = max((r.offset_to for r in rules), default=None)
    for rule in rules:
        kind = "DAYLIGHT" if rule.offset_to == daylight else "STANDARD"
        child = Component(kind)
        child.add("DTSTART", rule.first_onset().strftime("%Y%m%dT%H%M%S"))
        child.add("TZOFFSETFROM", offset_text(rule.offset_from))
        child.add("TZOFFSETTO", offset_text(rule.offset_to))
        if rule.name:
            child.add("TZNAME", rule.name)
        by_day = f"{rule.ordinal}{WEEKDAY_CODES[rule.weekday]}"
        child.add("RRULE", f"FREQ=YEARLY;BYMONTH={rule.month};BYDAY={by_day}")
        component.children.append(child)
    return component


def _fixed(name: str, year: int) -> Component:
    """A zone without clock changes: one STANDARD observance."""
    moment = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone_info(name))
    offset = offset_text(moment.utcoffset() or timedelta(0))
    child = Component("STANDARD")
    child.add("DTSTART", f"{EPOCH_YEAR}0101T000000")
    child.add("TZOFFSETFROM", offset)
    child.add("TZOFFSETTO", offset)
    if moment.tzname():
        child.add("TZNAME", moment.tzname() or "")
    return child
