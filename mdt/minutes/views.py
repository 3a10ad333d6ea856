from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.actions import operations as action_ops
from mdt.actions.adding import action_form, add_action_from
from mdt.actions.forms import ActionForm
from mdt.agenda.access import get_agenda_meeting_or_404, load_cases
from mdt.agenda.models import Case
from mdt.audit.operations import render_audited
from mdt.core.forms import EmptyForm
from mdt.core.revisions import EXPIRED, Conflict
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.access import Need, get_meeting_or_404
from mdt.meetings.forms import AttendanceForm
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.minutes import operations as ops
from mdt.minutes.forms import OutcomeForm
from mdt.minutes.models import CHOSEN_OUTCOMES, Discussion
from mdt.minutes.queries import meeting_mode

bp = Blueprint("minutes", __name__)

OUTCOME_CONFLICT = (
    "Someone else saved an outcome for this case while you were writing, so yours was not "
    "saved. Theirs is shown below the form; what you typed is still in the form: check it "
    "against theirs and save again."
)


def get_run_meeting_or_404(meeting_id: int, people: bool = True) -> Meeting:
    """Meeting mode is for the chair, the minute-taker and the team's coordinators, among
    those who may see the meeting's cases (mdt.patients.access). The page itself needs the
    members' roles only (`people=False`); a new action's owner is checked against theirs."""
    return get_meeting_or_404(meeting_id, Need.MEMBER | Need.COVER | Need.RUN, people=people)


def _get_run_case_or_404(meeting_id: int, case_id: int) -> tuple[Meeting, Case]:
    meeting = get_run_meeting_or_404(meeting_id)
    case = db.session.get(Case, case_id)
    if case is None or case.meeting_id != meeting.id:
        abort(404)
    return meeting, case


@bp.get("/meetings/<int:meeting_id>/run")
@login_required
def run(meeting_id: int) -> str:
    meeting = get_run_meeting_or_404(meeting_id, people=False)
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
    mode = meeting_mode(meeting, case, request.args.get("case", ""))
    page = render_audited(
        "minutes/run.html",
        patient_ids=mode.patient_ids(),
        what=f"meeting mode of meeting {meeting.id}",
        meeting=meeting,
        **mode.page(),
        conflict_with=conflict,
        now=now_utc(),
        outcome_form=outcome_form or _saved_outcome(mode.discussion),
        new_action_form=new_action_form
        or (action_form(meeting, formdata=False) if mode.case else None),
        action_problem=action_problem,
        attendance_form=AttendanceForm(formdata=None),
        close_form=EmptyForm(),
        problem=problem,
        conflict=OUTCOME_CONFLICT if conflict is not None else None,
        title=f"Meeting mode: {meeting.team.name}",
    )
    db.session.commit()
    return page


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
    meeting, case = _get_run_case_or_404(meeting_id, case_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _render_run(meeting, case, form)
    try:
        ops.record_outcome(meeting, case, by=signed_in_user(), **form.outcome_fields())
    except (Conflict, ops.MinutesRefusal) as refused:
        db.session.rollback()
        meeting, case = _get_run_case_or_404(meeting_id, case_id)
        if isinstance(refused, Conflict):
            return _render_run(meeting, case, form, conflict=ops.discussion_of(meeting, case))
        return _render_run(meeting, case, form, problem=str(refused))
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
    meeting, case = _get_run_case_or_404(meeting_id, case_id)
    form = action_form(meeting)
    if not form.validate_on_submit():
        return _render_run(meeting, case, new_action_form=form)
    try:
        action = add_action_from(form, meeting, case, signed_in_user())
    except action_ops.ActionRefusal as refusal:
        db.session.rollback()
        meeting, case = _get_run_case_or_404(meeting_id, case_id)
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
        problem = EXPIRED
    return _render_close(meeting, form, problem)


def _render_close(meeting: Meeting, form: EmptyForm, problem: str | None) -> str:
    cases = load_cases(meeting, prep=False)  # the page lists them, without their prep
    decided = {d.case_id: d for d in ops.discussions(meeting)}
    page = render_audited(
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
    db.session.commit()
    return page


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def view(meeting_id: int) -> str:
    meeting = get_agenda_meeting_or_404(meeting_id)
    content = ops.minutes_content(meeting)
    page = render_audited(
        "minutes/view.html",
        patient_ids=[d.case.patient_id for d in content["discussions"]],  # type: ignore[attr-defined]
        what=f"minutes of meeting {meeting.id}",
        **content,
        closed=meeting.status is MeetingStatus.HELD,
        title="Minutes",
    )
    db.session.commit()
    return page
