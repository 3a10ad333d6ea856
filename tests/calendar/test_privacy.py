"""Nothing about a patient reaches a calendar feed, an invitation or an email subject, even
when someone types it into a free-text reason."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.calendar import operations as calendar
from mdt.demo.data import load_demo
from mdt.extensions import db
from mdt.mail.models import OutboxMessage
from mdt.teams.models import Team
from tests.calendar.support import (
    book,
    cancel,
    feed_path,
    make_feed_link,
    move_occurrence,
    reschedule,
)
from tests.conftest import login, submit

PATIENT = {"name": "Edith Marjorie Example", "nhs_number": "9434765919", "born": "14/03/1938"}
TYPED = "Mrs Edith Marjorie Example, NHS 943 476 5919, DOB 14/03/1938, deteriorating"
NHS_NUMBER = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
WORDS = re.compile(r"\b(DOB|date of birth|NHS (no|number))\b", re.I)


def nhs_numbers(text: str) -> list[str]:
    """Ten-digit runs (spaced 3-3-4 or not) that pass the NHS number's check digit."""
    found = []
    for match in NHS_NUMBER.finditer(text):
        digits = [int(d) for d in "".join(match.groups())]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits[:9])) % 11
        if (0 if check == 11 else check) == digits[9]:
            found.append(match[0])
    return found


def identifiers(text: str, known: list[str]) -> list[str]:
    """Patient identifiers in `text`: NHS numbers, giveaway words, and any known value."""
    found = nhs_numbers(text) + [m[0] for m in WORDS.finditer(text)]
    return found + [value for value in known if value and value.lower() in text.lower()]


def test_the_nhs_number_check_finds_real_numbers_only():
    assert nhs_numbers("NHS 943 476 5919 and 9434765919") == ["943 476 5919", "9434765919"]
    assert nhs_numbers("DTSTAMP:20270101T090000Z, 943 476 5918, 020 7946 0101") == []


def test_reasons_typed_with_patient_details_stay_out_of_feeds_invitations_and_subjects(
    app, make, session, time_machine
):
    time_machine.move_to(datetime(2027, 1, 4, 9, tzinfo=UTC), tick=False)
    coordinator = make.user(name="Leah Morris")
    team = make.team(coordinator=coordinator)
    series = make.series(team, weekday=3, start_date=date(2027, 1, 1), start_time=time(13))
    client = app.test_client()
    login(client, coordinator.email)
    personal = feed_path(make_feed_link(client, coordinator.id))
    shared = feed_path(make_feed_link(client, 0, team_id=team.id))
    # Every free-text reason on the way gets the patient's details typed into it.
    move_occurrence(client, team.id, series.id, date(2027, 1, 21), date(2027, 1, 22), "13:00")
    first = book(client, team.id, series.id, date(2027, 1, 14))
    reschedule(client, first, revision=1, day=date(2027, 1, 15), start="09:00")
    second = book(client, team.id, series.id, date(2027, 1, 28))
    cancel(client, second, revision=1, reason=TYPED)
    adhoc = {
        "date": "2027-02-02",
        "start_time": "15:00",
        "end_time": "16:00",
        "reason": TYPED,
    }
    assert submit(client, f"/teams/{team.id}/meetings/new", adhoc).status_code == 302
    session.execute(sa.text("UPDATE slot_exception SET reason = :r"), {"r": TYPED})
    session.execute(sa.text("UPDATE meeting SET change_reason = :r"), {"r": TYPED})
    session.commit()

    reader = app.test_client()
    outbox = session.scalars(sa.select(OutboxMessage)).all()
    texts = {"personal feed": reader.get(personal).text, "team feed": reader.get(shared).text}
    texts |= {f"subject {m.id}": m.subject for m in outbox}
    texts |= {f"invitation {m.id}": _calendar_parts(m.mime) for m in outbox}
    known = [PATIENT["name"], PATIENT["nhs_number"], PATIENT["born"]]
    assert {where: identifiers(text, known) for where, text in texts.items()} == dict.fromkeys(
        texts, []
    )
    assert "UID:meeting-" in texts["personal feed"]  # the scan read real feeds


def _calendar_parts(mime: str) -> str:
    from email import message_from_string, policy

    message = message_from_string(mime, policy=policy.default)
    return "".join(
        p.get_content() for p in message.walk() if p.get_content_type() == "text/calendar"
    )


def test_no_demo_patient_appears_in_any_demo_feed_or_email_subject(app, session):
    with app.app_context():
        load_demo()
        tokens = [
            f"/calendar/{calendar.issue_person_link(u, None)}.ics"
            for u in db.session.scalars(sa.select(User))
        ]
        tokens += [
            f"/calendar/team/{calendar.issue_team_link(t, None)}.ics"
            for t in db.session.scalars(sa.select(Team))
        ]
        db.session.commit()
    known = _patient_identifiers(session)
    reader = app.test_client()
    texts = {path: reader.get(path).text for path in tokens}
    texts |= {f"subject {m.id}": m.subject for m in session.scalars(sa.select(OutboxMessage))}

    assert {where: identifiers(text, known) for where, text in texts.items()} == dict.fromkeys(
        texts, []
    )


def _patient_identifiers(session) -> list[str]:  # type: ignore[no-untyped-def]
    """Names, NHS numbers and dates of birth of every patient the demo holds (when patients
    exist: the feature is being built alongside this one)."""
    inspector = sa.inspect(session.connection())
    if not inspector.has_table("patient"):
        return []
    table = sa.Table("patient", sa.MetaData(), autoload_with=session.connection())
    columns = [c for c in table.c if any(k in c.name for k in ("name", "nhs", "birth"))]
    values = []
    for row in session.execute(sa.select(*columns)):
        for value in row:
            if isinstance(value, date):
                values += [value.strftime("%d/%m/%Y"), value.strftime("%Y%m%d")]
            elif value:
                values.append(str(value))
    return values
