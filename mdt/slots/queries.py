"""Reads of protected time for the slots pages."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.extensions import db
from mdt.slots.models import SlotSeries
from mdt.teams.models import Team


def team_series(team: Team) -> list[SlotSeries]:
    """The team's protected slot series, oldest first (one query)."""
    query = sa.select(SlotSeries).where(SlotSeries.team_id == team.id).order_by(SlotSeries.id)
    return list(db.session.scalars(query))
