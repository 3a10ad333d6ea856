from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from mdt.accounts.access import admin_required, signed_in_user
from mdt.accounts.models import User
from mdt.core.revisions import CONFLICT, save
from mdt.extensions import db
from mdt.oidc.providers import configured
from mdt.organisations import operations as ops
from mdt.organisations.access import organisation_i_administer
from mdt.organisations.forms import IdentitySettingsForm, OrganisationForm
from mdt.organisations.models import Organisation

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.get("/")
@admin_required
def index() -> str:
    counts = (
        sa.select(User.organisation_id, sa.func.count(User.id).label("people"))
        .group_by(User.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Organisation, sa.func.coalesce(counts.c.people, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template("organisations/index.html", rows=rows, title="Organisations")


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new() -> str | Response:
    form = OrganisationForm()
    if form.validate_on_submit() and _name_free(form):
        org = ops.create_organisation(
            form.name.data, form.type.data, form.ods_code.data, form.retention_years.data
        )
        db.session.commit()
        flash(f"{org.name} is added.")
        return redirect(url_for("organisations.index"))
    return _form_page(form, None, None, title="Add an organisation")


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@admin_required
def edit(org_id: int) -> str | Response:
    org = db.session.get(Organisation, org_id) or abort(404)
    form = OrganisationForm(obj=org)
    conflict = None
    if form.validate_on_submit() and _name_free(form, org):
        if saved := save(
            lambda: ops.update_organisation(org, form.revision.data, *form.values()),
            saved=f"{form.name.data.strip()} is saved.",
            then=url_for("organisations.index"),
        ):
            return saved
        conflict = CONFLICT
    return _form_page(form, org, conflict, title=org.name)


def _name_free(form: OrganisationForm, org: Organisation | None = None) -> bool:
    if ops.name_taken(form.name.data, except_org=org):
        form.name.errors.append("An organisation with this name already exists")
        return False
    return True


def _form_page(
    form: OrganisationForm, org: Organisation | None, conflict: str | None, title: str
) -> str:
    return render_template(
        "organisations/form.html",
        form=form,
        org=org,
        conflict=conflict,
        default_retention_years=current_app.config["RETENTION_PATIENT_YEARS"],
        title=title,
    )


@bp.route("/<int:org_id>/sign-in", methods=["GET", "POST"])
@admin_required
def identity(org_id: int) -> str | Response:
    org = organisation_i_administer(org_id)
    providers = [(p.name, p.label) for p in configured().values()]
    form = IdentitySettingsForm(data=IdentitySettingsForm.saved(org), configured=providers)
    conflict = None
    if form.validate_on_submit():
        if saved := save(
            lambda: ops.change_identity_settings(
                org, signed_in_user(), form.revision.data, *form.values()
            ),
            saved=f"How {org.name}'s people sign in is saved.",
            then=url_for("organisations.identity", org_id=org.id),
        ):
            return saved
        conflict = CONFLICT
    return render_template(
        "organisations/identity.html",
        form=form,
        org=org,
        conflict=conflict,
        title=f"How {org.name} signs in",
    )
