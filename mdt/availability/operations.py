from __future__ import annotations

from typing import Any

from mdt.accounts.models import User
from mdt.availability.models import Commitment, CommitmentKind
from mdt.extensions import db


def add_recurring(user: User, by: User, form: Any) -> Commitment:
    monthly = form.frequency.data == "monthly"
    commitment = Commitment(
        user_id=user.id,
        created_by_id=by.id,
        kind=CommitmentKind.RECURRING,
        label=form.label.data.strip(),
        frequency=form.frequency.data,
        interval=1 if monthly else form.interval.data,
        weekday=form.weekday.data,
        ordinal=form.ordinal.data if monthly else None,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
    )
    db.session.add(commitment)
    db.session.flush()
    return commitment


def add_absence(user: User, by: User, form: Any) -> Commitment:
    commitment = Commitment(
        user_id=user.id,
        created_by_id=by.id,
        kind=CommitmentKind.ABSENCE,
        label=form.label.data.strip(),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )
    db.session.add(commitment)
    db.session.flush()
    return commitment


def remove(commitment: Commitment) -> None:
    db.session.delete(commitment)
    db.session.flush()
