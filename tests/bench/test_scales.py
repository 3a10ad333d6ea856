"""The benchmark's scales: a nation is ten regions, and generating a chunk of teams at a
time (as every scale is seeded) makes the same rows as generating them all at once."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date

from bench.scales import PATIENTS_PER_MONTH, SCALES, Scale, nhs_numbers
from bench.seed import TABLES, Generator
from mdt.accounts.models import User
from mdt.calendar.models import CalendarFeed
from mdt.organisations.models import Organisation
from mdt.slots.models import SlotSeries
from mdt.teams.models import Team

TODAY = date(2026, 12, 3)
#: Different every run: a salted password hash and a new feed token.
UNSEEDED = {User: "password_hash", CalendarFeed: "token_hash"}


def _people_and_teams(scale: Scale) -> dict[str, int]:
    generator = Generator(scale, TODAY)
    next(generator.stages(teams_per_chunk=scale.teams))
    rows = generator.take()
    return {model.__name__: len(rows[model]) for model in (Organisation, User, Team)}


def _all_rows(scale: Scale, teams_per_chunk: int) -> dict[type, list[dict]]:
    generator = Generator(scale, TODAY)
    found: dict[type, list[dict]] = {}
    for _stage in generator.stages(teams_per_chunk):
        for model, rows in generator.take().items():
            leave = UNSEEDED.get(model)
            found.setdefault(model, []).extend(
                {k: v for k, v in row.items() if k != leave} for row in rows
            )
    return found


def test_a_nation_has_ten_times_a_regions_organisations_people_and_teams():
    region = _people_and_teams(SCALES["region"])
    national = _people_and_teams(SCALES["national"])
    assert national == {name: 10 * n for name, n in region.items()}
    wanted = SCALES["national"]
    assert national == {
        "Organisation": wanted.organisations,
        "User": wanted.users,
        "Team": wanted.teams,
    }
    same = ("months_back", "months_ahead", "team_size", "cases", "prep", "actions")
    assert all(getattr(wanted, f) == getattr(SCALES["region"], f) for f in same)


def test_there_are_enough_unissued_nhs_numbers_for_a_nations_patients():
    scale = SCALES["national"]
    patients = scale.teams * (scale.months_back + scale.months_ahead) * PATIENTS_PER_MONTH
    numbers = list(itertools.islice(nhs_numbers(), patients))
    assert len(set(numbers)) == patients
    assert all(n.startswith(("999", "998")) for n in numbers)


def test_teams_generated_a_chunk_at_a_time_get_the_rows_of_one_pass():
    small = dataclasses.replace(
        SCALES["region"], organisations=12, users=240, teams=24, months_back=4, months_ahead=1
    )
    at_once = _all_rows(small, teams_per_chunk=small.teams)
    chunked = _all_rows(small, teams_per_chunk=5)
    assert set(chunked) <= set(TABLES)
    assert len(chunked[SlotSeries]) == small.teams
    assert chunked == at_once
