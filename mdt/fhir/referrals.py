"""A ServiceRequest in: a case on the next meeting of the MDT whose agenda takes it, by the
web form's rules (mdt.agenda.operations: the objection flag, the cut-off, urgent late
additions with a reason, the NHS number check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.agenda import operations as agenda
from mdt.agenda.models import Case, Priority
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.fhir import resources as fhir
from mdt.fhir.errors import FhirError, digits, invalid
from mdt.fhir.models import ApiClient, Referral
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.organisations.models import Organisation
from mdt.patients.nhs import InvalidNhsNumber, parse_nhs_number
from mdt.teams.models import DISCIPLINES, Team

TEXT_LIMIT = 1000


@dataclass
class ReferralIn:
    identifier: tuple[str, str] | None
    nhs_number: str
    name: str
    date_of_birth: date
    practice_ods: str
    team_id: int
    requester: str
    reason: str
    priority: Priority
    late_reason: str
    what_matters: str
    questions: str
    disciplines: list[str]


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"{where} must be a JSON object.")
    return value


def _text(value: Any, where: str, limit: int = TEXT_LIMIT, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise invalid(f"{where} must be text{' and is required' if required else ''}.")
    if len(value) > limit:
        raise invalid(f"{where}: keep this to {limit} characters or fewer.")
    return value.strip()


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(f"{where} must be a list.")
    return value


def _contained_patient(body: dict[str, Any]) -> dict[str, Any]:
    subject = _dict(body.get("subject"), "ServiceRequest.subject")
    reference = subject.get("reference")
    if not isinstance(reference, str) or not reference.startswith("#"):
        raise invalid(
            "ServiceRequest.subject must reference a contained Patient (#id) with the NHS "
            "number, name, date of birth and registered GP practice."
        )
    for item in _list(body.get("contained"), "ServiceRequest.contained"):
        item = _dict(item, "ServiceRequest.contained[]")
        if item.get("resourceType") == "Patient" and f"#{item.get('id')}" == reference:
            return item
    raise invalid("ServiceRequest.subject names no contained Patient.")


def _nhs_number(person: dict[str, Any]) -> str:
    for ident in _list(person.get("identifier"), "Patient.identifier"):
        ident = _dict(ident, "Patient.identifier[]")
        if ident.get("system") == fhir.NHS_NUMBER:
            try:
                return parse_nhs_number(_text(ident.get("value"), "NHS number", 20, True))
            except InvalidNhsNumber as error:
                raise invalid(str(error)) from None
    raise invalid(f"Patient.identifier needs the NHS number ({fhir.NHS_NUMBER}).")


def _name(person: dict[str, Any]) -> str:
    for name in _list(person.get("name"), "Patient.name"):
        name = _dict(name, "Patient.name[]")
        if isinstance(name.get("text"), str) and name["text"].strip():
            return _text(name["text"], "Patient.name.text", 120)
        given = [g for g in _list(name.get("given"), "Patient.name.given") if isinstance(g, str)]
        family = name.get("family") if isinstance(name.get("family"), str) else ""
        full = " ".join([*given, family]).strip()
        if full:
            return _text(full, "Patient.name", 120)
    raise invalid("Patient.name is required.")


def _birth_date(person: dict[str, Any]) -> date:
    raw = _text(person.get("birthDate"), "Patient.birthDate", 10, True)
    try:
        born = date.fromisoformat(raw)
    except ValueError:
        raise invalid("Patient.birthDate must be a date like 1940-03-21.") from None
    if born > now_utc().date():
        raise invalid("Patient.birthDate is in the future.")
    return born


def _practice(person: dict[str, Any]) -> str:
    for gp in _list(person.get("generalPractitioner"), "Patient.generalPractitioner"):
        ident = _dict(_dict(gp, "Patient.generalPractitioner[]").get("identifier"), "identifier")
        if ident.get("system") == fhir.ODS_CODE:
            return _text(ident.get("value"), "the practice's ODS code", 12, True)
    raise invalid(
        f"Patient.generalPractitioner needs the registered practice's ODS code ({fhir.ODS_CODE})."
    )


def _team(body: dict[str, Any]) -> int:
    for performer in _list(body.get("performer"), "ServiceRequest.performer"):
        ref = _dict(performer, "ServiceRequest.performer[]").get("reference")
        if isinstance(ref, str) and ref.startswith("HealthcareService/"):
            team_id = ref.removeprefix("HealthcareService/")
            if digits(team_id, 11):
                return int(team_id)
    raise invalid("ServiceRequest.performer must name the MDT: HealthcareService/<id>.")


def _requester(body: dict[str, Any]) -> str:
    requester = _dict(body.get("requester"), "ServiceRequest.requester")
    ident = _dict(requester.get("identifier"), "ServiceRequest.requester.identifier")
    if ident.get("system") != fhir.EMAIL:
        raise invalid(f"ServiceRequest.requester.identifier: the person's email ({fhir.EMAIL}).")
    return _text(ident.get("value"), "the requester's email", 254, True)


def _extension(body: dict[str, Any], url: str, limit: int = TEXT_LIMIT) -> str:
    for ext in _list(body.get("extension"), "ServiceRequest.extension"):
        ext = _dict(ext, "ServiceRequest.extension[]")
        if ext.get("url") == url:
            return _text(ext.get("valueString"), url, limit)
    return ""


def _disciplines(body: dict[str, Any]) -> list[str]:
    wanted = []
    for detail in _list(body.get("orderDetail"), "ServiceRequest.orderDetail"):
        text = _text(_dict(detail, "ServiceRequest.orderDetail[]").get("text"), "orderDetail")
        if text not in DISCIPLINES:
            raise invalid(f"orderDetail: the disciplines are {', '.join(DISCIPLINES)}.")
        wanted.append(text)
    return wanted


def _identifier(body: dict[str, Any]) -> tuple[str, str] | None:
    for ident in _list(body.get("identifier"), "ServiceRequest.identifier"):
        ident = _dict(ident, "ServiceRequest.identifier[]")
        value = _text(ident.get("value"), "identifier.value", 255)
        if value:
            return _text(ident.get("system"), "identifier.system", 255), value
    return None


def parse(body: Any) -> ReferralIn:
    body = _dict(body, "The body")
    if body.get("resourceType") != "ServiceRequest":
        raise invalid("The body must be a ServiceRequest.")
    if body.get("status") != "active" or body.get("intent") not in ("order", "proposal"):
        raise invalid("A referral is a ServiceRequest with status active, intent order.")
    reasons = _list(body.get("reasonCode"), "ServiceRequest.reasonCode")
    reason = " ".join(
        _text(_dict(r, "reasonCode[]").get("text"), "reasonCode.text") for r in reasons
    )
    if not reason.strip():
        raise invalid("ServiceRequest.reasonCode[].text: say why the person should be discussed.")
    priority = body.get("priority", "routine")
    if priority not in ("routine", "urgent", "asap", "stat"):
        raise invalid("ServiceRequest.priority must be routine, urgent, asap or stat.")
    person = _contained_patient(body)
    return ReferralIn(
        identifier=_identifier(body),
        nhs_number=_nhs_number(person),
        name=_name(person),
        date_of_birth=_birth_date(person),
        practice_ods=_practice(person),
        team_id=_team(body),
        requester=_requester(body),
        reason=_text(reason, "reasonCode.text"),
        priority=Priority.ROUTINE if priority == "routine" else Priority.URGENT,
        late_reason=_extension(body, fhir.LATE_REASON, 300),
        what_matters=_extension(body, fhir.WHAT_MATTERS),
        questions=_extension(body, fhir.QUESTIONS),
        disciplines=_disciplines(body),
    )


def existing(client: ApiClient, identifier: tuple[str, str]) -> Case | None:
    referral = db.session.scalar(
        sa.select(Referral).where(
            Referral.client_pk == client.id,
            Referral.system == identifier[0],
            Referral.value == identifier[1],
        )
    )
    return db.session.get(Case, referral.case_id) if referral else None


def _refuse(text: str, status: int = 422) -> FhirError:
    return FhirError(status, "business-rule" if status == 422 else "forbidden", text)


def _requesting_member(client: ApiClient, email: str, team: Team) -> User:
    from mdt.accounts.operations import find_user_by_email

    user = find_user_by_email(email)
    if user is None or user.organisation_id != client.organisation_id or not user.is_active:
        raise _refuse("The requester must be a person of this client's organisation.", 403)
    if team.membership_of(user) is None:
        raise _refuse("The requester must be a member of the MDT (as on the web form).", 403)
    return user


def _next_open_meeting(team: Team, referral: ReferralIn) -> Meeting:
    """The first meeting to come whose agenda takes the case now; the refusal of the next
    meeting when none does (the cut-off passed and the case is routine, say)."""
    now = now_utc()
    upcoming = db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.team_id == team.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at)
        .limit(10)
    ).all()
    first_refusal = None
    for meeting in upcoming:
        try:
            agenda.check_open_to(meeting, now, referral.priority, referral.late_reason)
        except agenda.AgendaRefusal as refusal:
            first_refusal = first_refusal or str(refusal)
            continue
        return meeting
    raise _refuse(first_refusal or "The MDT has no meeting booked yet to add the case to.")


def add_referral(client: ApiClient, referral: ReferralIn) -> Case:
    """Flushes the case (and the referral's identifier); raises FhirError. A refusal that
    concerns a patient the requester may not see carries `probed` for the view to audit."""
    team = db.session.get(Team, referral.team_id)
    if team is None:
        raise _refuse("No such HealthcareService.", 404)
    by = _requesting_member(client, referral.requester, team)
    meeting = _next_open_meeting(team, referral)
    practice = db.session.scalar(
        sa.select(Organisation.id).where(Organisation.ods_code == referral.practice_ods)
    )
    if practice is None:
        raise _refuse("No GP practice with that ODS code is known here.")
    patient = agenda.find_or_create_patient(
        referral.nhs_number, referral.name, referral.date_of_birth, practice, by
    )
    case = agenda.add_case(
        meeting,
        patient,
        by,
        now_utc(),
        reason=referral.reason,
        priority=referral.priority,
        late_reason=referral.late_reason,
        what_matters=referral.what_matters,
        questions=referral.questions,
        disciplines_needed="|".join(referral.disciplines),
    )
    if referral.identifier is not None:
        system, value = referral.identifier
        db.session.add(Referral(client_pk=client.id, system=system, value=value, case_id=case.id))
        db.session.flush()
    return case
