"""Demo directory: services a neighbourhood MDT refers to. Two have not been checked for
months (stale); social prescribing turns stale in two days, so the scheduler reminds Alex."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.directory.models import Service
from mdt.extensions import db
from mdt.organisations.models import OrganisationType

# (name, organisation, owner, days since last checked, what it does, who for, how to refer,
#  phone, email, opening hours)
SERVICES = [
    (
        "Falls prevention clinic",
        "Northside Community Health",
        "chris.doyle",
        12,
        "Falls risk assessment, strength and balance classes, and a home hazard check by an "
        "occupational therapist.",
        "Adults over 65 who have fallen in the past year or are afraid of falling.",
        "Referral form by email from any professional; self-referral by phone.",
        "020 7946 0610",
        "falls.northside@northside-community-health.example.org",
        "Monday to Friday, 9am to 5pm",
    ),
    (
        "District nursing single point of access",
        "Northside Community Health",
        "jo.clarke",
        30,
        "One number for every district nursing referral: wound care, catheters, injections, "
        "end of life care at home.",
        "Housebound adults registered with a Northside practice.",
        "Phone the single point of access; urgent same-day visits before 1pm.",
        "020 7946 0600",
        "spa.northside@northside-community-health.example.org",
        "Every day, 8am to 8pm",
    ),
    (
        "Social prescribing",
        "Riverside Surgery",
        "alex.morgan",
        88,
        "Link workers who connect people with community groups, benefits advice, befriending "
        "and activity to tackle loneliness.",
        "Adults registered with a Riverside Primary Care Network practice.",
        "Task the link worker in the GP record, or email with the person's consent.",
        "020 7946 0150",
        "",
        "Monday to Thursday, 9am to 4pm",
    ),
    (
        "Carers' support service",
        "Borough Carers' Centre",
        "sam.whitfield",
        120,
        "Advice, a carer's assessment, emergency planning and short breaks for unpaid carers.",
        "Unpaid carers of any age looking after someone in the borough.",
        "Self-referral by phone or online; professionals may refer with consent.",
        "020 7946 0700",
        "hello@borough-carers.example.org",
        "Monday to Friday, 10am to 4pm",
    ),
    (
        "Memory assessment service",
        "Borough Mental Health Services",
        "priya.shah",
        150,
        "Assessment and diagnosis of dementia and memory problems, with post-diagnostic "
        "support and advice for families.",
        "Adults of any age with memory problems not explained by another illness.",
        "GP referral with recent blood tests and a cognitive screening score.",
        "020 7946 0800",
        "memory.referrals@borough-mental-health.example.org",
        "Monday to Friday, 9am to 5pm",
    ),
]

NEW_ORGANISATIONS = [
    ("Borough Carers' Centre", OrganisationType.VOLUNTARY_SECTOR),
    ("Borough Mental Health Services", OrganisationType.MENTAL_HEALTH),
]


def load_directory(people: dict[str, User], now: datetime) -> None:
    from mdt.demo.data import ensure_organisation

    orgs = {name: ensure_organisation(name, kind) for name, kind in NEW_ORGANISATIONS}
    for name, org, owner, days, description, who_for, refer, phone, email, hours in SERVICES:
        if db.session.scalar(sa.select(Service.id).where(Service.name == name)) is not None:
            continue
        organisation = orgs.get(org) or ensure_organisation(org, OrganisationType.OTHER)
        checked = now - timedelta(days=days)
        db.session.add(
            Service(
                name=name,
                description=description,
                who_for=who_for,
                how_to_refer=refer,
                phone=phone,
                email=email,
                opening_hours=hours,
                organisation_id=organisation.id,
                owner_id=people[owner].id,
                verified_at=checked,
                verified_by_id=people[owner].id,
                created_at=checked,
            )
        )
    db.session.flush()
