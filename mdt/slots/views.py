from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from mdt.core.days import to_local
from mdt.core.forms import EmptyForm
from mdt.core.revisions import CONFLICT, Conflict
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.slots import operations as ops
from mdt.slots.access import get_series_or_404
from mdt.slots.bookings import booked_occurrences
from mdt.slots.finder import find_slots
from mdt.slots.forms import FindSlotForm, OccurrenceChangeForm, SeriesForm
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import find_occurrence
from mdt.slots.queries import team_series
from mdt.teams.access import get_team_or_404
from mdt.teams.models import Team

bp = Blueprint("slots", __name__, url_prefix="/teams/<int:team_id>/slots")


def _today(team: Team) -> date:
    return to_local(now_utc(), team.time_zone).date()


@bp.get("/")
@login_required
def index(team_id: int) -> str:
    team = get_team_or_404(team_id)
    all_series = list(
        db.session.scalars(
            sa.select(SlotSeries)
            .where(SlotSeries.team_id == team.id)
            .options(selectinload(SlotSeries.exceptions))
            .order_by(SlotSeries.id)
        )
    )
    checker = ops.clash_checker(team)
    today = _today(team)
    return render_template(
        "slots/index.html",
        team=team,
        today=today,
        rows=[(s, ops.preview(s, checker, today)) for s in all_series],
        booked=booked_occurrences(team.id),
        now=now_utc(),  # an occurrence that has begun cannot be booked or moved
        can_manage=team.can_manage(current_user),
        book_form=EmptyForm(),
        title=f"{team.name}: protected time",
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(team_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    defaults = {
        "time_zone": team.time_zone,
        "location": team.default_location,
        "video_link": team.default_video_link,
        "start_date": _today(team),
    }
    # "Use this" from Find a slot fills the form through the query string.
    prefill = request.args if request.method == "GET" and request.args else None
    form = SeriesForm(formdata=prefill, **defaults) if prefill else SeriesForm(**defaults)
    return _series_form(team, form, None)


@bp.get("/find")
@login_required
def find(team_id: int) -> str:
    team = get_team_or_404(team_id, manage=True)
    form = FindSlotForm(request.args if request.args else None)
    results = None
    if request.args and form.validate():
        results = find_slots(
            ops.clash_checker(team),
            team.time_zone,
            _today(team),
            form.weekdays.data,
            form.earliest.data,
            form.latest_end.data,
            form.minutes.data,
            form.kind.data,
            protected=team_series(team),
        )
    return render_template(
        "slots/find.html", form=form, team=team, results=results, title="Find a slot"
    )


@bp.route("/<int:series_id>/edit", methods=["GET", "POST"])
@login_required
def edit(team_id: int, series_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    series = get_series_or_404(team, series_id)
    form = SeriesForm(obj=series)
    return _series_form(team, form, series)


def _series_form(team: Team, form: SeriesForm, series: SlotSeries | None) -> str | Response:
    """Save, or (the "Check clashes" button, or a GET of a saved series) show the preview."""
    previewing = request.form.get("action") == "preview"
    conflict, preview = None, None
    if form.validate_on_submit():
        fields = ops.series_fields(form)
        if previewing:
            candidate = SlotSeries(team_id=team.id, **fields)
            preview = ops.preview(candidate, ops.clash_checker(team), _today(team))
        else:
            try:
                if series is None:
                    series = ops.create_series(team, **fields)
                else:
                    ops.update_series(series, form.revision.data, **fields)
            except Conflict:
                conflict = CONFLICT
            else:
                db.session.commit()
                flash(f"{series.title} is saved.")
                return redirect(url_for("slots.index", team_id=team.id))
    elif series is not None and request.method == "GET":
        preview = ops.preview(series, ops.clash_checker(team), _today(team))
    return render_template(
        "slots/form.html",
        form=form,
        team=team,
        series=series,
        preview=preview,
        conflict=conflict,
        title="Change protected time" if series else "Set up protected time",
    )


@bp.route("/<int:series_id>/occurrences/<date:day>", methods=["GET", "POST"])
@login_required
def occurrence(team_id: int, series_id: int, day: date) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    series = get_series_or_404(team, series_id)
    occ = find_occurrence(series, day) or abort(404)
    form = OccurrenceChangeForm.in_zone(series.time_zone)
    problem = None
    if form.validate_on_submit():
        moved_to = form.moved_to()
        try:
            ops.change_occurrence(series, day, current_user, form.reason.data, moved_to)
        except ops.OccurrenceBooked:
            problem = "A meeting is booked in this occurrence: reschedule or cancel the meeting."
        else:
            db.session.commit()
            flash("The occurrence is " + ("moved." if moved_to else "cancelled."))
            return redirect(url_for("slots.index", team_id=team.id))
    return render_template(
        "slots/occurrence.html",
        form=form,
        team=team,
        series=series,
        occ=occ,
        problem=problem,
        title="Change one occurrence",
    )
