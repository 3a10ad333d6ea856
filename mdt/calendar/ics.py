"""A small iCalendar (RFC 5545) writer: text escaping, parameter quoting, line folding.

Written by hand rather than through a library so the output is exactly what we mean: CRLF
line endings, lines folded at 75 octets without splitting a UTF-8 character, properties in
a fixed order, so unchanged data gives byte-identical output (and the same ETag).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CRLF = b"\r\n"
MAX_OCTETS = 75

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Prop:
    """One content line. `value` is already in iCalendar form (use text() for TEXT values)."""

    name: str
    value: str
    params: Params = ()


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def add(self, name: str, value: str, *params: tuple[str, str]) -> None:
        self.props.append(Prop(name, value, params))

    def add_text(self, name: str, value: str) -> None:
        """A TEXT property, left out when empty."""
        if value:
            self.add(name, text(value))


def text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11); line breaks become \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch >= " " or ch in "\n\t")  # no other controls
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def param_value(value: str) -> str:
    """Quote a parameter value when it holds a separator; DQUOTE and controls cannot appear."""
    value = "".join(ch for ch in value if ch >= " " and ch not in '"\x7f')
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y%m%dT%H%M%S")


def wall(moment: datetime) -> str:
    """A wall-clock time as it is (naive, in the zone of the TZID written beside it)."""
    return moment.strftime("%Y%m%dT%H%M%S")


def day(value: date) -> str:
    return value.strftime("%Y%m%d")


def fold(line: str) -> bytes:
    """Fold one content line into chunks of at most 75 octets (continuations start with a
    space, which counts), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    chunks, start, limit = [], 0, MAX_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: back off to the character start
            end -= 1
        chunks.append(data[start:end])
        start, limit = end, MAX_OCTETS - 1
    chunks.append(data[start:])
    return (CRLF + b" ").join(chunks) + CRLF


def content_line(prop: Prop) -> str:
    params = "".join(f";{name}={param_value(value)}" for name, value in prop.params)
    return f"{prop.name}{params}:{prop.value}"


def serialise(component: Component) -> bytes:
    out = [fold(f"BEGIN:{component.name}")]
    out += [fold(content_line(prop)) for prop in component.props]
    out += [serialise(child) for child in component.children]
    out.append(fold(f"END:{component.name}"))
    return b"".join(out)
