"""The emails of a sweep: a reminder alone, or a person's digest of the day from a team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from mdt.core.days import to_local
from mdt.mail import outbox
from mdt.reminders import texts
from mdt.reminders.due import Due
from mdt.reminders.timing import todays_digest_at


@dataclass(slots=True)
class Live:
    """An unsent reminder still wanted: its row (None for one this sweep makes) and the
    derivation that wants it."""

    id: int | None
    due: Due
    #: Its row says skipped: it is needed again.
    revived: bool = False


@dataclass
class Email:
    """One email of the sweep: its words, the reminders it sends, and the day's digest it is
    (None for a reminder alone)."""

    letter: outbox.Letter
    reminders: list[Live]
    digest: tuple[int, int | None, date] | None = None


def alone(reminder: Live, preferences_link: str) -> Email:
    due = reminder.due
    words = due.words()
    body = texts.alone(
        due.user.name, due.source, texts.item(due.kind, words.details), preferences_link
    )
    letter = outbox.Letter(due.user.email, f"Reminder: {words.headline}", body)
    return Email(letter, [reminder])


@dataclass(frozen=True)
class _Day:
    """Today in a time zone, as its digests see it."""

    today: date
    #: Today's digest time if it has come on a working day, else None.
    digest_at: datetime | None
    #: As a digest's subject names it, e.g. "Fri 4 Dec 2026".
    named: str


@lru_cache(maxsize=64)
def _day_in(zone: str, now: datetime, at: time) -> _Day:
    today = to_local(now, zone).date()
    return _Day(today, todays_digest_at(now, zone, at), f"{today:%a %-d %b %Y}")


def digest(
    reminders: list[Live],
    now: datetime,
    at: time,
    digests_sent: set[tuple[int, int | None, date]],
    preferences_link: str,
) -> tuple[Email | None, list[Live]]:
    """At most one digest a day per person and team, at the digest time on working days;
    with the reminders that wait for a later one."""
    first = reminders[0].due
    team, person = first.team, first.user
    team_id = team.id if team is not None else None
    day = _day_in(first.zone, now, at)
    if day.digest_at is None or (person.id, team_id, day.today) in digests_sent:
        return None, reminders
    ready = [r for r in reminders if r.due.due_at <= day.digest_at]
    later = [r for r in reminders if r.due.due_at > day.digest_at]
    if not ready:
        return None, later
    dues = sorted((r.due for r in ready), key=_in_digest)
    items = [texts.item(due.kind, due.words().details) for due in dues]
    body = texts.digest(person.name, first.source, items, preferences_link)
    subject = f"Your MDT reminders: {first.source}, {day.named}"
    digests_sent.add((person.id, team_id, day.today))
    email = Email(
        outbox.Letter(person.email, subject, body), ready, (person.id, team_id, day.today)
    )
    return email, later


def _in_digest(due: Due) -> tuple[datetime, str]:
    """The order of a digest's items: what happens first, first."""
    return (due.happens_at, due.kind)
