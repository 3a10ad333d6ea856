"""The demo neighbourhood: three GP practices, social care, district nursing and a hospice.

Loading is idempotent: what exists (by name or email) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.accounts.passwords import hash_password
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.organisations.models import Organisation, OrganisationType
from mdt.teams.models import Membership, Team, TeamRole

DEMO_PASSWORD = "mdt-demo-password"
#: The demo administrator's authenticator-app key (administrators always need a second
#: factor). Published like the demo password, so anyone can try signing in with an app.
DEMO_TOTP_SECRET = "MDTDEMOSECONDFACTORKEYFORALEX234"
DEMO_TOTP_PERSON = "alex.morgan"

ORGANISATIONS = [
    ("Riverside Surgery", OrganisationType.GP_PRACTICE, "Y90001"),
    ("Oakfield Medical Centre", OrganisationType.GP_PRACTICE, "Y90002"),
    ("Canal Street Practice", OrganisationType.GP_PRACTICE, "Y90003"),
    ("Borough Adult Social Care", OrganisationType.ADULT_SOCIAL_CARE, None),
    ("Northside Community Health", OrganisationType.COMMUNITY_HEALTH, None),
    ("St Columba's Hospice", OrganisationType.HOSPICE, None),
]

# (name, email local part, profession, organisation, phone, how to reach, admin)
PEOPLE = [
    (
        "Alex Morgan",
        "alex.morgan",
        "Practice manager",
        "Riverside Surgery",
        "020 7946 0101",
        "Practice office, weekdays 8:00-16:00",
        True,
    ),
    (
        "Dr Priya Shah",
        "priya.shah",
        "General practitioner",
        "Riverside Surgery",
        "020 7946 0102",
        "Via reception; surgery Tue and Thu mornings",
        False,
    ),
    (
        "Dr Tom Okafor",
        "tom.okafor",
        "General practitioner",
        "Oakfield Medical Centre",
        "020 7946 0201",
        "Bypass line after 12:00",
        False,
    ),
    (
        "Dr Helen Price",
        "helen.price",
        "General practitioner",
        "Canal Street Practice",
        "020 7946 0301",
        "",
        False,
    ),
    (
        "Grace Adeyemi",
        "grace.adeyemi",
        "Practice nurse",
        "Oakfield Medical Centre",
        "020 7946 0202",
        "",
        False,
    ),
    (
        "Sam Whitfield",
        "sam.whitfield",
        "Social worker",
        "Borough Adult Social Care",
        "07700 900101",
        "Mobile between visits; not Fridays",
        False,
    ),
    (
        "Maria Lopez",
        "maria.lopez",
        "Social worker",
        "Borough Adult Social Care",
        "07700 900102",
        "Duty line 020 7946 0400 on duty days",
        False,
    ),
    (
        "Jo Clarke",
        "jo.clarke",
        "District nurse",
        "Northside Community Health",
        "07700 900201",
        "Team base 08:30-09:15, then on visits",
        False,
    ),
    (
        "Ben Hughes",
        "ben.hughes",
        "Community matron",
        "Northside Community Health",
        "07700 900202",
        "",
        False,
    ),
    (
        "Fatima Begum",
        "fatima.begum",
        "Clinical pharmacist",
        "Canal Street Practice",
        "020 7946 0302",
        "",
        False,
    ),
    (
        "Dr Rachel Green",
        "rachel.green",
        "Palliative care consultant",
        "St Columba's Hospice",
        "020 7946 0501",
        "Hospice switchboard, ask for the community team",
        False,
    ),
    (
        "Nina Patel",
        "nina.patel",
        "Palliative care nurse",
        "St Columba's Hospice",
        "07700 900301",
        "",
        False,
    ),
    (
        "Chris Doyle",
        "chris.doyle",
        "Occupational therapist",
        "Northside Community Health",
        "07700 900203",
        "",
        False,
    ),
    (
        "Leah Morris",
        "leah.morris",
        "MDT coordinator",
        "Oakfield Medical Centre",
        "020 7946 0203",
        "Mon-Thu",
        False,
    ),
    (
        "Dr James Lee",
        "james.lee",
        "General practitioner",
        "Oakfield Medical Centre",
        "020 7946 0204",
        "",
        False,
    ),
    (
        "Amira Hassan",
        "amira.hassan",
        "Social prescribing link worker",
        "Canal Street Practice",
        "020 7946 0303",
        "",
        False,
    ),
]

TEAMS = [
    {
        "name": "Riverside Neighbourhood MDT",
        "description": "Monthly MDT for people with complex health and social care needs, "
        "including end of life care, across the three practices of the neighbourhood.",
        "default_location": "Riverside Surgery, meeting room 2",
        "default_video_link": "https://meet.example.org/riverside-mdt",
        # (email local part, role, discipline, deputy local part)
        "members": [
            ("alex.morgan", TeamRole.COORDINATOR, "Coordination", None),
            ("priya.shah", TeamRole.CHAIR, "General practice", None),
            ("tom.okafor", TeamRole.CORE_MEMBER, "General practice", None),
            ("helen.price", TeamRole.CORE_MEMBER, "General practice", None),
            ("sam.whitfield", TeamRole.CORE_MEMBER, "Adult social care", "maria.lopez"),
            ("jo.clarke", TeamRole.CORE_MEMBER, "Community nursing", "ben.hughes"),
            ("rachel.green", TeamRole.CORE_MEMBER, "Palliative care", "nina.patel"),
            ("fatima.begum", TeamRole.ATTENDEE, "Pharmacy", None),
            ("amira.hassan", TeamRole.ATTENDEE, "Social prescribing", None),
        ],
    },
    {
        "name": "Oakfield Frailty MDT",
        "description": "Weekly huddle on frail older people at risk of admission.",
        "default_location": "Oakfield Medical Centre, library",
        "default_video_link": "https://meet.example.org/oakfield-frailty",
        "members": [
            ("leah.morris", TeamRole.COORDINATOR, "Coordination", None),
            ("james.lee", TeamRole.CHAIR, "General practice", None),
            ("grace.adeyemi", TeamRole.CORE_MEMBER, "Practice nursing", None),
            ("ben.hughes", TeamRole.CORE_MEMBER, "Community nursing", "jo.clarke"),
            ("maria.lopez", TeamRole.CORE_MEMBER, "Adult social care", "sam.whitfield"),
            ("chris.doyle", TeamRole.CORE_MEMBER, "Therapies", None),
            ("fatima.begum", TeamRole.ATTENDEE, "Pharmacy", None),
        ],
    },
]


def demo_email(local: str, organisation: str) -> str:
    domain = organisation.lower().replace("'", "").replace(" ", "-")
    return f"{local}@{domain}.example.org"


def ensure_organisation(name: str, type: OrganisationType, ods: str | None = None) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, type=type, ods_code=ods)
        db.session.add(org)
        db.session.flush()
    return org


def load_demo(progress: Callable[[str], None] = lambda _s: None) -> list[tuple[str, str]]:
    progress("organisations")
    orgs = {name: ensure_organisation(name, kind, ods) for name, kind, ods in ORGANISATIONS}
    progress("people")
    # Everyone shares the demo password: hash it once (argon2 is slow on purpose).
    shared_hash = hash_password(DEMO_PASSWORD)
    people: dict[str, User] = {}
    for name, local, profession, org, phone, reach, admin in PEOPLE:
        email = demo_email(local, org)
        user = accounts.find_user_by_email(email) or accounts.create_user(
            name=name,
            email=email,
            profession=profession,
            organisation=orgs[org],
            phone=phone,
            how_to_reach=reach,
            is_admin=admin,
            password_hash=shared_hash,
        )
        people[local] = user
    _ensure_demo_authenticator(people[DEMO_TOTP_PERSON])
    progress("teams")
    teams = {spec["name"]: _ensure_team(spec, people) for spec in TEAMS}
    progress("protected time, clinics and leave")
    from mdt.demo.meetings import load_meetings

    load_meetings(teams, people, today=now_utc().date())
    progress("agendas and preparation")
    from mdt.demo.agenda import load_agendas

    load_agendas(teams, people, now_utc())
    progress("a past meeting with its minutes and actions")
    from mdt.demo.minutes import load_past_meeting

    load_past_meeting(teams["Riverside Neighbourhood MDT"], people, now_utc().date())
    progress("a year of meetings before it, for the team report")
    from mdt.demo.history import load_history

    load_history(teams["Riverside Neighbourhood MDT"], people, now_utc().date())

    progress("directory")
    from mdt.demo.directory import load_directory

    load_directory(people, now_utc())
    db.session.commit()
    return _logins(people)


def _ensure_demo_authenticator(user: User) -> None:
    from mdt.mfa.models import TotpFactor

    if db.session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == user.id)) is None:
        db.session.add(TotpFactor(user_id=user.id, secret=DEMO_TOTP_SECRET, confirmed_at=now_utc()))
        db.session.flush()


def _ensure_team(spec: dict, people: dict[str, User]) -> Team:  # type: ignore[type-arg]
    team = db.session.scalar(sa.select(Team).where(Team.name == spec["name"]))
    if team is None:
        team = Team(
            name=spec["name"],
            description=spec["description"],
            default_location=spec["default_location"],
            default_video_link=spec["default_video_link"],
        )
        db.session.add(team)
        db.session.flush()
    for local, role, discipline, deputy in spec["members"]:
        if team.membership_of(people[local]) is None:
            team.memberships.append(
                Membership(
                    user=people[local],
                    role=role,
                    discipline=discipline,
                    deputy=people[deputy] if deputy else None,
                )
            )
    db.session.flush()
    return team


def _logins(people: dict[str, User]) -> list[tuple[str, str]]:
    roles: dict[str, list[str]] = {}
    for spec in TEAMS:
        for local, role, _discipline, deputy in spec["members"]:
            roles.setdefault(local, []).append(f"{role.label.lower()}, {spec['name']}")
            if deputy:
                roles.setdefault(deputy, []).append(f"deputy for {people[local].name}")
    rows = []
    for local, user in people.items():
        extra = ["administrator"] if user.is_admin else []
        rows.append((user.email, f"{user.profession}: " + "; ".join(extra + roles.get(local, []))))
    return rows
