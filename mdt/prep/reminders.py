"""Reminders of preparation: to whoever owes it as the agenda closes, and to the team's
coordinators when it closed with some still open."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.accounts.models import User
from mdt.agenda.cutoff import closing_day_of
from mdt.agenda.models import Case
from mdt.core.days import local_to_utc, next_working_day, to_local, working_days_before
from mdt.core.web import external_url
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.meetings.reminders import active_coordinators, teams_by_id
from mdt.prep.models import PrepRequest
from mdt.reminders.due import (
    PERSON,
    Due,
    Person,
    Window,
    Words,
    long_moment,
    of_shard,
    of_subjects,
    people_in,
    reminder_days,
    shared,
)
from mdt.reminders.kinds import ReminderKind, Source, values
from mdt.teams.models import Team

#: Agendas close at most a few weeks before their meeting (the team's cut-off in working
#: days, bank holidays between).
PREP_LOOKAHEAD = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class OpenPrep:
    """A person's open preparation for one meeting: what reminders about it read (rows, not
    Meeting objects: a region's sweep reads thousands)."""

    meeting_id: int
    starts_at: datetime
    team: Team
    user: Person
    #: Their open requests for the meeting (patients still to prepare).
    owed: int

    @property
    def closes(self) -> date:
        meeting_day = to_local(self.starts_at, self.team.time_zone).date()
        return closing_day_of(meeting_day, self.team.agenda_cutoff_days)


def _open_prep(session: Session, window: Window) -> list[OpenPrep]:
    return shared(session, window, _load_open_prep)


def _load_open_prep(session: Session, window: Window) -> list[OpenPrep]:
    """Open preparation, by meeting and person, for meetings whose agenda may close around
    now (an empty window loads nothing)."""
    if not reminder_days(session, window):
        return []
    # Plain rows through the connection: the ORM's loading of columns cost more than the
    # query for ten thousand rows.
    rows = (
        session.connection()
        .execute(
            sa.select(
                Meeting.id,
                Meeting.starts_at,
                Meeting.team_id,
                sa.func.count(PrepRequest.id),
                *PERSON,
            )
            .join(Case, Case.meeting_id == Meeting.id)
            .join(PrepRequest, PrepRequest.case_id == Case.id)
            .join(User, User.id == PrepRequest.user_id)
            .where(
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > window.since,
                Meeting.starts_at <= window.until + PREP_LOOKAHEAD,
                PrepRequest.completed_at.is_(None),
                of_subjects(window, Meeting.id, "prep", "prep-open"),
                of_shard(window, Meeting.team_id),
            )
            .group_by(Meeting.id, User.id)
        )
        .all()
    )
    teams = teams_by_id(session, (row.team_id for row in rows))
    people = people_in(rows, at=4)
    return [
        OpenPrep(row.id, row.starts_at, teams[row.team_id], people[row[4]], row[3]) for row in rows
    ]


def prep_due(session: Session, window: Window) -> Iterator[Due]:
    """Whoever still owes preparation for a meeting: two working days before its agenda
    closes, and on the morning it closes."""
    link = external_url("prep.mine")
    for prep in _open_prep(session, window):
        if not prep.user.is_active:
            continue
        closes = prep.closes
        for day in (working_days_before(closes, 2), closes):
            due_at = local_to_utc(day, window.at, prep.team.time_zone)
            if due_at in window:
                yield _prep_due(prep, closes, due_at, link)


def _prep_due(prep: OpenPrep, closes: date, due_at: datetime, link: str) -> Due:
    return Due(
        kind="prep_due",
        subject=f"prep:{prep.meeting_id}",
        user=prep.user,
        team=prep.team,
        due_at=due_at,
        happens_at=prep.starts_at,
        words=partial(_prep_words, prep, closes, link),
    )


