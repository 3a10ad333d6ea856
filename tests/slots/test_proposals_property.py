"""Whatever the rota, the proposals are distinct (no two on the same day within an hour of each
other), each variant sits under a better or equal proposal on its day, and the same search
gives the same answer. Generated teams are built in memory: the checker reads only them."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mdt.accounts.models import User
from mdt.availability.clashes import ClashChecker
from mdt.availability.models import Commitment, CommitmentKind
from mdt.core.recurrence import Frequency
from mdt.slots.finder import find_slots
from mdt.slots.proposals import VARIANT_WINDOW_MINUTES
from mdt.teams.models import Membership, Team, TeamRole

MONDAY = date(2027, 1, 4)
DISCIPLINES = ("General practice", "Adult social care", "Community nursing")

blocks = st.tuples(
    st.integers(0, 4),  # weekday
    st.integers(8 * 4, 16 * 4),  # start, in quarter hours
    st.integers(2, 16),  # length, in quarter hours
)
people = st.lists(
    st.tuples(
        st.sampled_from(DISCIPLINES),
        st.lists(blocks, max_size=3),
        st.none() | st.integers(0, 80),  # a week's leave starting that many days ahead
    ),
    min_size=1,
    max_size=6,
)
searches = st.tuples(
    st.lists(st.integers(0, 4), min_size=1, max_size=5, unique=True),
    st.sampled_from(["weekly", "fortnightly", "monthly"]),
    st.sampled_from([30, 60, 90]),
)


def _quarter(q: int) -> time:
    return time(min(q, 95) // 4, min(q, 95) % 4 * 15)


def checker_for(rota) -> ClashChecker:  # type: ignore[no-untyped-def]
    team = Team(name="Generated")
    commitments = []
    for n, (discipline, weekly, leave) in enumerate(rota, start=1):
        user = User(id=n, name=f"Person {n}")
        team.memberships.append(
            Membership(user_id=n, user=user, role=TeamRole.CORE_MEMBER, discipline=discipline)
        )
        for weekday, start, length in weekly:
            commitments.append(
                Commitment(
                    user_id=n,
                    kind=CommitmentKind.RECURRING,
                    label=f"Clinic {weekday}",
                    frequency=Frequency.WEEKLY,
                    interval=1,
                    weekday=weekday,
                    start_date=MONDAY - timedelta(days=30),
                    start_time=_quarter(start),
                    end_time=_quarter(start + length),
                    time_zone="Europe/London",
                )
            )
        if leave is not None:
            first = MONDAY + timedelta(days=leave)
            commitments.append(
                Commitment(
                    user_id=n,
                    kind=CommitmentKind.ABSENCE,
                    label="Annual leave",
                    start_date=first,
                    end_date=first + timedelta(days=4),
                    time_zone="Europe/London",
                )
            )
    return ClashChecker(team, commitments)


def search(checker: ClashChecker, weekdays, kind, minutes):  # type: ignore[no-untyped-def]
    return find_slots(
        checker, "Europe/London", MONDAY, weekdays, time(9, 0), time(17, 0), minutes, kind
    )


@settings(max_examples=25, deadline=None, database=None)
@given(rota=people, query=searches)
def test_proposals_are_never_on_one_day_within_an_hour(rota, query):  # type: ignore[no-untyped-def]
    checker = checker_for(rota)
    found = search(checker, *query)
    assert 1 <= len(found) <= 5
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            same_day = a.candidate.rule == b.candidate.rule
            gap = abs(a.candidate.start_minute - b.candidate.start_minute)
            assert not (same_day and gap <= VARIANT_WINDOW_MINUTES), (a.candidate, b.candidate)
            assert a.candidate.score >= b.candidate.score
        for v in a.variants:
            assert v.candidate.rule == a.candidate.rule
            assert abs(v.candidate.start_minute - a.candidate.start_minute) <= 60
            assert v.candidate.score <= a.candidate.score
            assert (v.shortfall == "") == (v.candidate.score == a.candidate.score)
        # "Below" always shows a difference, even where averages round alike.
        averages = re.search(r"([\d.]+) core members free on average, against ([\d.]+)", a.placed)
        assert averages is None or averages[1] != averages[2]
        # Nobody is named who has nothing on.
        busy = {f"Person {n}" for n, r in enumerate(rota, start=1) if r[1] or r[2] is not None}
        assert {c.name for c in a.clashes} <= busy
    assert found == search(checker_for(rota), *query)
