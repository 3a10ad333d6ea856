"""A team at its meeting: a chair (GP), a social worker, a coordinator, two cases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from mdt.agenda.models import Case
from mdt.meetings.models import Attendance, Invitation, Meeting
from mdt.minutes.models import Discussion
from mdt.organisations.models import OrganisationType
from mdt.teams.models import TeamRole
from tests.conftest import CSRF_RE

STARTS = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)
DURING = STARTS + timedelta(minutes=20)


@dataclass
class Scene:
    practice: Any
    coordinator: Any
    chair: Any
    sw: Any
    team: Any
    meeting: Any
    next_meeting: Any
    edith: Any
    fred: Any


def scene(make, next_meeting: bool = True, suffix: str = "") -> Scene:
    practice = make.organisation(
        name=f"Riverside Surgery{suffix}", type=OrganisationType.GP_PRACTICE
    )
    council = make.organisation(
        name=f"Borough Adult Social Care{suffix}", type=OrganisationType.ADULT_SOCIAL_CARE
    )
    coordinator = make.user(name="Cora Coordinator", organisation=practice)
    team = make.team(coordinator=coordinator, name=f"Riverside MDT{suffix}")
    chair = make.member(
        team,
        make.user(name="Dr Gita Patel", organisation=practice),
        role=TeamRole.CHAIR,
        discipline="General practice",
    ).user
    sw = make.member(
        team, make.user(name="Sam Whitfield", organisation=council), discipline="Adult social care"
    ).user
    meeting = make.meeting(team, starts_at=STARTS, ends_at=STARTS + timedelta(minutes=90))
    following = None
    if next_meeting:
        later = STARTS + timedelta(days=28)
        following = make.meeting(team, starts_at=later, ends_at=later + timedelta(minutes=90))
    edith = make.case(
        meeting,
        make.patient(name="Edith Example", registered_practice=practice),
        chair,
        sw,
        position=1,
        reason="Falls at home",
    )
    fred = make.case(
        meeting,
        make.patient(name="Fred Other", registered_practice=practice),
        chair,
        sw,
        position=2,
        reason="Carer breakdown",
    )
    return Scene(practice, coordinator, chair, sw, team, meeting, following, edith, fred)


def mark(session, meeting: Meeting, **by_name: Attendance) -> None:
    for inv in session.scalars(sa.select(Invitation).where(Invitation.meeting_id == meeting.id)):
        if inv.user.name in by_name:
            inv.attendance = by_name[inv.user.name]
    session.commit()


def all_present(session, s: Scene) -> None:
    mark(
        session,
        s.meeting,
        **{s.chair.name: Attendance.PRESENT, s.sw.name: Attendance.REMOTE},
    )


def token_of(page: str, action: str) -> str:
    """The CSRF token of the form posting to `action` on the page."""
    match = re.search(
        rf'action="{re.escape(action)}".*?name="(?:\w+-)?csrf_token"[^>]*value="([^"]+)"',
        page,
        re.S,
    )
    assert match, f"no form posting to {action}"
    return match[1]


def outcome_data(**over: str) -> dict[str, str]:
    return {
        "summary": "Agreed a falls assessment and a carers' assessment.",
        "outcome": "plan_agreed",
        "review_date": "",
        "revision": "0",
    } | over


def post_outcome(client, s: Scene, case: Case, **over: str):
    url = f"/meetings/{s.meeting.id}/cases/{case.id}/outcome"
    page = client.get(f"/meetings/{s.meeting.id}/run?case={case.id}").text
    return client.post(url, data=outcome_data(**over) | {"csrf_token": token_of(page, url)})


def discussion(session, meeting: Meeting, case: Case) -> Discussion | None:
    session.expire_all()
    return session.scalar(
        sa.select(Discussion).where(
            Discussion.meeting_id == meeting.id, Discussion.case_id == case.id
        )
    )


__all__ = ["CSRF_RE", "DURING", "STARTS", "Scene", "scene"]
