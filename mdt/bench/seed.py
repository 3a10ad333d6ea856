"""`mdt bench-seed`: a practice's or a whole region's data, generated fast and the same
every time for the same scale and anchor day (a seeded random generator).

Dates are relative to the anchor day (today by default): meetings run from `months_back`
months before it to `months_ahead` after, so the benchmark always has past meetings with
minutes and actions and coming ones with preparation owed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mdt.accounts.models import User
from mdt.accounts.passwords import hash_password
from mdt.actions.models import ActionChange, ActionPoint
from mdt.agenda.models import Case
from mdt.availability.models import Commitment
from mdt.calendar.models import CalendarFeed
from mdt.core.days import bank_holiday, end_of_day, local_to_utc, working_days_before
from mdt.core.names import name_key
from mdt.core.recurrence import Frequency, Rule
from mdt.core.tokens import new_token, token_hash
from mdt.meetings.models import Invitation, Meeting
from mdt.minutes.models import Discussion
from mdt.organisations.models import Organisation
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.slots.models import SlotSeries
from mdt.teams.models import Membership, Team

ZONE = "Europe/London"
BENCH_EMAIL = "bench.user@bench.example.org"
BENCH_PASSWORD = "bench-lantern-orchard-91"
BENCH_TEAM = "Bench Neighbourhood MDT"
#: Members of the bench team: "find a slot" is timed for a team of this size.
BENCH_TEAM_SIZE = 25


@dataclass(frozen=True)
class Scale:
    name: str
    organisations: int
    users: int
    teams: int
    months_back: int
    months_ahead: int
    team_size: tuple[int, int]
    cases: tuple[int, int]
    prep: tuple[int, int]
    #: Weights of 0, 1, 2, 3, 4 actions for a discussed case.
    actions: tuple[int, ...]


SCALES = {
    # 25 people: the one team is the bench team, of BENCH_TEAM_SIZE (with 20 it had 20, and
    # pages that list a team's members compared 20 at practice scale with 25 at region).
    "practice": Scale("practice", 6, 25, 1, 9, 3, (25, 25), (5, 11), (3, 5), (10, 25, 30, 20, 15)),
    "region": Scale(
        "region", 300, 6000, 600, 33, 3, (14, 30), (5, 11), (3, 5), (10, 25, 30, 20, 15)
    ),
}
#: Organisations per neighbourhood after its GP practices, by type and profession.
STAFF = {
    "gp_practice": [
        ("GP", "General practice", 5),
        ("Practice nurse", "Practice nursing", 3),
        ("Clinical pharmacist", "Pharmacy", 1),
        ("Social prescribing link worker", "Social prescribing", 1),
        ("Practice manager", "Coordination", 1),
    ],
    "adult_social_care": [("Social worker", "Adult social care", 1)],
    "community_health": [
        ("District nurse", "Community nursing", 3),
        ("Occupational therapist", "Therapies", 1),
        ("Geriatrician", "Geriatric medicine", 1),
    ],
    "mental_health": [("Community psychiatric nurse", "Mental health", 1)],
    "hospice": [("Palliative care nurse", "Palliative care", 1)],
    "voluntary_sector": [("Support worker", "Voluntary sector", 1)],
}
OTHER_TYPES = ["community_health", "mental_health", "hospice", "voluntary_sector"]
REASONS = [
    "Frailty review after two falls",
    "Increasing carer strain",
    "Discharge from hospital last week",
    "Advance care planning",
    "Polypharmacy review",
    "Worsening breathlessness at home",
    "Safeguarding concern raised by neighbour",
]


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def nhs_numbers() -> Any:
    """Valid numbers from the 999 range, which is never issued to real people."""
    for stem in range(999_000_001, 999_999_999):
        digits = [int(d) for d in str(stem)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            yield f"{stem}{check}"


@dataclass
class Person:
    id: int
    organisation_id: int
    profession: str
    discipline: str


@dataclass
class TeamPlan:
    id: int
    members: list[tuple[Person, str]]  # (person, role)
    hood: int
    patients: list[int] = field(default_factory=list)


class Generator:
    """Builds every table's rows in memory, in foreign-key order."""

    def __init__(self, scale: Scale, today: date, seed: int = 9) -> None:
        self.scale, self.today, self.rnd = scale, today, random.Random(seed)
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.rows: dict[type, list[dict[str, Any]]] = {}
        self.people: list[Person] = []
        self.hood_people: list[list[Person]] = []
        self.hood_practices: list[list[int]] = []
        self.teams: list[TeamPlan] = []
        self._ids: dict[type, int] = {}
        self.bench_user_id = 0
        self.feed_token = new_token()

    def add(self, model: type, **row: Any) -> int:
        new_id = self._ids.get(model, 0) + 1
        self._ids[model] = new_id
        self.rows.setdefault(model, []).append({"id": new_id} | row)
        return new_id

    # --- organisations and people ------------------------------------------------------

    def build(self, progress: Callable[[str], None]) -> None:
        for step in (self.organisations, self.teams_and_members, self.meetings, self.extras):
            step()
            progress(f"generated {step.__name__.replace('_', ' ')}")

    def hoods(self) -> int:
        return max(1, self.scale.teams // 12)

    def organisations(self) -> None:
        hoods = self.hoods()
        per_hood = self.scale.organisations // hoods
        password = hash_password(BENCH_PASSWORD)
        for hood in range(hoods):
            gps = max(1, per_hood - 2)
            kinds = ["gp_practice"] * gps + ["adult_social_care", OTHER_TYPES[hood % 4]]
            orgs = []
            for n, kind in enumerate(kinds[:per_hood]):
                name = f"{'Practice' if kind == 'gp_practice' else kind.replace('_', ' ').title()}"
                org_name = f"{name} {hood + 1}.{n + 1}"
                org = self.add(Organisation, name=org_name, name_key=name_key(org_name), type=kind)
                orgs.append((org, kind))
            self.hood_practices.append([o for o, k in orgs if k == "gp_practice"])
            self.hood_people.append(self._staff(hood, orgs, password))

    def _staff(self, hood: int, orgs: list[tuple[int, str]], password: str) -> list[Person]:
        wanted = self.scale.users // self.hoods()
        by_org = [[(org, p, d) for p, d, n in STAFF[kind] for _ in range(n)] for org, kind in orgs]
        # Round the organisations so that even a small practice-scale team mixes them.
        slots = [s for row in itertools.zip_longest(*by_org) for s in row if s is not None]
        people = []
        for n in range(wanted):
            org, profession, discipline = slots[n % len(slots)]
            first = not self.people
            email = BENCH_EMAIL if first else f"person{len(self.people) + 1}@bench.example.org"
            user_id = self.add(
                User,
                name="Bench User" if first else f"{profession} {len(self.people) + 1}",
                email=email,
                email_key=email,
                profession="GP" if first else profession,
                organisation_id=org,
                password_hash=password if first else None,
                created_at=datetime(2023, 1, 2, 9, 0, tzinfo=UTC),
            )
            person = Person(user_id, org, profession, "General practice" if first else discipline)
            self.people.append(person)
            people.append(person)
        self.bench_user_id = self.people[0].id
        return people

    # --- teams -------------------------------------------------------------------------

    def teams_and_members(self) -> None:
        per_hood = max(1, self.scale.teams // self.hoods())
        for hood, people in enumerate(self.hood_people):
            for n in range(per_hood):
                first = not self.teams
                name = BENCH_TEAM if first else f"Neighbourhood {hood + 1} MDT {n + 1}"
                team_id = self.add(
                    Team,
                    name=name,
                    name_key=name_key(name),
                    time_zone=ZONE,
                    default_location="Room 1",
                )
                size = BENCH_TEAM_SIZE if first else self.rnd.randint(*self.scale.team_size)
                size = min(size, len(people))
                members = self._members(people, size, first)
                self.teams.append(TeamPlan(team_id, members, hood))
                for person, role in members:
                    self.add(
                        Membership,
                        team_id=team_id,
                        user_id=person.id,
                        role=role,
                        discipline=person.discipline,
                    )
        self._bench_user_joins_more_teams()

    def _members(self, people: list[Person], size: int, bench: bool) -> list[tuple[Person, str]]:
        pool = self.rnd.sample(people, len(people))
        if bench:
            pool.remove(self.people[0])
            pool.insert(0, self.people[0])
        coordinator = next(
            (p for p in pool if p.discipline == "Coordination" and not bench), pool[0]
        )
        chair = next(p for p in pool if p.discipline == "General practice" and p is not coordinator)
        rest = [p for p in pool if p not in (coordinator, chair)][: size - 2]
        members = [(coordinator, "coordinator"), (chair, "chair")]
        for p in rest:
            members.append((p, "attendee" if self.rnd.random() < 0.15 else "core_member"))
        return members

    def _bench_user_joins_more_teams(self) -> None:
        bench = self.people[0]
        for plan in self.teams[1:4]:
            if all(p is not bench for p, _ in plan.members):
                plan.members.append((bench, "core_member"))
                self.add(
                    Membership,
                    team_id=plan.id,
                    user_id=bench.id,
                    role="core_member",
                    discipline=bench.discipline,
                )

    # --- meetings, agendas, preparation, minutes, actions ---------------------------------

    def meetings(self) -> None:
        start = add_months(self.today, -self.scale.months_back)
        end = add_months(self.today, self.scale.months_ahead + 1) - timedelta(days=1)
        numbers = nhs_numbers()
        for plan in self.teams:
            practices = self.hood_practices[plan.hood]
            months = self.scale.months_back + self.scale.months_ahead
            for _ in range(months * 5):
                plan.patients.append(self._patient(numbers, self.rnd.choice(practices)))
            rule = Rule(
                Frequency.MONTHLY,
                1 if plan is self.teams[0] else self.rnd.randint(0, 4),
                start,
                ordinal=self.rnd.randint(1, 4),
            )
            at = self.rnd.choice([time(12, 30), time(13, 0), time(14, 0)])
            series = self.add(
                SlotSeries,
                team_id=plan.id,
                title="Monthly MDT",
                frequency="monthly",
                interval=1,
                weekday=rule.weekday,
                ordinal=rule.ordinal,
                start_date=start,
                start_time=at,
                duration_minutes=90,
                time_zone=ZONE,
                location="Room 1",
            )
            for day in rule.dates(start, end):
                if not bank_holiday(day):
                    self._meeting(plan, series, day, at)

    def _patient(self, numbers: Any, practice: int) -> int:
        n = self._ids.get(Patient, 0) + 1
        return self.add(
            Patient,
            nhs_number=next(numbers),
            name=f"Patient {n}",
            date_of_birth=date(1925 + n % 60, 1 + n % 12, 1 + n % 28),
            registered_practice_id=practice,
        )

    def _meeting(self, plan: TeamPlan, series: int, day: date, at: time) -> None:
        starts = local_to_utc(day, at, ZONE)
        past = starts < self.now
        status = "scheduled" if not past else "cancelled" if self.rnd.random() < 0.02 else "held"
        coordinator, chair = plan.members[0][0], plan.members[1][0]
        ends = starts + timedelta(minutes=90)
        meeting = self.add(
            Meeting,
            team_id=plan.id,
            series_id=series,
            occurrence_date=day,
            starts_at=starts,
            ends_at=ends,
            location="Room 1",
            chair_id=chair.id,
            minute_taker_id=coordinator.id,
            status=status,
            created_at=starts - timedelta(days=40),
            updated_at=starts - timedelta(days=40),
            closed_at=ends if status == "held" else None,
            closed_by_id=chair.id if status == "held" else None,
            minutes_sent_at=ends + timedelta(minutes=5) if status == "held" else None,
        )
        if status == "cancelled":
            return
        attending = self._invitations(plan, meeting, starts, held=status == "held")
        due = end_of_day(working_days_before(day, 2), ZONE)
        for position, patient in enumerate(
            self.rnd.sample(plan.patients, self.rnd.randint(*self.scale.cases)), start=1
        ):
            self._case(plan, meeting, patient, position, starts, due, attending, status == "held")

    def _invitations(self, plan: TeamPlan, meeting: int, starts: datetime, held: bool) -> list:
        attending = []
        for person, role in plan.members:
            roll = self.rnd.random()
            if held:
                reply = "in_person" if roll < 0.6 else "remote" if roll < 0.9 else "apologies"
                attendance = {"in_person": "present", "remote": "remote"}.get(reply, "apologies")
                if attendance != "apologies" and self.rnd.random() < 0.04:
                    attendance = "absent"
            else:
                reply = "none" if roll < 0.5 else "in_person" if roll < 0.75 else "remote"
                attendance = None
            self.add(
                Invitation,
                meeting_id=meeting,
                user_id=person.id,
                discipline=person.discipline,
                counts_for_quorum=role in ("core_member", "chair"),
                reply=reply,
                replied_at=None if reply == "none" else starts - timedelta(days=5),
                attendance=attendance,
                attendance_recorded_at=starts if held else None,
            )
            # The benchmark user coordinates and prepares too, so that My prep and My
            # actions have rows for them.
            prepares = role in ("core_member", "chair") or person.id == self.bench_user_id
            if prepares and attendance != "apologies":
                attending.append(person)
        return attending or [plan.members[1][0]]

    def _case(
        self,
        plan: TeamPlan,
        meeting: int,
        patient: int,
        position: int,
        starts: datetime,
        due: datetime,
        attending: list[Person],
        held: bool,
    ) -> None:
        rnd = self.rnd
        owners = rnd.sample(attending, min(len(attending), rnd.randint(*self.scale.prep)))
        case = self.add(
            Case,
            meeting_id=meeting,
            patient_id=patient,
            reason=rnd.choice(REASONS),
            referred_by_id=plan.members[1][0].id,
            priority="urgent" if rnd.random() < 0.05 else "routine",
            what_matters="To stay at home with her cat",
            questions="Is a package of care needed?",
            disciplines_needed="|".join(sorted({p.discipline for p in owners[:2]})),
            key_worker_id=owners[0].id,
            position=position,
            minutes=10,
            triage="discussion",
            created_at=starts - timedelta(days=12),
        )
        done_share = 0.95 if due < self.now else 0.35
        for person in owners:
            done = rnd.random() < done_share
            self.add(
                PrepRequest,
                case_id=case,
                user_id=person.id,
                discipline=person.discipline,
                due_at=due,
                known=("yes" if rnd.random() < 0.7 else "no") if done else None,
                involvement="Seen at home monthly" if done else "",
                concerns="Lives alone" if done else "",
                safeguarding=False,
                needs="",
                completed_at=due - timedelta(hours=rnd.randint(2, 72)) if done else None,
            )
        if held:
            self._minutes(plan, meeting, case, patient, starts, attending)

    def _minutes(
        self,
        plan: TeamPlan,
        meeting: int,
        case: int,
        patient: int,
        starts: datetime,
        attending: list[Person],
    ) -> None:
        rnd = self.rnd
        outcome = rnd.choices(
            ["plan_agreed", "refer_on", "no_further_action", "defer"], [55, 15, 25, 5]
        )[0]
        self.add(
            Discussion,
            meeting_id=meeting,
            case_id=case,
            summary="Discussed; plan agreed with the person and their daughter.",
            outcome=outcome,
            recorded_by_id=plan.members[0][0].id,
            recorded_at=starts + timedelta(minutes=30),
        )
        count = rnd.choices(range(len(self.scale.actions)), self.scale.actions)[0]
        for _ in range(count):
            self._action(plan, meeting, case, patient, starts, rnd.choice(attending))

    def _action(
        self, plan: TeamPlan, meeting: int, case: int, patient: int, starts: datetime, owner: Person
    ) -> None:
        rnd = self.rnd
        created = starts + timedelta(minutes=60)
        due = starts.date() + timedelta(days=rnd.randint(7, 42))
        age = (self.today - due).days
        if age > 0:  # due in the past: most closed; recent ones more often still open
            status = rnd.choices(["done", "cancelled", "open"], [88, 4, 15 if age < 90 else 2])[0]
        else:
            status = "done" if rnd.random() < 0.3 else "open"
        closed = None
        if status != "open":
            closed = min(created + timedelta(days=rnd.randint(1, 40)), self.now)
        action = self.add(
            ActionPoint,
            team_id=plan.id,
            meeting_id=meeting,
            case_id=case,
            patient_id=patient,
            description="Arrange a falls assessment",
            owner_id=owner.id,
            due_date=due,
            status=status,
            closing_note="Done" if status == "done" else "No longer needed" if closed else "",
            created_by_id=plan.members[0][0].id,
            created_at=created,
            closed_at=closed,
            updated_at=closed or created,
        )
        self.add(
            ActionChange,
            action_id=action,
            at=created,
            by_id=plan.members[0][0].id,
            kind="created",
            detail="Created",
        )
        if closed is not None:
            self.add(
                ActionChange,
                action_id=action,
                at=closed,
                by_id=owner.id,
                kind=status,
                detail="Closed",
            )

    # --- commitments and the benchmark user's feed -----------------------------------------

    def extras(self) -> None:
        rnd = self.rnd
        for person in self.people:
            for n in range(rnd.randint(1, 2)):
                self.add(
                    Commitment,
                    user_id=person.id,
                    kind="recurring",
                    label="Morning surgery" if n == 0 else "Afternoon visits",
                    start_date=date(2023, 1, 2),
                    end_date=None,
                    frequency="weekly",
                    interval=1,
                    weekday=rnd.randint(0, 4),
                    start_time=time(8, 30) if n == 0 else time(13, 0),
                    end_time=time(12, 30) if n == 0 else time(17, 0),
                    time_zone=ZONE,
                )
            leave = self.today + timedelta(days=rnd.randint(0, 80))
            self.add(
                Commitment,
                user_id=person.id,
                kind="absence",
                label="Annual leave",
                start_date=leave,
                end_date=leave + timedelta(days=4),
                frequency=None,
                interval=1,
                weekday=None,
                start_time=None,
                end_time=None,
                time_zone=ZONE,
            )
        self.add(
            CalendarFeed,
            user_id=self.bench_user_id,
            token_hash=token_hash(self.feed_token),
            created_at=self.now,
        )


#: Foreign-key order.
TABLES = [
    Organisation,
    User,
    Team,
    Membership,
    SlotSeries,
    Patient,
    Meeting,
    Invitation,
    Case,
    PrepRequest,
    Discussion,
    ActionPoint,
    ActionChange,
    Commitment,
    CalendarFeed,
]
