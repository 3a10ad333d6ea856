"""The reason an urgent case cannot wait is asked for only once the agenda has closed
(issue 22, item 6): before the cut-off the field is not on the page and nothing posted in its
name is kept; after it the field is there and must be filled in."""

from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from mdt.agenda.models import Case
from tests.agenda.test_agenda import _case_form, _count, _world
from tests.conftest import login, submit

STARTS = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)  # a Tuesday: the agenda closes on Friday 8th
BEFORE = datetime(2027, 1, 8, 23, 59, tzinfo=UTC)
AFTER = datetime(2027, 1, 9, 0, 0, tzinfo=UTC)
FIELD = 'name="late_reason"'


def test_before_the_cut_off_no_reason_is_asked_for_and_none_is_kept(client, make, session):
    practice, coordinator, *_rest, meeting = _world(make, STARTS)
    url = f"/meetings/{meeting.id}/cases/new"
    with time_machine.travel(BEFORE, tick=False):
        login(client, coordinator.email)
        page = client.get(url).text
        assert FIELD not in page and "cannot wait" not in page
        assert "The agenda closes at the end of Friday 8 January" in page
        form = _case_form(practice, priority="urgent", late_reason="Typed by a script")
        assert submit(client, url, form).status_code == 302
    case = session.scalar(sa.select(Case))
    assert case.late_reason is None and not case.is_late


def test_after_the_cut_off_the_reason_is_asked_for_and_required(client, make, session):
    practice, coordinator, *_rest, meeting = _world(make, STARTS)
    url = f"/meetings/{meeting.id}/cases/new"
    with time_machine.travel(AFTER, tick=False):
        login(client, coordinator.email)
        page = client.get(url).text
        assert FIELD in page
        assert "Why this urgent case cannot wait for the next meeting" in page
        assert "The agenda closed at the end of Friday 8 January" in page
        refused = submit(client, url, _case_form(practice, priority="urgent")).text
        assert FIELD in refused
        assert 'id="late_reason-error"' in refused and 'href="#late_reason"' in refused
        assert "Say why this urgent case cannot wait for the next meeting" in refused
        assert 'value="Edith Example"' in refused  # nothing typed is lost
        assert _count(session, Case) == 0
        form = _case_form(practice, priority="urgent", late_reason="Discharged yesterday")
        assert submit(client, url, form).status_code == 302
    assert session.scalar(sa.select(Case)).late_reason == "Discharged yesterday"
