"""Find a slot proposes real choices: distinct days or times, nearby times as variants under
the better one, and the reasons for each place (who clashes, which discipline lacks cover)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from mdt.slots.finder import Candidate, find_slots
from mdt.slots.proposals import VARIANT_WINDOW_MINUTES, Proposal
from mdt.teams.models import TeamRole

MONDAY = date(2027, 1, 4)
WORKING_WEEK = [0, 1, 2, 3, 4]

#: (person, label, weekday, start, end): the demo's rota for Riverside, plus the social
#: worker's deputy on a Thursday course, so Thursdays have nobody for adult social care.
ROTA = [
    ("priya", "Tuesday morning surgery", 1, time(8, 30), time(12, 30)),
    ("tom", "Tuesday afternoon surgery", 1, time(13, 30), time(17, 30)),
    ("sam", "Duty desk", 3, time(9, 0), time(17, 0)),
    ("maria", "Safeguarding course", 3, time(9, 0), time(17, 0)),
    ("jo", "Home visits", 1, time(9, 15), time(12, 0)),
]


@dataclass
class Riverside:
    team: object
    people: dict[str, object]


def riverside(make, rota=ROTA) -> Riverside:  # type: ignore[no-untyped-def]
    """A team shaped like the demo's Riverside: three GPs (one the chair), a social worker,
    a district nurse and a palliative-care nurse with deputies, a pharmacist attending."""
    names = {
        "priya": "Dr Priya Shah",
        "tom": "Dr Tom Okafor",
        "helen": "Dr Helen Price",
        "sam": "Sam Whitfield",
        "maria": "Maria Lopez",
        "jo": "Jo Clarke",
        "ben": "Ben Hughes",
        "rachel": "Rachel Green",
        "nina": "Nina Patel",
        "fatima": "Fatima Begum",
    }
    people = {key: make.user(name=name) for key, name in names.items()}
    team = make.team()
    make.member(team, people["priya"], role=TeamRole.CHAIR)
    make.member(team, people["tom"])
    make.member(team, people["helen"])
    make.member(team, people["sam"], discipline="Adult social care", deputy=people["maria"])
    make.member(team, people["jo"], discipline="Community nursing", deputy=people["ben"])
    make.member(team, people["rachel"], discipline="Palliative care", deputy=people["nina"])
    make.member(team, people["fatima"], role=TeamRole.ATTENDEE, discipline="Pharmacy")
    for key, label, weekday, start, end in rota:
        make.recurring(people[key], label, weekday=weekday, start_time=start, end_time=end)
    return Riverside(team, people)


def proposals(app, team, weekdays, kind="monthly", minutes=60, best=5):  # type: ignore[no-untyped-def]
    with app.app_context():
        from mdt.extensions import db
        from mdt.slots.operations import clash_checker
        from mdt.slots.queries import team_series

        team = db.session.merge(team)
        return find_slots(
            clash_checker(team),
            "Europe/London",
            MONDAY,
            weekdays,
            time(9, 0),
            time(17, 0),
            minutes,
            kind,
            best=best,
            protected=team_series(team),
        )


def same_day_within_an_hour(a: Candidate, b: Candidate) -> bool:
    return a.rule == b.rule and abs(a.start_minute - b.start_minute) <= VARIANT_WINDOW_MINUTES


def assert_distinct(found: list[Proposal]) -> None:
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            assert not same_day_within_an_hour(a.candidate, b.candidate), (a, b)


def test_the_best_times_are_distinct_with_nearby_times_as_variants_under_them(app, make):
    story = riverside(make)
    found = proposals(app, story.team, WORKING_WEEK)
    assert len(found) == 5
    assert_distinct(found)
    # Monday, Wednesday and Friday are free for everyone all day: equal choices are spread
    # over the week instead of five quarter hours of one morning.
    assert len({p.candidate.rule.weekday for p in found}) >= 3
    assert len({p.candidate.start_time for p in found}) >= 3
    for p in found:
        assert p.variants, p
        for v in p.variants:
            assert same_day_within_an_hour(v.candidate, p.candidate)
            assert v.candidate.score <= p.candidate.score
        times = [v.candidate.start_time for v in p.variants]
        assert times == sorted(times)
    # The best one's variants are every other time within the hour that day.
    top = found[0].candidate
    assert {v.candidate.start_time for v in found[0].variants} == {
        time(m // 60, m % 60)
        for m in range(9 * 60, 16 * 60 + 1, 15)
        if m != top.start_minute and abs(m - top.start_minute) <= 60
    }


def test_the_best_time_with_nobody_clashing_says_so(app, make):
    story = riverside(make)
    top = proposals(app, story.team, WORKING_WEEK)[0]
    assert top.clashes == () and top.gaps == ()
    assert top.placed == "Best: everyone is free at every meeting."
    n = top.candidate.occurrences
    assert f"Nobody clashes: everyone in the team is free at all {n} meetings" in top.strengths
    assert f"Every core discipline is covered at all {n} meetings" in top.strengths


def test_reasons_name_who_clashes_on_tuesdays(app, make):
    """On Tuesdays only 12:30 to 13:30 is free of surgeries and visits: those come first (on
    each Tuesday of the month), and every proposal names exactly the people whose rota
    overlaps it."""
    story = riverside(make)
    found = proposals(app, story.team, [1], best=12)
    assert_distinct(found)
    assert [p.candidate.start_time for p in found[:5]] == [time(12, 30)] * 5
    assert {p.candidate.rule.ordinal for p in found[:5]} == {1, 2, 3, 4, -1}
    for p in found:
        c = p.candidate
        expected = {
            (story.people[key].name, label)
            for key, label, weekday, start, end in ROTA
            if weekday == 1 and start < c.end_time and c.start_time < end
        }
        assert {(clash.name, clash.what) for clash in p.clashes} == {
            (name, (label,)) for name, label in expected
        }
        assert all(clash.meetings == clash.of == c.occurrences for clash in p.clashes)
        assert p.placed.startswith(("Best: ", "Below number", "As good as number"))
    # Next come afternoons, when only one GP is in surgery (mornings lose a GP and the nurse).
    sixth = found[5]
    assert sixth.candidate.start_time > time(13, 30)
    assert sixth.placed == "Below number 5: 5.0 core members free on average, against 6.0."
    assert sixth.drawbacks == (
        f"Dr Tom Okafor clashes at all {sixth.candidate.occurrences} meetings"
        " (Tuesday afternoon surgery)",
    )


def test_reasons_name_the_discipline_without_cover(app, make):
    """On Thursdays the social worker is on the duty desk and the deputy on a course."""
    story = riverside(make)
    found = proposals(app, story.team, [3], kind="weekly")
    assert_distinct(found)
    for p in found:
        n = p.candidate.occurrences
        assert [(g.discipline, g.meetings) for g in p.gaps] == [("Adult social care", n)]
        assert p.drawbacks[0] == (
            f"Nobody free for Adult social care (member or deputy) at all {n} meetings"
        )
        assert [(c.name, c.what) for c in p.clashes] == [("Sam Whitfield", ("Duty desk",))]
    assert found[0].placed.startswith("Best: no time is ever quorate")


def test_a_time_that_loses_quorum_is_ranked_below_and_says_why(app, make):
    story = riverside(make)
    make.absence(story.people["rachel"], date(2027, 2, 1), date(2027, 2, 5))
    make.absence(story.people["nina"], date(2027, 2, 1), date(2027, 2, 5))
    found = proposals(app, story.team, [0], kind="weekly", best=8)
    # Every Monday loses the palliative-care nurse and her deputy on 1 February.
    top = found[0]
    n = top.candidate.occurrences
    assert top.candidate.quorate == n - 1
    assert top.placed == f"Best: no time is quorate more often ({n - 1} of {n} meetings)."
    assert ("Palliative care", 1) in [(g.discipline, g.meetings) for g in top.gaps]
    assert {c.name for c in top.clashes} == {"Rachel Green"}
    assert all(p.placed.startswith("As good as number") for p in found[1:])


def test_a_lower_score_is_explained_against_the_one_above(app, make):
    story = riverside(make)
    found = proposals(app, story.team, [1], best=10)
    above = found[0]
    below = next(p for p in found if p.candidate.score < above.candidate.score)
    rank_above = below.rank - 1
    assert below.placed.startswith(f"Below number {rank_above}: ")
    assert "core members free on average" in below.placed or "everyone free" in below.placed


def test_inside_protected_time_wins_a_tie_and_says_so(app, make):
    story = riverside(make)
    make.series(
        story.team,
        title="Monthly MDT",
        frequency="monthly",
        weekday=1,
        ordinal=2,
        start_date=date(2026, 1, 1),
        start_time=time(12, 30),
        duration_minutes=90,
    )
    top = proposals(app, story.team, [1])[0]
    assert top.candidate.rule.ordinal == 2 and top.candidate.start_time == time(12, 30)
    assert top.placed == "Best: everyone is free at every meeting, inside protected time."
    n = top.candidate.occurrences
    assert f"Inside protected time (Monthly MDT) at all {n} meetings" in top.strengths


def test_the_ranking_is_the_same_whatever_order_commitments_come_in(app, make):
    first = proposals(app, riverside(make).team, WORKING_WEEK, kind="fortnightly")
    again = proposals(app, riverside(make, list(reversed(ROTA))).team, WORKING_WEEK, "fortnightly")

    def shape(found):  # type: ignore[no-untyped-def]
        return [
            (p.candidate.rule, p.candidate.start_time, p.placed, p.strengths, p.drawbacks)
            for p in found
        ]

    assert shape(first) == shape(again)


def test_averages_that_round_alike_are_shown_to_two_places():
    from mdt.slots.proposals import _averages

    assert _averages(17 / 3, 5.7) == ("5.67", "5.70")
    assert _averages(5.0, 6.0) == ("5.0", "6.0")
