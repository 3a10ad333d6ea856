from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.agenda import operations as ops
from mdt.agenda.access import (
    get_agenda_meeting_or_404,
    get_case_or_404,
    get_member_meeting_or_404,
    load_cases,
)
from mdt.agenda.cutoff import agenda_cutoff
from mdt.agenda.forms import CaseForm
from mdt.agenda.models import Priority, Triage
from mdt.agenda.queries import matters_arising
from mdt.audit.operations import record, render_audited
from mdt.core.days import today_in
from mdt.core.forms import EmptyForm, choices
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.access import can_record_attendance
from mdt.meetings.models import Meeting
from mdt.organisations.models import Organisation, OrganisationType
from mdt.patients.access import may_see_agenda

bp = Blueprint("agenda", __name__)


@bp.get("/meetings/<int:meeting_id>/agenda")
@login_required
def index(meeting_id: int) -> str:
    meeting = get_agenda_meeting_or_404(meeting_id)
    cases = load_cases(meeting)
    today = today_in(meeting.team.time_zone)
    # Matters arising are other meetings' patients: the team's, not its cover's.
    is_member = meeting.team.membership_of(current_user) is not None
    arising = matters_arising(meeting, today) if is_member else None
    return render_audited(
        "agenda/index.html",
        patient_ids=[c.patient_id for c in cases] + (arising.patient_ids() if arising else []),
        what=f"agenda of meeting {meeting.id}",
        meeting=meeting,
        cases=cases,
        arising=arising,
        today=today,
        cutoff=agenda_cutoff(meeting),
        now=now_utc(),
        can_manage=meeting.team.can_manage(current_user),
        is_member=is_member,
        defer_form=EmptyForm(),
        title="Agenda",
    )


def _case_form(meeting: Meeting) -> CaseForm:
    form = CaseForm()
    practices = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.type == OrganisationType.GP_PRACTICE)
        .order_by(Organisation.name)
    )
    form.registered_practice_id.choices = choices(
        [(0, "Choose a practice")] + [(p.id, p.name) for p in practices]
    )
    form.agenda_closed = now_utc() >= agenda_cutoff(meeting)
    members = sorted(meeting.team.memberships, key=lambda m: m.user.name)
    form.key_worker_id.choices = choices(
        [(0, "Not named yet")] + [(m.user_id, m.user.name) for m in members]
    )
    return form


@bp.route("/meetings/<int:meeting_id>/cases/new", methods=["GET", "POST"])
@login_required
def new_case(meeting_id: int) -> str | Response:
    meeting = get_member_meeting_or_404(meeting_id)
    form = _case_form(meeting)
    problem = None
    # Before the cut-off the reason is not asked for, so whatever came with the form is not it.
    late_reason = form.late_reason.data if form.agenda_closed else None
    if form.validate_on_submit():
        try:
            priority = Priority(form.priority.data)
            ops.check_open_to(meeting, now_utc(), priority, late_reason)
            patient = ops.find_or_create_patient(
                form.nhs_number.data,
                form.name.data,
                form.date_of_birth.data,
                form.registered_practice_id.data,
                signed_in_user(),
            )
            case = ops.add_case(
                meeting,
                patient,
                current_user,
                now_utc(),  # type: ignore[arg-type]
                reason=form.reason.data,
                priority=priority,
                late_reason=late_reason,
                what_matters=(form.what_matters.data or "").strip(),
                questions=(form.questions.data or "").strip(),
                disciplines_needed="|".join(form.disciplines.data or []),
                key_worker_id=form.key_worker_id.data or None,
                minutes=form.minutes.data,
                triage=Triage(form.triage.data),
            )
        except ops.AgendaRefusal as refusal:
            db.session.rollback()
            problem = str(refusal)
            if refusal.probed is not None:  # a number recorded for a patient not theirs
                record("refused", [refusal.probed], f"case not added to meeting {meeting.id}")
                db.session.commit()
        else:
            db.session.commit()
            flash(f"{case.patient.name} is on the agenda; preparation has been requested.")
            return redirect(url_for("agenda.index", meeting_id=meeting.id))
    return render_template(
        "agenda/new_case.html",
        form=form,
        meeting=meeting,
        problem=problem,
        cutoff=agenda_cutoff(meeting),
        title="Add a case",
    )


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> str:
    case, meeting = get_case_or_404(case_id)
    return render_audited(
        "agenda/case.html",
        patient_ids=[case.patient_id],
        what=f"case {case.id}",
        case=case,
        meeting=meeting,
        # Whoever sees the case only through an action of theirs goes back to their actions.
        on_agenda=may_see_agenda(signed_in_user(), meeting),
        now=now_utc(),
        title="Case",
    )


@bp.post("/cases/<int:case_id>/defer")
@login_required
def defer(case_id: int) -> Response:
    case, meeting = get_case_or_404(case_id, manage=True)
    if not EmptyForm().validate_on_submit():
        flash("Nothing was changed: the form had expired. Try again.")
        return redirect(url_for("agenda.index", meeting_id=meeting.id))
    try:
        target = ops.defer(case, meeting)
    except ops.AgendaRefusal as refusal:
        flash(str(refusal))
        return redirect(url_for("agenda.index", meeting_id=meeting.id))
    db.session.commit()
    flash("The case is deferred to the next meeting, with the preparation already done.")
    return redirect(url_for("agenda.index", meeting_id=target.id))


@bp.get("/meetings/<int:meeting_id>/pack")
@login_required
def pack(meeting_id: int) -> str:
    meeting = get_agenda_meeting_or_404(meeting_id)
    if not can_record_attendance(meeting, current_user):
        abort(403)
    cases = load_cases(meeting)
    return render_audited(
        "agenda/pack.html",
        patient_ids=[c.patient_id for c in cases],
        what=f"meeting pack of meeting {meeting.id}",
        verb="export",
        meeting=meeting,
        cases=cases,
        title="Meeting pack",
    )
