"""Every typed date has a window (mdt.core.fields): from today, or from a fixed earliest, and
never more than five years ahead. Outside it the form says so on the field; nothing is saved
and nothing fails (issue 20, items 16 and 17)."""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from wtforms import DateField, DateTimeField, Form, TimeField
from wtforms.fields.core import UnboundField

import mdt
from mdt.actions.models import ActionPoint
from mdt.availability.models import Commitment
from mdt.minutes.models import Discussion
from mdt.patients.models import Patient
from mdt.slots.models import SlotSeries
from tests.conftest import login, submit
from tests.minutes.support import DURING, all_present, post_outcome, scene, token_of

TODAY = DURING.date()  # Tuesday 12 January 2027
FAR = "9999-12-31"
TOO_LATE = "The {} must be within 5 years from today, on or before 12 January 2032"


@pytest.fixture(autouse=True)
def _during_the_meeting(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(DURING, tick=False)


def field_error(page: str, field: str) -> str | None:
    found = re.search(
        rf'id="{field}-error"><span class="nhsuk-u-visually-hidden">Error: </span>([^<]*)<', page
    )
    return html.unescape(found.group(1)) if found else None


# --- the window itself ----------------------------------------------------------------------


def _form_classes() -> list[type[Form]]:
    for info in pkgutil.walk_packages(mdt.__path__, "mdt."):
        if info.name.endswith(".forms"):
            importlib.import_module(info.name)
    found, todo = [], [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return [f for f in found if f.__module__.startswith("mdt.")]


def test_every_date_field_in_every_form_has_a_window():
    from mdt.core.date_input import NhsDateField
    from mdt.core.fields import BIRTH, RECORDED, UPCOMING, InWindow

    dated, pickers = {}, []
    for form in _form_classes():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            if issubclass(unbound.field_class, NhsDateField):
                validators = unbound.kwargs.get("validators", [])
                dated[f"{form.__name__}.{name}"] = [
                    v.window for v in validators if isinstance(v, InWindow)
                ]
            elif issubclass(unbound.field_class, DateField | DateTimeField) and not issubclass(
                unbound.field_class,
                TimeField,  # a DateTimeField too
            ):
                pickers.append(f"{form.__name__}.{name}")
    # Every date is typed in the NHS.UK date input (day, month, year), none in a picker.
    assert pickers == []
    assert len(dated) >= 14  # meetings, series, occurrences, leave, actions, reviews, filters
    assert {name: len(windows) for name, windows in dated.items()} == dict.fromkeys(dated, 1)
    assert dated["WhenFields.date"] == [UPCOMING]
    assert dated["RecurrenceFields.start_date"] == [RECORDED]
    assert dated["CaseForm.date_of_birth"] == [BIRTH]
    assert dated["AuditFilterForm.date_to"] == [RECORDED]


def test_the_windows_limits_and_messages():
    from mdt.core.fields import BIRTH, RECORDED, UPCOMING, YEARS_AHEAD, DateWindow

    today = date(2027, 1, 12)
    assert UPCOMING.limits(today) == (date(2027, 1, 11), date(2032, 1, 12))
    assert UPCOMING.problem("The date", date(2027, 1, 10), today) == (
        "The date must be today or in the future"
    )
    assert UPCOMING.problem("The date", date(2027, 1, 11), today) is None  # a day's grace
    assert UPCOMING.problem("The date", date(2032, 1, 12), today) is None
    assert UPCOMING.problem("The date", date(2032, 1, 13), today) == TOO_LATE.format("date")
    assert RECORDED.problem("The start date", date(1999, 12, 31), today) == (
        "The start date must be on or after 1 January 2000"
    )
    assert RECORDED.problem("The start date", date(2000, 1, 1), today) is None
    assert BIRTH.problem("The date of birth", date(2027, 1, 13), today) == (
        "The date of birth must be today or in the past"
    )
    assert BIRTH.problem("The date of birth", date(1899, 12, 31), today) == (
        "The date of birth must be on or after 1 January 1900"
    )
    # Five years from a 29 February is the 28th.
    assert DateWindow(None).limits(date(2028, 2, 29))[1] == date(2033, 2, 28)
    assert YEARS_AHEAD == 5


# --- each place a date is typed -------------------------------------------------------------


def test_audit_log_filter_to_year_9999_is_a_clear_error(client, make):
    login(client, make.admin().email)
    response = client.get("/audit/?date_to=9999-12-31")
    assert response.status_code == 200
    assert field_error(response.text, "date_to") == (
        "The 'to' date must be within 5 years from today, on or before 12 January 2032"
    )
    early = client.get("/audit/export.csv?date_from=0001-01-01")
    assert early.status_code == 200 and early.mimetype == "text/html"
    assert field_error(early.text, "date_from") == (
        "The 'from' date must be on or after 1 January 2000"
    )


def test_a_report_period_to_year_9999_is_a_clear_error(client, make):
    s = scene(make)
    login(client, s.coordinator.email)
    page = client.get(f"/teams/{s.team.id}/report?date_from=2026-01-01&date_to={FAR}")
    assert page.status_code == 200
    assert field_error(page.text, "date_to").startswith("The 'to' date must be within 5 years")


def _series_form(**over: str) -> dict[str, str]:
    return {
        "title": "Monthly MDT",
        "frequency": "weekly",
        "interval": "1",
        "weekday": "1",
        "ordinal": "1",
        "start_date": "2027-02-01",
        "end_date": "",
        "start_time": "12:30",
        "duration_minutes": "90",
        "time_zone": "Europe/London",
        "location": "",
        "video_link": "",
    } | over


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("start_date", FAR, TOO_LATE.format("start date")),
        ("end_date", FAR, TOO_LATE.format("end date")),
        ("start_date", "1999-12-31", "The start date must be on or after 1 January 2000"),
    ],
)
def test_protected_time_dates_outside_the_window_are_refused(
    client, make, session, field, typed, message
):
    s = scene(make)
    login(client, s.coordinator.email)
    url = f"/teams/{s.team.id}/slots/new"
    # Typed in the three boxes of the date input, as a browser sends it.
    year, month, day = typed.split("-")
    boxes = {f"{field}-day": day, f"{field}-month": month, f"{field}-year": year}
    form = {k: v for k, v in _series_form().items() if k != field}
    response = submit(client, url, form | boxes)
    assert response.status_code == 200
    assert field_error(response.text, field) == message
    for part, value in boxes.items():  # what was typed is kept
        assert f'id="{part}" name="{part}" type="text" value="{value}"' in response.text
    assert session.scalar(sa.select(sa.func.count(SlotSeries.id))) == 0


