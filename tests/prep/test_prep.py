"""Preparing patients before the meeting, and the coordinator's view of readiness."""

import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
import time_machine

from mdt.agenda.models import Case
from mdt.prep.models import Known, PrepRequest
from mdt.teams.models import TeamRole
from tests.agenda.test_agenda import _case_form, _world
from tests.conftest import login, submit


def _with_case(client, make, session):
    practice, coordinator, team, gp, sw, pharmacist, meeting = _world(make)
    login(client, coordinator.email)
    submit(client, f"/meetings/{meeting.id}/cases/new", _case_form(practice))
    submit(
        client,
        f"/meetings/{meeting.id}/cases/new",
        _case_form(
            practice, nhs_number="999 000 0026", name="Fred Other", date_of_birth="1950-01-01"
        ),
    )
    cases = session.scalars(sa.select(Case).order_by(Case.id)).all()
    return coordinator, team, gp, sw, meeting, cases


def _request(session, case, user):
    session.expire_all()
    return session.scalar(
        sa.select(PrepRequest).where(PrepRequest.case_id == case.id, PrepRequest.user_id == user.id)
    )


def test_not_known_to_my_service_completes_a_request_in_one_post(client, make, session, app):
    _coord, _team, _gp, sw, _meeting, (_edith, fred) = _with_case(client, make, session)
    mine = app.test_client()
    login(mine, sw.email)
    request = _request(session, fred, sw)  # a card not yet open: its one-click button
    page = mine.get("/prep").text
    token = re.search(
        rf'action="/prep/{request.id}/not-known".*?name="csrf_token"[^>]*value="([^"]+)"',
        page,
        re.S,
    )[1]
    response = mine.post(
        f"/prep/{request.id}/not-known", data={"csrf_token": token, "revision": request.revision}
    )
    assert response.status_code == 302
    done = _request(session, fred, sw)
    assert done.known is Known.NO and done.completed_at is not None
    assert f"request-{request.id}" not in mine.get("/prep").text  # no longer owed


def test_a_social_worker_prepares_a_patient_in_place(client, make, session, app):
    _coord, _team, _gp, sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    mine = app.test_client()
    login(mine, sw.email)
    request = _request(session, edith, sw)
    p = f"p{request.id}-"
    data = {
        f"{p}known": "yes",
        f"{p}involvement": "Care review in March",
        f"{p}concerns": "Carer exhausted",
        f"{p}safeguarding": "y",
        f"{p}needs": "Respite options",
        f"{p}revision": "1",
    }
    response = submit(mine, f"/prep/{request.id}", data, form_url="/prep", prefix=p)
    assert response.status_code == 302
    done = _request(session, edith, sw)
    assert (done.known, done.concerns, done.safeguarding) == (Known.YES, "Carer exhausted", True)


def test_a_second_save_of_the_same_request_is_refused_as_a_conflict(client, make, session, app):
    _coord, _team, _gp, sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    tab_one, tab_two = app.test_client(), app.test_client()
    login(tab_one, sw.email)
    login(tab_two, sw.email)
    request = _request(session, edith, sw)
    p = f"p{request.id}-"
    first = {f"{p}known": "yes", f"{p}concerns": "First version", f"{p}revision": "1"}
    second = {f"{p}known": "yes", f"{p}concerns": "Second version", f"{p}revision": "1"}
    assert (
        submit(tab_one, f"/prep/{request.id}", first, form_url="/prep", prefix=p).status_code == 302
    )
    page = submit(tab_two, f"/prep/{request.id}", second, form_url="/prep", prefix=p).text
    assert "Someone else saved this preparation" in page
    assert "Second version" in page
    assert _request(session, edith, sw).concerns == "First version"


