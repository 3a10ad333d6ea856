"""The generator's meetings: monthly series, patients, agendas, preparation, minutes and
actions, past meetings held and coming ones with preparation owed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from bench.scales import PATIENTS_PER_MONTH, REASONS, ZONE, Person, TeamPlan, add_months
from bench.seed_people import PeopleRows
from mdt.actions.models import ActionChange, ActionPoint
from mdt.agenda.models import Case
from mdt.core.days import bank_holiday, end_of_day, local_to_utc, working_days_before
from mdt.core.recurrence import Frequency, Rule
from mdt.meetings.models import Invitation, Meeting
from mdt.minutes.models import Discussion
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.slots.models import SlotSeries


class MeetingRows(PeopleRows):
    """Rows for each team's meetings and what they hold, after its people (PeopleRows)."""

    def meetings(self, teams: list[TeamPlan]) -> None:
        """These teams' patients and meetings (teams in order: the random numbers and ids
        follow on from the teams before)."""
        start = add_months(self.today, -self.scale.months_back)
        end = add_months(self.today, self.scale.months_ahead + 1) - timedelta(days=1)
        for plan in teams:
            practices = self.hood_practices[plan.hood]
            months = self.scale.months_back + self.scale.months_ahead
            for _ in range(months * PATIENTS_PER_MONTH):
                plan.patients.append(self._patient(self.numbers, self.rnd.choice(practices)))
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
