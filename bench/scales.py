"""The benchmark data's sizes (a practice, a region, a nation), its fixed names and the
plain records the generator plans with; `mdt bench` signs in as BENCH_EMAIL and times BENCH_TEAM."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

ZONE = "Europe/London"
BENCH_EMAIL = "bench.user@bench.example.org"
BENCH_PASSWORD = "bench-lantern-orchard-91"
BENCH_TEAM = "Bench Neighbourhood MDT"
#: Members of the bench team: "find a slot" is timed for a team of this size.
BENCH_TEAM_SIZE = 25
#: Each team's patients: this many for every month its meetings span.
PATIENTS_PER_MONTH = 5


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
    # Ten regions: ten times the neighbourhoods, each the size of a region's.
    "national": Scale(
        "national", 3000, 60000, 6000, 33, 3, (14, 30), (5, 11), (3, 5), (10, 25, 30, 20, 15)
    ),
}
#: Teams whose meetings are generated and loaded at a time: a nation's rows do not fit in
#: memory at once (about 1.2 million rows a chunk).
TEAMS_PER_CHUNK = 200
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


def nhs_numbers() -> Iterator[str]:
    """Valid numbers from the 999 range, which is never issued to real people, then (a
    nation's 1,080,000 patients need more than its 909,000) from the 998 range, which is not
    issued either (England's numbers start 4 or 6 to 7)."""
    stems = itertools.chain(range(999_000_001, 999_999_999), range(998_000_001, 998_999_999))
    for stem in stems:
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