def test_only_the_owner_can_prepare_and_a_request_can_be_handed_to_a_colleague(
    client, make, session, app
):
    _coord, team, gp, sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    request = _request(session, edith, sw)
    other = app.test_client()
    login(other, gp.email)
    assert other.post(f"/prep/{request.id}", data={}).status_code == 404
    colleague = make.user(
        name="Maria SW", organisation_id=sw.organisation_id, profession=sw.profession
    )
    make.member(team, colleague, role=TeamRole.ATTENDEE, discipline="Social care")
    mine = app.test_client()
    login(mine, sw.email)
    url = f"/prep/{request.id}/handover"
    assert submit(mine, url, {"colleague_id": colleague.id}).status_code == 302
    handed = session.get(PrepRequest, request.id)
    session.refresh(handed)
    assert handed.user_id == colleague.id and handed.handed_over_by_id == sw.id


def test_a_request_is_handed_only_to_a_colleague_in_the_team(client, make, session, app):
    """A colleague outside the team would see the patient on My prep and nowhere else: the
    patient is the team's (mdt.patients.access)."""
    _coord, _team, _gp, sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    request = _request(session, edith, sw)
    outsider = make.user(
        name="Nadia Outside", organisation_id=sw.organisation_id, profession=sw.profession
    )
    mine = app.test_client()
    login(mine, sw.email)
    url = f"/prep/{request.id}/handover"
    assert "Nadia Outside" not in mine.get(url).text
    assert submit(mine, url, {"colleague_id": outsider.id}).status_code == 200
    assert _request(session, edith, sw) is not None  # still theirs


def test_readiness_matches_the_requests_and_lists_what_is_overdue(client, make, session, app):
    coordinator, _team, gp, sw, meeting, (edith, fred) = _with_case(client, make, session)
    with app.app_context():
        from mdt.extensions import db
        from mdt.prep.operations import complete, not_known

        not_known(db.session.get(PrepRequest, _request(session, edith, sw).id), None)
        complete(
            db.session.get(PrepRequest, _request(session, fred, sw).id),
            None,
            Known.YES,
            "",
            "",
            False,
            "",
        )
        db.session.commit()
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        login(client, coordinator.email)
        page = client.get(f"/meetings/{meeting.id}/readiness").text
    # Two cases, three people asked for each (chair, core member, pharmacist for pharmacy? no:
    # pharmacy was not asked here), so two each: four requests, two done.
    assert "2 of 4 preparations done (50%)" in page
    assert 'data-person="Sam SW" data-complete="yes"' in page
    assert 'data-person="Dr GP" data-complete="no"' in page
    overdue = page.split('id="overdue"')[1].split("</ul>")[0]
    assert "Dr GP: Edith Example" in overdue and "Dr GP: Fred Other" in overdue


def test_deferring_moves_the_case_with_its_completed_prep(client, make, session, app):
    coordinator, team, _gp, sw, meeting, (edith, _fred) = _with_case(client, make, session)
    later = datetime(2027, 2, 9, 12, 30, tzinfo=UTC)
    next_meeting = make.meeting(team, starts_at=later, ends_at=later.replace(hour=14))
    done_id = _request(session, edith, sw).id
    with app.app_context():
        from mdt.extensions import db
        from mdt.prep.operations import not_known

        not_known(db.session.get(PrepRequest, done_id), None)
        db.session.commit()
    response = submit(
        client, f"/cases/{edith.id}/defer", {}, form_url=f"/meetings/{meeting.id}/agenda"
    )
    assert response.status_code == 302
    session.expire_all()
    moved = session.get(Case, edith.id)
    assert moved.meeting_id == next_meeting.id
    kept = session.get(PrepRequest, done_id)
    assert kept.case_id == edith.id and kept.known is Known.NO
    open_ones = [r for r in moved.prep_requests if r.completed_at is None]
    assert open_ones and all(r.due_at == datetime(2027, 2, 6, 0, 0, tzinfo=UTC) for r in open_ones)


def test_meeting_pack_shows_each_case_and_everyones_prep(client, make, session):
    coordinator, _team, _gp, _sw, meeting, _cases = _with_case(client, make, session)
    page = client.get(f"/meetings/{meeting.id}/pack").text.split('class="app-pack"')[1]
    assert page.index("Edith Example") < page.index("Fred Other")
    assert "To stay at home with her cat" in page and "Not prepared yet" in page


