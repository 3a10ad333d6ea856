"""The demo's agendas: six cases on Riverside's next meeting with preparation partly done,
and one case on Oakfield's next huddle whose preparation is overdue."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.agenda import operations as agenda
from mdt.agenda.cutoff import agenda_cutoff
from mdt.agenda.models import Case, Priority
from mdt.extensions import db
from mdt.meetings import operations as meetings
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.meetings.queries import meeting_in_occurrence
from mdt.organisations.models import Organisation
from mdt.prep import operations as prep
from mdt.prep.models import Known
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import next_occurrences
from mdt.teams.models import Team

# NHS numbers from the 999 range, which is never issued to real people.
# (nhs number, name, date of birth, practice, reason, what matters, disciplines)
RIVERSIDE_CASES = [
    (
        "9990000018",
        "Edith Barnes",
        date(1936, 3, 14),
        "Riverside Surgery",
        "Three falls in a month; lives alone; daughter worried about night-time",
        "To stay in her own home with her cat",
        "Therapies",
    ),
    (
        "9990000026",
        "Arthur Kemp",
        date(1941, 7, 2),
        "Oakfield Medical Centre",
        "Heart failure, two admissions since August; carer (wife) exhausted",
        "To be at home for Christmas with his wife",
        "Pharmacy",
    ),
    (
        "9990000034",
        "Mary O'Neill",
        date(1948, 11, 23),
        "Canal Street Practice",
        "Advanced COPD; wants to talk about what happens if she gets worse",
        "Not to go back into hospital",
        "Palliative care",
    ),
    (
        "9990000042",
        "Joseph Adeyemi",
        date(1952, 1, 9),
        "Riverside Surgery",
        "Memory worsening; missed insulin doses; lives with son who works nights",
        "To keep going to his church lunch club",
        "",
    ),
    (
        "9990000050",
        "Winifred Shaw",
        date(1930, 5, 30),
        "Canal Street Practice",
        "Pressure ulcer; declining food; safeguarding concern raised by carers",
        "To be comfortable and see her great-grandson",
        "Palliative care",
    ),
    (
        "9990000069",
        "Samuel Price",
        date(1945, 9, 17),
        "Oakfield Medical Centre",
        "Lonely since his wife died; frequent 999 calls at night",
        "Company, and to be able to get to the allotment",
        "Social prescribing",
    ),
]


def load_agendas(teams: dict[str, Team], people: dict[str, User], now) -> None:  # type: ignore[no-untyped-def]
    riverside = _next_meeting(teams["Riverside Neighbourhood MDT"], now)
    if riverside is not None and not _has_cases(riverside):
        _riverside_cases(riverside, people, now)
    huddle = _book_next_huddle(teams["Oakfield Frailty MDT"], people, now)
    if huddle is not None and not _has_cases(huddle):
        _overdue_case(huddle, people)


def _next_meeting(team: Team, now) -> Meeting | None:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.team_id == team.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def _has_cases(meeting: Meeting) -> bool:
    return db.session.scalar(sa.select(Case.id).where(Case.meeting_id == meeting.id)) is not None


def _patient(nhs: str, name: str, born: date, practice: str, by: User):  # type: ignore[no-untyped-def]
    practice_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == practice))
    return agenda.find_or_create_patient(nhs, name, born, practice_id, by)


def _riverside_cases(meeting: Meeting, people: dict[str, User], now) -> None:  # type: ignore[no-untyped-def]
    referrers = [
        "priya.shah",
        "tom.okafor",
        "helen.price",
        "priya.shah",
        "jo.clarke",
        "helen.price",
    ]
    for (nhs, name, born, practice, reason, matters, discipline), by in zip(
        RIVERSIDE_CASES, referrers, strict=True
    ):
        agenda.add_case(
            meeting,
            _patient(nhs, name, born, practice, people[by]),
            people[by],
            now,
            reason=reason,
            priority=Priority.ROUTINE,
            what_matters=matters,
            disciplines_needed=discipline,
            key_worker_id=people[by].id,
        )
    # Dr Shah has prepared everything; Sam Whitfield (social care) all but the last two;
    # Ben Hughes, who covers Jo Clarke and prepares in her place, nothing yet.
    for case in agenda.cases_of(meeting):
        for request in case.prep_requests:
            if request.user_id == people["priya.shah"].id:
                prep.complete(
                    request,
                    None,
                    Known.YES,
                    "Seen in surgery this month",
                    "",
                    False,
                    "Agreement on who leads",
                )
            elif request.user_id == people["sam.whitfield"].id and case.position <= 4:
                if case.position % 2:
                    prep.complete(
                        request,
                        None,
                        Known.YES,
                        "Care act assessment this year",
                        "Package of care may not be enough",
                        False,
                        "A plan for nights",
                    )
                else:
                    prep.not_known(request, None)


def _book_next_huddle(team: Team, people: dict[str, User], now) -> Meeting | None:  # type: ignore[no-untyped-def]
    series = db.session.scalar(sa.select(SlotSeries).where(SlotSeries.team_id == team.id))
    if series is None:
        return None
    today = now.date()
    for occurrence in next_occurrences(series, today, 3):
        if occurrence.takes_place and occurrence.starts_at > now:
            existing = meeting_in_occurrence(series.id, occurrence.original_date)
            return existing or meetings.book_occurrence(team, series, occurrence, now)
    return None


def _overdue_case(meeting: Meeting, people: dict[str, User]) -> None:
    """A case added before the cut-off whose preparation is now late (the huddle's agenda
    closes five working days ahead)."""
    meeting.team.agenda_cutoff_days = 5
    added = agenda_cutoff(meeting) - timedelta(days=1)
    nhs, name, born, practice = (
        "9990000077",
        "Harold Baxter",
        date(1939, 2, 11),
        "Oakfield Medical Centre",
    )
    agenda.add_case(
        meeting,
        _patient(nhs, name, born, practice, people["james.lee"]),
        people["james.lee"],
        added,
        reason="Weight loss and a fall last week; daughter lives abroad",
        priority=Priority.ROUTINE,
        what_matters="To keep walking his dog",
    )
