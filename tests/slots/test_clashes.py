"""Who clashes with a protected slot, and whether each core discipline is still covered."""

from datetime import date, time

from mdt.availability.clashes import ClashChecker
from mdt.slots.occurrences import occurrences
from mdt.teams.models import TeamRole


def _reports(app, team, series, start, end):
    from mdt.slots.operations import clash_checker

    with app.app_context():
        from mdt.extensions import db

        team = db.session.merge(team)
        checker = clash_checker(team)
        return {
            o.original_date: checker.check(o.starts_at, o.ends_at)
            for o in occurrences(db.session.merge(series), start, end)
        }


def test_tuesday_morning_surgery_clashes_at_10_but_not_at_12_30(app, make):
    gp = make.user(name="Dr Surgery")
    team = make.team()
    make.member(team, gp, discipline="General practice")
    make.recurring(
        gp, "Tuesday morning surgery", weekday=1, start_time=time(8, 30), end_time=time(12, 30)
    )
    at_ten = make.series(team, start_time=time(10, 0))
    at_half_twelve = make.series(team, start_time=time(12, 30))
    ten = _reports(app, team, at_ten, date(2027, 1, 5), date(2027, 1, 5))[date(2027, 1, 5)]
    lunch = _reports(app, team, at_half_twelve, date(2027, 1, 5), date(2027, 1, 5))[
        date(2027, 1, 5)
    ]
    assert ten.clashes == {"Dr Surgery": ["Tuesday morning surgery"]}
    assert lunch.clashes == {}


def test_an_absence_clashes_only_on_its_dates(app, make):
    nurse = make.user(name="Nurse Away")
    team = make.team()
    make.member(team, nurse, discipline="Community nursing")
    make.absence(nurse, date(2027, 1, 11), date(2027, 1, 15))
    weekly = make.series(team, weekday=1)
    reports = _reports(app, team, weekly, date(2027, 1, 5), date(2027, 1, 19))
    assert reports[date(2027, 1, 5)].clashes == {}
    assert reports[date(2027, 1, 12)].clashes == {"Nurse Away": ["Annual leave"]}
    assert reports[date(2027, 1, 19)].clashes == {}


def test_only_member_of_a_discipline_away_without_deputy_is_not_quorate(app, make):
    social_worker = make.user(name="Only Social Worker")
    team = make.team()
    make.member(team, make.user(), discipline="General practice")
    make.member(team, social_worker, discipline="Adult social care")
    make.absence(social_worker, date(2027, 1, 12), date(2027, 1, 12))
    weekly = make.series(team, weekday=1)
    reports = _reports(app, team, weekly, date(2027, 1, 5), date(2027, 1, 12))
    assert reports[date(2027, 1, 5)].quorate
    away = reports[date(2027, 1, 12)]
    assert not away.quorate
    [social] = [d for d in away.disciplines if d.discipline == "Adult social care"]
    assert not social.covered


def test_a_free_deputy_keeps_the_discipline_covered(app, make):
    social_worker, deputy = make.user(name="Away SW"), make.user(name="Deputy SW")
    team = make.team()
    make.member(team, social_worker, discipline="Adult social care", deputy=deputy)
    make.absence(social_worker, date(2027, 1, 12), date(2027, 1, 12))
    weekly = make.series(team, weekday=1)
    report = _reports(app, team, weekly, date(2027, 1, 12), date(2027, 1, 12))[date(2027, 1, 12)]
    assert report.quorate
    [social] = report.disciplines
    assert social.free_deputies == ["Deputy SW"]


def test_a_deputy_who_is_also_away_does_not_cover(app, make):
    social_worker, deputy = make.user(), make.user()
    team = make.team()
    make.member(team, social_worker, discipline="Adult social care", deputy=deputy)
    make.absence(social_worker, date(2027, 1, 12), date(2027, 1, 12))
    make.absence(deputy, date(2027, 1, 12), date(2027, 1, 12), label="Training")
    weekly = make.series(team, weekday=1)
    report = _reports(app, team, weekly, date(2027, 1, 12), date(2027, 1, 12))[date(2027, 1, 12)]
    assert not report.quorate


def test_attendees_do_not_count_towards_quorum(app, make):
    team = make.team()
    pharmacist = make.user()
    make.member(team, pharmacist, role=TeamRole.ATTENDEE, discipline="Pharmacy")
    make.absence(pharmacist, date(2027, 1, 12), date(2027, 1, 12))
    weekly = make.series(team, weekday=1)
    report = _reports(app, team, weekly, date(2027, 1, 12), date(2027, 1, 12))[date(2027, 1, 12)]
    assert report.quorate and "Pharmacy" not in [d.discipline for d in report.disciplines]
    assert ClashChecker.people_of(team) >= {pharmacist.id}
