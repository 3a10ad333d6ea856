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
        best = find_slots(
            checker,
            "Europe/London",
            date(2027, 1, 4),
            weekdays=[0, 1, 2, 3, 4],
            earliest=time(12, 0),
            latest_end=time(14, 30),
            minutes=60,
            kind="weekly",
        )
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
