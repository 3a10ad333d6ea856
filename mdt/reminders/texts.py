"""The words of reminder emails: each kind's item, the day's digest, and a reminder alone.

Built as plain strings rather than a Jinja template per item and per email: the digest sweep
writes thousands of emails at once and the templates took seconds of it. The words are the
templates' to the character (``tests/reminders/test_texts.py`` renders the templates these
replaced and compares). To add a kind, add its item to ITEMS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

Details = Mapping[str, str]


def _meeting_tomorrow(d: Details) -> str:
    lines = [f"{d['team']} meeting", f"When: {d['when']}", f"Where: {d['where']}"]
    if d["video"]:
        lines.append(f"Video: {d['video']}")
    if d["outside_protected"]:
        lines.append(f"Outside the team's protected time: {d['outside_protected']}")
    if d["covering"]:
        lines.append(f"You are covering for {d['covering']}.")
    lines += [f"Your reply: {d['reply']}", f"Details, and to change your reply: {d['link']}"]
    return "\n".join(lines)


def _prep_due(d: Details) -> str:
    return (
        f"{d['team']}: preparation for {d['patients']}\n"
        f"The agenda closes at the end of {d['closes']}, for the meeting on {d['meeting']}.\n"
        f"Prepare them (or mark them not known to your service in one click): {d['link']}"
    )


def _prep_open_at_cut_off(d: Details) -> str:
    return (
        f"{d['team']}: the agenda for the meeting on {d['meeting']} has closed with "
        "preparation still open.\n"
        f"Still owed (number of patients): {d['people']}\n"
        f"Readiness, and who to chase: {d['link']}"
    )


def _action_due(d: Details) -> str:
    return (
        f"{d['team']}: an action of yours is {d['state']} (due {d['due']}), "
        f"from the meeting on {d['meeting']}.\n"
        f"See it, and mark it done with a note: {d['link']}"
    )


def _action_overdue_escalation(d: Details) -> str:
    return (
        f"{d['team']}: an action owned by {d['owner']} is {d['state']} "
        f"(it was due {d['due']}), from the meeting on {d['meeting']}.\n"
        f"Check it with them, hand it to someone else, or change its date: {d['link']}"
    )


def _minutes_not_sent(d: Details) -> str:
    return (
        f"{d['team']}: the minutes of the meeting on {d['meeting']} have not been sent.\n"
        "Close the meeting to send them (cases without an outcome roll forward): "
        f"{d['link']}"
    )


def _directory_entry_stale(d: Details) -> str:
    return (
        f'Directory: {d["what"]} "{d["name"]}" was last confirmed on {d["checked"]} '
        "and is now marked stale.\n"
        'If it is still right, say so in one click ("Still correct"); '
        f"if not, change it: {d['link']}"
    )


#: Each kind's item, as a digest numbers it or a reminder alone shows it.
ITEMS: dict[str, Callable[[Details], str]] = {
    "meeting_tomorrow": _meeting_tomorrow,
    "prep_due": _prep_due,
    "prep_open_at_cut_off": _prep_open_at_cut_off,
    "action_due": _action_due,
    "action_overdue_escalation": _action_overdue_escalation,
    "minutes_not_sent": _minutes_not_sent,
    "directory_entry_stale": _directory_entry_stale,
}


def item(kind: str, details: Details) -> str:
    return ITEMS[kind](details).strip()


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
