"""Subject access for administrators: one person's records, as a page or a JSON file.

Only administrators, and the export is audited ("export", one row). The NHS number is
posted, never put in the address, and the file's name does not carry it.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template
from werkzeug.wrappers import Response as BaseResponse

from mdt.accounts.access import admin_required
from mdt.audit import queries as audit_log
from mdt.audit.models import AuditEvent
from mdt.audit.operations import record
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.patients.models import Patient
from mdt.retention.disposal import hash_key
from mdt.retention.rules import nhs_number_hash
from mdt.subject_access import bundle
from mdt.subject_access.forms import SubjectAccessForm

bp = Blueprint("subject_access", __name__, url_prefix="/admin/subject-access")

# The audit log names patients, whose model sits above it.
audit_log.register_patients(Patient)


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index() -> str | BaseResponse:
    form = SubjectAccessForm()
    if not form.validate_on_submit():
        return render_template("subject_access/form.html", form=form, title="Subject access")
    number = form.nhs_number.data
    patient = db.session.scalar(sa.select(Patient).where(Patient.nhs_number == number))
    if patient is None:
        return render_template(
            "subject_access/none.html",
            form=form,
            disposed=_disposal_of(number),
            title="Subject access",
        )
    export = bundle.build(patient, now_utc())
    as_json = form.format.data == "json"
    record("export", [patient.id], f"subject access export ({'JSON' if as_json else 'page'})")
    if as_json:
        response: str | BaseResponse = _json_download(export)
    else:
        response = render_template(
            "subject_access/report.html", export=export, title="Subject access report"
        )
    db.session.commit()
    return response


def _json_download(export: bundle.Export) -> Response:
    body = json.dumps(export.document(), indent=2, ensure_ascii=False)
    name = f"subject-access-{export.generated_at:%Y%m%d-%H%M%S}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _disposal_of(nhs_number: str) -> AuditEvent | None:
    """A disposed patient is named in the audit only by a keyed hash of their NHS number:
    the same key finds the row, so the answer can say when their records went."""
    digest = nhs_number_hash(nhs_number, hash_key(current_app.config))
    return db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "dispose", AuditEvent.what.contains(digest))
        .limit(1)
    )
