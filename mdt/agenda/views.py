from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.agenda import operations as ops
from mdt.agenda.access import (
    get_agenda_meeting_or_404,
    get_case_or_404,
    load_cases,
)
from mdt.agenda.cutoff import agenda_cutoff
from mdt.agenda.forms import CaseForm
from mdt.agenda.queries import matters_arising
from mdt.audit.operations import record, render_audited
from mdt.core.days import today_in
from mdt.core.forms import EmptyForm, choices
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.access import Need, get_meeting_or_404
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
    is_member = meeting.team.membership_of(signed_in_user()) is not None
    arising = matters_arising(meeting, today) if is_member else None
    page = render_audited(
        "agenda/index.html",
        patient_ids=[c.patient_id for c in cases] + (arising.patient_ids() if arising else []),
        what=f"agenda of meeting {meeting.id}",
        meeting=meeting,
        cases=cases,
        arising=arising,
        today=today,
        cutoff=agenda_cutoff(meeting),
        now=now_utc(),
        can_manage=meeting.team.can_manage(signed_in_user()),
        is_member=is_member,
        defer_form=EmptyForm(),
        title="Agenda",
    )
    db.session.commit()
    return page


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
    meeting = get_meeting_or_404(meeting_id, Need.MEMBER)
    form = _case_form(meeting)
    problem = None
    if form.validate_on_submit():
        try:
            case = ops.add_referred_case(
                meeting, signed_in_user(), now_utc(), form.person(), **form.case_fields()
            )
        except ops.AgendaRefusal as refusal:
            problem = _refused(meeting, refusal)
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


def _refused(meeting: Meeting, refusal: ops.AgendaRefusal) -> str:
    """Rolls the attempt back; a number recorded for a patient not theirs is audited."""
    db.session.rollback()
    if refusal.probed is not None:
        record("refused", [refusal.probed], f"case not added to meeting {meeting.id}")
        db.session.commit()
    return str(refusal)


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> str:
    case, meeting = get_case_or_404(case_id)
    page = render_audited(
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
    db.session.commit()
    return page


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
    meeting = get_meeting_or_404(meeting_id, Need.MEMBER | Need.COVER | Need.RUN)
    cases = load_cases(meeting)
    page = render_audited(
        "agenda/pack.html",
        patient_ids=[c.patient_id for c in cases],
        what=f"meeting pack of meeting {meeting.id}",
        verb="export",
        meeting=meeting,
        cases=cases,
        title="Meeting pack",
    )
    db.session.commit()
    return page
