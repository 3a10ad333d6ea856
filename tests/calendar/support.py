"""Helpers for the calendar tests: expanding feeds with two independent parsers, and doing
what coordinators and members do through the web pages."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from flask.testing import FlaskClient

from tests.conftest import submit

JS_DIR = Path(__file__).parent / "js"


@dataclass(frozen=True, order=True)
class Seen:
    """One occurrence as a calendar app would show it."""

    start: str  # UTC, 2030-04-02T13:00:00Z; a day for all-day events, 2030-04-02
    uid: str
    status: str


def python_occurrences(data: bytes, first: datetime, after: datetime) -> list[Seen]:
    """icalendar + recurring-ical-events (the Python parsers)."""
    calendar = icalendar.Calendar.from_ical(data)
    found = recurring_ical_events.of(calendar).between(first, after)
    return sorted(
        Seen(
            _start(event.decoded("DTSTART")),
            str(event["UID"]),
            str(event.get("STATUS", "")),
        )
        for event in found
    )


def _start(value: date | datetime) -> str:
    if not isinstance(value, datetime):  # an all-day event
        return value.isoformat()
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def icaljs_available() -> None:
    """Install ical.js from the lock file on first use (a fresh clone has no node_modules)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        reason = "Node.js and npm are needed to check feeds with ical.js"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; in CI (CI=true) a skipped check is a failure")
        pytest.skip(reason)
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS_DIR,
            check=True,
            capture_output=True,
            timeout=300,
        )


def icaljs_occurrences(data: bytes, first: datetime, after: datetime) -> list[Seen]:
    """Mozilla's ical.js in Node, using only the feed's own VTIMEZONEs."""
    result = subprocess.run(
        ["node", str(JS_DIR / "expand.mjs"), _iso(first), _iso(after)],
        input=data,
        capture_output=True,
        check=False,
        timeout=60,
        # A zone far from London: if ical.js fell back to local time it would show.
        env={"PATH": os.environ["PATH"], "TZ": "America/Los_Angeles"},
    )
    assert result.returncode == 0, result.stderr.decode()
    return sorted(Seen(o["start"], o["uid"], o["status"]) for o in json.loads(result.stdout))


SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where gir1.2-ical-3.0 and python3-gi live
LIBICAL_SCRIPT = Path(__file__).parent / "libical_expand.py"


def libical_available() -> None:
    """libical through Debian's GObject bindings, which only Debian's own python3 imports."""
    check = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    found = Path(SYSTEM_PYTHON).exists() and (
        subprocess.run([SYSTEM_PYTHON, "-c", check], capture_output=True, check=False).returncode
        == 0
    )
    if not found:
        reason = "libical is needed (apt-get install -y gir1.2-ical-3.0 python3-gi)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; in CI (CI=true) a skipped check is a failure")
        pytest.skip(reason)


def libical_occurrences(data: bytes, first: datetime, after: datetime) -> list[Seen]:
    """libical (Evolution, GNOME Calendar), using only the feed's own VTIMEZONEs."""
    result = subprocess.run(
        [SYSTEM_PYTHON, str(LIBICAL_SCRIPT), _iso(first), _iso(after)],
        input=data,
        capture_output=True,
        check=False,
        timeout=60,
        env={"PATH": os.environ["PATH"], "TZ": "America/Los_Angeles"},
    )
    assert result.returncode == 0, result.stderr.decode()
    return sorted(Seen(o["start"], o["uid"], o["status"]) for o in json.loads(result.stdout))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def at(local: str) -> str:
    """'2030-04-02 14:00' in London as the UTC text Seen uses."""
    return _iso(datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/London")))


# --- what people do through the pages -----------------------------------------------------


FEED_LINK = re.compile(r'id="feed-https">([^<]+)<')


def make_feed_link(client: FlaskClient, user_id: int, team_id: int | None = None) -> str:
    """Press "Make my calendar link" (or a team's) and read the https link off the page."""
    url = f"/calendar/teams/{team_id}/link" if team_id else f"/calendar/people/{user_id}/link"
    page = submit(client, url, {}, form_url="/calendar")
    assert page.status_code == 200, page.text[:500]
    return unescape(FEED_LINK.search(page.text)[1])


def feed_path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def book(client: FlaskClient, team_id: int, series_id: int, day: date) -> int:
    url = f"/teams/{team_id}/slots/{series_id}/occurrences/{day.isoformat()}/book"
    response = submit(client, url, {}, form_url=f"/teams/{team_id}/slots/")
    assert response.status_code == 302 and "/meetings/" in response.location, response.location
    return int(response.location.rsplit("/", 1)[1])


def move_occurrence(
    client: FlaskClient, team_id: int, series_id: int, day: date, new_date: date, new_time: str
) -> None:
    url = f"/teams/{team_id}/slots/{series_id}/occurrences/{day.isoformat()}"
    form = {
        "action": "move",
        "new_date": new_date.isoformat(),
        "new_time": new_time,
        "reason": "Room booked for training",
    }
    assert submit(client, url, form).status_code == 302


def reschedule(client: FlaskClient, meeting_id: int, revision: int, day: date, start: str) -> None:
    hours, minutes = map(int, start.split(":"))
    form = {
        "date": day.isoformat(),
        "start_time": start,
        "end_time": f"{hours + 1:02d}:{minutes:02d}",
        "reason": "Chair at a conference",
        "revision": str(revision),
    }
    assert submit(client, f"/meetings/{meeting_id}/reschedule", form).status_code == 302


def cancel(client: FlaskClient, meeting_id: int, revision: int, reason: str = "Chair ill") -> None:
    form = {"reason": reason, "revision": str(revision)}
    assert submit(client, f"/meetings/{meeting_id}/cancel", form).status_code == 302
