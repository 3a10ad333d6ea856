"""The words of reminder emails: the day's digest, and a reminder alone, around the items
each kind words (``ReminderKind.item``).

Built as plain strings rather than a Jinja template per item and per email: the digest sweep
writes thousands of emails at once and the templates took seconds of it. The words are the
templates' to the character (``tests/reminders/test_texts.py`` renders the templates these
replaced and compares).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mdt.reminders import kinds

Details = Mapping[str, str]


def item(kind: str, details: Details) -> str:
    return kinds.kind(kind).item(details).strip()


def digest(name: str, source: str, items: Sequence[str], preferences_link: str) -> str:
    numbered = "".join(f"\n{n}. {_indent(text)}\n" for n, text in enumerate(items, start=1))
    return (
        f"Hello {name},\n\nYour reminders from {source}:\n{numbered}\n"
        "You get one email a day from each team (and one from the directory) with everything "
        "that\nis due. To get each reminder in its own email as soon as it is due, change your "
        f"choice\nhere: {preferences_link}"
    )


def alone(name: str, source: str, text: str, preferences_link: str) -> str:
    return (
        f"Hello {name},\n\nA reminder from {source}:\n\n{text}\n\n"
        "You get each reminder in its own email. To get one email a day from each team "
        f"instead,\nchange your choice here: {preferences_link}"
    )


def _indent(text: str) -> str:
    """Lines after the first three spaces in, blank ones left blank: as Jinja's indent(3)."""
    first, *rest = (text + "\n").splitlines()
    return "\n".join([first, *(f"   {line}" if line else line for line in rest)])
