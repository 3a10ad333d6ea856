"""The directory of people and services: read by everyone signed in, kept by its owners."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.core.forms import EmptyForm, search_form
from mdt.core.revisions import CONFLICT, EXPIRED, save
from mdt.core.time import now_utc
from mdt.directory import operations as ops
from mdt.directory import queries
from mdt.directory.forms import ServiceForm
from mdt.directory.models import STALE_AFTER, Service
from mdt.extensions import db
from mdt.organisations.models import Organisation

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.get("/")
@login_required
def index() -> str:
    search = search_form("q", "Search by name, profession, service or need")
    q = search.text()
    return render_template(
        "directory/index.html",
        q=q,
        search=search,
        services=queries.services(q),
        people=queries.people(q),
        now=now_utc(),
        stale_days=STALE_AFTER.days,
        title="Directory",
    )


@bp.get("/services/<int:service_id>")
@login_required
def service(service_id: int) -> str:
    found = queries.get_service_or_404(service_id)
    return render_template(
        "directory/service.html",
        service=found,
        now=now_utc(),
        stale_days=STALE_AFTER.days,
        confirm_form=EmptyForm(formdata=None),
        title=found.name,
    )


@bp.route("/services/new", methods=["GET", "POST"])
@login_required
def new_service() -> str | Response:
    form = _service_form(None)
    if request.method == "GET":
        form.organisation_id.data = current_user.organisation_id
    if form.validate_on_submit():
        owner = db.session.get(User, form.owner_id.data) if "owner_id" in form else current_user
        added = ops.add_service(owner, signed_in_user(), **form.column_values())
        db.session.commit()
        flash(f"{added.name} is added to the directory.")
        return redirect(url_for("directory.service", service_id=added.id))
    return render_template(
        "directory/service_form.html", form=form, service=None, title="Add a service"
    )


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def edit_service(service_id: int) -> str | Response:
    found = queries.get_service_or_404(service_id, edit=True)
    form = _service_form(found)
    conflict = None
    if form.validate_on_submit():
        owner_id = form.owner_id.data if "owner_id" in form else None
        saved = save(
            lambda: ops.update_service(
                found, form.revision.data, current_user, owner_id=owner_id, **form.column_values()
            ),
            saved=f"{form.name.data.strip()} is saved.",
            then=url_for("directory.service", service_id=found.id),
        )
        if saved is not None:
            return saved
        conflict = CONFLICT
        # Saving again after checking their version is a choice made knowingly.
        form.revision.raw_data = [str(found.revision)]
    return render_template(
        "directory/service_form.html",
        form=form,
        service=found,
        conflict=conflict,
        title=f"Change {found.name}",
    )


@bp.post("/services/<int:service_id>/confirm")
@login_required
def confirm_service(service_id: int) -> Response:
    found = queries.get_service_or_404(service_id, edit=True)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    else:
        ops.confirm_service(found, signed_in_user())
        db.session.commit()
        flash(f"Thank you: {found.name} is marked as still correct.")
    return redirect(url_for("directory.service", service_id=found.id))


@bp.get("/people/<int:user_id>")
@login_required
def person(user_id: int) -> str:
    entry = queries.get_person_or_404(user_id)
    return render_template(
        "directory/person.html",
        entry=entry,
        now=now_utc(),
        stale_days=STALE_AFTER.days,
        confirm_form=EmptyForm(formdata=None),
        title=entry.user.name,
    )


@bp.post("/people/<int:user_id>/confirm")
@login_required
def confirm_person(user_id: int) -> Response:
    entry = queries.get_person_or_404(user_id, confirm=True)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    else:
        ops.confirm_person(entry.user, signed_in_user())
        db.session.commit()
        flash(f"Thank you: {entry.user.name}'s details are marked as still correct.")
    return redirect(url_for("directory.person", user_id=entry.user.id))


def _service_form(service: Service | None) -> ServiceForm:
    organisations = db.session.execute(
        sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    owners = None
    if current_user.is_admin:
        rows = db.session.execute(
            sa.select(User.id, User.name).where(User.is_active).order_by(User.name)
        )
        owners = [(row.id, row.name) for row in rows]
    form = ServiceForm(
        obj=service, organisations=[(row.id, row.name) for row in organisations], owners=owners
    )
    if owners is not None and service is None and request.method == "GET":
        form.owner_id.data = current_user.id
    return form
