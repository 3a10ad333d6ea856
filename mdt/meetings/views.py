from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.models import User
from mdt.core.days import local_to_utc, to_local
from mdt.core.forms import EmptyForm, choices
from mdt.core.revisions import CONFLICT, EXPIRED, save
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings import operations as ops
from mdt.meetings import quorum
from mdt.meetings.access import Need, get_meeting_or_404
from mdt.meetings.forms import (
    AdHocMeetingForm,
    AttendanceForm,
    CancelForm,
    DetailsForm,
    ReplyForm,
    RescheduleForm,
    attendance_options,
    member_choices,
)
from mdt.meetings.models import Attendance, Meeting, MeetingStatus, Reply
from mdt.meetings.queries import upcoming_for_team, upcoming_for_user
from mdt.slots.access import get_series_or_404
from mdt.slots.occurrences import find_occurrence
from mdt.teams.access import get_team_or_404

bp = Blueprint("meetings", __name__)
bp.add_app_template_global(attendance_options)


@bp.get("/meetings/mine")
@login_required
def mine() -> str:
    rows = upcoming_for_user(current_user.id, now_utc() - timedelta(hours=12))
    return render_template("meetings/mine.html", rows=rows, title="My meetings")


@bp.get("/teams/<int:team_id>/meetings")
@login_required
def team_index(team_id: int) -> str:
    team = get_team_or_404(team_id)
    meetings = upcoming_for_team(team.id, now_utc() - timedelta(hours=12))
    return render_template(
        "meetings/team_index.html",
        team=team,
        meetings=meetings,
        can_manage=team.can_manage(current_user),
        title=f"{team.name} meetings",
    )


@bp.post("/teams/<int:team_id>/slots/<int:series_id>/occurrences/<date:day>/book")
@login_required
def book(team_id: int, series_id: int, day: date) -> Response:
    team = get_team_or_404(team_id, manage=True)
    series = get_series_or_404(team, series_id)
    occurrence = find_occurrence(series, day)
    if occurrence is None or not occurrence.takes_place:
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("slots.index", team_id=team.id))
    try:
        meeting = ops.book_occurrence(team, series, occurrence, now_utc())
    except ops.AlreadyBooked:
        flash("A meeting is already booked in that occurrence.")
        return redirect(url_for("slots.index", team_id=team.id))
    except ops.NotBookable as refusal:
        flash(str(refusal))
        return redirect(url_for("slots.index", team_id=team.id))
    db.session.commit()
    flash("The meeting is booked and every member has been invited by email.")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/teams/<int:team_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new_adhoc(team_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    form = AdHocMeetingForm()
    form.zone = team.time_zone
    if form.validate_on_submit():
        starts = local_to_utc(form.date.data, form.start_time.data, team.time_zone)
        ends = local_to_utc(form.date.data, form.end_time.data, team.time_zone)
        meeting = ops.book_adhoc(
            team,
            starts,
            ends,
            form.reason.data,
            form.location.data or "",
            form.video_link.data or "",
        )
        db.session.commit()
        flash("The meeting is booked outside protected time and members have been invited.")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template(
        "meetings/adhoc.html", form=form, team=team, title="Book outside protected time"
    )


@bp.get("/meetings/<int:meeting_id>")
@login_required
def detail(meeting_id: int) -> str:
    meeting = get_meeting_or_404(meeting_id, Need.VIEW | Need.COVER, deputies=True)
    invitation = meeting.invitation_of(current_user)
    reply_form = ReplyForm(formdata=None, reply=invitation.reply.value if invitation else None)
    reply_form.cover_id.choices = _cover_choices(meeting)
    return _render_detail(meeting, reply_form)


def _render_detail(meeting: Meeting, reply_form: ReplyForm) -> str:
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        local_start=to_local(meeting.starts_at, meeting.team.time_zone),
        local_end=to_local(meeting.ends_at, meeting.team.time_zone),
        invitation=meeting.invitation_of(current_user),
        reply_form=reply_form,
        expected=quorum.expected(meeting),
        actual=quorum.actual(meeting),
        is_quorate=quorum.is_quorate,
        can_manage=meeting.team.can_manage(current_user),
        can_record=meeting.can_run(current_user),
        is_member=meeting.team.membership_of(current_user) is not None,
        attendance_form=AttendanceForm(formdata=None),
        title=f"{meeting.team.name} meeting",
    )


