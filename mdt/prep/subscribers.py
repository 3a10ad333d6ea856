"""Preparation reacts to what meetings announce (mdt.meetings.signals)."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.agenda.models import Case
from mdt.extensions import db
from mdt.meetings.models import Meeting
from mdt.meetings.signals import cover_stands_in, member_invited
from mdt.prep.operations import pass_to_cover, request_prep


@member_invited.connect
def ask_to_prepare_cases(meeting: Meeting, **_: object) -> None:
    """Someone newly invited prepares the cases already on the meeting, as members do."""
    for case in db.session.scalars(sa.select(Case).where(Case.meeting_id == meeting.id)):
        request_prep(case, meeting)


@cover_stands_in.connect
def hand_prep_to_cover(meeting: Meeting, *, member_id: int, cover_id: int, **_: object) -> None:
    """The member's preparation for the meeting becomes the cover's."""
    pass_to_cover(meeting, member_id, cover_id)
