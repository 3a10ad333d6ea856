"""The sweep's work is what falls due, not the size of the database: the digest minute and
the catch-up after a week run the same statements, and make the same reminders, whether a
team's due work sits among eight quiet teams (one in each shard) or among forty-eight."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from mdt.mail.models import OutboxMessage
from mdt.reminders.models import Reminder, ReminderDigest, ReminderRecheck, ReminderSweepMark
from mdt.reminders.shards import NEVER
from mdt.teams.models import TeamRole
from tests.queries import count_queries
from tests.reminders.support import london, meeting_on, run_scheduler

MONDAY_0729 = london(2027, 1, 11, 7, 29)


def _due_team(make) -> None:  # type: ignore[no-untyped-def]
    """A team meeting on Tuesday: a reminder each, preparation owed, an action due soon."""
    team = make.team(name="Riverside MDT")
    people = [make.member(team, role=TeamRole.CORE_MEMBER).user for _ in range(4)]
    meeting = meeting_on(make, team, london(2027, 1, 12, 12, 30))
    for person in people:
        make.case(meeting, make.patient(), person)
    past = meeting_on(make, team, london(2026, 12, 15, 12, 30))
    past.minutes_sent_at = past.ends_at
    make.action(make.case(past, make.patient(), people[0]), people[0], due_date=date(2027, 1, 13))


def _quiet_teams(make, first: int, count: int) -> None:  # type: ignore[no-untyped-def]
    """Teams with history and plans, none of it due this week: last month's meeting with an
    action open until March, and one in six weeks with preparation owed."""
    for n in range(first, first + count):
        team = make.team(name=f"Quiet MDT {n}")
        owner = make.member(team, role=TeamRole.CORE_MEMBER).user
        past = meeting_on(make, team, london(2026, 12, 8, 12, 30))
        past.minutes_sent_at = past.ends_at
        make.action(make.case(past, make.patient(), owner), owner, due_date=date(2027, 3, 1))
        later = meeting_on(make, team, london(2027, 2, 23, 12, 30))
        make.case(later, make.patient(), owner)
    make.session.commit()


def _sweep(app, moment: datetime) -> tuple[list[str], tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    with count_queries(app) as statements:
        result = run_scheduler(app, moment).swept
    return list(statements), (result.created, result.emails, result.reminders_sent)


def _forget_sweeps(session, swept_until: datetime) -> None:  # type: ignore[no-untyped-def]
    """As if nothing had been swept since `swept_until`."""
    for table in (Reminder, ReminderDigest, OutboxMessage, ReminderRecheck):
        session.execute(sa.delete(table))
    session.execute(sa.update(ReminderSweepMark).values(swept_until=swept_until))
    session.commit()


def _catch_up_and_digest(app, session) -> list[tuple[list[str], tuple[int, int, int]]]:  # type: ignore[no-untyped-def]
    _forget_sweeps(session, NEVER)
    catch_up = _sweep(app, MONDAY_0729)  # the first sweep: a week back
    digest = _sweep(app, MONDAY_0729 + timedelta(minutes=1))
    return [catch_up, digest]


def _difference(few: list[str], many: list[str]) -> str:
    """The statements run a different number of times, first lines only."""
    first = [Counter(s.splitlines()[0] for s in run) for run in (few, many)]
    return "\n".join(
        f"{first[0][s]} -> {first[1][s]}: {s}"
        for s in first[0] | first[1]
        if first[0][s] != first[1][s]
    )


def test_the_sweep_runs_the_same_statements_among_8_quiet_teams_or_48(app, session, make):
    _due_team(make)
    _quiet_teams(make, 0, 8)
    run_scheduler(app, MONDAY_0729 - timedelta(minutes=1))  # the marks made
    small = _catch_up_and_digest(app, session)
    _quiet_teams(make, 8, 40)
    large = _catch_up_and_digest(app, session)

    for (few, done_small), (many, done_large) in zip(small, large, strict=True):
        assert done_small == done_large
        assert len(few) == len(many), _difference(few, many)
    [(_, catch_up), (_, digest)] = large
    # The catch-up makes what fell due in the week (waiting for the digest: none at 07:29);
    # at 07:30 the rest, and a digest to each of the five in the team.
    assert catch_up == (9, 0, 0) and digest == (6, 5, 15)
