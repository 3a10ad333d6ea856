"""The loader of a team's slot series, for pages already past the team's own loader."""

from __future__ import annotations

from flask import abort

from mdt.extensions import db
from mdt.slots.models import SlotSeries
from mdt.teams.models import Team


def get_series_or_404(team: Team, series_id: int) -> SlotSeries:
    """The series, if it is `team`'s (whose access the caller has checked)."""
    series = db.session.get(SlotSeries, series_id)
    if series is None or series.team_id != team.id:
        abort(404)
    return series
