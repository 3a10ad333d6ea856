from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.agenda.access import load_cases
from mdt.audit.operations import record, render_audited
from mdt.core.days import SERVICE_ZONE, today_in
from mdt.core.forms import choices
from mdt.core.revisions import Conflict
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.access import Need, get_meeting_or_404
from mdt.prep import operations as ops
from mdt.prep import queries
from mdt.prep.access import get_request_or_404
from mdt.prep.forms import HandOverForm, NotKnownForm, PrepForm
from mdt.prep.models import Known
from mdt.prep.readiness import readiness

bp = Blueprint("prep", __name__)

PREP_CONFLICT = (
    "Someone else saved this preparation while you were writing, so yours was not saved. "
    "Theirs is shown; what you typed is below it: check and save again."
)


#: A flash category starting so carries "<request id>-<revision>" for the Undo button.
UNDO_CATEGORY = "not-known-"


@bp.get("/prep")
@login_required
def mine() -> str:
    return _render_mine({}, opened=request.args.get("prepare", type=int))


def _render_mine(
    forms: dict[int, PrepForm], conflict_id: int | None = None, opened: int | None = None
) -> str:
    """The list, with the form open for one request: the one asked for (`?prepare=`), one
    re-shown with errors or a conflict, or else the first (soonest deadline). The others
    have a link that opens theirs, so the page costs the same whatever the person owes."""
    now = now_utc()
    today = today_in(SERVICE_ZONE)  # for the person's age
    requests = queries.open_requests(signed_in_user(), now, today)
    # A request re-shown with errors or a conflict stays on the page even if it is done.
    shown = {r.id for r in requests}
    again = (i for i in forms if i not in shown)
    requests = queries.listed(again, signed_in_user(), now, today) + requests
    if not forms and requests:
        chosen = next((r for r in requests if r.id == opened), requests[0])
        forms[chosen.id] = PrepForm(formdata=None, obj=chosen, prefix=f"p{chosen.id}")
    page = render_audited(
        "prep/mine.html",
        patient_ids=[r.patient_id for r in requests],
        what="my preparation list",
        requests=requests,
        forms=forms,
        csrf=generate_csrf(),
        conflict_id=conflict_id,
        conflict=PREP_CONFLICT,
        undo_category=UNDO_CATEGORY,
        title="My prep",
    )
    db.session.commit()
    return page


@bp.post("/prep/<int:request_id>")
@login_required
def save(request_id: int) -> str | Response:
    prep = get_request_or_404(request_id)
    form = PrepForm(prefix=f"p{prep.id}")
    if not form.validate_on_submit():
        return _render_mine({prep.id: form})
    try:
        ops.complete(
            prep,
            form.revision.data,
            Known(form.known.data),
            form.involvement.data or "",
            form.concerns.data or "",
            form.safeguarding.data,
            form.needs.data or "",
        )
    except Conflict:
        db.session.rollback()
        return _render_mine({prep.id: form}, conflict_id=prep.id)
    record("update", [prep.case.patient_id], f"preparation {prep.id}")
    db.session.commit()
    flash(f"Your preparation for {prep.case.patient.name} is saved.")
    return redirect(url_for("prep.mine"))


@bp.post("/prep/<int:request_id>/not-known")
@login_required
def not_known(request_id: int) -> Response:
    prep = get_request_or_404(request_id)
    form = NotKnownForm()
    if not form.validate_on_submit():
        flash("Nothing was changed: the form had expired. Try again.")
        return redirect(url_for("prep.mine"))
    try:
        ops.not_known(prep, form.revision.data)
    except Conflict:
        flash(PREP_CONFLICT)
        return redirect(url_for("prep.mine"))
    record("update", [prep.case.patient_id], f"preparation {prep.id}: not known")
    db.session.commit()
    # The category carries what the message's Undo button posts (see prep/mine.html).
    flash(
        f"{prep.case.patient.name}: marked not known to your service.",
        f"{UNDO_CATEGORY}{prep.id}-{prep.revision}",
    )
    return redirect(url_for("prep.mine"))


@bp.post("/prep/<int:request_id>/undo-not-known")
@login_required
def undo_not_known(request_id: int) -> Response:
    """Undo of the one-click "Not known": the request is open again, as it was."""
    prep = get_request_or_404(request_id)
    form = NotKnownForm()
    if not form.validate_on_submit():
        flash("Nothing was changed: the form had expired. Try again.")
        return redirect(url_for("prep.mine"))
    try:
        ops.undo_not_known(prep, form.revision.data, now_utc())
    except Conflict:
        flash(PREP_CONFLICT)
        return redirect(url_for("prep.mine"))
    except ops.TooLateToUndo:
        flash("It is too late to undo that: open the preparation and change it instead.")
        return redirect(url_for("prep.mine"))
    record("update", [prep.case.patient_id], f"preparation {prep.id}: not known undone")
    db.session.commit()
    flash(f"{prep.case.patient.name}: open again to prepare.")
    return redirect(url_for("prep.mine", prepare=prep.id, _anchor=f"request-{prep.id}"))


@bp.route("/prep/<int:request_id>/handover", methods=["GET", "POST"])
@login_required
def handover(request_id: int) -> str | Response:
    prep = get_request_or_404(request_id)
    form = HandOverForm()
    form.colleague_id.choices = choices(
        [(0, "Choose a colleague")] + [(u.id, u.name) for u in ops.colleagues_for(prep)]
    )
    if form.validate_on_submit() and form.colleague_id.data:
        colleague = db.session.get(User, form.colleague_id.data) or abort(400)
        ops.hand_over(prep, colleague, signed_in_user())
        db.session.commit()
        flash(f"Handed to {colleague.name}.")
        return redirect(url_for("prep.mine"))
    if request.method == "POST" and not form.colleague_id.data:
        form.colleague_id.errors = ["Choose a colleague"]
    page = render_audited(
        "prep/handover.html",
        patient_ids=[prep.case.patient_id],
        what=f"handing over preparation {prep.id}",
        form=form,
        prep=prep,
        title="Hand over",
    )
    db.session.commit()
    return page


@bp.get("/meetings/<int:meeting_id>/readiness")
@login_required
def readiness_page(meeting_id: int) -> str:
    meeting = get_meeting_or_404(meeting_id, Need.MEMBER | Need.COVER | Need.RUN)
    cases = load_cases(meeting)
    page = render_audited(
        "prep/readiness.html",
        patient_ids=[c.patient_id for c in cases],
        what=f"readiness of meeting {meeting.id}",
        meeting=meeting,
        report=readiness(cases, now_utc()),
        title="Readiness",
    )
    db.session.commit()
    return page
