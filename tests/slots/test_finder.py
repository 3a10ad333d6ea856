from datetime import date, time

from mdt.availability.clashes import ClashChecker
from mdt.slots.finder import find_slots


def test_find_a_slot_avoids_the_surgery_and_prefers_the_time_everyone_can_come(app, make):
    gp, nurse = make.user(), make.user()
    team = make.team()
    make.member(team, gp, discipline="General practice")
    make.member(team, nurse, discipline="Community nursing")
    # Monday to Friday: morning surgery until 12:30; the nurse visits on Tuesday afternoons.
    for weekday in range(5):
        make.recurring(
            gp, "Morning surgery", weekday=weekday, start_time=time(8, 30), end_time=time(12, 30)
        )
    make.recurring(nurse, "Home visits", weekday=1, start_time=time(13, 0), end_time=time(17, 0))
    with app.app_context():
        from mdt.extensions import db
        from mdt.slots.operations import clash_checker

        checker: ClashChecker = clash_checker(db.session.merge(team))
        best = [
            p.candidate
            for p in find_slots(
                checker,
                "Europe/London",
                date(2027, 1, 4),
                weekdays=[0, 1, 2, 3, 4],
                earliest=time(12, 0),
                latest_end=time(14, 30),
                minutes=60,
                kind="weekly",
            )
        ]
    assert len(best) == 5
    top = best[0]
    assert top.quorate == top.occurrences > 0
    assert top.start_time >= time(12, 30)
    assert (
        all(
            not (c.rule.weekday == 1 and c.start_time >= time(12, 30)) or c.quorate == 0
            for c in best
        )
        or best[0].rule.weekday != 1
    )
    assert [c.score for c in best] == sorted((c.score for c in best), reverse=True)


def test_the_quorum_find_a_slot_scores_by_is_the_one_the_clash_report_shows(app, make):
    """`ClashChecker.quorum` (what find a slot counts, without naming anyone) agrees with the
    full report at every quarter hour of two weeks, for a team whose disciplines are covered
    by members, by deputies, or not at all, on different days."""
    from datetime import UTC, datetime, timedelta

    from mdt.teams.models import TeamRole

    team = make.team()
    gp, gp_deputy, nurse, social, pharmacist, visitor = (make.user() for _ in range(6))
    make.member(team, gp, discipline="General practice", deputy=gp_deputy)
    make.member(team, nurse, discipline="Community nursing")
    make.member(team, social, role=TeamRole.CHAIR, discipline="Adult social care")
    make.member(team, pharmacist, discipline="Pharmacy", deputy=nurse)
    make.member(team, visitor, role=TeamRole.ATTENDEE, discipline="Therapies")
    for weekday in range(5):
        make.recurring(gp, weekday=weekday, start_time=time(9, 0), end_time=time(12, 30))
    make.recurring(gp_deputy, "Clinic", weekday=1, start_time=time(11, 0), end_time=time(15, 0))
    make.recurring(nurse, "Visits", weekday=2, start_time=time(13, 0), end_time=time(17, 0))
    make.recurring(pharmacist, "Reviews", weekday=2, start_time=time(12, 0), end_time=time(14, 0))
    make.absence(social, date(2027, 1, 7), date(2027, 1, 8))
    make.absence(visitor, date(2027, 1, 4), date(2027, 1, 15))
    with app.app_context():
        from mdt.extensions import db
        from mdt.slots.operations import clash_checker

        checker = clash_checker(db.session.merge(team))
        seen = set()
        start = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
        for quarter in range(14 * 24 * 4):
            begins = start + timedelta(minutes=15 * quarter)
            ends = begins + timedelta(minutes=60)
            report = checker.check(begins, ends)
            quick = checker.quorum(begins, ends)
            assert quick == (report.quorate, report.free_core_members), begins
            seen.add(quick)
    # The story covers quorate and not, with different numbers of core members free.
    assert {q for q, _ in seen} == {True, False}
    assert len({free for _, free in seen}) >= 3
