from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.accounts.operations import Conflict
from mdt.actions import operations as action_ops
from mdt.actions.adding import action_form, chosen_owner
from mdt.actions.forms import ActionForm
from mdt.actions.queries import matters_arising, own_and_open_count
from mdt.agenda.access import get_agenda_meeting_or_404, load_cases
from mdt.agenda.models import Case
from mdt.audit.operations import render_audited
from mdt.core.days import to_local, today_in
from mdt.core.db import row_id
from mdt.core.forms import EmptyForm
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings import quorum
from mdt.meetings.access import can_record_attendance
from mdt.meetings.forms import AttendanceForm
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.minutes import operations as ops
from mdt.minutes.forms import OutcomeForm
from mdt.minutes.models import CHOSEN_OUTCOMES, Discussion, Outcome
from mdt.prep.queries import load_prep

bp = Blueprint("minutes", __name__)

OUTCOME_CONFLICT = (
    "Someone else saved an outcome for this case while you were writing, so yours was not "
    "saved. Theirs is shown below the form; what you typed is still in the form: check it "
    "against theirs and save again."
)


def get_run_meeting_or_404(meeting_id: int) -> Meeting:
    """Meeting mode is for the chair, the minute-taker and the team's coordinators, among
    those who may see the meeting's cases (mdt.patients.access)."""
    meeting = get_agenda_meeting_or_404(meeting_id)
    if not can_record_attendance(meeting, current_user):
        abort(403)
    return meeting


def _current(cases: list[Case], decided: dict[int, Discussion]) -> Case | None:
    wanted = request.args.get("case", "")
    if wanted == "matters":
        return None
    wanted_id = row_id(wanted)  # not int(): "²".isdigit() is true, and int("²") fails
    if wanted_id is not None:
        found = next((c for c in cases if c.id == wanted_id), None)
        if found is not None:
            return found
    return next((c for c in cases if c.id not in decided), cases[0] if cases else None)


@bp.get("/meetings/<int:meeting_id>/run")
@login_required
def run(meeting_id: int) -> str:
    meeting = get_run_meeting_or_404(meeting_id)
    return _render_run(meeting)


def _render_run(
    meeting: Meeting,
    case: Case | None = None,
    outcome_form: OutcomeForm | None = None,
    problem: str | None = None,
    conflict: Discussion | None = None,
    new_action_form: ActionForm | None = None,
    action_problem: str | None = None,
) -> str:
    cases = load_cases(meeting, prep=False)
    decided = {d.case_id: d for d in ops.discussions(meeting)}
    case = case or _current(cases, decided)
    if case is not None:
        load_prep(case)  # only the case in hand shows its preparation
    today = today_in(meeting.team.time_zone)
    # Matters arising in full only where they are shown; beside a case, how many are open.
    arising = matters_arising(meeting, today) if case is None else None
    actions, open_count = (
        (arising.own, len(arising.open)) if arising is not None else own_and_open_count(meeting)
    )
    discussion = decided.get(case.id) if case else None
    outcome_form = outcome_form or _saved_outcome(discussion)
    actual = quorum.actual(meeting)
    position = cases.index(case) if case in cases else -1
    return render_audited(
        "minutes/run.html",
        patient_ids=[c.patient_id for c in cases] + (arising.patient_ids() if arising else []),
        what=f"meeting mode of meeting {meeting.id}",
        meeting=meeting,
        cases=cases,
        case=case,
        previous=cases[position - 1] if position > 0 else None,
        following=cases[position + 1] if 0 <= position < len(cases) - 1 else None,
        decided=decided,
        discussion=discussion,
        conflict_with=conflict,
        arising=arising,
        open_count=open_count,
        actions=[a for a in actions if case and a.case_id == case.id],
        # Each action added moves the new-action form's draft on (see static/app.js).
        action_total=sum(1 for a in actions if case and a.case_id == case.id),
        action_count={c.id: sum(1 for a in actions if a.case_id == c.id) for c in cases},
        today=today,
        now=now_utc(),
        actual=actual,
        quorate=quorum.is_quorate(actual),
        outcome_form=outcome_form,
        new_action_form=new_action_form or (action_form(meeting, formdata=False) if case else None),
        action_problem=action_problem,
        attendance_form=AttendanceForm(formdata=None),
        # Until recorded, each invitee's attendance as their reply said ("from replies").
        as_replied={inv.id: quorum.as_replied(inv) for inv in meeting.invitations},
        unconfirmed=any(inv.attendance is None for inv in meeting.invitations),
        close_form=EmptyForm(),
        problem=problem,
        conflict=OUTCOME_CONFLICT if conflict is not None else None,
        local_start=to_local(meeting.starts_at, meeting.team.time_zone),
        title=f"Meeting mode: {meeting.team.name}",
    )


