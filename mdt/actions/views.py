from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.actions import operations as ops
from mdt.actions.access import get_action_or_404
from mdt.actions.adding import action_form, add_action_from, owner_choices
from mdt.actions.blueprint import bp
from mdt.actions.forms import (
    ActionForm,
    CancelForm,
    DoneForm,
    ReassignForm,
    ReopenForm,
    RescheduleForm,
)
from mdt.actions.models import ActionPoint
from mdt.actions.queries import actions_agreed_on, my_actions
from mdt.agenda.access import get_case_or_404
from mdt.agenda.models import Case
from mdt.audit.operations import render_audited
from mdt.core.days import SERVICE_ZONE, today_in
from mdt.core.forms import BaseForm
from mdt.core.revisions import Conflict
from mdt.extensions import db
from mdt.meetings.models import Meeting

ACTION_CONFLICT = (
    "Someone else changed this action while you were looking at it, so your change was not "
    "saved. The action as it is now is shown: check it and try again."
)


# --- my actions ----------------------------------------------------------------------------


@bp.get("/actions")
@login_required
def mine() -> str:
    return _render_mine({})


def _render_mine(forms: dict[int, DoneForm], conflict_id: int | None = None) -> str:
    today = today_in(SERVICE_ZONE)
    mine = my_actions(signed_in_user().id, today)
    every = mine.overdue + mine.this_week + mine.later
    for action in every:
        forms.setdefault(
            action.id, DoneForm(formdata=None, revision=action.revision, prefix=f"a{action.id}")
        )
    page = render_audited(
        "actions/mine.html",
        patient_ids=mine.patient_ids(),
        what="my actions",
        mine=mine,
        forms=forms,
        today=today,
        conflict_id=conflict_id,
        conflict=ACTION_CONFLICT,
        title="My actions",
    )
    db.session.commit()
    return page


@bp.post("/actions/<int:action_id>/done")
@login_required
def done(action_id: int) -> str | WerkzeugResponse:
    action = get_action_or_404(action_id, change=True)
    from_mine = request.form.get("from") == "mine"
    form = DoneForm(prefix=f"a{action.id}" if from_mine else "d")
    if form.validate_on_submit():
        try:
            ops.complete(action, form.revision.data, form.note.data, signed_in_user())
        except (Conflict, ops.ActionRefusal) as problem:
            db.session.rollback()
            message = ACTION_CONFLICT if isinstance(problem, Conflict) else str(problem)
            if from_mine:
                return _render_mine({action.id: form}, conflict_id=action.id)
            return _render_detail(action, done_form=form, problem=message)
        db.session.commit()
        flash("The action is marked done.")
        return redirect(url_for("actions.mine") if from_mine else _detail_url(action))
    if from_mine:
        return _render_mine({action.id: form})
    return _render_detail(action, done_form=form)


# --- one action ----------------------------------------------------------------------------


def _detail_url(action: ActionPoint) -> str:
    return url_for("actions.detail", action_id=action.id)


@bp.get("/actions/<int:action_id>")
@login_required
def detail(action_id: int) -> str:
    return _render_detail(get_action_or_404(action_id))


def _render_detail(action: ActionPoint, problem: str | None = None, **forms: BaseForm) -> str:
    rev = action.revision
    reassign = forms.get("reassign_form") or ReassignForm(formdata=None, revision=rev)
    can_change = ops.can_change(action, signed_in_user())
    # The people to hand over to: only listed where the form is shown.
    shown = can_change and action.is_open
    reassign.owner_id.choices = owner_choices(action.team, exclude=action.owner_id) if shown else []
    page = render_audited(
        "actions/detail.html",
        patient_ids=[action.patient_id] if action.patient_id else [],
        what=f"action {action.id}",
        action=action,
        can_change=can_change,
        today=today_in(action.team.time_zone),
        problem=problem,
        done_form=forms.get("done_form") or DoneForm(formdata=None, revision=rev, prefix="d"),
        cancel_form=forms.get("cancel_form") or CancelForm(formdata=None, revision=rev),
        reopen_form=forms.get("reopen_form") or ReopenForm(formdata=None, revision=rev),
        reassign_form=reassign,
        reschedule_form=forms.get("reschedule_form")
        or RescheduleForm(formdata=None, revision=rev, due_date=action.due_date),
        title="Action",
    )
    db.session.commit()
    return page


