"""Meeting mode's page: the agenda, the case in hand and what is shown beside it, read in
a fixed number of queries whatever the agenda's length (tests/minutes/test_query_counts.py)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from mdt.actions.models import ActionPoint
from mdt.actions.queries import MattersArising, matters_arising, own_and_open_count
from mdt.agenda.access import load_cases
from mdt.agenda.models import Case
from mdt.core.days import to_local, today_in
from mdt.core.db import row_id
from mdt.meetings import quorum
from mdt.meetings.models import Attendance, Meeting
from mdt.minutes import operations as ops
from mdt.minutes.models import Discussion
from mdt.prep.queries import load_prep


@dataclass(frozen=True)
class MeetingMode:
    """What meeting mode shows, by the names its template reads."""

    cases: list[Case]
    case: Case | None
    previous: Case | None
    following: Case | None
    decided: dict[int, Discussion]
    discussion: Discussion | None
    #: In full only where they are shown (no case in hand); beside a case, `open_count`.
    arising: MattersArising | None
    open_count: int
    #: The case in hand's actions agreed at this meeting.
    actions: list[ActionPoint]
    #: Each action added moves the new-action form's draft on (see static/app.js).
    action_total: int
    action_count: dict[int, int]
    today: date
    actual: list[quorum.DisciplineStatus]
    quorate: bool
    #: Until recorded, each invitee's attendance as their reply said ("from replies").
    as_replied: dict[int, Attendance | None]
    unconfirmed: bool
    local_start: datetime

    def page(self) -> dict[str, Any]:
        """The template's context."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def patient_ids(self) -> list[int]:
        arising = self.arising.patient_ids() if self.arising else []
        return [c.patient_id for c in self.cases] + arising


def current_case(cases: list[Case], decided: dict[int, Discussion], wanted: str) -> Case | None:
    """The case asked for ("matters": none, the matters arising), else the first not yet
    decided."""
    if wanted == "matters":
        return None
    wanted_id = row_id(wanted)  # not int(): "²".isdigit() is true, and int("²") fails
    if wanted_id is not None:
        found = next((c for c in cases if c.id == wanted_id), None)
        if found is not None:
            return found
    return next((c for c in cases if c.id not in decided), cases[0] if cases else None)


def meeting_mode(meeting: Meeting, case: Case | None, wanted: str = "") -> MeetingMode:
    """The page for `case`, or, without one, for the case `wanted` names (current_case)."""
    cases = load_cases(meeting, prep=False)
    decided = {d.case_id: d for d in ops.discussions(meeting)}
    case = case or current_case(cases, decided, wanted)
    if case is not None:
        load_prep(case)  # only the case in hand shows its preparation
    today = today_in(meeting.team.time_zone)
    arising = matters_arising(meeting, today) if case is None else None
    agreed, open_count = (
        (arising.own, len(arising.open)) if arising is not None else own_and_open_count(meeting)
    )
    mine = [a for a in agreed if case and a.case_id == case.id]
    actual = quorum.actual(meeting)
    position = cases.index(case) if case in cases else -1
    return MeetingMode(
        cases=cases,
        case=case,
        previous=cases[position - 1] if position > 0 else None,
        following=cases[position + 1] if 0 <= position < len(cases) - 1 else None,
        decided=decided,
        discussion=decided.get(case.id) if case else None,
        arising=arising,
        open_count=open_count,
        actions=mine,
        action_total=len(mine),
        action_count={c.id: sum(1 for a in agreed if a.case_id == c.id) for c in cases},
        today=today,
        actual=actual,
        quorate=quorum.is_quorate(actual),
        as_replied={inv.id: quorum.as_replied(inv) for inv in meeting.invitations},
        unconfirmed=any(inv.attendance is None for inv in meeting.invitations),
        local_start=to_local(meeting.starts_at, meeting.team.time_zone),
    )
