"""Retention for administrators: what falls due in the next 90 days, and legal holds.

The page names patients to an administrator who may be in none of their teams, so every
patient shown gets a "view" audit row, as on the audit log; placing or lifting a hold is
an "update" row.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from mdt.accounts.access import admin_required, signed_in_user
from mdt.audit.operations import render_audited
from mdt.core.days import SERVICE_ZONE, today_in
from mdt.extensions import db
from mdt.patients.models import Patient
from mdt.retention import operations, queries
from mdt.retention.forms import HoldForm, LiftForm
from mdt.retention.models import LegalHold

bp = Blueprint("retention", __name__, url_prefix="/admin/retention")

#: How far ahead the page looks.
AHEAD_DAYS = 90


@bp.get("/")
@admin_required
def index() -> str:
    today = today_in(SERVICE_ZONE)
    rows = queries.falling_due(current_app.config, today + timedelta(days=AHEAD_DAYS))
    page = render_audited(
        "retention/index.html",
        patient_ids=[row.patient.id for row in rows],
        what="retention: falling due",
        rows=rows,
        today=today,
        ahead=AHEAD_DAYS,
        default_years=queries.default_years(current_app.config),
        title="Retention and legal holds",
    )
    db.session.commit()
    return page


@bp.route("/hold", methods=["GET", "POST"])
@admin_required
def hold() -> str | Response:
    """Place a hold: the NHS number travels in the form, never in the address (a link from
    the list passes the patient's id and the form shows their number)."""
    form, shown = HoldForm(), []
    chosen = request.args.get("patient", type=int)
    if request.method == "GET" and chosen:
        patient = db.session.get(Patient, chosen) or abort(404)
        form.nhs_number.data, shown = patient.nhs_number_display, [patient.id]
    if form.validate_on_submit() and (placed := _place_hold(form)) is not None:
        return placed
    page = render_audited(
        "retention/hold.html",
        patient_ids=shown,
        what="retention: place a legal hold",
        form=form,
        title="Place a legal hold",
    )
    db.session.commit()
    return page


def _place_hold(form: HoldForm) -> Response | None:
    """Places the hold the form asks for and redirects; None, with the form's errors, if
    it cannot."""
    patient = queries.patient_by_nhs_number(form.nhs_number.data)
    if patient is None:
        form.nhs_number.errors.append("No patient with this NHS number is held here")
        return None
    try:
        operations.place_hold(patient, form.reason.data, signed_in_user())
    except operations.HoldRefusal as exc:
        form.nhs_number.errors.append(str(exc))
        return None
    db.session.commit()
    flash(f"A legal hold is placed on {patient.name}'s records.")
    return redirect(url_for("retention.index"))


@bp.route("/holds/<int:hold_id>/lift", methods=["GET", "POST"])
@admin_required
def lift(hold_id: int) -> str | Response:
    found = db.session.get(LegalHold, hold_id)
    if found is None or not found.active:
        abort(404)
    patient = db.session.get(Patient, found.patient_id) or abort(404)
    form = LiftForm()
    if form.validate_on_submit():
        operations.lift_hold(found, form.reason.data, signed_in_user())
        db.session.commit()
        flash(f"The legal hold on {patient.name}'s records is lifted.")
        return redirect(url_for("retention.index"))
    page = render_audited(
        "retention/lift.html",
        patient_ids=[patient.id],
        what=f"legal hold {found.id}",
        form=form,
        hold=found,
        patient=patient,
        title="Lift a legal hold",
    )
    db.session.commit()
    return page
