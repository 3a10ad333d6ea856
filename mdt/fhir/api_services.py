"""FHIR views of what is not patient data: the MDTs as HealthcareService, their meetings
as Appointment, their protected time as Schedule and Slot."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from mdt.accounts.models import User
from mdt.extensions import db
from mdt.fhir import access, protected_time, scopes
from mdt.fhir import resources as fhir
from mdt.fhir.blueprint import (
    bp,
    int_id,
    missing,
    need,
    people,
    service_param,
    versioned,
)
from mdt.fhir.errors import fhir_response, not_found
from mdt.fhir.search import (
    bundle,
    date_filters,
    known_parameters,
    list_bundle,
    reference_id,
)
from mdt.meetings.models import Meeting
from mdt.organisations.models import Organisation
from mdt.slots.models import SlotSeries
from mdt.teams.models import Membership, Team

# --- HealthcareService: the MDTs ----------------------------------------------------------


def _teams_query() -> sa.Select[tuple[Team]]:
    return sa.select(Team).options(selectinload(Team.memberships))


@bp.get("/HealthcareService")
def healthcare_services() -> Response:
    need("HealthcareService", scopes.SEARCH)
    known_parameters(("organization", "name"))
    query = _teams_query()
    if ods := request.args.get("organization"):
        members = (
            sa.select(Membership.team_id)
            .join(User, User.id == Membership.user_id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(Organisation.ods_code == ods.rpartition("|")[2])
        )
        query = query.where(Team.id.in_(members))
    if name := request.args.get("name"):
        query = query.where(Team.name.ilike(f"%{name[:120]}%"))
    return fhir_response(bundle(query, [Team.name, Team.id], fhir.healthcare_service))


@bp.get("/HealthcareService/<raw_id>")
def healthcare_service(raw_id: str) -> Response:
    need("HealthcareService", scopes.READ)
    team = db.session.get(Team, int_id(raw_id)) or missing()
    body = fhir.healthcare_service(team)
    return versioned(body, fhir_response(body))


# --- Appointment: the meetings of the teams the organisation's people belong to ----------


def _meetings_query() -> sa.Select[tuple[Meeting]]:
    return (
        sa.select(Meeting)
        .where(Meeting.team_id.in_(access.member_teams(people())))
        .options(joinedload(Meeting.team), selectinload(Meeting.invitations))
    )


@bp.get("/Appointment")
def appointments() -> Response:
    need("Appointment", scopes.SEARCH)
    known_parameters(("date", "actor", "service-type", "status"))
    query = _meetings_query().where(*date_filters("date", Meeting.starts_at))
    if (team_id := service_param("actor")) is not None:
        query = query.where(Meeting.team_id == team_id)
    if service := request.args.get("service-type"):
        query = query.join(Team, Team.id == Meeting.team_id).where(Team.name == service[:120])
    return fhir_response(bundle(query, [Meeting.starts_at, Meeting.id], fhir.appointment))


@bp.get("/Appointment/<raw_id>")
def appointment(raw_id: str) -> Response:
    need("Appointment", scopes.READ)
    meeting = db.session.scalar(_meetings_query().where(Meeting.id == int_id(raw_id)))
    if meeting is None:
        raise not_found()
    body = fhir.appointment(meeting)
    return versioned(body, fhir_response(body))


# --- Schedule and Slot: protected time ---------------------------------------------------


def _series_query() -> sa.Select[tuple[SlotSeries]]:
    return (
        sa.select(SlotSeries)
        .where(SlotSeries.team_id.in_(access.member_teams(people())))
        .options(joinedload(SlotSeries.team), selectinload(SlotSeries.exceptions))
    )


@bp.get("/Schedule")
def schedules() -> Response:
    need("Schedule", scopes.SEARCH)
    known_parameters(("actor",))
    query = _series_query()
    if (team_id := service_param("actor")) is not None:
        query = query.where(SlotSeries.team_id == team_id)
    return fhir_response(bundle(query, [SlotSeries.id], fhir.schedule))


@bp.get("/Schedule/<raw_id>")
def schedule(raw_id: str) -> Response:
    need("Schedule", scopes.READ)
    series = db.session.scalar(_series_query().where(SlotSeries.id == int_id(raw_id)))
    body = fhir.schedule(series or missing())
    return versioned(body, fhir_response(body))


@bp.get("/Slot")
def slots() -> Response:
    need("Slot", scopes.SEARCH)
    known_parameters(("schedule", "start"))
    query = _series_query()
    if (series_id := reference_id("schedule", "Schedule")) is not None:
        query = query.where(SlotSeries.id == series_id)
    series_list = list(db.session.scalars(query.order_by(SlotSeries.id).limit(50)))
    return fhir_response(list_bundle(protected_time.slots_of(series_list)))


@bp.get("/Slot/<raw_id>")
def slot(raw_id: str) -> Response:
    need("Slot", scopes.READ)
    series_part, _, day = raw_id.partition("-")
    series = db.session.scalar(_series_query().where(SlotSeries.id == int_id(series_part)))
    body = protected_time.one_slot(series or missing(), day)
    return versioned(body, fhir_response(body))
