import re
from datetime import date, time

import pytest
import sqlalchemy as sa

from mdt.slots.models import SlotException, SlotSeries
from tests.conftest import login, submit


def _form(**over):
    return {
        "title": "Monthly MDT",
        "frequency": "monthly",
        "interval": "1",
        "weekday": "1",
        "ordinal": "2",
        "start_date": "2027-01-01",
        "end_date": "",
        "start_time": "12:30",
        "duration_minutes": "90",
        "time_zone": "Europe/London",
        "location": "Room 2",
        "video_link": "",
        "skip_bank_holidays": "y",
        "action": "save",
    } | over


def _count(session):
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(SlotSeries.id)))


@pytest.mark.parametrize("weeks", ["", "   "])
def test_a_weekly_series_without_the_weeks_apart_is_asked_for_them(client, make, session, weeks):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    login(client, coordinator.email)
    url = f"/teams/{team.id}/slots/new"
    for action in ("save", "preview"):
        response = submit(client, url, _form(frequency="weekly", interval=weeks, action=action))
        assert response.status_code == 200
        assert '<span class="nhsuk-u-visually-hidden">Error: </span>Enter how many weeks apart' in (
            response.text
        )
    assert _count(session) == 0
    # A monthly series does not use them: left empty, it is saved.
    assert submit(client, url, _form(interval=weeks)).status_code == 302
    assert _count(session) == 1


def test_coordinator_previews_clashes_then_saves_a_monthly_series(client, make, session):
    coordinator, gp = make.user(), make.user(name="Dr Busy")
    team = make.team(coordinator=coordinator)
    make.member(team, gp)
    make.recurring(
        gp, "Tuesday morning surgery", weekday=1, start_time=time(8, 30), end_time=time(12, 30)
    )
    login(client, coordinator.email)
    url = f"/teams/{team.id}/slots/new"
    preview = submit(client, url, _form(start_time="10:00", action="preview")).text
    assert "Dr Busy" in preview and "Tuesday morning surgery" in preview
    assert "Cannot be quorate" in preview
    assert "Tue 12 Jan 2027, 10:00" in preview and "Tue 9 Feb 2027, 10:00" in preview
    assert "Tue 5 Jan 2027" not in preview  # second Tuesdays only
    assert _count(session) == 0  # a preview saves nothing
    assert submit(client, url, _form()).status_code == 302
    page = client.get(f"/teams/{team.id}/slots/").text
    assert "The second Tuesday of each month" in page and "Can be quorate" in page


def test_bad_series_input_is_explained_kept_and_nothing_saved(client, make, session):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    login(client, coordinator.email)
    url = f"/teams/{team.id}/slots/new"
    cases = [
        ({"duration_minutes": "0"}, "between 15 minutes and 4 hours", 'value="0"'),
        ({"duration_minutes": "300"}, "between 15 minutes and 4 hours", 'value="300"'),
        ({"frequency": "weekly", "interval": "0"}, "Repeat every 1 to 12 weeks", 'value="0"'),
        ({"end_date": "2026-12-01"}, "end date must be on or after", 'value="2026"'),
        ({"time_zone": "Mars/Olympus"}, "Mars/Olympus is not a time zone", 'value="Mars/Olympus"'),
        ({"ordinal": "5"}, "not every month has a fifth", 'value="Monthly MDT"'),
        ({"start_time": "25:99"}, "24-hour clock", 'value="25:99"'),
    ]
    for change, message, kept in cases:
        page = submit(client, url, _form(**change)).text
        assert "There is a problem" in page, change
        assert message in page, change
        assert kept in page, change
    assert _count(session) == 0


def test_two_coordinators_editing_one_series_the_second_is_refused(client, make, app, session):
    first, second = make.user(), make.user()
    team = make.team(coordinator=first)
    from mdt.teams.models import TeamRole

    make.member(team, second, role=TeamRole.COORDINATOR, discipline="Coordination")
    series = make.series(team, title="Original")
    other = app.test_client()
    login(client, first.email)
    login(other, second.email)
    url = f"/teams/{team.id}/slots/{series.id}/edit"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', other.get(url).text)[1]
    assert submit(client, url, _form(title="First edit", revision="1")).status_code == 302
    page = other.post(url, data=_form(title="Second edit", revision="1", csrf_token=token)).text
    assert "Someone else changed these details" in page and 'value="Second edit"' in page
    session.expire_all()
    assert session.get(SlotSeries, series.id).title == "First edit"


def test_one_occurrence_is_cancelled_with_a_reason_and_the_series_stays(client, make, session):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    series = make.series(team, weekday=1, start_date=date(2027, 1, 1))
    login(client, coordinator.email)
    url = f"/teams/{team.id}/slots/{series.id}/occurrences/2027-01-12"
    assert "Give the reason" in submit(client, url, {"action": "cancel", "reason": ""}).text
    assert submit(client, url, {"action": "cancel", "reason": "Room closed"}).status_code == 302
    moved = f"/teams/{team.id}/slots/{series.id}/occurrences/2027-01-19"
    response = submit(
        client,
        moved,
        {"action": "move", "new_date": "2027-01-20", "new_time": "13:00", "reason": "Clinic"},
    )
    assert response.status_code == 302
    session.expire_all()
    got = session.scalars(sa.select(SlotException).order_by(SlotException.original_date)).all()
    assert [(e.original_date, e.cancelled, e.reason) for e in got] == [
        (date(2027, 1, 12), True, "Room closed"),
        (date(2027, 1, 19), False, "Clinic"),
    ]
    assert got[1].moved_to.isoformat() == "2027-01-20T13:00:00+00:00"
    assert session.get(SlotSeries, series.id) is not None


def test_a_date_that_is_not_an_occurrence_is_not_found(client, make):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    series = make.series(team, weekday=1)
    login(client, coordinator.email)
    assert (
        client.get(f"/teams/{team.id}/slots/{series.id}/occurrences/2027-01-13").status_code == 404
    )
    assert (
        client.get(f"/teams/{team.id}/slots/{series.id}/occurrences/2027-02-30").status_code == 404
    )


def test_find_a_slot_page_proposes_times_that_prefill_the_series_form(client, make):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    login(client, coordinator.email)
    query = "weekdays=1&weekdays=3&earliest=12:00&latest_end=14:30&minutes=90&kind=monthly"
    page = client.get(f"/teams/{team.id}/slots/find?{query}").text
    assert page.count("Use this") == 5
    link = re.search(r'href="(/teams/\d+/slots/new\?[^"]+)">Use this', page)[1].replace(
        "&amp;", "&"
    )
    form = client.get(link).text
    assert 'value="12:00"' in form and 'value="90"' in form
    bad = client.get(f"/teams/{team.id}/slots/find?earliest=14:00&latest_end=12:00&minutes=0").text
    assert "latest end must be after the earliest start" in bad
    assert "between 15 minutes and 4 hours" in bad
