"""A small iCalendar linter for what calendar apps trip on, used by the tests on every feed
and invitation the app writes. `python -m mdt.calendar.lint FILE...` checks files.

It reports: bare LF or CR, lines over 75 octets, bad UTF-8, a TZID without a VTIMEZONE,
floating (zone-less) timed events, an EXDATE or RECURRENCE-ID not in DTSTART's zone, a
VEVENT without UID, DTSTAMP or SEQUENCE, a non-UTC UNTIL, two masters with one UID, a
RECURRENCE-ID that hits no occurrence, METHOD in a feed (or missing from an invitation),
an ATTENDEE asked for a reply (RSVP=TRUE: nothing reads the replies calendar apps send),
and VTODO or VALARM.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

MAX_OCTETS = 75
TIMES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
REQUIRED = ("UID", "DTSTAMP", "SEQUENCE", "DTSTART")
_PARAM = re.compile(r';([A-Za-z0-9-]+)=("[^"]*"|[^";:,]*(?:,[^";:,]*)*)')
_NAME = re.compile(r"^[A-Za-z0-9-]+")


@dataclass
class Prop:
    line: int
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Node:
    name: str
    line: int
    props: list[Prop] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def get(self, name: str) -> Prop | None:
        return next((p for p in self.props if p.name == name), None)

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]

    def walk(self) -> list[Node]:
        return [self] + [n for child in self.children for n in child.walk()]


def lint(data: bytes, feed: bool = True) -> list[str]:
    """Every problem found, each as "line N: what"; an empty list means clean."""
    problems = _physical(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return problems + [f"byte {exc.start}: not UTF-8"]
    root, structure = _parse(text)
    if root is None:
        return problems + structure
    return problems + structure + _semantic(root, feed)


# --- bytes and lines ---------------------------------------------------------------------


def _physical(data: bytes) -> list[str]:
    problems = []
    for number, raw in enumerate(data.split(b"\r\n"), start=1):
        if b"\n" in raw:
            problems.append(f"line {number}: bare LF (lines must end with CRLF)")
        if b"\r" in raw:
            problems.append(f"line {number}: bare CR")
        if len(raw) > MAX_OCTETS:
            problems.append(f"line {number}: {len(raw)} octets (fold at {MAX_OCTETS})")
    if not data.endswith(b"\r\n"):
        problems.append("the last line does not end with CRLF")
    return problems


def _unfold(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(re.split(r"\r\n|\n", text), start=1):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + raw[1:])
        elif raw:
            lines.append((number, raw))
    return lines


def _prop(number: int, line: str) -> Prop | None:
    name = _NAME.match(line)
    if name is None:
        return None
    params, rest = {}, line[name.end() :]
    while rest.startswith(";"):
        param = _PARAM.match(rest)
        if param is None:
            return None
        params[param[1].upper()] = param[2].strip('"')
        rest = rest[param.end() :]
    if not rest.startswith(":"):
        return None
    return Prop(number, name[0].upper(), params, rest[1:])


def _parse(text: str) -> tuple[Node | None, list[str]]:
    problems, stack, root = [], [], None
    for number, line in _unfold(text):
        prop = _prop(number, line)
        if prop is None:
            problems.append(f"line {number}: not a content line")
        elif prop.name == "BEGIN":
            node = Node(prop.value.upper(), number)
            (stack[-1].children if stack else []).append(node)
            root = root or node
            stack.append(node)
        elif prop.name == "END":
            if not stack or stack[-1].name != prop.value.upper():
                return None, problems + [f"line {number}: END:{prop.value} closes nothing open"]
            stack.pop()
        elif stack:
            stack[-1].props.append(prop)
    if stack or root is None or root.name != "VCALENDAR":
        return None, problems + ["the data is not one complete VCALENDAR"]
    return root, problems


# --- meaning -------------------------------------------------------------------------------


def _semantic(root: Node, feed: bool) -> list[str]:
    problems = _calendar(root, feed) + _time_zones(root)
    events = [n for n in root.children if n.name == "VEVENT"]
    for event in events:
        problems += _event(event)
    return problems + _masters(events) + _overrides(events)


def _calendar(root: Node, feed: bool) -> list[str]:
    problems = [f"VCALENDAR has no {name}" for name in ("VERSION", "PRODID") if not root.get(name)]
    if feed and root.get("METHOD"):
        problems.append("a feed must not have METHOD (clients would treat it as an invitation)")
    if not feed and not root.get("METHOD"):
        problems.append("an invitation needs METHOD")
    for node in root.walk():
        if node.name in ("VTODO", "VALARM"):
            problems.append(f"line {node.line}: {node.name} is not wanted in our calendars")
    return problems + _replies_asked(root)


def _replies_asked(root: Node) -> list[str]:
    """The app reads no iMIP replies (people reply on the meeting's page), so no calendar it
    writes may ask a calendar app to send one."""
    return [
        f"line {p.line}: ATTENDEE asks for a reply (RSVP=TRUE) that nothing reads"
        for node in root.walk()
        for p in node.all("ATTENDEE")
        if p.params.get("RSVP", "FALSE").upper() == "TRUE"
    ]


def _time_zones(root: Node) -> list[str]:
    defined = {p.value for n in root.children if n.name == "VTIMEZONE" for p in n.all("TZID")}
    return [
        f"line {p.line}: TZID={p.params['TZID']} has no VTIMEZONE"
        for n in root.walk()
        for p in n.props
        if "TZID" in p.params and p.params["TZID"] not in defined
    ]


def _event(event: Node) -> list[str]:
    problems = [
        f"line {event.line}: VEVENT has no {name}" for name in REQUIRED if not event.get(name)
    ]
    for prop in event.props:
        if prop.name in TIMES and _floating(prop):
            problems.append(f"line {prop.line}: {prop.name} is a floating time (no TZID, no Z)")
        if prop.name == "DTSTAMP" and not prop.value.endswith("Z"):
            problems.append(f"line {prop.line}: DTSTAMP must be in UTC")
    problems += _same_zone(event)
    rule = event.get("RRULE")
    if rule is not None:
        until = re.search(r"UNTIL=([0-9TZ]+)", rule.value)
        if until and not until[1].endswith("Z"):
            problems.append(f"line {rule.line}: UNTIL={until[1]} must be a UTC date-time (Z)")
    return problems


def _same_zone(event: Node) -> list[str]:
    """EXDATE and RECURRENCE-ID are matched against the rule's starts: same zone as DTSTART."""
    start = event.get("DTSTART")
    zone = start.params.get("TZID") if start else None
    return [
        f"line {p.line}: {p.name} is not in DTSTART's zone ({zone or 'UTC'})"
        for p in event.all("EXDATE") + event.all("RECURRENCE-ID")
        if p.params.get("TZID") != zone and p.params.get("VALUE") != "DATE"
    ]


def _floating(prop: Prop) -> bool:
    dated = prop.params.get("VALUE") == "DATE"
    return (
        not dated
        and "TZID" not in prop.params
        and any("T" in v and not v.endswith("Z") for v in prop.value.split(","))
    )


def _masters(events: list[Node]) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for event in events:
        uid = event.get("UID")
        if uid is None or event.get("RECURRENCE-ID") is not None:
            continue
        if uid.value in seen:
            problems.append(f"line {event.line}: a second master for UID {uid.value}")
        seen[uid.value] = event.line
    return problems


def _overrides(events: list[Node]) -> list[str]:
    masters = {
        e.get("UID").value: e  # type: ignore[union-attr]
        for e in events
        if e.get("UID") and e.get("RECURRENCE-ID") is None
    }
    problems = []
    for event in events:
        rid = event.get("RECURRENCE-ID")
        uid = event.get("UID")
        if rid is None or uid is None:
            continue
        master = masters.get(uid.value)
        if master is None:
            problems.append(f"line {rid.line}: RECURRENCE-ID for UID {uid.value} has no master")
        else:
            problems += _check_hit(master, rid)
    return problems


def _check_hit(master: Node, rid: Prop) -> list[str]:
    try:
        hit = _hits(master, rid)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        return [f"line {rid.line}: RECURRENCE-ID {rid.value} cannot be checked: {exc}"]
    return [] if hit else [f"line {rid.line}: RECURRENCE-ID {rid.value} hits no occurrence"]


def _moment(value: str, params: dict[str, str]) -> datetime:
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
    zone = ZoneInfo(params["TZID"]) if "TZID" in params else None
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)


def _hits(master: Node, rid: Prop) -> bool:
    start = master.get("DTSTART")
    if start is None or _floating(rid) or _floating(start):
        return False
    first, target = _moment(start.value, start.params), _moment(rid.value, rid.params)
    excluded = {_moment(v, p.params) for p in master.all("EXDATE") for v in p.value.split(",")}
    rule = master.get("RRULE")
    occurs = target == first if rule is None else target in rrulestr(rule.value, dtstart=first)
    return occurs and target not in excluded


def main(paths: list[str]) -> int:
    failed = 0
    for path in paths:
        with open(path, "rb") as fh:
            problems = lint(fh.read(), feed=True)
        for problem in problems:
            print(f"{path}: {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