def _cover_choices(meeting: Meeting) -> list:  # type: ignore[type-arg]
    """Members of the team and their named deputies, other than the person replying."""
    people = {m.user_id: m.user for m in meeting.team.memberships}
    people |= {m.deputy_id: m.deputy for m in meeting.team.memberships if m.deputy}
    people.pop(current_user.id, None)
    ordered = sorted(people.values(), key=lambda u: u.name)
    return choices([(0, "Nobody named")] + [(u.id, u.name) for u in ordered])


@bp.post("/meetings/<int:meeting_id>/reply")
@login_required
def reply(meeting_id: int) -> str | Response:
    meeting = get_meeting_or_404(meeting_id, deputies=True)
    invitation = meeting.invitation_of(current_user) or abort(403)
    form = ReplyForm()
    form.cover_id.choices = _cover_choices(meeting)
    if meeting.status is MeetingStatus.CANCELLED:
        flash("This meeting is cancelled; there is nothing to reply to.")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    if not form.validate_on_submit():
        return _render_detail(meeting, form)
    cover = db.session.get(User, form.cover_id.data) if form.cover_id.data else None
    ops.reply(meeting, invitation, Reply(form.reply.data), cover)
    db.session.commit()
    flash(f"Your reply is saved: {Reply(form.reply.data).label.lower()}.")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int) -> Response:
    meeting = get_meeting_or_404(meeting_id, Need.RUN)
    if not AttendanceForm().validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    marks: dict[int, Attendance | None] = {}
    for inv in meeting.invitations:
        raw = request.form.get(f"attendance-{inv.id}", "")
        if raw and raw not in Attendance._value2member_map_:
            abort(400)
        marks[inv.id] = Attendance(raw) if raw else None
    ops.record_attendance(meeting, marks)
    db.session.commit()
    if request.form.get("from") == "run":  # meeting mode, on the case it was showing
        flash("Attendance is saved.", "attendance")  # shown beside the attendance
        case = request.form.get("case", "")
        return redirect(
            url_for("minutes.run", meeting_id=meeting.id, case=case if case else None)
            + "#attendance"
        )
    flash("Attendance is saved.")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#attendance")


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int) -> str | Response:
    meeting = get_meeting_or_404(meeting_id, Need.MANAGE)
    form = DetailsForm(obj=meeting)
    form.chair_id.choices = form.minute_taker_id.choices = member_choices(meeting.team)
    conflict = None
    if form.validate_on_submit():
        chair, minute_taker = _person(form.chair_id.data), _person(form.minute_taker_id.data)
        where = (form.location.data or "", form.video_link.data or "")
        if saved := save(
            lambda: ops.update_details(meeting, form.revision.data, chair, minute_taker, *where),
            saved=form.saved_message(),
            then=url_for("meetings.detail", meeting_id=meeting.id),
        ):
            return saved
        conflict = CONFLICT
    return render_template(
        "meetings/edit.html", form=form, meeting=meeting, conflict=conflict, title="Meeting details"
    )


def _person(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


@bp.route("/meetings/<int:meeting_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(meeting_id: int) -> str | Response:
    meeting = get_meeting_or_404(meeting_id, Need.MANAGE)
    form = RescheduleForm.drawn_from(meeting)
    conflict = None
    if form.validate_on_submit():
        starts, ends = form.starts_at(), form.ends_at()
        if saved := save(
            lambda: ops.reschedule(meeting, form.revision.data, starts, ends, form.reason.data),
            saved="The meeting is moved and every invitee has been told by email.",
            then=url_for("meetings.detail", meeting_id=meeting.id),
        ):
            return saved
        conflict = CONFLICT
    return render_template(
        "meetings/reschedule.html",
        form=form,
        meeting=meeting,
        conflict=conflict,
        title="Reschedule the meeting",
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(meeting_id: int) -> str | Response:
    meeting = get_meeting_or_404(meeting_id, Need.MANAGE)
    form = CancelForm(revision=meeting.revision)
    conflict = None
    if form.validate_on_submit():
        if saved := save(
            lambda: ops.cancel(meeting, form.revision.data, form.reason.data),
            saved="The meeting is cancelled and every invitee has been told by email.",
            then=url_for("meetings.detail", meeting_id=meeting.id),
        ):
            return saved
        conflict = CONFLICT
    return render_template(
        "meetings/cancel.html",
        form=form,
        meeting=meeting,
        conflict=conflict,
        title="Cancel the meeting",
    )
