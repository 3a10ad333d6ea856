"""Administrators register the systems that use the FHIR API."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from mdt.accounts.access import admin_required, signed_in_user
from mdt.core.forms import EmptyForm, choices
from mdt.extensions import db
from mdt.fhir import operations as ops
from mdt.fhir.forms import ClientForm
from mdt.fhir.models import ApiClient
from mdt.organisations.models import Organisation

bp = Blueprint("fhir", __name__, url_prefix="/api-clients")


@bp.get("/")
@admin_required
def index() -> str:
    clients = db.session.scalars(sa.select(ApiClient).order_by(ApiClient.name)).all()
    return render_template(
        "fhir/clients.html", clients=clients, form=EmptyForm(), title="API clients"
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new() -> str | Response:
    form = ClientForm()
    orgs = db.session.execute(
        sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    form.organisation_id.choices = choices(
        [(0, "Choose an organisation")] + [(o.id, o.name) for o in orgs]
    )
    if form.validate_on_submit():
        client = ops.register_client(
            form.name.data,
            form.organisation_id.data,
            form.scopes.data,
            form.jwks.data,
            signed_in_user(),
        )
        db.session.commit()
        flash(f"{client.name} is registered. Its client ID is {client.client_id}.")
        return redirect(url_for("fhir.index"))
    return render_template("fhir/client_form.html", form=form, title="Register an API client")


@bp.post("/<int:client_pk>/deactivate")
@admin_required
def deactivate(client_pk: int) -> Response:
    client = db.session.get(ApiClient, client_pk) or abort(404)
    if not EmptyForm().validate_on_submit():
        flash("Nothing was changed: the form had expired. Try again.")
        return redirect(url_for("fhir.index"))
    ops.deactivate(client)
    db.session.commit()
    flash(f"{client.name} can no longer use the API.")
    return redirect(url_for("fhir.index"))