def _prep_words(prep: OpenPrep, closes: date, link: str) -> Words:
    team, owed = prep.team, prep.owed
    patients = "1 patient" if owed == 1 else f"{owed} patients"
    return Words(
        f"Prep due: {patients}, {team.name}",
        {
            "team": team.name,
            "patients": patients,
            "closes": f"{closes:%A %-d %B}",
            "meeting": long_moment(prep.starts_at, team.time_zone),
            "link": link,
        },
    )


def prep_open_at_cut_off(session: Session, window: Window) -> Iterator[Due]:
    """The team's coordinators, on the first working day after an agenda closed with
    preparation still open: one summary of who still owes how much."""
    owed: dict[int, tuple[OpenPrep, list[str]]] = {}
    for prep in _open_prep(session, window):
        owed.setdefault(prep.meeting_id, (prep, []))[1].append(f"{prep.user.name} ({prep.owed})")
    closed = []
    for prep, people in owed.values():
        due_at = local_to_utc(next_working_day(prep.closes), window.at, prep.team.time_zone)
        if due_at in window and prep.starts_at > due_at:
            closed.append((prep, sorted(people), due_at))
    coordinators = active_coordinators(session, (prep.team.id for prep, _, _ in closed))
    for prep, people, due_at in closed:
        for coordinator in coordinators.get(prep.team.id, []):
            yield _open_summary(prep, coordinator, people, due_at)


def _open_summary(prep: OpenPrep, user: Person, people: list[str], due_at: datetime) -> Due:
    return Due(
        kind="prep_open_at_cut_off",
        subject=f"prep-open:{prep.meeting_id}",
        user=user,
        team=prep.team,
        due_at=due_at,
        happens_at=prep.starts_at,
        words=partial(_open_summary_words, prep, people),
    )


def _open_summary_words(prep: OpenPrep, people: list[str]) -> Words:
    team = prep.team
    when = to_local(prep.starts_at, team.time_zone)
    return Words(
        f"Prep still open: {team.name} meeting on {when:%a %-d %b}",
        {
            "team": team.name,
            "meeting": f"{when:%A %-d %B %Y, %H:%M}",
            "people": ", ".join(people),
            "link": external_url("prep.readiness_page", meeting_id=prep.meeting_id),
        },
    )


def _prep_due_item(d: Mapping[str, str]) -> str:
    return (
        f"{d['team']}: preparation for {d['patients']}\n"
        f"The agenda closes at the end of {d['closes']}, for the meeting on {d['meeting']}.\n"
        f"Prepare them (or mark them not known to your service in one click): {d['link']}"
    )


def _open_summary_item(d: Mapping[str, str]) -> str:
    return (
        f"{d['team']}: the agenda for the meeting on {d['meeting']} has closed with "
        "preparation still open.\n"
        f"Still owed (number of patients): {d['people']}\n"
        f"Readiness, and who to chase: {d['link']}"
    )


def _prep_subjects(meeting_ids: list[int]) -> Iterator[str]:
    for meeting_id in meeting_ids:
        yield from (f"prep:{meeting_id}", f"prep-open:{meeting_id}")


def _subjects_of_request(session: Session, request: PrepRequest) -> Iterator[str]:
    cases = (session.get(Case, case_id) for case_id in values(request, "case_id"))
    return _prep_subjects([case.meeting_id for case in cases if case is not None])


#: Both kinds are derived from the same rows: a meeting's time, its cases, their requests.
_DERIVED_FROM = (
    Source(Meeting, ("team_id", "starts_at", "status"), lambda _, m: _prep_subjects([m.id])),
    Source(Case, ("meeting_id",), lambda _, case: _prep_subjects(values(case, "meeting_id"))),
    Source(PrepRequest, ("case_id", "user_id", "completed_at"), _subjects_of_request),
)

#: In the order the sweep derives them.
KINDS = (
    ReminderKind("prep_due", prep_due, _prep_due_item, _DERIVED_FROM),
    ReminderKind("prep_open_at_cut_off", prep_open_at_cut_off, _open_summary_item, _DERIVED_FROM),
)
