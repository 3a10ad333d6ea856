"""Administrators' view of mail the server refused for good (kept, never dropped)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from mdt.accounts.access import admin_required
from mdt.extensions import db
from mdt.mail.models import OutboxMessage, OutboxStatus

bp = Blueprint("mail", __name__, url_prefix="/mail")


@bp.get("/refused")
@admin_required
def refused() -> str:
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    waiting = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.QUEUED
        )
    )
    return render_template(
        "mail/refused.html", messages=list(messages), waiting=waiting, title="Refused mail"
    )
