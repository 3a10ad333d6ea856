"""The audit log for administrators: read and export only. Nothing here changes a row.

Looking at the log is itself recorded: it shows patients' names and NHS numbers to an
administrator who may be in none of their teams, so every patient on a page viewed (or in
a file exported) gets a "view" (or "export") row, as any other page showing them does.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, Response, current_app, g, request

from mdt.accounts.access import admin_required
from mdt.audit import queries
from mdt.audit.chain import last_verification
from mdt.audit.forms import AuditFilterForm
from mdt.audit.operations import record, render_audited, unsaved
from mdt.core.spreadsheet import csv_response
from mdt.core.time import now_utc
from mdt.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
log = logging.getLogger(__name__)

#: What the commit guard says of a response that left audit rows uncommitted.
UNCOMMITTED = "%s %s recorded an audit row but did not commit it: commit in the view"


@bp.after_app_request
def _audit_committed(response: Response) -> Response:
    """Every page that records audit rows commits them: one that forgot would have shown
    patients with nothing on record. A fault of ours, so loud in tests and development
    (raised), logged in production (the page has been rendered by then)."""
    session = g.get("db_session")
    if response.status_code < 400 and session is not None and unsaved(session):
        if current_app.testing or current_app.debug:
            raise AssertionError(UNCOMMITTED % (request.method, request.path))
        log.error(UNCOMMITTED, request.method, request.path)
    return response


CSV_COLUMNS = ("at_utc", "user", "user_email", "nhs_number", "patient", "action", "what")


def _filter_form() -> tuple[AuditFilterForm, bool]:
    form = AuditFilterForm(request.args)
    form.user_id.choices = [(0, "Anyone"), *queries.people()]  # type: ignore[assignment]
    return form, form.validate()


@bp.get("/")
@admin_required
def index() -> str:
    form, valid = _filter_form()
    rows, total, number, pages = [], 0, 1, 1
    if valid:
        total = queries.count(form)
        pages = max(1, math.ceil(total / queries.PAGE_SIZE))
        number = min(max(request.args.get("page", 1, type=int), 1), pages)
        rows = queries.page(form, number)
    page = render_audited(
        "audit/index.html",
        patient_ids=[row.patient.id for row in rows if row.patient],
        what="audit log",
        form=form,
        rows=rows,
        total=total,
        number=number,
        pages=pages,
        args={k: v for k, v in request.args.items() if k != "page"},
        when=queries.when,
        verification=last_verification(db.session),
        title="Audit log",
    )
    db.session.commit()
    return page


@bp.get("/export.csv")
@admin_required
def export() -> Response | str:
    form, valid = _filter_form()
    if not valid:
        return index()
    shown: set[int] = set()
    rows = []
    for row in queries.every_row(form):
        if row.patient:
            shown.add(row.patient.id)
        rows.append(_csv_row(row))
    record("export", shown, "audit log (CSV)")
    db.session.commit()
    return csv_response(CSV_COLUMNS, rows, "audit-log", now_utc().date())


def _csv_row(row: queries.Row) -> tuple[str, ...]:
    user = row.user
    return (
        row.event.at.isoformat(timespec="seconds"),
        user.name if user else "",
        user.email if user else "",
        row.patient.nhs_number if row.patient else "",
        row.patient.name if row.patient else "",
        row.event.action,
        row.event.what,
    )
