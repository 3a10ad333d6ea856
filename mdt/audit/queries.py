"""Reading the audit log: filtered, newest first, a page in a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.audit.forms import AuditFilterForm
from mdt.audit.models import AuditEvent
from mdt.core.days import SERVICE_ZONE, local_to_utc, to_local
from mdt.core.db import inline
from mdt.extensions import db

if TYPE_CHECKING:
    from mdt.patients.models import Patient

#: Dates typed into the filter are London days.
ZONE = SERVICE_ZONE
PAGE_SIZE = 50

#: The patients' model (registered by the patients' side, above audit): the log names them
#: and is filtered by their name or NHS number.
_PATIENT: list[Any] = []


def register_patients(model: type[Patient]) -> None:
    _PATIENT[:] = [model]


def _patients() -> type[Patient]:
    return _PATIENT[0]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    #: None once the patient's records were disposed of (retention): the rows stay.
    patient: Patient | None
    user: User | None


def conditions(form: AuditFilterForm) -> list[sa.ColumnElement[bool]]:
    Patient = _patients()
    found: list[sa.ColumnElement[bool]] = []
    if form.user_id.data:
        found.append(AuditEvent.user_id == form.user_id.data)
    patient = (form.patient.data or "").strip()
    digits = re.sub(r"[\s-]", "", patient)
    if digits.isdigit():
        found.append(Patient.nhs_number == digits)
    elif patient:
        found.append(sa.func.lower(Patient.name).contains(patient.lower(), autoescape=True))
    if form.date_from.data:
        found.append(AuditEvent.at >= local_to_utc(form.date_from.data, time(0), ZONE))
    if form.date_to.data:
        next_day = form.date_to.data + timedelta(days=1)
        found.append(AuditEvent.at < local_to_utc(next_day, time(0), ZONE))
    return found


def _select(form: AuditFilterForm) -> sa.Select[tuple[AuditEvent, Patient | None, User | None]]:
    Patient = _patients()
    return (
        sa.select(AuditEvent, Patient, User)
        .outerjoin(Patient, Patient.id == AuditEvent.patient_id)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*conditions(form))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def count(form: AuditFilterForm) -> int:
    Patient = _patients()
    return (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id))
            .outerjoin(Patient, Patient.id == AuditEvent.patient_id)
            .where(*conditions(form))
        )
        or 0
    )


def page(form: AuditFilterForm, number: int) -> list[Row]:
    rows = db.session.execute(
        _select(form).limit(inline(PAGE_SIZE)).offset(inline((number - 1) * PAGE_SIZE))
    )
    return [Row(*row) for row in rows]


def every_row(form: AuditFilterForm) -> Iterator[Row]:
    for row in db.session.execute(_select(form)):
        yield Row(*row)


def people() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(User.id, User.name, User.email).order_by(User.name))
    return [(row.id, f"{row.name} ({row.email})") for row in rows]


def when(moment: datetime) -> str:
    return f"{to_local(moment, ZONE):%-d %b %Y %H:%M:%S}"