def _change(action_id: int, form_name: str, form: BaseForm, apply) -> str | WerkzeugResponse:  # type: ignore[no-untyped-def]
    """Validate, apply, commit; a conflict or refusal re-shows the page with what was typed."""
    action = get_action_or_404(action_id, change=True)
    if form_name == "reassign_form":
        form.owner_id.choices = owner_choices(action.team, exclude=action.owner_id)  # type: ignore[attr-defined]
    if form_name == "reschedule_form":
        form.today = today_in(action.team.time_zone)  # type: ignore[attr-defined]
    if not form.validate_on_submit():
        return _render_detail(action, **{form_name: form})
    try:
        message = apply(action, form)
    except (Conflict, ops.ActionRefusal) as problem:
        db.session.rollback()
        action = get_action_or_404(action_id, change=True)
        text = ACTION_CONFLICT if isinstance(problem, Conflict) else str(problem)
        return _render_detail(action, problem=text, **{form_name: form})
    db.session.commit()
    flash(message)
    return redirect(_detail_url(action))


@bp.post("/actions/<int:action_id>/cancel")
@login_required
def cancel(action_id: int) -> str | WerkzeugResponse:
    def apply(action: ActionPoint, form: CancelForm) -> str:
        ops.cancel(action, form.revision.data, form.reason.data or "", signed_in_user())
        return "The action is cancelled."

    return _change(action_id, "cancel_form", CancelForm(), apply)


@bp.post("/actions/<int:action_id>/reopen")
@login_required
def reopen(action_id: int) -> str | WerkzeugResponse:
    def apply(action: ActionPoint, form: ReopenForm) -> str:
        ops.reopen(action, form.revision.data, form.reason.data or "", signed_in_user())
        return "The action is open again."

    return _change(action_id, "reopen_form", ReopenForm(), apply)


@bp.post("/actions/<int:action_id>/reassign")
@login_required
def reassign(action_id: int) -> str | WerkzeugResponse:
    def apply(action: ActionPoint, form: ReassignForm) -> str:
        owner = db.session.get(User, form.owner_id.data) or abort(400)
        ops.reassign(action, form.revision.data, owner, signed_in_user())
        return f"The action is handed over to {owner.name}, who has been told by email."

    return _change(action_id, "reassign_form", ReassignForm(), apply)


@bp.post("/actions/<int:action_id>/reschedule")
@login_required
def reschedule(action_id: int) -> str | WerkzeugResponse:
    def apply(action: ActionPoint, form: RescheduleForm) -> str:
        ops.reschedule(
            action,
            form.revision.data,
            form.due_date.data,
            form.reason.data or "",
            signed_in_user(),
            today_in(action.team.time_zone),
        )
        return "The due date is changed."

    return _change(action_id, "reschedule_form", RescheduleForm(), apply)


# --- a new action, from a case in meeting mode ----------------------------------------------


@bp.route("/cases/<int:case_id>/actions/new", methods=["GET", "POST"])
@login_required
def new(case_id: int) -> str | WerkzeugResponse:
    case, meeting = get_case_or_404(case_id)
    if not meeting.can_run(current_user):
        abort(403)
    form = action_form(meeting, formdata=request.method == "POST")
    problem = None
    if form.validate_on_submit():
        try:
            action = add_action_from(form, meeting, case, signed_in_user())
        except ops.ActionRefusal as refusal:
            db.session.rollback()
            problem = str(refusal)
        else:
            db.session.commit()
            flash(f"Action added for {action.owner.name}, due {action.due_date:%-d %B %Y}.")
            return redirect(url_for("minutes.run", meeting_id=meeting.id, case=case.id))
    return _render_new(case, meeting, form, problem)


def _render_new(case: Case, meeting: Meeting, form: ActionForm, problem: str | None) -> str:
    page = render_audited(
        "actions/new.html",
        patient_ids=[case.patient_id],
        what=f"new action for case {case.id}",
        action_total=actions_agreed_on(case, meeting),
        form=form,
        case=case,
        meeting=meeting,
        problem=problem,
        title="Add an action",
    )
    db.session.commit()
    return page


# The team's list and CSV are routes of this blueprint too.
from mdt.actions import team as _team  # noqa: E402,F401