def test_a_series_that_began_years_ago_is_still_saved(client, make, session):
    s = scene(make)
    login(client, s.coordinator.email)
    form = _series_form(start_date="2019-03-05")
    assert submit(client, f"/teams/{s.team.id}/slots/new", form).status_code == 302


def test_leave_and_clinics_far_ahead_are_refused(client, make, session):
    gp = make.user()
    login(client, gp.email)
    leave = {"kind": "absence", "a-label": "Leave", "a-start_date": TODAY.isoformat()}
    page = submit(client, "/availability", leave | {"a-end_date": FAR}, prefix="a-").text
    assert field_error(page, "a-end_date") == TOO_LATE.format("last day")
    clinic = {
        "kind": "recurring",
        "r-label": "Surgery",
        "r-frequency": "weekly",
        "r-interval": "1",
        "r-weekday": "1",
        "r-ordinal": "1",
        "r-start_date": FAR,
        "r-end_date": "",
        "r-start_time": "08:30",
        "r-end_time": "12:30",
    }
    page = submit(client, "/availability", clinic, prefix="r-").text
    assert field_error(page, "r-start_date") == TOO_LATE.format("start date")
    assert session.scalar(sa.select(sa.func.count(Commitment.id))) == 0


def _new_action(client, s, due: str):  # type: ignore[no-untyped-def]
    # Meeting mode posts its action form to its own route (it stays in meeting mode).
    url = f"/meetings/{s.meeting.id}/cases/{s.edith.id}/actions"
    page = client.get(f"/meetings/{s.meeting.id}/run?case={s.edith.id}").text
    data = {
        "description": "Refer to the falls clinic",
        "owner_id": str(s.sw.id),
        "contact_name": "",
        "contact_email": "",
        "contact_organisation_id": "0",
        "due_date": due,
    }
    return client.post(url, data=data | {"csrf_token": token_of(page, url)})


def test_an_action_due_in_year_9999_is_refused(client, make, session):
    s = scene(make)
    login(client, s.chair.email)
    response = _new_action(client, s, FAR)
    assert response.status_code == 200
    assert field_error(response.text, "due_date") == TOO_LATE.format("due date")
    assert session.scalar(sa.select(sa.func.count(ActionPoint.id))) == 0


def test_an_action_moved_to_year_9999_is_refused(client, make, session):
    s = scene(make)
    action = make.action(s.edith, s.sw)
    login(client, s.coordinator.email)
    path = f"/actions/{action.id}/reschedule"
    page = client.get(f"/actions/{action.id}").text
    data = {"due_date": FAR, "reason": "Clinic full", "revision": str(action.revision)}
    response = client.post(path, data=data | {"csrf_token": token_of(page, path)})
    assert response.status_code == 200
    assert field_error(response.text, "due_date") == TOO_LATE.format("new due date")
    session.refresh(action)
    assert action.due_date == date(2027, 2, 1)


def test_a_review_date_in_year_9999_is_refused(client, make, session):
    s = scene(make)
    all_present(session, s)
    login(client, s.chair.email)
    response = post_outcome(client, s, s.edith, review_date=FAR)
    assert response.status_code == 200
    assert field_error(response.text, "review_date") == TOO_LATE.format("review date")
    assert session.scalar(sa.select(sa.func.count(Discussion.id))) == 0


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (FAR, "The date of birth must be today or in the past"),
        ("2027-01-13", "The date of birth must be today or in the past"),
        ("1850-06-01", "The date of birth must be on or after 1 January 1900"),
    ],
)
def test_a_date_of_birth_outside_a_lifetime_is_refused(client, make, session, born, message):
    s = scene(make)
    login(client, s.coordinator.email)
    url = f"/meetings/{s.next_meeting.id}/cases/new"
    data = {
        "nhs_number": "9990000018",
        "name": "Ada Example",
        "date_of_birth": born,
        "registered_practice_id": str(s.practice.id),
        "reason": "Falls",
        "priority": "routine",
        "minutes": "10",
        "triage": "discussion",
    }
    response = submit(client, url, data)
    assert response.status_code == 200
    assert field_error(response.text, "date_of_birth") == message
    assert session.scalar(sa.select(sa.func.count(Patient.id))) == 2  # Edith and Fred only


def test_a_date_of_birth_today_is_accepted(make):
    from mdt.core.fields import BIRTH

    assert BIRTH.problem("The date of birth", TODAY, TODAY) is None
    assert datetime.now(UTC).date() == TODAY  # the clock the forms read is the travelled one
