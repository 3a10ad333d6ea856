"""Writing audit rows. Callers pass what happened; the rows join the request's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import render_template
from flask_login import current_user

from mdt.audit.models import AuditEvent
from mdt.core.time import now_utc
from mdt.extensions import db


def record(action: str, patient_ids: Iterable[int], what: str) -> None:
    """One row per patient, inserted in one statement."""
    ids = sorted(set(patient_ids))
    if not ids:
        return
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    now = now_utc()
    db.session.execute(
        AuditEvent.__table__.insert(),
        [
            {"at": now, "user_id": user_id, "patient_id": pid, "action": action, "what": what[:200]}
            for pid in ids
        ],
    )


def render_audited(
    template: str, *, patient_ids: Iterable[int], what: str, verb: str = "view", **context: Any
) -> str:
    """Render a page that shows patient data and commit its audit rows with it. Rendering
    comes first: a commit expires every loaded row, and the template would then load each
    one again with a query of its own."""
    record(verb, patient_ids, what)
    page = render_template(template, **context)
    db.session.commit()
    return page
