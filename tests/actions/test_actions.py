"""Action points: exactly one owner and a due date, changed only by the owner or a
coordinator, every change in the history; My actions and the team's actions."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.teams.models import TeamRole
from tests.conftest import login
from tests.dates import shows_date
from tests.minutes.support import DURING, all_present, scene, token_of

TODAY = DURING.date()  # Tuesday 12 January 2027


def _new_action(client, s, case, **over):
    url = f"/meetings/{s.meeting.id}/cases/{case.id}/actions"  # meeting mode's form
    page = client.get(f"/meetings/{s.meeting.id}/run?case={case.id}").text
    data = {
        "description": "Refer to the falls clinic",
        "owner_id": str(s.sw.id),
        "contact_name": "",
        "contact_email": "",
        "contact_organisation_id": "0",
        "due_date": "2027-01-26",
    } | over
    return client.post(url, data=data | {"csrf_token": token_of(page, url)})


def _actions(session):
    session.expire_all()
    return session.scalars(sa.select(ActionPoint).order_by(ActionPoint.id)).all()


@time_machine.travel(DURING, tick=False)
def test_the_chair_records_an_action_with_one_owner_and_a_due_date(client, make, session, smtp):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    response = _new_action(client, s, s.edith)
    assert response.status_code == 302
    [action] = _actions(session)
    # Back to the same case, at the action just saved.
    assert response.headers["Location"] == (
        f"/meetings/{s.meeting.id}/run?case={s.edith.id}#action-{action.id}"
    )
    assert (action.owner_id, action.due_date) == (s.sw.id, date(2027, 1, 26))
    assert (action.case_id, action.patient_id) == (s.edith.id, s.edith.patient_id)
    assert action.meeting_id == s.meeting.id and action.status is ActionStatus.OPEN
    assert [h.kind for h in action.history] == ["created"]
    # The owner hears about it by email; the subject names no patient.
    [message] = [r.message for r in smtp.received if r.rcpt_tos == [s.sw.email]]
    assert message["Subject"] == "An action for you from the Riverside MDT, due 26 Jan 2027"
    assert "Edith" not in message.get_content()
    assert "from the Riverside MDT meeting." in message.get_content()
    assert "MDT MDT" not in message.get_content()


@time_machine.travel(DURING, tick=False)
def test_an_action_cannot_be_saved_without_an_owner(client, make, session):
    s = scene(make)
    login(client, s.chair.email)
    page = _new_action(client, s, s.edith, owner_id="0").text
    assert "Choose the one person who owns this action" in page
    assert "Refer to the falls clinic" in page  # what was typed is kept
    assert _actions(session) == []


@time_machine.travel(DURING, tick=False)
def test_an_action_cannot_have_two_owners(client, make, session):
    s = scene(make)
    login(client, s.chair.email)
    page = _new_action(
        client,
        s,
        s.edith,
        contact_name="Olu Therapist",
        contact_email="olu@example.org",
        contact_organisation_id=str(s.practice.id),
    ).text
    assert "An action has exactly one owner" in page
    assert _actions(session) == []


@time_machine.travel(DURING, tick=False)
def test_an_action_cannot_be_saved_without_a_due_date(client, make, session):
    s = scene(make)
    login(client, s.chair.email)
    page = _new_action(client, s, s.edith, due_date="").text
    assert "Enter the due date" in page
    assert _actions(session) == []


@time_machine.travel(DURING, tick=False)
def test_a_due_date_in_the_past_is_refused_with_a_clear_message(client, make, session):
    s = scene(make)
    login(client, s.chair.email)
    page = _new_action(client, s, s.edith, due_date="2027-01-11").text
    assert "The due date is in the past: choose today (12 January 2027) or later" in page
    assert shows_date(page, "due_date", "2027-01-11")  # the typed date is still in the form
    assert _actions(session) == []
    assert _new_action(client, s, s.edith, due_date="2027-01-12").status_code == 302  # today


@time_machine.travel(DURING, tick=False)
def test_an_owner_without_a_login_is_recorded_as_a_contact(client, make, session, smtp):
    s = scene(make)
    login(client, s.chair.email)
    response = _new_action(
        client,
        s,
        s.edith,
        owner_id="0",
        contact_name="Olu Therapist",
        contact_email="Olu.Therapist@example.org",
        contact_organisation_id=str(s.practice.id),
    )
    assert response.status_code == 302
    [action] = _actions(session)
    contact = session.get(User, action.owner_id)
    assert contact.name == "Olu Therapist" and contact.password_hash is None
    assert contact.organisation_id == s.practice.id
    [message] = [r.message for r in smtp.received if r.rcpt_tos == ["Olu.Therapist@example.org"]]
    assert "You do not have a login yet" in message.get_content()


@time_machine.travel(DURING, tick=False)
def test_a_contact_must_be_in_one_of_the_teams_organisations(client, make, session):
    s = scene(make)
    elsewhere = make.organisation(name="Faraway Trust")
    login(client, s.chair.email)
    page = _new_action(
        client,
        s,
        s.edith,
        owner_id="0",
        contact_name="Zed",
        contact_email="zed@example.org",
        contact_organisation_id=str(elsewhere.id),
    ).text
    assert "Not a valid choice" in page
    assert _actions(session) == []


def _detail_token(client, action_id: int, path: str) -> str:
    return token_of(client.get(f"/actions/{action_id}").text, path)


def _post(client, action, verb: str, **data):
    path = f"/actions/{action.id}/{verb}"
    token = _detail_token(client, action.id, path)
    prefix = "d-" if verb == "done" else ""
    return client.post(
        path,
        data={f"{prefix}revision": str(action.revision), **data, f"{prefix}csrf_token": token},
    )


@time_machine.travel(DURING, tick=False)
def test_only_the_owner_or_a_coordinator_changes_an_action_and_each_change_is_history(
    app, make, session
):
    s = scene(make)
    other_member = make.member(s.team, make.user(name="Pat Pharm"), discipline="Pharmacy").user
    outsider = make.user(name="Olive Outsider")
    action = make.action(s.edith, s.sw, created_by_id=s.chair.id)

    member = app.test_client()
    login(member, other_member.email)
    assert member.get(f"/actions/{action.id}").status_code == 200  # a team member may read it
    assert "Mark it done" not in member.get(f"/actions/{action.id}").text
    forged = member.post(f"/actions/{action.id}/done", data={"note": "x"})
    assert forged.status_code == 403
    stranger = app.test_client()
    login(stranger, outsider.email)
    assert stranger.get(f"/actions/{action.id}").status_code == 404
    assert stranger.post(f"/actions/{action.id}/done", data={"note": "x"}).status_code == 404

    coordinator = app.test_client()
    login(coordinator, s.coordinator.email)
    assert _post(coordinator, action, "reassign", owner_id=str(s.chair.id)).status_code == 302
    session.refresh(action)
    assert action.owner_id == s.chair.id
    assert _post(coordinator, action, "reschedule", due_date="2027-02-02", reason="Clinic full")
    owner = app.test_client()
    login(owner, s.chair.email)
    session.refresh(action)
    assert _post(owner, action, "done", **{"d-note": "Referred on 13 Jan"}).status_code == 302
    session.refresh(action)
    assert action.status is ActionStatus.DONE and action.closing_note == "Referred on 13 Jan"

    history = [(h.kind, h.by_id, h.detail) for h in _actions(session)[0].history]
    assert history[1:] == [
        (
            "reassigned",
            s.coordinator.id,
            "Handed over from Sam Whitfield to Dr Gita Patel",
        ),
        (
            "rescheduled",
            s.coordinator.id,
            "Due date moved from 1 February 2027 to 2 February 2027: Clinic full",
        ),
        ("done", s.chair.id, "Marked done: Referred on 13 Jan"),
    ]
    page = owner.get(f"/actions/{action.id}").text
    assert "Handed over from Sam Whitfield to Dr Gita Patel" in page


@time_machine.travel(DURING, tick=False)
def test_a_stale_change_to_an_action_is_refused(app, make, session):
    s = scene(make)
    action = make.action(s.edith, s.sw)
    owner, coordinator = app.test_client(), app.test_client()
    login(owner, s.sw.email)
    login(coordinator, s.coordinator.email)
    stale_revision = action.revision
    path = f"/actions/{action.id}/done"
    token = _detail_token(owner, action.id, path)
    assert _post(coordinator, action, "cancel", reason="Duplicate").status_code == 302
    refused = owner.post(
        path, data={"d-note": "Did it", "d-revision": str(stale_revision), "d-csrf_token": token}
    )
    assert "Someone else changed this action" in refused.text
    session.refresh(action)
    assert action.status is ActionStatus.CANCELLED and action.closing_note == "Duplicate"


@time_machine.travel(DURING, tick=False)
def test_my_actions_groups_overdue_this_week_and_later_and_marks_done_in_one_click(
    client, make, session
):
    s = scene(make)
    overdue = make.action(s.edith, s.sw, description="Overdue one", due_date=date(2027, 1, 4))
    this_week = make.action(s.edith, s.sw, description="This week", due_date=date(2027, 1, 17))
    later = make.action(s.fred, s.sw, description="Later one", due_date=date(2027, 1, 18))
    make.action(s.fred, s.chair, description="Someone else's", due_date=date(2027, 1, 13))
    login(client, s.sw.email)
    page = client.get("/actions").text
    assert "Someone else's" not in page
    assert f"{s.team.name} · due Mon 4 Jan 2027" in page  # each action's team, by name
    groups = page.split("<h2")
    assert "Overdue one" in next(
        g for g in groups if g.startswith(' class="nhsuk-heading-m">Overdue')
    )
    week = next(g for g in groups if "Due this week (to Sunday 17 January)" in g)
    assert "This week" in week and "Later one" not in week
    assert "Later one" in next(g for g in groups if g.startswith(' class="nhsuk-heading-m">Later'))

    path = f"/actions/{later.id}/done"
    token = token_of(page, path)
    response = client.post(
        path,
        data={
            "from": "mine",
            f"a{later.id}-note": "Carer's assessment booked",
            f"a{later.id}-revision": str(later.revision),
            f"a{later.id}-csrf_token": token,
        },
    )
    assert response.headers["Location"] == "/actions"
    page = client.get("/actions").text
    assert "Closed in the last 14 days" in page and "Carer&#39;s assessment booked" in page
    del overdue, this_week


@time_machine.travel(DURING, tick=False)
def test_marking_done_without_a_note_asks_for_one_and_keeps_the_page(client, make, session):
    s = scene(make)
    action = make.action(s.edith, s.sw)
    login(client, s.sw.email)
    path = f"/actions/{action.id}/done"
    token = token_of(client.get("/actions").text, path)
    page = client.post(
        path, data={"from": "mine", f"a{action.id}-note": "", f"a{action.id}-csrf_token": token}
    ).text
    assert "Say briefly what was done" in page
    session.refresh(action)
    assert action.status is ActionStatus.OPEN


@time_machine.travel(DURING, tick=False)
def test_the_teams_actions_filter_and_export_the_same_rows_as_csv(app, make, session):
    s = scene(make)
    make.action(s.edith, s.sw, description="=HYPERLINK(evil)", due_date=date(2027, 1, 4))
    make.action(s.fred, s.chair, description="Chair's", due_date=date(2027, 1, 20))
    make.action(
        s.fred,
        s.sw,
        description="Closed one",
        status=ActionStatus.DONE,
        closing_note="Done",
        closed_at=DURING,
    )
    client = app.test_client()
    login(client, s.coordinator.email)
    base = f"/teams/{s.team.id}/actions"
    everything = client.get(base).text
    assert "3 actions" in everything
    assert "1 action<" in client.get(f"{base}?overdue=1").text
    by_owner = client.get(f"{base}?owner={s.sw.id}").text
    assert "2 actions" in by_owner and "Chair&#39;s" not in by_owner
    # The filter keeps what was chosen: that owner selected, the others not.
    assert f'<option value="{s.sw.id}" selected>' in by_owner
    assert f'<option value="{s.chair.id}">' in by_owner
    assert "1 action<" in client.get(f"{base}?status=done").text
    assert "2 actions" in client.get(f"{base}?patient={s.fred.patient_id}").text
    fred = s.fred.patient
    assert "2 actions" in client.get(f"{base}?person={fred.name.split()[0].lower()}").text
    spaced = f"{fred.nhs_number[:3]} {fred.nhs_number[3:6]} {fred.nhs_number[6:]}"
    assert "2 actions" in client.get(f"{base}", query_string={"person": spaced}).text
    assert "0 actions" in client.get(f"{base}?person=%25").text  # a wildcard is just text
    # No list of everyone's names to filter by: only the people on the page are named.
    assert s.edith.patient.name not in client.get(f"{base}?owner={s.chair.id}").text

    exported = client.get(f"{base}.csv?owner={s.sw.id}")
    assert exported.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["Description"] for r in table] == ["'=HYPERLINK(evil)", "Closed one"]
    assert table[0]["Overdue"] == "yes" and table[0]["Patient"] == "Edith Example"
    assert table[1]["Status"] == "done" and table[1]["Closed"] == "2027-01-12"


@time_machine.travel(DURING, tick=False)
def test_a_core_member_cannot_see_the_teams_actions_page(client, make, session):
    s = scene(make)
    login(client, s.sw.email)
    assert client.get(f"/teams/{s.team.id}/actions").status_code == 403
    assert client.get(f"/teams/{s.team.id}/actions.csv").status_code == 403


@time_machine.travel(DURING, tick=False)
def test_the_next_agenda_opens_with_matters_arising_overdue_first(client, make, session):
    s = scene(make)
    all_present(session, s)
    make.action(s.edith, s.sw, description="Due later", due_date=date(2027, 2, 20))
    make.action(s.edith, s.sw, description="Long overdue", due_date=date(2027, 1, 2))
    make.action(s.fred, s.chair, description="Just overdue", due_date=date(2027, 1, 11))
    make.action(
        s.fred,
        s.chair,
        description="Already done",
        status=ActionStatus.DONE,
        closing_note="Seen by OT",
        closed_at=DURING,
    )
    login(client, s.chair.email)
    page = client.get(f"/meetings/{s.next_meeting.id}/agenda").text
    arising = page.split('id="matters-arising"')[1].split("</section>")[0]
    assert (
        arising.index("Long overdue") < arising.index("Just overdue") < arising.index("Due later")
    )
    assert arising.count('data-overdue="yes"') == 2
    closed = arising.split("Closed since the last meeting")[1]
    assert "Already done" in closed and "Seen by OT" in closed
    run = client.get(f"/meetings/{s.next_meeting.id}/run?case=matters").text
    assert "Long overdue" in run
    # Beside a case, the matters arising are a count (three open) and not listed.
    make.case(s.next_meeting, make.patient(name="Gina Next"), s.sw)
    beside = client.get(f"/meetings/{s.next_meeting.id}/run").text
    assert "Gina Next" in beside
    assert "(3 open)" in beside and "Long overdue" not in beside


@time_machine.travel(DURING, tick=False)
def test_the_owner_who_is_not_in_the_team_still_sees_their_action(app, make, session):
    s = scene(make)
    colleague = make.user(name="Nia Nurse", organisation=s.practice)
    action = make.action(s.edith, colleague)
    client = app.test_client()
    login(client, colleague.email)
    assert "Arrange a falls assessment" in client.get("/actions").text
    assert client.get(f"/actions/{action.id}").status_code == 200
    assert s.team.membership_of(colleague) is None and TeamRole


@time_machine.travel(DURING, tick=False)
def test_my_actions_keeps_what_i_closed_in_the_last_fortnight_and_no_earlier(client, make):
    s = scene(make)
    done = dict(status=ActionStatus.DONE, closing_note="Done")
    make.action(s.edith, s.sw, description="Still open", due_date=date(2026, 6, 1))
    make.action(
        s.edith, s.sw, description="Closed lately", closed_at=DURING - timedelta(13), **done
    )
    make.action(
        s.fred, s.sw, description="Closed long ago", closed_at=DURING - timedelta(15), **done
    )
    login(client, s.sw.email)
    page = client.get("/actions").text
    assert "Still open" in page and "Closed lately" in page
    assert "Closed long ago" not in page


def test_an_action_is_open_exactly_when_it_has_no_closing_time(make, session):
    """My actions reads "open" as "no closing time" (its index); the table holds to it."""
    s = scene(make)
    with pytest.raises(sa.exc.IntegrityError):
        make.action(s.edith, s.sw, status=ActionStatus.DONE, closed_at=None)
    session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        make.action(s.edith, s.sw, status=ActionStatus.OPEN, closed_at=DURING)


@time_machine.travel(DURING, tick=False)
def test_the_dashboard_counts_my_open_and_overdue_actions(client, make, session):
    s = scene(make)
    make.action(s.edith, s.sw, due_date=date(2027, 1, 4))
    make.action(s.edith, s.sw, due_date=date(2027, 1, 20))
    make.action(s.fred, s.sw, status=ActionStatus.DONE, closed_at=DURING)
    login(client, s.sw.email)
    page = client.get("/dashboard").text
    owed = page.split('id="actions-owed"')[1].split("</p>")[0]
    assert "2 actions to do</a>" in owed and "1 overdue" in owed


@time_machine.travel(DURING, tick=False)
def test_the_teams_actions_come_fifty_to_a_page_and_the_csv_holds_them_all(app, make, session):
    s = scene(make)
    for n in range(55):
        make.action(s.edith, s.sw, description=f"Action {n:02d}", due_date=date(2027, 2, 1))
    client = app.test_client()
    login(client, s.coordinator.email)
    base = f"/teams/{s.team.id}/actions"
    first = client.get(f"{base}?owner={s.sw.id}").text
    assert "55 actions" in first and "(showing 1–50)" in first
    assert first.count('app-action"') == 50
    assert f'href="/teams/{s.team.id}/actions?page=2&amp;owner={s.sw.id}"' in first
    second = client.get(f"{base}?owner={s.sw.id}&page=2").text
    assert second.count('app-action"') == 5 and "Action 54" in second
    assert "Page 1 of 2" in second  # the way back
    beyond = client.get(f"{base}?page=9").text  # a page past the end shows the last
    assert beyond.count('app-action"') == 5
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}.csv?owner={s.sw.id}").text)))
    assert len(rows) == 55


@time_machine.travel(DURING, tick=False)
@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("owner", "99999999999999999999999999", "owner"),
        ("meeting", "99999999999999999999999999", "meeting"),
        ("patient", "2147483648", "person"),
        ("owner", "²", "owner"),  # a digit to str.isdigit(), not to int()
        ("meeting", "-3", "meeting"),
    ],
)
def test_a_filter_naming_no_possible_row_is_set_aside_with_a_message(
    app, make, session, name, value, field
):
    s = scene(make)
    make.action(s.edith, s.sw)
    client = app.test_client()
    login(client, s.coordinator.email)
    base = f"/teams/{s.team.id}/actions"
    page = client.get(base, query_string={name: value})
    assert page.status_code == 200
    assert "There is a problem" in page.text and f'href="#{field}"' in page.text
    assert f"The {field} in the link is not one this list can show" in page.text
    assert "1 action<" in page.text  # the filter is left out, the others still apply
    # The file is not made with a filter left out: the page says why instead.
    exported = client.get(f"{base}.csv", query_string={name: value})
    assert exported.status_code == 200 and exported.mimetype == "text/html"
    assert f"The {field} in the link is not one this list can show" in exported.text


@time_machine.travel(DURING, tick=False)
def test_meeting_mode_ignores_a_case_that_cannot_be_one(app, make, session):
    s = scene(make)
    client = app.test_client()
    login(client, s.chair.email)
    for case in ("²", "99999999999999999999999999"):
        page = client.get(f"/meetings/{s.meeting.id}/run", query_string={"case": case})
        assert page.status_code == 200 and "Edith Example" in page.text
