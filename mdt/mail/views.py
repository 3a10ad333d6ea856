"""Administrators' view of mail the server refused for good (kept, never dropped), and of
mail held after a restore until they release or drop it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from mdt.accounts.access import admin_required, signed_in_user
from mdt.core.forms import EmptyForm
from mdt.extensions import db
from mdt.mail import held as held_mail
from mdt.mail.models import OutboxMessage, OutboxStatus

bp = Blueprint("mail", __name__, url_prefix="/mail")

EXPIRED = "Nothing was changed: the form had expired. Try again."
NOT_HELD = "That message is no longer held: another administrator has decided on it."


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


@bp.get("/held")
@admin_required
def held() -> str:
    return render_template(
        "mail/held.html",
        messages=held_mail.held_messages(db.session),
        restore=held_mail.held_by(db.session),
        form=EmptyForm(),
        title="Mail held after a restore",
    )


@bp.post("/held/<int:message_id>/release")
@admin_required
def release(message_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    elif held_mail.release(db.session, message_id):
        db.session.commit()
        flash("The message is released: it goes with the next delivery, within a minute.")
    else:
        flash(NOT_HELD)
    return redirect(url_for("mail.held"))


@bp.post("/held/<int:message_id>/drop")
@admin_required
def drop(message_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    elif held_mail.drop(db.session, message_id, by=signed_in_user().email):
        db.session.commit()
        flash("The message is dropped: it will not be sent. It stays on record.")
    else:
        flash(NOT_HELD)
    return redirect(url_for("mail.held"))


@bp.post("/held/release-all")
@admin_required
def release_all() -> Response:
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("mail.held"))
    count = held_mail.release_all(db.session)
    db.session.commit()
    flash(f"{count} held message(s) released: they go with the next delivery, within a minute.")
    return redirect(url_for("mail.held"))


@bp.post("/held/drop-all")
@admin_required
def drop_all() -> Response:
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("mail.held"))
    count = held_mail.drop_all(db.session, by=signed_in_user().email)
    db.session.commit()
    flash(f"{count} held message(s) dropped: they will not be sent. They stay on record.")
    return redirect(url_for("mail.held"))
