from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import login_required

from mdt.accounts.access import signed_in_user
from mdt.audit.operations import record
from mdt.core.db import inline
from mdt.core.forms import search_form
from mdt.extensions import db
from mdt.patients.access import get_patient_or_404, visible_cases_of, visible_patients
from mdt.patients.models import Patient

bp = Blueprint("patients", __name__, url_prefix="/patients")


@bp.get("/")
@login_required
def index() -> str:
    """Find a patient by NHS number or name, among those you may see."""
    search = search_form("q", "NHS number or name")
    q = search.text()
    found: list[Patient] = []
    if q:
        query = sa.select(Patient).where(Patient.id.in_(visible_patients(signed_in_user())))
        digits = re.sub(r"[\s-]", "", q)
        if digits.isdigit():
            query = query.where(Patient.nhs_number == digits)
        else:
            query = query.where(sa.func.lower(Patient.name).contains(q.lower()))
        found = list(db.session.scalars(query.order_by(Patient.name).limit(inline(50))))
        record("view", [p.id for p in found], "patient search results")
        db.session.commit()
    return render_template(
        "patients/index.html", q=q, search=search, found=found, title="Find a patient"
    )


@bp.get("/<int:patient_id>")
@login_required
def detail(patient_id: int) -> str:
    patient = get_patient_or_404(patient_id)
    cases = visible_cases_of(patient, signed_in_user())
    record("view", [patient.id], "patient record")
    db.session.commit()
    return render_template("patients/detail.html", patient=patient, cases=cases, title="Patient")