def test_the_dashboard_says_what_i_owe(client, make, session, app):
    _coord, _team, _gp, sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    mine = app.test_client()
    login(mine, sw.email)
    assert "2 patients to prepare" in mine.get("/dashboard").text
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        login(mine := app.test_client(), sw.email)
        assert "2 overdue" in mine.get("/dashboard").text


def test_the_list_opens_one_form_at_a_time_and_the_next_once_one_is_saved(
    client, make, session, app
):
    _coord, _team, _gp, sw, _meeting, (edith, fred) = _with_case(client, make, session)
    mine = app.test_client()
    login(mine, sw.email)
    first, second = _request(session, edith, sw), _request(session, fred, sw)

    def open_forms(path: str) -> list[int]:
        return [
            int(i)
            for i in re.findall(r'<form method="post" action="/prep/(\d+)"', mine.get(path).text)
        ]

    assert open_forms("/prep") == [first.id]  # the soonest, ready to fill in
    assert f'href="/prep?prepare={second.id}#request-{second.id}"' in mine.get("/prep").text
    assert open_forms(f"/prep?prepare={second.id}") == [second.id]
    assert open_forms("/prep?prepare=999999") == [first.id]  # not theirs: the first again

    p = f"p{first.id}-"
    saved = submit(
        mine, f"/prep/{first.id}", {f"{p}known": "yes", f"{p}revision": "1"}, "/prep", prefix=p
    )
    assert saved.status_code == 302
    assert open_forms(saved.headers["Location"]) == [second.id]


def _card(page: str, request_id: int) -> str:
    card = page.split(f'id="request-{request_id}"')[1].split(">", 1)[1].split("</section>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", card).split())


def test_each_request_says_who_which_meeting_why_and_by_when(client, make, session, app):
    _coord, team, _gp, sw, _meeting, (edith, fred) = _with_case(client, make, session)
    login(mine := app.test_client(), sw.email)
    first, second = _request(session, edith, sw), _request(session, fred, sw)
    page = mine.get("/prep").text
    card = _card(page, first.id)
    assert card.startswith("Edith Example")
    assert f"{team.name}, meeting Tue 12 Jan. Due by the end of Fri 8 Jan." in card
    assert "Reason: Falls at home, carer stress" in card and "Overdue" not in card
    assert "Fred Other" in _card(page, second.id)
    assert f'action="/prep/{second.id}/not-known"' in page
    assert f'href="/prep/{second.id}/handover"' in page
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        login(mine, sw.email)
        page = mine.get("/prep").text
    assert all("Overdue" in _card(page, r.id) for r in (first, second))
    assert "Due by" not in page


def test_a_done_request_sent_again_with_a_mistake_is_shown_with_its_error(
    client, make, session, app
):
    _coord, _team, _gp, sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    mine = app.test_client()
    done = _request(session, edith, sw)
    with app.app_context():
        from mdt.extensions import db
        from mdt.prep.operations import not_known

        not_known(db.session.get(PrepRequest, done.id), None)
        db.session.commit()
    p = f"p{done.id}-"
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        login(mine, sw.email)  # past its due date
        assert f"request-{done.id}" not in mine.get("/prep").text
        page = submit(mine, f"/prep/{done.id}", {f"{p}revision": "2"}, "/prep", prefix=p).text
    card = _card(page, done.id)
    assert card.startswith("Edith Example") and "Overdue" not in card  # done, so not late
    assert "Say whether the person is known to your service" in card


def test_the_list_writes_each_day_of_two_years_as_the_calendar_does():
    from mdt.prep.queries import _day

    first = date(2026, 1, 1)
    for n in range(2 * 366):
        day = first + timedelta(days=n)
        assert _day(day) == day.strftime("%a %-d %b")
