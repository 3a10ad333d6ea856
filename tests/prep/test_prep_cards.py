"""My prep's cards identify the person to those allowed to see them, offer "Not known" once,
and let a one-click "Not known" be undone (issue 22, item 3)."""

from __future__ import annotations

import re
from datetime import timedelta

from mdt.core.time import now_utc
from mdt.meetings.models import Invitation, Reply
from mdt.prep.models import Known, PrepRequest
from tests.conftest import login
from tests.prep.test_prep import _request, _with_case


def _card(page: str, request_id: int) -> str:
    start = page.index(f'id="request-{request_id}"')
    end = page.find('<section class="nhsuk-card app-prep-request"', start + 1)
    return page[start : end if end > 0 else len(page)]


def _token(page: str, action: str) -> str:
    return re.search(
        rf'action="{re.escape(action)}".*?name="csrf_token"[^>]*value="([^"]+)"', page, re.S
    )[1]


def test_a_members_card_shows_the_nhs_number_birth_age_and_what_the_mdt_asks(
    client, make, session, app
):
    _coord, _team, _gp, sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    edith.questions = "Is a care home placement needed?"
    edith.disciplines_needed = "Adult social care|Pharmacy"
    session.commit()
    mine = app.test_client()
    login(mine, sw.email)
    card = _card(mine.get("/prep").text, _request(session, edith, sw).id)
    assert "999 000 0018" in card  # 3-3-4
    assert "2 Apr 1938 (age 88)" in card
    assert "To stay at home with her cat" in card
    assert "Is a care home placement needed?" in card
    assert "Adult social care, Pharmacy" in card


def test_someone_not_allowed_to_see_the_patient_gets_no_nhs_number(client, make, session, app):
    _coord, _team, _gp, _sw, _meeting, (edith, _fred) = _with_case(client, make, session)
    outsider = make.user(name="Olive Outsider")  # not in the team, nor a cover
    session.add(
        PrepRequest(
            case_id=edith.id,
            user_id=outsider.id,
            discipline="Nursing",
            due_at=now_utc() + timedelta(days=3),
        )
    )
    session.commit()
    mine = app.test_client()
    login(mine, outsider.email)
    page = mine.get("/prep").text
    assert "Edith Example" in page  # the request itself, as before
    assert "999 000 0018" not in page and "1938" not in page
    assert "To stay at home with her cat" not in page
    assert "shown to the team's members and named covers only" in page


def test_a_named_cover_sees_the_person_on_their_card(client, make, session, app):
    _coord, _team, _gp, sw, meeting, (edith, _fred) = _with_case(client, make, session)
    cover = make.user(name="Casey Cover")
    session.add(
        Invitation(
            meeting_id=meeting.id,
            user_id=cover.id,
            discipline="Adult social care",
            counts_for_quorum=True,
            covering_for_id=sw.id,
            reply=Reply.IN_PERSON,
        )
    )
    session.add(
        PrepRequest(
            case_id=edith.id,
            user_id=cover.id,
            discipline="Adult social care",
            due_at=now_utc() + timedelta(days=3),
        )
    )
    session.commit()
    mine = app.test_client()
    login(mine, cover.email)
    assert "999 000 0018" in mine.get("/prep").text


def test_not_known_is_offered_once_per_card(client, make, session, app):
    _coord, _team, _gp, sw, _meeting, (edith, fred) = _with_case(client, make, session)
    mine = app.test_client()
    login(mine, sw.email)
    page = mine.get("/prep").text
    for case in (edith, fred):  # the open card (the form) and a closed one (the button)
        card = _card(page, _request(session, case, sw).id)
        assert card.count("Not known to my service") == 1, case.id


def test_a_one_click_not_known_can_be_undone_straight_after(client, make, session, app):
    _coord, _team, _gp, sw, _meeting, (_edith, fred) = _with_case(client, make, session)
    mine = app.test_client()
    login(mine, sw.email)
    request = _request(session, fred, sw)
    url = f"/prep/{request.id}/not-known"
    mine.post(
        url, data={"csrf_token": _token(mine.get("/prep").text, url), "revision": request.revision}
    )
    answered = _request(session, fred, sw)
    assert answered.known is Known.NO
    answered = answered.revision
    page = mine.get("/prep").text  # the page after the redirect: the message with Undo
    undo = f"/prep/{request.id}/undo-not-known"
    assert "marked not known to your service" in page and f'action="{undo}"' in page
    response = mine.post(undo, data={"csrf_token": _token(page, undo), "revision": answered})
    assert response.headers["Location"] == f"/prep?prepare={request.id}#request-{request.id}"
    reopened = _request(session, fred, sw)
    assert (reopened.known, reopened.completed_at) == (None, None)
    assert f'id="request-{request.id}"' in mine.get("/prep").text  # owed again
    assert f'action="{undo}"' not in mine.get("/prep").text  # the button went with the message


def test_undo_is_refused_once_the_moment_has_passed(client, make, session, app):
    _coord, _team, _gp, sw, _meeting, (_edith, fred) = _with_case(client, make, session)
    mine = app.test_client()
    login(mine, sw.email)
    request = _request(session, fred, sw)
    url = f"/prep/{request.id}/not-known"
    mine.post(
        url, data={"csrf_token": _token(mine.get("/prep").text, url), "revision": request.revision}
    )
    answered = _request(session, fred, sw)
    page = mine.get("/prep").text
    undo = f"/prep/{request.id}/undo-not-known"
    answered.completed_at -= timedelta(minutes=10)  # answered ten minutes ago
    session.commit()
    mine.post(undo, data={"csrf_token": _token(page, undo), "revision": answered.revision})
    assert "too late to undo" in mine.get("/prep").text
    assert _request(session, fred, sw).known is Known.NO
