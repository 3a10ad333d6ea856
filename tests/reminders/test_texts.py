"""Reminder emails say, to the character, what the Jinja templates they replaced said.

The sweep builds its texts as plain strings (mdt/reminders/texts.py: thousands of digests at
once). The templates are kept here, as they were, and rendered by the app's own Jinja
environment as the sweep used to (render_template, each item stripped) to compare with."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import DictLoader

from mdt.reminders import kinds, texts

#: templates/reminders/items/<kind>.txt, digest.txt and single.txt before texts.py.
ITEM_TEMPLATES = {
    "action_due": (
        "{{ item.team }}: an action of yours is {{ item.state }} (due {{ item.due }}), from the"
        " meeting on {{ item.meeting }}.\nSee it, and mark it done with a note: {{ item.link }}\n"
    ),
    "action_overdue_escalation": (
        "{{ item.team }}: an action owned by {{ item.owner }} is {{ item.state }} (it was due"
        " {{ item.due }}), from the meeting on {{ item.meeting }}.\nCheck it with them, hand it"
        " to someone else, or change its date: {{ item.link }}\n"
    ),
    "directory_entry_stale": (
        'Directory: {{ item.what }} "{{ item.name }}" was last confirmed on {{ item.checked }}'
        ' and is now marked stale.\nIf it is still right, say so in one click ("Still'
        ' correct"); if not, change it: {{ item.link }}\n'
    ),
    "meeting_tomorrow": (
        "{{ item.team }} meeting\nWhen: {{ item.when }}\nWhere: {{ item.where }}\n"
        "{% if item.video %}Video: {{ item.video }}\n{% endif %}{% if item.outside_protected %}"
        "Outside the team's protected time: {{ item.outside_protected }}\n{% endif %}"
        "{% if item.covering %}You are covering for {{ item.covering }}.\n{% endif %}"
        "Your reply: {{ item.reply }}\nDetails, and to change your reply: {{ item.link }}\n"
    ),
    "minutes_not_sent": (
        "{{ item.team }}: the minutes of the meeting on {{ item.meeting }} have not been sent.\n"
        "Close the meeting to send them (cases without an outcome roll forward):"
        " {{ item.link }}\n"
    ),
    "prep_due": (
        "{{ item.team }}: preparation for {{ item.patients }}\nThe agenda closes at the end of"
        " {{ item.closes }}, for the meeting on {{ item.meeting }}.\nPrepare them (or mark them"
        " not known to your service in one click): {{ item.link }}\n"
    ),
    "prep_open_at_cut_off": (
        "{{ item.team }}: the agenda for the meeting on {{ item.meeting }} has closed with"
        " preparation still open.\nStill owed (number of patients): {{ item.people }}\n"
        "Readiness, and who to chase: {{ item.link }}\n"
    ),
}
DIGEST_TEMPLATE = (
    "Hello {{ person.name }},\n\nYour reminders from {{ source }}:\n{% for item in items %}\n"
    "{{ loop.index }}. {{ item | indent(3) }}\n{% endfor %}\nYou get one email a day from each"
    " team (and one from the directory) with everything that\nis due. To get each reminder in"
    " its own email as soon as it is due, change your choice\nhere: {{ preferences_link }}\n"
)
ALONE_TEMPLATE = (
    "Hello {{ person.name }},\n\nA reminder from {{ source }}:\n\n{{ item }}\n\nYou get each"
    " reminder in its own email. To get one email a day from each team instead,\nchange your"
    " choice here: {{ preferences_link }}\n"
)

TEAM = "Riverside Neighbourhood MDT"
LINK = "http://mdt.test/meetings/42"
MEETING = {
    "team": TEAM,
    "when": "Tuesday 12 January 2027, 12:30 (Europe/London)",
    "where": "Riverside Surgery, meeting room 2",
    "video": "https://video.example.org/riverside-mdt",
    "reply": "No reply yet",
    "covering": "Dr Priya Shah",
    "outside_protected": "Booked over the Tuesday clinic",
    "link": LINK,
}
#: Every kind with the details its producer gives, and the edge cases of each optional line.
DETAILS = [
    ("meeting_tomorrow", MEETING),
    ("meeting_tomorrow", {**MEETING, "video": None, "covering": "", "outside_protected": ""}),
    ("meeting_tomorrow", {**MEETING, "video": "", "covering": "Zoë Ó Briain"}),
    ("meeting_tomorrow", {**MEETING, "outside_protected": "Two lines:\n\nthe second  "}),
    (
        "prep_due",
        {
            "team": TEAM,
            "patients": "2 patients",
            "closes": "Friday 8 January",
            "meeting": "Tuesday 12 January 2027, 12:30",
            "link": "http://mdt.test/prep",
        },
    ),
    (
        "prep_open_at_cut_off",
        {
            "team": TEAM,
            "meeting": "Tuesday 12 January 2027, 12:30",
            "people": "Sam Whitfield (2), Jo Clarke (1)",
            "link": "http://mdt.test/meetings/42/readiness",
        },
    ),
    (
        "action_due",
        {
            "team": TEAM,
            "state": "overdue by 14 days",
            "due": "Friday 1 January 2027",
            "owner": "Sam Whitfield",
            "meeting": "Tuesday 15 December 2026",
            "link": "http://mdt.test/actions/7",
        },
    ),
    (
        "action_overdue_escalation",
        {
            "team": "  Oakfield Frailty MDT",
            "state": "overdue by 8 days",
            "due": "Friday 1 January 2027",
            "owner": "Sam Whitfield",
            "meeting": "Tuesday 15 December 2026",
            "link": "http://mdt.test/actions/7 ",
        },
    ),
    (
        "minutes_not_sent",
        {"team": TEAM, "meeting": "Tuesday 12 January 2027, 12:30", "link": LINK + "/close"},
    ),
    (
        "directory_entry_stale",
        {
            "name": 'Age UK "Befriending"',
            "what": "the service",
            "checked": "4 October 2026",
            "link": "http://mdt.test/directory/services/3",
        },
    ),
]


def _old(app, template: str, **context: object) -> str:
    """Rendered as render_template did: loaded by a .txt name, so not HTML-escaped."""
    env = app.jinja_env.overlay(loader=DictLoader({"reminders/old.txt": template}))
    with app.test_request_context():
        return env.get_template("reminders/old.txt").render(**context)


def _old_item(app, kind: str, details: dict[str, object]) -> str:
    return _old(app, ITEM_TEMPLATES[kind], item=details).strip()


def test_every_kind_has_its_words(app):
    assert set(kinds.KINDS) == set(ITEM_TEMPLATES)


@pytest.mark.parametrize(("kind", "details"), DETAILS)
def test_an_item_reads_as_its_template_did(app, kind, details):
    assert texts.item(kind, details) == _old_item(app, kind, details)


def test_a_digest_reads_as_its_template_did_numbered_and_indented(app):
    items = [texts.item(kind, details) for kind, details in DETAILS]
    person = SimpleNamespace(name="Dr Priya Shah")
    link = "http://mdt.test/reminders/preferences"

    new = texts.digest(person.name, TEAM, items, link)

    old = _old(
        app,
        DIGEST_TEMPLATE,
        person=person,
        source=TEAM,
        items=[_old_item(app, kind, details) for kind, details in DETAILS],
        preferences_link=link,
    )
    assert new == old
    assert "\n10. Directory: the service" in new and "\n   Your reply: No reply yet\n" in new


def test_a_reminder_alone_reads_as_its_template_did(app):
    person = SimpleNamespace(name="Sam Whitfield")
    kind, details = DETAILS[0]
    link = "http://mdt.test/reminders/preferences"

    new = texts.alone(person.name, "the directory", texts.item(kind, details), link)

    old = _old(
        app,
        ALONE_TEMPLATE,
        person=person,
        source="the directory",
        item=_old_item(app, kind, details),
        preferences_link=link,
    )
    assert new == old
