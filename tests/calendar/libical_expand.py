"""Expands an iCalendar feed with libical (what Evolution and GNOME Calendar use), for the tests.

Run by Debian's own /usr/bin/python3, which has libical's GObject bindings (gir1.2-ical-3.0,
python3-gi); the project's virtualenv has neither, so tests/calendar/support.py calls this as
a subprocess. Reads the feed on stdin; prints [{uid, start, status}] for every occurrence
starting in [FROM, TO) as JSON, starts in UTC (all-day events: their day), like expand.mjs.

libical expands RRULE and EXDATE itself (icalcomponent_foreach_recurrence); an override
(RECURRENCE-ID) replaces the occurrence whose start it names, as Evolution's client does.
Time zones come from the feed's own VTIMEZONEs.

    /usr/bin/python3 libical_expand.py 2029-10-01T00:00:00Z 2031-05-01T00:00:00Z < feed.ics
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ical  # noqa: E402

EVENT = ical.ComponentKind.VEVENT_COMPONENT
UTC_ZONE = ical.Timezone.get_utc_timezone()


def timet(moment: str) -> int:
    return int(datetime.strptime(moment, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def instant(value: "ical.Time") -> int:
    zone = value.get_timezone()
    return value.as_timet_with_zone(zone if zone is not None else UTC_ZONE)


def recurrence_id(calendar: "ical.Component", event: "ical.Component") -> int:
    """The RECURRENCE-ID's instant, its TZID looked up in the feed's own VTIMEZONEs
    (get_recurrenceid alone leaves the time without its zone)."""
    prop = event.get_first_property(ical.PropertyKind.RECURRENCEID_PROPERTY)
    value = prop.get_recurrenceid()
    tzid = prop.get_parameter_as_string("TZID")
    if tzid:
        zone = calendar.get_timezone(tzid)
        if zone is None:
            raise SystemExit(f"no VTIMEZONE for {tzid}")
        value.set_timezone(zone)
    return instant(value)


def shown(value: "ical.Time", seconds: int) -> str:
    if value.is_date():
        return f"{value.get_year():04d}-{value.get_month():02d}-{value.get_day():02d}"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_of(event: "ical.Component") -> str:
    prop = event.get_first_property(ical.PropertyKind.STATUS_PROPERTY)
    return prop.get_value_as_string() if prop is not None else ""


def events(calendar: "ical.Component") -> list["ical.Component"]:
    found, event = [], calendar.get_first_component(EVENT)
    while event is not None:
        found.append(event)
        event = calendar.get_next_component(EVENT)
    return found


def main() -> None:
    first, after = (timet(arg) for arg in sys.argv[1:3])
    calendar = ical.Component.new_from_string(sys.stdin.read())
    masters, overrides = [], []
    for event in events(calendar):
        rid = event.get_first_property(ical.PropertyKind.RECURRENCEID_PROPERTY)
        (overrides if rid is not None else masters).append(event)
    replaced = {(e.get_uid(), recurrence_id(calendar, e)) for e in overrides}
    out = []

    def keep(event: "ical.Component", start: int, is_date_of: "ical.Time") -> None:
        if first <= start < after:
            out.append(
                {
                    "uid": event.get_uid(),
                    "start": shown(is_date_of, start),
                    "status": status_of(event),
                }
            )

    for master in masters:
        dtstart = master.get_dtstart()
        if master.get_first_property(ical.PropertyKind.RRULE_PROPERTY) is None:
            keep(master, instant(dtstart), dtstart)
            continue
        starts: list[int] = []
        begin = ical.Time.new_from_timet_with_zone(first - 86400 * 400, 0, UTC_ZONE)
        end = ical.Time.new_from_timet_with_zone(after + 86400 * 400, 0, UTC_ZONE)
        master.foreach_recurrence(
            begin, end, lambda _c, span, found: found.append(span.get_start()), starts
        )
        for start in starts:
            if (master.get_uid(), start) not in replaced:
                keep(master, start, dtstart)
    for override in overrides:
        dtstart = override.get_dtstart()
        keep(override, instant(dtstart), dtstart)
    out.sort(key=lambda o: o["start"] + o["uid"])
    sys.stdout.write(json.dumps(out))


main()