def _saved_outcome(discussion: Discussion | None) -> OutcomeForm:
    """The form as the saved outcome left it (a "not reached" is not a choice: left blank)."""
    if discussion is None:
        return OutcomeForm(formdata=None, revision=0)
    chosen = discussion.outcome in CHOSEN_OUTCOMES
    return OutcomeForm(
        formdata=None,
        obj=discussion,
        outcome=discussion.outcome.value if chosen else None,
        override=discussion.quorum_override is not None,
        override_reason=discussion.quorum_override,
        revision=discussion.revision,
    )


@bp.post("/meetings/<int:meeting_id>/cases/<int:case_id>/outcome")
@login_required
def outcome(meeting_id: int, case_id: int) -> str | Response:
    meeting = get_run_meeting_or_404(meeting_id)
    case = db.session.get(Case, case_id)
    if case is None or case.meeting_id != meeting.id:
        abort(404)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _render_run(meeting, case, form)
    try:
        ops.record_outcome(
            meeting,
            case,
            revision=form.revision.data,
            outcome=Outcome(form.outcome.data),
            summary=form.summary.data or "",
            review_date=form.review_date.data,
            override=form.override_reason.data if form.override.data else None,
            by=signed_in_user(),
        )
    except Conflict:
        db.session.rollback()
        meeting = get_run_meeting_or_404(meeting_id)
        case = db.session.get(Case, case_id)
        return _render_run(meeting, case, form, conflict=ops.discussion_of(meeting, case))  # type: ignore[arg-type]
    except ops.MinutesRefusal as refusal:
        db.session.rollback()
        meeting = get_run_meeting_or_404(meeting_id)
        return _render_run(meeting, db.session.get(Case, case_id), form, problem=str(refusal))
    db.session.commit()
    flash(f"Outcome saved for {case.patient.name}.", "outcome")
    return redirect(
        url_for("minutes.run", meeting_id=meeting.id, case=case.id, _anchor="outcome-saved")
    )


@bp.post("/meetings/<int:meeting_id>/cases/<int:case_id>/actions")
@login_required
def add_action(meeting_id: int, case_id: int) -> str | Response:
    """An action added in meeting mode: saved, back to the case's actions; refused, the
    case re-shown in meeting mode with the error and what was typed."""
    meeting = get_run_meeting_or_404(meeting_id)
    case = db.session.get(Case, case_id)
    if case is None or case.meeting_id != meeting.id:
        abort(404)
    form = action_form(meeting)
    if not form.validate_on_submit():
        return _render_run(meeting, case, new_action_form=form)
    try:
        action = action_ops.create(
            meeting,
            case,
            owner=chosen_owner(form, meeting.team),
            due=form.due_date.data,
            description=form.description.data,
            by=signed_in_user(),
            today=form.today,  # type: ignore[arg-type]
        )
    except action_ops.ActionRefusal as refusal:
        db.session.rollback()
        meeting = get_run_meeting_or_404(meeting_id)
        case = db.session.get(Case, case_id)
        return _render_run(meeting, case, new_action_form=form, action_problem=str(refusal))
    db.session.commit()
    flash(f"Action added for {action.owner.name}, due {action.due_date:%-d %B %Y}.", "action")
    return redirect(
        url_for("minutes.run", meeting_id=meeting.id, case=case.id, _anchor=f"action-{action.id}")
    )


@bp.route("/meetings/<int:meeting_id>/close", methods=["GET", "POST"])
@login_required
def close(meeting_id: int) -> str | Response:
    meeting = get_run_meeting_or_404(meeting_id)
    form = EmptyForm()
    problem = None
    if form.validate_on_submit():
        try:
            moved = ops.close(meeting, signed_in_user(), now_utc())
        except ops.MinutesRefusal as refusal:
            db.session.rollback()
            problem = str(refusal)
            meeting = get_run_meeting_or_404(meeting_id)
        else:
            db.session.commit()
            rolled = f" {len(moved)} case(s) carried to the next meeting." if moved else ""
            flash(f"The meeting is closed and the minutes have been sent.{rolled}")
            return redirect(url_for("minutes.view", meeting_id=meeting.id))
    elif request.method == "POST":
        problem = "Nothing was changed: the form had expired. Try again."
    cases = load_cases(meeting, prep=False)  # the page lists them, without their prep
    decided = {d.case_id: d for d in ops.discussions(meeting)}
    return render_audited(
        "minutes/close.html",
        patient_ids=[c.patient_id for c in cases],
        what=f"closing meeting {meeting.id}",
        meeting=meeting,
        cases=cases,
        decided=decided,
        form=form,
        problem=problem,
        not_started=meeting.starts_at > now_utc(),
        title="Close the meeting",
    )


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def view(meeting_id: int) -> str:
    meeting = get_agenda_meeting_or_404(meeting_id)
    content = ops.minutes_content(meeting)
    return render_audited(
        "minutes/view.html",
        patient_ids=[d.case.patient_id for d in content["discussions"]],  # type: ignore[attr-defined]
        what=f"minutes of meeting {meeting.id}",
        **content,
        closed=meeting.status is MeetingStatus.HELD,
        title="Minutes",
    )
